//! Sink errors, classified by what the runtime should do next.

use ferrium_event::{Classified, ErrorAction};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("kafka: {0} (retrying from the last stored offset)")]
    KafkaTransient(String),
    #[error("kafka: {0}")]
    KafkaFatal(String),
    #[error("writing to stdout failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid producer configuration: {0}")]
    Config(String),
}

impl Classified for SinkError {
    fn action(&self) -> ErrorAction {
        match self {
            SinkError::KafkaTransient(_) => ErrorAction::Retry,
            SinkError::KafkaFatal(_) | SinkError::Io(_) | SinkError::Config(_) => ErrorAction::Fail,
        }
    }
}
