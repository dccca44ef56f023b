//! How many records per second one scripting transform handles on a typical change
//! event (a Postgres update: 8 columns in `before` and `after`, a full `source` block).
//! Run in release mode:
//! `cargo test --release -p ferrium-transform -- --ignored --nocapture throughput`

use std::sync::Arc;
use std::time::Instant;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::{ContentBasedRouter, Filter};
use crate::{Props, Transform};

const RECORDS: usize = 100_000;

fn update_event() -> SourceRecord {
    let s = |kind| Schema::of(kind);
    let row = Schema::record("shop.public.customers.Value")
        .field("id", s(SchemaType::Int32))
        .field("first_name", s(SchemaType::String))
        .field("last_name", s(SchemaType::String))
        .field("email", s(SchemaType::String))
        .field("status", s(SchemaType::String).optional())
        .field("score", s(SchemaType::Float64).optional())
        .field("vip", s(SchemaType::Boolean))
        .field(
            "updated_at",
            s(SchemaType::Int64).named("io.debezium.time.MicroTimestamp"),
        )
        .optional();
    let source = Schema::record("io.debezium.connector.postgresql.Source")
        .field("version", s(SchemaType::String))
        .field("connector", s(SchemaType::String))
        .field("name", s(SchemaType::String))
        .field("ts_ms", s(SchemaType::Int64))
        .field("snapshot", s(SchemaType::String).optional())
        .field("db", s(SchemaType::String))
        .field("sequence", s(SchemaType::String).optional())
        .field("ts_us", s(SchemaType::Int64).optional())
        .field("ts_ns", s(SchemaType::Int64).optional())
        .field("schema", s(SchemaType::String))
        .field("table", s(SchemaType::String))
        .field("txId", s(SchemaType::Int64).optional())
        .field("lsn", s(SchemaType::Int64).optional())
        .field("xmin", s(SchemaType::Int64).optional());
    let envelope = Arc::new(
        Schema::record("shop.public.customers.Envelope")
            .field("before", row.clone())
            .field("after", row)
            .field("source", source)
            .field("op", s(SchemaType::String))
            .field("ts_ms", s(SchemaType::Int64).optional())
            .field("ts_us", s(SchemaType::Int64).optional())
            .field("ts_ns", s(SchemaType::Int64).optional()),
    );
    let image = |status: &str| {
        Value::Struct(vec![
            Value::Int32(1004),
            "Anne".into(),
            "Kretchmar".into(),
            "annek@noanswer.org".into(),
            status.into(),
            Value::Float64(12.5),
            Value::Boolean(true),
            Value::Int64(1_700_000_000_000_000),
        ])
    };
    let source = Value::Struct(vec![
        "3.0.0.Final".into(),
        "postgresql".into(),
        "shop".into(),
        Value::Int64(1_700_000_000_000),
        "false".into(),
        "shop".into(),
        "[\"24023928\",\"24023928\"]".into(),
        Value::Int64(1_700_000_000_000_000),
        Value::Int64(1_700_000_000_000_000_000),
        "public".into(),
        "customers".into(),
        Value::Int64(555),
        Value::Int64(24_023_928),
        Value::Null,
    ]);
    let key =
        Arc::new(Schema::record("shop.public.customers.Key").field("id", s(SchemaType::Int32)));
    SourceRecord::new(
        "shop.public.customers".into(),
        Some(ConnectData::new(
            key,
            Value::Struct(vec![Value::Int32(1004)]),
        )),
        Some(ConnectData::new(
            envelope,
            Value::Struct(vec![
                image("new"),
                image("active"),
                source,
                "u".into(),
                Value::Int64(1_700_000_000_001),
                Value::Int64(1_700_000_000_001_000),
                Value::Int64(1_700_000_000_001_000_000),
            ]),
        )),
    )
}

fn measure(name: &str, mut transform: Box<dyn Transform>) {
    // Clones share their schemas, as a source's records of one table do.
    let template = update_event();
    let records: Vec<SourceRecord> = (0..RECORDS).map(|_| template.clone()).collect();
    let start = Instant::now();
    let mut kept = 0;
    for record in records {
        kept += usize::from(transform.apply(record).unwrap().is_some());
    }
    let elapsed = start.elapsed();
    assert_eq!(kept, RECORDS);
    println!(
        "{name}: {RECORDS} records in {elapsed:.2?}: {:.0} records/s, {:.2} µs/record",
        RECORDS as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / RECORDS as f64
    );
}

/// The loop without a transform: moving and dropping the records.
struct PassThrough;

impl Transform for PassThrough {
    fn apply(
        &mut self,
        record: SourceRecord,
    ) -> Result<Option<SourceRecord>, crate::TransformError> {
        Ok(Some(record))
    }
}

/// The engine alone, on one record: the cost of an evaluation.
#[test]
#[ignore = "a measurement: run in release mode with --ignored --nocapture"]
fn engine_only() {
    let record = update_event();
    for expression in [
        "true",
        "value.op == 'u'",
        "value.op == 'u' && value.after.status == 'active'",
        // Dynamic access: every field of every struct is converted.
        "JSON.stringify(value).length > 0",
    ] {
        let mut engine = super::JsEngine::compile(expression).unwrap();
        let start = Instant::now();
        for _ in 0..RECORDS {
            engine.eval(&record).unwrap();
        }
        println!(
            "engine {expression}: {:.2} µs/record",
            start.elapsed().as_secs_f64() * 1e6 / RECORDS as f64
        );
    }
}

#[test]
#[ignore = "a measurement: run in release mode with --ignored --nocapture"]
fn throughput() {
    let js = ("language", "jsr223.graal.js");
    measure("no transform (baseline)", Box::new(PassThrough));
    measure(
        "Filter value.op == 'u' && value.after.status == 'active'",
        Box::new(
            Filter::new(&Props::of(&[
                js,
                (
                    "condition",
                    "value.op == 'u' && value.after.status == 'active'",
                ),
            ]))
            .unwrap(),
        ),
    );
    measure(
        "Filter topic.startsWith('shop.')",
        Box::new(
            Filter::new(&Props::of(&[
                js,
                ("condition", "topic.startsWith('shop.')"),
            ]))
            .unwrap(),
        ),
    );
    measure(
        "ContentBasedRouter",
        Box::new(
            ContentBasedRouter::new(&Props::of(&[
                js,
                (
                    "topic.expression",
                    "value.after.vip ? 'vip.' + valueSchema.name() : null",
                ),
            ]))
            .unwrap(),
        ),
    );
}
