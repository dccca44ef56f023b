//! The Kafka side of a sink connector: a consumer that reads committed records only
//! (`isolation.level=read_committed`, so an exactly-once source's aborted writes never
//! reach the target), assigned by hand to every partition of the connector's topics at
//! the offsets the target database stored, and the per-partition lag it reports.
//!
//! Manual assignment rather than a subscription: the sink's offsets live in the target
//! database, not in the consumer group, and one task reads every partition; the group
//! (`connect-<name>`, as Kafka Connect names it) still receives commits after each flush
//! so Kafka's own tools show the sink's progress.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_sink_jdbc::StoredOffset;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::error_policy::ConnectorError;
use ferrium_event::ErrorAction;

/// Records each partition's lag from librdkafka's statistics.
pub(crate) struct LagContext {
    connector: String,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        for (topic, stats) in &statistics.topics {
            for (partition, p) in &stats.partitions {
                if *partition < 0 || p.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!("ferrium_sink_partition_lag", "connector" => self.connector.clone(), "topic" => topic.clone(), "partition" => partition.to_string())
                    .set(p.consumer_lag as f64);
            }
        }
    }
}

impl ConsumerContext for LagContext {}

pub(crate) type SinkConsumer = StreamConsumer<LagContext>;

fn retry(message: String) -> ConnectorError {
    ConnectorError::new(ErrorAction::Retry, message)
}

/// The consumer of a sink connector: the worker's `consumer.*` settings, then the
/// connector's `consumer.override.*`, over Ferrium's defaults.
pub(crate) fn consumer(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<SinkConsumer, ConnectorError> {
    let bootstrap = worker.bootstrap_servers().ok_or_else(|| {
        ConnectorError::fail(
            "a sink connector reads from Kafka: set bootstrap.servers in the worker config",
        )
    })?;
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("connect-{}", config.name))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_committed")
        .set("auto.offset.reset", "earliest")
        .set("statistics.interval.ms", "5000")
        .set("fetch.wait.max.ms", "100");
    let mut consumer = worker.with_prefix("consumer.");
    for (key, value) in &config.props {
        if let Some(k) = key.strip_prefix("consumer.override.") {
            consumer.insert(k.to_string(), value.clone());
        }
    }
    for (key, value) in crate::delivery::client_settings(&consumer, "consumer.")? {
        client.set(key, value);
    }
    client
        .create_with_context(LagContext {
            connector: config.name.clone(),
        })
        .map_err(|e| ConnectorError::fail(format!("cannot create the Kafka consumer: {e}")))
}

/// The partitions of the topics the connector reads, from the broker's metadata.
pub(crate) async fn partitions(
    consumer: &Arc<SinkConsumer>,
    wanted: &ferrium_sink_jdbc::config::Topics,
) -> Result<BTreeSet<(String, i32)>, ConnectorError> {
    let consumer = consumer.clone();
    let metadata =
        tokio::task::spawn_blocking(move || consumer.fetch_metadata(None, Duration::from_secs(10)))
            .await
            .map_err(|e| ConnectorError::fail(format!("metadata task failed: {e}")))?
            .map_err(|e| retry(format!("cannot read the topic list from Kafka: {e}")))?;
    Ok(metadata
        .topics()
        .iter()
        .filter(|t| wanted.matches(t.name()) && t.error().is_none())
        .flat_map(|t| {
            t.partitions()
                .iter()
                .map(move |p| (t.name().to_string(), p.id()))
        })
        .collect())
}

/// Adds `new` partitions to the assignment, each at its stored offset (or where
/// `auto.offset.reset` says when the target has none).
pub(crate) fn assign(
    consumer: &SinkConsumer,
    new: &BTreeSet<(String, i32)>,
    stored: &BTreeMap<(String, i32), i64>,
    reset: Offset,
) -> Result<(), ConnectorError> {
    if new.is_empty() {
        return Ok(());
    }
    let mut list = TopicPartitionList::new();
    for (topic, partition) in new {
        let offset = match stored.get(&(topic.clone(), *partition)) {
            Some(o) => Offset::Offset(*o),
            // No committed group offset is consulted: the target database is the
            // record of what was applied, so a reset there starts over.
            None => reset,
        };
        list.add_partition_offset(topic, *partition, offset)
            .map_err(|e| ConnectorError::fail(format!("cannot assign {topic}-{partition}: {e}")))?;
    }
    consumer
        .incremental_assign(&list)
        .map_err(|e| retry(format!("cannot assign partitions: {e}")))
}

/// Where a partition without a stored offset starts: `auto.offset.reset` (Kafka
/// Connect's sink default is `earliest`).
pub(crate) fn reset_position(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<Offset, ConnectorError> {
    let value = config
        .get("consumer.override.auto.offset.reset")
        .or_else(|| worker.get("consumer.auto.offset.reset"))
        .unwrap_or("earliest");
    match value {
        "earliest" | "smallest" | "beginning" => Ok(Offset::Beginning),
        "latest" | "largest" | "end" => Ok(Offset::End),
        other => Err(ConnectorError::fail(format!(
            "invalid value '{other}' for option 'consumer.override.auto.offset.reset': expected earliest or latest"
        ))),
    }
}

/// Stored offsets as a map.
pub(crate) fn stored_map(stored: &[StoredOffset]) -> BTreeMap<(String, i32), i64> {
    stored
        .iter()
        .map(|o| ((o.topic.clone(), o.partition), o.offset))
        .collect()
}

/// Tells the consumer group how far the sink got (for Kafka's tools; the target
/// database stays the record the sink resumes from).
pub(crate) fn commit_group(consumer: &SinkConsumer, offsets: &BTreeMap<(Arc<str>, i32), i64>) {
    let mut list = TopicPartitionList::new();
    for ((topic, partition), next) in offsets {
        if list
            .add_partition_offset(topic, *partition, Offset::Offset(*next))
            .is_err()
        {
            return;
        }
    }
    if let Err(error) = consumer.commit(&list, CommitMode::Async) {
        tracing::debug!(%error, "cannot commit the sink's offsets to its consumer group");
    }
}
