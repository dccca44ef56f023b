//! Hands records to the producer's queue, waiting while the queue is full.

use std::time::Duration;

use ferrium_event::SerializedRecord;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureRecord};

use super::logs::Producer;

use super::classify;
use crate::SinkError;

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
        loop {
            match producer.send_result(future_record) {
                Ok(delivery) => {
                    pending.push(delivery);
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    // The local queue is full: let librdkafka drain it. This wait is the
                    // backpressure that slows the source down.
                    future_record = back;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err((error, _)) => return Err(classify(error)),
            }
        }
    }
    Ok(pending)
}

/// Waits for every delivery; the first failure wins.
pub(crate) async fn delivered(pending: Vec<DeliveryFuture>) -> Result<(), SinkError> {
    for delivery in pending {
        match delivery.await {
            Ok(Ok(_)) => {}
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
