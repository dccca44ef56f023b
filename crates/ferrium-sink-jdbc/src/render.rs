//! A Connect value as the database reads it: the text input form of its column type
//! (PostgreSQL casts each text to the column's type), or for MariaDB/MySQL the text or
//! bytes a statement parameter carries. Every value keeps its full precision: decimals
//! as exact text, times past midnight (`24:00:00`), MySQL `TIME` beyond 24 hours, bits
//! of any width.

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use ferrium_config::JdbcDialect;
use ferrium_event::logical::decimal::unscaled_to_plain;
use ferrium_event::{Schema, Value};

use crate::column::{ColumnKind, Unit};

/// Debezium's stand-in for a TOASTed value the source did not send (its default
/// `unavailable.value.placeholder`); the stored value must be kept instead.
pub const UNAVAILABLE: &str = "__debezium_unavailable_value";

/// One statement parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlValue {
    Null,
    Text(String),
    Bytes(Vec<u8>),
    /// A MariaDB/MySQL `BIT` value, which must arrive as a number (a string would be
    /// taken as its bytes).
    UInt(u64),
}

/// Whether the value is Debezium's placeholder for a value it did not have.
pub fn is_unavailable(value: &Value) -> bool {
    match value {
        Value::String(s) => s == UNAVAILABLE,
        Value::Bytes(b) => b == UNAVAILABLE.as_bytes(),
        Value::Array(items) => items.len() == 1 && is_unavailable(&items[0]),
        _ => false,
    }
}

fn mismatch(kind: &ColumnKind, value: &Value) -> String {
    format!(
        "a {} value does not fit a {kind:?} column",
        value.kind_name()
    )
}

fn date_text(days: i64) -> Result<String, String> {
    let date = NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32)
        .ok_or_else(|| format!("{days} days from 1970-01-01 is not a date"))?;
    Ok(with_era(date, String::new()))
}

/// `YYYY-MM-DD` + `rest`, with PostgreSQL's ` BC` for years before 1 (chrono counts
/// 1 BC as year 0).
fn with_era(date: NaiveDate, rest: String) -> String {
    let year = date.year();
    if year > 0 {
        format!("{year:04}-{:02}-{:02}{rest}", date.month(), date.day())
    } else {
        format!(
            "{:04}-{:02}-{:02}{rest} BC",
            1 - year,
            date.month(),
            date.day()
        )
    }
}

fn micros_of(unit: Unit, n: i64) -> i64 {
    match unit {
        Unit::Millis => n.saturating_mul(1000),
        Unit::Micros => n,
        // Databases keep microseconds; the nanoseconds beyond are dropped.
        Unit::Nanos => n.div_euclid(1000),
    }
}

/// A time of day, or for MySQL a duration: hours may pass 24, and be negative.
fn time_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    let (secs, frac) = (m / 1_000_000, m % 1_000_000);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{sign}{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{sign}{h:02}:{mi:02}:{s:02}.{frac:06}")
    }
}

/// Microseconds as a PostgreSQL interval, whole days apart (`1 day 02:03:04.5`), as
/// PostgreSQL prints the intervals people write. Debezium's `MicroDuration` has already
/// turned months into 30.4375 days; `interval.handling.mode=string` keeps them.
fn interval_text(micros: i64) -> String {
    let day = 86_400_000_000;
    let (days, rest) = (micros / day, micros % day);
    if days == 0 {
        return time_text(rest);
    }
    format!("{days} days {}", time_text(rest))
}

fn timestamp_text(micros: i64) -> Result<String, String> {
    let at = DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| format!("{micros} µs from the epoch is not a timestamp"))?
        .naive_utc();
    let frac = at.nanosecond() / 1000;
    let time = if frac == 0 {
        format!(" {:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
    } else {
        format!(
            " {:02}:{:02}:{:02}.{frac:06}",
            at.hour(),
            at.minute(),
            at.second()
        )
    };
    Ok(with_era(at.date(), time))
}

/// `Bits` are Java `BitSet.toByteArray()`: little-endian, bit 0 first.
fn bit(bytes: &[u8], i: u32) -> bool {
    bytes
        .get((i / 8) as usize)
        .is_some_and(|b| b >> (i % 8) & 1 == 1)
}

