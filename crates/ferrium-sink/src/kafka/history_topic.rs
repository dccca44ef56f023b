//! The schema history topic (`schema.history.internal.kafka.topic`): one partition,
//! infinite retention, each record one history document as JSON, read back in order.
//! Debezium requires exactly this shape, because the order of DDL matters and a
//! compacted or expiring topic would lose the table definitions.

use ferrium_event::history::{HistoryError, SchemaHistoryStore};
use ferrium_event::SerializedRecord;
use rdkafka::config::ClientConfig;

use super::logs::Producer;
use super::offsets_topic::read_to_end;
use super::produce::{delivered, enqueue, Progress};
use super::topics::{TopicCreator, TopicSettings};
use super::KafkaSinkConfig;
use crate::SinkError;

pub struct KafkaSchemaHistory {
    config: KafkaSinkConfig,
    topic: String,
    producer: Producer,
}

fn history_error(e: SinkError) -> HistoryError {
    match e {
        SinkError::KafkaTransient(m) => HistoryError::retriable(m),
        other => HistoryError::fatal(other.to_string()),
    }
}

impl KafkaSchemaHistory {
    /// Opens the topic, creating it (one partition, `retention.ms=-1`) when missing.
    pub async fn open(config: &KafkaSinkConfig, topic: &str) -> Result<Self, SinkError> {
        let settings = TopicSettings {
            partitions: 1,
            replication_factor: config.topics.replication_factor,
            configs: vec![
                ("cleanup.policy".into(), "delete".into()),
                ("retention.ms".into(), "-1".into()),
                ("retention.bytes".into(), "-1".into()),
            ],
        };
        let mut creator = TopicCreator::new(&config.admin_config(), settings, &config.logs)?;
        creator.ensure(std::iter::once(topic)).await?;
        Ok(KafkaSchemaHistory {
            producer: config
                .producer_config()
                .create_with_context(config.logs.clone())
                .map_err(|e| SinkError::Config(e.to_string()))?,
            config: config.clone(),
            topic: topic.to_string(),
        })
    }
}

#[async_trait::async_trait]
impl SchemaHistoryStore for KafkaSchemaHistory {
    async fn read_all(&self) -> Result<Vec<serde_json::Value>, HistoryError> {
        let mut client = ClientConfig::new();
        client
            .set("bootstrap.servers", &self.config.bootstrap_servers)
            .set("group.id", "ferrium-schema-history-reader")
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest");
        for (key, value) in &self.config.producer {
            if key.starts_with("security.") || key.starts_with("sasl.") || key.starts_with("ssl.") {
                client.set(key, value);
            }
        }
        let topic = self.topic.clone();
        let raw = tokio::task::spawn_blocking(move || {
            let mut records = Vec::new();
            read_to_end(&client, &topic, |_, value| {
                if let Some(value) = value {
                    records.push(value.to_vec());
                }
            })?;
            Ok::<_, SinkError>(records)
        })
        .await
        .map_err(|e| HistoryError::retriable(e.to_string()))?
        .map_err(history_error)?;
        raw.iter()
            .map(|bytes| {
                serde_json::from_slice(bytes).map_err(|e| {
                    HistoryError::fatal(format!(
                        "schema history topic {} holds a record that is not JSON: {e}",
                        self.topic
                    ))
                })
            })
            .collect()
    }

    async fn append(&self, record: &serde_json::Value) -> Result<(), HistoryError> {
        let record = SerializedRecord::new(
            self.topic.as_str().into(),
            None,
            Some(record.to_string().into_bytes()),
        );
        let pending = enqueue(&self.producer, std::slice::from_ref(&record))
            .await
            .map_err(history_error)?;
        delivered(pending, Progress::new())
            .await
            .map_err(history_error)
    }

    fn describe(&self) -> String {
        format!("Kafka topic {}", self.topic)
    }
}
