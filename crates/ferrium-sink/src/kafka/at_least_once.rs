//! The at-least-once Kafka sink: an idempotent producer; a batch is durable when every
//! record of it is acknowledged with `acks=all`.

use std::time::Duration;

use ferrium_event::SerializedRecord;
use rdkafka::producer::Producer as _;

use super::logs::Producer;

use super::produce::{delivered, enqueue, Progress};
use super::topics::TopicCreator;
use super::{classify, KafkaSinkConfig};
use crate::{Delivery, Sink, SinkError};

pub struct KafkaSink {
    producer: Producer,
    /// Shared by the batches awaiting acknowledgement.
    progress: Progress,
    topics: TopicCreator,
}

impl KafkaSink {
    pub fn new(config: &KafkaSinkConfig) -> Result<Self, SinkError> {
        let client = config.producer_config();
        Ok(KafkaSink {
            producer: client
                .create_with_context(config.logs.clone())
                .map_err(|e| SinkError::Config(e.to_string()))?,
            progress: Progress::new(),
            topics: TopicCreator::new(&config.admin_config(), config.topics.clone(), &config.logs)?,
        })
    }
}

#[async_trait::async_trait]
impl Sink for KafkaSink {
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        self.topics
            .ensure(batch.iter().map(|r| r.topic.as_ref()))
            .await?;
        let pending = enqueue(&self.producer, &batch).await?;
        Ok(Box::pin(delivered(pending, self.progress.clone())))
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        let producer = self.producer.clone();
        tokio::task::spawn_blocking(move || producer.flush(Duration::from_secs(60)))
            .await
            .map_err(|e| SinkError::KafkaTransient(e.to_string()))?
            .map_err(classify)
    }
}
