//! Offsets in Kafka's offsets topic, written outside transactions: the at-least-once
//! mode with a Kafka broker. (The exactly-once mode writes the same records inside the
//! sink's transactions; see `pipeline_exactly_once.rs`.)

use std::collections::BTreeMap;
use std::sync::Mutex;

use ferrium_event::{Offset, SourcePartition};
use ferrium_sink::{offset_record, KafkaSinkConfig, OffsetsTopic};

use super::format::{decode_value, encode_key, encode_value};
use super::{OffsetError, OffsetStore};

pub struct KafkaOffsetStore {
    topic: OffsetsTopic,
    /// Everything the topic held at start, updated by this process's own writes.
    latest: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl KafkaOffsetStore {
    pub async fn open(
        config: &KafkaSinkConfig,
        topic: &str,
        partitions: i32,
        replication_factor: i32,
    ) -> Result<Self, OffsetError> {
        let err = |e: ferrium_sink::SinkError| OffsetError::Read {
            path: format!("Kafka topic {topic}"),
            message: e.to_string(),
        };
        let offsets =
            OffsetsTopic::new(config, topic, partitions, replication_factor).map_err(err)?;
        offsets.ensure_exists().await.map_err(err)?;
        let latest = offsets.read_all().await.map_err(err)?;
        Ok(KafkaOffsetStore {
            topic: offsets,
            latest: Mutex::new(latest),
        })
    }

    /// Writes a tombstone for the connector's key (a KIP-875 reset) and forgets it here.
    pub async fn remove(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> Result<(), OffsetError> {
        let key = encode_key(connector, partition);
        self.topic
            .write(offset_record(&self.topic.topic, key.clone(), None))
            .await
            .map_err(|e| OffsetError::Write {
                path: format!("Kafka topic {}", self.topic.topic),
                message: e.to_string(),
            })?;
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        Ok(())
    }
}

#[async_trait::async_trait]
impl OffsetStore for KafkaOffsetStore {
    fn load(&self, connector: &str, partition: &SourcePartition) -> Option<Offset> {
        let key = encode_key(connector, partition);
        let latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        latest.get(&key).and_then(|v| decode_value(v))
    }

    async fn store(
        &self,
        connector: &str,
        partition: &SourcePartition,
        offset: &Offset,
    ) -> Result<(), OffsetError> {
        let key = encode_key(connector, partition);
        let value = encode_value(offset);
        self.topic
            .write(offset_record(
                &self.topic.topic,
                key.clone(),
                Some(value.clone()),
            ))
            .await
            .map_err(|e| OffsetError::Write {
                path: format!("Kafka topic {}", self.topic.topic),
                message: e.to_string(),
            })?;
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, value);
        Ok(())
    }
}
