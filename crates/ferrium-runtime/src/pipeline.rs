//! The pipeline loop: records from the source, through the intake (transforms, then
//! converters), into the sink;
//! durable offsets back to the offset store and the source.
//!
//! One `select!`, biased, in this priority order:
//! 1. shutdown: stop taking input, drain what is in flight, store the last offset;
//! 2. deliveries: a batch became durable, so its checkpoint (if any) may be stored;
//!    deliveries complete in dispatch order (`FuturesOrdered`), so an offset is never
//!    stored while an earlier batch is still in flight;
//! 3. the offset flush timer (`offset.flush.interval.ms`);
//! 4. new input, while the waiting batch has fewer than `max_batch` records.
//!
//! After each step the waiting batch is dispatched if fewer than `max_in_flight` batches
//! await durability and the batch is full or the source has nothing more queued. So at low
//! rates every source transaction goes out at once (low latency), and when the sink is
//! the bottleneck, input keeps collecting into the waiting batch while every slot is
//! taken: batches grow with the sink's delay, without a timer, instead of intake stopping
//! behind `max_in_flight` small batches.
//!
//! Memory is bounded by the source channel's capacity plus `max_in_flight` batches and
//! the waiting one, each under `2 x max_batch` records (a source batch holds at most
//! `max_batch`).

use std::time::Duration;

use ferrium_event::{ErrorAction, Offset, SerializedRecord, SourceMessage, SourcePartition};
use ferrium_sink::{Sink, SinkError};
use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::error_policy::ConnectorError;
use crate::flow_metrics::FlowMetrics;
use crate::intake::Intake;
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
    /// Exactly-once: how often a Kafka transaction is committed
    /// (`transaction.boundary.interval.ms`).
    pub commit_interval: Duration,
}

/// How long a stop waits for the source to hand over what it already read.
const STOP_DRAIN: Duration = Duration::from_secs(5);

type InFlight =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<Offset>, SinkError>> + Send>>;

/// Runs until the source channel closes (the source ended) or `shutdown` fires; either
/// way everything accepted is made durable and its offset stored before returning.
pub async fn run_pipeline(
    settings: &PipelineSettings,
    mut input: mpsc::Receiver<SourceMessage>,
    intake: &mut Intake,
    sink: &mut dyn Sink,
    offsets: &dyn OffsetStore,
    committed: &watch::Sender<Option<Offset>>,
    shutdown: &CancellationToken,
) -> Result<(), ConnectorError> {
    let mut batch: Vec<SerializedRecord> = Vec::with_capacity(settings.max_batch);
    let mut batch_checkpoint: Option<Offset> = None;
    // How many records of `batch` the checkpoint in `batch_checkpoint` covers.
    let mut covered = 0;
    let mut in_flight: FuturesOrdered<InFlight> = FuturesOrdered::new();
    let mut durable: Option<Offset> = None;
    let mut stored_is_current = true;
    let mut flush_timer = tokio::time::interval(
        settings
            .offset_flush_interval
            .max(Duration::from_millis(10)),
    );
    flush_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut input_open = true;
    let mut flow = FlowMetrics::new(&settings.connector, input.max_capacity());

    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            Some(done) = in_flight.next(), if !in_flight.is_empty() => {
                if let Some(offset) = done.map_err(ConnectorError::from)? {
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
            message = input.recv(), if input_open && batch.len() < settings.max_batch => {
                match message {
                    Some(message) => {
                        if let SourceMessage::Records(records) = &message {
                            flow.batch(records, input.capacity());
                        }
                        take(message, intake, &mut batch, &mut batch_checkpoint, &mut covered, shutdown).await?;
                    }
                    None => input_open = false,
                }
            }
        }
        let waiting = !batch.is_empty() || batch_checkpoint.is_some();
        let ready = batch.len() >= settings.max_batch || input.is_empty();
        if waiting && ready && in_flight.len() < settings.max_in_flight {
            dispatch(
                sink,
                &mut batch,
                &mut batch_checkpoint,
                &mut in_flight,
                settings.max_batch,
            )
            .await?;
            covered = 0;
        }
        if !input_open && !waiting && in_flight.is_empty() {
            break;
        }
    }

    // Stopping: what the source still sends is taken up to its last checkpoint. A batch is
    // written as soon as the source is idle, so its checkpoint may still be in the queue
    // (dropping it would make the next run replay delivered records); records after the
    // last checkpoint are left for the next run, which reads them again. The source stops
    // on the same signal and then closes the channel; the wait is bounded in case it hangs.
    let deadline = tokio::time::Instant::now() + STOP_DRAIN;
    while let Ok(Some(message)) = tokio::time::timeout_at(deadline, input.recv()).await {
        take(
            message,
            intake,
            &mut batch,
            &mut batch_checkpoint,
            &mut covered,
            shutdown,
        )
        .await?;
    }
    batch.truncate(covered);
    // Drain: whatever was accepted becomes durable and its offset stored, so a clean
    // stop never replays anything.
    if !batch.is_empty() || batch_checkpoint.is_some() {
        dispatch(
            sink,
            &mut batch,
            &mut batch_checkpoint,
            &mut in_flight,
            settings.max_batch,
        )
        .await?;
    }
    while let Some(done) = in_flight.next().await {
        if let Some(offset) = done.map_err(ConnectorError::from)? {
            durable = Some(offset);
            stored_is_current = false;
        }
    }
    sink.flush().await.map_err(ConnectorError::from)?;
    if !stored_is_current {
        store(settings, offsets, committed, durable.as_ref()).await?;
    }
    Ok(())
}

