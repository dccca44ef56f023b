//! The MySQL/MariaDB connector's options: Debezium's names, defaults and values,
//! including the legacy `database.history.*` names configs written for Debezium 1.x use.

use std::time::Duration;

use ferrium_config::relational::{CommonSettings, COMMON_KEYS};
use ferrium_config::signal::{SIGNAL_CONSUMER_PREFIX, SIGNAL_KEYS};
use ferrium_config::{ConfigDef, ConfigError, ConfigKey, ConfigType as T, ConnectorConfig};

use crate::filters::Filters;
use crate::types::{BigintUnsignedMode, BinaryMode, DecimalMode, TimePrecisionMode, TypeOptions};
use ferrium_tls::MysqlTls;

const KEYS: &[ConfigKey] = &[
    ConfigKey::new(
        "connector.class",
        T::String,
        "io.debezium.connector.mysql.MySqlConnector or io.debezium.connector.mariadb.MariaDbConnector",
    ),
    ConfigKey::new("database.hostname", T::String, "the MySQL/MariaDB host").required(),
    ConfigKey::new("database.port", T::Int, "the MySQL/MariaDB port").default("3306"),
    ConfigKey::new(
        "database.user",
        T::String,
        "a user with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT",
    )
    .required(),
    ConfigKey::new("database.password", T::Password, "the user's password").default(""),
    ConfigKey::new(
        "database.server.id",
        T::Long,
        "the replica id Ferrium uses; unique among the server's replicas",
    )
    .required(),
    ConfigKey::new(
        "database.ssl.mode",
        T::String,
        "TLS to the server: MySqlConnector disabled, preferred (default), required, verify_ca, verify_identity; MariaDbConnector disable (default), trust, verify-ca, verify-full",
    ),
    ConfigKey::new(
        "database.ssl.truststore",
        T::String,
        "the CA certificates the server is checked against: a PKCS12 store, or a PEM file",
    ),
    ConfigKey::new(
        "database.ssl.truststore.password",
        T::Password,
        "the trust store's password",
    ),
    ConfigKey::new(
        "database.ssl.keystore",
        T::String,
        "the client certificate and key: a PKCS12 store, or a PEM file holding both",
    ),
    ConfigKey::new(
        "database.ssl.keystore.password",
        T::Password,
        "the key store's password",
    ),
    ConfigKey::new(
        "connect.timeout.ms",
        T::Int,
        "connection timeout",
    )
    .default("30000"),
    ConfigKey::new(
        "database.include.list",
        T::List,
        "databases to capture (regexes)",
    )
    .legacy("database.whitelist"),
    ConfigKey::new(
        "database.exclude.list",
        T::List,
        "databases not to capture (regexes)",
    )
    .legacy("database.blacklist"),
    ConfigKey::new(
        "table.include.list",
        T::List,
        "tables to capture, db.table regexes",
    )
    .legacy("table.whitelist"),
    ConfigKey::new(
        "table.exclude.list",
        T::List,
        "tables not to capture, db.table regexes",
    )
    .legacy("table.blacklist"),
    ConfigKey::new(
        "column.include.list",
        T::List,
        "columns to capture, db.table.column regexes",
    ),
    ConfigKey::new(
        "column.exclude.list",
        T::List,
        "columns not to capture, db.table.column regexes",
    )
    .legacy("column.blacklist"),
    ConfigKey::new(
        "snapshot.mode",
        T::Enum(&[
            "initial",
            "initial_only",
            "no_data",
            "schema_only",
            "never",
            "when_needed",
        ]),
        "when to take a snapshot",
    )
    .default("initial"),
    ConfigKey::new(
        "snapshot.max.threads",
        T::Int,
        "connections reading the snapshot (1: parallel snapshots are PostgreSQL-only so far)",
    )
    .default("1"),
    ConfigKey::new(
        "snapshot.locking.mode",
        T::Enum(&["minimal", "none"]),
        "locks held while the snapshot reads the binlog position and the schemas",
    )
    .default("minimal"),
    ConfigKey::new(
        "include.schema.changes",
        T::Boolean,
        "emit DDL as schema change events on the <topic.prefix> topic",
    )
    .default("true"),
    ConfigKey::new(
        "include.query",
        T::Boolean,
        "put the original SQL in source.query (needs binlog_annotate_row_events / binlog_rows_query_log_events)",
    )
    .default("false"),
    ConfigKey::new(
        "schema.history.internal",
        T::String,
        "the schema history store class (Kafka or file)",
    )
    .legacy("database.history"),
    ConfigKey::new(
        "schema.history.internal.kafka.topic",
        T::String,
        "the schema history topic",
    )
    .legacy("database.history.kafka.topic"),
    ConfigKey::new(
        "schema.history.internal.kafka.bootstrap.servers",
        T::String,
        "the brokers of the schema history topic",
    )
    .legacy("database.history.kafka.bootstrap.servers"),
    ConfigKey::new(
        "schema.history.internal.file.filename",
        T::String,
        "the schema history file",
    )
    .legacy("database.history.file.filename"),
    ConfigKey::new(
        "schema.history.internal.skip.unparseable.ddl",
        T::Boolean,
        "skip DDL statements Ferrium cannot parse instead of failing",
    )
    .legacy("database.history.skip.unparseable.ddl")
    .default("false"),
    ConfigKey::new(
        "schema.history.internal.store.only.captured.tables.ddl",
        T::Boolean,
        "store only the DDL of captured tables",
    )
    .legacy("database.history.store.only.captured.tables.ddl")
    .default("false"),
    ConfigKey::new(
        "decimal.handling.mode",
        T::Enum(&["precise", "double", "string"]),
        "DECIMAL representation",
    )
    .default("precise"),
    ConfigKey::new(
        "time.precision.mode",
        T::Enum(&[
            "adaptive_time_microseconds",
            "connect",
            "isostring",
            "microseconds",
            "nanoseconds",
        ]),
        "temporal representation",
    )
    .default("adaptive_time_microseconds"),
    ConfigKey::new(
        "bigint.unsigned.handling.mode",
        T::Enum(&["long", "precise"]),
        "BIGINT UNSIGNED representation",
    )
    .default("long"),
    ConfigKey::new(
        "binary.handling.mode",
        T::Enum(&["bytes", "base64", "base64-url-safe", "hex"]),
        "BINARY/BLOB representation",
    )
    .default("bytes"),
    ConfigKey::new(
        "enable.time.adjuster",
        T::Boolean,
        "read two-digit years as 1970-2069",
    )
    .default("true"),
    ConfigKey::new(
        "inconsistent.schema.handling.mode",
        T::Enum(&["fail", "warn", "skip"]),
        "what to do with rows of a table the schema history does not know",
    )
    .default("fail"),
    ConfigKey::new(
        "event.deserialization.failure.handling.mode",
        T::Enum(&["fail", "warn", "skip", "ignore"]),
        "what to do with a binlog event that cannot be decoded",
    )
    .default("fail"),
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
        // Client settings of the history topic's producer and consumer.
        "schema.history.internal.",
        "database.history.",
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    Initial,
    InitialOnly,
    /// Schemas only: record the tables' DDL, then stream (`no_data`, was `schema_only`).
    NoData,
    /// Stream from wherever the binlog is; no schema read at all.
    Never,
    WhenNeeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockingMode {
    Minimal,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InconsistentSchemaMode {
    Fail,
    Warn,
    Skip,
}

/// Where the schema history is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryLocation {
    Kafka {
        topic: String,
        /// `None`: the worker's `bootstrap.servers`.
        bootstrap_servers: Option<String>,
    },
    File(String),
    /// Not configured: the runtime picks (Kafka with a Kafka worker, else a file).
    Default,
}

/// The validated, typed configuration.
#[derive(Debug, Clone)]
pub struct MysqlConfig {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub server_id: u32,
    /// `database.ssl.mode` and its stores, checked and read.
    pub tls: MysqlTls,
    pub connect_timeout: Duration,
    /// The options every relational connector shares.
    pub common: CommonSettings,
    pub filters: Filters,
    pub snapshot_mode: SnapshotMode,
    pub locking_mode: LockingMode,
    pub include_schema_changes: bool,
    pub include_query: bool,
    pub history: HistoryLocation,
    pub skip_unparseable_ddl: bool,
    pub store_only_captured_tables_ddl: bool,
    pub types: TypeOptions,
    pub inconsistent_schema: InconsistentSchemaMode,
}

impl MysqlConfig {
    pub fn from_connector(config: &ConnectorConfig) -> Result<Self, ConfigError> {
        let v = DEF.validate(config)?;
        let mut problems = Vec::new();
        let common = CommonSettings::read(
            &v,
            ferrium_config::topic_naming::DEFAULT_STRATEGY,
            &mut problems,
        );
        let port = match v.i64("database.port") {
            Some(p) if (1..=65535).contains(&p) => p as u16,
            _ => {
                problems.push("option 'database.port' must be between 1 and 65535".into());
                3306
            }
        };
        let server_id = match v.i64("database.server.id") {
            Some(id) if (1..=u32::MAX as i64).contains(&id) => id as u32,
            _ => {
                problems.push(
                    "option 'database.server.id' must be an integer between 1 and 4294967295, unique among the server's replicas"
                        .into(),
                );
                0
            }
        };
        let mariadb_class =
            config.get("connector.class").map(str::trim) == Some(crate::MARIADB_CONNECTOR_CLASS);
        let tls = crate::tls::read(&v, mariadb_class, &mut problems);
        let filters = match Filters::from_config(&v) {
            Ok(f) => Some(f),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        let history = match history_location(&v) {
            Ok(h) => h,
            Err(e) => {
                problems.push(e);
                HistoryLocation::Default
            }
        };
        let types = TypeOptions {
            decimal: match v.choice("decimal.handling.mode").as_str() {
                "double" => DecimalMode::Double,
                "string" => DecimalMode::String,
                _ => DecimalMode::Precise,
            },
            time: match v.choice("time.precision.mode").as_str() {
                "connect" => TimePrecisionMode::Connect,
                "isostring" => TimePrecisionMode::IsoString,
                "microseconds" => TimePrecisionMode::Microseconds,
                "nanoseconds" => TimePrecisionMode::Nanoseconds,
                _ => TimePrecisionMode::AdaptiveTimeMicroseconds,
            },
            bigint_unsigned: match v.choice("bigint.unsigned.handling.mode").as_str() {
                "precise" => BigintUnsignedMode::Precise,
                _ => BigintUnsignedMode::Long,
            },
            binary: match v.choice("binary.handling.mode").as_str() {
                "base64" => BinaryMode::Base64,
                "base64-url-safe" => BinaryMode::Base64UrlSafe,
                "hex" => BinaryMode::Hex,
                _ => BinaryMode::Bytes,
            },
            time_adjuster: v.bool("enable.time.adjuster"),
            mariadb: false,
            tinyint_to_boolean: crate::types::custom_converters::read(&v, &mut problems),
        };
        let on_bad_event = v.choice("event.deserialization.failure.handling.mode");
        if on_bad_event != "fail" {
            problems.push(format!("option 'event.deserialization.failure.handling.mode={on_bad_event}' is not supported: an event Ferrium cannot decode always stops the connector, so no change is skipped unseen; leave it 'fail' (the default)"));
        }
        if v.i64("snapshot.max.threads") != Some(1) {
            problems.push("option 'snapshot.max.threads' must be 1 on MySQL/MariaDB: Ferrium reads their snapshot on one connection (parallel, chunked snapshots are implemented for PostgreSQL so far)".into());
        }
        let ms = |key: &str| Duration::from_millis(v.i64(key).unwrap_or(0).max(0) as u64);
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(MysqlConfig {
            name: config.name.clone(),
            host: v.str_or_empty("database.hostname").to_string(),
            port,
            user: v.str_or_empty("database.user").to_string(),
            password: v.str_or_empty("database.password").to_string(),
            server_id,
            tls,
            connect_timeout: ms("connect.timeout.ms").max(Duration::from_millis(100)),
            filters: filters.unwrap_or_default(),
            snapshot_mode: match v.choice("snapshot.mode").as_str() {
                "initial_only" => SnapshotMode::InitialOnly,
                "no_data" | "schema_only" => SnapshotMode::NoData,
                "never" => SnapshotMode::Never,
                "when_needed" => SnapshotMode::WhenNeeded,
                _ => SnapshotMode::Initial,
            },
            locking_mode: match v.choice("snapshot.locking.mode").as_str() {
                "none" => LockingMode::None,
                _ => LockingMode::Minimal,
            },
            include_schema_changes: v.bool("include.schema.changes"),
            include_query: v.bool("include.query"),
            history,
            skip_unparseable_ddl: v.bool("schema.history.internal.skip.unparseable.ddl"),
            store_only_captured_tables_ddl: v
                .bool("schema.history.internal.store.only.captured.tables.ddl"),
            types,
            inconsistent_schema: match v.choice("inconsistent.schema.handling.mode").as_str() {
                "warn" => InconsistentSchemaMode::Warn,
                "skip" => InconsistentSchemaMode::Skip,
                _ => InconsistentSchemaMode::Fail,
            },
            common,
        })
    }
}

const KAFKA_HISTORY: &[&str] = &[
    "io.debezium.storage.kafka.history.KafkaSchemaHistory",
    "io.debezium.relational.history.KafkaDatabaseHistory",
];
const FILE_HISTORY: &[&str] = &[
    "io.debezium.storage.file.history.FileSchemaHistory",
    "io.debezium.relational.history.FileDatabaseHistory",
];

fn history_location(v: &ferrium_config::Validated) -> Result<HistoryLocation, String> {
    let class = v.string("schema.history.internal").map(str::trim);
    let topic = v
        .string("schema.history.internal.kafka.topic")
        .filter(|t| !t.is_empty());
    let servers = v
        .string("schema.history.internal.kafka.bootstrap.servers")
        .filter(|s| !s.is_empty());
    let file = v
        .string("schema.history.internal.file.filename")
        .filter(|f| !f.is_empty());
    match class {
        Some(c) if FILE_HISTORY.contains(&c) => match file {
            Some(f) => Ok(HistoryLocation::File(f.to_string())),
            None => Err(format!("option 'schema.history.internal' is {c}, which needs 'schema.history.internal.file.filename'")),
        },
        Some(c) if KAFKA_HISTORY.contains(&c) || c.is_empty() => kafka_or_default(topic, servers, file),
        None => kafka_or_default(topic, servers, file),
        Some(c) => Err(format!(
            "option 'schema.history.internal' is '{c}', which Ferrium does not support: use {} (with schema.history.internal.kafka.topic) or {} (with schema.history.internal.file.filename)",
            KAFKA_HISTORY[0], FILE_HISTORY[0]
        )),
    }
}

fn kafka_or_default(
    topic: Option<&str>,
    servers: Option<&str>,
    file: Option<&str>,
) -> Result<HistoryLocation, String> {
    match (topic, file) {
        (Some(topic), _) => Ok(HistoryLocation::Kafka {
            topic: topic.to_string(),
            bootstrap_servers: servers.map(str::to_string),
        }),
        (None, Some(file)) => Ok(HistoryLocation::File(file.to_string())),
        (None, None) => {
            if servers.is_some() {
                Err("option 'schema.history.internal.kafka.bootstrap.servers' is set but 'schema.history.internal.kafka.topic' is not: name the schema history topic".into())
            } else {
                Ok(HistoryLocation::Default)
            }
        }
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
                "io.debezium.connector.mysql.MySqlConnector",
            ),
            ("database.hostname", "127.0.0.1"),
            ("database.user", "debezium"),
            ("database.server.id", "184054"),
            ("topic.prefix", "dbserver1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            props.insert(k.to_string(), v.to_string());
        }
        ConnectorConfig {
            name: "mysql".into(),
            props,
        }
    }

    #[test]
    fn skipping_undecodable_events_is_refused_by_name() {
        let err = MysqlConfig::from_connector(&config(&[(
            "event.deserialization.failure.handling.mode",
            "warn",
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("event.deserialization.failure.handling.mode=warn"),
            "{err}"
        );
    }

    #[test]
    fn parallel_snapshot_threads_are_refused_by_name() {
        let err = MysqlConfig::from_connector(&config(&[("snapshot.max.threads", "4")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'snapshot.max.threads' must be 1"), "{err}");
        MysqlConfig::from_connector(&config(&[("snapshot.max.threads", "1")])).unwrap();
    }

    #[test]
    fn debezium_defaults_apply() {
        let c = MysqlConfig::from_connector(&config(&[])).unwrap();
        assert_eq!(c.port, 3306);
        assert_eq!(c.server_id, 184054);
        assert_eq!(c.snapshot_mode, SnapshotMode::Initial);
        assert_eq!(c.locking_mode, LockingMode::Minimal);
        assert!(c.include_schema_changes);
        assert!(!c.include_query);
        assert!(c.common.tombstones_on_delete);
        assert_eq!(c.history, HistoryLocation::Default);
        assert_eq!(c.common.heartbeat_topic, "__debezium-heartbeat.dbserver1");
        assert_eq!(c.types.time, TimePrecisionMode::AdaptiveTimeMicroseconds);
        assert_eq!(c.types.bigint_unsigned, BigintUnsignedMode::Long);
    }

    #[test]
    fn the_issue_example_with_legacy_history_names_parses() {
        let mut c = config(&[
            ("database.server.name", "dbserver1"),
            ("database.include.list", "inventory"),
            ("database.history.kafka.bootstrap.servers", "127.0.0.1:9092"),
            ("database.history.kafka.topic", "dbhistory.inventory"),
            ("database.password", "password"),
        ]);
        c.props.remove("topic.prefix");
        let c = MysqlConfig::from_connector(&c).unwrap();
        assert_eq!(c.common.topic_prefix, "dbserver1");
        assert_eq!(
            c.history,
            HistoryLocation::Kafka {
                topic: "dbhistory.inventory".into(),
                bootstrap_servers: Some("127.0.0.1:9092".into())
            }
        );
        assert!(c.filters.captures_database("inventory"));
        assert!(!c.filters.captures_database("other"));
    }

    #[test]
    fn file_history_and_bad_values_are_reported_by_key() {
        let c = MysqlConfig::from_connector(&config(&[
            (
                "schema.history.internal",
                "io.debezium.storage.file.history.FileSchemaHistory",
            ),
            ("schema.history.internal.file.filename", "/tmp/h.dat"),
        ]))
        .unwrap();
        assert_eq!(c.history, HistoryLocation::File("/tmp/h.dat".into()));
        let err = MysqlConfig::from_connector(&config(&[(
            "schema.history.internal",
            "io.debezium.storage.redis.history.RedisSchemaHistory",
        )]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("'schema.history.internal'"), "{err}");
        let err = MysqlConfig::from_connector(&config(&[("database.server.id", "0")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'database.server.id'"), "{err}");
        let mut missing = config(&[]);
        missing.props.remove("database.server.id");
        let err = MysqlConfig::from_connector(&missing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.server.id"), "{err}");
    }

    #[test]
    fn a_store_password_without_its_store_is_refused() {
        for store in ["database.ssl.truststore", "database.ssl.keystore"] {
            let key = format!("{store}.password");
            let err = MysqlConfig::from_connector(&config(&[(key.as_str(), "pw")]))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("'{store}.password' is set without '{store}'")),
                "{err}"
            );
        }
    }
}
