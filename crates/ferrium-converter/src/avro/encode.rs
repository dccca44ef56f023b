//! Connect values to Avro's binary encoding, walking the Connect schema beside the value
//! in the layout [`super::schema`] derives (union branch order included).
//!
//! Written by hand, not through `apache_avro::to_avro_datum`: that needs every row
//! copied into `apache_avro::types::Value` (each string and byte array cloned) and then
//! validated against the schema, while this writes straight from Ferrium's value tree.
//! The unit tests decode every case with `apache-avro`'s own reader, so the bytes are
//! checked against the Apache implementation. Measured by `examples/avro_encode.rs`
//! (`cargo run --release -p ferrium-converter --example avro_encode 300000`, a 9-field
//! row, 2026-12-02): 139 ns per row here against 2,813 ns for the copy plus
//! `apache_avro::to_avro_datum`, the same bytes, 20x.

use ferrium_event::default_json::default_value;
use ferrium_event::{Schema, SchemaType, Value};

use super::schema::AvroDataOptions;

const ENUM_PARAM: &str = "io.confluent.connect.avro.Enum";

/// Appends the Avro binary encoding of `value` (of `schema`) to `out`.
pub fn encode(
    schema: &Schema,
    value: &Value,
    options: &AvroDataOptions,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let enhanced = options.enhanced_schema_support;
    if schema.optional {
        // Structs are always `["null", record]`; other optional values put the branch
        // with the Connect default first.
        let null_first = schema.kind == SchemaType::Struct || schema.default.is_none();
        let (null_index, value_index) = if null_first { (0, 1) } else { (1, 0) };
        if matches!(value, Value::Null) {
            write_long(out, null_index);
            return Ok(());
        }
        write_long(out, value_index);
    }
    match (schema.kind, value) {
        (_, Value::Null) => {
            return Err(format!(
                "a null for a required {} value{}",
                schema.kind.json_name(),
                schema
                    .name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ))
        }
        (SchemaType::Int8, Value::Int8(v)) => write_long(out, i64::from(*v)),
        (SchemaType::Int16, Value::Int16(v)) => write_long(out, i64::from(*v)),
        (SchemaType::Int32, Value::Int32(v)) => write_long(out, i64::from(*v)),
        (SchemaType::Int64, Value::Int64(v)) => write_long(out, *v),
        (SchemaType::Float32, Value::Float32(v)) => out.extend_from_slice(&v.to_le_bytes()),
        (SchemaType::Float64, Value::Float64(v)) => out.extend_from_slice(&v.to_le_bytes()),
        (SchemaType::Boolean, Value::Boolean(v)) => out.push(u8::from(*v)),
        (SchemaType::String, Value::String(s))
            if enhanced && schema.parameter(ENUM_PARAM).is_some() =>
        {
            let index = schema
                .parameters
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(ENUM_PARAM)?.strip_prefix('.'))
                .position(|symbol| symbol == s)
                .ok_or_else(|| format!("'{s}' is not a symbol of enum {:?}", schema.name))?;
            write_long(out, index as i64);
        }
        (SchemaType::String, Value::String(s)) => write_bytes(out, s.as_bytes()),
        (SchemaType::Bytes, Value::Bytes(b)) => {
            if let Some(size) = schema
                .parameter("connect.fixed.size")
                .filter(|_| schema.name.is_some())
            {
                if size.parse::<usize>().ok() != Some(b.len()) {
                    return Err(format!("{} bytes for a fixed of {size}", b.len()));
                }
                out.extend_from_slice(b);
            } else {
                write_bytes(out, b);
            }
        }
        (SchemaType::Array, Value::Array(items)) => {
            let item_schema = schema
                .items
                .as_deref()
                .ok_or("an array schema without items")?;
            if !items.is_empty() {
                write_long(out, items.len() as i64);
                for item in items {
                    encode(item_schema, item, options, out)?;
                }
            }
            write_long(out, 0);
        }
        (SchemaType::Map, Value::Map(entries)) => {
            let (Some(keys), Some(values)) = (schema.keys.as_deref(), schema.values.as_deref())
            else {
                return Err("a map schema without key or value schema".into());
            };
            let string_keys = keys.kind == SchemaType::String && !keys.optional;
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (k, v) in entries {
                    if string_keys {
                        let Value::String(k) = k else {
                            return Err("a map key that is not a string".into());
                        };
                        write_bytes(out, k.as_bytes());
                    } else {
                        encode(keys, k, options, out)?;
                    }
                    encode(values, v, options, out)?;
                }
            }
            write_long(out, 0);
        }
        (SchemaType::Struct, Value::Struct(values)) => {
            if values.len() != schema.fields.len() {
                return Err(format!(
                    "a struct of {} values for a schema of {} fields",
                    values.len(),
                    schema.fields.len()
                ));
            }
            for (field, v) in schema.fields.iter().zip(values) {
                // AvroData reads each field with Connect's `Struct.get`, which gives the
                // field's default for a null (`getWithoutDefault` for an optional field
                // under ignore.default.for.nullables).
                let replaced;
                let v = match v {
                    Value::Null
                        if !(field.schema.optional && options.ignore_default_for_nullables) =>
                    {
                        replaced = default_value(&field.schema);
                        replaced.as_ref().unwrap_or(v)
                    }
                    _ => v,
                };
                encode(&field.schema, v, options, out)
                    .map_err(|e| format!("field '{}': {e}", field.name))?;
            }
        }
        (kind, other) => {
            return Err(format!(
                "a {} value for a {} schema",
                other.kind_name(),
                kind.json_name()
            ))
        }
    }
    Ok(())
}

