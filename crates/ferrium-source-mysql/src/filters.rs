//! Which databases, tables and columns are captured: Debezium's include/exclude lists,
//! matched against `db`, `db.table` and `db.table.column`.

use ferrium_config::{NameFilter, Validated};

/// The server's own databases; never captured.
const SYSTEM_DATABASES: &[&str] = &["mysql", "information_schema", "performance_schema", "sys"];

#[derive(Debug, Clone, Default)]
pub struct Filters {
    databases: NameFilter,
    tables: NameFilter,
    columns: NameFilter,
}

impl Filters {
    pub fn from_config(v: &Validated) -> Result<Self, String> {
        Ok(Filters {
            databases: NameFilter::from_config(
                v,
                "database.include.list",
                "database.exclude.list",
            )?,
            tables: NameFilter::from_config(v, "table.include.list", "table.exclude.list")?,
            columns: NameFilter::from_config(v, "column.include.list", "column.exclude.list")?,
        })
    }

    pub fn captures_database(&self, db: &str) -> bool {
        !SYSTEM_DATABASES.iter().any(|s| s.eq_ignore_ascii_case(db)) && self.databases.allows(db)
    }

    pub fn captures_table(&self, db: &str, table: &str) -> bool {
        self.captures_database(db) && self.tables.allows(&format!("{db}.{table}"))
    }

    pub fn captures_column(&self, db: &str, table: &str, column: &str) -> bool {
        self.columns.allows(&format!("{db}.{table}.{column}"))
    }
}
