//! Runs a sink connector: Kafka records read back, through the converters and
//! transforms, into the JDBC writer, flushed with their offsets in one transaction of
//! the target database. A restart (after a failure, a stop or a crash) resumes from the
//! offsets that transaction stored, so each record is applied exactly once.
//!
//! The loop is one `select!`, in priority order: stopping (the gathered rows are
//! flushed first), then a due flush (`ferrium.flush.interval.ms` after the first
//! pending record), then (for a replay) the check for its end, then a look for new
//! partitions, then the next record. Memory is
//! bounded by `batch.size`: a full batch is flushed before the next record is read.

mod consumer;
mod intake;
pub(crate) mod offsets;
pub mod replay;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_event::ErrorAction;
use ferrium_sink_jdbc::{Coordinates, Flushed, JdbcSinkConfig, JdbcWriter, SinkError};
use rdkafka::consumer::Consumer;
use rdkafka::message::{Headers, Message};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::connector::ConnectorOutcome;
use crate::error_policy::ConnectorError;
use consumer::{assign, commit_group, partitions, reset_position, stored_map};
use intake::{RawRecord, SinkIntake};

pub(crate) use ferrium_sink_jdbc::CONNECTOR_CLASS;

/// How often the topic list is read again for new topics (`topics.regex`) and partitions.
const REFRESH: Duration = Duration::from_secs(3);

type RunError = (ConnectorError, Option<(i64, Duration)>);

pub(crate) fn is_sink(config: &ConnectorConfig) -> bool {
    config
        .get("connector.class")
        .and_then(crate::worker::resolve_class)
        == Some(CONNECTOR_CLASS)
}

fn connector_error(e: SinkError) -> ConnectorError {
    ConnectorError::new(e.action, e.message)
}

pub(crate) fn sink_config(config: &ConnectorConfig) -> Result<JdbcSinkConfig, ConnectorError> {
    JdbcSinkConfig::from_connector(config).map_err(|e| {
        ConnectorError::fail(format!(
            "connector '{}' has an invalid configuration: {e}",
            config.name
        ))
    })
}

/// Per-connector metrics of the sink, Prometheus-style.
fn record_flush(connector: &str, flushed: &Flushed) {
    let label = || connector.to_string();
    metrics::counter!("ferrium_sink_records_total", "connector" => label())
        .increment(flushed.records as u64);
    metrics::counter!("ferrium_sink_rows_written_total", "connector" => label())
        .increment(flushed.rows_written as u64);
    metrics::counter!("ferrium_sink_rows_deleted_total", "connector" => label())
        .increment(flushed.rows_deleted as u64);
    metrics::counter!("ferrium_sink_batches_total", "connector" => label()).increment(1);
    let now_ms = chrono::Utc::now().timestamp_millis();
    metrics::gauge!("ferrium_sink_last_commit_timestamp_ms", "connector" => label())
        .set(now_ms as f64);
    if let Some(ts) = flushed.newest_event_ms {
        metrics::gauge!("ferrium_sink_event_to_commit_ms", "connector" => label())
            .set((now_ms - ts).max(0) as f64);
    }
}

/// Applies what the writer gathered; then the consumer group hears of it.
async fn flush(
    connector: &str,
    writer: &mut JdbcWriter,
    consumer: &consumer::SinkConsumer,
    consumed: &BTreeMap<(Arc<str>, i32), i64>,
) -> Result<(), ConnectorError> {
    let flushed = writer.flush().await.map_err(connector_error)?;
    if flushed.records > 0 {
        record_flush(connector, &flushed);
        commit_group(consumer, consumed);
    }
    Ok(())
}

/// One run of a sink connector, until it stops or fails.
pub(crate) async fn run_once(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    shutdown: &CancellationToken,
) -> Result<ConnectorOutcome, RunError> {
    run(config, worker, shutdown, None).await
}

/// A run that ends once every partition reached `ends` (a replay), counting records.
pub(crate) struct Until {
    pub from: replay::ReplayFrom,
    pub ends: BTreeMap<(Arc<str>, i32), i64>,
    pub done: Arc<std::sync::atomic::AtomicU64>,
}

impl Until {
    fn reached(&self, consumed: &BTreeMap<(Arc<str>, i32), i64>) -> bool {
        self.ends.iter().all(|(partition, end)| {
            *end <= 0 || consumed.get(partition).is_some_and(|next| next >= end)
        })
    }
}

