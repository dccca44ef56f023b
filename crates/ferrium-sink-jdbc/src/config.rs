//! The JDBC sink's options, with the names, defaults and meanings of Debezium's
//! `JdbcSinkConnectorConfig`, read into typed settings; every problem is reported at
//! once, each naming its option.

use std::time::Duration;

use ferrium_config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType as T, ConnectorConfig, JdbcUrl, Validated,
};
use regex::Regex;

pub const CONNECTOR_CLASS: &str = "io.debezium.connector.jdbc.JdbcSinkConnector";

/// Debezium's default naming strategy replaces `.` with `_`; the pass-through one keeps
/// the resolved name as it is.
const DEFAULT_NAMING: &str = "io.debezium.sink.naming.DefaultCollectionNamingStrategy";
const LEGACY_DEFAULT_NAMING: &str = "io.debezium.connector.jdbc.naming.DefaultTableNamingStrategy";
const PASSTHROUGH_NAMING: &str = "io.debezium.sink.naming.PassthroughCollectionNamingStrategy";
const DEFAULT_COLUMN_NAMING: &str = "io.debezium.connector.jdbc.naming.DefaultColumnNamingStrategy";

/// The offsets table's default name: in the target database, beside the read model.
pub const DEFAULT_OFFSETS_TABLE: &str = "__ferrium_sink_offsets";

const KEYS: &[ConfigKey] = &[
    ConfigKey::new("connector.class", T::String, "the connector class").required(),
    ConfigKey::new("tasks.max", T::Int, "only 1 task is used").default("1"),
    ConfigKey::new("topics", T::List, "the topics to read"),
    ConfigKey::new("topics.regex", T::String, "a regex of the topics to read"),
    ConfigKey::new(
        "connection.url",
        T::String,
        "the JDBC URL of the target database",
    )
    .required(),
    ConfigKey::new("connection.username", T::String, "the target database user").required(),
    ConfigKey::new(
        "connection.password",
        T::Password,
        "the target database password",
    ),
    ConfigKey::new(
        "connection.pool.min_size",
        T::Int,
        "accepted; Ferrium writes through one connection per task",
    )
    .default("5"),
    ConfigKey::new(
        "connection.pool.max_size",
        T::Int,
        "accepted; Ferrium writes through one connection per task",
    )
    .default("32"),
    ConfigKey::new(
        "connection.pool.timeout",
        T::Int,
        "seconds to wait for a connection",
    )
    .default("1800"),
    ConfigKey::new(
        "insert.mode",
        T::Enum(&["insert", "upsert", "update"]),
        "how a change is written",
    )
    .default("insert"),
    ConfigKey::new("delete.enabled", T::Boolean, "apply deletes and tombstones").default("false"),
    ConfigKey::new("truncate.enabled", T::Boolean, "apply truncate events").default("false"),
    ConfigKey::new(
        "primary.key.mode",
        T::Enum(&[
            "none",
            "kafka",
            "record_key",
            "record_value",
            "record_header",
        ]),
        "where the primary key comes from",
    )
    .default("none"),
    ConfigKey::new("primary.key.fields", T::List, "the primary key's fields"),
    ConfigKey::new(
        "schema.evolution",
        T::Enum(&["none", "validate-only", "basic"]),
        "create tables and add columns from record schemas (basic)",
    )
    .default("none"),
    ConfigKey::new(
        "collection.name.format",
        T::String,
        "the table name, with ${topic} and ${source.<field>}",
    )
    .default("${topic}")
    .legacy("table.name.format"),
    ConfigKey::new(
        "collection.naming.strategy",
        T::String,
        "how a resolved name becomes a table name",
    )
    .default(DEFAULT_NAMING)
    .legacy("table.naming.strategy"),
    ConfigKey::new(
        "column.naming.strategy",
        T::String,
        "how a field name becomes a column name",
    )
    .default(DEFAULT_COLUMN_NAMING),
    ConfigKey::new(
        "quote.identifiers",
        T::Boolean,
        "quote table and column names",
    )
    .default("false"),
    ConfigKey::new(
        "use.time.zone",
        T::String,
        "the time zone of temporal values without one",
    )
    .default("UTC")
    .legacy("database.time_zone"),
    ConfigKey::new("batch.size", T::Int, "records per write").default("500"),
    ConfigKey::new(
        "use.reduction.buffer",
        T::Boolean,
        "keep only the last change per key within a batch",
    )
    .default("false"),
    ConfigKey::new(
        "field.include.list",
        T::List,
        "fields to write (regex on field or topic:field)",
    ),
    ConfigKey::new(
        "field.exclude.list",
        T::List,
        "fields not to write (regex on field or topic:field)",
    ),
    ConfigKey::new("flush.max.retries", T::Int, "retries of a failed write").default("5"),
    ConfigKey::new(
        "flush.retry.delay.ms",
        T::Long,
        "wait between write retries",
    )
    .default("1000"),
    ConfigKey::new(
        "ferrium.offsets.table",
        T::String,
        "the table in the target database that holds the applied Kafka offsets",
    )
    .default(DEFAULT_OFFSETS_TABLE),
    ConfigKey::new(
        "ferrium.upsert.guard.field",
        T::String,
        "a column whose value must not decrease: an older event never overwrites a newer row",
    ),
    ConfigKey::new(
        "ferrium.flush.interval.ms",
        T::Long,
        "the longest a partial batch waits before it is written",
    )
    .default("100"),
];

