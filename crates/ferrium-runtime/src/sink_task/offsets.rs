//! KIP-875 offsets of a sink connector, in Kafka Connect's sink shape —
//! `{"kafka_topic": …, "kafka_partition": N}` → `{"kafka_offset": N}` — read from and
//! written to the offsets table in the target database, which is what the sink resumes
//! from.

use ferrium_config::ConnectorConfig;
use ferrium_event::{Offset, SourcePartition};
use ferrium_sink_jdbc::JdbcWriter;
use serde_json::{Map, Value as Json};

use super::sink_config;
use crate::worker::WorkerError;

async fn writer(config: &ConnectorConfig) -> Result<JdbcWriter, WorkerError> {
    let settings = sink_config(config).map_err(|e| WorkerError::BadRequest(e.message))?;
    JdbcWriter::open(settings)
        .await
        .map_err(|e| WorkerError::Internal(e.message))
}

fn partition(topic: &str, partition: i32) -> SourcePartition {
    let mut map = Map::new();
    map.insert("kafka_topic".into(), Json::String(topic.to_string()));
    map.insert("kafka_partition".into(), Json::from(partition));
    SourcePartition(map)
}

/// The sink's applied offsets: the next offset to read, per partition.
pub(crate) async fn read(
    config: &ConnectorConfig,
) -> Result<Vec<(SourcePartition, Offset)>, WorkerError> {
    let stored = writer(config)
        .await?
        .stored_offsets()
        .await
        .map_err(|e| WorkerError::Internal(e.message))?;
    Ok(stored
        .into_iter()
        .map(|o| {
            (
                partition(&o.topic, o.partition),
                Offset::new().with("kafka_offset", o.offset),
            )
        })
        .collect())
}

/// A partition in the sink shape, or a 400 naming what is wrong.
fn parse(
    partition: &SourcePartition,
    offset: Option<&Offset>,
) -> Result<(String, i32, Option<i64>), WorkerError> {
    let bad = |what: &str| {
        WorkerError::BadRequest(format!(
            "{what}: a sink connector's partitions are {{\"kafka_topic\": <topic>, \"kafka_partition\": <n>}} and its offsets {{\"kafka_offset\": <n>}}"
        ))
    };
    let topic = partition
        .0
        .get("kafka_topic")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("the partition has no string 'kafka_topic'"))?;
    let number = partition
        .0
        .get("kafka_partition")
        .and_then(Json::as_i64)
        .and_then(|p| i32::try_from(p).ok())
        .filter(|p| *p >= 0)
        .ok_or_else(|| bad("the partition has no non-negative 'kafka_partition'"))?;
    let offset = match offset {
        None => None,
        Some(o) => Some(
            o.0.get("kafka_offset")
                .and_then(Json::as_i64)
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad("the offset has no non-negative 'kafka_offset'"))?,
        ),
    };
    Ok((topic.to_string(), number, offset))
}

/// Alters (`Some`) or removes (`None`) offsets; with `reset_all`, every offset first.
pub(crate) async fn write(
    config: &ConnectorConfig,
    changes: &[(SourcePartition, Option<Offset>)],
    reset_all: bool,
) -> Result<(), WorkerError> {
    let parsed = changes
        .iter()
        .map(|(p, o)| parse(p, o.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    writer(config)
        .await?
        .alter_offsets(&parsed, reset_all)
        .await
        .map_err(|e| WorkerError::Internal(e.message))
}
