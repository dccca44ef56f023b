//! The two contracts: a transform rewrites or drops one record; a predicate decides
//! whether a transform applies to it.

use ferrium_event::SourceRecord;

/// A record the transform cannot handle (a missing field, a value of the wrong type).
/// The chain adds which transform failed; `errors.tolerance` decides what happens next.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TransformError(pub String);

impl TransformError {
    pub fn new(message: impl Into<String>) -> Self {
        TransformError(message.into())
    }
}

/// One configured transform. `&mut self` so a transform can cache the schemas it
/// derives: the converter caches by schema identity, so a transform must hand out the
/// same `Arc<Schema>` for the same input schema rather than a new one per record.
pub trait Transform: Send {
    /// The record to write, or `None` to drop it (the chain stops there).
    fn apply(&mut self, record: SourceRecord) -> Result<Option<SourceRecord>, TransformError>;
}

/// A condition on a record (`predicates.<name>.type`).
pub trait Predicate: Send + Sync {
    fn test(&self, record: &SourceRecord) -> bool;
}
