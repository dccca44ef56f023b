//! The options every Debezium relational connector shares (topic prefix, heartbeats,
//! transaction metadata, tombstones, skipped operations, batching, retries), with
//! Debezium's names and defaults, and the settings read from them. Each connector adds its
//! own keys; these are declared and checked once.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::signal::SignalSettings;
use crate::topic_naming::TopicNaming;
use crate::{ConfigKey, ConfigType as T, NamePatterns, Validated};

pub const COMMON_KEYS: &[ConfigKey] = &[
    ConfigKey::new(
        "topic.prefix",
        T::String,
        "the logical server name: topic prefix and offset partition",
    )
    .required()
    .legacy("database.server.name"),
    ConfigKey::new("snapshot.fetch.size", T::Int, "rows per snapshot fetch").default("10240"),
    ConfigKey::new(
        "heartbeat.interval.ms",
        T::Int,
        "heartbeat period; 0 disables",
    )
    .default("0"),
    ConfigKey::new(
        "topic.heartbeat.prefix",
        T::String,
        "heartbeat topic prefix",
    )
    .default("__debezium-heartbeat"),
    ConfigKey::new(
        "provide.transaction.metadata",
        T::Boolean,
        "emit BEGIN/END events and transaction blocks",
    )
    .default("false"),
    ConfigKey::new("topic.transaction", T::String, "transaction topic suffix")
        .default("transaction"),
    ConfigKey::new(
        "topic.delimiter",
        T::String,
        "the delimiter between topic name parts",
    )
    .default("."),
    ConfigKey::new(
        "topic.naming.strategy",
        T::String,
        "which name parts make a data change topic; the default depends on the connector",
    ),
    ConfigKey::new(
        "topic.heartbeat.name",
        T::String,
        "the full heartbeat topic name, overriding <topic.heartbeat.prefix>.<topic.prefix>",
    ),
    ConfigKey::new(
        "column.propagate.source.type",
        T::List,
        "regexes over <schema-or-db>.<table>.<column>: these columns' schemas carry the source type parameters",
    ),
    ConfigKey::new(
        "datatype.propagate.source.type",
        T::List,
        "regexes over <schema-or-db>.<table>.<type name>: columns of these types carry the source type parameters",
    ),
    ConfigKey::new(
        "snapshot.select.statement.overrides",
        T::List,
        "tables whose snapshot reads the SELECT given in snapshot.select.statement.overrides.<table>",
    ),
    ConfigKey::new(
        "converters",
        T::List,
        "Debezium custom converters by name, each with <name>.type",
    ),
    ConfigKey::new(
        "topic.cache.size",
        T::Int,
        "Debezium's topic name cache; Ferrium computes each table's topic once",
    )
    .default("10000"),
    ConfigKey::new(
        "tombstones.on.delete",
        T::Boolean,
        "emit a tombstone after each delete",
    )
    .default("true"),
    ConfigKey::new(
        "skipped.operations",
        T::List,
        "operations not emitted: c, u, d, t, or none",
    )
    .default("t"),
    ConfigKey::new("max.batch.size", T::Int, "records per batch").default("2048"),
    ConfigKey::new(
        "max.queue.size",
        T::Int,
        "records queued between source and sink",
    )
    .default("8192"),
    ConfigKey::new("poll.interval.ms", T::Int, "wait for new events when idle").default("500"),
    ConfigKey::new(
        "errors.max.retries",
        T::Int,
        "retries of retriable errors; -1 is unlimited",
    )
    .default("-1"),
    ConfigKey::new(
        "retriable.restart.connector.wait.ms",
        T::Int,
        "wait before restarting after a retriable error",
    )
    .default("10000"),
    ConfigKey::new("tasks.max", T::Int, "only 1 task is used").default("1"),
];

/// The settings [`COMMON_KEYS`] give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonSettings {
    pub topic_prefix: String,
    /// Data change topic names (and record schema names).
    pub naming: TopicNaming,
    pub snapshot_fetch_size: usize,
    pub heartbeat_interval: Option<Duration>,
    /// `topic.heartbeat.name`, else `<topic.heartbeat.prefix>.<topic.prefix>`
    pub heartbeat_topic: String,
    pub provide_transaction_metadata: bool,
    /// `<topic.prefix>.<topic.transaction>`
    pub transaction_topic: String,
    pub tombstones_on_delete: bool,
    /// `skipped.operations`, lower-cased.
    pub skipped: Vec<String>,
    pub max_batch_size: usize,
    pub max_queue_size: usize,
    pub errors_max_retries: i64,
    pub retriable_restart_wait: Duration,
    pub signals: SignalSettings,
    pub propagate: SourceTypePropagation,
    /// `snapshot.select.statement.overrides`: per table id (`schema.table` or
    /// `database.table`), the statement the initial snapshot reads instead of the table.
    pub select_overrides: BTreeMap<String, String>,
}

/// The key prefix of the per-table statements; connectors pass it through.
pub const SELECT_OVERRIDE_PREFIX: &str = "snapshot.select.statement.overrides.";

