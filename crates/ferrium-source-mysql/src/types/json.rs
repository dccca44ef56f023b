//! JSON column values as the text Debezium writes for them.
//!
//! From the binlog, MySQL's binary JSON is rendered like the binlog client's
//! `JsonStringFormatter`: no insignificant whitespace, members in stored order, strings
//! escaped only where JSON requires it (control characters as `\uXXXX` or the short
//! escapes), doubles as Java prints them ([`json_double`]), opaque DECIMAL/DATE/TIME/
//! DATETIME values as plain text and other opaque values as base64.
//!
//! The snapshot reads JSON as the server prints it (`{"a": 1}`) and MariaDB keeps the text
//! as inserted; [`normalize_text`] re-renders such text in the same form, so a row reads
//! the same whichever path delivered it.

use mysql_async::binlog::jsonb::{self, JsonDom, JsonNumber, JsonScalar};
use mysql_async::consts::ColumnType;

use super::java_double::json_double;

/// Renders MySQL binary JSON.
pub(crate) fn format_jsonb(value: &jsonb::Value<'_>) -> Result<String, &'static str> {
    let mut out = String::new();
    write_jsonb(&mut out, value)?;
    Ok(out)
}

/// Re-renders JSON text in the binlog formatter's form.
pub(crate) fn normalize_text(text: &str) -> Result<String, &'static str> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| "not a valid JSON document")?;
    let mut out = String::with_capacity(text.len());
    write_serde(&mut out, &value);
    Ok(out)
}

const BAD_JSONB: &str = "malformed binary JSON";

fn write_jsonb(out: &mut String, value: &jsonb::Value<'_>) -> Result<(), &'static str> {
    use jsonb::Value as J;
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::I16(v) => out.push_str(&v.to_string()),
        J::U16(v) => out.push_str(&v.to_string()),
        J::I32(v) => out.push_str(&v.to_string()),
        J::U32(v) => out.push_str(&v.to_string()),
        J::I64(v) => out.push_str(&v.to_string()),
        J::U64(v) => out.push_str(&v.to_string()),
        J::F64(v) => out.push_str(&json_double(*v)),
        J::String(s) => push_string(out, &s.str()),
        J::SmallArray(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jsonb(out, &item.map_err(|_| BAD_JSONB)?)?;
            }
            out.push(']');
        }
        J::LargeArray(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jsonb(out, &item.map_err(|_| BAD_JSONB)?)?;
            }
            out.push(']');
        }
        J::SmallObject(o) => {
            out.push('{');
            for (i, entry) in o.iter().enumerate() {
                let (key, item) = entry.map_err(|_| BAD_JSONB)?;
                if i > 0 {
                    out.push(',');
                }
                push_string(out, &key.value());
                out.push(':');
                write_jsonb(out, &item)?;
            }
            out.push('}');
        }
        J::LargeObject(o) => {
            out.push('{');
            for (i, entry) in o.iter().enumerate() {
                let (key, item) = entry.map_err(|_| BAD_JSONB)?;
                if i > 0 {
                    out.push(',');
                }
                push_string(out, &key.value());
                out.push(':');
                write_jsonb(out, &item)?;
            }
            out.push('}');
        }
        J::Opaque(opaque) => write_opaque(out, value, opaque.value_type(), opaque.data_raw())?,
    }
    Ok(())
}

