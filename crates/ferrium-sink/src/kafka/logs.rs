//! librdkafka's own log lines and error callbacks, at debug level.
//!
//! librdkafka reports every failed connection attempt (several lines a second while a
//! broker is down). Every failure that matters also surfaces as the result of a produce,
//! commit or admin call, where Ferrium classifies it and logs one line saying what it
//! does next, so the raw lines are kept for `FERRIUM_LOG=debug`.

use std::sync::{Arc, Mutex};

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError;

/// The context of every Kafka client Ferrium makes. It also keeps the broker's refusal
/// of the login or of the TLS handshake: librdkafka reports those only to this callback
/// and goes on retrying, so the call that then times out would look transient.
#[derive(Debug, Clone, Default)]
pub struct KafkaLogs {
    refused: Arc<Mutex<Option<String>>>,
}

impl KafkaLogs {
    /// The broker's refusal of this client, when one was seen.
    pub fn refusal(&self) -> Option<String> {
        self.refused.lock().ok().and_then(|r| r.clone())
    }
}

impl ClientContext for KafkaLogs {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        tracing::debug!(target: "librdkafka", ?level, %facility, "{message}");
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", %error, "{reason}");
        use rdkafka::types::RDKafkaErrorCode as C;
        let refused = match error.rdkafka_error_code() {
            Some(C::Authentication | C::SaslAuthenticationFailed) => true,
            Some(C::SSL) => {
                reason.contains("certificate verify failed") || reason.contains("handshake failed")
            }
            _ => false,
        };
        if refused {
            if let Ok(mut slot) = self.refused.lock() {
                *slot = Some(reason.to_string());
            }
        }
    }
}

impl ConsumerContext for KafkaLogs {}

pub type Producer = rdkafka::producer::FutureProducer<KafkaLogs>;
pub type Consumer = rdkafka::consumer::BaseConsumer<KafkaLogs>;
pub type Admin = rdkafka::admin::AdminClient<KafkaLogs>;
