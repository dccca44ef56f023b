//! How records and offsets are delivered, decided once per worker:
//!
//! | worker                                       | records              | offsets                          |
//! |----------------------------------------------|----------------------|----------------------------------|
//! | no `bootstrap.servers` (embedded default)    | stdout, JSON lines   | `offset.storage.file.filename`   |
//! | Kafka, `exactly.once.source.support=enabled` | Kafka transactions   | `offset.storage.topic`, in the same transactions |
//! | Kafka, `exactly.once.source.support=disabled`| Kafka, `acks=all`    | `offset.storage.topic`, after the records are acknowledged |
//!
//! Exactly-once is Ferrium's default with Kafka (Kafka Connect's default is disabled).

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_sink::{KafkaSinkConfig, TopicSettings};

use crate::error_policy::ConnectorError;
use crate::offsets::{FileOffsetStore, KafkaOffsetStore, OffsetStore};

/// Where the offsets topic is and how it is created.
#[derive(Debug, Clone)]
pub struct OffsetsTopicSettings {
    pub topic: String,
    pub partitions: i32,
    pub replication_factor: i32,
}

/// The worker's delivery mode, with its offset storage.
pub enum Delivery {
    Stdout(Arc<FileOffsetStore>),
    KafkaAtLeastOnce(Arc<KafkaOffsetStore>),
    KafkaExactlyOnce(OffsetsTopicSettings),
}

impl Delivery {
    /// Reads the worker config and opens the offset storage. The worker's converters
    /// are checked first, so a worker that could run no connector does not start.
    pub async fn open(worker: &WorkerConfig) -> Result<Delivery, ConnectorError> {
        let fail = |e: String| ConnectorError::fail(e);
        if let Err(e) = ferrium_converter::build_converters(&worker.props, &Default::default()) {
            return Err(fail(format!(
                "invalid worker configuration: {}",
                e.0.join("; ")
            )));
        }
        let Some(bootstrap) = worker.bootstrap_servers() else {
            let store =
                FileOffsetStore::open(&worker.offset_file()).map_err(|e| fail(e.to_string()))?;
            return Ok(Delivery::Stdout(Arc::new(store)));
        };
        let topics = OffsetsTopicSettings {
            topic: worker
                .get("offset.storage.topic")
                .unwrap_or("ferrium-offsets")
                .to_string(),
            partitions: worker_int(worker, "offset.storage.partitions", 25)?,
            replication_factor: worker_int(worker, "offset.storage.replication.factor", -1)?,
        };
        match worker.get("exactly.once.source.support").unwrap_or("enabled").to_ascii_lowercase().as_str() {
            "enabled" => Ok(Delivery::KafkaExactlyOnce(topics)),
            "disabled" | "preparing" => {
                // The worker's own offsets store, with the worker's client settings.
                let config = KafkaSinkConfig::new(
                    bootstrap.to_string(),
                    client_settings(&worker.client_security(), "")?,
                    TopicSettings::default(),
                );
                let store = KafkaOffsetStore::open(&config, &topics.topic, topics.partitions, topics.replication_factor)
                    .await
                    .map_err(|e| ConnectorError::new(ferrium_event::ErrorAction::Retry, e.to_string()))?;
                Ok(Delivery::KafkaAtLeastOnce(Arc::new(store)))
            }
            other => Err(fail(format!(
                "invalid value '{other}' for worker option 'exactly.once.source.support': expected enabled, disabled or preparing"
            ))),
        }
    }

    pub fn is_exactly_once(&self) -> bool {
        matches!(self, Delivery::KafkaExactlyOnce(_))
    }

    /// The offset store of the modes that keep offsets outside the sink.
    pub fn store(&self) -> Option<Arc<dyn OffsetStore>> {
        match self {
            Delivery::Stdout(s) => Some(s.clone()),
            Delivery::KafkaAtLeastOnce(s) => Some(s.clone()),
            Delivery::KafkaExactlyOnce(_) => None,
        }
    }

    /// Checks the connector's `exactly.once.support` against the worker's mode.
    pub fn check_connector(&self, config: &ConnectorConfig) -> Result<(), ConnectorError> {
        match config.get("exactly.once.support").map(str::to_ascii_lowercase).as_deref() {
            None | Some("requested") => Ok(()),
            Some("required") if self.is_exactly_once() => Ok(()),
            Some("required") => Err(ConnectorError::fail(format!(
                "connector '{}' has exactly.once.support=required, but the worker does not deliver exactly once; \
                 set bootstrap.servers and exactly.once.source.support=enabled in the worker config",
                config.name
            ))),
            Some(other) => Err(ConnectorError::fail(format!(
                "invalid value '{other}' for option 'exactly.once.support': expected requested or required"
            ))),
        }
    }
}

/// Kafka client settings written with the Java client's names, as librdkafka takes them;
/// `prefix` is how the user wrote the keys, for the message of a refusal.
pub fn client_settings(
    java: &BTreeMap<String, String>,
    prefix: &str,
) -> Result<BTreeMap<String, String>, ConnectorError> {
    ferrium_sink::librdkafka_settings(java, prefix).map_err(ConnectorError::fail)
}

/// The Kafka producer and topic settings for one connector.
pub fn kafka_sink_config(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<KafkaSinkConfig, ConnectorError> {
    let bootstrap = worker
        .bootstrap_servers()
        .ok_or_else(|| ConnectorError::fail("bootstrap.servers is not set"))?;
    let mut producer = worker.with_prefix("producer.");
    for (key, value) in &config.props {
        if let Some(k) = key.strip_prefix("producer.override.") {
            producer.insert(k.to_string(), value.clone());
        }
    }
    let producer = client_settings(&producer, "producer.")?;
    let mut admin = worker.with_prefix("admin.");
    for (key, value) in &config.props {
        if let Some(k) = key.strip_prefix("admin.override.") {
            admin.insert(k.to_string(), value.clone());
        }
    }
    let admin = client_settings(&admin, "admin.")?;
    let int = |key: &str| -> Result<i32, ConnectorError> {
        match config.get(key) {
            None => Ok(-1),
            Some(v) => v.parse().map_err(|_| {
                ConnectorError::fail(format!(
                    "invalid value '{v}' for option '{key}': expected an integer"
                ))
            }),
        }
    };
    Ok(KafkaSinkConfig::new(
        bootstrap.to_string(),
        producer,
        TopicSettings {
            partitions: int("topic.creation.default.partitions")?,
            replication_factor: int("topic.creation.default.replication.factor")?,
            // Any other `topic.creation.default.<config>` is a topic config, as in Kafka
            // Connect (e.g. `cleanup.policy`, `compression.type`, `retention.ms`).
            configs: config
                .props
                .iter()
                .filter_map(|(k, v)| {
                    let name = k.strip_prefix("topic.creation.default.")?;
                    (name != "partitions" && name != "replication.factor")
                        .then(|| (name.to_string(), v.clone()))
                })
                .collect(),
        },
    )
    .with_admin(admin))
}

/// Kafka Connect names a source task's transactional id `<group.id>-<connector>-<task>`.
pub fn transactional_id(worker: &WorkerConfig, connector: &str) -> String {
    format!(
        "{}-{connector}-0",
        worker.get("group.id").unwrap_or("ferrium")
    )
}

fn worker_int(worker: &WorkerConfig, key: &str, default: i32) -> Result<i32, ConnectorError> {
    match worker.get(key) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ConnectorError::fail(format!(
                "invalid value '{v}' for worker option '{key}': expected an integer"
            ))
        }),
    }
}
