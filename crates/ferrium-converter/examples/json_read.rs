//! Measures `JsonConverter::to_connect` on Debezium change events with schemas, the
//! reading a sink does per record:
//! `cargo run --release -p ferrium-converter --example json_read [records]`.
//!
//! The events are written first by `to_bytes`; each read result is checked equal to
//! what was written.

use std::sync::Arc;
use std::time::Instant;

use ferrium_converter::JsonConverter;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};

fn envelope() -> Arc<Schema> {
    let text = || Schema::of(SchemaType::String).optional();
    let row = Arc::new(
        Schema::record("bench.public.items.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("name", text())
            .field("description", text())
            .field("qty", Schema::of(SchemaType::Int32).optional())
            .field("price", Schema::of(SchemaType::Float64).optional())
            .field("flag", Schema::of(SchemaType::Boolean).optional())
            .field(
                "updated",
                Schema::of(SchemaType::Int64)
                    .named("io.debezium.time.MicroTimestamp")
                    .version(1)
                    .optional(),
            )
            .field(
                "amount",
                Schema::of(SchemaType::Bytes)
                    .named("org.apache.kafka.connect.data.Decimal")
                    .version(1)
                    .param("scale", "2")
                    .param("connect.decimal.precision", "12")
                    .optional(),
            )
            .optional(),
    );
    let source = Schema::record("io.debezium.connector.postgresql.Source")
        .field("version", Schema::of(SchemaType::String))
        .field("connector", Schema::of(SchemaType::String))
        .field("name", Schema::of(SchemaType::String))
        .field("ts_ms", Schema::of(SchemaType::Int64))
        .field("db", Schema::of(SchemaType::String))
        .field("schema", Schema::of(SchemaType::String))
        .field("table", Schema::of(SchemaType::String))
        .field("txId", Schema::of(SchemaType::Int64).optional())
        .field("lsn", Schema::of(SchemaType::Int64).optional());
    Arc::new(
        Schema::record("bench.public.items.Envelope")
            .version(2)
            .field("before", row.clone())
            .field("after", row)
            .field("source", source)
            .field("op", Schema::of(SchemaType::String))
            .field("ts_ms", Schema::of(SchemaType::Int64).optional()),
    )
}

fn event(schema: &Arc<Schema>, i: i64) -> ConnectData {
    let row = Value::Struct(vec![
        Value::Int64(i),
        Value::from(format!("item {i}")),
        Value::from("a description of some length, as rows have"),
        Value::Int32(i as i32 % 100),
        Value::Float64(i as f64 * 0.25),
        Value::Boolean(i % 2 == 0),
        Value::Int64(1_700_000_000_000_000 + i),
        Value::Bytes(vec![0x01, 0xE2, 0x3A]),
    ]);
    let source = Value::Struct(vec![
        Value::from("3.1.0.Final"),
        Value::from("postgresql"),
        Value::from("bench"),
        Value::Int64(1_700_000_000_000),
        Value::from("bench"),
        Value::from("public"),
        Value::from("items"),
        Value::Int64(1000 + i),
        Value::Int64(123_456_789 + i),
    ]);
    ConnectData::new(
        schema.clone(),
        Value::Struct(vec![
            Value::Null,
            row,
            source,
            Value::from("c"),
            Value::Int64(1_700_000_000_001),
        ]),
    )
}

fn main() {
    let records: i64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let schema = envelope();
    let mut conv = JsonConverter::new(true);
    let events: Vec<ConnectData> = (0..records).map(|i| event(&schema, i)).collect();
    let bytes: Vec<Vec<u8>> = events
        .iter()
        .map(|e| conv.to_bytes(Some(e)).unwrap().unwrap())
        .collect();
    let total: usize = bytes.iter().map(Vec::len).sum();
    let started = Instant::now();
    let mut read = Vec::with_capacity(bytes.len());
    for b in &bytes {
        read.push(conv.to_connect(Some(b)).unwrap().unwrap());
    }
    let elapsed = started.elapsed();
    assert!(read.iter().zip(&events).all(|(r, e)| r == e));
    println!(
        "{records} records of {} bytes on average: {:.0} ns per record, {:.0} records/s, {:.0} MB/s",
        total / bytes.len().max(1),
        elapsed.as_nanos() as f64 / records as f64,
        records as f64 / elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64() / 1e6
    );
}
