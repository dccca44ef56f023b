//! librdkafka's own log lines and error callbacks, at debug level.
//!
//! librdkafka reports every failed connection attempt (several lines a second while a
//! broker is down). Every failure that matters also surfaces as the result of a produce,
//! commit or admin call, where Ferrium classifies it and logs one line saying what it
//! does next, so the raw lines are kept for `FERRIUM_LOG=debug`.

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError;

#[derive(Clone, Copy, Default)]
pub struct KafkaLogs;

impl ClientContext for KafkaLogs {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        tracing::debug!(target: "librdkafka", ?level, %facility, "{message}");
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", %error, "{reason}");
    }
}

impl ConsumerContext for KafkaLogs {}

pub type Producer = rdkafka::producer::FutureProducer<KafkaLogs>;
pub type Consumer = rdkafka::consumer::BaseConsumer<KafkaLogs>;
pub type Admin = rdkafka::admin::AdminClient<KafkaLogs>;