async fn run(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    shutdown: &CancellationToken,
    until: Option<&Until>,
) -> Result<ConnectorOutcome, RunError> {
    let settings = sink_config(config).map_err(|e| (e, None))?;
    let retry = Some((
        i64::from(settings.flush_max_retries),
        settings.flush_retry_delay,
    ));
    let mut intake = SinkIntake::from_config(&worker.props, config).map_err(|problems| {
        (
            ConnectorError::fail(format!(
                "connector '{}' has an invalid configuration: {}",
                config.name,
                problems.join("; ")
            )),
            None,
        )
    })?;
    intake.check().await.map_err(|e| (e, retry))?;
    let reset = reset_position(worker, config).map_err(|e| (e, None))?;
    let (batch_size, flush_interval, topics) = (
        settings.batch_size,
        settings.flush_interval,
        settings.topics.clone(),
    );
    let mut writer = JdbcWriter::open(settings)
        .await
        .map_err(|e| (connector_error(e), retry))?;
    let consumer = Arc::new(consumer::consumer(worker, config).map_err(|e| (e, None))?);
    let mut assigned: BTreeSet<(String, i32)> = BTreeSet::new();
    let found = partitions(&consumer, &topics)
        .await
        .map_err(|e| (e, retry))?;
    let (stored, reset) = match until {
        None => (
            stored_map(
                &writer
                    .stored_offsets()
                    .await
                    .map_err(|e| (connector_error(e), retry))?,
            ),
            reset,
        ),
        Some(until) => replay::start_positions(&consumer, &found, &until.from)
            .await
            .map_err(|e| (e, None))?,
    };
    assign(&consumer, &found, &stored, reset).map_err(|e| (e, retry))?;
    assigned.extend(found);
    tracing::info!(connector = %config.name, partitions = assigned.len(), resumed = stored.len(), "sink connector started");

    let mut names: HashMap<String, Arc<str>> = HashMap::new();
    let mut consumed: BTreeMap<(Arc<str>, i32), i64> = BTreeMap::new();
    let mut due: Option<Instant> = None;
    let mut refresh = tokio::time::interval_at(Instant::now() + REFRESH, REFRESH);
    if until.is_some_and(|u| u.reached(&consumed)) {
        return Ok(ConnectorOutcome::Finished);
    }
    // A replay ends at its end offsets; transaction markers and aborted records below
    // them are never delivered, so a replay that read nothing for IDLE_END is done too.
    const IDLE_END: Duration = Duration::from_secs(5);
    let mut last_record = Instant::now();
    let mut idle = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                flush(&config.name, &mut writer, &consumer, &consumed).await.map_err(|e| (e, retry))?;
                return Ok(ConnectorOutcome::Stopped);
            }
            _ = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                flush(&config.name, &mut writer, &consumer, &consumed).await.map_err(|e| (e, retry))?;
                due = None;
            }
            _ = idle.tick(), if until.is_some() => {
                // The consumer's position passes transaction markers, which no record shows.
                let positions = consumer.position().map(|list| {
                    list.elements()
                        .into_iter()
                        .filter_map(|e| match e.offset() {
                            rdkafka::Offset::Offset(n) => Some(((Arc::from(e.topic()), e.partition()), n)),
                            _ => None,
                        })
                        .collect::<BTreeMap<(Arc<str>, i32), i64>>()
                });
                let at_end = positions.is_ok_and(|p| until.is_some_and(|u| u.reached(&p)));
                if at_end || last_record.elapsed() >= IDLE_END {
                    flush(&config.name, &mut writer, &consumer, &consumed).await.map_err(|e| (e, retry))?;
                    return Ok(ConnectorOutcome::Finished);
                }
            }
            _ = refresh.tick() => {
                let found = partitions(&consumer, &topics).await.map_err(|e| (e, retry))?;
                let new: BTreeSet<(String, i32)> = found.difference(&assigned).cloned().collect();
                if !new.is_empty() {
                    tracing::info!(connector = %config.name, new = new.len(), "reading new partitions");
                    assign(&consumer, &new, &stored, reset).map_err(|e| (e, retry))?;
                    assigned.extend(new);
                }
            }
            message = consumer.recv() => {
                let message = message.map_err(|e| (ConnectorError::new(ErrorAction::Retry, format!("cannot read from Kafka: {e}")), retry))?;
                let topic = match names.get(message.topic()) {
                    Some(t) => t.clone(),
                    None => {
                        let t: Arc<str> = Arc::from(message.topic());
                        names.insert(message.topic().to_string(), t.clone());
                        t
                    }
                };
                let headers = message
                    .headers()
                    .map(|h| h.iter().map(|x| (x.key, x.value)).collect())
                    .unwrap_or_default();
                let raw = RawRecord {
                    topic: &topic,
                    partition: message.partition(),
                    timestamp: message.timestamp().to_millis(),
                    key: message.key(),
                    value: message.payload(),
                    headers,
                };
                let at = Coordinates { topic: topic.clone(), partition: message.partition(), offset: message.offset() };
                match intake.take(raw, shutdown).await.map_err(|e| (e, retry))? {
                    Some(taken) => writer.push(&taken.record, &at, taken.ts_ms).await.map_err(|e| (connector_error(e), retry))?,
                    None => writer.skip(&at),
                }
                consumed.insert((at.topic.clone(), at.partition), at.offset + 1);
                last_record = Instant::now();
                if let Some(until) = until {
                    until.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if until.reached(&consumed) {
                        flush(&config.name, &mut writer, &consumer, &consumed).await.map_err(|e| (e, retry))?;
                        return Ok(ConnectorOutcome::Finished);
                    }
                }
                if writer.pending() >= batch_size {
                    flush(&config.name, &mut writer, &consumer, &consumed).await.map_err(|e| (e, retry))?;
                    due = None;
                } else if due.is_none() {
                    due = Some(Instant::now() + flush_interval);
                }
            }
        }
    }
}
