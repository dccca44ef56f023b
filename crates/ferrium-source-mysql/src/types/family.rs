//! Which Debezium mapping a MySQL/MariaDB column type gets, decided from the DDL's type
//! name and attributes alone (the same facts Debezium's DDL parser records).

use super::options::{BigintUnsignedMode, TimePrecisionMode, TypeOptions};

/// The mapping family of a column type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Family {
    Bool,
    Bit(u32),
    /// Integer of `bits` storage bits.
    Int {
        bits: u32,
        unsigned: bool,
    },
    /// `FLOAT`/`REAL`/`DOUBLE`: whether the server stores four bytes, whether Debezium's
    /// schema is `float32`.
    Float {
        storage_f32: bool,
        schema_f32: bool,
    },
    Decimal {
        precision: u32,
        scale: u32,
    },
    /// Character data; NCHAR/NVARCHAR are always utf8.
    Text {
        national: bool,
    },
    /// Fixed-length BINARY(n) is right-padded with zero bytes to `pad`.
    Binary {
        pad: Option<usize>,
    },
    Date,
    DateTime {
        fsp: u32,
    },
    Timestamp {
        fsp: u32,
    },
    Time {
        fsp: u32,
    },
    Year,
    Enum,
    Set,
    Json,
    Geometry,
    Point,
    Uuid,
    /// No mapping; the string says why.
    Unsupported(&'static str),
}

const HINT_EXCLUDE: &str = "exclude the column with column.exclude.list";

pub(crate) fn classify(
    type_name: &str,
    unsigned: bool,
    length: Option<u32>,
    scale: Option<u32>,
) -> Family {
    let name = type_name.trim().to_ascii_uppercase();
    let fsp = length.unwrap_or(0);
    match name.as_str() {
        "BOOL" | "BOOLEAN" => Family::Bool,
        "BIT" => Family::Bit(length.unwrap_or(1)),
        "TINYINT" | "INT1" => Family::Int { bits: 8, unsigned },
        "SMALLINT" | "INT2" => Family::Int { bits: 16, unsigned },
        "MEDIUMINT" | "INT3" | "MIDDLEINT" => Family::Int { bits: 24, unsigned },
        "INT" | "INTEGER" | "INT4" => Family::Int { bits: 32, unsigned },
        "BIGINT" | "INT8" => Family::Int { bits: 64, unsigned },
        // Debezium rewrites SERIAL to BIGINT UNSIGNED.
        "SERIAL" => Family::Int {
            bits: 64,
            unsigned: true,
        },
        // FLOAT(p) with p > 24 is stored as DOUBLE; FLOAT(M,D) stays single precision but
        // Debezium's schema is float32 only without a scale and with p <= 24.
        "FLOAT" | "FLOAT4" => Family::Float {
            storage_f32: scale.is_some() || length.is_none_or(|p| p <= 24),
            schema_f32: scale.is_none() && length.is_none_or(|p| p <= 24),
        },
        // JDBC REAL is float32 in Debezium, though MySQL stores REAL as DOUBLE.
        "REAL" => Family::Float {
            storage_f32: false,
            schema_f32: true,
        },
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" => Family::Float {
            storage_f32: false,
            schema_f32: false,
        },
        "DECIMAL" | "DEC" | "NUMERIC" | "FIXED" => Family::Decimal {
            precision: length.unwrap_or(10),
            scale: scale.unwrap_or(0),
        },
        "CHAR" | "CHARACTER" | "VARCHAR" | "CHAR VARYING" | "CHARACTER VARYING" | "TINYTEXT"
        | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "LONG" | "LONG VARCHAR" | "LONG CHAR VARYING" => {
            Family::Text { national: false }
        }
        "NCHAR"
        | "NVARCHAR"
        | "NATIONAL CHAR"
        | "NATIONAL CHARACTER"
        | "NATIONAL VARCHAR"
        | "NATIONAL CHAR VARYING"
        | "NATIONAL CHARACTER VARYING"
        | "NCHAR VARCHAR"
        | "NCHAR VARYING" => Family::Text { national: true },
        "BINARY" => Family::Binary {
            pad: Some(length.unwrap_or(1) as usize),
        },
        "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" | "LONG VARBINARY" => {
            Family::Binary { pad: None }
        }
        "DATE" => Family::Date,
        "DATETIME" => Family::DateTime { fsp },
        "TIMESTAMP" => Family::Timestamp { fsp },
        "TIME" => Family::Time { fsp },
        "YEAR" => Family::Year,
        "ENUM" => Family::Enum,
        "SET" => Family::Set,
        "JSON" => Family::Json,
        "POINT" => Family::Point,
        "GEOMETRY" | "LINESTRING" | "POLYGON" | "MULTIPOINT" | "MULTILINESTRING"
        | "MULTIPOLYGON" | "GEOMETRYCOLLECTION" | "GEOMCOLLECTION" => Family::Geometry,
        "UUID" => Family::Uuid,
        "VECTOR" => Family::Unsupported(
            "Debezium maps VECTOR to io.debezium.data.FloatVector, which Ferrium does not \
             implement yet; exclude the column with column.exclude.list",
        ),
        _ => Family::Unsupported(HINT_EXCLUDE),
    }
}

