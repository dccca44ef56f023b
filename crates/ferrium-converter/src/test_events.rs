//! A Debezium change event with a row of every type family, for the round-trip tests
//! of the JSON and Avro readers.

use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, Value};
use serde_json::json;

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";

fn decimal(scale: &str, precision: &str) -> Schema {
    Schema::of(SchemaType::Bytes)
        .named(DECIMAL)
        .version(1)
        .param("scale", scale)
        .param("connect.decimal.precision", precision)
}

fn named(kind: SchemaType, name: &str) -> Schema {
    Schema::of(kind).named(name).version(1)
}

/// A Debezium change event's value schema with a row of every type family.
pub(crate) fn envelope() -> Arc<Schema> {
    let address = Schema::record("server.public.t.Address")
        .field("street", Schema::of(SchemaType::String))
        .field("zip", Schema::of(SchemaType::Int32).optional())
        .optional();
    let row = Arc::new(
        Schema::record("server.public.t.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("tiny", Schema::of(SchemaType::Int8))
            .field("small", Schema::of(SchemaType::Int16).optional())
            .field("qty", Schema::of(SchemaType::Int32))
            .field("ratio", Schema::of(SchemaType::Float32))
            .field("price", Schema::of(SchemaType::Float64).optional())
            .field("active", Schema::of(SchemaType::Boolean))
            .field("name", Schema::of(SchemaType::String).optional())
            .field("blob", Schema::of(SchemaType::Bytes).optional())
            .field("balance", decimal("2", "12"))
            .field(
                "big",
                Schema::of(SchemaType::Bytes)
                    .named(DECIMAL)
                    .version(1)
                    .param("scale", "0")
                    .optional(),
            )
            .field(
                "amount",
                Schema::record("io.debezium.data.VariableScaleDecimal")
                    .version(1)
                    .doc("Variable scaled decimal")
                    .field("scale", Schema::of(SchemaType::Int32))
                    .field("value", Schema::of(SchemaType::Bytes))
                    .optional(),
            )
            .field(
                "born",
                named(SchemaType::Int32, "io.debezium.time.Date").optional(),
            )
            .field(
                "seen",
                named(SchemaType::Int64, "io.debezium.time.MicroTimestamp"),
            )
            .field(
                "zoned",
                named(SchemaType::String, "io.debezium.time.ZonedTimestamp").optional(),
            )
            .field(
                "day",
                named(SchemaType::Int32, "org.apache.kafka.connect.data.Date"),
            )
            .field(
                "at",
                named(SchemaType::Int32, "org.apache.kafka.connect.data.Time"),
            )
            .field(
                "stamp",
                named(SchemaType::Int64, "org.apache.kafka.connect.data.Timestamp"),
            )
            .field(
                "doc",
                named(SchemaType::String, "io.debezium.data.Json").optional(),
            )
            .field("uid", named(SchemaType::String, "io.debezium.data.Uuid"))
            .field(
                "flags",
                named(SchemaType::Bytes, "io.debezium.data.Bits").param("length", "3"),
            )
            .field(
                "mood",
                Schema::of(SchemaType::String)
                    .named("io.debezium.data.Enum")
                    .version(1)
                    .param("allowed", "happy,sad")
                    .optional(),
            )
            .field(
                "status",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(json!("new")),
            )
            .field(
                "level",
                Schema::of(SchemaType::Int32).default_value(json!(3)),
            )
            .field(
                "tags",
                Schema::array(Schema::of(SchemaType::String).optional()).optional(),
            )
            .field(
                "attrs",
                Schema::map(
                    Schema::of(SchemaType::String),
                    Schema::of(SchemaType::Int32).optional(),
                ),
            )
            .field(
                "by_id",
                Schema::map(Schema::of(SchemaType::Int32), Schema::of(SchemaType::Bytes)),
            )
            .field("home", address.clone())
            .field("homes", Schema::array(address.required()).optional())
            .field(
                "geo",
                Schema::record("io.debezium.data.geometry.Geometry")
                    .doc("Geometry")
                    .field("wkb", Schema::of(SchemaType::Bytes))
                    .field("srid", Schema::of(SchemaType::Int32).optional())
                    .optional(),
            )
            .optional(),
    );
    let source = Schema::record("io.debezium.connector.postgresql.Source")
        .field("version", Schema::of(SchemaType::String))
        .field("connector", Schema::of(SchemaType::String))
        .field("ts_ms", Schema::of(SchemaType::Int64))
        .field(
            "snapshot",
            Schema::of(SchemaType::String)
                .optional()
                .named("io.debezium.data.Enum")
                .version(1)
                .param("allowed", "true,first,last,false,incremental")
                .default_value(json!("false")),
        )
        .field("lsn", Schema::of(SchemaType::Int64).optional());
    let transaction = Schema::record("event.block")
        .version(1)
        .field("id", Schema::of(SchemaType::String))
        .field("total_order", Schema::of(SchemaType::Int64))
        .optional();
    Arc::new(
        Schema::record("server.public.t.Envelope")
            .version(2)
            .field("before", row.clone())
            .field("after", row)
            .field("source", source)
            .field("transaction", transaction)
            .field("op", Schema::of(SchemaType::String))
            .field("ts_ms", Schema::of(SchemaType::Int64).optional()),
    )
}

pub(crate) fn row(id: i64) -> Value {
    Value::Struct(vec![
        Value::Int64(id),
        Value::Int8(i8::MIN),
        Value::Int16(i16::MAX),
        Value::Int32(-7),
        Value::Float32(1.1),
        Value::Float64(-2.5e-300),
        Value::Boolean(true),
        Value::from("Zoë \"quoted\" \\ tab\t😀"),
        Value::Bytes(vec![0, 1, 254, 255]),
        Value::Bytes(vec![0x01, 0xE2, 0x3A]),
        Value::Bytes(vec![0x7F; 20]),
        Value::Struct(vec![Value::Int32(3), Value::Bytes(vec![0x30, 0x39])]),
        Value::Int32(19_000),
        Value::Int64(1_700_000_000_123_456),
        Value::from("2023-11-14T22:13:20.123456Z"),
        Value::Int32(19_001),
        Value::Int32(45_296_789),
        Value::Int64(1_700_000_000_123),
        Value::from("{\"a\": [1, 2]}"),
        Value::from("4ef4a8a4-3b9c-4a8e-9a43-1f1a2b3c4d5e"),
        Value::Bytes(vec![0b101]),
        Value::Null,
        Value::from("shipped"),
        Value::Int32(5),
        Value::Array(vec![Value::from("vip"), Value::Null]),
        // In key order: Avro maps come back sorted.
        Value::Map(vec![
            (Value::from("a"), Value::Null),
            (Value::from("z"), Value::Int32(1)),
        ]),
        Value::Map(vec![
            (Value::Int32(2), Value::Bytes(vec![2])),
            (Value::Int32(-1), Value::Bytes(vec![])),
        ]),
        Value::Struct(vec![Value::from("Main St"), Value::Null]),
        Value::Array(vec![
            Value::Struct(vec![Value::from("A"), Value::Int32(1)]),
            Value::Struct(vec![Value::from("B"), Value::Null]),
        ]),
        Value::Struct(vec![Value::Bytes(vec![1, 1, 0, 0, 0]), Value::Int32(4326)]),
    ])
}

pub(crate) fn event(before: Value, after: Value, op: &str) -> ConnectData {
    ConnectData::new(
        envelope(),
        Value::Struct(vec![
            before,
            after,
            Value::Struct(vec![
                Value::from("3.1.0.Final"),
                Value::from("postgresql"),
                Value::Int64(1_700_000_000_000),
                Value::from("false"),
                Value::Int64(123_456_789),
            ]),
            Value::Null,
            Value::from(op),
            Value::Int64(1_700_000_000_001),
        ]),
    )
}
