//! Type families: what a column's catalog type means for comparison, and how a column of
//! the source and its copy (often of another type, in another database, as the JDBC sink
//! mapped it) are compared. Pure logic; the catalogs are read elsewhere.

use serde::Serialize;

/// What kind of value a column holds, whatever its database calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Bool,
    /// `boolish`: MySQL's `tinyint(1)`, which is how `boolean` is stored there.
    Int {
        boolish: bool,
    },
    Decimal,
    Float32,
    Float64,
    /// `padded`: `char(n)`, whose trailing spaces are padding, not data.
    Text {
        padded: bool,
    },
    Bytes,
    /// A bit string; `width` is n of `bit(n)`, none for `varbit`.
    Bits {
        width: Option<u32>,
    },
    Date,
    Time,
    TimeTz,
    Timestamp,
    TimestampTz,
    Interval,
    Json,
    Uuid,
    Array,
    /// Anything else (network addresses, geometry, ranges…): compared as its text.
    Other,
}

/// How the values of one compared column are brought to one canonical text on both
/// sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Canon {
    Bool,
    Int,
    Decimal,
    Float32,
    Float64,
    Text,
    Bytes,
    Bits,
    Date,
    Time,
    TimeTz,
    /// Both with and without time zone: zoned values are taken to UTC, and values without
    /// one are taken as UTC (the JDBC sink writes UTC unless told otherwise).
    Timestamp,
    Interval,
    /// A PostgreSQL interval against the integer microseconds Debezium emits for it by
    /// default (`interval.handling.mode=numeric`).
    IntervalMicros,
    Json,
    Uuid,
}

impl Family {
    /// Classifies a PostgreSQL type: `typname` of the base type (domains resolved),
    /// its `typtype` and `typcategory`, and `format_type` (for `bit(n)`).
    pub fn of_postgres(typname: &str, typtype: &str, category: &str, formatted: &str) -> Family {
        if category == "A" {
            return Family::Array;
        }
        if typtype == "e" {
            return Family::Text { padded: false };
        }
        match typname {
            "bool" => Family::Bool,
            "int2" | "int4" | "int8" | "oid" => Family::Int { boolish: false },
            "numeric" | "money" => Family::Decimal,
            "float4" => Family::Float32,
            "float8" => Family::Float64,
            "bpchar" => Family::Text { padded: true },
            "text" | "varchar" | "name" | "char" | "citext" => Family::Text { padded: false },
            "bytea" => Family::Bytes,
            "bit" => Family::Bits {
                width: width_of(formatted).or(Some(1)),
            },
            "varbit" => Family::Bits { width: None },
            "date" => Family::Date,
            "time" => Family::Time,
            "timetz" => Family::TimeTz,
            "timestamp" => Family::Timestamp,
            "timestamptz" => Family::TimestampTz,
            "interval" => Family::Interval,
            "json" | "jsonb" => Family::Json,
            "uuid" => Family::Uuid,
            _ => Family::Other,
        }
    }

    /// Classifies a MySQL/MariaDB type from `information_schema.columns`: `data_type`
    /// and `column_type` (which carries `tinyint(1)` and `bit(n)`).
    pub fn of_mysql(data_type: &str, column_type: &str) -> Family {
        let column_type = column_type.to_ascii_lowercase();
        match data_type.to_ascii_lowercase().as_str() {
            "tinyint" if column_type.starts_with("tinyint(1)") => Family::Int { boolish: true },
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" => {
                Family::Int { boolish: false }
            }
            "bit" => match width_of(&column_type).unwrap_or(1) {
                1 => Family::Bool,
                n => Family::Bits { width: Some(n) },
            },
            "decimal" | "numeric" => Family::Decimal,
            "float" => Family::Float32,
            "double" | "real" | "double precision" => Family::Float64,
            "char" => Family::Text { padded: true },
            "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set"
            | "inet4" | "inet6" => Family::Text { padded: false },
            "json" => Family::Json,
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
                Family::Bytes
            }
            "date" => Family::Date,
            "time" => Family::Time,
            "datetime" => Family::Timestamp,
            "timestamp" => Family::TimestampTz,
            "uuid" => Family::Uuid,
            _ => Family::Other,
        }
    }

    /// The canonical form of the family compared with itself.
    fn natural(self) -> Canon {
        match self {
            Family::Bool => Canon::Bool,
            Family::Int { .. } => Canon::Int,
            Family::Decimal => Canon::Decimal,
            Family::Float32 => Canon::Float32,
            Family::Float64 => Canon::Float64,
            Family::Text { .. } | Family::Other => Canon::Text,
            Family::Bytes => Canon::Bytes,
            Family::Bits { .. } => Canon::Bits,
            Family::Date => Canon::Date,
            Family::Time => Canon::Time,
            Family::TimeTz => Canon::TimeTz,
            Family::Timestamp | Family::TimestampTz => Canon::Timestamp,
            Family::Interval => Canon::Interval,
            Family::Json | Family::Array => Canon::Json,
            Family::Uuid => Canon::Uuid,
        }
    }

    fn is_textual(self) -> bool {
        matches!(self, Family::Text { .. } | Family::Other)
    }
}

