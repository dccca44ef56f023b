//! The PostgreSQL connector's options: Debezium's names, defaults and values.

use std::time::Duration;

use ferrium_config::relational::{CommonSettings, COMMON_KEYS};
use ferrium_config::signal::{SIGNAL_CONSUMER_PREFIX, SIGNAL_KEYS};
use ferrium_config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType as T, ConnectorConfig, Validated,
};
use ferrium_tls::PgTls;

use crate::filters::Filters;
use crate::types::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeOptions,
};

const KEYS: &[ConfigKey] = &[
    ConfigKey::new(
        "connector.class",
        T::String,
        "io.debezium.connector.postgresql.PostgresConnector",
    ),
    ConfigKey::new("database.hostname", T::String, "the PostgreSQL host").required(),
    ConfigKey::new("database.port", T::Int, "the PostgreSQL port").default("5432"),
    ConfigKey::new(
        "database.user",
        T::String,
        "a role with REPLICATION and LOGIN",
    )
    .required(),
    ConfigKey::new("database.password", T::Password, "the role's password").default(""),
    ConfigKey::new("database.dbname", T::String, "the database to capture").required(),
    ConfigKey::new(
        "database.sslmode",
        T::Enum(&[
            "disable",
            "prefer",
            "allow",
            "require",
            "verify-ca",
            "verify-full",
        ]),
        "TLS to PostgreSQL, as pgjdbc's sslmode",
    )
    .default("prefer"),
    ConfigKey::new(
        "database.sslrootcert",
        T::String,
        "the PEM file of the CA that issued the server's certificate (verify-ca, verify-full)",
    ),
    ConfigKey::new(
        "database.sslcert",
        T::String,
        "the PEM file of the client certificate",
    ),
    ConfigKey::new(
        "database.sslkey",
        T::String,
        "the PEM file of the client certificate's unencrypted private key",
    ),
    ConfigKey::new(
        "database.sslpassword",
        T::Password,
        "the password of an encrypted client key (refused: give the key unencrypted)",
    ),
    ConfigKey::new(
        "database.sslfactory",
        T::String,
        "pgjdbc's SSL socket factory: org.postgresql.ssl.LibPQFactory, or org.postgresql.ssl.NonValidatingFactory (no server check)",
    ),
    ConfigKey::new(
        "plugin.name",
        T::Enum(&["pgoutput", "decoderbufs"]),
        "the logical decoding plug-in",
    )
    .default("pgoutput"),
    ConfigKey::new("slot.name", T::String, "the logical replication slot").default("debezium"),
    ConfigKey::new(
        "slot.drop.on.stop",
        T::Boolean,
        "drop the slot on a graceful stop",
    )
    .default("false"),
    ConfigKey::new("publication.name", T::String, "the pgoutput publication")
        .default("dbz_publication"),
    ConfigKey::new(
        "publication.autocreate.mode",
        T::Enum(&["all_tables", "filtered", "disabled", "no_tables"]),
        "how the publication is created",
    )
    .default("all_tables"),
    ConfigKey::new(
        "schema.include.list",
        T::List,
        "schemas to capture (regexes)",
    ),
    ConfigKey::new(
        "schema.exclude.list",
        T::List,
        "schemas not to capture (regexes)",
    ),
    ConfigKey::new(
        "table.include.list",
        T::List,
        "tables to capture, schema.table regexes",
    )
    .legacy("table.whitelist"),
    ConfigKey::new(
        "table.exclude.list",
        T::List,
        "tables not to capture, schema.table regexes",
    )
    .legacy("table.blacklist"),
    ConfigKey::new(
        "column.include.list",
        T::List,
        "columns to capture, schema.table.column regexes",
    ),
    ConfigKey::new(
        "column.exclude.list",
        T::List,
        "columns not to capture, schema.table.column regexes",
    ),
    ConfigKey::new(
        "snapshot.max.threads",
        T::Int,
        "connections reading snapshot chunks in parallel",
    )
    .default("1"),
    ConfigKey::new(
        "snapshot.isolation.mode",
        T::Enum(&[
            "serializable",
            "repeatable_read",
            "read_committed",
            "read_uncommitted",
        ]),
        "isolation of the snapshot transactions (all read at the slot's exported snapshot)",
    )
    .default("serializable"),
    ConfigKey::new(
        "snapshot.mode",
        T::Enum(&[
            "initial",
            "initial_only",
            "no_data",
            "never",
            "schema_only",
            "always",
            "when_needed",
        ]),
        "when to take a snapshot",
    )
    .default("initial"),
    ConfigKey::new(
        "heartbeat.action.query",
        T::String,
        "SQL run on each heartbeat",
    ),
    ConfigKey::new(
        "truncate.handling.mode",
        T::Enum(&["skip", "include"]),
        "deprecated: include emits truncate events",
    ),
    ConfigKey::new(
        "decimal.handling.mode",
        T::Enum(&["precise", "double", "string"]),
        "numeric representation",
    )
    .default("precise"),
    ConfigKey::new(
        "time.precision.mode",
        T::Enum(&[
            "adaptive",
            "adaptive_time_microseconds",
            "connect",
            "isostring",
            "microseconds",
            "nanoseconds",
        ]),
        "temporal representation",
    )
    .default("adaptive"),
    ConfigKey::new(
        "binary.handling.mode",
        T::Enum(&["bytes", "base64", "base64-url-safe", "hex"]),
        "bytea representation",
    )
    .default("bytes"),
    ConfigKey::new(
        "interval.handling.mode",
        T::Enum(&["numeric", "string"]),
        "interval representation",
    )
    .default("numeric"),
    ConfigKey::new(
        "hstore.handling.mode",
        T::Enum(&["json", "map"]),
        "hstore representation",
    )
    .default("json"),
    ConfigKey::new("money.fraction.digits", T::Int, "scale of money values").default("2"),
    ConfigKey::new(
        "include.unknown.datatypes",
        T::Boolean,
        "emit unknown types as text",
    )
    .default("false"),
    ConfigKey::new(
        "unavailable.value.placeholder",
        T::String,
        "value of unchanged TOAST columns",
    )
    .default("__debezium_unavailable_value"),
    ConfigKey::new(
        "status.update.interval.ms",
        T::Int,
        "standby status update period",
    )
    .default("10000"),
];

