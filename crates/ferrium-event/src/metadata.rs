//! The records Debezium's relational connectors share beyond change events: transaction
//! BEGIN/END events on `<prefix>.transaction` and heartbeats on
//! `__debezium-heartbeat.<prefix>`, with Debezium's schema names and field order.

use std::sync::Arc;

use crate::{ConnectData, Schema, SchemaType, SourceRecord, Value};

/// Builds transaction-metadata and heartbeat records for one connector.
pub struct MetadataRecords {
    server_name: String,
    tx_topic: Arc<str>,
    tx_key_schema: Arc<Schema>,
    tx_value_schema: Arc<Schema>,
    heartbeat_topic: Arc<str>,
    heartbeat_key_schema: Arc<Schema>,
    heartbeat_value_schema: Arc<Schema>,
}

impl MetadataRecords {
    /// `server_name` is the topic prefix, the heartbeat key's `serverName`.
    pub fn new(server_name: &str, transaction_topic: &str, heartbeat_topic: &str) -> Self {
        let collection = Schema::record("event.collection")
            .version(1)
            .field("data_collection", Schema::of(SchemaType::String))
            .field("event_count", Schema::of(SchemaType::Int64));
        MetadataRecords {
            server_name: server_name.to_string(),
            tx_topic: Arc::from(transaction_topic),
            tx_key_schema: Arc::new(
                Schema::record("io.debezium.connector.common.TransactionMetadataKey")
                    .version(1)
                    .field("id", Schema::of(SchemaType::String)),
            ),
            tx_value_schema: Arc::new(
                Schema::record("io.debezium.connector.common.TransactionMetadataValue")
                    .version(1)
                    .field("status", Schema::of(SchemaType::String))
                    .field("id", Schema::of(SchemaType::String))
                    .field("event_count", Schema::of(SchemaType::Int64).optional())
                    .field("data_collections", Schema::array(collection).optional())
                    .field("ts_ms", Schema::of(SchemaType::Int64)),
            ),
            heartbeat_topic: Arc::from(heartbeat_topic),
            heartbeat_key_schema: Arc::new(
                Schema::record("io.debezium.connector.common.ServerNameKey")
                    .field("serverName", Schema::of(SchemaType::String)),
            ),
            heartbeat_value_schema: Arc::new(
                Schema::record("io.debezium.connector.common.Heartbeat")
                    .field("ts_ms", Schema::of(SchemaType::Int64)),
            ),
        }
    }

    /// A transaction BEGIN (`end` is `None`) or END event (with the event count and the
    /// count per data collection).
    pub fn transaction(
        &self,
        id: &str,
        ts_ms: i64,
        end: Option<(i64, &[(String, i64)])>,
    ) -> SourceRecord {
        let (status, count, collections) = match end {
            None => ("BEGIN", Value::Null, Value::Null),
            Some((count, per_table)) => (
                "END",
                Value::Int64(count),
                Value::Array(
                    per_table
                        .iter()
                        .map(|(name, n)| {
                            Value::Struct(vec![Value::String(name.clone()), Value::Int64(*n)])
                        })
                        .collect(),
                ),
            ),
        };
        let key = ConnectData::new(
            self.tx_key_schema.clone(),
            Value::Struct(vec![Value::String(id.to_string())]),
        );
        let value = ConnectData::new(
            self.tx_value_schema.clone(),
            Value::Struct(vec![
                Value::String(status.to_string()),
                Value::String(id.to_string()),
                count,
                collections,
                Value::Int64(ts_ms),
            ]),
        );
        SourceRecord::new(self.tx_topic.clone(), Some(key), Some(value))
    }

    /// A heartbeat.
    pub fn heartbeat(&self, ts_ms: i64) -> SourceRecord {
        let key = ConnectData::new(
            self.heartbeat_key_schema.clone(),
            Value::Struct(vec![Value::String(self.server_name.clone())]),
        );
        let value = ConnectData::new(
            self.heartbeat_value_schema.clone(),
            Value::Struct(vec![Value::Int64(ts_ms)]),
        );
        SourceRecord::new(self.heartbeat_topic.clone(), Some(key), Some(value))
    }
}

/// Counts one transaction's events for the `transaction` block and the END event.
#[derive(Debug, Clone)]
pub struct TransactionCounter {
    pub id: String,
    pub total_order: i64,
    /// Events per data collection (`db.table`), in first-seen order.
    pub per_table: Vec<(String, i64)>,
    pub begin_emitted: bool,
}

impl TransactionCounter {
    pub fn new(id: String) -> Self {
        TransactionCounter {
            id,
            total_order: 0,
            per_table: Vec::new(),
            begin_emitted: false,
        }
    }

    /// Counts an event of `collection` and returns its `transaction` block.
    pub fn next(&mut self, collection: &str) -> crate::envelope::TransactionBlock {
        self.total_order += 1;
        let per_table = match self.per_table.iter_mut().find(|(n, _)| n == collection) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.per_table.push((collection.to_string(), 1));
                1
            }
        };
        crate::envelope::TransactionBlock {
            id: self.id.clone(),
            total_order: self.total_order,
            data_collection_order: per_table,
        }
    }
}
