//! Header values as Kafka Connect's header converters write them.
//!
//! The default, `SimpleHeaderConverter`, writes the text form of `Values.convertToString`:
//! a top-level string as it is, numbers and booleans as Java prints them, bytes as
//! base64, and structs, arrays and maps as a JSON-like text in which only `\` and `"`
//! are escaped. `JsonConverter` as a header converter writes what it writes for values.

use base64::Engine;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};

use crate::JsonConverter;

/// `header.converter`.
pub enum HeaderConverter {
    Simple,
    Json(JsonConverter),
}

impl HeaderConverter {
    /// The header's bytes; a null value is a null header.
    pub fn to_bytes(&mut self, data: &ConnectData) -> Result<Option<Vec<u8>>, String> {
        match self {
            HeaderConverter::Simple => {
                Ok(simple_text(&data.schema, &data.value)?.map(String::into_bytes))
            }
            HeaderConverter::Json(json) => json.to_bytes(Some(data)),
        }
    }
}

/// `Values.convertToString`: `None` for a null value.
pub fn simple_text(schema: &Schema, value: &Value) -> Result<Option<String>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let mut out = String::new();
    append(&mut out, schema, value, false)?;
    Ok(Some(out))
}

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

fn append(out: &mut String, schema: &Schema, value: &Value, embedded: bool) -> Result<(), String> {
    use std::fmt::Write;
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int8(v) => write!(out, "{v}").map_err(|e| e.to_string())?,
        Value::Int16(v) => write!(out, "{v}").map_err(|e| e.to_string())?,
        Value::Int32(v) => match schema.name.as_deref() {
            Some(DATE) => out.push_str(&logical_date(i64::from(*v) * 86_400_000)),
            Some(TIME) => out.push_str(&logical_date(i64::from(*v))),
            _ => write!(out, "{v}").map_err(|e| e.to_string())?,
        },
        Value::Int64(v) => match schema.name.as_deref() {
            Some(TIMESTAMP) => out.push_str(&logical_date(*v)),
            _ => write!(out, "{v}").map_err(|e| e.to_string())?,
        },
        Value::Float32(v) => out.push_str(&java_double(f64::from(*v), true)),
        Value::Float64(v) => out.push_str(&java_double(*v, false)),
        Value::String(s) => {
            if embedded {
                out.push('"');
                for c in s.chars() {
                    if c == '\\' || c == '"' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        Value::Bytes(bytes) if schema.name.as_deref() == Some(DECIMAL) => {
            let scale = schema
                .parameter("scale")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            out.push_str(&big_decimal_text(bytes, scale)?);
        }
        Value::Bytes(bytes) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            if embedded {
                out.push('"');
                out.push_str(&encoded);
                out.push('"');
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Array(items) => {
            let item_schema = schema
                .items
                .as_deref()
                .ok_or("an array without an items schema")?;
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item_schema, item, true)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let (Some(keys), Some(values)) = (schema.keys.as_deref(), schema.values.as_deref())
            else {
                return Err("a map without key/value schemas".into());
            };
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, keys, k, true)?;
                out.push(':');
                append(out, values, v, true)?;
            }
            out.push('}');
        }
        Value::Struct(fields) => {
            out.push('{');
            for (i, (field, v)) in schema.fields.iter().zip(fields).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(
                    out,
                    &Schema::of(SchemaType::String),
                    &Value::String(field.name.clone()),
                    true,
                )?;
                out.push(':');
                append(out, &field.schema, v, true)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `Values.dateFormatFor`: a time of day, a date, or a full timestamp, in UTC.
fn logical_date(millis: i64) -> String {
    const DAY: i64 = 86_400_000;
    let Some(at) = chrono::DateTime::from_timestamp_millis(millis) else {
        return millis.to_string();
    };
    if millis < DAY {
        at.format("%H:%M:%S%.3fZ").to_string()
    } else if millis % DAY == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

/// Java's `Double.toString` (`Float.toString` for a float): plain notation from 10^-3 up
/// to 10^7, computerized scientific notation (`1.0E10`) outside it, always with a
/// fractional digit. Rust's shortest round-trip digits are the ones Java 19+ prints.
fn java_double(v: f64, float: bool) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = v.abs();
    if v == 0.0 || (1e-3..1e7).contains(&abs) {
        let mut s = if float {
            format!("{}", v as f32)
        } else {
            format!("{v}")
        };
        if !s.contains('.') {
            s.push_str(".0");
        }
        return s;
    }
    let s = if float {
        format!("{:e}", v as f32)
    } else {
        format!("{v:e}")
    };
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

/// `BigDecimal.toString` of a Connect decimal (two's complement unscaled value and
/// scale): plain unless the exponent is small, as Java prints it.
fn big_decimal_text(bytes: &[u8], scale: i32) -> Result<String, String> {
    if bytes.len() > 16 {
        return Err("a decimal wider than 128 bits cannot be written as a header".into());
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut unscaled: i128 = if negative { -1 } else { 0 };
    for b in bytes {
        unscaled = (unscaled << 8) | i128::from(*b);
    }
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let adjusted = digits.len() as i64 - 1 - i64::from(scale);
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            return Ok(format!("{sign}{digits}"));
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        return Ok(format!("{sign}{int}.{frac}"));
    }
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() {
        String::new()
    } else {
        format!(".{rest}")
    };
    let exp_sign = if adjusted >= 0 { "+" } else { "" };
    Ok(format!("{sign}{first}{point}E{exp_sign}{adjusted}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn text(schema: Schema, value: Value) -> Option<String> {
        simple_text(&schema, &value).unwrap()
    }

    #[test]
    fn top_level_values_are_plain_text() {
        assert_eq!(
            text(Schema::of(SchemaType::String), Value::from("a\"b")).as_deref(),
            Some("a\"b")
        );
        assert_eq!(
            text(Schema::of(SchemaType::Int64), Value::Int64(-42)).as_deref(),
            Some("-42")
        );
        assert_eq!(
            text(Schema::of(SchemaType::Boolean), Value::Boolean(true)).as_deref(),
            Some("true")
        );
        assert_eq!(
            text(Schema::of(SchemaType::Bytes), Value::Bytes(vec![1, 2, 3])).as_deref(),
            Some("AQID")
        );
        assert_eq!(
            text(Schema::of(SchemaType::String).optional(), Value::Null),
            None
        );
    }

    #[test]
    fn doubles_print_as_java_prints_them() {
        assert_eq!(java_double(1.0, false), "1.0");
        assert_eq!(java_double(0.5, false), "0.5");
        assert_eq!(java_double(1e7, false), "1.0E7");
        assert_eq!(java_double(1.25e-5, false), "1.25E-5");
        assert_eq!(java_double(123456.789, false), "123456.789");
        assert_eq!(java_double(0.1, true), "0.1");
    }

    #[test]
    fn structs_are_json_like_with_quoted_strings() {
        let schema = Schema::record("k")
            .field("id", Schema::of(SchemaType::Int32))
            .field("name", Schema::of(SchemaType::String).optional())
            .field("tags", Schema::array(Schema::of(SchemaType::String)));
        let value = Value::Struct(vec![
            Value::Int32(1),
            Value::from("a\\\"b"),
            Value::Array(vec![Value::from("x"), Value::from("y")]),
        ]);
        assert_eq!(
            text(schema, value).as_deref(),
            Some(r#"{"id":1,"name":"a\\\"b","tags":["x","y"]}"#)
        );
    }

    #[test]
    fn logical_types_print_as_java_dates_and_big_decimals() {
        let decimal = |scale: &str| {
            Schema::of(SchemaType::Bytes)
                .named(DECIMAL)
                .param("scale", scale)
        };
        assert_eq!(
            text(decimal("2"), Value::Bytes(vec![0x30, 0x39])).as_deref(),
            Some("123.45")
        );
        assert_eq!(
            text(decimal("3"), Value::Bytes(vec![0xff])).as_deref(),
            Some("-0.001")
        );
        assert_eq!(
            text(decimal("0"), Value::Bytes(vec![0x07])).as_deref(),
            Some("7")
        );
        let ts = Schema::of(SchemaType::Int64).named(TIMESTAMP);
        assert_eq!(
            text(ts, Value::Int64(1_700_000_000_123)).as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
        let date = Schema::of(SchemaType::Int32).named(DATE);
        assert_eq!(
            text(date, Value::Int32(19_000)).as_deref(),
            Some("2022-01-08")
        );
    }

    #[test]
    fn json_header_converter_writes_the_envelope() {
        let mut json = HeaderConverter::Json(JsonConverter::new(true));
        let data = ConnectData::new(Arc::new(Schema::of(SchemaType::String)), Value::from("v"));
        let bytes = json.to_bytes(&data).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"schema":{"type":"string","optional":false},"payload":"v"}"#
        );
    }
}