pub const DEF: ConfigDef = ConfigDef {
    keys: KEYS,
    shared: &[COMMON_KEYS, SIGNAL_KEYS],
    passthrough_prefixes: &[
        "transforms",
        "predicates",
        "key.converter",
        "value.converter",
        "header.converter",
        "producer.override.",
        "admin.override.",
        "topic.creation.",
        ferrium_config::relational::SELECT_OVERRIDE_PREFIX,
        "errors.",
        SIGNAL_CONSUMER_PREFIX,
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    Initial,
    InitialOnly,
    NoData,
    Always,
    WhenNeeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationMode {
    AllTables,
    Filtered,
    Disabled,
    NoTables,
}

/// The validated, typed configuration.
#[derive(Debug, Clone)]
pub struct PostgresConfig {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub dbname: String,
    /// `database.sslmode` and its files, checked and read.
    pub tls: PgTls,
    /// The options every relational connector shares.
    pub common: CommonSettings,
    pub slot_name: String,
    pub slot_drop_on_stop: bool,
    pub publication_name: String,
    pub publication_mode: PublicationMode,
    pub filters: Filters,
    pub snapshot_mode: SnapshotMode,
    /// `snapshot.max.threads`: readers of snapshot chunks, each with its own connection.
    pub snapshot_threads: usize,
    pub heartbeat_action_query: Option<String>,
    pub emit_truncate: bool,
    pub types: TypeOptions,
    pub status_interval: Duration,
}

impl PostgresConfig {
    pub fn from_connector(config: &ConnectorConfig) -> Result<Self, ConfigError> {
        let v = DEF.validate(config)?;
        let mut problems = Vec::new();
        let common = CommonSettings::read(
            &v,
            ferrium_config::topic_naming::SCHEMA_STRATEGY,
            &mut problems,
        );
        if v.choice("plugin.name") != "pgoutput" {
            problems.push("option 'plugin.name' is 'decoderbufs', which Ferrium does not support: use 'pgoutput' (built into PostgreSQL 10+)".into());
        }
        check_isolation(&v.choice("snapshot.isolation.mode"), &mut problems);
        if let Some(name) = v.list("converters").first() {
            problems.push(format!(
                "option 'converters' lists '{name}': Ferrium's PostgreSQL connector supports no custom converters (remove the option to get Debezium's default mapping)"
            ));
        }
        let port = match v.i64("database.port") {
            Some(p) if (1..=65535).contains(&p) => p as u16,
            _ => {
                problems.push("option 'database.port' must be between 1 and 65535".into());
                5432
            }
        };
        let slot_name = v.str_or_empty("slot.name").to_string();
        if slot_name.is_empty()
            || !slot_name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            problems.push(format!(
                "option 'slot.name' is '{slot_name}': PostgreSQL slot names may contain only lower-case letters, digits and underscores"
            ));
        }
        let filters = match Filters::from_config(&v) {
            Ok(f) => Some(f),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        let truncate_mode = v
            .string("truncate.handling.mode")
            .map(str::to_ascii_lowercase);
        let emit_truncate = match truncate_mode.as_deref() {
            Some("include") => true,
            Some(_) => false,
            None => !common.skips("t"),
        };
        let money = v.i64("money.fraction.digits").unwrap_or(2);
        if !(0..=38).contains(&money) {
            problems.push("option 'money.fraction.digits' must be between 0 and 38".into());
        }
        let types = TypeOptions {
            decimal: match v.choice("decimal.handling.mode").as_str() {
                "double" => DecimalMode::Double,
                "string" => DecimalMode::String,
                _ => DecimalMode::Precise,
            },
            time: match v.choice("time.precision.mode").as_str() {
                "adaptive_time_microseconds" => TimePrecisionMode::AdaptiveTimeMicroseconds,
                "connect" => TimePrecisionMode::Connect,
                "isostring" => TimePrecisionMode::IsoString,
                "microseconds" => TimePrecisionMode::Microseconds,
                "nanoseconds" => TimePrecisionMode::Nanoseconds,
                _ => TimePrecisionMode::Adaptive,
            },
            binary: match v.choice("binary.handling.mode").as_str() {
                "base64" => BinaryMode::Base64,
                "base64-url-safe" => BinaryMode::Base64UrlSafe,
                "hex" => BinaryMode::Hex,
                _ => BinaryMode::Bytes,
            },
            interval: match v.choice("interval.handling.mode").as_str() {
                "string" => IntervalMode::String,
                _ => IntervalMode::Numeric,
            },
            hstore: match v.choice("hstore.handling.mode").as_str() {
                "map" => HstoreMode::Map,
                _ => HstoreMode::Json,
            },
            money_fraction_digits: money.clamp(0, 38) as u32,
            include_unknown: v.bool("include.unknown.datatypes"),
            unavailable_placeholder: v.str_or_empty("unavailable.value.placeholder").to_string(),
        };
        let ms = |key: &str| Duration::from_millis(v.i64(key).unwrap_or(0).max(0) as u64);
        let snapshot_threads = match v.i64("snapshot.max.threads") {
            Some(n) if (1..=64).contains(&n) => n as usize,
            _ => {
                problems.push("option 'snapshot.max.threads' must be between 1 and 64".into());
                1
            }
        };
        let tls = read_tls(&v, &mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(PostgresConfig {
            name: config.name.clone(),
            host: v.str_or_empty("database.hostname").to_string(),
            port,
            user: v.str_or_empty("database.user").to_string(),
            password: v.str_or_empty("database.password").to_string(),
            dbname: v.str_or_empty("database.dbname").to_string(),
            tls,
            slot_name,
            slot_drop_on_stop: v.bool("slot.drop.on.stop"),
            publication_name: v.str_or_empty("publication.name").to_string(),
            publication_mode: match v.choice("publication.autocreate.mode").as_str() {
                "filtered" => PublicationMode::Filtered,
                "disabled" => PublicationMode::Disabled,
                "no_tables" => PublicationMode::NoTables,
                _ => PublicationMode::AllTables,
            },
            filters: filters.unwrap_or_default(),
            snapshot_threads,
            snapshot_mode: match v.choice("snapshot.mode").as_str() {
                "initial_only" => SnapshotMode::InitialOnly,
                "no_data" | "never" | "schema_only" => SnapshotMode::NoData,
                "always" => SnapshotMode::Always,
                "when_needed" => SnapshotMode::WhenNeeded,
                _ => SnapshotMode::Initial,
            },
            heartbeat_action_query: v
                .string("heartbeat.action.query")
                .filter(|q| !q.trim().is_empty())
                .map(str::to_string),
            emit_truncate,
            types,
            status_interval: ms("status.update.interval.ms").max(Duration::from_millis(100)),
            common,
        })
    }
}

/// `database.sslmode` with its files.
fn read_tls(v: &Validated, problems: &mut Vec<String>) -> PgTls {
    let key = |name: &str| format!("database.{name}");
    PgTls::from_keys(|name| v.string(&key(name)).map(str::to_string), key).unwrap_or_else(|e| {
        problems.push(e.to_string());
        PgTls::disabled()
    })
}

/// `snapshot.isolation.mode`: every snapshot reader imports the replication slot's
/// exported snapshot, so that snapshot and stream meet at one LSN. PostgreSQL lets only a
/// REPEATABLE READ transaction import it (a SERIALIZABLE one is refused: "cannot import a
/// snapshot from a non-serializable transaction"), so `serializable`, Debezium's default,
/// and `repeatable_read` both read in REPEATABLE READ READ ONLY at exactly the slot's
/// point; the weaker levels would break that, and are refused.
fn check_isolation(mode: &str, problems: &mut Vec<String>) {
    if mode == "read_committed" || mode == "read_uncommitted" {
        problems.push(format!(
            "option 'snapshot.isolation.mode={mode}' is not supported: Ferrium's snapshot reads every chunk at the replication slot's exported snapshot, which PostgreSQL allows only in REPEATABLE READ; use serializable (the default) or repeatable_read, both consistent with the stream"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn config(extra: &[(&str, &str)]) -> ConnectorConfig {
        let mut props: BTreeMap<String, String> = [
            (
                "connector.class",
                "io.debezium.connector.postgresql.PostgresConnector",
            ),
            ("database.hostname", "127.0.0.1"),
            ("database.user", "postgres"),
            ("database.dbname", "shop"),
            ("topic.prefix", "shop"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            props.insert(k.to_string(), v.to_string());
        }
        ConnectorConfig {
            name: "pg".into(),
            props,
        }
    }

    #[test]
    fn debezium_defaults_apply() {
        let c = PostgresConfig::from_connector(&config(&[])).unwrap();
        assert_eq!(c.slot_name, "debezium");
        assert_eq!(c.publication_name, "dbz_publication");
        assert_eq!(c.publication_mode, PublicationMode::AllTables);
        assert_eq!(c.snapshot_mode, SnapshotMode::Initial);
        assert!(c.common.tombstones_on_delete);
        assert!(!c.emit_truncate, "skipped.operations defaults to t");
        assert_eq!(c.common.max_batch_size, 2048);
        assert_eq!(c.common.heartbeat_topic, "__debezium-heartbeat.shop");
        assert_eq!(c.common.transaction_topic, "shop.transaction");
        assert_eq!(c.types, TypeOptions::default());
    }

    #[test]
    fn topic_naming_options_follow_debeziums_strategies() {
        use ferrium_config::topic_naming::TableParts;
        let orders = TableParts {
            catalog: None,
            schema: Some("sales"),
            table: "orders",
        };
        let c = PostgresConfig::from_connector(&config(&[])).unwrap();
        assert_eq!(
            c.common.naming.data_change_topic(orders),
            "shop.sales.orders"
        );
        // PostgreSQL table ids have no catalog, so Debezium's DefaultTopicNamingStrategy
        // leaves the schema out.
        let c = PostgresConfig::from_connector(&config(&[
            (
                "topic.naming.strategy",
                "io.debezium.schema.DefaultTopicNamingStrategy",
            ),
            ("topic.delimiter", "_"),
            ("topic.heartbeat.name", "beats"),
        ]))
        .unwrap();
        assert_eq!(c.common.naming.data_change_topic(orders), "shop_orders");
        assert_eq!(c.common.transaction_topic, "shop_transaction");
        assert_eq!(c.common.heartbeat_topic, "beats");
        let err = PostgresConfig::from_connector(&config(&[
            ("topic.prefix", "my shop"),
            ("topic.naming.strategy", "com.example.Custom"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("'topic.prefix' is 'my shop'"), "{err}");
        assert!(
            err.contains("'topic.naming.strategy' is 'com.example.Custom'"),
            "{err}"
        );
    }

    #[test]
    fn custom_converters_are_refused_by_name() {
        let err = PostgresConfig::from_connector(&config(&[
            ("converters", "isbn"),
            ("isbn.type", "com.example.IsbnConverter"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("'converters' lists 'isbn'"), "{err}");
    }

    #[test]
    fn legacy_server_name_and_truncate_mode_work() {
        let mut c = config(&[
            ("database.server.name", "legacy"),
            ("truncate.handling.mode", "include"),
        ]);
        c.props.remove("topic.prefix");
        let c = PostgresConfig::from_connector(&c).unwrap();
        assert_eq!(c.common.topic_prefix, "legacy");
        assert!(c.emit_truncate);
        let none =
            PostgresConfig::from_connector(&config(&[("skipped.operations", "none")])).unwrap();
        assert!(none.emit_truncate);
    }

    #[test]
    fn weaker_snapshot_isolation_is_refused_by_name() {
        for ok in ["serializable", "repeatable_read"] {
            PostgresConfig::from_connector(&config(&[("snapshot.isolation.mode", ok)])).unwrap();
        }
        let err = PostgresConfig::from_connector(&config(&[(
            "snapshot.isolation.mode",
            "read_committed",
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("snapshot.isolation.mode=read_committed")
                && err.contains("repeatable_read"),
            "{err}"
        );
    }

    #[test]
    fn wrong_values_name_the_key() {
        let err = PostgresConfig::from_connector(&config(&[("snapshot.mode", "sometimes")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'snapshot.mode'") && err.contains("when_needed"),
            "{err}"
        );
        let err = PostgresConfig::from_connector(&config(&[("plugin.name", "decoderbufs")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("pgoutput"), "{err}");
        let err = PostgresConfig::from_connector(&config(&[("slot.name", "Bad-Slot")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'slot.name'"), "{err}");
        let err = PostgresConfig::from_connector(&config(&[("max.queue.size", "10")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'max.queue.size'"), "{err}");
    }
}
