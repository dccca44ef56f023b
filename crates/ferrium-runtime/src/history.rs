//! Opens the schema history store a connector asks for: a Kafka topic (Debezium's
//! default), a file, or with the embedded default a file next to the offsets.

use std::path::PathBuf;
use std::sync::Arc;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_event::history::SchemaHistoryStore;
use ferrium_event::ErrorAction;
use ferrium_sink::KafkaSchemaHistory;
use ferrium_source_mysql::HistoryLocation;

use crate::delivery::{client_settings, kafka_sink_config};
use crate::error_policy::ConnectorError;
use crate::history_file::FileSchemaHistory;

/// The file used when a connector without Kafka names no history store.
pub fn default_history_file(worker: &WorkerConfig, connector: &str) -> PathBuf {
    let offsets = worker.offset_file();
    let dir = offsets.parent().map(PathBuf::from).unwrap_or_default();
    dir.join(format!("{connector}.schema-history.jsonl"))
}

pub async fn open_history(
    location: &HistoryLocation,
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<Arc<dyn SchemaHistoryStore>, ConnectorError> {
    match location {
        HistoryLocation::File(path) => Ok(Arc::new(FileSchemaHistory::new(&PathBuf::from(path)))),
        HistoryLocation::Default if worker.bootstrap_servers().is_none() => Ok(Arc::new(
            FileSchemaHistory::new(&default_history_file(worker, &config.name)),
        )),
        HistoryLocation::Default => Err(ConnectorError::fail(format!(
            "connector '{}' delivers into Kafka but names no schema history topic: set schema.history.internal.kafka.topic (one partition, infinite retention; Ferrium creates it), as Debezium requires",
            config.name
        ))),
        HistoryLocation::Kafka {
            topic,
            bootstrap_servers,
        } => {
            let mut kafka = match (kafka_sink_config(worker, config), bootstrap_servers) {
                (Ok(kafka), _) => kafka,
                (Err(_), Some(servers)) => ferrium_sink::KafkaSinkConfig::new(
                    servers.clone(),
                    Default::default(),
                    Default::default(),
                ),
                (Err(_), None) => {
                    return Err(ConnectorError::fail(format!(
                        "the schema history topic '{topic}' needs brokers: set schema.history.internal.kafka.bootstrap.servers"
                    )))
                }
            };
            if let Some(servers) = bootstrap_servers {
                kafka.bootstrap_servers = servers.clone();
            }
            // Client settings for the history topic, as Debezium passes them.
            let mut history_client = std::collections::BTreeMap::new();
            for (key, value) in &config.props {
                if let Some(k) = key
                    .strip_prefix("schema.history.internal.producer.")
                    .or_else(|| key.strip_prefix("database.history.producer."))
                {
                    history_client.insert(k.to_string(), value.clone());
                }
            }
            kafka.producer.extend(client_settings(
                &history_client,
                "schema.history.internal.producer.",
            )?);
            let store = KafkaSchemaHistory::open(&kafka, topic).await.map_err(|e| {
                ConnectorError::new(
                    ErrorAction::Retry,
                    format!("schema history topic {topic} at {}: {e}", kafka.bootstrap_servers),
                )
            })?;
            Ok(Arc::new(store))
        }
    }
}
