//! `JsonConverter` output: `{"schema": …, "payload": …}` with `schemas.enable=true`,
//! the bare payload without.
//!
//! The schema part is the same for every record of a table, so its JSON text is cached
//! per schema and only the payload is written per record, straight into the output
//! buffer.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use base64::Engine;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};

use crate::json_schema::schema_json;

/// How many distinct schemas to keep serialised (Kafka's `schemas.cache.size` default).
const SCHEMA_CACHE_SIZE: usize = 1000;

pub struct JsonConverter {
    schemas_enable: bool,
    /// Keyed by the schema's address; the `Arc` is kept so the address cannot be reused.
    cache: HashMap<usize, (Arc<Schema>, String)>,
}

impl JsonConverter {
    pub fn new(schemas_enable: bool) -> Self {
        JsonConverter {
            schemas_enable,
            cache: HashMap::new(),
        }
    }

    /// Serialises key or value data; `None` (a tombstone or a null key) stays `None`.
    pub fn to_bytes(&mut self, data: Option<&ConnectData>) -> Result<Option<Vec<u8>>, String> {
        let Some(data) = data else {
            return Ok(None);
        };
        // Sized for the schema text plus a typical payload, so the buffer is not
        // regrown (and copied) several times per record.
        const PAYLOAD_GUESS: usize = 512;
        let mut out;
        if self.schemas_enable {
            let schema = self.schema_text(&data.schema);
            out = Vec::with_capacity(schema.len() + PAYLOAD_GUESS);
            out.extend_from_slice(b"{\"schema\":");
            out.extend_from_slice(schema.as_bytes());
            out.extend_from_slice(b",\"payload\":");
            write_value(&mut out, &data.schema, &data.value)?;
            out.push(b'}');
        } else {
            out = Vec::with_capacity(PAYLOAD_GUESS);
            write_value(&mut out, &data.schema, &data.value)?;
        }
        Ok(Some(out))
    }

    fn schema_text(&mut self, schema: &Arc<Schema>) -> &str {
        let key = Arc::as_ptr(schema) as usize;
        if !self.cache.contains_key(&key) && self.cache.len() >= SCHEMA_CACHE_SIZE {
            self.cache.clear();
        }
        &self
            .cache
            .entry(key)
            .or_insert_with(|| (schema.clone(), schema_json(schema).to_string()))
            .1
    }
}

/// The payload alone, as JSON bytes (used for headers).
pub(crate) fn payload_bytes(data: &ConnectData) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, &data.schema, &data.value)?;
    Ok(out)
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping is the JSON standard one; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Jackson writes non-finite numbers as strings ("NaN", "Infinity"), which JSON consumers
/// of Debezium topics already expect; finite ones in their shortest round-trip form at
/// their own width (a float32 1.1 is `1.1`, not the float64 widening of it).
fn write_float<F: Into<f64> + Copy + serde::Serialize>(out: &mut Vec<u8>, v: F) {
    let wide: f64 = v.into();
    if wide.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if wide.is_infinite() {
        out.extend_from_slice(if wide > 0.0 {
            b"\"Infinity\""
        } else {
            b"\"-Infinity\""
        });
    } else {
        let _ = serde_json::to_writer(&mut *out, &v);
    }
}

