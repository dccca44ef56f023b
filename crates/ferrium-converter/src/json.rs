//! `JsonConverter` output: `{"schema": …, "payload": …}` with `schemas.enable=true`,
//! the bare payload without.
//!
//! What depends only on the schema is worked out once per schema and cached: the JSON
//! text of the schema part, and every struct's field names as ready-made JSON keys. Per
//! record only the values are written, straight into the output buffer.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};

use crate::json_schema::schema_json;

/// How many distinct schemas to keep serialised (Kafka's `schemas.cache.size` default).
const SCHEMA_CACHE_SIZE: usize = 1000;

pub struct JsonConverter {
    pub(crate) schemas_enable: bool,
    /// `replace.null.with.default` (default `true`): a null whose schema has a default is
    /// written, and read, as that default, as Kafka's `JsonConverter` does with or
    /// without `schemas.enable`.
    pub(crate) replace_null_with_default: bool,
    /// `key.converter`, `value.converter` or `header.converter`, for messages.
    pub(crate) role: String,
    /// Keyed by the schema's address; the `Arc` is kept so the address cannot be reused.
    cache: HashMap<usize, Compiled>,
    /// Schemas read, by their JSON text (see [`crate::json_read`]).
    pub(crate) read_cache: crate::json_read::ReadCache,
}

/// A schema as the converter uses it.
struct Compiled {
    _schema: Arc<Schema>,
    /// The `"schema"` part (empty without `schemas.enable`).
    text: String,
    layout: Layout,
    /// The size of the last record written with this schema, with some room: the next
    /// buffer starts that big, so it is rarely regrown (each regrowth copies the schema
    /// text again). The last, not the largest, so one huge row does not make every later
    /// buffer huge.
    size_hint: usize,
}

/// The JSON keys of a schema's structs, mirroring its shape: each struct field's name
/// escaped and quoted, with its colon, and a comma before all but the first.
enum Layout {
    Leaf,
    Struct(Vec<(Box<[u8]>, Layout)>),
    Array(Box<Layout>),
    Map(Box<Layout>, Box<Layout>),
}

impl Layout {
    fn of(schema: &Schema) -> Layout {
        let child =
            |s: &Option<Arc<Schema>>| Box::new(s.as_deref().map_or(Layout::Leaf, Layout::of));
        match schema.kind {
            SchemaType::Struct => Layout::Struct(
                schema
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, field)| {
                        let mut key = Vec::with_capacity(field.name.len() + 4);
                        if i > 0 {
                            key.push(b',');
                        }
                        write_str(&mut key, &field.name);
                        key.push(b':');
                        (key.into_boxed_slice(), Layout::of(&field.schema))
                    })
                    .collect(),
            ),
            SchemaType::Array => Layout::Array(child(&schema.items)),
            SchemaType::Map => Layout::Map(child(&schema.keys), child(&schema.values)),
            _ => Layout::Leaf,
        }
    }
}

impl JsonConverter {
    pub fn new(schemas_enable: bool) -> Self {
        JsonConverter {
            schemas_enable,
            replace_null_with_default: true,
            role: "value.converter".into(),
            cache: HashMap::new(),
            read_cache: Default::default(),
        }
    }

    /// Names the converter's role (`key.converter`, …) in messages that say which
    /// option to change; `value.converter` when not given.
    pub fn for_role(mut self, role: &str) -> Self {
        self.role = role.to_string();
        self
    }

    /// Sets `replace.null.with.default`.
    pub fn replace_null_with_default(mut self, replace: bool) -> Self {
        self.replace_null_with_default = replace;
        self
    }

