//! Builds the records Debezium's MySQL/MariaDB connector writes: change events with the
//! `io.debezium.connector.mysql.Source` block, schema change events on the
//! `<topic.prefix>` topic, and (through the shared builders) transaction metadata and
//! heartbeats.

use std::sync::Arc;

use ferrium_event::envelope::{ProcessingTime, TransactionBlock};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::source_info::{common_source_schema, SnapshotMarker, VERSION};
use ferrium_event::{ConnectData, Envelope, Op, Schema, SchemaType, SourceRecord, Value};

use crate::config::MysqlConfig;
use crate::table::TableSchema;

/// The per-event facts of the `source` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Binlog event time (seconds precision, as the binlog has it) or snapshot time.
    pub ts_ms: i64,
    pub snapshot: SnapshotMarker,
    pub server_id: u32,
    /// The transaction's GTID, when GTIDs are on.
    pub gtid: Option<String>,
    pub file: String,
    pub pos: u64,
    /// The row's index within its rows event.
    pub row: u32,
    pub thread: Option<u32>,
    pub query: Option<String>,
}

/// Which connector the events claim to come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorKind {
    MySql,
    MariaDb,
}

impl ConnectorKind {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorKind::MySql => "mysql",
            ConnectorKind::MariaDb => "mariadb",
        }
    }
}

fn source_schema(kind: ConnectorKind) -> Schema {
    let opt_s = || Schema::of(SchemaType::String).optional();
    common_source_schema(&format!("io.debezium.connector.{}.Source", kind.name()))
        .field("table", opt_s())
        .field("server_id", Schema::of(SchemaType::Int64))
        .field("gtid", opt_s())
        .field("file", Schema::of(SchemaType::String))
        .field("pos", Schema::of(SchemaType::Int64))
        .field("row", Schema::of(SchemaType::Int32))
        .field("thread", Schema::of(SchemaType::Int64).optional())
        .field("query", opt_s())
}

/// `io.debezium.connector.schema.Change`, the element of `tableChanges`.
fn table_change_schema() -> Schema {
    let s = || Schema::of(SchemaType::String);
    let opt_s = || Schema::of(SchemaType::String).optional();
    let opt_i32 = || Schema::of(SchemaType::Int32).optional();
    let opt_bool = || Schema::of(SchemaType::Boolean).optional();
    let column = Schema::record("io.debezium.connector.schema.Column")
        .field("name", s())
        .field("jdbcType", Schema::of(SchemaType::Int32))
        .field("nativeType", opt_i32())
        .field("typeName", s())
        .field("typeExpression", opt_s())
        .field("charsetName", opt_s())
        .field("length", opt_i32())
        .field("scale", opt_i32())
        .field("position", Schema::of(SchemaType::Int32))
        .field("optional", opt_bool())
        .field("autoIncremented", opt_bool())
        .field("generated", opt_bool())
        .field("comment", opt_s())
        .field("defaultValueExpression", opt_s())
        .field("enumValues", Schema::array(s()).optional());
    let table = Schema::record("io.debezium.connector.schema.Table")
        .field("defaultCharsetName", opt_s())
        .field("primaryKeyColumnNames", Schema::array(s()).optional())
        .field("columns", Schema::array(column))
        .field("comment", opt_s());
    Schema::record("io.debezium.connector.schema.Change")
        .field("type", s())
        .field("id", s())
        // Null for a DROP, as Debezium writes it.
        .field("table", table.optional())
}

pub struct EventBuilder {
    kind: ConnectorKind,
    prefix: String,
    pub source_schema: Arc<Schema>,
    metadata: MetadataRecords,
    schema_change_topic: Arc<str>,
    schema_change_key: Arc<Schema>,
    schema_change_value: Arc<Schema>,
}

impl EventBuilder {
    pub fn new(config: &MysqlConfig, kind: ConnectorKind) -> Self {
        let source_schema = Arc::new(source_schema(kind));
        let opt_s = || Schema::of(SchemaType::String).optional();
        let opt_i64 = || Schema::of(SchemaType::Int64).optional();
        let ns = format!("io.debezium.connector.{}", kind.name());
        EventBuilder {
            kind,
            prefix: config.common.topic_prefix.clone(),
            metadata: MetadataRecords::new(
                &config.common.topic_prefix,
                &config.common.transaction_topic,
                &config.common.heartbeat_topic,
            ),
            schema_change_topic: Arc::from(config.common.topic_prefix.as_str()),
            schema_change_key: Arc::new(
                Schema::record(format!("{ns}.SchemaChangeKey"))
                    .version(1)
                    .field("databaseName", Schema::of(SchemaType::String)),
            ),
            schema_change_value: Arc::new(
                Schema::record(format!("{ns}.SchemaChangeValue"))
                    .version(1)
                    .field("source", source_schema.clone())
                    .field("ts_ms", opt_i64())
                    .field("ts_us", opt_i64())
                    .field("ts_ns", opt_i64())
                    .field("databaseName", opt_s())
                    .field("schemaName", opt_s())
                    .field("ddl", opt_s())
                    .field("tableChanges", Schema::array(table_change_schema())),
            ),
            source_schema,
        }
    }