fn write_value(out: &mut Vec<u8>, schema: &Schema, value: &Value) -> Result<(), String> {
    match value {
        Value::Null => {
            if !schema.optional && schema.default.is_none() {
                return Err(format!(
                    "null for a required {} field",
                    schema.kind.json_name()
                ));
            }
            out.extend_from_slice(b"null");
        }
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int8(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int16(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int32(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Int64(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Float32(v) => write_float(out, *v),
        Value::Float64(v) => write_float(out, *v),
        Value::String(s) => write_str(out, s),
        Value::Bytes(bytes) => {
            out.push(b'"');
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            out.extend_from_slice(encoded.as_bytes());
            out.push(b'"');
        }
        Value::Array(items) => {
            let item_schema = schema
                .items
                .as_deref()
                .ok_or("an array value without an items schema")?;
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item_schema, item)?;
            }
            out.push(b']');
        }
        Value::Map(entries) => {
            let (Some(key_schema), Some(value_schema)) =
                (schema.keys.as_deref(), schema.values.as_deref())
            else {
                return Err("a map value without key/value schemas".into());
            };
            // Kafka writes maps with string keys as objects, any other map as [k, v] pairs.
            if key_schema.kind == SchemaType::String {
                out.push(b'{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let Value::String(k) = k else {
                        return Err("a non-string key in a string-keyed map".into());
                    };
                    write_str(out, k);
                    out.push(b':');
                    write_value(out, value_schema, v)?;
                }
                out.push(b'}');
            } else {
                out.push(b'[');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.push(b'[');
                    write_value(out, key_schema, k)?;
                    out.push(b',');
                    write_value(out, value_schema, v)?;
                    out.push(b']');
                }
                out.push(b']');
            }
        }
        Value::Struct(values) => {
            if values.len() != schema.fields.len() {
                return Err(format!(
                    "a struct with {} values for schema {} with {} fields",
                    values.len(),
                    schema.name.as_deref().unwrap_or("<unnamed>"),
                    schema.fields.len()
                ));
            }
            out.push(b'{');
            for (i, (field, v)) in schema.fields.iter().zip(values).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, &field.name);
                out.push(b':');
                write_value(out, &field.schema, v)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(scale: &str, precision: &str) -> Schema {
        Schema::of(SchemaType::Bytes)
            .named("org.apache.kafka.connect.data.Decimal")
            .version(1)
            .param("scale", scale)
            .param("connect.decimal.precision", precision)
    }

    fn key_data() -> ConnectData {
        let schema =
            Schema::record("shop.public.accounts.Key").field("id", Schema::of(SchemaType::Int64));
        ConnectData::new(Arc::new(schema), Value::Struct(vec![Value::Int64(42)]))
    }

    #[test]
    fn key_with_schema_matches_kafka_json_converter() {
        let mut conv = JsonConverter::new(true);
        let bytes = conv.to_bytes(Some(&key_data())).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false,"name":"shop.public.accounts.Key"},"payload":{"id":42}}"#
        );
    }

    #[test]
    fn without_schemas_only_the_payload_is_written() {
        let mut conv = JsonConverter::new(false);
        let bytes = conv.to_bytes(Some(&key_data())).unwrap().unwrap();
        assert_eq!(bytes, br#"{"id":42}"#);
        assert_eq!(conv.to_bytes(None).unwrap(), None);
    }

    #[test]
    fn decimals_and_bytes_are_base64_and_parameters_keep_order() {
        let schema = Schema::record("r")
            .field("balance", decimal("2", "12"))
            .field(
                "tags",
                Schema::array(Schema::of(SchemaType::String).optional()).optional(),
            )
            .field(
                "snapshot",
                Schema::of(SchemaType::String)
                    .optional()
                    .named("io.debezium.data.Enum")
                    .version(1)
                    .param("allowed", "true,last,false")
                    .default_value(serde_json::json!("false")),
            );
        let value = Value::Struct(vec![
            Value::Bytes(vec![0x01, 0xE2, 0x3A]),
            Value::Array(vec![Value::String("vip".into()), Value::Null]),
            Value::String("false".into()),
        ]);
        let mut conv = JsonConverter::new(true);
        let text = String::from_utf8(
            conv.to_bytes(Some(&ConnectData::new(Arc::new(schema), value)))
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        assert!(text.contains(r#"{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"balance"}"#), "{text}");
        assert!(text.contains(r#"{"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"tags"}"#), "{text}");
        assert!(text.contains(r#""parameters":{"allowed":"true,last,false"},"default":"false","field":"snapshot"}"#), "{text}");
        assert!(
            text.ends_with(
                r#""payload":{"balance":"AeI6","tags":["vip",null],"snapshot":"false"}}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn required_null_is_an_error_and_non_finite_floats_are_strings() {
        let schema = Arc::new(Schema::record("r").field("x", Schema::of(SchemaType::Int32)));
        let mut conv = JsonConverter::new(false);
        assert!(conv
            .to_bytes(Some(&ConnectData::new(
                schema,
                Value::Struct(vec![Value::Null])
            )))
            .is_err());
        let fschema = Arc::new(Schema::record("r").field("f", Schema::of(SchemaType::Float64)));
        let out = conv
            .to_bytes(Some(&ConnectData::new(
                fschema,
                Value::Struct(vec![Value::Float64(f64::NAN)]),
            )))
            .unwrap()
            .unwrap();
        assert_eq!(out, br#"{"f":"NaN"}"#);
        let f32_schema = Arc::new(Schema::record("r").field("f", Schema::of(SchemaType::Float32)));
        let out = conv
            .to_bytes(Some(&ConnectData::new(
                f32_schema,
                Value::Struct(vec![Value::Float32(1.1)]),
            )))
            .unwrap()
            .unwrap();
        assert_eq!(out, br#"{"f":1.1}"#, "float32 keeps its own shortest form");
    }

    #[test]
    fn string_keyed_maps_are_objects() {
        let schema = Arc::new(Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::String).optional(),
        ));
        let value = Value::Map(vec![("a".into(), "1".into()), ("b".into(), Value::Null)]);
        let mut conv = JsonConverter::new(false);
        let out = conv
            .to_bytes(Some(&ConnectData::new(schema, value)))
            .unwrap()
            .unwrap();
        assert_eq!(out, br#"{"a":"1","b":null}"#);
    }
}