    /// Serialises key or value data; `None` (a tombstone or a null key) stays `None`.
    pub fn to_bytes(&mut self, data: Option<&ConnectData>) -> Result<Option<Vec<u8>>, String> {
        let Some(data) = data else {
            return Ok(None);
        };
        let schemas_enable = self.schemas_enable;
        let nulls = Nulls {
            replace: self.replace_null_with_default,
        };
        let compiled = self.compiled(&data.schema);
        let mut out = Vec::with_capacity(compiled.size_hint);
        if schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            out.extend_from_slice(compiled.text.as_bytes());
            out.extend_from_slice(b",\"payload\":");
            write_value(&mut out, &data.schema, &compiled.layout, &data.value, nulls)?;
            out.push(b'}');
        } else {
            write_value(&mut out, &data.schema, &compiled.layout, &data.value, nulls)?;
        }
        compiled.size_hint = out.len() + out.len() / 8;
        Ok(Some(out))
    }

    fn compiled(&mut self, schema: &Arc<Schema>) -> &mut Compiled {
        let key = Arc::as_ptr(schema) as usize;
        if self.cache.len() >= SCHEMA_CACHE_SIZE && !self.cache.contains_key(&key) {
            self.cache.clear();
        }
        let schemas_enable = self.schemas_enable;
        self.cache.entry(key).or_insert_with(|| Compiled {
            _schema: schema.clone(),
            text: if schemas_enable {
                schema_json(schema).to_string()
            } else {
                String::new()
            },
            layout: Layout::of(schema),
            size_hint: 0,
        })
    }
}

/// A JSON string literal, escaped as Jackson and serde_json escape it: `"` and `\\`,
/// the short forms of control characters, `\u00XX` for the others. Written here rather
/// than through serde_json's serializer because every event has dozens of strings and
/// nearly all of them need no escape at all: runs of plain bytes are found eight at a
/// time and copied in one go.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut plain_from = 0;
    while let Some(at) = next_escape(bytes, plain_from) {
        out.extend_from_slice(&bytes[plain_from..at]);
        let b = bytes[at];
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
        plain_from = at + 1;
    }
    out.extend_from_slice(&bytes[plain_from..]);
    out.push(b'"');
}

/// Where the next byte that needs escaping is, from `from` on.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(word) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        if needs_escape(word) {
            break;
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|p| i + p)
}

/// Whether any of eight bytes is a control character, `"` or `\\` (the classic
/// "has a byte less than n / equal to n" word tricks; bytes of 0x80 and above, the
/// parts of multi-byte UTF-8 characters, never match).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    below_space
        || has_zero(word ^ (ONES * u64::from(b'"')))
        || has_zero(word ^ (ONES * u64::from(b'\\')))
}

fn write_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
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

/// How nulls are written (`replace.null.with.default`).
#[derive(Clone, Copy)]
struct Nulls {
    replace: bool,
}

