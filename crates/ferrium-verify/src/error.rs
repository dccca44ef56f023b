//! Why a verification could not run; each message names the problem and the fix.

use std::fmt;

/// Which of the two tables a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Target,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Target => "target",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("--{side}-url: {message}")]
    Url { side: Side, message: String },
    #[error("cannot connect to the {side} database {url}: {message}; check --{side}-url, --{side}-user and --{side}-password")]
    Connect {
        side: Side,
        url: String,
        message: String,
    },
    #[error("{side} table '{table}' is not in {url}; check --{side}-table (PostgreSQL: schema.table, MariaDB/MySQL: database.table or a table of the URL's database)")]
    TableNotFound {
        side: Side,
        table: String,
        url: String,
    },
    #[error("{side} table name '{table}' matches several tables ({matches}); write it with the exact case")]
    AmbiguousTable {
        side: Side,
        table: String,
        matches: String,
    },
    #[error("source table '{table}' has no primary key; name the columns that identify a row with --key col1,col2")]
    NoPrimaryKey { table: String },
    #[error("--key column '{column}' is not a column of the source table '{table}'; its columns: {columns}")]
    UnknownKeyColumn {
        column: String,
        table: String,
        columns: String,
    },
    #[error("key column '{column}' is not in the target table '{table}'; rows cannot be matched without it: pass a --key whose columns both tables have")]
    KeyNotInTarget { column: String, table: String },
    #[error("--exclude column '{column}' is not a column of the source table '{table}'; its columns: {columns}")]
    UnknownExcludeColumn {
        column: String,
        table: String,
        columns: String,
    },
    #[error("--exclude column '{column}' is a key column; rows are matched by it: choose another --key or do not exclude it")]
    ExcludedKeyColumn { column: String },
    #[error("{side} database: {message}")]
    Query { side: Side, message: String },
    #[error("{side}: {message}")]
    Unsupported { side: Side, message: String },
}
