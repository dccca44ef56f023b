//! The exactly-once pipeline: records and the offset that covers them are committed to
//! Kafka in one transaction.
//!
//! A transaction may only ever contain whole units: records up to a checkpoint (a source
//! transaction, or a resumable point inside a large one) or up to a flush boundary (a
//! snapshot chunk). Records after the last boundary wait in memory — the source emits a
//! boundary at least every `max.batch.size` records, or after each snapshot chunk of
//! `snapshot.fetch.size` rows, which bounds them — and are sent
//! only once their boundary arrives. So whenever the pipeline commits, the offset it
//! commits covers exactly the records in the transaction: after a crash, a restart
//! resumes from that offset and neither repeats nor skips a record.
//!
//! One `select!`, biased: shutdown, then the commit timer, then input. What is ready is
//! committed every `transaction.boundary.interval.ms` (Kafka Connect's name; 100 ms by
//! default here), or sooner once a transaction holds `max.batch.size` x 16 records. A
//! commit costs the broker a round of transaction markers, so committing each small
//! source transaction on its own would cap throughput at a few hundred commits a second.

use ferrium_event::{Offset, SerializedRecord, SourceMessage};
use ferrium_sink::{offset_record, TransactionalKafkaSink};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::error_policy::ConnectorError;
use crate::flow_metrics::FlowMetrics;
use crate::intake::Intake;
use crate::offsets::format::{encode_key, encode_value};
use crate::pipeline::PipelineSettings;
use crate::sink_metrics::SinkMetrics;

/// What is in the open transaction and may be committed.
#[derive(Default)]
struct Ready {
    offset: Option<Offset>,
    /// A flush boundary: commit even without an offset.
    boundary: bool,
    records: usize,
}

pub async fn run_exactly_once(
    settings: &PipelineSettings,
    offsets_topic: &str,
    mut input: mpsc::Receiver<SourceMessage>,
    intake: &mut Intake,
    sink: &mut TransactionalKafkaSink,
    committed: &watch::Sender<Option<Offset>>,
    shutdown: &CancellationToken,
) -> Result<(), ConnectorError> {
    let key = encode_key(&settings.connector, &settings.partition);
    let metrics = SinkMetrics::new(&settings.connector);
    let mut pending: Vec<SerializedRecord> = Vec::with_capacity(settings.max_batch);
    let mut ready = Ready::default();
    let mut timer = tokio::time::interval(settings.commit_interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let commit_threshold = settings.max_batch * settings.max_in_flight;
    let mut flow = FlowMetrics::new(&settings.connector, input.max_capacity());

    let result: Result<(), ConnectorError> = async {
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                _ = timer.tick() => {
                    if ready.boundary || ready.offset.is_some() {
                        commit(sink, offsets_topic, &key, &mut ready, committed, &metrics).await?;
                    }
                }
                message = input.recv() => {
                    let at_boundary = match message {
                        Some(SourceMessage::Records(records)) => {
                            flow.batch(&records, input.capacity());
                            intake.take(records, &mut pending, shutdown).await?;
                            false
                        }
                        Some(SourceMessage::Checkpoint(offset)) => {
                            ready.offset = Some(offset);
                            true
                        }
                        Some(SourceMessage::Flush) => {
                            ready.boundary = true;
                            true
                        }
                        None => break,
                    };
                    if at_boundary {
                        sink.send(&pending).await.map_err(ConnectorError::from)?;
                        ready.records += pending.len();
                        pending.clear();
                        if ready.records >= commit_threshold {
                            commit(sink, offsets_topic, &key, &mut ready, committed, &metrics).await?;
                        }
                    }
                }
            }
        }
        // Records after the last boundary are dropped here: their offset was never
        // committed, so the next run produces them again.
        if ready.boundary || ready.offset.is_some() {
            commit(sink, offsets_topic, &key, &mut ready, committed, &metrics).await?;
        }
        Ok(())
    }
    .await;
    if result.is_err() {
        sink.abort().await;
    }
    result
}

async fn commit(
    sink: &mut TransactionalKafkaSink,
    offsets_topic: &str,
    key: &[u8],
    ready: &mut Ready,
    committed: &watch::Sender<Option<Offset>>,
    metrics: &SinkMetrics,
) -> Result<(), ConnectorError> {
    let offset = ready.offset.take();
    let record = offset
        .as_ref()
        .map(|o| offset_record(offsets_topic, key.to_vec(), Some(encode_value(o))));
    let started = std::time::Instant::now();
    let result = sink.commit(record).await;
    metrics.observe(started, ready.records, &result);
    result.map_err(ConnectorError::from)?;
    let records = ready.records;
    *ready = Ready::default();
    tracing::debug!(
        records,
        commit_ms = started.elapsed().as_millis() as u64,
        "transaction committed"
    );
    if let Some(offset) = offset {
        // Only now may the source release the position on the server.
        committed.send_replace(Some(offset));
    }
    Ok(())
}
