//! Runs one connector: builds its source, converter and sink from the configs, runs the
//! source and the pipeline side by side, and restarts both from the stored offset after
//! a transient error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_converter::{JsonConverter, RecordConverter};
use ferrium_event::{Source, SourceContext, SourceExit, SourcePartition};
use ferrium_sink::{KafkaSink, KafkaSinkConfig, Sink, StdoutSink};
use ferrium_source_postgres::PostgresSource;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::error_policy::{should_retry, Backoff, ConnectorError};
use crate::offsets::OffsetStore;
use crate::pipeline::{run_pipeline, PipelineSettings};

/// `connector.class` values this build runs.
pub const SUPPORTED_CONNECTORS: &[&str] = &[ferrium_source_postgres::CONNECTOR_CLASS];

/// How a connector run ended without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorOutcome {
    Stopped,
    Finished,
}

/// A source with the settings the runtime needs from its config.
struct BuiltSource {
    source: Box<dyn Source>,
    partition: SourcePartition,
    max_batch: usize,
    max_queue: usize,
    max_retries: i64,
    retry_wait: Duration,
}

fn build_source(config: &ConnectorConfig) -> Result<BuiltSource, ConnectorError> {
    let class = config.get("connector.class").unwrap_or("");
    match class {
        ferrium_source_postgres::CONNECTOR_CLASS | "PostgresConnector" => {
            let source =
                PostgresSource::new(config).map_err(|e| ConnectorError::fail(e.to_string()))?;
            let settings = source.settings();
            Ok(BuiltSource {
                partition: source.partition(),
                max_batch: settings.max_batch_size,
                max_queue: settings.max_queue_size,
                max_retries: settings.errors_max_retries,
                retry_wait: settings.retriable_restart_wait,
                source: Box::new(source),
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

fn build_converter(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<RecordConverter, ConnectorError> {
    let schemas = |converter: &str| -> Result<bool, ConnectorError> {
        worker
            .converter_class(converter)
            .map_err(|e| ConnectorError::fail(e.to_string()))?;
        // A connector may override the worker's converter settings, as in Kafka Connect.
        match config.get(&format!("{converter}.schemas.enable")) {
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ConnectorError::fail(format!(
                "invalid value '{v}' for option '{converter}.schemas.enable': expected true or false"
            ))),
            None => worker
                .schemas_enable(converter)
                .map_err(|e| ConnectorError::fail(e.to_string())),
        }
    };
    Ok(RecordConverter {
        key: JsonConverter::new(schemas("key.converter")?),
        value: JsonConverter::new(schemas("value.converter")?),
    })
}

fn build_sink(
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Result<Box<dyn Sink>, ConnectorError> {
    let Some(bootstrap) = worker.bootstrap_servers() else {
        return Ok(Box::new(StdoutSink::new()));
    };
    let mut producer = worker.with_prefix("producer.");
    for (key, value) in &config.props {
        if let Some(k) = key.strip_prefix("producer.override.") {
            producer.insert(k.to_string(), value.clone());
        }
    }
    let int = |key: &str| -> Result<i32, ConnectorError> {
        match config.get(key) {
            None => Ok(-1),
            Some(v) => v.parse().map_err(|_| {
                ConnectorError::fail(format!(
                    "invalid value '{v}' for option '{key}': expected an integer"
                ))
            }),
        }
    };
    let sink = KafkaSink::new(&KafkaSinkConfig {
        bootstrap_servers: bootstrap.to_string(),
        producer,
        topic_partitions: int("topic.creation.default.partitions")?,
        topic_replication_factor: int("topic.creation.default.replication.factor")?,
    })
    .map_err(|e| ConnectorError::fail(e.to_string()))?;
    Ok(Box::new(sink))
}

/// Runs a connector until it finishes, fails, or `shutdown` fires.
pub async fn run_connector(
    config: ConnectorConfig,
    worker: WorkerConfig,
    offsets: Arc<dyn OffsetStore>,
    shutdown: CancellationToken,
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
        let result = run_once(&config, &worker, offsets.clone(), &shutdown, offset_flush).await;
        let (error, built_retry) = match result {
            Ok(outcome) => return Ok(outcome),
            Err((error, retry)) => (error, retry),
        };
        if !should_retry(&error) || shutdown.is_cancelled() {
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
        // A run that streamed for a while before failing starts the backoff over.
        if started.elapsed() > Duration::from_secs(120) {
            backoff.reset(wait);
        }
        let Some(delay) = backoff.next_delay() else {
            return Err(ConnectorError::fail(format!(
                "{} (gave up after {} retries, errors.max.retries)",
                error.message,
                backoff.attempts()
            )));
        };
        tracing::warn!(connector = %config.name, error = %error, retry_in_ms = delay.as_millis() as u64, "connector failed with a retriable error; restarting from the stored offset");
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(ConnectorOutcome::Stopped),
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

type RunError = (ConnectorError, Option<(i64, Duration)>);

async fn run_once(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    offsets: Arc<dyn OffsetStore>,
    shutdown: &CancellationToken,
    offset_flush_interval: Duration,
) -> Result<ConnectorOutcome, RunError> {
    let BuiltSource {
        mut source,
        partition,
        max_batch,
        max_queue,
        max_retries,
        retry_wait,
    } = build_source(config).map_err(|e| (e, None))?;
    let retry = Some((max_retries, retry_wait));
    let mut converter = build_converter(worker, config).map_err(|e| (e, retry))?;
    let mut sink = build_sink(worker, config).map_err(|e| (e, retry))?;

    let stored = offsets.load(&config.name, &partition);
    // The channel carries batches; its capacity in records is about max.queue.size.
    let (tx, rx) = mpsc::channel((max_queue / max_batch.max(1)).max(2));
    let (committed_tx, committed_rx) = watch::channel(stored.clone());
    let source_shutdown = shutdown.child_token();
    let ctx = SourceContext {
        connector: config.name.clone(),
        partition: partition.clone(),
        stored_offset: stored,
        messages: tx,
        committed: committed_rx,
        shutdown: source_shutdown.clone(),
    };
    let source_task = tokio::spawn(async move { source.run(ctx).await });

    let settings = PipelineSettings {
        connector: config.name.clone(),
        partition,
        max_batch,
        max_in_flight: 16,
        offset_flush_interval,
    };
    // The pipeline drains until the source closes its channel; on shutdown it stops
    // taking input, and the source sees the same token.
    let pipeline_result = run_pipeline(
        &settings,
        rx,
        &mut converter,
        sink.as_mut(),
        offsets.as_ref(),
        &committed_tx,
        shutdown,
    )
    .await;
    if pipeline_result.is_err() {
        source_shutdown.cancel();
    }
    let source_result = source_task.await;
    pipeline_result.map_err(|e| (e, retry))?;
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
