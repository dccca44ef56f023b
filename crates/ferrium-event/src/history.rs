//! The schema history store contract: an append-only log of JSON documents that a source
//! replays on start to rebuild its table model (Debezium's `SchemaHistory`). The source
//! owns the document format; a store only keeps them durable and in order.

/// A store failure, with whether retrying may help (a broker restarting) or not (a
/// missing topic, a corrupt file).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HistoryError {
    pub message: String,
    pub retriable: bool,
}

impl HistoryError {
    pub fn fatal(message: impl Into<String>) -> Self {
        HistoryError {
            message: message.into(),
            retriable: false,
        }
    }

    pub fn retriable(message: impl Into<String>) -> Self {
        HistoryError {
            message: message.into(),
            retriable: true,
        }
    }
}

/// Where a source keeps its schema history.
#[async_trait::async_trait]
pub trait SchemaHistoryStore: Send + Sync {
    /// Every document stored, oldest first.
    async fn read_all(&self) -> Result<Vec<serde_json::Value>, HistoryError>;
    /// Appends one document; returns once it is durable.
    async fn append(&self, record: &serde_json::Value) -> Result<(), HistoryError>;
    /// Where the history lives, for messages (`file /x/y`, `Kafka topic dbhistory`).
    fn describe(&self) -> String;
}
