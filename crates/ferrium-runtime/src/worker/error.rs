//! What a worker request can fail with; the REST layer maps each kind to Kafka
//! Connect's status code (404, 409, 400, 500).

#[derive(Debug, Clone, thiserror::Error)]
pub enum WorkerError {
    /// 404: no such connector or task.
    #[error("{0}")]
    NotFound(String),
    /// 409: the connector exists already, or a change raced with another.
    #[error("{0}")]
    Conflict(String),
    /// 400: a bad config, an unknown class, a request the connector's state forbids.
    #[error("{0}")]
    BadRequest(String),
    /// 503: the connector cannot take this now; the same request may succeed later.
    #[error("{0}")]
    Unavailable(String),
    /// 500: storage or Kafka failed.
    #[error("{0}")]
    Internal(String),
}

impl WorkerError {
    pub fn connector_not_found(name: &str) -> Self {
        WorkerError::NotFound(format!("Connector {name} not found"))
    }
}

impl From<super::store::StoreError> for WorkerError {
    fn from(e: super::store::StoreError) -> Self {
        WorkerError::Internal(e.to_string())
    }
}
