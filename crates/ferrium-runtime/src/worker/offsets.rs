//! KIP-875 offsets of one connector: read them, alter them, reset them, in whichever
//! store the worker's delivery mode keeps them (the offsets file, or the offsets topic
//! with or without transactions). Only a stopped connector's offsets may change, so no
//! running pipeline can overwrite them a moment later.

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_event::{Offset, SourcePartition};
use ferrium_sink::{offset_record, OffsetsTopic};

use super::error::WorkerError;
use crate::connector::source_partition;
use crate::delivery::{kafka_sink_config, Delivery};
use crate::offsets::format::{decode_value, encode_key, encode_value};
use crate::offsets::OffsetStore;

/// The partition of a connector; an invalid config has none.
fn partition(config: &ConnectorConfig) -> Result<SourcePartition, WorkerError> {
    source_partition(config).map_err(|e| WorkerError::BadRequest(e.message))
}

fn internal(e: impl std::fmt::Display) -> WorkerError {
    WorkerError::Internal(e.to_string())
}

fn offsets_topic(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
    topic: &str,
) -> Result<OffsetsTopic, WorkerError> {
    let kafka = kafka_sink_config(worker, config).map_err(internal)?;
    OffsetsTopic::new(&kafka, topic, -1, -1).map_err(internal)
}

/// The connector's stored offsets: `(partition, offset)`, at most one (one partition).
pub async fn read(
    delivery: &Delivery,
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<Vec<(SourcePartition, Offset)>, WorkerError> {
    let partition = partition(config)?;
    let found = match delivery {
        Delivery::KafkaExactlyOnce(settings) => {
            let topic = offsets_topic(worker, config, &settings.topic)?;
            topic
                .read_all()
                .await
                .map_err(internal)?
                .get(&encode_key(&config.name, &partition))
                .and_then(|v| decode_value(v))
        }
        other => other
            .store()
            .and_then(|store| store.load(&config.name, &partition)),
    };
    Ok(found.map(|o| (partition, o)).into_iter().collect())
}

/// Sets (`Some`) or removes (`None`) the offset of `partition`.
pub async fn write(
    delivery: &Delivery,
    worker: &WorkerConfig,
    config: &ConnectorConfig,
    partition: &SourcePartition,
    offset: Option<&Offset>,
) -> Result<(), WorkerError> {
    let expected = self::partition(config)?;
    if *partition != expected {
        return Err(WorkerError::BadRequest(format!(
            "the connector '{}' has one source partition, {}; offsets for {} cannot be stored",
            config.name,
            serde_json::Value::Object(expected.0.clone()),
            serde_json::Value::Object(partition.0.clone()),
        )));
    }
    match (delivery, offset) {
        (Delivery::Stdout(store), Some(o)) => store
            .store(&config.name, partition, o)
            .await
            .map_err(internal),
        (Delivery::Stdout(store), None) => store.remove(&config.name).await.map_err(internal),
        (Delivery::KafkaAtLeastOnce(store), Some(o)) => store
            .store(&config.name, partition, o)
            .await
            .map_err(internal),
        (Delivery::KafkaAtLeastOnce(store), None) => store
            .remove(&config.name, partition)
            .await
            .map_err(internal),
        (Delivery::KafkaExactlyOnce(settings), offset) => {
            // Outside any transaction: the connector is stopped, and a read_committed
            // reader sees non-transactional records as soon as they are written.
            let topic = offsets_topic(worker, config, &settings.topic)?;
            topic
                .write(offset_record(
                    &settings.topic,
                    encode_key(&config.name, partition),
                    offset.map(encode_value),
                ))
                .await
                .map_err(internal)
        }
    }
}
