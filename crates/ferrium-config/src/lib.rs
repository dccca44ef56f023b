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
    // `basic.auth.user.info` is `user:password`; bearer tokens and inline PEM keys are
    // credentials too.
    const SECRET_PARTS: &[&str] = &[
        "password",
        "secret",
        "sasl.jaas",
        "user.info",
        "token",
        "keystore.key",
        "private.key",
    ];
    if SECRET_PARTS.iter().any(|part| lower.contains(part)) {
        "********".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn credentials_are_masked_and_other_values_kept() {
        for key in [
            "database.password",
            "value.converter.basic.auth.user.info",
            "schema.registry.basic.auth.user.info",
            "producer.override.sasl.jaas.config",
            "bearer.auth.token",
            "ssl.keystore.key",
        ] {
            assert_eq!(redact(key, "ann:s3cret"), "********", "{key}");
        }
        assert_eq!(redact("database.user", "ann"), "ann");
        assert_eq!(
            redact("value.converter.basic.auth.credentials.source", "USER_INFO"),
            "USER_INFO"
        );
    }
}
