//! A `ConfigDef`-style table: every option a connector understands, its type, default
//! and allowed values. Validation reports every bad key at once, by name.

use std::collections::BTreeMap;

use crate::{ConfigError, ConnectorConfig};

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    String,
    /// A secret: never logged.
    Password,
    Int,
    Long,
    Boolean,
    /// A comma-separated list.
    List,
    /// One of the listed values (compared case-insensitively, as Debezium does).
    Enum(&'static [&'static str]),
}

/// One option.
#[derive(Debug, Clone, Copy)]
pub struct ConfigKey {
    pub name: &'static str,
    pub kind: ConfigType,
    pub default: Option<&'static str>,
    pub required: bool,
    /// An older name that still works (e.g. `database.server.name` for `topic.prefix`).
    pub legacy: Option<&'static str>,
    pub doc: &'static str,
}

impl ConfigKey {
    pub const fn new(name: &'static str, kind: ConfigType, doc: &'static str) -> Self {
        ConfigKey {
            name,
            kind,
            default: None,
            required: false,
            legacy: None,
            doc,
        }
    }

    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn legacy(mut self, name: &'static str) -> Self {
        self.legacy = Some(name);
        self
    }
}

/// The option table of one connector type.
#[derive(Debug, Clone, Copy)]
pub struct ConfigDef {
    pub keys: &'static [ConfigKey],
    /// Key tables shared with other connectors (e.g. [`crate::relational::COMMON_KEYS`]).
    pub shared: &'static [&'static [ConfigKey]],
    /// Key prefixes that are passed through as groups (e.g. `transforms.`), never "unknown".
    pub passthrough_prefixes: &'static [&'static str],
}

/// A config that passed validation: every known key resolved to a value or its default.
#[derive(Debug, Clone)]
pub struct Validated {
    values: BTreeMap<&'static str, String>,
    pub raw: ConnectorConfig,
}

impl ConfigDef {
    /// The connector's own keys, then the shared ones.
    pub fn all_keys(&self) -> impl Iterator<Item = &'static ConfigKey> {
        self.keys
            .iter()
            .chain(self.shared.iter().flat_map(|keys| keys.iter()))
    }

    /// Checks every key; unknown keys are kept and logged at debug level, as Debezium does.
    pub fn validate(&self, config: &ConnectorConfig) -> Result<Validated, ConfigError> {
        let mut errors = Vec::new();
        let mut values = BTreeMap::new();
        for key in self.all_keys() {
            let given = config
                .get(key.name)
                .or_else(|| key.legacy.and_then(|legacy| config.get(legacy)));
            let value = match (given, key.default) {
                (Some(v), _) => v.trim().to_string(),
                (None, Some(d)) => d.to_string(),
                (None, None) => {
                    if key.required {
                        errors.push(format!(
                            "missing required option '{}' ({})",
                            key.name, key.doc
                        ));
                    }
                    continue;
                }
            };
            if let Err(problem) = check_type(key, &value) {
                errors.push(problem);
                continue;
            }
            values.insert(key.name, value);
        }
        for name in config.props.keys() {
            let known = self
                .all_keys()
                .any(|k| k.name == name || k.legacy == Some(name.as_str()))
                || self
                    .passthrough_prefixes
                    .iter()
                    .any(|p| name.starts_with(p));
            if !known {
                tracing::debug!(key = %name, "ignoring unknown connector option");
            }
        }
        if errors.is_empty() {
            Ok(Validated {
                values,
                raw: config.clone(),
            })
        } else {
            Err(ConfigError::Invalid(errors))
        }
    }
}

fn check_type(key: &ConfigKey, value: &str) -> Result<(), String> {
    let bad = |expected: &str| {
        Err(format!(
            "invalid value '{value}' for option '{}': expected {expected}",
            key.name
        ))
    };
    match key.kind {
        ConfigType::String | ConfigType::Password | ConfigType::List => Ok(()),
        ConfigType::Int => value
            .parse::<i32>()
            .map(|_| ())
            .or_else(|_| bad("an integer")),
        ConfigType::Long => value
            .parse::<i64>()
            .map(|_| ())
            .or_else(|_| bad("an integer")),
        ConfigType::Boolean => match value.to_ascii_lowercase().as_str() {
            "true" | "false" => Ok(()),
            _ => bad("true or false"),
        },
        ConfigType::Enum(allowed) => {
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) {
                Ok(())
            } else {
                bad(&format!("one of {}", allowed.join(", ")))
            }
        }
    }
}

impl Validated {
    /// The resolved string value of a known key (its default when unset).
    pub fn string(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A known key with a default: always present after validation.
    pub fn str_or_empty(&self, key: &str) -> &str {
        self.string(key).unwrap_or("")
    }

    /// An enum value, lower-cased.
    pub fn choice(&self, key: &str) -> String {
        self.str_or_empty(key).to_ascii_lowercase()
    }

    pub fn bool(&self, key: &str) -> bool {
        self.string(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn i64(&self, key: &str) -> Option<i64> {
        self.string(key).and_then(|v| v.parse().ok())
    }

    /// A comma-separated list, trimmed, without empty items.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.string(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the user set the key explicitly (under its name or its legacy name).
    pub fn is_set(&self, key: &ConfigKey) -> bool {
        self.raw.get(key.name).is_some() || key.legacy.is_some_and(|l| self.raw.get(l).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[ConfigKey] = &[
        ConfigKey::new("topic.prefix", ConfigType::String, "topic prefix")
            .required()
            .legacy("database.server.name"),
        ConfigKey::new(
            "snapshot.mode",
            ConfigType::Enum(&["initial", "never"]),
            "mode",
        )
        .default("initial"),
        ConfigKey::new("max.batch.size", ConfigType::Int, "batch").default("2048"),
        ConfigKey::new("flag", ConfigType::Boolean, "flag").default("false"),
    ];
    const DEF: ConfigDef = ConfigDef {
        shared: &[],
        keys: KEYS,
        passthrough_prefixes: &["transforms."],
    };

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            name: "c".into(),
            props: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn defaults_and_legacy_names_resolve() {
        let v = DEF
            .validate(&config(&[
                ("database.server.name", "shop"),
                ("unknown.key", "1"),
            ]))
            .unwrap();
        assert_eq!(v.string("topic.prefix"), Some("shop"));
        assert_eq!(v.choice("snapshot.mode"), "initial");
        assert_eq!(v.i64("max.batch.size"), Some(2048));
        assert!(!v.bool("flag"));
        assert_eq!(v.raw.get("unknown.key"), Some("1"));
    }

    #[test]
    fn every_bad_key_is_named() {
        let err = DEF
            .validate(&config(&[
                ("snapshot.mode", "sometimes"),
                ("max.batch.size", "big"),
            ]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'snapshot.mode'") && err.contains("initial, never"),
            "{err}"
        );
        assert!(err.contains("'max.batch.size'"), "{err}");
        assert!(
            err.contains("missing required option 'topic.prefix'"),
            "{err}"
        );
    }

    #[test]
    fn enum_values_are_case_insensitive() {
        let v = DEF
            .validate(&config(&[
                ("topic.prefix", "p"),
                ("snapshot.mode", "NEVER"),
            ]))
            .unwrap();
        assert_eq!(v.choice("snapshot.mode"), "never");
    }
}