/// `JsonBinary.parseOpaque`: DECIMAL as a plain number, temporal values as quoted text,
/// anything else as quoted base64 of the raw bytes.
fn write_opaque(
    out: &mut String,
    value: &jsonb::Value<'_>,
    ty: ColumnType,
    raw: &[u8],
) -> Result<(), &'static str> {
    use std::fmt::Write;
    let temporal_or_decimal = matches!(
        ty,
        ColumnType::MYSQL_TYPE_NEWDECIMAL
            | ColumnType::MYSQL_TYPE_DATE
            | ColumnType::MYSQL_TYPE_TIME
            | ColumnType::MYSQL_TYPE_DATETIME
            | ColumnType::MYSQL_TYPE_TIMESTAMP
    );
    if !temporal_or_decimal {
        out.push('"');
        out.push_str(&ferrium_event::logical::binary::base64_standard(raw));
        out.push('"');
        return Ok(());
    }
    match value.clone().parse().map_err(|_| BAD_JSONB)? {
        JsonDom::Scalar(JsonScalar::Number(JsonNumber::Decimal(d))) => {
            let text = d.to_string();
            let parsed =
                ferrium_event::logical::decimal::parse_decimal(&text).map_err(|_| BAD_JSONB)?;
            out.push_str(&ferrium_event::logical::decimal::plain_string(
                &parsed, None,
            ));
        }
        JsonDom::Scalar(JsonScalar::DateTime(t)) => {
            out.push('"');
            let date = |out: &mut String| {
                let _ = write!(out, "{:04}-{:02}-{:02}", t.year, t.month, t.day);
            };
            let time = |out: &mut String| {
                let _ = write!(out, "{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
                if t.second_part != 0 {
                    let frac = format!("{:06}", t.second_part);
                    out.push('.');
                    out.push_str(frac.trim_end_matches('0'));
                }
            };
            match ty {
                ColumnType::MYSQL_TYPE_DATE => date(out),
                ColumnType::MYSQL_TYPE_TIME => {
                    if t.neg {
                        out.push('-');
                    }
                    time(out);
                }
                _ => {
                    date(out);
                    out.push(' ');
                    time(out);
                }
            }
            out.push('"');
        }
        _ => return Err(BAD_JSONB),
    }
    Ok(())
}

fn write_serde(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value as S;
    match value {
        S::Null => out.push_str("null"),
        S::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        S::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(f) = n.as_f64() {
                out.push_str(&json_double(f));
            }
        }
        S::String(s) => push_string(out, s),
        S::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_serde(out, item);
            }
            out.push(']');
        }
        S::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(out, key);
                out.push(':');
                write_serde(out, item);
            }
            out.push('}');
        }
    }
}

/// A quoted string escaped like `JsonStringFormatter.appendString`: `"` and `\` with a
/// backslash, the usual short escapes, other control characters as upper-case `\u00XX`,
/// everything else (including `/` and non-ASCII) as is.
fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_server_text_to_the_compact_binlog_form() {
        assert_eq!(
            normalize_text(r#"{"b":  1.50, "a":[1 ,2], "c": null}"#).unwrap(),
            r#"{"b":1.5,"a":[1,2],"c":null}"#
        );
        assert_eq!(
            normalize_text("[true, false, 3.0, -7]").unwrap(),
            "[true,false,3.0,-7]"
        );
        assert_eq!(
            normalize_text(r#""a\/b\u0001\"é""#).unwrap(),
            r#""a/b\u0001\"é""#
        );
        assert_eq!(normalize_text("1e20").unwrap(), "100000000000000000000");
        assert_eq!(
            normalize_text("18446744073709551615").unwrap(),
            "18446744073709551615"
        );
        assert!(normalize_text("{oops").is_err());
    }

    #[test]
    fn escapes_like_the_binlog_formatter() {
        let mut s = String::new();
        push_string(&mut s, "q\"\\\n\t\u{1f}/ü");
        assert_eq!(s, r#""q\"\\\n\t\u001F/ü""#);
    }

    #[test]
    fn renders_binary_json_scalars() {
        use jsonb::Value as J;
        assert_eq!(format_jsonb(&J::Null).unwrap(), "null");
        assert_eq!(format_jsonb(&J::Bool(true)).unwrap(), "true");
        assert_eq!(format_jsonb(&J::I16(-3)).unwrap(), "-3");
        assert_eq!(
            format_jsonb(&J::U64(u64::MAX)).unwrap(),
            "18446744073709551615"
        );
        assert_eq!(format_jsonb(&J::F64(2.0)).unwrap(), "2.0");
        assert_eq!(
            format_jsonb(&J::String(jsonb::JsonbString::new(&b"x\"y"[..]))).unwrap(),
            r#""x\"y""#
        );
    }
}
