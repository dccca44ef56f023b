//! The PostgreSQL source: Debezium's PostgreSQL connector, in Rust.
//!
//! Start-up (`source.rs`) checks the server, sets up the publication and the slot, and
//! decides between resuming from the stored offset and taking a snapshot; the snapshot
//! (`snapshot.rs`) reads the tables inside the slot's exported snapshot; streaming
//! (`stream.rs`) decodes pgoutput into Debezium events.

pub mod admin;
pub mod catalog;
mod chunk_snapshot;
mod chunks;
pub mod config;
mod connection;
pub mod copy_text;
pub mod error;
pub mod events;
mod filters;
pub mod metrics;
pub mod offset;
mod registry;
pub mod relation;
mod slot;
mod snapshot;
mod snapshot_plan;
mod source;
mod stream;
pub mod types;

pub use config::PostgresConfig;
pub use error::PostgresError;
pub use source::PostgresSource;

/// Debezium's class name, accepted as is in connector configs.
pub const CONNECTOR_CLASS: &str = "io.debezium.connector.postgresql.PostgresConnector";