/// Avro's `long`/`int`: zig-zag, then base-128 varint.
fn write_long(out: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_long(out, b.len() as i64);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::schema::avro_schema;
    use apache_avro::types::Value as Avro;
    use serde_json::json;

    fn round_trip(schema: &Schema, value: &Value) -> Avro {
        let avro =
            apache_avro::Schema::parse(&avro_schema(schema, AvroDataOptions::default())).unwrap();
        let mut bytes = Vec::new();
        encode(schema, value, &AvroDataOptions::default(), &mut bytes).unwrap();
        let mut reader = bytes.as_slice();
        let decoded = apache_avro::reader::datum::GenericDatumReader::builder(&avro)
            .build()
            .unwrap()
            .read_value(&mut reader)
            .unwrap();
        assert!(reader.is_empty(), "bytes left over");
        decoded
    }

    #[test]
    fn a_null_field_with_a_default_is_written_as_the_default_unless_ignored() {
        let row = Schema::record("r").field(
            "a",
            Schema::of(SchemaType::Int32)
                .optional()
                .default_value(json!(5)),
        );
        let null_row = Value::Struct(vec![Value::Null]);
        let written = |options: &AvroDataOptions| {
            let mut out = Vec::new();
            encode(&row, &null_row, options, &mut out).unwrap();
            out
        };
        // An optional field with a default puts the value branch first: branch 0, then 5
        // zig-zag encoded (10).
        assert_eq!(written(&AvroDataOptions::default()), [0, 10]);
        let ignore = AvroDataOptions {
            ignore_default_for_nullables: true,
            ..AvroDataOptions::default()
        };
        assert_eq!(written(&ignore), [2]);
    }

    #[test]
    fn a_row_decodes_with_apache_avro() {
        let schema = Schema::record("s.t.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("tiny", Schema::of(SchemaType::Int8))
            .field("name", Schema::of(SchemaType::String).optional())
            .field(
                "status",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(json!("new")),
            )
            .field("price", Schema::of(SchemaType::Float64))
            .field("ok", Schema::of(SchemaType::Boolean))
            .field(
                "tags",
                Schema::array(Schema::of(SchemaType::String).optional()).optional(),
            )
            .field(
                "attrs",
                Schema::map(
                    Schema::of(SchemaType::String),
                    Schema::of(SchemaType::Int32),
                ),
            )
            .field(
                "by_int",
                Schema::map(Schema::of(SchemaType::Int32), Schema::of(SchemaType::Bytes)),
            );
        let value = Value::Struct(vec![
            Value::Int64(-1 << 40),
            Value::Int8(-128),
            Value::Null,
            Value::String("shipped".into()),
            Value::Float64(2.5),
            Value::Boolean(true),
            Value::Array(vec![Value::String("a".into()), Value::Null]),
            Value::Map(vec![(Value::String("k".into()), Value::Int32(7))]),
            Value::Map(vec![(Value::Int32(3), Value::Bytes(vec![0, 255]))]),
        ]);
        let Avro::Record(fields) = round_trip(&schema, &value) else {
            panic!("not a record")
        };
        let get = |name: &str| fields.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(get("id"), Avro::Long(-1 << 40));
        assert_eq!(get("tiny"), Avro::Int(-128));
        assert_eq!(get("name"), Avro::Union(0, Box::new(Avro::Null)));
        assert_eq!(
            get("status"),
            Avro::Union(0, Box::new(Avro::String("shipped".into())))
        );
        assert_eq!(get("price"), Avro::Double(2.5));
        assert_eq!(
            get("tags"),
            Avro::Union(
                1,
                Box::new(Avro::Array(vec![
                    Avro::Union(1, Box::new(Avro::String("a".into()))),
                    Avro::Union(0, Box::new(Avro::Null)),
                ]))
            )
        );
        let Avro::Map(attrs) = get("attrs") else {
            panic!("not a map")
        };
        assert_eq!(attrs.get("k"), Some(&Avro::Int(7)));
        let Avro::Array(entries) = get("by_int") else {
            panic!("not an array")
        };
        assert_eq!(
            entries[0],
            Avro::Record(vec![
                ("key".into(), Avro::Int(3)),
                ("value".into(), Avro::Bytes(vec![0, 255])),
            ])
        );
    }

    #[test]
    fn a_decimal_is_its_unscaled_bytes_and_dates_are_days() {
        let schema = Schema::record("r")
            .field(
                "d",
                Schema::of(SchemaType::Bytes)
                    .named("org.apache.kafka.connect.data.Decimal")
                    .param("scale", "2")
                    .param("connect.decimal.precision", "6"),
            )
            .field(
                "day",
                Schema::of(SchemaType::Int32).named("org.apache.kafka.connect.data.Date"),
            );
        // -1.23 = unscaled -123 = 0xFF85
        let value = Value::Struct(vec![Value::Bytes(vec![0xFF, 0x85]), Value::Int32(19000)]);
        let Avro::Record(fields) = round_trip(&schema, &value) else {
            panic!("not a record")
        };
        assert_eq!(
            fields[0].1,
            Avro::Decimal(apache_avro::Decimal::from(vec![0xFF, 0x85]))
        );
        assert_eq!(fields[1].1, Avro::Date(19000));
    }

    #[test]
    fn an_optional_struct_is_null_first_and_a_required_null_is_refused() {
        let row = Schema::record("r.Value")
            .field("a", Schema::of(SchemaType::Int32))
            .optional();
        assert_eq!(
            round_trip(&row, &Value::Null),
            Avro::Union(0, Box::new(Avro::Null))
        );
        let mut out = Vec::new();
        let required = Schema::record("r").field("a", Schema::of(SchemaType::Int32));
        let e = encode(
            &required,
            &Value::Struct(vec![Value::Null]),
            &AvroDataOptions::default(),
            &mut out,
        )
        .unwrap_err();
        assert!(e.contains("field 'a'") && e.contains("null"), "{e}");
    }

    #[test]
    fn longs_at_their_limits() {
        for v in [0, 1, -1, 63, -64, 64, i64::MAX, i64::MIN] {
            let schema = Schema::of(SchemaType::Int64);
            assert_eq!(round_trip(&schema, &Value::Int64(v)), Avro::Long(v));
        }
    }
}