/// Options Debezium's sink has that Ferrium does not implement, with why.
const REFUSED: &[(&str, &str)] = &[
    (
        "hibernate.",
        "Ferrium writes through native drivers, not Hibernate; remove the hibernate.* options",
    ),
    (
        "dialect.",
        "the dialect follows the connection.url; remove the dialect.* options",
    ),
    (
        "errors.deadletterqueue.",
        "a dead letter queue is not implemented for the JDBC sink; remove errors.deadletterqueue.* (failing records stop the connector)",
    ),
    (
        "connection.provider",
        "Ferrium has one connection provider; remove connection.provider",
    ),
    (
        "postgres.postgis.schema",
        "PostGIS types are not written by this sink; remove postgres.postgis.schema",
    ),
    (
        "column.naming.strategy.",
        "only the default column naming strategy is implemented",
    ),
];

pub const DEF: ConfigDef = ConfigDef {
    keys: KEYS,
    shared: &[],
    passthrough_prefixes: &[
        "transforms",
        "predicates",
        "key.converter",
        "value.converter",
        "header.converter",
        "consumer.override.",
        "errors.",
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertMode {
    Insert,
    Upsert,
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryKeyMode {
    None,
    Kafka,
    RecordKey,
    RecordValue,
    RecordHeader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaEvolution {
    None,
    ValidateOnly,
    Basic,
}

/// Which topics the sink reads.
#[derive(Debug, Clone)]
pub enum Topics {
    List(Vec<String>),
    Regex(Regex),
}

impl Topics {
    pub fn matches(&self, topic: &str) -> bool {
        match self {
            Topics::List(list) => list.iter().any(|t| t == topic),
            Topics::Regex(regex) => regex.is_match(topic),
        }
    }
}

/// A field filter of `field.include.list`/`field.exclude.list`: a regex that matches
/// `field` or `topic:field`, as Debezium's `FieldFilterFactory`.
#[derive(Debug, Clone)]
pub struct FieldFilter {
    include: bool,
    patterns: Vec<Regex>,
}

impl FieldFilter {
    pub fn keeps(&self, topic: &str, field: &str) -> bool {
        let qualified = format!("{topic}:{field}");
        let hit = self
            .patterns
            .iter()
            .any(|p| p.is_match(field) || p.is_match(&qualified));
        hit == self.include
    }
}

/// The sink's settings, checked.
#[derive(Debug, Clone)]
pub struct JdbcSinkConfig {
    pub name: String,
    pub url: JdbcUrl,
    pub username: String,
    pub password: Option<String>,
    pub topics: Topics,
    pub insert_mode: InsertMode,
    pub delete_enabled: bool,
    pub truncate_enabled: bool,
    pub primary_key_mode: PrimaryKeyMode,
    pub primary_key_fields: Vec<String>,
    pub schema_evolution: SchemaEvolution,
    pub collection_name_format: String,
    /// Debezium's default strategy: `.` becomes `_` in the resolved table name.
    pub sanitize_names: bool,
    pub quote_identifiers: bool,
    pub time_zone: String,
    pub batch_size: usize,
    pub use_reduction_buffer: bool,
    pub field_filter: Option<FieldFilter>,
    pub flush_max_retries: u32,
    pub flush_retry_delay: Duration,
    pub connect_timeout: Duration,
    pub offsets_table: String,
    pub guard_field: Option<String>,
    pub flush_interval: Duration,
}

fn choice<E: Copy>(v: &Validated, key: &str, table: &[(&str, E)]) -> E {
    let chosen = v.choice(key);
    table
        .iter()
        .find(|(name, _)| *name == chosen)
        .map(|(_, e)| *e)
        .unwrap_or(table[0].1)
}

impl JdbcSinkConfig {
    pub fn from_connector(config: &ConnectorConfig) -> Result<JdbcSinkConfig, ConfigError> {
        let v = DEF.validate(config)?;
        let mut problems = Vec::new();
        for key in config.props.keys() {
            if let Some((prefix, why)) = REFUSED.iter().find(|(p, _)| key.starts_with(p)) {
                let _ = prefix;
                problems.push(format!("option '{key}' is not supported: {why}"));
            }
        }
        if v.i64("tasks.max").unwrap_or(1) != 1 {
            problems.push(
                "option 'tasks.max' must be 1: a Ferrium sink connector runs one task, which reads every partition".into(),
            );
        }
        let url = match JdbcUrl::parse(v.str_or_empty("connection.url")) {
            Ok(url) => Some(url),
            Err(e) => {
                problems.push(format!("option 'connection.url': {e}"));
                None
            }
        };
        let topics = match (v.list("topics"), v.string("topics.regex")) {
            (list, None) if !list.is_empty() => Some(Topics::List(list)),
            (list, Some(regex)) if list.is_empty() => match Regex::new(&format!("^(?:{regex})$")) {
                Ok(r) => Some(Topics::Regex(r)),
                Err(e) => {
                    problems.push(format!("option 'topics.regex' is not a valid regex: {e}"));
                    None
                }
            },
            (list, Some(_)) if !list.is_empty() => {
                problems.push(
                    "options 'topics' and 'topics.regex' are both set; set exactly one".into(),
                );
                None
            }
            _ => {
                problems.push(
                    "option 'topics' or 'topics.regex' must be set: the topics the sink reads"
                        .into(),
                );
                None
            }
        };
        let insert_mode = choice(
            &v,
            "insert.mode",
            &[
                ("insert", InsertMode::Insert),
                ("upsert", InsertMode::Upsert),
                ("update", InsertMode::Update),
            ],
        );
        let primary_key_mode = choice(
            &v,
            "primary.key.mode",
            &[
                ("none", PrimaryKeyMode::None),
                ("kafka", PrimaryKeyMode::Kafka),
                ("record_key", PrimaryKeyMode::RecordKey),
                ("record_value", PrimaryKeyMode::RecordValue),
                ("record_header", PrimaryKeyMode::RecordHeader),
            ],
        );
        let schema_evolution = choice(
            &v,
            "schema.evolution",
            &[
                ("none", SchemaEvolution::None),
                ("validate-only", SchemaEvolution::ValidateOnly),
                ("basic", SchemaEvolution::Basic),
            ],
        );
        let delete_enabled = v.bool("delete.enabled");
        if insert_mode != InsertMode::Insert && primary_key_mode == PrimaryKeyMode::None {
            problems.push(format!(
                "option 'insert.mode' is '{}', which needs a primary key: set 'primary.key.mode' to record_key, record_value, record_header or kafka",
                v.choice("insert.mode")
            ));
        }
        if delete_enabled
            && !matches!(
                primary_key_mode,
                PrimaryKeyMode::RecordKey
                    | PrimaryKeyMode::RecordValue
                    | PrimaryKeyMode::RecordHeader
            )
        {
            problems.push("option 'delete.enabled' is true, which needs 'primary.key.mode' record_key, record_value or record_header to find the row to delete".into());
        }
        let sanitize_names = match v.str_or_empty("collection.naming.strategy") {
            DEFAULT_NAMING | LEGACY_DEFAULT_NAMING => true,
            PASSTHROUGH_NAMING => false,
            other => {
                problems.push(format!(
                    "option 'collection.naming.strategy' is '{other}', which Ferrium does not have; use {DEFAULT_NAMING} or {PASSTHROUGH_NAMING}"
                ));
                true
            }
        };
        if v.str_or_empty("column.naming.strategy") != DEFAULT_COLUMN_NAMING {
            problems.push(format!(
                "option 'column.naming.strategy' is '{}', which Ferrium does not have; only {DEFAULT_COLUMN_NAMING} (field names as they are)",
                v.str_or_empty("column.naming.strategy")
            ));
        }
        let time_zone = v.str_or_empty("use.time.zone").to_string();
        if !matches!(time_zone.as_str(), "UTC" | "Z" | "GMT" | "Etc/UTC") {
            problems.push(format!(
                "option 'use.time.zone' is '{time_zone}'; Ferrium writes temporal values in UTC only: remove the option or set it to UTC"
            ));
        }
        let field_filter = match (v.list("field.include.list"), v.list("field.exclude.list")) {
            (inc, exc) if !inc.is_empty() && !exc.is_empty() => {
                problems.push("options 'field.include.list' and 'field.exclude.list' are both set; set at most one".into());
                None
            }
            (inc, exc) if inc.is_empty() && exc.is_empty() => None,
            (inc, exc) => {
                let include = !inc.is_empty();
                let key = if include {
                    "field.include.list"
                } else {
                    "field.exclude.list"
                };
                let patterns = if include { inc } else { exc }
                    .iter()
                    .filter_map(|p| match Regex::new(&format!("^(?:{p})$")) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            problems
                                .push(format!("option '{key}': '{p}' is not a valid regex: {e}"));
                            None
                        }
                    })
                    .collect();
                Some(FieldFilter { include, patterns })
            }
        };
        let positive = |key: &str, problems: &mut Vec<String>| -> i64 {
            match v.i64(key) {
                Some(n) if n > 0 => n,
                _ => {
                    problems.push(format!("option '{key}' must be a positive integer"));
                    1
                }
            }
        };
        let batch_size = positive("batch.size", &mut problems) as usize;
        let flush_interval = positive("ferrium.flush.interval.ms", &mut problems) as u64;
        let connect_timeout = positive("connection.pool.timeout", &mut problems) as u64;
        let flush_max_retries = v.i64("flush.max.retries").unwrap_or(5).max(0) as u32;
        let flush_retry_delay = v.i64("flush.retry.delay.ms").unwrap_or(1000).max(0) as u64;
        let offsets_table = v.str_or_empty("ferrium.offsets.table").to_string();
        if offsets_table.is_empty() || offsets_table.contains(['"', '`', '\0']) {
            problems
                .push("option 'ferrium.offsets.table' must be a table name without quotes".into());
        }
        let password = v
            .string("connection.password")
            .map(str::to_string)
            .or_else(|| url.as_ref().and_then(|u| u.params.get("password").cloned()));
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        let (Some(url), Some(topics)) = (url, topics) else {
            return Err(ConfigError::Invalid(vec!["invalid configuration".into()]));
        };
        Ok(JdbcSinkConfig {
            name: config.name.clone(),
            url,
            username: v.str_or_empty("connection.username").to_string(),
            password,
            topics,
            insert_mode,
            delete_enabled,
            truncate_enabled: v.bool("truncate.enabled"),
            primary_key_mode,
            primary_key_fields: v.list("primary.key.fields"),
            schema_evolution,
            collection_name_format: v.str_or_empty("collection.name.format").to_string(),
            sanitize_names,
            quote_identifiers: v.bool("quote.identifiers"),
            time_zone,
            batch_size,
            use_reduction_buffer: v.bool("use.reduction.buffer"),
            field_filter,
            flush_max_retries,
            flush_retry_delay: Duration::from_millis(flush_retry_delay),
            connect_timeout: Duration::from_secs(connect_timeout.min(60)),
            offsets_table,
            guard_field: v.string("ferrium.upsert.guard.field").map(str::to_string),
            flush_interval: Duration::from_millis(flush_interval),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        let mut props: std::collections::BTreeMap<String, String> = [
            ("connector.class", CONNECTOR_CLASS),
            ("connection.url", "jdbc:postgresql://127.0.0.1:5432/reads"),
            ("connection.username", "postgres"),
            ("topics", "shop.public.orders"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in pairs {
            if v.is_empty() {
                props.remove(*k);
            } else {
                props.insert(k.to_string(), v.to_string());
            }
        }
        ConnectorConfig {
            name: "sink".into(),
            props,
        }
    }

    fn problems(pairs: &[(&str, &str)]) -> String {
        match JdbcSinkConfig::from_connector(&config(pairs)) {
            Err(ConfigError::Invalid(p)) => p.join("\n"),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn debezium_defaults() {
        let c = JdbcSinkConfig::from_connector(&config(&[])).unwrap();
        assert_eq!(c.insert_mode, InsertMode::Insert);
        assert_eq!(c.primary_key_mode, PrimaryKeyMode::None);
        assert_eq!(c.schema_evolution, SchemaEvolution::None);
        assert!(!c.delete_enabled && !c.truncate_enabled && !c.quote_identifiers);
        assert_eq!(
            (c.batch_size, c.collection_name_format.as_str()),
            (500, "${topic}")
        );
        assert!(c.sanitize_names);
        assert_eq!(c.offsets_table, DEFAULT_OFFSETS_TABLE);
        let c = JdbcSinkConfig::from_connector(&config(&[("table.name.format", "t_${topic}")]))
            .unwrap();
        assert_eq!(c.collection_name_format, "t_${topic}");
    }

    #[test]
    fn cross_option_rules_name_the_fix() {
        assert!(problems(&[("insert.mode", "upsert")]).contains("'primary.key.mode'"));
        assert!(
            problems(&[("delete.enabled", "true"), ("primary.key.mode", "kafka")])
                .contains("'delete.enabled'")
        );
        assert!(problems(&[("topics", "")]).contains("'topics' or 'topics.regex'"));
        assert!(problems(&[("topics.regex", "a.*")]).contains("both set"));
        assert!(problems(&[("hibernate.c3p0.max_size", "4")]).contains("'hibernate.c3p0.max_size'"));
        assert!(problems(&[("use.time.zone", "Europe/Paris")]).contains("UTC"));
        assert!(problems(&[("connection.url", "jdbc:oracle://h/db")]).contains("'connection.url'"));
    }

    #[test]
    fn field_filters_match_field_or_topic_field() {
        let c = JdbcSinkConfig::from_connector(&config(&[(
            "field.exclude.list",
            "secret,shop.public.orders:note",
        )]))
        .unwrap();
        let f = c.field_filter.unwrap();
        assert!(!f.keeps("t", "secret"));
        assert!(!f.keeps("shop.public.orders", "note"));
        assert!(f.keeps("other", "note"));
    }
}
