//! `ferrium replay`: a sink connector's read model rebuilt into a fresh table, from the
//! earliest offset, an offset or a timestamp, up to the end each partition had when the
//! replay started; then it stops. It runs under its own name (`<name>-replay`), so its
//! offsets in the target never touch the live connector's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_sink_jdbc::JdbcWriter;
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use super::consumer::{partitions, SinkConsumer};
use super::{connector_error, is_sink, run, sink_config, Until};
use crate::connector::ConnectorOutcome;
use crate::error_policy::ConnectorError;

/// Where a replay starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayFrom {
    Earliest,
    /// The same offset in every partition.
    Offset(i64),
    /// The first record at or after this time (epoch milliseconds), per partition.
    Timestamp(i64),
}

impl ReplayFrom {
    /// `earliest`, an offset (`1234`), or `@<epoch ms>`.
    pub fn parse(text: &str) -> Result<ReplayFrom, String> {
        let bad = || {
            format!("--from '{text}': expected earliest, an offset (1234) or @<epoch milliseconds> (@1700000000000)")
        };
        match text {
            "earliest" => Ok(ReplayFrom::Earliest),
            t if t.starts_with('@') => t[1..].parse().map(ReplayFrom::Timestamp).map_err(|_| bad()),
            t => t
                .parse()
                .ok()
                .filter(|n| *n >= 0)
                .map(ReplayFrom::Offset)
                .ok_or_else(bad),
        }
    }
}

/// Progress of a running replay, for the terminal.
#[derive(Debug, Clone, Default)]
pub struct ReplayProgress {
    pub done: Arc<AtomicU64>,
    pub total: Arc<AtomicU64>,
}

/// What a finished replay did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySummary {
    pub connector: String,
    pub records: u64,
    pub partitions: usize,
}

/// Where each partition starts, as stored positions and the default for the rest.
pub(crate) async fn start_positions(
    consumer: &Arc<SinkConsumer>,
    found: &BTreeSet<(String, i32)>,
    from: &ReplayFrom,
) -> Result<(BTreeMap<(String, i32), i64>, Offset), ConnectorError> {
    match from {
        ReplayFrom::Earliest => Ok((BTreeMap::new(), Offset::Beginning)),
        ReplayFrom::Offset(n) => Ok((
            found.iter().map(|tp| (tp.clone(), *n)).collect(),
            Offset::Beginning,
        )),
        ReplayFrom::Timestamp(ms) => {
            let mut list = TopicPartitionList::new();
            for (topic, partition) in found {
                list.add_partition_offset(topic, *partition, Offset::Offset(*ms))
                    .map_err(|e| ConnectorError::fail(e.to_string()))?;
            }
            let consumer = consumer.clone();
            let answer = tokio::task::spawn_blocking(move || {
                consumer.offsets_for_times(list, Duration::from_secs(10))
            })
            .await
            .map_err(|e| ConnectorError::fail(e.to_string()))?
            .map_err(|e| {
                ConnectorError::fail(format!("cannot find the offsets at {ms} ms: {e}"))
            })?;
            let mut positions = BTreeMap::new();
            for element in answer.elements() {
                let offset = match element.offset() {
                    Offset::Offset(n) => n,
                    // No record at or after the time: start at the end.
                    _ => i64::MAX,
                };
                positions.insert((element.topic().to_string(), element.partition()), offset);
            }
            Ok((positions, Offset::End))
        }
    }
}

async fn end_offsets(
    consumer: &Arc<SinkConsumer>,
    found: &BTreeSet<(String, i32)>,
) -> Result<BTreeMap<(String, i32), (i64, i64)>, ConnectorError> {
    let consumer = consumer.clone();
    let found = found.clone();
    tokio::task::spawn_blocking(move || {
        found
            .into_iter()
            .map(|(topic, partition)| {
                let marks = consumer
                    .fetch_watermarks(&topic, partition, Duration::from_secs(10))
                    .map_err(|e| {
                        ConnectorError::fail(format!(
                            "cannot read the end of {topic}-{partition}: {e}"
                        ))
                    })?;
                Ok(((topic, partition), marks))
            })
            .collect()
    })
    .await
    .map_err(|e| ConnectorError::fail(e.to_string()))?
}

/// Replays the sink connector `config` into tables named by `into` (its
/// `collection.name.format` for the replay), then returns.
pub async fn replay_sink(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    from: ReplayFrom,
    into: &str,
    progress: &ReplayProgress,
    shutdown: &CancellationToken,
) -> Result<ReplaySummary, ConnectorError> {
    if !is_sink(config) {
        return Err(ConnectorError::fail(format!(
            "connector '{}' is not a sink connector: replay rebuilds a JDBC sink's read model",
            config.name
        )));
    }
    let (mut config, _) = crate::connector::resolve_config(config, worker)?;
    config.name = format!("{}-replay", config.name);
    config
        .props
        .insert("collection.name.format".into(), into.to_string());
    config.props.remove("table.name.format");
    let settings = sink_config(&config)?;
    let topics = settings.topics.clone();
    // A replay starts over: the replay's own offsets are cleared first.
    JdbcWriter::open(settings)
        .await
        .map_err(connector_error)?
        .alter_offsets(&[], true)
        .await
        .map_err(connector_error)?;
    let consumer = Arc::new(super::consumer::consumer(worker, &config)?);
    let found = partitions(&consumer, &topics).await?;
    let marks = end_offsets(&consumer, &found).await?;
    let (starts, _) = start_positions(&consumer, &found, &from).await?;
    let total: i64 = marks
        .iter()
        .map(|(tp, (low, high))| {
            let start = starts.get(tp).copied().unwrap_or(*low).max(*low);
            (high - start).max(0)
        })
        .sum();
    progress
        .total
        .store(total as u64, std::sync::atomic::Ordering::Relaxed);
    drop(consumer);
    let until = Until {
        from,
        ends: marks
            .into_iter()
            .map(|((topic, partition), (_, high))| ((Arc::from(topic.as_str()), partition), high))
            .collect(),
        done: progress.done.clone(),
    };
    match run(&config, worker, shutdown, Some(&until)).await {
        Ok(ConnectorOutcome::Finished) => Ok(ReplaySummary {
            connector: config.name.clone(),
            records: progress.done.load(std::sync::atomic::Ordering::Relaxed),
            partitions: until.ends.len(),
        }),
        Ok(ConnectorOutcome::Stopped) => Err(ConnectorError::fail(
            "the replay was stopped before it reached the end",
        )),
        Err((error, _)) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_parses_the_three_forms() {
        assert_eq!(ReplayFrom::parse("earliest"), Ok(ReplayFrom::Earliest));
        assert_eq!(ReplayFrom::parse("42"), Ok(ReplayFrom::Offset(42)));
        assert_eq!(
            ReplayFrom::parse("@1700000000000"),
            Ok(ReplayFrom::Timestamp(1_700_000_000_000))
        );
        assert!(ReplayFrom::parse("-1").unwrap_err().contains("earliest"));
        assert!(ReplayFrom::parse("yesterday").is_err());
    }
}
