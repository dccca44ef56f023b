//! Runs one connector: builds its source, intake (transforms, converters) and sink from
//! the configs, runs the source and the pipeline side by side, and restarts both from the
//! stored offset after a transient error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrium_config::{ConnectorConfig, Scrubber, WorkerConfig};
use ferrium_event::{Source, SourceContext, SourceExit, SourcePartition};
use ferrium_sink::{KafkaSink, OffsetsTopic, Sink, StdoutSink, TransactionalKafkaSink};
use ferrium_source_mysql::MysqlSource;
use ferrium_source_postgres::PostgresSource;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::delivery::{kafka_sink_config, transactional_id, Delivery};
use crate::error_policy::{is_retriable, Backoff, ConnectorError};
use crate::history::open_history;
use crate::intake::Intake;
use crate::offsets::format::{decode_value, encode_key};
use crate::pipeline::{run_pipeline, PipelineSettings};
use crate::pipeline_exactly_once::run_exactly_once;

/// `connector.class` values this build runs.
pub const SUPPORTED_CONNECTORS: &[&str] = &[
    ferrium_source_postgres::CONNECTOR_CLASS,
    ferrium_source_mysql::CONNECTOR_CLASS,
    ferrium_source_mysql::MARIADB_CONNECTOR_CLASS,
    ferrium_sink_jdbc::CONNECTOR_CLASS,
];

/// How a connector run ended without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorOutcome {
    Stopped,
    Finished,
}

/// A source as built from its config; a MySQL source still needs its schema history
/// store, which may live in Kafka and is opened asynchronously.
enum PendingSource {
    Ready(Box<dyn Source>),
    Mysql(Box<MysqlSource>),
}

impl PendingSource {
    async fn open(
        self,
        worker: &WorkerConfig,
        config: &ConnectorConfig,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        match self {
            PendingSource::Ready(source) => Ok(source),
            PendingSource::Mysql(source) => {
                let store = open_history(source.history_location(), worker, config).await?;
                Ok(Box::new((*source).with_history(store)))
            }
        }
    }
}

/// A source with the settings the runtime needs from its config.
struct BuiltSource {
    source: PendingSource,
    partition: SourcePartition,
    max_batch: usize,
    max_queue: usize,
    max_retries: i64,
    retry_wait: Duration,
    signals: ferrium_config::signal::SignalSettings,
}

fn build_source(config: &ConnectorConfig) -> Result<BuiltSource, ConnectorError> {
    let class = config.get("connector.class").unwrap_or("");
    match class {
        ferrium_source_postgres::CONNECTOR_CLASS | "PostgresConnector" => {
            let source =
                PostgresSource::new(config).map_err(|e| ConnectorError::fail(e.to_string()))?;
            let settings = source.common();
            Ok(BuiltSource {
                partition: source.partition(),
                max_batch: settings.max_batch_size,
                max_queue: settings.max_queue_size,
                max_retries: settings.errors_max_retries,
                retry_wait: settings.retriable_restart_wait,
                signals: settings.signals.clone(),
                source: PendingSource::Ready(Box::new(source)),
            })
        }
        ferrium_source_mysql::CONNECTOR_CLASS
        | ferrium_source_mysql::MARIADB_CONNECTOR_CLASS
        | "MySqlConnector"
        | "MariaDbConnector" => {
            let source =
                MysqlSource::new(config).map_err(|e| ConnectorError::fail(e.to_string()))?;
            let settings = source.common();
            Ok(BuiltSource {
                partition: source.partition(),
                max_batch: settings.max_batch_size,
                max_queue: settings.max_queue_size,
                max_retries: settings.errors_max_retries,
                retry_wait: settings.retriable_restart_wait,
                signals: settings.signals.clone(),
                source: PendingSource::Mysql(Box::new(source)),
            })
        }
        "" => Err(ConnectorError::fail(format!(
            "connector '{}' has no 'connector.class'; set it to one of: {}",
            config.name,
            SUPPORTED_CONNECTORS.join(", ")
        ))),
        other => Err(ConnectorError::fail(format!(
            "connector '{}': unknown connector.class '{other}'; this Ferrium build runs: {}",
            config.name,
            SUPPORTED_CONNECTORS.join(", ")
        ))),
    }
}