fn float_text(v: f64, dialect: JdbcDialect) -> Result<String, String> {
    if v.is_finite() {
        return Ok(v.to_string());
    }
    match dialect {
        JdbcDialect::Postgres if v.is_nan() => Ok("NaN".into()),
        JdbcDialect::Postgres if v > 0.0 => Ok("Infinity".into()),
        JdbcDialect::Postgres => Ok("-Infinity".into()),
        JdbcDialect::Mysql => Err(format!(
            "{v} cannot be stored: MariaDB/MySQL have no NaN or infinite floating-point values"
        )),
    }
}

fn variable_decimal(schema: &Schema, value: &Value) -> Result<String, String> {
    let (Some(scale), Some(unscaled)) = (schema.field_index("scale"), schema.field_index("value"))
    else {
        return Err("a VariableScaleDecimal without scale and value fields".into());
    };
    match value {
        Value::Struct(fields) => match (fields.get(scale), fields.get(unscaled)) {
            (Some(Value::Int32(s)), Some(Value::Bytes(b))) => Ok(unscaled_to_plain(b, *s)),
            _ => Err("a VariableScaleDecimal without its scale or value".into()),
        },
        other => Err(format!(
            "a {} is not a VariableScaleDecimal",
            other.kind_name()
        )),
    }
}

/// The text of one value in its column's input form.
fn text(
    kind: &ColumnKind,
    schema: &Schema,
    value: &Value,
    dialect: JdbcDialect,
) -> Result<String, String> {
    use ColumnKind as K;
    let mysql = dialect == JdbcDialect::Mysql;
    Ok(match (kind, value) {
        (K::Boolean, Value::Boolean(b)) => match (mysql, b) {
            (true, true) => "1".into(),
            (true, false) => "0".into(),
            (false, true) => "t".into(),
            (false, false) => "f".into(),
        },
        (_, Value::Int8(n)) => n.to_string(),
        (K::Date, Value::Int32(days)) => date_text(i64::from(*days))?,
        (K::Time { unit }, Value::Int32(n)) => time_text(micros_of(*unit, i64::from(*n))),
        (K::Time { unit }, Value::Int64(n)) => time_text(micros_of(*unit, *n)),
        (K::Timestamp { unit }, Value::Int64(n)) => timestamp_text(micros_of(*unit, *n))?,
        (_, Value::Int16(n)) => n.to_string(),
        (_, Value::Int32(n)) => n.to_string(),
        (K::IntervalMicros, Value::Int64(n)) if !mysql => interval_text(*n),
        (_, Value::Int64(n)) => n.to_string(),
        (_, Value::Float32(v)) if v.is_finite() => v.to_string(),
        (_, Value::Float32(v)) => float_text(f64::from(*v), dialect)?,
        (_, Value::Float64(v)) => float_text(*v, dialect)?,
        (K::TimestampTz, Value::String(s)) if mysql => {
            let at = DateTime::parse_from_rfc3339(s)
                .map_err(|e| format!("'{s}' is not an ISO-8601 timestamp: {e}"))?;
            timestamp_text(at.timestamp_micros())?
        }
        (K::TimeTz, Value::String(s)) => {
            // `HH:MM:SS[.f]Z` as Debezium writes ZonedTime; both databases read `+00`
            // or, for MySQL, the bare time in UTC.
            let bare = s.strip_suffix('Z').unwrap_or(s);
            if mysql {
                bare.to_string()
            } else if bare.len() < s.len() {
                format!("{bare}+00")
            } else {
                s.clone()
            }
        }
        (_, Value::String(s)) => s.clone(),
        (K::Decimal { scale, .. }, Value::Bytes(b)) => unscaled_to_plain(b, *scale),
        (K::VariableDecimal, v @ Value::Struct(_)) => variable_decimal(schema, v)?,
        (K::Bits(n), Value::Bytes(b)) => (0..*n)
            .rev()
            .map(|i| if bit(b, i) { '1' } else { '0' })
            .collect(),
        (_, Value::Bytes(b)) => {
            let mut out = String::with_capacity(2 + b.len() * 2);
            out.push_str("\\x");
            for byte in b {
                out.push_str(&format!("{byte:02x}"));
            }
            out
        }
        (K::Array(item), Value::Array(items)) => {
            let items_schema = schema.items.as_deref().unwrap_or(schema);
            if mysql {
                json_array(item, items_schema, items, dialect)?
            } else {
                pg_array(item, items_schema, items, dialect)?
            }
        }
        (kind, value) => return Err(mismatch(kind, value)),
    })
}

