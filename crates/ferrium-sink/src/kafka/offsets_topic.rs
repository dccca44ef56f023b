//! The offsets topic (`offset.storage.topic`): compacted, one record per connector and
//! source partition, keyed as Kafka Connect keys it, `["<connector>",{<partition>}]`.
//!
//! Reading uses `read_committed`, so an offset written by an aborted transaction is
//! never seen; the exactly-once sink fences the previous producer before reading, so no
//! transaction of an earlier instance can still be open.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::logs::{Consumer, KafkaLogs, Producer};
use ferrium_event::SerializedRecord;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::Consumer as _;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{Message, Offset, TopicPartitionList};

use super::produce::{delivered, enqueue, Progress};
use super::topics::{TopicCreator, TopicSettings};
use super::{classify, KafkaSinkConfig};
use crate::SinkError;

const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The offsets record for `key` (`None` value: a tombstone, which resets the offsets).
pub fn offset_record(topic: &str, key: Vec<u8>, value: Option<Vec<u8>>) -> SerializedRecord {
    SerializedRecord::new(topic.into(), Some(key), value)
}

pub struct OffsetsTopic {
    config: KafkaSinkConfig,
    pub topic: String,
    settings: TopicSettings,
    /// For the at-least-once mode, where offsets are written outside transactions.
    producer: Producer,
}

impl OffsetsTopic {
    pub fn new(
        config: &KafkaSinkConfig,
        topic: &str,
        partitions: i32,
        replication_factor: i32,
    ) -> Result<Self, SinkError> {
        Ok(OffsetsTopic {
            producer: config
                .producer_config()
                .create_with_context(config.logs.clone())
                .map_err(|e| SinkError::Config(e.to_string()))?,
            config: config.clone(),
            topic: topic.to_string(),
            settings: TopicSettings {
                partitions,
                replication_factor,
                configs: vec![("cleanup.policy".into(), "compact".into())],
            },
        })
    }

    /// Creates the topic (compacted) if it does not exist.
    pub async fn ensure_exists(&self) -> Result<(), SinkError> {
        let mut creator = TopicCreator::new(
            &self.config.admin_config(),
            self.settings.clone(),
            &self.config.logs,
        )?;
        creator.ensure(std::iter::once(self.topic.as_str())).await
    }

    /// The latest committed value for each key, read from the start of the topic to its end.
    pub async fn read_all(&self) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, SinkError> {
        let mut client = ClientConfig::new();
        client
            .set("bootstrap.servers", &self.config.bootstrap_servers)
            .set("group.id", "ferrium-offsets-reader")
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed")
            .set("auto.offset.reset", "earliest");
        for (key, value) in &self.config.producer {
            // Security settings apply to the consumer too; producer-only keys are skipped.
            if key.starts_with("security.") || key.starts_with("sasl.") || key.starts_with("ssl.") {
                client.set(key, value);
            }
        }
        let topic = self.topic.clone();
        tokio::task::spawn_blocking(move || {
            let mut latest = BTreeMap::new();
            read_to_end(&client, &topic, |key, value| {
                if let Some(key) = key {
                    match value {
                        Some(value) => latest.insert(key.to_vec(), value.to_vec()),
                        None => latest.remove(key),
                    };
                }
            })?;
            Ok(latest)
        })
        .await
        .map_err(|e| SinkError::KafkaTransient(e.to_string()))?
    }

    /// Writes one offsets record outside any transaction (the at-least-once mode).
    pub async fn write(&self, record: SerializedRecord) -> Result<(), SinkError> {
        let pending = enqueue(&self.producer, std::slice::from_ref(&record)).await?;
        delivered(pending, Progress::new()).await
    }
}

/// The partitions of `topic`, each with a leader. Callers create the topic before they
/// read it, so a topic the broker does not know, or a partition without a leader, is a
/// broker still loading its metadata after a restart: a transient error, never "empty".
/// (Reading it as empty would make a connector forget its offsets and snapshot again,
/// or a MySQL connector forget its schema history.)
fn readable_partitions(consumer: &Consumer, topic: &str) -> Result<Vec<i32>, SinkError> {
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(30))
        .map_err(classify)?;
    let not_ready = |why: String| {
        SinkError::KafkaTransient(format!(
            "topic {topic} cannot be read yet: {why} (is the broker still starting?)"
        ))
    };
    let Some(described) = metadata.topics().iter().find(|t| t.name() == topic) else {
        return Err(not_ready("the broker did not describe it".into()));
    };
    if let Some(error) = described.error() {
        return Err(not_ready(RDKafkaErrorCode::from(error).to_string()));
    }
    if described.partitions().is_empty() {
        return Err(not_ready("the broker lists no partitions".into()));
    }
    let mut partitions = Vec::with_capacity(described.partitions().len());
    for partition in described.partitions() {
        if let Some(error) = partition.error() {
            return Err(not_ready(format!(
                "partition {}: {}",
                partition.id(),
                RDKafkaErrorCode::from(error)
            )));
        }
        if partition.leader() < 0 {
            return Err(not_ready(format!(
                "partition {} has no leader",
                partition.id()
            )));
        }
        partitions.push(partition.id());
    }
    Ok(partitions)
}

/// Reads every partition of `topic` from its start to its current end, handing each
/// record's key and value to `on_record` in partition order.
pub(crate) fn read_to_end(
    client: &ClientConfig,
    topic: &str,
    mut on_record: impl FnMut(Option<&[u8]>, Option<&[u8]>),
) -> Result<(), SinkError> {
    let consumer: Consumer = client
        .create_with_context(KafkaLogs::default())
        .map_err(|e| SinkError::Config(e.to_string()))?;
    let partitions = readable_partitions(&consumer, topic)?;
    let mut ends = BTreeMap::new();
    let mut assignment = TopicPartitionList::new();
    for &p in &partitions {
        let (low, high) = consumer
            .fetch_watermarks(topic, p, Duration::from_secs(30))
            .map_err(classify)?;
        if high > low {
            ends.insert(p, high);
            assignment
                .add_partition_offset(topic, p, Offset::Beginning)
                .map_err(classify)?;
        }
    }
    if ends.is_empty() {
        return Ok(());
    }
    consumer.assign(&assignment).map_err(classify)?;
    let deadline = Instant::now() + READ_TIMEOUT;
    loop {
        // Transaction markers are never delivered, so progress is judged by position.
        let position = consumer.position().map_err(classify)?;
        let done = ends.iter().all(|(&p, &end)| {
            matches!(position.find_partition(topic, p).map(|e| e.offset()), Some(Offset::Offset(o)) if o >= end)
        });
        if done {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(SinkError::KafkaTransient(format!(
                "reading topic {topic} did not reach its end within {READ_TIMEOUT:?}"
            )));
        }
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            let message = message.map_err(classify)?;
            on_record(message.key(), message.payload());
        }
    }
}
