//! Configuration errors: each names the key, the value and the fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Shape { path: PathBuf, message: String },
    #[error("{path} is not a valid properties file: {message}")]
    Properties { path: PathBuf, message: String },
    #[error("invalid configuration: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl ConfigError {
    /// One problem with one key; the message says what to do about it.
    pub fn invalid(message: impl Into<String>) -> Self {
        ConfigError::Invalid(vec![message.into()])
    }
}