    fn source_value(&self, info: &SourceInfo, db: &str, table: Option<&str>) -> Value {
        Value::Struct(vec![
            Value::String(VERSION.to_string()),
            Value::String(self.kind.name().to_string()),
            Value::String(self.prefix.clone()),
            Value::Int64(info.ts_ms),
            Value::String(info.snapshot.as_str().to_string()),
            Value::String(db.to_string()),
            Value::Null,
            Value::Int64(info.ts_ms.saturating_mul(1000)),
            Value::Int64(info.ts_ms.saturating_mul(1_000_000)),
            table.map_or(Value::Null, |t| Value::String(t.to_string())),
            Value::Int64(i64::from(info.server_id)),
            info.gtid.clone().map_or(Value::Null, Value::String),
            Value::String(info.file.clone()),
            Value::Int64(info.pos as i64),
            Value::Int32(info.row as i32),
            info.thread
                .map_or(Value::Null, |t| Value::Int64(i64::from(t))),
            info.query.clone().map_or(Value::Null, Value::String),
        ])
    }

    pub fn key(table: &TableSchema, key: Option<Vec<Value>>) -> Option<ConnectData> {
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
        key: Option<ConnectData>,
        before: Value,
        after: Value,
        info: &SourceInfo,
        transaction: Option<&TransactionBlock>,
    ) -> SourceRecord {
        let source = self.source_value(info, &table.def.id.database, Some(&table.def.id.table));
        let value = Envelope::value(
            before,
            after,
            source,
            op,
            ProcessingTime::now(),
            transaction,
        );
        SourceRecord::new(
            table.topic.clone(),
            key,
            Some(ConnectData::new(table.envelope.schema.clone(), value)),
        )
    }

    /// A schema change event for one database. `table_changes` are Debezium's
    /// `tableChanges` JSON documents.
    pub fn schema_change(
        &self,
        info: &SourceInfo,
        database: &str,
        table: Option<&str>,
        ddl: &str,
        table_changes: &[serde_json::Value],
    ) -> SourceRecord {
        let at = ProcessingTime::now();
        let key = ConnectData::new(
            self.schema_change_key.clone(),
            Value::Struct(vec![Value::String(database.to_string())]),
        );
        let value = Value::Struct(vec![
            self.source_value(info, database, table),
            Value::Int64(at.ts_ms),
            Value::Int64(at.ts_us),
            Value::Int64(at.ts_ns),
            Value::String(database.to_string()),
            Value::Null,
            Value::String(ddl.to_string()),
            Value::Array(table_changes.iter().map(change_value).collect()),
        ]);
        SourceRecord::new(
            self.schema_change_topic.clone(),
            Some(key),
            Some(ConnectData::new(self.schema_change_value.clone(), value)),
        )
    }

    pub fn transaction(
        &self,
        id: &str,
        ts_ms: i64,
        end: Option<(i64, &[(String, i64)])>,
    ) -> SourceRecord {
        self.metadata.transaction(id, ts_ms, end)
    }

    pub fn heartbeat(&self, ts_ms: i64) -> SourceRecord {
        self.metadata.heartbeat(ts_ms)
    }
}

/// One `tableChanges` JSON document as a value of [`table_change_schema`].
fn change_value(change: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    let s = |v: Option<&J>| {
        v.and_then(J::as_str)
            .map_or(Value::Null, |s| Value::String(s.to_string()))
    };
    let req_s = |v: Option<&J>| Value::String(v.and_then(J::as_str).unwrap_or("").to_string());
    let i32_ = |v: Option<&J>| {
        v.and_then(J::as_i64)
            .map_or(Value::Null, |n| Value::Int32(n as i32))
    };
    let b = |v: Option<&J>| v.and_then(J::as_bool).map_or(Value::Null, Value::Boolean);
    let strings = |v: Option<&J>| match v.and_then(J::as_array) {
        Some(items) => Value::Array(items.iter().map(|i| req_s(Some(i))).collect()),
        None => Value::Null,
    };
    let table = change.get("table");
    let field = |name: &str| table.and_then(|t| t.get(name));
    let columns: Vec<Value> = field("columns")
        .and_then(J::as_array)
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    Value::Struct(vec![
                        req_s(c.get("name")),
                        Value::Int32(c.get("jdbcType").and_then(J::as_i64).unwrap_or(0) as i32),
                        i32_(c.get("nativeType")),
                        req_s(c.get("typeName")),
                        s(c.get("typeExpression")),
                        s(c.get("charsetName")),
                        i32_(c.get("length")),
                        i32_(c.get("scale")),
                        Value::Int32(c.get("position").and_then(J::as_i64).unwrap_or(0) as i32),
                        b(c.get("optional")),
                        b(c.get("autoIncremented")),
                        b(c.get("generated")),
                        s(c.get("comment")),
                        s(c.get("defaultValueExpression")),
                        strings(c.get("enumValues")),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let table_value = if table.is_some_and(|t| !t.is_null()) {
        Value::Struct(vec![
            s(field("defaultCharsetName")),
            strings(field("primaryKeyColumnNames")),
            Value::Array(columns),
            s(field("comment")),
        ])
    } else {
        Value::Null
    };
    Value::Struct(vec![
        req_s(change.get("type")),
        req_s(change.get("id")),
        table_value,
    ])
}
