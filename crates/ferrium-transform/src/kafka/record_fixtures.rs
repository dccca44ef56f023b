//! The record kinds a Debezium connector emits, for the tests of the Kafka transforms:
//! change events, tombstones, truncates, heartbeats, transaction metadata and MySQL
//! schema change events.

use std::sync::Arc;

use ferrium_event::envelope::{Envelope, ProcessingTime};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::{ConnectData, Op, Schema, SchemaType, SourceRecord, Value};

pub const TOPIC: &str = "srv.inv.customers";

pub fn row_schema() -> Arc<Schema> {
    Arc::new(
        Schema::record("srv.inv.customers.Value")
            .field("id", Schema::of(SchemaType::Int32))
            .field("name", Schema::of(SchemaType::String).optional())
            .optional(),
    )
}

pub fn key_schema() -> Arc<Schema> {
    Arc::new(Schema::record("srv.inv.customers.Key").field("id", Schema::of(SchemaType::Int32)))
}

fn source_schema() -> Arc<Schema> {
    Arc::new(
        Schema::record("io.debezium.connector.mysql.Source")
            .field("db", Schema::of(SchemaType::String))
            .field("table", Schema::of(SchemaType::String).optional()),
    )
}

pub fn key(id: i32) -> ConnectData {
    ConnectData::new(key_schema(), Value::Struct(vec![Value::Int32(id)]))
}

fn envelope_value(op: Op, before: Value, after: Value) -> ConnectData {
    let envelope = Envelope::new("srv.inv.customers", row_schema(), source_schema());
    let at = ProcessingTime {
        ts_ms: 1_700_000_000_000,
        ts_us: 1_700_000_000_000_000,
        ts_ns: 1_700_000_000_000_000_000,
    };
    let source = Value::Struct(vec![Value::from("inv"), Value::from("customers")]);
    ConnectData::new(
        envelope.schema,
        Envelope::value(before, after, source, op, at, None),
    )
}

/// An insert of row `(id, name)`.
pub fn change_event(id: i32, name: &str) -> SourceRecord {
    let row = Value::Struct(vec![Value::Int32(id), Value::from(name)]);
    SourceRecord::new(
        TOPIC.into(),
        Some(key(id)),
        Some(envelope_value(Op::Create, Value::Null, row)),
    )
}

/// The tombstone that follows a delete: the key, no value.
pub fn tombstone(id: i32) -> SourceRecord {
    SourceRecord::new(TOPIC.into(), Some(key(id)), None)
}

/// A truncate: no key, before and after null.
pub fn truncate() -> SourceRecord {
    SourceRecord::new(
        TOPIC.into(),
        None,
        Some(envelope_value(Op::Truncate, Value::Null, Value::Null)),
    )
}

fn metadata() -> MetadataRecords {
    MetadataRecords::new("srv", "srv.transaction", "__debezium-heartbeat.srv")
}

pub fn heartbeat() -> SourceRecord {
    metadata().heartbeat(1_700_000_000_000)
}

pub fn transaction_end() -> SourceRecord {
    metadata().transaction(
        "tx-1",
        1_700_000_000_000,
        Some((2, &[("inv.customers".to_string(), 2)])),
    )
}

/// A MySQL schema change event (`io.debezium.connector.mysql.SchemaChangeValue`).
pub fn schema_change() -> SourceRecord {
    let change = Schema::record("io.debezium.connector.schema.Change")
        .field("type", Schema::of(SchemaType::String))
        .field("id", Schema::of(SchemaType::String));
    let value_schema = Schema::record("io.debezium.connector.mysql.SchemaChangeValue")
        .field("source", source_schema())
        .field("ts_ms", Schema::of(SchemaType::Int64))
        .field("databaseName", Schema::of(SchemaType::String).optional())
        .field("ddl", Schema::of(SchemaType::String).optional())
        .field("tableChanges", Schema::array(change));
    let key_schema = Schema::record("io.debezium.connector.mysql.SchemaChangeKey")
        .field("databaseName", Schema::of(SchemaType::String));
    let value = Value::Struct(vec![
        Value::Struct(vec![Value::from("inv"), Value::Null]),
        Value::Int64(1_700_000_000_000),
        Value::from("inv"),
        Value::from("ALTER TABLE customers ADD c INT"),
        Value::Array(vec![Value::Struct(vec![
            Value::from("ALTER"),
            Value::from("inv.customers"),
        ])]),
    ]);
    SourceRecord::new(
        "srv".into(),
        Some(ConnectData::new(
            Arc::new(key_schema),
            Value::Struct(vec![Value::from("inv")]),
        )),
        Some(ConnectData::new(Arc::new(value_schema), value)),
    )
}

/// A value of `schema` built from positional values.
pub fn data(schema: Schema, values: Vec<Value>) -> ConnectData {
    ConnectData::new(Arc::new(schema), Value::Struct(values))
}

/// A record on topic `test` whose value is `value`.
pub fn with_value(value: ConnectData) -> SourceRecord {
    SourceRecord::new("test".into(), None, Some(value))
}

/// A record on topic `test` whose key is `key`.
pub fn with_key(key: ConnectData) -> SourceRecord {
    SourceRecord::new("test".into(), Some(key), None)
}

/// The value of struct field `name`.
pub fn field<'a>(data: &'a ConnectData, name: &str) -> &'a Value {
    let index = data
        .schema
        .field_index(name)
        .unwrap_or_else(|| panic!("no field {name}"));
    match &data.value {
        Value::Struct(values) => &values[index],
        other => panic!("not a struct: {other:?}"),
    }
}

/// The schema of struct field `name`.
pub fn field_schema<'a>(data: &'a ConnectData, name: &str) -> &'a Schema {
    let index = data
        .schema
        .field_index(name)
        .unwrap_or_else(|| panic!("no field {name}"));
    &data.schema.fields[index].schema
}

/// One stage of a test chain: alias, class, options.
pub type Stage<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// A chain of transforms configured as a connector configures it, stages in order.
pub fn chain(stages: &[Stage<'_>]) -> crate::TransformChain {
    let mut config = std::collections::BTreeMap::new();
    let aliases: Vec<&str> = stages.iter().map(|(alias, _, _)| *alias).collect();
    config.insert("transforms".to_string(), aliases.join(","));
    for (alias, class, options) in stages {
        config.insert(format!("transforms.{alias}.type"), class.to_string());
        for (k, v) in *options {
            config.insert(format!("transforms.{alias}.{k}"), v.to_string());
        }
    }
    match crate::TransformChain::from_config(&config) {
        Ok(chain) => chain,
        Err(problems) => panic!("{problems:?}"),
    }
}
