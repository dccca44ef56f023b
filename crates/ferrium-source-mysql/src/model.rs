//! The table model the schema history keeps: what Ferrium knows about a table's columns,
//! built from `CREATE TABLE` text and changed by `ALTER`/`RENAME`/`DROP` statements.
//!
//! Row events in the binlog carry a table id and bare values, so this model is what gives
//! a value its column name, type and the key. It is also what the schema history stores
//! (as Debezium's `tableChanges` JSON) so that a restart rebuilds the same model.

/// A table by database and name, as MySQL spells them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    pub database: String,
    pub table: String,
}

impl TableId {
    pub fn new(database: impl Into<String>, table: impl Into<String>) -> Self {
        TableId {
            database: database.into(),
            table: table.into(),
        }
    }
}

impl std::fmt::Display for TableId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.database, self.table)
    }
}

/// One column as its DDL declares it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnDef {
    pub name: String,
    /// The base type in upper case without parameters or attributes, as Debezium's
    /// `typeName`: `INT`, `BIGINT`, `VARCHAR`, `DECIMAL`, `DATETIME`, `ENUM`, `BOOLEAN`…
    /// Synonyms are kept as written (`BOOL`, `INTEGER`, `NUMERIC`), the codec maps them.
    pub type_name: String,
    pub unsigned: bool,
    /// `ZEROFILL` (which implies `unsigned`); part of Debezium's `typeName`.
    pub zerofill: bool,
    /// `(M)`: display width, character length, decimal precision, bit count, or the
    /// fractional-seconds precision of a temporal type; `None` when not written.
    pub length: Option<u32>,
    /// `(M,D)`'s `D`: decimal scale.
    pub scale: Option<u32>,
    pub nullable: bool,
    /// Column character set, when it has one (string types), else the table's default.
    pub charset: Option<String>,
    /// ENUM and SET members, unquoted, in declaration order.
    pub enum_values: Vec<String>,
    pub auto_increment: bool,
    /// A generated (virtual or stored) column.
    pub generated: bool,
    /// Debezium's `defaultValueExpression`: a literal default as written without its
    /// quotes (`abc`, `-5`, `1.50`, `101` for `b'101'`), `1970-01-01 00:00:00` for
    /// `CURRENT_TIMESTAMP`/`NOW()`, and `None` for `DEFAULT NULL`, an expression default or
    /// no default at all (`has_default` tells those apart).
    pub default: Option<String>,
    /// Debezium's `hasDefaultValue`: a `DEFAULT` clause, or a nullable column (implicitly
    /// `DEFAULT NULL`). False for a `NOT NULL` column without one.
    pub has_default: bool,
}

/// A table: columns in their physical order (the order binlog row images use) and the
/// primary key column names in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDef {
    pub id: TableId,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Vec<String>,
    /// The table's default character set (`DEFAULT CHARSET=…`).
    pub default_charset: Option<String>,
}

impl TableDef {
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}