/// How a source column and its copy are compared; `None` when their families have no
/// common meaning, in which case they are compared as text and the caller says so.
pub fn plan(source: Family, target: Family) -> Option<Canon> {
    use Family as F;
    let (a, b) = (source.natural(), target.natural());
    if a == b {
        return Some(a);
    }
    let either = |f: &dyn Fn(Family) -> bool| f(source) || f(target);
    let both = |f: &dyn Fn(Family) -> bool, g: &dyn Fn(Family) -> bool| {
        (f(source) && g(target)) || (g(source) && f(target))
    };
    let int = |f: Family| matches!(f, F::Int { .. });
    let numeric = |f: Family| matches!(f, F::Int { .. } | F::Decimal | F::Float32 | F::Float64);
    if both(&|f| f == F::Bool, &int) {
        return Some(Canon::Bool);
    }
    if both(&|f| f == F::Decimal, &int) {
        return Some(Canon::Decimal);
    }
    if both(&numeric, &numeric) {
        // Both numeric, at least one a float: compare as floats, in single precision
        // when either side holds only that.
        return Some(if either(&|f| f == F::Float32) {
            Canon::Float32
        } else {
            Canon::Float64
        });
    }
    if both(&|f| f == F::Interval, &int) {
        return Some(Canon::IntervalMicros);
    }
    if both(&|f| f == F::Json, &|f| f == F::Array) {
        return Some(Canon::Json);
    }
    // A typed value against text: the sink wrote the value's string form (decimals in
    // string mode, zoned times, UUIDs, JSON); read the text as that type.
    if source.is_textual() && !target.is_textual() && target != F::Bytes {
        return Some(b);
    }
    if target.is_textual() && !source.is_textual() && source != F::Bytes {
        return Some(a);
    }
    None
}

/// n of `bit(n)`, `char(n)`…
fn width_of(formatted: &str) -> Option<u32> {
    let inner = formatted.split_once('(')?.1.split_once(')')?.0;
    inner.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_postgres_types() {
        assert_eq!(
            Family::of_postgres("int4", "b", "N", "integer"),
            Family::Int { boolish: false }
        );
        assert_eq!(
            Family::of_postgres("bpchar", "b", "S", "character(5)"),
            Family::Text { padded: true }
        );
        assert_eq!(
            Family::of_postgres("mood", "e", "E", "mood"),
            Family::Text { padded: false }
        );
        assert_eq!(
            Family::of_postgres("_int4", "b", "A", "integer[]"),
            Family::Array
        );
        assert_eq!(
            Family::of_postgres("bit", "b", "V", "bit(3)"),
            Family::Bits { width: Some(3) }
        );
        assert_eq!(
            Family::of_postgres("money", "b", "N", "money"),
            Family::Decimal
        );
        assert_eq!(Family::of_postgres("inet", "b", "I", "inet"), Family::Other);
    }

    #[test]
    fn classifies_mysql_types() {
        assert_eq!(
            Family::of_mysql("tinyint", "tinyint(1)"),
            Family::Int { boolish: true }
        );
        assert_eq!(
            Family::of_mysql("tinyint", "tinyint(4) unsigned"),
            Family::Int { boolish: false }
        );
        assert_eq!(Family::of_mysql("bit", "bit(1)"), Family::Bool);
        assert_eq!(
            Family::of_mysql("bit", "bit(7)"),
            Family::Bits { width: Some(7) }
        );
        assert_eq!(
            Family::of_mysql("timestamp", "timestamp(6)"),
            Family::TimestampTz
        );
        assert_eq!(
            Family::of_mysql("datetime", "datetime(6)"),
            Family::Timestamp
        );
        assert_eq!(Family::of_mysql("longblob", "longblob"), Family::Bytes);
        assert_eq!(Family::of_mysql("FLOAT", "float"), Family::Float32);
    }

    #[test]
    fn pairs_what_the_sink_maps() {
        let int = Family::Int { boolish: false };
        let text = Family::Text { padded: false };
        assert_eq!(
            plan(Family::Bool, Family::Int { boolish: true }),
            Some(Canon::Bool)
        );
        assert_eq!(plan(Family::Bool, Family::Bool), Some(Canon::Bool));
        assert_eq!(plan(int, Family::Decimal), Some(Canon::Decimal));
        assert_eq!(plan(Family::Float32, Family::Float64), Some(Canon::Float32));
        assert_eq!(plan(Family::Decimal, Family::Float64), Some(Canon::Float64));
        assert_eq!(
            plan(Family::TimestampTz, Family::Timestamp),
            Some(Canon::Timestamp)
        );
        assert_eq!(plan(Family::Interval, int), Some(Canon::IntervalMicros));
        assert_eq!(plan(Family::Uuid, text), Some(Canon::Uuid));
        assert_eq!(
            plan(Family::Json, Family::Text { padded: false }),
            Some(Canon::Json)
        );
        assert_eq!(plan(text, Family::Decimal), Some(Canon::Decimal));
        assert_eq!(plan(Family::Array, Family::Json), Some(Canon::Json));
        assert_eq!(plan(Family::Bytes, text), None);
        assert_eq!(plan(Family::Date, int), None);
    }
}