/// Adds a source message to the waiting batch: records through the intake, a checkpoint
/// noted with how many of the batch's records it covers.
async fn take(
    message: SourceMessage,
    intake: &mut Intake,
    batch: &mut Vec<SerializedRecord>,
    checkpoint: &mut Option<Offset>,
    covered: &mut usize,
    stop: &CancellationToken,
) -> Result<(), ConnectorError> {
    match message {
        SourceMessage::Records(records) => intake.take(records, batch, stop).await?,
        SourceMessage::Checkpoint(offset) => {
            *checkpoint = Some(offset);
            *covered = batch.len();
        }
        // Every batch here is made durable on its own; no boundary is needed.
        SourceMessage::Flush => {}
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
    let delivery = sink.write(records).await.map_err(ConnectorError::from)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
    use tokio::sync::oneshot;

    use crate::offsets::FileOffsetStore;

    /// A sink whose batches become durable only when the test says so, in any order, and
    /// which remembers how many records each write held.
    struct GatedSink {
        gates: Arc<Mutex<Vec<oneshot::Sender<()>>>>,
        sizes: Arc<Mutex<Vec<usize>>>,
    }

    #[async_trait::async_trait]
    impl Sink for GatedSink {
        async fn write(
            &mut self,
            batch: Vec<SerializedRecord>,
        ) -> Result<ferrium_sink::Delivery, SinkError> {
            self.sizes.lock().unwrap().push(batch.len());
            let (tx, rx) = oneshot::channel();
            self.gates.lock().unwrap().push(tx);
            Ok(Box::pin(async move {
                rx.await
                    .map_err(|_| SinkError::KafkaTransient("gate dropped".into()))
            }))
        }

        async fn flush(&mut self) -> Result<(), SinkError> {
            Ok(())
        }
    }

    fn record(i: i32) -> SourceRecord {
        let schema = Arc::new(Schema::record("k").field("id", Schema::of(SchemaType::Int32)));
        SourceRecord::new(
            "t".into(),
            Some(ConnectData::new(
                schema,
                Value::Struct(vec![Value::Int32(i)]),
            )),
            None,
        )
    }

    /// Connector `c`, partition `p`, with the given batching and offset flush interval.
    fn settings(
        max_batch: usize,
        max_in_flight: usize,
        offset_flush_interval: Duration,
    ) -> PipelineSettings {
        PipelineSettings {
            connector: "c".into(),
            partition: SourcePartition::server("p"),
            max_batch,
            max_in_flight,
            offset_flush_interval,
            commit_interval: Duration::from_millis(100),
        }
    }

    /// No transforms, schemaless JSON converters.
    fn test_intake() -> Intake {
        let config = ferrium_config::ConnectorConfig {
            name: "c".into(),
            props: [
                ("key.converter.schemas.enable", "false"),
                ("value.converter.schemas.enable", "false"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        Intake::from_config(&Default::default(), &config).unwrap()
    }

    /// Runs the pipeline on a task of its own, with [`test_intake`].
    fn spawn_pipeline(
        settings: PipelineSettings,
        input: mpsc::Receiver<SourceMessage>,
        mut sink: impl Sink + 'static,
        store: Arc<FileOffsetStore>,
        committed: watch::Sender<Option<Offset>>,
        shutdown: CancellationToken,
    ) -> tokio::task::JoinHandle<Result<(), ConnectorError>> {
        tokio::spawn(async move {
            let mut intake = test_intake();
            run_pipeline(
                &settings,
                input,
                &mut intake,
                &mut sink,
                store.as_ref(),
                &committed,
                &shutdown,
            )
            .await
        })
    }

    async fn wait_for_gates(gates: &Arc<Mutex<Vec<oneshot::Sender<()>>>>, n: usize) {
        while gates.lock().unwrap().len() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Batch 2 is acknowledged before batch 1: its offset must wait for batch 1.
    #[tokio::test]
    async fn offsets_advance_only_when_every_earlier_batch_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileOffsetStore::open(&dir.path().join("o")).unwrap());
        let partition = SourcePartition::server("p");
        let settings = settings(1, 8, Duration::from_millis(10));
        let gates = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel(16);
        let (committed_tx, mut committed_rx) = watch::channel(None);
        let shutdown = CancellationToken::new();
        let pipeline = spawn_pipeline(
            settings,
            rx,
            GatedSink {
                gates: gates.clone(),
                sizes: Default::default(),
            },
            store.clone(),
            committed_tx,
            shutdown.clone(),
        );
        tx.send(SourceMessage::Records(vec![record(1)]))
            .await
            .unwrap();
        tx.send(SourceMessage::Checkpoint(Offset::new().with("lsn", 1u64)))
            .await
            .unwrap();
        wait_for_gates(&gates, 1).await;
        tx.send(SourceMessage::Records(vec![record(2)]))
            .await
            .unwrap();
        tx.send(SourceMessage::Checkpoint(Offset::new().with("lsn", 2u64)))
            .await
            .unwrap();
        wait_for_gates(&gates, 2).await;

        let second = gates.lock().unwrap().pop().unwrap();
        second.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            store.load("c", &partition),
            None,
            "batch 1 is not durable yet"
        );
        assert!(committed_rx.borrow().is_none());

        let first = gates.lock().unwrap().pop().unwrap();
        first.send(()).unwrap();
        committed_rx.changed().await.unwrap();
        // Both checkpoints are durable now; the newest one wins.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(store.load("c", &partition).unwrap().get_u64("lsn"), Some(2));
        assert_eq!(
            committed_rx.borrow().as_ref().unwrap().get_u64("lsn"),
            Some(2)
        );

        drop(tx);
        pipeline.await.unwrap().unwrap();
    }

    /// A failed delivery stops the pipeline and its offset is never stored.
    #[tokio::test]
    async fn a_failed_delivery_stores_no_offset() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileOffsetStore::open(&dir.path().join("o")).unwrap();
        let settings = settings(1, 8, Duration::from_millis(10));
        let gates = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel(16);
        let (committed_tx, _committed_rx) = watch::channel(None);
        tx.send(SourceMessage::Records(vec![record(1)]))
            .await
            .unwrap();
        tx.send(SourceMessage::Checkpoint(Offset::new().with("lsn", 1u64)))
            .await
            .unwrap();
        let dropper = {
            let gates = gates.clone();
            tokio::spawn(async move {
                wait_for_gates(&gates, 1).await;
                gates.lock().unwrap().clear();
            })
        };
        let mut sink = GatedSink {
            gates,
            sizes: Default::default(),
        };
        let mut intake = test_intake();
        let result = run_pipeline(
            &settings,
            rx,
            &mut intake,
            &mut sink,
            &store,
            &committed_tx,
            &CancellationToken::new(),
        )
        .await;
        dropper.await.unwrap();
        let error = result.unwrap_err();
        assert_eq!(error.action, ErrorAction::Retry);
        assert_eq!(store.load("c", &SourcePartition::server("p")), None);
    }

    /// A sink that keeps every record it is given and is durable at once.
    struct KeepingSink {
        written: Arc<Mutex<Vec<SerializedRecord>>>,
    }

    #[async_trait::async_trait]
    impl Sink for KeepingSink {
        async fn write(
            &mut self,
            batch: Vec<SerializedRecord>,
        ) -> Result<ferrium_sink::Delivery, SinkError> {
            self.written.lock().unwrap().extend(batch);
            Ok(Box::pin(async { Ok(()) }))
        }

        async fn flush(&mut self) -> Result<(), SinkError> {
            Ok(())
        }
    }

    /// Record 1 is written while its checkpoint is still on its way when the stop comes: the
    /// checkpoint is stored anyway (a restart must not replay record 1), and record 2,
    /// queued after it without a checkpoint, is left for the next run.
    #[tokio::test]
    async fn a_stop_keeps_the_queued_checkpoint_of_written_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileOffsetStore::open(&dir.path().join("o")).unwrap());
        let partition = SourcePartition::server("p");
        let settings = settings(100, 8, Duration::from_secs(60));
        let written = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel(16);
        let (committed_tx, _committed_rx) = watch::channel(None);
        let shutdown = CancellationToken::new();
        let pipeline = spawn_pipeline(
            settings,
            rx,
            KeepingSink {
                written: written.clone(),
            },
            store.clone(),
            committed_tx,
            shutdown.clone(),
        );
        tx.send(SourceMessage::Records(vec![record(1)]))
            .await
            .unwrap();
        while written.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Queued without yielding to the pipeline, then the stop.
        tx.send(SourceMessage::Checkpoint(Offset::new().with("lsn", 1u64)))
            .await
            .unwrap();
        tx.send(SourceMessage::Records(vec![record(2)]))
            .await
            .unwrap();
        shutdown.cancel();
        // The source stops on the same signal and closes its channel.
        drop(tx);
        pipeline.await.unwrap().unwrap();
        assert_eq!(store.load("c", &partition).unwrap().get_u64("lsn"), Some(1));
        assert_eq!(
            written.lock().unwrap().len(),
            1,
            "record 2 has no checkpoint yet"
        );
    }

    /// While the one allowed batch is in flight, later transactions collect into the
    /// waiting batch instead of stopping intake; when the delivery completes, they go out
    /// as one write, with no further input needed to trigger it, and its offset is the
    /// newest checkpoint.
    #[tokio::test]
    async fn transactions_collect_into_one_batch_while_the_sink_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileOffsetStore::open(&dir.path().join("o")).unwrap());
        let partition = SourcePartition::server("p");
        let settings = settings(100, 1, Duration::from_millis(10));
        let gates = Arc::new(Mutex::new(Vec::new()));
        let sizes = Arc::new(Mutex::new(Vec::new()));
        // A queue of two messages: one small transaction. Intake must go on while the
        // sink is busy, or the source would stall behind it.
        let (tx, rx) = mpsc::channel(2);
        let (committed_tx, mut committed_rx) = watch::channel(None);
        let pipeline = spawn_pipeline(
            settings,
            rx,
            GatedSink {
                gates: gates.clone(),
                sizes: sizes.clone(),
            },
            store.clone(),
            committed_tx,
            CancellationToken::new(),
        );
        let transaction = |i: i32| {
            [
                SourceMessage::Records(vec![record(i)]),
                SourceMessage::Checkpoint(Offset::new().with("lsn", i as u64)),
            ]
        };
        for message in transaction(1) {
            tx.send(message).await.unwrap();
        }
        while sizes.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let sent = tokio::time::timeout(Duration::from_secs(5), async {
            for i in 2..=5 {
                for message in transaction(i) {
                    tx.send(message).await.unwrap();
                }
            }
        })
        .await;
        assert!(sent.is_ok(), "the source stalled behind the busy sink");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            *sizes.lock().unwrap(),
            [1],
            "the second write waits for the first"
        );

        let first = gates.lock().unwrap().remove(0);
        first.send(()).unwrap();
        while sizes.lock().unwrap().len() < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(*sizes.lock().unwrap(), [1, 4]);
        let second = gates.lock().unwrap().remove(0);
        second.send(()).unwrap();
        loop {
            committed_rx.changed().await.unwrap();
            let lsn = committed_rx.borrow().as_ref().unwrap().get_u64("lsn");
            if lsn == Some(5) {
                break;
            }
        }
        assert_eq!(store.load("c", &partition).unwrap().get_u64("lsn"), Some(5));
        drop(tx);
        pipeline.await.unwrap().unwrap();
    }
}
