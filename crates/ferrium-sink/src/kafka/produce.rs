//! Hands records to the producer's queue, waiting while the queue is full, and waits for
//! their acknowledgements — but not for a producer that has stopped making progress.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrium_event::SerializedRecord;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureRecord, Producer as _};

use super::logs::Producer;

use super::classify;
use crate::SinkError;

/// How long a producer may go without a single acknowledgement while records wait for
/// one. librdkafka can lose track of a broker that restarted (seen in the soak: "No
/// brokers available for Transactions" long after the broker was back) and would wait for
/// it until `message.timeout.ms`, 120 s; a fresh producer, started from the last stored
/// offset, finds the broker at once.
pub(crate) const STALL: Duration = Duration::from_secs(30);

/// How often a wait looks at the producer's progress.
const TICK: Duration = Duration::from_secs(1);

/// When a producer last had a record acknowledged, shared by everything waiting on it: a
/// wait gives up when the producer as a whole made no progress for [`STALL`], not when its
/// own records queue long behind others' (a throttled link still makes progress).
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    origin: Instant,
    last_ack_ms: Arc<AtomicU64>,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        Progress {
            origin: Instant::now(),
            last_ack_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn acknowledged(&self) {
        let now = self.origin.elapsed().as_millis() as u64;
        self.last_ack_ms.fetch_max(now, Ordering::Relaxed);
    }

    /// Whether nothing was acknowledged for [`STALL`] since `waiting_since`.
    fn stalled(&self, waiting_since: Instant) -> bool {
        let last_ack =
            self.origin + Duration::from_millis(self.last_ack_ms.load(Ordering::Relaxed));
        last_ack.max(waiting_since).elapsed() >= STALL
    }
}

fn stalled(waiting: usize) -> SinkError {
    SinkError::KafkaTransient(format!(
        "the broker acknowledged nothing for {} s while {waiting} records waited; giving this producer up for a fresh one",
        STALL.as_secs()
    ))
}

/// Enqueues every record in order; the futures resolve when each is acknowledged.
pub(crate) async fn enqueue(
    producer: &Producer,
    batch: &[SerializedRecord],
) -> Result<Vec<DeliveryFuture>, SinkError> {
    let mut pending = Vec::with_capacity(batch.len());
    for record in batch {
        let mut future_record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic);
        if let Some(partition) = record.partition {
            future_record = future_record.partition(partition);
        }
        if let Some(timestamp) = record.timestamp {
            future_record = future_record.timestamp(timestamp);
        }
        if let Some(key) = &record.key {
            future_record = future_record.key(key.as_slice());
        }
        if let Some(value) = &record.value {
            future_record = future_record.payload(value.as_slice());
        }
        if !record.headers.is_empty() {
            let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
            for (key, value) in &record.headers {
                headers = headers.insert(Header {
                    key,
                    value: value.as_deref(),
                });
            }
            future_record = future_record.headers(headers);
        }
        let mut full_since = None;
        loop {
            match producer.send_result(future_record) {
                Ok(delivery) => {
                    pending.push(delivery);
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    // The local queue is full: let librdkafka drain it. This wait is the
                    // backpressure that slows the source down. A queue that frees not one
                    // slot for STALL belongs to a producer that stopped making progress.
                    if full_since.get_or_insert_with(Instant::now).elapsed() >= STALL {
                        return Err(stalled(producer.in_flight_count().max(0) as usize));
                    }
                    future_record = back;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err((error, _)) => return Err(classify(error)),
            }
        }
    }
    Ok(pending)
}

/// Waits for every delivery; the first failure wins, and a producer that acknowledges
/// nothing for [`STALL`] is an error.
pub(crate) async fn delivered(
    pending: Vec<DeliveryFuture>,
    progress: Progress,
) -> Result<(), SinkError> {
    let waiting_since = Instant::now();
    let count = pending.len();
    // One timer for the whole wait: most deliveries are ready when reached, and a timer
    // per record would be work on the per-event path.
    let mut tick = tokio::time::interval_at((waiting_since + TICK).into(), TICK);
    for (done, delivery) in pending.into_iter().enumerate() {
        tokio::pin!(delivery);
        let outcome = loop {
            tokio::select! {
                biased;
                outcome = &mut delivery => break outcome,
                _ = tick.tick() => {
                    if progress.stalled(waiting_since) {
                        return Err(stalled(count - done));
                    }
                }
            }
        };
        match outcome {
            Ok(Ok(_)) => progress.acknowledged(),
            Ok(Err((error, _))) => return Err(classify(error)),
            Err(_) => {
                return Err(SinkError::KafkaTransient(
                    "the producer was closed before delivery".into(),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_producer_is_stalled_only_after_a_whole_stall_without_acknowledgements() {
        let long_ago = Instant::now() - 2 * STALL;
        let progress = Progress {
            origin: long_ago,
            last_ack_ms: Arc::new(AtomicU64::new(0)),
        };
        // A wait that just began is not stalled, however long the producer sat idle.
        assert!(!progress.stalled(Instant::now()));
        assert!(progress.stalled(long_ago));
        // Any acknowledgement, to whichever waiter, is progress for all.
        progress.acknowledged();
        assert!(!progress.stalled(long_ago));
    }
}
