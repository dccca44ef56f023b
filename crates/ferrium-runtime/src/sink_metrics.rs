//! Sink metrics: how long records take to become durable (Kafka acknowledgement, or the
//! commit of an exactly-once transaction) and how many produce errors occurred.
//! Rendered as Prometheus summaries/counters with a `connector` label.

use std::time::Instant;

use ferrium_event::SerializedRecord;
use ferrium_sink::{Delivery, Sink, SinkError};

#[derive(Clone)]
pub(crate) struct SinkMetrics {
    latency: metrics::Histogram,
    errors: metrics::Counter,
    records: metrics::Counter,
}

impl SinkMetrics {
    pub fn new(connector: &str) -> Self {
        let c = connector.to_string();
        SinkMetrics {
            latency: metrics::histogram!("ferrium_sink_latency_seconds", "connector" => c.clone()),
            errors: metrics::counter!("ferrium_sink_produce_errors_total", "connector" => c.clone()),
            records: metrics::counter!("ferrium_sink_records_total", "connector" => c),
        }
    }

    /// Records the outcome of one durable unit (a batch, or a transaction).
    pub fn observe<T>(&self, started: Instant, records: usize, result: &Result<T, SinkError>) {
        match result {
            Ok(_) => {
                self.latency.record(started.elapsed().as_secs_f64());
                self.records.increment(records as u64);
            }
            Err(_) => self.errors.increment(1),
        }
    }
}

/// A sink that reports each batch's time to durability.
pub(crate) struct MeteredSink {
    pub inner: Box<dyn Sink>,
    pub metrics: SinkMetrics,
}

#[async_trait::async_trait]
impl Sink for MeteredSink {
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        let started = Instant::now();
        let records = batch.len();
        let written = self.inner.write(batch).await;
        let delivery = match written {
            Ok(delivery) => delivery,
            Err(error) => {
                self.metrics.errors.increment(1);
                return Err(error);
            }
        };
        let metrics = self.metrics.clone();
        Ok(Box::pin(async move {
            let result = delivery.await;
            metrics.observe(started, records, &result);
            result
        }))
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush().await
    }
}