/// `transaction.boundary.interval.ms`: how often the exactly-once pipeline commits.
fn commit_interval(config: &ConnectorConfig) -> Result<Duration, ConnectorError> {
    match config.get("transaction.boundary.interval.ms") {
        None => Ok(Duration::from_millis(100)),
        Some(v) => v.parse::<u64>().ok().filter(|ms| *ms > 0).map(Duration::from_millis).ok_or_else(|| {
            ConnectorError::fail(format!(
                "invalid value '{v}' for option 'transaction.boundary.interval.ms': expected a positive integer"
            ))
        }),
    }
}

/// The source partition of a connector (its offsets key), from its config.
pub(crate) fn source_partition(
    config: &ConnectorConfig,
) -> Result<SourcePartition, ConnectorError> {
    build_source(config).map(|b| b.partition)
}

/// The connector's transforms and converters; a problem fails the connector at start.
fn build_intake(worker: &WorkerConfig, config: &ConnectorConfig) -> Result<Intake, ConnectorError> {
    Intake::from_config(&worker.props, config).map_err(|problems| {
        ConnectorError::fail(format!(
            "connector '{}' has an invalid configuration: {}",
            config.name,
            problems.join("; ")
        ))
    })
}

/// The connector's config with the worker's config-provider placeholders resolved, and
/// the scrubber that puts the placeholders back into whatever the connector reports.
/// An unresolvable placeholder fails the connector, naming the key and the provider.
pub fn resolve_config(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
) -> Result<(ConnectorConfig, Scrubber), ConnectorError> {
    let (resolved, resolution) = worker.resolve_connector(config);
    if !resolution.problems.is_empty() {
        return Err(ConnectorError::fail(format!(
            "connector '{}' has an invalid configuration: {}",
            config.name,
            resolution.problems.join("; ")
        )));
    }
    Ok((resolved, resolution.scrubber()))
}

/// Runs a connector until it finishes, fails, or `shutdown` fires. Its config's
/// placeholders are resolved here, at each start, so a rotated secret is read on restart;
/// the resolved values reach the connector and never its errors or logs.
pub async fn run_connector(
    config: ConnectorConfig,
    worker: WorkerConfig,
    delivery: Arc<Delivery>,
    handles: ConnectorHandles,
    shutdown: CancellationToken,
) -> Result<ConnectorOutcome, ConnectorError> {
    let (config, scrubber) = resolve_config(&config, &worker)?;
    run_resolved(config, worker, delivery, handles, shutdown, &scrubber)
        .await
        .map_err(|mut error| {
            error.message = scrubber.scrub(&error.message);
            error
        })
}

