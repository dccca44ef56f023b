//! The MySQL and MariaDB source: Debezium's MySQL/MariaDB connector, in Rust.
//!
//! Ferrium joins the server as a replica (`database.server.id`) and reads the row-based
//! binlog. Row events carry only a table id and values, so the table model (`model.rs`)
//! is kept by applying every DDL statement (`ddl/`) and stored in the schema history so a
//! restart rebuilds it as of the resumed position. Values are mapped to Debezium's
//! Connect types by `types/`.

pub mod ddl;
pub mod model;
pub mod types;
