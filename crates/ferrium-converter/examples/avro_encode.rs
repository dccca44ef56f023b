//! Measures Ferrium's Avro encoder against `apache-avro`'s own writer on the same rows,
//! to back the choice of a hand-written encoder (see `src/avro/encode.rs`):
//! `cargo run --release -p ferrium-converter --example avro_encode [rows]`.
//!
//! Both paths start from Ferrium's value tree, as the converter must: `apache-avro` needs
//! it copied into its own `Value` first. Both outputs are checked to be the same bytes.

use std::sync::Arc;
use std::time::Instant;

use apache_avro::types::Value as Avro;
use ferrium_converter::avro::{avro_schema, encode, AvroDataOptions};
use ferrium_event::{Schema, SchemaType, Value};

/// A change event's row: the shape of the benchmark's `bench_items` table and then some.
fn row_schema() -> Arc<Schema> {
    let text = || Schema::of(SchemaType::String).optional();
    Arc::new(
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
            .field(
                "tags",
                Schema::array(Schema::of(SchemaType::String)).optional(),
            ),
    )
}

fn row(i: i64) -> Value {
    Value::Struct(vec![
        Value::Int64(i),
        Value::String(format!("item number {i}")),
        Value::String("a longer description of the item that takes some bytes".into()),
        Value::Int32((i % 1000) as i32),
        Value::Float64(i as f64 * 0.25),
        Value::Boolean(i % 2 == 0),
        Value::Int64(1_700_000_000_000_000 + i),
        Value::Bytes(vec![0x01, 0x86, 0xA0]),
        Value::Array(vec![Value::String("a".into()), Value::String("bb".into())]),
    ])
}

/// Ferrium's value as `apache-avro`'s, in the union layout the schema derivation gives.
fn to_apache(schema: &Schema, value: &Value) -> Avro {
    let inner = match value {
        Value::Null => return Avro::Union(0, Box::new(Avro::Null)),
        Value::Boolean(b) => Avro::Boolean(*b),
        Value::Int8(v) => Avro::Int(i32::from(*v)),
        Value::Int16(v) => Avro::Int(i32::from(*v)),
        Value::Int32(v) => Avro::Int(*v),
        Value::Int64(v) => Avro::Long(*v),
        Value::Float32(v) => Avro::Float(*v),
        Value::Float64(v) => Avro::Double(*v),
        Value::String(s) => Avro::String(s.clone()),
        Value::Bytes(b)
            if schema.name.as_deref() == Some("org.apache.kafka.connect.data.Decimal") =>
        {
            Avro::Decimal(apache_avro::Decimal::from(b.clone()))
        }
        Value::Bytes(b) => Avro::Bytes(b.clone()),
        Value::Array(items) => {
            let item = schema.items.as_deref().expect("items");
            Avro::Array(items.iter().map(|v| to_apache(item, v)).collect())
        }
        Value::Struct(values) => Avro::Record(
            schema
                .fields
                .iter()
                .zip(values)
                .map(|(f, v)| (f.name.clone(), to_apache(&f.schema, v)))
                .collect(),
        ),
        Value::Map(_) => unimplemented!("no maps in this row"),
    };
    if schema.optional {
        Avro::Union(1, Box::new(inner))
    } else {
        inner
    }
}

fn main() {
    let rows: i64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let schema = row_schema();
    let parsed = apache_avro::Schema::parse(&avro_schema(&schema, AvroDataOptions::default()))
        .expect("the derived schema parses");
    let values: Vec<Value> = (0..rows).map(row).collect();

    let mut check_ours = Vec::new();
    encode(
        &schema,
        &values[1],
        &AvroDataOptions::default(),
        &mut check_ours,
    )
    .unwrap();
    #[allow(deprecated)]
    let check_theirs = apache_avro::to_avro_datum(&parsed, to_apache(&schema, &values[1])).unwrap();
    assert_eq!(check_ours, check_theirs, "the two encoders disagree");

    let started = Instant::now();
    let mut bytes = 0;
    for value in &values {
        let mut out = Vec::with_capacity(128);
        encode(&schema, value, &AvroDataOptions::default(), &mut out).unwrap();
        bytes += out.len();
    }
    let ours = started.elapsed();

    let started = Instant::now();
    for value in &values {
        #[allow(deprecated)]
        let out = apache_avro::to_avro_datum(&parsed, to_apache(&schema, value)).unwrap();
        bytes -= out.len();
    }
    let theirs = started.elapsed();
    assert_eq!(bytes, 0);

    let per = |d: std::time::Duration| d.as_nanos() as f64 / rows as f64;
    println!(
        "{rows} rows: ferrium encode {:.0} ns/row, apache-avro (copy + to_avro_datum) {:.0} ns/row, ratio {:.1}x",
        per(ours),
        per(theirs),
        per(theirs) / per(ours)
    );
}
