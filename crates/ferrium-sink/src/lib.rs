//! Sinks: where serialised records go, and the point at which they are durable.
//!
//! A sink separates *accepted* from *durable*. [`Sink::write`] returns once the batch is
//! accepted (queued in the producer, written to the buffer); the [`Delivery`] it returns
//! resolves once the batch is durable (acknowledged by every in-sync Kafka replica,
//! flushed to the output). The runtime advances offsets on durable only.

mod error;
mod kafka;
mod stdout;

use std::future::Future;
use std::pin::Pin;

use ferrium_event::SerializedRecord;

pub use error::SinkError;
pub use kafka::{
    librdkafka_settings, offset_record, KafkaSchemaHistory, KafkaSink, KafkaSinkConfig,
    OffsetsTopic, TopicSettings, TransactionalKafkaSink,
};
pub use stdout::StdoutSink;

/// Resolves when a written batch is durable.
pub type Delivery = Pin<Box<dyn Future<Output = Result<(), SinkError>> + Send>>;

#[async_trait::async_trait]
pub trait Sink: Send {
    /// Accepts a batch (in order); the returned [`Delivery`] resolves when it is durable.
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError>;

    /// Waits for everything written so far to be durable.
    async fn flush(&mut self) -> Result<(), SinkError>;
}
