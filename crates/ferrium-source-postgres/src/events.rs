//! Builds the records Debezium's PostgreSQL connector writes: change events with the
//! `io.debezium.connector.postgresql.Source` block, transaction BEGIN/END events, and
//! heartbeats, each with Debezium's schema names and field order.

use std::sync::Arc;

use ferrium_event::envelope::{ProcessingTime, TransactionBlock};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::source_info::common_source_schema;
use ferrium_event::{ConnectData, Envelope, Header, Op, Schema, SchemaType, SourceRecord, Value};

use crate::relation::TableSchema;

pub use ferrium_event::source_info::{SnapshotMarker, VERSION};

/// The per-event facts that go into the `source` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Commit time (streaming) or snapshot time, microseconds since the Unix epoch.
    pub ts_us: i64,
    pub snapshot: SnapshotMarker,
    pub tx_id: Option<i64>,
    pub lsn: Option<u64>,
    /// The last commit LSN before this event, for `sequence`.
    pub last_commit_lsn: Option<u64>,
}

fn source_schema() -> Schema {
    let s = || Schema::of(SchemaType::String);
    let opt_s = || Schema::of(SchemaType::String).optional();
    let opt_i64 = || Schema::of(SchemaType::Int64).optional();
    common_source_schema("io.debezium.connector.postgresql.Source")
        .field("schema", s())
        .field("table", s())
        .field("txId", opt_i64())
        .field("lsn", opt_i64())
        .field("xmin", opt_i64())
        .field("origin", opt_s())
        .field("origin_lsn", opt_i64())
}

pub struct EventBuilder {
    prefix: String,
    db: String,
    pub source_schema: Arc<Schema>,
    metadata: MetadataRecords,
}

impl EventBuilder {
    pub fn new(prefix: &str, db: &str, transaction_topic: &str, heartbeat_topic: &str) -> Self {
        EventBuilder {
            prefix: prefix.to_string(),
            db: db.to_string(),
            source_schema: Arc::new(source_schema()),
            metadata: MetadataRecords::new(prefix, transaction_topic, heartbeat_topic),
        }
    }

    fn source_value(&self, info: &SourceInfo, table: &TableSchema) -> Value {
        let opt_i64 = |v: Option<i64>| v.map_or(Value::Null, Value::Int64);
        let sequence = info.lsn.map_or(Value::Null, |lsn| {
            Value::String(sequence(info.last_commit_lsn, lsn))
        });
        Value::Struct(vec![
            Value::String(VERSION.to_string()),
            Value::String("postgresql".to_string()),
            Value::String(self.prefix.clone()),
            Value::Int64(info.ts_us.div_euclid(1000)),
            Value::String(info.snapshot.as_str().to_string()),
            Value::String(self.db.clone()),
            sequence,
            Value::Int64(info.ts_us),
            Value::Int64(info.ts_us.saturating_mul(1000)),
            Value::String(table.schema.clone()),
            Value::String(table.table.clone()),
            opt_i64(info.tx_id),
            opt_i64(info.lsn.map(|l| l as i64)),
            Value::Null,
            Value::Null,
            Value::Null,
        ])
    }

    fn key(table: &TableSchema, key: Option<Vec<Value>>) -> Option<ConnectData> {
        match (&table.key_schema, key) {
            (Some(schema), Some(values)) => {
                Some(ConnectData::new(schema.clone(), Value::Struct(values)))
            }
            _ => None,
        }
    }

    /// A change event. `before`/`after` are row structs or `Value::Null`.
    #[allow(clippy::too_many_arguments)]
    pub fn change(
        &self,
        table: &TableSchema,
        op: Op,
        key: Option<Vec<Value>>,
        before: Value,
        after: Value,
        info: &SourceInfo,
        transaction: Option<&TransactionBlock>,
    ) -> SourceRecord {
        let value = Envelope::value(
            before,
            after,
            self.source_value(info, table),
            op,
            ProcessingTime::now(),
            transaction,
        );
        SourceRecord::new(
            table.topic.clone(),
            Self::key(table, key),
            Some(ConnectData::new(table.envelope.schema.clone(), value)),
        )
    }

    /// A truncate event: no key, no before/after.
    pub fn truncate(
        &self,
        table: &TableSchema,
        info: &SourceInfo,
        transaction: Option<&TransactionBlock>,
    ) -> SourceRecord {
        let value = Envelope::value(
            Value::Null,
            Value::Null,
            self.source_value(info, table),
            Op::Truncate,
            ProcessingTime::now(),
            transaction,
        );
        SourceRecord::new(
            table.topic.clone(),
            None,
            Some(ConnectData::new(table.envelope.schema.clone(), value)),
        )
    }

    /// Adds Debezium's `__debezium.oldkey`/`__debezium.newkey` header for primary-key changes.
    pub fn with_key_header(record: &mut SourceRecord, name: &str, key: Option<&ConnectData>) {
        if let Some(key) = key {
            record.headers.push(Header {
                key: name.to_string(),
                value: key.clone(),
            });
        }
    }

    /// A transaction BEGIN (no counts) or END (with counts) event.
    pub fn transaction(
        &self,
        id: &str,
        ts_ms: i64,
        end: Option<(i64, &[(String, i64)])>,
    ) -> SourceRecord {
        self.metadata.transaction(id, ts_ms, end)
    }

    /// A heartbeat on `__debezium-heartbeat.<prefix>`.
    pub fn heartbeat(&self, ts_ms: i64) -> SourceRecord {
        self.metadata.heartbeat(ts_ms)
    }
}

/// Microseconds since 2000-01-01 (PostgreSQL's epoch) to microseconds since 1970-01-01.
pub fn pg_time_to_unix_us(pg_us: i64) -> i64 {
    const PG_EPOCH_OFFSET_US: i64 = 946_684_800_000_000;
    pg_us.saturating_add(PG_EPOCH_OFFSET_US)
}

pub fn now_us() -> i64 {
    ProcessingTime::now().ts_us
}

/// `source.sequence`: `["<last commit LSN>","<LSN>"]` as Debezium writes it (the
/// first `null` before any commit), built without the formatting machinery because
/// every event has one.
fn sequence(last_commit_lsn: Option<u64>, lsn: u64) -> String {
    let mut text = String::with_capacity(48);
    text.push('[');
    match last_commit_lsn {
        Some(last) => {
            text.push('"');
            text.push_str(itoa::Buffer::new().format(last));
            text.push('"');
        }
        None => text.push_str("null"),
    }
    text.push_str(",\"");
    text.push_str(itoa::Buffer::new().format(lsn));
    text.push_str("\"]");
    text
}

#[cfg(test)]
mod tests {
    use super::sequence;

    #[test]
    fn sequence_is_debeziums_json_pair_of_lsns() {
        assert_eq!(sequence(None, 23_000_000), r#"[null,"23000000"]"#);
        assert_eq!(
            sequence(Some(22_999_872), u64::MAX),
            r#"["22999872","18446744073709551615"]"#
        );
    }
}