fn write_value(
    out: &mut Vec<u8>,
    schema: &Schema,
    layout: &Layout,
    value: &Value,
    nulls: Nulls,
) -> Result<(), String> {
    match value {
        Value::Null => match &schema.default {
            // `convertToJson(schema, schema.defaultValue())`: the default is kept in the
            // JSON form the converter writes for a value, so it is copied as it is.
            Some(default) if nulls.replace => {
                serde_json::to_writer(&mut *out, default).map_err(|e| e.to_string())?;
            }
            _ if schema.optional => out.extend_from_slice(b"null"),
            Some(_) => {
                return Err(format!(
                    "null for a required {} field that has a default, which \
                     replace.null.with.default=false does not write",
                    schema.kind.json_name()
                ))
            }
            None => {
                return Err(format!(
                    "null for a required {} field",
                    schema.kind.json_name()
                ))
            }
        },
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int8(v) => write_int(out, *v),
        Value::Int16(v) => write_int(out, *v),
        Value::Int32(v) => write_int(out, *v),
        Value::Int64(v) => write_int(out, *v),
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
            let item_layout = match layout {
                Layout::Array(items) => items.as_ref(),
                _ => &Layout::Leaf,
            };
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item_schema, item_layout, item, nulls)?;
            }
            out.push(b']');
        }
        Value::Map(entries) => {
            let (Some(key_schema), Some(value_schema)) =
                (schema.keys.as_deref(), schema.values.as_deref())
            else {
                return Err("a map value without key/value schemas".into());
            };
            let (key_layout, value_layout) = match layout {
                Layout::Map(k, v) => (k.as_ref(), v.as_ref()),
                _ => (&Layout::Leaf, &Layout::Leaf),
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
                    write_value(out, value_schema, value_layout, v, nulls)?;
                }
                out.push(b'}');
            } else {
                out.push(b'[');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.push(b'[');
                    write_value(out, key_schema, key_layout, k, nulls)?;
                    out.push(b',');
                    write_value(out, value_schema, value_layout, v, nulls)?;
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
            let Layout::Struct(keys) = layout else {
                return Err("a struct schema without its layout".into());
            };
            out.push(b'{');
            for ((field, (key, field_layout)), v) in schema.fields.iter().zip(keys).zip(values) {
                out.extend_from_slice(key);
                write_value(out, &field.schema, field_layout, v, nulls)?;
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

    fn defaulted_row(value: Value) -> ConnectData {
        let schema = Schema::record("r")
            .field(
                "status",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(serde_json::json!("new")),
            )
            .field("note", Schema::of(SchemaType::String).optional())
            .field(
                "qty",
                Schema::of(SchemaType::Int32).default_value(serde_json::json!(5)),
            );
        ConnectData::new(
            Arc::new(schema),
            Value::Struct(vec![value.clone(), Value::Null, value]),
        )
    }

    #[test]
    fn a_null_with_a_schema_default_is_written_as_the_default() {
        // Kafka's default: with and without schemas, a null whose schema has a default
        // (optional or not) is the default; one without a default stays null.
        let mut conv = JsonConverter::new(true);
        let bytes = conv.to_bytes(Some(&defaulted_row(Value::Null))).unwrap();
        let text = String::from_utf8(bytes.unwrap()).unwrap();
        assert!(
            text.ends_with(r#""payload":{"status":"new","note":null,"qty":5}}"#),
            "{text}"
        );
        // A value that is not null is written as it is.
        let mut conv = JsonConverter::new(false);
        let bytes = conv.to_bytes(Some(&defaulted_row(Value::Null))).unwrap();
        assert_eq!(bytes.unwrap(), br#"{"status":"new","note":null,"qty":5}"#);
        let row = ConnectData::new(
            defaulted_row(Value::Null).schema,
            Value::Struct(vec![Value::from("old"), Value::from("n"), Value::Int32(1)]),
        );
        let bytes = conv.to_bytes(Some(&row)).unwrap();
        assert_eq!(bytes.unwrap(), br#"{"status":"old","note":"n","qty":1}"#);
    }

    #[test]
    fn without_replacement_an_optional_null_stays_null_and_a_required_one_fails() {
        let mut conv = JsonConverter::new(false).replace_null_with_default(false);
        let schema = defaulted_row(Value::Null).schema;
        let row = ConnectData::new(
            schema.clone(),
            Value::Struct(vec![Value::Null, Value::Null, Value::Int32(1)]),
        );
        let bytes = conv.to_bytes(Some(&row)).unwrap();
        assert_eq!(bytes.unwrap(), br#"{"status":null,"note":null,"qty":1}"#);
        let e = conv
            .to_bytes(Some(&defaulted_row(Value::Null)))
            .unwrap_err();
        assert!(e.contains("replace.null.with.default=false"), "{e}");
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

    #[test]
    fn strings_are_escaped_as_jackson_escapes_them() {
        // Jackson (and serde_json) escape quotes, backslashes and control characters, with
        // the short forms \b \t \n \f \r; everything else, non-ASCII included, is as is.
        let tricky = "a\"b\\c\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}/é€😀 end";
        let mut out = Vec::new();
        write_str(&mut out, tricky);
        assert_eq!(out, serde_json::to_vec(tricky).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}/é€😀 end\""
        );
    }

    #[test]
    fn every_escape_at_every_place_of_a_word() {
        for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '~', '\u{7f}', 'é'] {
            for at in 0..20 {
                let mut text: String = "0123456789abcdefghij".into();
                text.replace_range(at..=at, &special.to_string());
                let mut out = Vec::new();
                write_str(&mut out, &text);
                assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
            }
        }
    }

    #[test]
    fn integers_at_their_limits() {
        let schema = Arc::new(
            Schema::record("r")
                .field("a", Schema::of(SchemaType::Int8))
                .field("b", Schema::of(SchemaType::Int16))
                .field("c", Schema::of(SchemaType::Int32))
                .field("d", Schema::of(SchemaType::Int64)),
        );
        let value = Value::Struct(vec![
            Value::Int8(i8::MIN),
            Value::Int16(i16::MAX),
            Value::Int32(-1),
            Value::Int64(i64::MIN),
        ]);
        let out = JsonConverter::new(false)
            .to_bytes(Some(&ConnectData::new(schema, value)))
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            br#"{"a":-128,"b":32767,"c":-1,"d":-9223372036854775808}"#
        );
    }
}
