//! Header bytes back to Connect data, for sinks: `SimpleHeaderConverter.toConnectHeader`,
//! or `JsonConverter`'s reading of an envelope.
//!
//! The simple converter's text is read by a subset of Kafka's `Values.parseString`:
//! `null`, `true` and `false`, numbers (an integral one as the narrowest of int8, int16,
//! int32 and int64 that holds it, any other as a float, a double when a float would
//! overflow, a `Decimal` when neither fits), and anything else as the string it is.
//! Unlike Kafka, ISO dates, times and timestamps, and the `[…]` and `{…}` forms of
//! arrays and maps, are read as strings, and text with spaces around a number too.
//! Bytes that are not UTF-8 are read as bytes, as Kafka falls back to.

use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, Value};

use crate::decimal_text::BigDecimal;
use crate::HeaderConverter;

impl HeaderConverter {
    /// A header's Connect data; a null header is a null of an optional string schema
    /// (Kafka's has no schema at all, which Connect data here cannot express).
    pub fn to_connect(&mut self, bytes: Option<&[u8]>) -> Result<ConnectData, String> {
        match self {
            HeaderConverter::Simple => Ok(simple_header(bytes)),
            HeaderConverter::Json(json) => Ok(json.to_connect(bytes)?.unwrap_or_else(null)),
        }
    }
}

fn null() -> ConnectData {
    ConnectData::new(
        Arc::new(Schema::of(SchemaType::String).optional()),
        Value::Null,
    )
}

fn of(kind: SchemaType, value: Value) -> ConnectData {
    ConnectData::new(Arc::new(Schema::of(kind)), value)
}

/// `SimpleHeaderConverter.toConnectHeader`, within the subset above.
pub fn simple_header(bytes: Option<&[u8]>) -> ConnectData {
    let Some(bytes) = bytes else {
        return null();
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return of(SchemaType::Bytes, Value::Bytes(bytes.to_vec()));
    };
    match text {
        "null" => return null(),
        "true" => return of(SchemaType::Boolean, Value::Boolean(true)),
        "false" => return of(SchemaType::Boolean, Value::Boolean(false)),
        _ => {}
    }
    if text.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-') {
        if let Some(number) = BigDecimal::parse(text) {
            return number_data(text, &number);
        }
    }
    of(SchemaType::String, Value::String(text.to_string()))
}

/// `Values.parseAsNumber`: an integral value in the narrowest integer, a fraction (or a
/// number with an exponent) as a float or double while it does not overflow, otherwise
/// a `Decimal` of the number's own scale.
fn number_data(text: &str, number: &BigDecimal) -> ConnectData {
    if let Some(integral) = number.at_scale(0).and_then(|n| i64::try_from(n).ok()) {
        return if let Ok(v) = i8::try_from(integral) {
            of(SchemaType::Int8, Value::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            of(SchemaType::Int16, Value::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            of(SchemaType::Int32, Value::Int32(v))
        } else {
            of(SchemaType::Int64, Value::Int64(integral))
        };
    }
    if number.scale != 0 {
        if let Some(v) = text.parse::<f32>().ok().filter(|v| v.is_finite()) {
            return of(SchemaType::Float32, Value::Float32(v));
        }
        if let Some(v) = text.parse::<f64>().ok().filter(|v| v.is_finite()) {
            return of(SchemaType::Float64, Value::Float64(v));
        }
    }
    let schema = Schema::of(SchemaType::Bytes)
        .named("org.apache.kafka.connect.data.Decimal")
        .version(1)
        .param("scale", number.scale.to_string());
    ConnectData::new(
        Arc::new(schema),
        Value::Bytes(number.unscaled.to_signed_bytes_be()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JsonConverter;

    fn read(text: &str) -> (SchemaType, Value) {
        let data = simple_header(Some(text.as_bytes()));
        (data.schema.kind, data.value)
    }

    #[test]
    fn simple_header_text_is_typed_as_kafka_types_it() {
        assert_eq!(read("true"), (SchemaType::Boolean, Value::Boolean(true)));
        assert_eq!(read("42"), (SchemaType::Int8, Value::Int8(42)));
        assert_eq!(read("-129"), (SchemaType::Int16, Value::Int16(-129)));
        assert_eq!(read("1.0"), (SchemaType::Int8, Value::Int8(1)));
        assert_eq!(read("70000"), (SchemaType::Int32, Value::Int32(70000)));
        assert_eq!(
            read("9223372036854775807"),
            (SchemaType::Int64, Value::Int64(i64::MAX))
        );
        assert_eq!(read("1.5"), (SchemaType::Float32, Value::Float32(1.5)));
        assert_eq!(read("1e300"), (SchemaType::Float64, Value::Float64(1e300)));
        assert_eq!(
            read("2023-01-01"),
            (SchemaType::String, Value::from("2023-01-01"))
        );
        assert_eq!(read("abc"), (SchemaType::String, Value::from("abc")));
        assert_eq!(read(""), (SchemaType::String, Value::from("")));
        let wide = simple_header(Some(b"92233720368547758070"));
        assert_eq!(
            wide.schema.name.as_deref(),
            Some("org.apache.kafka.connect.data.Decimal")
        );
        assert_eq!(wide.schema.parameter("scale"), Some("0"));
        assert!(simple_header(None).value.is_null());
        assert!(simple_header(Some(b"null")).value.is_null());
        assert_eq!(
            simple_header(Some(&[0xff, 0xfe])).value,
            Value::Bytes(vec![0xff, 0xfe])
        );
    }

    #[test]
    fn what_the_simple_converter_writes_reads_back() {
        let mut simple = HeaderConverter::Simple;
        for data in [
            of(SchemaType::Boolean, Value::Boolean(false)),
            of(SchemaType::Int8, Value::Int8(-5)),
            of(SchemaType::Int64, Value::Int64(1 << 40)),
            of(SchemaType::String, Value::from("op=c")),
        ] {
            let bytes = simple.to_bytes(&data).unwrap();
            assert_eq!(simple.to_connect(bytes.as_deref()).unwrap(), data);
        }
    }

    #[test]
    fn json_headers_read_their_envelope() {
        let mut json = HeaderConverter::Json(JsonConverter::new(true));
        let data = of(SchemaType::String, Value::from("v"));
        let bytes = json.to_bytes(&data).unwrap();
        assert_eq!(json.to_connect(bytes.as_deref()).unwrap(), data);
        assert!(json.to_connect(None).unwrap().value.is_null());
        assert!(json.to_connect(Some(b"\"bare\"")).is_err());
    }
}
