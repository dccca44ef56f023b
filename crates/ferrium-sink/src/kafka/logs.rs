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
    // An admin client's error callback is never served (nothing polls its main queue),
    // but its log lines are: the same refusal shows there.
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        tracing::debug!(target: "librdkafka", ?level, %facility, "{message}");
        use RDKafkaLogLevel as L;
        let serious = matches!(
            level,
            L::Emerg | L::Alert | L::Critical | L::Error | L::Warning
        );
        if serious && is_refusal(message) {
            self.keep_refusal(message);
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", %error, "{reason}");
        use rdkafka::types::RDKafkaErrorCode as C;
        let refused = match error.rdkafka_error_code() {
            Some(C::Authentication | C::SaslAuthenticationFailed) => true,
            Some(C::SSL) => is_refusal(reason),
            _ => false,
        };
        if refused {
            self.keep_refusal(reason);
        }
    }
}

impl KafkaLogs {
    fn keep_refusal(&self, reason: &str) {
        if let Ok(mut slot) = self.refused.lock() {
            *slot = Some(reason.to_string());
        }
    }
}

/// Whether librdkafka's text is the broker refusing the login or the TLS handshake.
fn is_refusal(text: &str) -> bool {
    text.contains("SASL authentication error")
        || text.contains("Authentication failed")
        || text.contains("certificate verify failed")
        || text.contains("handshake failed")
}

impl ConsumerContext for KafkaLogs {}

pub type Producer = rdkafka::producer::FutureProducer<KafkaLogs>;
pub type Consumer = rdkafka::consumer::BaseConsumer<KafkaLogs>;
pub type Admin = rdkafka::admin::AdminClient<KafkaLogs>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_from_passing_trouble() {
        assert!(is_refusal("sasl_ssl://127.0.0.1:9094/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"));
        assert!(is_refusal("ssl://b:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed"));
        assert!(!is_refusal(
            "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused"
        ));
    }
}
