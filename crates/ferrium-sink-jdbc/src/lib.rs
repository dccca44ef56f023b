//! The JDBC sink connector (`io.debezium.connector.jdbc.JdbcSinkConnector`): change
//! events read back from Kafka, applied to PostgreSQL or MariaDB/MySQL tables with
//! Debezium's options and semantics, and — beyond Debezium — exactly once: the rows of a
//! flush and the Kafka offsets they came from commit in one transaction of the target.
//!
//! `config` reads the options, `change` decides what a record does, `naming` and
//! `table` find and fit its table, `column` and `render` turn fields into typed
//! columns and values, `batch` orders a flush, `dialect` speaks each database, and
//! `writer` ties them together for the runtime's consumer loop.

mod batch;
mod change;
mod column;
pub mod config;
mod dialect;
mod error;
mod naming;
mod render;
mod table;
mod writer;

pub use change::Coordinates;
pub use config::{JdbcSinkConfig, CONNECTOR_CLASS};
pub use dialect::StoredOffset;
pub use error::SinkError;
pub use writer::{Flushed, JdbcWriter};
