//! Offset storage: where a connector's last durable position lives between runs.

pub(crate) mod file;
pub(crate) mod format;
mod kafka;

pub use file::FileOffsetStore;
pub use kafka::KafkaOffsetStore;

use ferrium_event::{Offset, SourcePartition};

#[derive(Debug, thiserror::Error)]
pub enum OffsetError {
    #[error("cannot read offsets from {path}: {message}")]
    Read { path: String, message: String },
    #[error("cannot write offsets to {path}: {message}")]
    Write { path: String, message: String },
}

/// A store of offsets keyed by connector name and source partition.
#[async_trait::async_trait]
pub trait OffsetStore: Send + Sync {
    fn load(&self, connector: &str, partition: &SourcePartition) -> Option<Offset>;
    /// Returns once the offset is durable.
    async fn store(
        &self,
        connector: &str,
        partition: &SourcePartition,
        offset: &Offset,
    ) -> Result<(), OffsetError>;
}
