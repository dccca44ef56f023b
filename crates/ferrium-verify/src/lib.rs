//! `ferrium verify`: proves a read model equals its source. A source table (PostgreSQL
//! or MariaDB/MySQL) and its copy in another database (written by a JDBC sink, so its
//! column types may differ) are each read once; the source leaves only key → 128-bit
//! digest in memory, the target is compared against it, and the result is a [`Report`]
//! of rows missing, extra and different, with samples.

mod canonical;
mod catalog;
mod columns;
mod db;
mod digest;
mod error;
mod family;
mod report;
mod sql;
mod verify;

pub use canonical::canonical;
pub use catalog::ColumnInfo;
pub use columns::ShapeDifference;
pub use db::Endpoint;
pub use error::{Side, VerifyError};
pub use family::{plan, Canon, Family};
pub use report::{ColumnDifference, DifferentRow, Key, KeyPart, Report, Samples};
pub use verify::{default_target_table, verify, VerifyOptions};