/// A PostgreSQL array literal: `{"a","b",NULL}`, every element quoted and escaped.
fn pg_array(
    item: &ColumnKind,
    schema: &Schema,
    items: &[Value],
    dialect: JdbcDialect,
) -> Result<String, String> {
    let mut out = String::from("{");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if v.is_null() {
            out.push_str("NULL");
            continue;
        }
        out.push('"');
        for c in text(item, schema, v, dialect)?.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    Ok(out)
}

/// MariaDB/MySQL have no arrays: an array becomes a JSON array.
fn json_array(
    item: &ColumnKind,
    schema: &Schema,
    items: &[Value],
    dialect: JdbcDialect,
) -> Result<String, String> {
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        out.push(match v {
            Value::Null => serde_json::Value::Null,
            Value::Boolean(b) => serde_json::Value::Bool(*b),
            Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_)
                if !matches!(item, ColumnKind::Date | ColumnKind::Time { .. }) =>
            {
                serde_json::from_str(&text(item, schema, v, dialect)?).map_err(|e| e.to_string())?
            }
            other => serde_json::Value::String(text(item, schema, other, dialect)?),
        });
    }
    Ok(serde_json::Value::Array(out).to_string())
}

/// The parameter for one column value; `Null` for a null.
pub fn render(
    kind: &ColumnKind,
    schema: &Schema,
    value: &Value,
    dialect: JdbcDialect,
) -> Result<SqlValue, String> {
    match (value, dialect, kind) {
        (Value::Null, _, _) => Ok(SqlValue::Null),
        (Value::Bytes(b), JdbcDialect::Mysql, ColumnKind::Bytes) => Ok(SqlValue::Bytes(b.clone())),
        (Value::Bytes(b), JdbcDialect::Mysql, ColumnKind::Bits(n)) => {
            if *n > 64 {
                return Err(format!("BIT({n}) is wider than MariaDB/MySQL's 64 bits"));
            }
            Ok(SqlValue::UInt(
                (0..*n).filter(|&i| bit(b, i)).fold(0u64, |v, i| v | 1 << i),
            ))
        }
        _ => text(kind, schema, value, dialect).map(SqlValue::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::SchemaType;

    fn pg(kind: ColumnKind, value: Value) -> String {
        match render(
            &kind,
            &Schema::of(SchemaType::String),
            &value,
            JdbcDialect::Postgres,
        )
        .unwrap()
        {
            SqlValue::Text(t) => t,
            other => panic!("{other:?}"),
        }
    }

    fn my(kind: ColumnKind, value: Value) -> SqlValue {
        render(
            &kind,
            &Schema::of(SchemaType::String),
            &value,
            JdbcDialect::Mysql,
        )
        .unwrap()
    }

    #[test]
    fn temporal_values_keep_every_digit() {
        assert_eq!(pg(ColumnKind::Date, Value::Int32(19_723)), "2024-01-01");
        assert_eq!(
            pg(ColumnKind::Date, Value::Int32(-719_163)),
            "0001-12-31 BC"
        );
        assert_eq!(
            pg(
                ColumnKind::Timestamp { unit: Unit::Micros },
                Value::Int64(1_704_067_200_123_456)
            ),
            "2024-01-01 00:00:00.123456"
        );
        assert_eq!(
            pg(
                ColumnKind::Timestamp { unit: Unit::Millis },
                Value::Int64(-1)
            ),
            "1969-12-31 23:59:59.999000"
        );
        // PostgreSQL's time '24:00:00', and MySQL TIME beyond a day or below zero.
        assert_eq!(
            pg(
                ColumnKind::Time { unit: Unit::Micros },
                Value::Int64(86_400_000_000)
            ),
            "24:00:00"
        );
        assert_eq!(
            my(
                ColumnKind::Time { unit: Unit::Micros },
                Value::Int64(-(838 * 3_600_000_000 + 1_500_000))
            ),
            SqlValue::Text("-838:00:01.500000".into())
        );
        assert_eq!(
            pg(ColumnKind::IntervalMicros, Value::Int64(1_500_001)),
            "00:00:01.500001"
        );
        assert_eq!(
            pg(ColumnKind::IntervalMicros, Value::Int64(-93_784_500_000)),
            "-1 days -02:03:04.500000"
        );
        assert_eq!(
            my(
                ColumnKind::TimestampTz,
                Value::String("2024-01-01T01:00:00.5+01:00".into())
            ),
            SqlValue::Text("2024-01-01 00:00:00.500000".into())
        );
        assert_eq!(
            pg(ColumnKind::TimeTz, Value::String("10:15:30.25Z".into())),
            "10:15:30.25+00"
        );
    }

    #[test]
    fn numbers_bits_and_bytes() {
        let decimal = ColumnKind::Decimal {
            precision: None,
            scale: 3,
        };
        assert_eq!(pg(decimal, Value::Bytes(vec![0xfe, 0x0c])), "-0.500");
        let vsd = Schema::record("io.debezium.data.VariableScaleDecimal")
            .field("scale", Schema::of(SchemaType::Int32))
            .field("value", Schema::of(SchemaType::Bytes));
        let v = Value::Struct(vec![Value::Int32(30), Value::Bytes(vec![0x01])]);
        let t = render(
            &ColumnKind::VariableDecimal,
            &vsd,
            &v,
            JdbcDialect::Postgres,
        )
        .unwrap();
        assert_eq!(t, SqlValue::Text(format!("0.{}1", "0".repeat(29))));
        // MySQL BIT(8) 0x80 (Debezium's little-endian byte array) is 128, not a crash.
        assert_eq!(
            my(ColumnKind::Bits(8), Value::Bytes(vec![0x80])),
            SqlValue::UInt(128)
        );
        assert_eq!(
            pg(ColumnKind::Bits(10), Value::Bytes(vec![0x01, 0x02])),
            "1000000001"
        );
        assert_eq!(pg(ColumnKind::Bytes, Value::Bytes(vec![0, 255])), "\\x00ff");
        assert_eq!(
            my(ColumnKind::Bytes, Value::Bytes(vec![0, 255])),
            SqlValue::Bytes(vec![0, 255])
        );
        assert_eq!(pg(ColumnKind::Float64, Value::Float64(f64::NAN)), "NaN");
        assert!(render(
            &ColumnKind::Float64,
            &Schema::of(SchemaType::Float64),
            &Value::Float64(f64::INFINITY),
            JdbcDialect::Mysql
        )
        .is_err());
        assert_eq!(pg(ColumnKind::Float32, Value::Float32(0.1)), "0.1");
        assert_eq!(pg(ColumnKind::Boolean, Value::Boolean(true)), "t");
    }

    #[test]
    fn arrays_are_quoted_literals_or_json() {
        let schema = Schema::array(Schema::of(SchemaType::String).optional());
        let kind = ColumnKind::Array(Box::new(ColumnKind::Text));
        let v = Value::Array(vec![
            Value::String("a\"b\\c".into()),
            Value::Null,
            Value::String("NULL".into()),
        ]);
        let t = render(&kind, &schema, &v, JdbcDialect::Postgres).unwrap();
        assert_eq!(t, SqlValue::Text(r#"{"a\"b\\c",NULL,"NULL"}"#.into()));
        let ints = Schema::array(Schema::of(SchemaType::Int32));
        let kind = ColumnKind::Array(Box::new(ColumnKind::Int32));
        let t = render(
            &kind,
            &ints,
            &Value::Array(vec![Value::Int32(1), Value::Int32(-2)]),
            JdbcDialect::Mysql,
        )
        .unwrap();
        assert_eq!(t, SqlValue::Text("[1,-2]".into()));
    }

    #[test]
    fn the_toast_placeholder_is_recognised() {
        assert!(is_unavailable(&Value::String(UNAVAILABLE.into())));
        assert!(is_unavailable(&Value::Array(vec![Value::String(
            UNAVAILABLE.into()
        )])));
        assert!(!is_unavailable(&Value::String("x".into())));
    }
}
