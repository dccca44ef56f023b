//! The signalling and incremental snapshot options every relational connector shares,
//! with Debezium's names and defaults: where signals come from (`signal.*`) and how an
//! incremental snapshot reads its chunks (`incremental.snapshot.*`).

use crate::{ConfigKey, ConfigType as T, Validated};

pub const SIGNAL_KEYS: &[ConfigKey] = &[
    ConfigKey::new(
        "signal.data.collection",
        T::String,
        "the signalling table (schema.table on PostgreSQL, database.table on MySQL/MariaDB)",
    ),
    ConfigKey::new(
        "signal.enabled.channels",
        T::List,
        "where signals are read: source, kafka",
    )
    .default("source"),
    ConfigKey::new(
        "signal.poll.interval.ms",
        T::Int,
        "poll period of polled signal channels",
    )
    .default("5000"),
    ConfigKey::new(
        "signal.kafka.topic",
        T::String,
        "the Kafka signal topic; default <topic.prefix>-signal",
    ),
    ConfigKey::new(
        "signal.kafka.bootstrap.servers",
        T::String,
        "brokers of the Kafka signal topic; default the worker's",
    ),
    ConfigKey::new(
        "signal.kafka.groupId",
        T::String,
        "consumer group of the Kafka signal channel",
    )
    .default("kafka-signal"),
    ConfigKey::new(
        "signal.kafka.poll.timeout.ms",
        T::Int,
        "poll timeout of the Kafka signal channel",
    )
    .default("100"),
    ConfigKey::new(
        "incremental.snapshot.chunk.size",
        T::Int,
        "rows per incremental snapshot chunk",
    )
    .default("1024"),
    ConfigKey::new(
        "incremental.snapshot.watermarking.strategy",
        T::Enum(&["insert_insert", "insert_delete"]),
        "how chunk windows are marked in the signalling table",
    )
    .default("insert_insert"),
    ConfigKey::new(
        "incremental.snapshot.allow.schema.changes",
        T::Boolean,
        "schema changes during an incremental snapshot (not supported)",
    )
    .default("false"),
];

/// Prefix of the Kafka signal consumer's own client settings.
pub const SIGNAL_CONSUMER_PREFIX: &str = "signal.consumer.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watermarking {
    /// An insert opens the window and another closes it.
    InsertInsert,
    /// An insert opens the window and its delete closes it: the table stays small.
    InsertDelete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaSignalSettings {
    pub topic: String,
    /// The key a signal record must carry: `topic.prefix`, as Debezium checks.
    pub key: String,
    /// `None`: the worker's `bootstrap.servers`.
    pub bootstrap_servers: Option<String>,
    pub group_id: String,
    pub poll_timeout_ms: u64,
    /// `signal.consumer.*`, without the prefix.
    pub consumer: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalSettings {
    /// `signal.data.collection`, as given.
    pub data_collection: Option<String>,
    /// The `source` channel is on.
    pub source_channel: bool,
    pub kafka: Option<KafkaSignalSettings>,
    pub chunk_size: usize,
    pub watermarking: Watermarking,
}

impl SignalSettings {
    pub fn read(v: &Validated, topic_prefix: &str, problems: &mut Vec<String>) -> SignalSettings {
        let mut source_channel = false;
        let mut kafka = false;
        for channel in v.list("signal.enabled.channels") {
            match channel.to_ascii_lowercase().as_str() {
                "source" => source_channel = true,
                "kafka" => kafka = true,
                other => problems.push(format!(
                    "option 'signal.enabled.channels' has '{other}', which Ferrium does not implement; supported are source and kafka (and Ferrium's REST API, POST /connectors/<name>/signals, always on)"
                )),
            }
        }
        let chunk_size = match v.i64("incremental.snapshot.chunk.size") {
            Some(n) if n > 0 => n as usize,
            _ => {
                problems.push(
                    "option 'incremental.snapshot.chunk.size' must be a positive integer".into(),
                );
                1024
            }
        };
        if v.bool("incremental.snapshot.allow.schema.changes") {
            problems.push("option 'incremental.snapshot.allow.schema.changes=true' is not implemented; leave it false (a table's columns must not change while it is incrementally snapshotted)".into());
        }
        let watermarking = match v
            .choice("incremental.snapshot.watermarking.strategy")
            .as_str()
        {
            "insert_delete" => Watermarking::InsertDelete,
            _ => Watermarking::InsertInsert,
        };
        let data_collection = v
            .string("signal.data.collection")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let kafka = kafka.then(|| KafkaSignalSettings {
            topic: v
                .string("signal.kafka.topic")
                .filter(|t| !t.trim().is_empty())
                .map_or_else(|| format!("{topic_prefix}-signal"), str::to_string),
            key: topic_prefix.to_string(),
            bootstrap_servers: v
                .string("signal.kafka.bootstrap.servers")
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string),
            group_id: v.str_or_empty("signal.kafka.groupId").to_string(),
            poll_timeout_ms: v.i64("signal.kafka.poll.timeout.ms").unwrap_or(100).max(1) as u64,
            consumer: v
                .raw
                .props
                .iter()
                .filter_map(|(k, val)| {
                    k.strip_prefix(SIGNAL_CONSUMER_PREFIX)
                        .map(|k| (k.to_string(), val.clone()))
                })
                .collect(),
        });
        SignalSettings {
            data_collection,
            source_channel,
            kafka,
            chunk_size,
            watermarking,
        }
    }
}
