//! The in-memory schema: every known table by id, plus the default character sets that
//! decide the charset of string columns declared without one. Also the change records
//! applying a statement produces, and replaying them (the schema history recovery path).

use std::collections::BTreeMap;

use crate::model::{TableDef, TableId};

/// What happened to a table, as Debezium's `TableChanges.TableChangeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableChangeKind {
    Create,
    Alter,
    Drop,
}

impl TableChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TableChangeKind::Create => "CREATE",
            TableChangeKind::Alter => "ALTER",
            TableChangeKind::Drop => "DROP",
        }
    }
}

/// One table's change, as one element of Debezium's `tableChanges`.
///
/// A `RENAME TABLE` is an `Alter` with the new `id` and `previous_id` set. `Drop` carries
/// no table (Debezium writes none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableChange {
    pub kind: TableChangeKind,
    pub id: TableId,
    pub previous_id: Option<TableId>,
    pub table: Option<TableDef>,
}

impl TableChange {
    pub(crate) fn create(table: TableDef) -> Self {
        TableChange {
            kind: TableChangeKind::Create,
            id: table.id.clone(),
            previous_id: None,
            table: Some(table),
        }
    }

    pub(crate) fn alter(table: TableDef, previous_id: Option<TableId>) -> Self {
        TableChange {
            kind: TableChangeKind::Alter,
            id: table.id.clone(),
            previous_id,
            table: Some(table),
        }
    }

    /// The schema history form (see [`super::json::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        super::json::to_json(self)
    }

    /// The schema change topic form (see [`super::json::to_schema_change_json`]).
    pub fn to_schema_change_json(&self) -> serde_json::Value {
        super::json::to_schema_change_json(self)
    }

    /// Reads a schema history `tableChanges` element (see [`super::json::from_json`]).
    pub fn from_json(value: &serde_json::Value) -> Result<TableChange, super::json::JsonError> {
        super::json::from_json(value)
    }

    pub(crate) fn drop(id: TableId) -> Self {
        TableChange {
            kind: TableChangeKind::Drop,
            id,
            previous_id: None,
            table: None,
        }
    }
}

/// All tables Ferrium knows, in `TableId` order (database, then table; byte-wise, so case
/// sensitive as table names are on Linux).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schemas {
    tables: BTreeMap<TableId, TableDef>,
    /// `CREATE/ALTER DATABASE … CHARACTER SET`: the default for tables created without one.
    database_charsets: BTreeMap<String, String>,
    /// The server's `character_set_server`, the last fallback for a table's charset.
    server_charset: Option<String>,
}

impl Schemas {
    pub fn new() -> Self {
        Schemas::default()
    }

    /// Sets the server default charset (`character_set_server`), used for a table created
    /// without a charset in a database whose charset is unknown.
    pub fn set_server_charset(&mut self, charset: Option<String>) {
        self.server_charset = charset;
    }

    /// Records a database's default charset (e.g. from `SHOW CREATE DATABASE` at snapshot).
    pub fn set_database_charset(&mut self, database: &str, charset: &str) {
        self.database_charsets
            .insert(database.to_string(), charset.to_string());
    }

    /// The charset a table created in `database` without one gets.
    pub fn default_charset_for(&self, database: &str) -> Option<String> {
        self.database_charsets
            .get(database)
            .cloned()
            .or_else(|| self.server_charset.clone())
    }

    pub fn table(&self, id: &TableId) -> Option<&TableDef> {
        self.tables.get(id)
    }

    pub(crate) fn table_mut(&mut self, id: &TableId) -> Option<&mut TableDef> {
        self.tables.get_mut(id)
    }

    pub fn contains(&self, id: &TableId) -> bool {
        self.tables.contains_key(id)
    }

    /// Tables in id order.
    pub fn tables(&self) -> impl Iterator<Item = &TableDef> {
        self.tables.values()
    }

    pub fn len(&self) -> usize {
        self.tables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Adds or replaces a table (its id is the key).
    pub fn put(&mut self, table: TableDef) {
        self.tables.insert(table.id.clone(), table);
    }

    pub fn remove(&mut self, id: &TableId) -> Option<TableDef> {
        self.tables.remove(id)
    }

    /// Forgets a database: its tables and its charset.
    pub(crate) fn remove_database(&mut self, database: &str) {
        self.tables.retain(|id, _| id.database != database);
        self.database_charsets.remove(database);
    }

    /// Applies a change read back from the schema history, as Debezium's recovery does:
    /// CREATE and ALTER overwrite the table (an ALTER with a previous id first removes the
    /// old one), DROP removes it. History records whose `tableChanges` is empty are
    /// replayed by applying their DDL text with [`super::apply`] instead.
    pub fn apply_change(&mut self, change: &TableChange) {
        match change.kind {
            TableChangeKind::Create | TableChangeKind::Alter => {
                if let Some(previous) = &change.previous_id {
                    self.tables.remove(previous);
                }
                if let Some(table) = &change.table {
                    self.put(table.clone());
                }
            }
            TableChangeKind::Drop => {
                self.tables.remove(&change.id);
            }
        }
    }
}
