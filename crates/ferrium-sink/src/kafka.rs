//! The Apache Kafka sink: an idempotent producer with `acks=all`, keys partitioned with
//! Java's murmur2 so a Java producer and Ferrium put a key on the same partition.
//!
//! Topics are created on first use (Kafka Connect's `topic.creation.default.*`), so
//! Ferrium never depends on the broker's auto-creation.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use ferrium_event::SerializedRecord;
use futures::future::try_join_all;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};

use crate::{Delivery, Sink, SinkError};

/// What the worker and connector configs say about the producer.
#[derive(Debug, Clone)]
pub struct KafkaSinkConfig {
    pub bootstrap_servers: String,
    /// `producer.*` from the worker, then `producer.override.*` from the connector.
    pub producer: BTreeMap<String, String>,
    /// `topic.creation.default.partitions` (-1: the broker's default).
    pub topic_partitions: i32,
    /// `topic.creation.default.replication.factor` (-1: the broker's default).
    pub topic_replication_factor: i32,
}

pub struct KafkaSink {
    producer: FutureProducer,
    admin: AdminClient<DefaultClientContext>,
    known_topics: HashSet<String>,
    partitions: i32,
    replication: i32,
}

impl KafkaSink {
    pub fn new(config: &KafkaSinkConfig) -> Result<Self, SinkError> {
        let mut client = ClientConfig::new();
        client.set("bootstrap.servers", &config.bootstrap_servers);
        // Durable means acknowledged by all in-sync replicas; idempotence keeps per-key
        // order across internal retries.
        client.set("enable.idempotence", "true");
        client.set("acks", "all");
        // Java's default partitioner hashes keys with murmur2; librdkafka's default is
        // CRC32, which would put the same key on a different partition.
        client.set("partitioner", "murmur2_random");
        client.set("linger.ms", "5");
        client.set("compression.type", "lz4");
        client.set("message.timeout.ms", "120000");
        for (key, value) in &config.producer {
            client.set(key, value);
        }
        let producer: FutureProducer = client
            .create()
            .map_err(|e| SinkError::Config(e.to_string()))?;
        let admin: AdminClient<DefaultClientContext> = client
            .create()
            .map_err(|e| SinkError::Config(e.to_string()))?;
        Ok(KafkaSink {
            producer,
            admin,
            known_topics: HashSet::new(),
            partitions: config.topic_partitions,
            replication: config.topic_replication_factor,
        })
    }

    async fn ensure_topics(&mut self, batch: &[SerializedRecord]) -> Result<(), SinkError> {
        let missing: Vec<String> = batch
            .iter()
            .map(|r| r.topic.as_ref())
            .filter(|t| !self.known_topics.contains(*t))
            .collect::<HashSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let new_topics: Vec<NewTopic> = missing
            .iter()
            .map(|t| {
                NewTopic::new(
                    t,
                    self.partitions,
                    TopicReplication::Fixed(self.replication),
                )
            })
            .collect();
        let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(30)));
        let results = self
            .admin
            .create_topics(new_topics.iter(), &options)
            .await
            .map_err(classify)?;
        for result in results {
            match result {
                Ok(topic) => {
                    tracing::info!(%topic, "created topic");
                    self.known_topics.insert(topic);
                }
                Err((topic, RDKafkaErrorCode::TopicAlreadyExists)) => {
                    self.known_topics.insert(topic);
                }
                Err((topic, code)) => {
                    return Err(classify(KafkaError::AdminOp(code)).with_context(&topic));
                }
            }
        }
        Ok(())
    }
}

impl SinkError {
    fn with_context(self, topic: &str) -> Self {
        match self {
            SinkError::KafkaTransient(m) => {
                SinkError::KafkaTransient(format!("creating topic {topic}: {m}"))
            }
            SinkError::KafkaFatal(m) => {
                SinkError::KafkaFatal(format!("creating topic {topic}: {m}"))
            }
            other => other,
        }
    }
}

/// Errors that no retry can fix; everything else (broker down, timeouts, leader
/// elections) is retried from the last stored offset.
fn classify(error: KafkaError) -> SinkError {
    use RDKafkaErrorCode as C;
    let fatal = matches!(
        error.rdkafka_error_code(),
        Some(
            C::MessageSizeTooLarge
                | C::InvalidTopic
                | C::TopicAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::SaslAuthenticationFailed
                | C::Authentication
                | C::InvalidConfig
                | C::PolicyViolation
                | C::InvalidReplicationFactor
                | C::InvalidPartitions
        )
    );
    if fatal {
        SinkError::KafkaFatal(error.to_string())
    } else {
        SinkError::KafkaTransient(error.to_string())
    }
}

#[async_trait::async_trait]
impl Sink for KafkaSink {
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        self.ensure_topics(&batch).await?;
        let mut pending = Vec::with_capacity(batch.len());
        for record in &batch {
            let mut future_record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic);
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
                        value: Some(value),
                    });
                }
                future_record = future_record.headers(headers);
            }
            loop {
                match self.producer.send_result(future_record) {
                    Ok(delivery) => {
                        pending.push(delivery);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        // The local queue is full: let librdkafka drain it, which is the
                        // backpressure that slows the source down.
                        future_record = back;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err((error, _)) => return Err(classify(error)),
                }
            }
        }
        Ok(Box::pin(async move {
            let results = try_join_all(pending.into_iter().map(|d| async move {
                match d.await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err((error, _))) => Err(classify(error)),
                    Err(_) => Err(SinkError::KafkaTransient(
                        "the producer was closed before delivery".into(),
                    )),
                }
            }))
            .await;
            results.map(|_| ())
        }))
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        let producer = self.producer.clone();
        tokio::task::spawn_blocking(move || producer.flush(Duration::from_secs(60)))
            .await
            .map_err(|e| SinkError::KafkaTransient(e.to_string()))?
            .map_err(classify)
    }
}