/// Reads `snapshot.select.statement.overrides` and the statement of each table it lists.
fn select_overrides(v: &Validated, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut overrides = BTreeMap::new();
    let listed = v.list("snapshot.select.statement.overrides");
    for table in listed.iter().cloned() {
        let key = format!("{SELECT_OVERRIDE_PREFIX}{table}");
        match v.raw.get(&key).map(str::trim) {
            Some(statement) if !statement.is_empty() => {
                overrides.insert(table, statement.to_string());
            }
            _ => problems.push(format!(
                "option 'snapshot.select.statement.overrides' lists '{table}', but '{key}' is not set: give the SELECT statement that reads it"
            )),
        }
    }
    for key in v.raw.props.keys() {
        if let Some(table) = key.strip_prefix(SELECT_OVERRIDE_PREFIX) {
            if !listed.iter().any(|l| l == table) {
                problems.push(format!(
                    "option '{key}' is set, but 'snapshot.select.statement.overrides' does not list '{table}': add it there, as Debezium requires, or remove the option"
                ));
            }
        }
    }
    overrides
}

/// `column.propagate.source.type` and `datatype.propagate.source.type`: which columns'
/// schemas carry Debezium's `__debezium.source.column.*` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTypePropagation {
    columns: NamePatterns,
    datatypes: NamePatterns,
}

impl SourceTypePropagation {
    fn read(v: &Validated, problems: &mut Vec<String>) -> Self {
        let mut patterns = |key: &str| {
            NamePatterns::from_config(v, key).unwrap_or_else(|e| {
                problems.push(e);
                NamePatterns::default()
            })
        };
        SourceTypePropagation {
            columns: patterns("column.propagate.source.type"),
            datatypes: patterns("datatype.propagate.source.type"),
        }
    }

    /// Whether a column gets the parameters. `table` is Debezium's table id
    /// (`schema.table` for PostgreSQL, `database.table` for MySQL); `type_name` is the
    /// type as the source's JDBC driver names it (matched case-insensitively).
    pub fn applies(&self, table: &str, column: &str, type_name: &str) -> bool {
        (!self.columns.is_empty() && self.columns.matches(&format!("{table}.{column}")))
            || (!self.datatypes.is_empty()
                && self.datatypes.matches(&format!("{table}.{type_name}")))
    }
}

impl CommonSettings {
    /// Reads the shared settings, adding every problem (by option name) to `problems`.
    /// `naming_default` is the connector class's default `topic.naming.strategy`.
    pub fn read(v: &Validated, naming_default: &str, problems: &mut Vec<String>) -> CommonSettings {
        let positive = |key: &str, problems: &mut Vec<String>| -> usize {
            match v.i64(key) {
                Some(n) if n > 0 => n as usize,
                _ => {
                    problems.push(format!("option '{key}' must be a positive integer"));
                    1
                }
            }
        };
        let max_batch_size = positive("max.batch.size", problems);
        let max_queue_size = positive("max.queue.size", problems);
        if max_queue_size <= max_batch_size {
            problems.push(format!(
                "option 'max.queue.size' ({max_queue_size}) must be larger than 'max.batch.size' ({max_batch_size}), as in Debezium"
            ));
        }
        let snapshot_fetch_size = positive("snapshot.fetch.size", problems);
        let skipped: Vec<String> = v
            .list("skipped.operations")
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        for s in &skipped {
            if !["c", "u", "d", "t", "none"].contains(&s.as_str()) {
                problems.push(format!(
                    "option 'skipped.operations' has '{s}': allowed are c, u, d, t or none"
                ));
            }
        }
        let heartbeat_ms = v.i64("heartbeat.interval.ms").unwrap_or(0);
        if heartbeat_ms < 0 {
            problems.push("option 'heartbeat.interval.ms' must not be negative".into());
        }
        if v.i64("tasks.max").unwrap_or(1) != 1 {
            tracing::info!("tasks.max > 1 has no effect: a relational connector always runs one task, as in Debezium");
        }
        let topic_prefix = v.str_or_empty("topic.prefix").to_string();
        if topic_prefix.is_empty() {
            problems.push("option 'topic.prefix' must not be empty".into());
        }
        let signals = SignalSettings::read(v, &topic_prefix, problems);
        let naming = TopicNaming::read(v, naming_default, problems);
        let ms = |key: &str| Duration::from_millis(v.i64(key).unwrap_or(0).max(0) as u64);
        CommonSettings {
            heartbeat_topic: naming.heartbeat_topic(
                v.str_or_empty("topic.heartbeat.prefix"),
                v.str_or_empty("topic.heartbeat.name"),
            ),
            transaction_topic: naming.transaction_topic(v.str_or_empty("topic.transaction")),
            naming,
            topic_prefix,
            snapshot_fetch_size,
            heartbeat_interval: (heartbeat_ms > 0)
                .then(|| Duration::from_millis(heartbeat_ms as u64)),
            provide_transaction_metadata: v.bool("provide.transaction.metadata"),
            tombstones_on_delete: v.bool("tombstones.on.delete"),
            skipped,
            max_batch_size,
            max_queue_size,
            errors_max_retries: v.i64("errors.max.retries").unwrap_or(-1),
            retriable_restart_wait: ms("retriable.restart.connector.wait.ms"),
            signals,
            propagate: SourceTypePropagation::read(v, problems),
            select_overrides: select_overrides(v, problems),
        }
    }

    /// Whether `skipped.operations` names `op` (`c`, `u`, `d`, `t`).
    pub fn skips(&self, op: &str) -> bool {
        self.skipped.iter().any(|s| s == op)
    }
}
