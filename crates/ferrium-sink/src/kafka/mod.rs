//! Apache Kafka: the producer settings every Kafka sink shares, topic creation, the
//! offsets topic, and the two sinks — at-least-once (idempotent producer, `acks=all`)
//! and exactly-once (transactional producer, offsets committed in the same transaction).

mod at_least_once;
mod client_settings;
mod exactly_once;
mod history_topic;
mod logs;
mod offsets_topic;
mod produce;
mod topics;

use std::collections::BTreeMap;

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use crate::SinkError;

pub use at_least_once::KafkaSink;
pub use client_settings::librdkafka_settings;
pub use exactly_once::TransactionalKafkaSink;
pub use history_topic::KafkaSchemaHistory;
pub use offsets_topic::{offset_record, OffsetsTopic};
pub use topics::TopicSettings;

/// What the worker and connector configs say about Kafka.
#[derive(Debug, Clone)]
pub struct KafkaSinkConfig {
    pub bootstrap_servers: String,
    /// `producer.*` from the worker, then `producer.override.*` from the connector.
    pub producer: BTreeMap<String, String>,
    /// `admin.*` from the worker, then `admin.override.*` from the connector: for the
    /// admin clients that create topics, over the producer's settings.
    pub admin: BTreeMap<String, String>,
    /// `topic.creation.default.*` for change, transaction and heartbeat topics.
    pub topics: TopicSettings,
    /// Shared by every client made from this config: a refusal one of them sees (the
    /// admin client's callbacks are never served) explains another's timeout.
    pub(crate) logs: logs::KafkaLogs,
}

impl KafkaSinkConfig {
    /// `producer` holds librdkafka's names (see [`librdkafka_settings`]).
    pub fn new(
        bootstrap_servers: String,
        producer: BTreeMap<String, String>,
        topics: TopicSettings,
    ) -> KafkaSinkConfig {
        KafkaSinkConfig {
            bootstrap_servers,
            producer,
            admin: BTreeMap::new(),
            topics,
            logs: logs::KafkaLogs::default(),
        }
    }

    /// With `admin` (librdkafka's names) for the clients that create topics.
    pub fn with_admin(mut self, admin: BTreeMap<String, String>) -> KafkaSinkConfig {
        self.admin = admin;
        self
    }

    /// Producer settings: durable means acknowledged by every in-sync replica, and
    /// idempotence keeps each partition's order across the producer's own retries.
    pub(crate) fn producer_config(&self) -> ClientConfig {
        let mut client = ClientConfig::new();
        client.set("bootstrap.servers", &self.bootstrap_servers);
        client.set("enable.idempotence", "true");
        client.set("acks", "all");
        // Java's default partitioner hashes keys with murmur2; librdkafka's default is
        // CRC32, which would put the same key on a different partition.
        client.set("partitioner", "murmur2_random");
        client.set("linger.ms", "5");
        client.set("compression.type", "lz4");
        client.set("message.timeout.ms", "120000");
        for (key, value) in &self.producer {
            client.set(key, value);
        }
        client
    }

    /// Settings of the admin clients that create topics: the producer's (so one set of
    /// security keys reaches the broker), then the `admin.` keys.
    pub(crate) fn admin_config(&self) -> ClientConfig {
        let mut client = self.producer_config();
        for (key, value) in &self.admin {
            client.set(key, value);
        }
        client
    }
}

/// [`classify`], unless the client saw the broker refuse its login or its TLS handshake:
/// then the error is that refusal, which no retry fixes.
pub(crate) fn classify_in(error: KafkaError, context: &logs::KafkaLogs) -> SinkError {
    match context.refusal() {
        Some(reason) => SinkError::KafkaFatal(format!(
            "the broker refused this client: {reason}; check its security.protocol, sasl.mechanism and sasl.jaas.config (user and password), or ssl.truststore.* for a certificate problem"
        )),
        None => classify(error),
    }
}

/// Errors that no retry can fix; everything else (broker down, timeouts, leader
/// elections, aborted transactions) is retried from the last stored offset.
pub(crate) fn classify(error: KafkaError) -> SinkError {
    use RDKafkaErrorCode as C;
    let code = match &error {
        KafkaError::Transaction(e) if e.is_fatal() => {
            return SinkError::KafkaFatal(format!(
            "{error}; another Ferrium with the same transactional.id may have taken over (fenced)"
        ))
        }
        other => other.rdkafka_error_code(),
    };
    let fatal = matches!(
        code,
        Some(
            C::MessageSizeTooLarge
                | C::InvalidTopic
                | C::TopicAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::TransactionalIdAuthorizationFailed
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
