//! The exactly-once Kafka sink: a transactional producer. Records go into an open
//! transaction; a commit writes the source offset to the offsets topic inside the same
//! transaction, so records and offset become visible to `read_committed` consumers
//! together, or not at all.
//!
//! The `transactional.id` is fixed per connector: starting a new producer with it fences
//! any older instance still alive (a zombie after a pause, a process that was thought
//! dead) and aborts whatever transaction that instance left open.

use std::time::Duration;

use ferrium_event::SerializedRecord;
use rdkafka::producer::{DeliveryFuture, Producer as _};

use super::logs::Producer;

use super::produce::{delivered, enqueue, Progress, STALL};
use super::topics::TopicCreator;
use super::{classify, classify_in, KafkaSinkConfig};
use crate::SinkError;

/// How long `init_transactions` may wait for the broker: a fresh producer's first call.
const INIT_TIMEOUT: Duration = Duration::from_secs(60);

/// An abort is best effort (the next producer's fencing aborts the transaction too), and
/// it follows a failure, often of this producer: not worth waiting long for.
const ABORT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct TransactionalKafkaSink {
    producer: Producer,
    topics: TopicCreator,
    in_transaction: bool,
    pending: Vec<DeliveryFuture>,
    progress: Progress,
}

impl TransactionalKafkaSink {
    /// Creates the producer and fences earlier instances with the same id.
    pub async fn start(
        config: &KafkaSinkConfig,
        transactional_id: &str,
    ) -> Result<Self, SinkError> {
        let mut client = config.producer_config();
        client.set("transactional.id", transactional_id);
        // librdkafka requires message.timeout.ms (120 s here) <= transaction.timeout.ms.
        client.set("transaction.timeout.ms", "120000");
        // Right after a commit the broker may still be writing its markers and answer the
        // next transaction with CONCURRENT_TRANSACTIONS; librdkafka retries after
        // retry.backoff.ms (100 ms by default), which would add that to every commit.
        client.set("retry.backoff.ms", "5");
        for (key, value) in &config.producer {
            if key == "retry.backoff.ms" {
                client.set(key, value);
            }
        }
        let logs = config.logs.clone();
        let producer: Producer = client
            .create_with_context(logs.clone())
            .map_err(|e| SinkError::Config(e.to_string()))?;
        let init = producer.clone();
        tokio::task::spawn_blocking(move || init.init_transactions(INIT_TIMEOUT))
            .await
            .map_err(|e| SinkError::KafkaTransient(e.to_string()))?
            .map_err(|e| classify_in(e, &logs))?;
        tracing::info!(%transactional_id, "transactional producer ready");
        Ok(TransactionalKafkaSink {
            topics: TopicCreator::new(&config.admin_config(), config.topics.clone(), &logs)?,
            producer,
            in_transaction: false,
            pending: Vec::new(),
            progress: Progress::new(),
        })
    }

    fn begin(&mut self) -> Result<(), SinkError> {
        if !self.in_transaction {
            self.producer.begin_transaction().map_err(classify)?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Sends records inside the open transaction (opening one if needed).
    pub async fn send(&mut self, batch: &[SerializedRecord]) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.topics
            .ensure(batch.iter().map(|r| r.topic.as_ref()))
            .await?;
        self.begin()?;
        let mut pending = enqueue(&self.producer, batch).await?;
        self.pending.append(&mut pending);
        Ok(())
    }

    /// Commits everything sent since the last commit, with `offset` (a record for the
    /// offsets topic) in the same transaction. Returns once the commit is durable.
    pub async fn commit(&mut self, offset: Option<SerializedRecord>) -> Result<(), SinkError> {
        if let Some(offset) = offset {
            self.begin()?;
            let mut pending = enqueue(&self.producer, std::slice::from_ref(&offset)).await?;
            self.pending.append(&mut pending);
        }
        if !self.in_transaction {
            return Ok(());
        }
        // Wait for every acknowledgement first. rdkafka's commit flushes the producer by
        // polling in 100 ms steps while the background thread serves the same events, so
        // committing with acknowledgements outstanding costs up to 100 ms per commit; with
        // none outstanding the flush returns at once.
        let pending = std::mem::take(&mut self.pending);
        if let Err(error) = self.acknowledged(pending).await {
            self.abort().await;
            return Err(error);
        }
        let producer = self.producer.clone();
        let committed = tokio::task::spawn_blocking(move || producer.commit_transaction(STALL))
            .await
            .map_err(|e| SinkError::KafkaTransient(e.to_string()))?;
        self.in_transaction = false;
        committed.map_err(classify)
    }

    /// Waits for acknowledgements, but not past a fatal producer error: a fenced producer's
    /// messages are never acknowledged, only timed out much later.
    async fn acknowledged(&self, pending: Vec<DeliveryFuture>) -> Result<(), SinkError> {
        let fatal = || {
            self.producer.client().fatal_error().map(|(code, reason)| {
                SinkError::KafkaFatal(format!(
                    "{code:?}: {reason}; another Ferrium with the same transactional.id may have taken over (fenced)"
                ))
            })
        };
        let deliveries = delivered(pending, self.progress.clone());
        tokio::pin!(deliveries);
        loop {
            tokio::select! {
                // A delivery failing because the producer was fenced (its queue purged)
                // is the fencing, not a transient error to retry.
                result = &mut deliveries => return result.map_err(|e| fatal().unwrap_or(e)),
                _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {
                    if let Some(error) = fatal() {
                        return Err(error);
                    }
                }
            }
        }
    }

    /// Aborts the open transaction (best effort: the next producer's fencing aborts it too).
    pub async fn abort(&mut self) {
        if !self.in_transaction {
            return;
        }
        self.in_transaction = false;
        self.pending.clear();
        let producer = self.producer.clone();
        let result =
            tokio::task::spawn_blocking(move || producer.abort_transaction(ABORT_TIMEOUT)).await;
        if let Ok(Err(error)) = result {
            tracing::debug!(%error, "aborting the open transaction failed");
        }
    }
}
