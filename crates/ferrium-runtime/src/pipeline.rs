//! The pipeline loop: records from the source, through the converter, into the sink;
//! durable offsets back to the offset store and the source.
//!
//! One `select!`, biased, in this priority order:
//! 1. shutdown: stop taking input, drain what is in flight, store the last offset;
//! 2. deliveries: a batch became durable, so its checkpoint (if any) may be stored;
//!    deliveries complete in dispatch order (`FuturesOrdered`), so an offset is never
//!    stored while an earlier batch is still in flight;
//! 3. the offset flush timer (`offset.flush.interval.ms`);
//! 4. new input, only while fewer than `max_in_flight` batches await durability.
//!
//! Memory is bounded by the source channel's capacity plus `max_in_flight` batches of at
//! most `max_batch` records. A batch is dispatched when it is full or when the source
//! has nothing more queued, which keeps latency low at low rates and batches large at
//! high rates without a timer.

use std::time::Duration;

use ferrium_converter::RecordConverter;
use ferrium_event::{ErrorAction, Offset, SerializedRecord, SourceMessage, SourcePartition};
use ferrium_sink::{Sink, SinkError};
use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::error_policy::ConnectorError;
use crate::offsets::OffsetStore;

#[derive(Debug, Clone)]
pub struct PipelineSettings {
    pub connector: String,
    pub partition: SourcePartition,
    /// `max.batch.size`
    pub max_batch: usize,
    pub max_in_flight: usize,
    /// `offset.flush.interval.ms`
    pub offset_flush_interval: Duration,
}

type InFlight = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<Offset>, SinkError>> + Send>>;

/// Runs until the source channel closes (the source ended) or `shutdown` fires; either
/// way everything accepted is made durable and its offset stored before returning.
pub async fn run_pipeline(
    settings: &PipelineSettings,
    mut input: mpsc::Receiver<SourceMessage>,
    converter: &mut RecordConverter,
    sink: &mut dyn Sink,
    offsets: &dyn OffsetStore,
    committed: &watch::Sender<Option<Offset>>,
    shutdown: &CancellationToken,
) -> Result<(), ConnectorError> {
    let mut batch: Vec<SerializedRecord> = Vec::with_capacity(settings.max_batch);
    let mut batch_checkpoint: Option<Offset> = None;
    let mut in_flight: FuturesOrdered<InFlight> = FuturesOrdered::new();
    let mut durable: Option<Offset> = None;
    let mut stored_is_current = true;
    let mut flush_timer = tokio::time::interval(settings.offset_flush_interval.max(Duration::from_millis(10)));
    flush_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut input_open = true;

    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            Some(done) = in_flight.next(), if !in_flight.is_empty() => {
                if let Some(offset) = done.map_err(sink_error)? {
                    durable = Some(offset);
                    stored_is_current = false;
                }
            }
            _ = flush_timer.tick() => {
                if !stored_is_current {
                    store(settings, offsets, committed, durable.as_ref()).await?;
                    stored_is_current = true;
                }
            }
            message = input.recv(), if input_open && in_flight.len() < settings.max_in_flight => {
                match message {
                    Some(SourceMessage::Records(records)) => {
                        for record in &records {
                            batch.push(converter.convert(record).map_err(|e| ConnectorError::new(ErrorAction::Fail, e.to_string()))?);
                        }
                    }
                    Some(SourceMessage::Checkpoint(offset)) => batch_checkpoint = Some(offset),
                    None => input_open = false,
                }
                let source_idle = input.is_empty();
                if batch.len() >= settings.max_batch || (source_idle && (!batch.is_empty() || batch_checkpoint.is_some())) {
                    dispatch(sink, &mut batch, &mut batch_checkpoint, &mut in_flight, settings.max_batch).await?;
                }
                if !input_open && in_flight.is_empty() && batch.is_empty() {
                    break;
                }
            }
            else => break,
        }
    }

    // Drain: whatever was accepted becomes durable and its offset stored, so a clean
    // stop never replays anything.
    if !batch.is_empty() || batch_checkpoint.is_some() {
        dispatch(sink, &mut batch, &mut batch_checkpoint, &mut in_flight, settings.max_batch).await?;
    }
    while let Some(done) = in_flight.next().await {
        if let Some(offset) = done.map_err(sink_error)? {
            durable = Some(offset);
            stored_is_current = false;
        }
    }
    sink.flush().await.map_err(sink_error)?;
    if !stored_is_current {
        store(settings, offsets, committed, durable.as_ref()).await?;
    }
    Ok(())
}

async fn dispatch(
    sink: &mut dyn Sink,
    batch: &mut Vec<SerializedRecord>,
    checkpoint: &mut Option<Offset>,
    in_flight: &mut FuturesOrdered<InFlight>,
    capacity: usize,
) -> Result<(), ConnectorError> {
    let records = std::mem::replace(batch, Vec::with_capacity(capacity));
    let offset = checkpoint.take();
    if records.is_empty() {
        in_flight.push_back(Box::pin(async move { Ok(offset) }));
        return Ok(());
    }
    let delivery = sink.write(records).await.map_err(sink_error)?;
    in_flight.push_back(Box::pin(async move { delivery.await.map(|()| offset) }));
    Ok(())
}

async fn store(
    settings: &PipelineSettings,
    offsets: &dyn OffsetStore,
    committed: &watch::Sender<Option<Offset>>,
    offset: Option<&Offset>,
) -> Result<(), ConnectorError> {
    let Some(offset) = offset else { return Ok(()) };
    offsets
        .store(&settings.connector, &settings.partition, offset)
        .await
        .map_err(|e| ConnectorError::new(ErrorAction::Fail, e.to_string()))?;
    tracing::debug!(connector = %settings.connector, offset = ?offset.0, "offset stored");
    // Only now may the source release the position on the server.
    committed.send_replace(Some(offset.clone()));
    Ok(())
}

fn sink_error(error: SinkError) -> ConnectorError {
    use ferrium_event::Classified;
    ConnectorError::new(error.action(), error.to_string())
}
