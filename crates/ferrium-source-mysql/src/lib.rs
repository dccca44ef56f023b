//! The MySQL and MariaDB source: Debezium's MySQL/MariaDB connector, in Rust.
//!
//! Ferrium joins the server as a replica (`database.server.id`) and reads the row-based
//! binlog. Row events carry only a table id and values, so the table model (`model.rs`)
//! is kept by applying every DDL statement (`ddl/`) and stored in the schema history
//! (`history.rs`) so a restart rebuilds it as of the resumed position. Values are mapped
//! to Debezium's Connect types by `types/`. Start-up (`source.rs`) checks the server and
//! chooses between resuming and a snapshot (`snapshot.rs`); `stream.rs` reads the binlog,
//! where signals and incremental snapshot watermarks arrive (`chunks.rs` reads the chunks).

mod chunks;
pub mod config;
mod connection;
pub mod ddl;
pub mod error;
pub mod events;
mod filters;
pub mod gtid_event;
pub mod history;
mod metrics;
pub mod model;
pub mod offset;
pub mod position;
mod registry;
mod snapshot;
mod source;
mod stream;
mod table;
pub mod tls;
pub mod types;

pub use config::{HistoryLocation, MysqlConfig};
pub use error::MysqlError;
pub use source::MysqlSource;

/// Debezium's MySQL connector class, accepted as is in connector configs.
pub const CONNECTOR_CLASS: &str = MYSQL_CONNECTOR_CLASS;
pub const MYSQL_CONNECTOR_CLASS: &str = "io.debezium.connector.mysql.MySqlConnector";
/// Debezium's MariaDB connector class (Debezium 2.7+).
pub const MARIADB_CONNECTOR_CLASS: &str = "io.debezium.connector.mariadb.MariaDbConnector";
