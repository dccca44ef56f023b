//! Resetting a connector's offsets, so its next start is a first start (a new snapshot,
//! under `snapshot.mode=initial`). The file store drops the entry; the offsets topic gets
//! a tombstone for the connector's key, as Kafka Connect's `DELETE /offsets` writes.

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_sink::{offset_record, OffsetsTopic};

use crate::connector::source_partition;
use crate::delivery::kafka_sink_config;
use crate::error_policy::ConnectorError;
use crate::offsets::format::encode_key;
use crate::offsets::FileOffsetStore;

pub async fn reset_offsets(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
) -> Result<String, ConnectorError> {
    let (config, _) = &crate::connector::resolve_config(config, worker)?;
    let partition = source_partition(config)?;
    if worker.bootstrap_servers().is_none() {
        let path = worker.offset_file();
        let store =
            FileOffsetStore::open(&path).map_err(|e| ConnectorError::fail(e.to_string()))?;
        store
            .remove(&config.name)
            .await
            .map_err(|e| ConnectorError::fail(e.to_string()))?;
        return Ok(format!(
            "removed the offsets of '{}' from {}",
            config.name,
            path.display()
        ));
    }
    let kafka = kafka_sink_config(worker, config)?;
    let topic = worker
        .get("offset.storage.topic")
        .unwrap_or("ferrium-offsets");
    let offsets = OffsetsTopic::new(&kafka, topic, -1, -1)
        .map_err(|e| ConnectorError::fail(e.to_string()))?;
    offsets
        .write(offset_record(
            topic,
            encode_key(&config.name, &partition),
            None,
        ))
        .await
        .map_err(|e| ConnectorError::fail(e.to_string()))?;
    Ok(format!(
        "wrote a tombstone for '{}' to offsets topic {topic}",
        config.name
    ))
}
