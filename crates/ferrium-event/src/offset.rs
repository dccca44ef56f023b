//! Source partitions and offsets in Kafka Connect's shape: two JSON maps.
//!
//! Debezium's PostgreSQL connector uses the partition `{"server": <topic.prefix>}` and an
//! offset map with `lsn`, `txId`, `ts_usec`, … Keeping the same keys lets operators read
//! and edit offsets the way they already do.

use serde_json::{Map, Value as Json};

/// Identifies the stream an offset belongs to, e.g. `{"server": "shop"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePartition(pub Map<String, Json>);

impl SourcePartition {
    /// The partition every Debezium relational connector uses.
    pub fn server(topic_prefix: &str) -> Self {
        let mut map = Map::new();
        map.insert("server".into(), Json::String(topic_prefix.to_string()));
        SourcePartition(map)
    }
}

/// A position in the source from which streaming can resume.
#[derive(Debug, Clone, PartialEq)]
pub struct Offset(pub Map<String, Json>);

impl Offset {
    pub fn new() -> Self {
        Offset(Map::new())
    }

    pub fn with(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.0.get(key).and_then(Json::as_u64)
    }

    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Json::as_bool)
    }
}

impl Default for Offset {
    fn default() -> Self {
        Offset::new()
    }
}