/// The Connect integer width Debezium gives an integer column; `None` for the precise
/// BIGINT UNSIGNED decimal. The DDL parser gives TINYINT the JDBC type `TINYINT`, which
/// `JdbcValueConverters` maps to int8; only the unsigned integer types are widened by
/// `BinlogValueConverters` (TINYINT UNSIGNED to int16, and so on).
pub(crate) fn int_output(bits: u32, unsigned: bool, opts: &TypeOptions) -> Option<u32> {
    match (bits, unsigned) {
        (8, false) => Some(8),
        (16, false) | (8, true) => Some(16),
        (24 | 32, false) | (16 | 24, true) => Some(32),
        (32, true) | (64, false) => Some(64),
        (_, true) => match opts.bigint_unsigned {
            BigintUnsignedMode::Long => Some(64),
            BigintUnsignedMode::Precise => None,
        },
        _ => Some(64),
    }
}

/// Whether `mode` treats TIME by column precision (`adaptive`) and which unit it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    Millis,
    Micros,
    Nanos,
    Iso,
}

pub(crate) fn time_unit(mode: TimePrecisionMode, fsp: u32) -> TimeUnit {
    match mode {
        TimePrecisionMode::Adaptive if fsp <= 3 => TimeUnit::Millis,
        TimePrecisionMode::Adaptive
        | TimePrecisionMode::AdaptiveTimeMicroseconds
        | TimePrecisionMode::Microseconds => TimeUnit::Micros,
        TimePrecisionMode::Nanoseconds => TimeUnit::Nanos,
        TimePrecisionMode::Connect => TimeUnit::Millis,
        TimePrecisionMode::IsoString => TimeUnit::Iso,
    }
}

pub(crate) fn timestamp_unit(mode: TimePrecisionMode, fsp: u32) -> TimeUnit {
    match mode {
        TimePrecisionMode::Adaptive | TimePrecisionMode::AdaptiveTimeMicroseconds => {
            if fsp <= 3 {
                TimeUnit::Millis
            } else {
                TimeUnit::Micros
            }
        }
        TimePrecisionMode::Microseconds => TimeUnit::Micros,
        TimePrecisionMode::Nanoseconds => TimeUnit::Nanos,
        TimePrecisionMode::Connect => TimeUnit::Millis,
        TimePrecisionMode::IsoString => TimeUnit::Iso,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_and_attributes_pick_the_family() {
        assert_eq!(
            classify("int4", false, None, None),
            Family::Int {
                bits: 32,
                unsigned: false
            }
        );
        assert_eq!(
            classify("SERIAL", false, None, None),
            Family::Int {
                bits: 64,
                unsigned: true
            }
        );
        assert_eq!(
            classify("FLOAT", false, Some(25), None),
            Family::Float {
                storage_f32: false,
                schema_f32: false
            }
        );
        assert_eq!(
            classify("FLOAT", false, Some(7), Some(3)),
            Family::Float {
                storage_f32: true,
                schema_f32: false
            }
        );
        assert_eq!(
            classify("NUMERIC", false, None, None),
            Family::Decimal {
                precision: 10,
                scale: 0
            }
        );
        assert_eq!(
            classify("BINARY", false, None, None),
            Family::Binary { pad: Some(1) }
        );
        assert!(matches!(
            classify("INET6", false, None, None),
            Family::Unsupported(_)
        ));
    }

    #[test]
    fn integer_widths_follow_binlog_value_converters() {
        let o = TypeOptions::default();
        assert_eq!(int_output(8, false, &o), Some(8));
        assert_eq!(int_output(8, true, &o), Some(16));
        assert_eq!(int_output(16, false, &o), Some(16));
        assert_eq!(int_output(24, false, &o), Some(32));
        assert_eq!(int_output(16, true, &o), Some(32));
        assert_eq!(int_output(24, true, &o), Some(32));
        assert_eq!(int_output(32, true, &o), Some(64));
        assert_eq!(int_output(64, true, &o), Some(64));
        let precise = TypeOptions {
            bigint_unsigned: BigintUnsignedMode::Precise,
            ..o
        };
        assert_eq!(int_output(64, true, &precise), None);
        assert_eq!(int_output(64, false, &precise), Some(64));
    }
}
