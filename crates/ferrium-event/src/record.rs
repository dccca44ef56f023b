//! The unit that leaves a source: a topic, a key and a value, both Connect data.

use std::sync::Arc;

use crate::{Schema, Value};

/// A value together with the schema that describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectData {
    pub schema: Arc<Schema>,
    pub value: Value,
}

impl ConnectData {
    pub fn new(schema: Arc<Schema>, value: Value) -> Self {
        ConnectData { schema, value }
    }
}

/// A Kafka record header; the value is Connect data, serialised by the converter.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub key: String,
    pub value: ConnectData,
}

/// A record on its way to a topic, as Kafka Connect's `SourceRecord`.
///
/// `value: None` is a tombstone. `key: None` is a record without a key (a table without
/// a primary key, a truncate).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub topic: Arc<str>,
    /// The Kafka partition; `None` lets the producer's partitioner choose by key (what
    /// sources emit; transforms such as `PartitionRouting` set it).
    pub partition: Option<i32>,
    pub key: Option<ConnectData>,
    pub value: Option<ConnectData>,
    /// The record timestamp in epoch milliseconds; `None` lets the producer stamp it, as
    /// Kafka Connect does for Debezium's records (the outbox router sets it).
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
}

impl SourceRecord {
    pub fn new(topic: Arc<str>, key: Option<ConnectData>, value: Option<ConnectData>) -> Self {
        SourceRecord {
            topic,
            partition: None,
            key,
            value,
            timestamp: None,
            headers: Vec::new(),
        }
    }
}

/// A record after conversion: bytes ready for a sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializedRecord {
    pub topic: Arc<str>,
    /// `None`: the producer's partitioner chooses.
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    /// `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Epoch milliseconds; `None`: the producer stamps the record.
    pub timestamp: Option<i64>,
    /// A header value of `None` is a null header (Kafka allows them).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl SerializedRecord {
    /// A record to the producer's choice of partition and time, without headers.
    pub fn new(topic: Arc<str>, key: Option<Vec<u8>>, value: Option<Vec<u8>>) -> Self {
        SerializedRecord {
            topic,
            partition: None,
            key,
            value,
            timestamp: None,
            headers: Vec::new(),
        }
    }
}
