//! Configuration in Kafka Connect's own formats.
//!
//! Connector configs arrive as the JSON users already post to Kafka Connect; the worker
//! config is a Java `.properties` file. Connectors declare their options in a
//! [`ConfigDef`] table so every wrong value is rejected at start with the key named.

pub mod config_provider;
mod connector_file;
mod def;
mod error;
pub mod jdbc_url;
mod name_filter;
#[cfg(test)]
mod prop_tests;
pub mod relational;
pub mod signal;
pub mod topic_naming;
mod worker;

pub use config_provider::{ConfigProviders, Resolution, Scrubber};
pub use connector_file::{load_connector_file, parse_connectors, ConnectorConfig};
pub use def::{ConfigDef, ConfigKey, ConfigType, Validated};
pub use error::ConfigError;
pub use jdbc_url::{JdbcDialect, JdbcUrl};
pub use name_filter::{NameFilter, NamePatterns};
pub use worker::WorkerConfig;

/// Masks values of keys that look secret, for logs.
pub fn redact(key: &str, value: &str) -> String {
    let lower = key.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("secret") || lower.contains("sasl.jaas") {
        "********".to_string()
    } else {
        value.to_string()
    }
}
