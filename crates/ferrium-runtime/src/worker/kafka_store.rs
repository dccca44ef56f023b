//! Connector configs in Kafka, as a Kafka Connect cluster keeps them: the compacted
//! `config.storage.topic` (one partition) holds `connector-<name>` →
//! `{"properties": {…}}` and `target-state-<name>` → `{"state": …}` (a stopped
//! connector is written as `{"state": "PAUSED", "state.v2": "STOPPED"}`, so workers
//! that predate KIP-875 read it as paused); deleting writes tombstones. Status changes
//! go to `status.storage.topic` as `status-connector-<name>` and `status-task-<name>-0`
//! records, by a single writer task so they stay in order.

use std::collections::BTreeMap;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_sink::{offset_record, KafkaSinkConfig, OffsetsTopic, TopicSettings};
use serde_json::{json, Value as Json};
use tokio::sync::mpsc;

use super::state::{ConnectorStatus, StateInfo, TargetState};
use super::store::{ConfigStore, StoreError, StoredConnector};

pub struct KafkaConfigStore {
    configs: OffsetsTopic,
    status: mpsc::UnboundedSender<(Vec<u8>, Option<Vec<u8>>)>,
}

impl KafkaConfigStore {
    /// Creates the topics when missing and starts the status writer.
    pub async fn open(worker: &WorkerConfig) -> Result<Self, StoreError> {
        let bootstrap = worker.bootstrap_servers().unwrap_or_default();
        // The worker's internal topics, with the worker's own client settings (as in
        // Kafka Connect; the connectors' clients take the `producer.` copies).
        let producer = ferrium_sink::librdkafka_settings(&worker.client_security(), "").map_err(
            |message| StoreError::Read {
                at: bootstrap.to_string(),
                message,
            },
        )?;
        let kafka = KafkaSinkConfig::new(bootstrap.to_string(), producer, TopicSettings::default());
        let int = |key: &str, default: i32| {
            worker
                .get(key)
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let config_topic = worker
            .get("config.storage.topic")
            .unwrap_or("ferrium-configs");
        let status_topic = worker
            .get("status.storage.topic")
            .unwrap_or("ferrium-status");
        let open = |topic: &str, partitions: i32, rf_key: &str| {
            OffsetsTopic::new(&kafka, topic, partitions, int(rf_key, -1)).map_err(|e| {
                StoreError::Read {
                    at: format!("Kafka topic {topic}"),
                    message: e.to_string(),
                }
            })
        };
        // Kafka Connect requires a single partition for the config topic: order matters.
        let configs = open(config_topic, 1, "config.storage.replication.factor")?;
        let status = open(
            status_topic,
            int("status.storage.partitions", 5),
            "status.storage.replication.factor",
        )?;
        for topic in [&configs, &status] {
            topic.ensure_exists().await.map_err(|e| StoreError::Read {
                at: format!("Kafka topic {}", topic.topic),
                message: e.to_string(),
            })?;
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<(Vec<u8>, Option<Vec<u8>>)>();
        tokio::spawn(async move {
            while let Some((key, value)) = rx.recv().await {
                let record = offset_record(&status.topic, key, value);
                if let Err(error) = status.write(record).await {
                    tracing::warn!(%error, topic = %status.topic, "cannot write a status record");
                }
            }
        });
        Ok(KafkaConfigStore {
            configs,
            status: tx,
        })
    }

    async fn write(&self, key: String, value: Option<Json>) -> Result<(), StoreError> {
        let value = value.map(|v| v.to_string().into_bytes());
        self.configs
            .write(offset_record(&self.configs.topic, key.into_bytes(), value))
            .await
            .map_err(|e| StoreError::Write {
                at: format!("Kafka topic {}", self.configs.topic),
                message: e.to_string(),
            })
    }
}

/// Reads the latest config-topic records into connectors.
fn connectors_from(records: &BTreeMap<Vec<u8>, Vec<u8>>) -> Vec<StoredConnector> {
    let text = |bytes: &[u8]| serde_json::from_slice::<Json>(bytes).ok();
    let mut out = Vec::new();
    for (key, value) in records {
        let Some(name) = std::str::from_utf8(key)
            .ok()
            .and_then(|k| k.strip_prefix("connector-"))
        else {
            continue;
        };
        let Some(props) =
            text(value).and_then(|v| v.get("properties").and_then(Json::as_object).cloned())
        else {
            continue;
        };
        let target = records
            .get(format!("target-state-{name}").as_bytes())
            .and_then(|v| text(v))
            .and_then(|v| {
                let state = v.get("state.v2").or_else(|| v.get("state"))?;
                TargetState::parse(state.as_str()?)
            })
            .unwrap_or(TargetState::Started);
        let props = props
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect();
        out.push(StoredConnector {
            config: ConnectorConfig {
                name: name.to_string(),
                props,
            },
            target,
        });
    }
    out
}

fn target_record(target: TargetState) -> Json {
    match target {
        TargetState::Stopped => json!({"state": "PAUSED", "state.v2": "STOPPED"}),
        other => json!({"state": other.as_str(), "state.v2": other.as_str()}),
    }
}

fn status_record(info: &StateInfo, worker_id: &str) -> Vec<u8> {
    json!({"state": info.state.as_str(), "trace": info.trace, "worker_id": worker_id, "generation": 0})
        .to_string()
        .into_bytes()
}

#[async_trait::async_trait]
impl ConfigStore for KafkaConfigStore {
    async fn load(&self) -> Result<Vec<StoredConnector>, StoreError> {
        let records = self
            .configs
            .read_all()
            .await
            .map_err(|e| StoreError::Read {
                at: format!("Kafka topic {}", self.configs.topic),
                message: e.to_string(),
            })?;
        Ok(connectors_from(&records))
    }

    async fn put(&self, connector: &StoredConnector) -> Result<(), StoreError> {
        let name = &connector.config.name;
        self.write(
            format!("connector-{name}"),
            Some(json!({"properties": connector.config.props})),
        )
        .await?;
        self.write(
            format!("target-state-{name}"),
            Some(target_record(connector.target)),
        )
        .await
    }

    async fn remove(&self, name: &str) -> Result<(), StoreError> {
        self.write(format!("connector-{name}"), None).await?;
        self.write(format!("target-state-{name}"), None).await?;
        for key in [
            format!("status-connector-{name}"),
            format!("status-task-{name}-0"),
        ] {
            let _ = self.status.send((key.into_bytes(), None));
        }
        Ok(())
    }

    fn publish_status(&self, status: &ConnectorStatus) {
        let name = &status.name;
        let _ = self.status.send((
            format!("status-connector-{name}").into_bytes(),
            Some(status_record(&status.connector, &status.worker_id)),
        ));
        for (id, task) in &status.tasks {
            let _ = self.status.send((
                format!("status-task-{name}-{id}").into_bytes(),
                Some(status_record(task, &status.worker_id)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kafka_connect_config_records() {
        let mut records = BTreeMap::new();
        records.insert(
            b"connector-a".to_vec(),
            br#"{"properties":{"connector.class":"x","name":"a"}}"#.to_vec(),
        );
        records.insert(
            b"target-state-a".to_vec(),
            target_record(TargetState::Stopped).to_string().into_bytes(),
        );
        records.insert(
            b"connector-b".to_vec(),
            br#"{"properties":{"name":"b"}}"#.to_vec(),
        );
        records.insert(
            b"target-state-b".to_vec(),
            br#"{"state":"PAUSED"}"#.to_vec(),
        );
        records.insert(b"task-a-0".to_vec(), b"{}".to_vec());
        let all = connectors_from(&records);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].config.get("connector.class"), Some("x"));
        assert_eq!(all[0].target, TargetState::Stopped);
        assert_eq!(all[1].target, TargetState::Paused);
    }
}
