//! The column type a Connect field becomes, decided once from its schema (type, logical
//! name, parameters) and independent of the target database; each dialect names it.
//! Debezium's own sink loses data on several of these (a `numeric` without scale as
//! `double`, intervals without fractions); here each keeps the full value it carries.

use ferrium_event::{Schema, SchemaType};

/// A column type, dialect-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    Boolean,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Text,
    Bytes,
    /// Connect `Decimal`: a fixed scale; precision when the source said it.
    Decimal {
        precision: Option<u32>,
        scale: i32,
    },
    /// Debezium's `VariableScaleDecimal` (a PostgreSQL `numeric` without scale).
    VariableDecimal,
    Date,
    /// Time of day with fractional digits; `micros`/`nanos` say how the value counts.
    Time {
        unit: Unit,
    },
    Timestamp {
        unit: Unit,
    },
    /// ISO-8601 text with an offset (`ZonedTimestamp`).
    TimestampTz,
    TimeTz,
    /// Microseconds (`MicroDuration`).
    IntervalMicros,
    /// ISO-8601 duration text (`Interval`, `interval.handling.mode=string`).
    IntervalText,
    Json,
    Uuid,
    Xml,
    Enum(Vec<String>),
    Set(Vec<String>),
    /// `Bits` with its length in bits.
    Bits(u32),
    Year,
    Array(Box<ColumnKind>),
}

/// What one integer of a temporal value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    /// Fractional digits kept in the column (databases keep at most 6).
    pub fn precision(self) -> u32 {
        match self {
            Unit::Millis => 3,
            Unit::Micros | Unit::Nanos => 6,
        }
    }
}

fn allowed(schema: &Schema) -> Vec<String> {
    schema
        .parameter("allowed")
        .map(|a| a.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// The column type of a field, or why it cannot be a column.
pub fn column_kind(field: &str, schema: &Schema) -> Result<ColumnKind, String> {
    use ColumnKind as K;
    let name = schema.name.as_deref().unwrap_or("");
    let kind = match (name, schema.kind) {
        ("org.apache.kafka.connect.data.Decimal", SchemaType::Bytes) => K::Decimal {
            precision: schema
                .parameter("connect.decimal.precision")
                .and_then(|p| p.parse().ok()),
            scale: schema
                .parameter("scale")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        },
        ("io.debezium.data.VariableScaleDecimal", SchemaType::Struct) => K::VariableDecimal,
        ("io.debezium.time.Date" | "org.apache.kafka.connect.data.Date", SchemaType::Int32) => {
            K::Date
        }
        ("io.debezium.time.Time" | "org.apache.kafka.connect.data.Time", SchemaType::Int32) => {
            K::Time { unit: Unit::Millis }
        }
        ("io.debezium.time.MicroTime", SchemaType::Int64) => K::Time { unit: Unit::Micros },
        ("io.debezium.time.NanoTime", SchemaType::Int64) => K::Time { unit: Unit::Nanos },
        (
            "io.debezium.time.Timestamp" | "org.apache.kafka.connect.data.Timestamp",
            SchemaType::Int64,
        ) => K::Timestamp { unit: Unit::Millis },
        ("io.debezium.time.MicroTimestamp", SchemaType::Int64) => K::Timestamp {
            unit: Unit::Micros,
        },
        ("io.debezium.time.NanoTimestamp", SchemaType::Int64) => K::Timestamp {
            unit: Unit::Nanos,
        },
        ("io.debezium.time.ZonedTimestamp", SchemaType::String) => K::TimestampTz,
        ("io.debezium.time.ZonedTime", SchemaType::String) => K::TimeTz,
        ("io.debezium.time.MicroDuration", SchemaType::Int64) => K::IntervalMicros,
        ("io.debezium.time.Interval", SchemaType::String) => K::IntervalText,
        ("io.debezium.time.Year", SchemaType::Int32) => K::Year,
        ("io.debezium.data.Json", SchemaType::String) => K::Json,
        ("io.debezium.data.Uuid", SchemaType::String) => K::Uuid,
        ("io.debezium.data.Xml", SchemaType::String) => K::Xml,
        ("io.debezium.data.Enum", SchemaType::String) => K::Enum(allowed(schema)),
        ("io.debezium.data.EnumSet", SchemaType::String) => K::Set(allowed(schema)),
        ("io.debezium.data.Bits", SchemaType::Bytes) => K::Bits(
            schema
                .parameter("length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1),
        ),
        (n, SchemaType::Struct) if n.starts_with("io.debezium.data.geometry.") => {
            return Err(format!(
                "field '{field}' is a {n}, which the JDBC sink does not write (no PostGIS): drop it with field.exclude.list"
            ))
        }
        (_, SchemaType::Boolean) => K::Boolean,
        (_, SchemaType::Int8 | SchemaType::Int16) => K::Int16,
        (_, SchemaType::Int32) => K::Int32,
        (_, SchemaType::Int64) => K::Int64,
        (_, SchemaType::Float32) => K::Float32,
        (_, SchemaType::Float64) => K::Float64,
        (_, SchemaType::String) => K::Text,
        (_, SchemaType::Bytes) => K::Bytes,
        (_, SchemaType::Array) => {
            let items = schema
                .items
                .as_deref()
                .ok_or_else(|| format!("field '{field}' is an array without an item schema"))?;
            match column_kind(field, items)? {
                K::Array(_) => {
                    return Err(format!(
                        "field '{field}' is an array of arrays, which the JDBC sink does not write"
                    ))
                }
                item => K::Array(Box::new(item)),
            }
        }
        (_, SchemaType::Map) => {
            return Err(format!(
                "field '{field}' is a map, which is not a column type: flatten or drop it (field.exclude.list)"
            ))
        }
        (_, SchemaType::Struct) => {
            return Err(format!(
                "field '{field}' is a struct ({}), which is not a column type: flatten it with org.apache.kafka.connect.transforms.Flatten$Value, or drop it (field.exclude.list)",
                if name.is_empty() { "unnamed" } else { name }
            ))
        }
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_types_keep_their_meaning() {
        let decimal = Schema::of(SchemaType::Bytes)
            .named("org.apache.kafka.connect.data.Decimal")
            .param("scale", "2")
            .param("connect.decimal.precision", "10");
        assert_eq!(
            column_kind("d", &decimal).unwrap(),
            ColumnKind::Decimal {
                precision: Some(10),
                scale: 2
            }
        );
        let ts = Schema::of(SchemaType::Int64).named("io.debezium.time.MicroTimestamp");
        assert_eq!(
            column_kind("t", &ts).unwrap(),
            ColumnKind::Timestamp { unit: Unit::Micros }
        );
        let e = Schema::of(SchemaType::String)
            .named("io.debezium.data.Enum")
            .param("allowed", "a,b");
        assert_eq!(
            column_kind("e", &e).unwrap(),
            ColumnKind::Enum(vec!["a".into(), "b".into()])
        );
        let arr = Schema::array(Schema::of(SchemaType::Int32).optional());
        assert_eq!(
            column_kind("a", &arr).unwrap(),
            ColumnKind::Array(Box::new(ColumnKind::Int32))
        );
    }

    #[test]
    fn non_columns_name_the_fix() {
        let map = Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::String),
        );
        assert!(column_kind("m", &map)
            .unwrap_err()
            .contains("field.exclude.list"));
        let s = Schema::record("x.Y").field("a", Schema::of(SchemaType::Int32));
        assert!(column_kind("s", &s).unwrap_err().contains("Flatten"));
    }
}