async fn run_resolved(
    config: ConnectorConfig,
    worker: WorkerConfig,
    delivery: Arc<Delivery>,
    handles: ConnectorHandles,
    shutdown: CancellationToken,
    scrubber: &Scrubber,
) -> Result<ConnectorOutcome, ConnectorError> {
    const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
    let offset_flush = Duration::from_millis(
        worker
            .offset_flush_interval_ms()
            .map_err(|e| ConnectorError::fail(e.to_string()))?,
    );
    let mut backoff: Option<Backoff> = None;
    loop {
        let started = Instant::now();
        let mut progressed = false;
        let result = run_once(
            &config,
            &worker,
            &delivery,
            &handles,
            &shutdown,
            offset_flush,
            &mut progressed,
        )
        .await;
        let (error, built_retry) = match result {
            Ok(outcome) => return Ok(outcome),
            Err((error, retry)) => (error, retry),
        };
        if shutdown.is_cancelled() && is_retriable(&error) {
            // Stopping interrupted a run that was failing anyway; that is a stop.
            return Ok(ConnectorOutcome::Stopped);
        }
        if !is_retriable(&error) {
            return Err(error);
        }
        let (max_retries, wait) = built_retry.unwrap_or((-1, INITIAL_BACKOFF));
        let backoff = backoff.get_or_insert_with(|| {
            Backoff::new(
                wait.max(Duration::from_millis(100)),
                Duration::from_secs(60),
                max_retries,
            )
        });
        // A run that recovered (it stored an offset) or streamed for a while before
        // failing starts the backoff over: the next outage is a new one, and waiting as
        // long as after the last retry of an earlier outage would only delay recovery.
        if progressed || started.elapsed() > Duration::from_secs(120) {
            backoff.reset(wait);
        }
        let Some(delay) = backoff.next_delay() else {
            return Err(ConnectorError::fail(format!(
                "{} (gave up after {} retries, errors.max.retries)",
                error.message,
                backoff.attempts()
            )));
        };
        let error = scrubber.scrub(&error.to_string());
        tracing::warn!(connector = %config.name, error = %error, retry_in_ms = delay.as_millis() as u64, "connector failed with a retriable error; restarting from the stored offset");
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(ConnectorOutcome::Stopped),
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

/// What outlives one run of a connector: the way signals reach it and the snapshot
/// progress it reports. Kept by whoever runs the connector (the worker, `ferrium run`).
#[derive(Clone)]
pub struct ConnectorHandles {
    pub signals: ferrium_event::signal::SignalSender,
    pub inbox: ferrium_event::signal::SignalInbox,
    pub snapshot_status: ferrium_event::snapshot_status::SnapshotStatus,
}

impl ConnectorHandles {
    pub fn new() -> Self {
        let (signals, inbox) = ferrium_event::signal::SignalInbox::channel();
        ConnectorHandles {
            signals,
            inbox,
            snapshot_status: Default::default(),
        }
    }
}

impl Default for ConnectorHandles {
    fn default() -> Self {
        ConnectorHandles::new()
    }
}

type RunError = (ConnectorError, Option<(i64, Duration)>);

/// A started source and the way offsets flow back to it (its channel to the pipeline is
/// returned beside it).
struct RunningSource {
    task: tokio::task::JoinHandle<Result<SourceExit, Box<dyn ferrium_event::Classified>>>,
    committed: watch::Sender<Option<ferrium_event::Offset>>,
    /// Sees whether an offset was stored during this run.
    progress: watch::Receiver<Option<ferrium_event::Offset>>,
    shutdown: CancellationToken,
}

fn start_source(
    mut source: Box<dyn Source>,
    config: &ConnectorConfig,
    partition: &SourcePartition,
    stored: Option<ferrium_event::Offset>,
    queue: usize,
    handles: &ConnectorHandles,
    shutdown: &CancellationToken,
) -> (mpsc::Receiver<ferrium_event::SourceMessage>, RunningSource) {
    let (tx, records) = mpsc::channel(queue);
    let (committed, committed_rx) = watch::channel(stored.clone());
    let source_shutdown = shutdown.child_token();
    let ctx = SourceContext {
        connector: config.name.clone(),
        partition: partition.clone(),
        stored_offset: stored,
        messages: tx,
        committed: committed_rx,
        shutdown: source_shutdown.clone(),
        signals: handles.inbox.clone(),
        snapshot_status: handles.snapshot_status.clone(),
    };
    let running = RunningSource {
        task: tokio::spawn(async move { source.run(ctx).await }),
        progress: committed.subscribe(),
        committed,
        shutdown: source_shutdown,
    };
    (records, running)
}

/// Waits for the source after the pipeline ended and combines both outcomes; notes in
/// `progressed` whether the run stored an offset.
async fn finish(
    running: RunningSource,
    pipeline: Result<(), ConnectorError>,
    retry: Option<(i64, Duration)>,
    progressed: &mut bool,
) -> Result<ConnectorOutcome, RunError> {
    if pipeline.is_err() {
        running.shutdown.cancel();
    }
    let source_result = running.task.await;
    *progressed = running.progress.has_changed().unwrap_or(false);
    pipeline.map_err(|e| (e, retry))?;
    match source_result {
        Ok(Ok(SourceExit::Finished)) => Ok(ConnectorOutcome::Finished),
        Ok(Ok(SourceExit::Shutdown)) => Ok(ConnectorOutcome::Stopped),
        Ok(Err(error)) => Err((
            ConnectorError::new(error.action(), error.to_string()),
            retry,
        )),
        Err(join) => Err((
            ConnectorError::fail(format!("source task panicked: {join}")),
            retry,
        )),
    }
}

async fn run_once(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    delivery: &Delivery,
    handles: &ConnectorHandles,
    shutdown: &CancellationToken,
    offset_flush_interval: Duration,
    progressed: &mut bool,
) -> Result<ConnectorOutcome, RunError> {
    if crate::sink_task::is_sink(config) {
        return crate::sink_task::run_once(config, worker, shutdown).await;
    }
    let BuiltSource {
        source,
        partition,
        max_batch,
        max_queue,
        max_retries,
        retry_wait,
        signals,
    } = build_source(config).map_err(|e| (e, None))?;
    let retry = Some((max_retries, retry_wait));
    delivery.check_connector(config).map_err(|e| (e, None))?;
    let mut intake = build_intake(worker, config).map_err(|e| (e, None))?;
    intake.check().await.map_err(|e| (e, retry))?;
    let source = source.open(worker, config).await.map_err(|e| (e, retry))?;
    // The Kafka signal channel lives as long as this run (dropping the guard stops it).
    let _kafka_signals = match &signals.kafka {
        Some(kafka) => Some(
            crate::signal_channels::spawn_kafka_channel(
                kafka,
                config,
                worker,
                handles.clone(),
                shutdown,
            )
            .map_err(|e| (e, None))?,
        ),
        None => None,
    };
    // The channel carries batches; its capacity in records is about max.queue.size.
    let queue = (max_queue / max_batch.max(1)).max(2);
    let settings = PipelineSettings {
        connector: config.name.clone(),
        partition: partition.clone(),
        max_batch,
        max_in_flight: 16,
        offset_flush_interval,
        commit_interval: commit_interval(config).map_err(|e| (e, None))?,
    };

    if let Delivery::KafkaExactlyOnce(topic) = delivery {
        let kafka = kafka_sink_config(worker, config).map_err(|e| (e, retry))?;
        let transient = |e: ferrium_sink::SinkError| {
            let mut error = ConnectorError::from(e);
            error.message = format!("Kafka at {}: {}", kafka.bootstrap_servers, error.message);
            (error, retry)
        };
        let offsets = OffsetsTopic::new(
            &kafka,
            &topic.topic,
            topic.partitions,
            topic.replication_factor,
        )
        .map_err(transient)?;
        offsets.ensure_exists().await.map_err(transient)?;
        // Fence older instances first: then no transaction of theirs is still open
        // when the committed offset is read.
        let mut sink =
            TransactionalKafkaSink::start(&kafka, &transactional_id(worker, &config.name))
                .await
                .map_err(transient)?;
        let stored = offsets
            .read_all()
            .await
            .map_err(transient)?
            .get(&encode_key(&config.name, &partition))
            .and_then(|v| decode_value(v));
        let (records, running) =
            start_source(source, config, &partition, stored, queue, handles, shutdown);
        let result = run_exactly_once(
            &settings,
            &topic.topic,
            records,
            &mut intake,
            &mut sink,
            &running.committed,
            shutdown,
        )
        .await;
        return finish(running, result, retry, progressed).await;
    }

    let Some(store) = delivery.store() else {
        return Err((
            ConnectorError::fail("no offset store for this delivery mode"),
            None,
        ));
    };
    let sink: Box<dyn Sink> = match delivery {
        Delivery::KafkaAtLeastOnce(_) => {
            let kafka = kafka_sink_config(worker, config).map_err(|e| (e, retry))?;
            Box::new(
                KafkaSink::new(&kafka).map_err(|e| (ConnectorError::fail(e.to_string()), retry))?,
            )
        }
        _ => match intake.avro_decoders() {
            (None, None) => Box::new(StdoutSink::new()),
            (key, value) => Box::new(crate::avro_shown::AvroShown {
                inner: Box::new(StdoutSink::new()),
                key,
                value,
            }),
        },
    };
    let mut sink: Box<dyn Sink> = Box::new(crate::sink_metrics::MeteredSink {
        inner: sink,
        metrics: crate::sink_metrics::SinkMetrics::new(&config.name),
    });
    let stored = store.load(&config.name, &partition);
    let (records, running) =
        start_source(source, config, &partition, stored, queue, handles, shutdown);
    let result = run_pipeline(
        &settings,
        records,
        &mut intake,
        sink.as_mut(),
        store.as_ref(),
        &running.committed,
        shutdown,
    )
    .await;
    finish(running, result, retry, progressed).await
}
