//! [`ColumnCodec`]: one column's Connect schema plus the decoder from PostgreSQL text to a
//! Connect value, compiled once per column so decoding a value is a single match.
//!
//! The mapping reproduces Debezium 3.x's PostgreSQL connector as it behaves on the pgoutput
//! streaming path (`PostgresValueConverter`, `JdbcValueConverters`, pgjdbc's parsing), so a
//! row decoded here serializes to the same bytes Debezium would produce. Where Debezium's
//! behaviour is surprising it is kept and the reason is noted next to it.

use std::borrow::Cow;
use std::sync::Arc;

use ferrium_event::logical::binary::{binary_schema, binary_value};
use ferrium_event::logical::decimal::{unscaled_at_scale, variable_scale};
use ferrium_event::{Schema, SchemaType, Value};

use super::array::parse_array;
use super::bits::{bit_to_bool, bits_to_bytes};
use super::error::{excerpt, TypeError};
use super::geometric::Geometric;
use super::hstore::{java_hashmap_order, parse_hstore, to_json};
use super::interval::PgInterval;
use super::name_uuid::name_uuid_from_bytes;
use super::numeric::{parse_numeric, MoneyText, NumericText};
use super::options::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeOptions,
};
use super::pg_type::{oid, PgType, PgTypeKind};
use super::temporal::{
    iso_date, iso_time, iso_timestamp, parse_date, parse_time, parse_timestamp, parse_timestamptz,
    zoned_time, PgDate, PgTimestamp, DATE_NEG_INFINITY_DAYS, DATE_POS_INFINITY_DAYS, NANOS_PER_DAY,
    TS_NEG_INFINITY, TS_POS_INFINITY,
};

const HINT_UNKNOWN: &str =
    "exclude the column with column.exclude.list, or set include.unknown.datatypes=true \
     to receive its text form (as bytes shaped by binary.handling.mode, like Debezium)";
const HINT_POSTGIS: &str =
    "Debezium maps PostGIS types to io.debezium.data.geometry structs, which Ferrium \
     does not implement yet (PostGIS is not on its test machines); exclude the column \
     with column.exclude.list";
const HINT_GEOMETRIC_ARRAY: &str =
    "Debezium declares arrays of geometric types as arrays of bytes but fills them with \
     geometry structs, so it cannot emit them; exclude the column with column.exclude.list";
const HINT_VECTOR: &str =
    "Debezium maps pgvector types to io.debezium.data.*Vector, which Ferrium does not \
     implement yet; exclude the column with column.exclude.list";
const LEFT_OUT_ARRAY: &str = "Debezium has no mapping for arrays of this element type";
const LEFT_OUT_UNKNOWN_ARRAY: &str = "Debezium has no mapping for arrays of this element type \
     (set include.unknown.datatypes=true to receive each element's text as bytes)";
const HINT_BIT_ARRAY: &str =
    "Debezium declares bit arrays with a non-array schema and cannot emit them; \
     exclude the column with column.exclude.list";
const HINT_NESTED_ARRAY: &str =
    "arrays of arrays have no Connect mapping; exclude the column with column.exclude.list";

const SPECIAL_IN_PRECISE: &str =
    "NaN and Infinity cannot be represented as a Decimal (Debezium fails here \
     too); set decimal.handling.mode=string or double";

/// One column's schema and decoder. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ColumnCodec {
    schema: Arc<Schema>,
    kind: Kind,
    optional: bool,
    unavailable: Value,
    ctx: Arc<Ctx>,
}

#[derive(Debug)]
struct Ctx {
    table: String,
    column: String,
    type_name: String,
}

#[derive(Debug, Clone)]
enum Kind {
    Bool,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Text,
    /// `bytea` in `\x…` hex output.
    Bytea(BinaryMode),
    /// `include.unknown.datatypes`: the text's UTF-8 bytes, shaped like binary data.
    UnknownText(BinaryMode),
    Decimal {
        scale: i32,
    },
    VariableScaleDecimal,
    NumericDouble,
    NumericString,
    Money {
        mode: DecimalMode,
        digits: u32,
    },
    Bit1,
    Bits,
    Date(DateRepr),
    Time {
        repr: TimeRepr,
        /// Array elements go through pgjdbc's `java.sql.Time`, which keeps milliseconds only.
        jdbc_millis: bool,
    },
    Timestamp(TimeRepr),
    TimestampTz {
        /// Fraction digits; `None` writes the shortest form.
        width: Option<u32>,
    },
    TimeTz,
    Interval(IntervalMode),
    Hstore(HstoreMode),
    Array(Box<ColumnCodec>),
    Geometric(Geometric),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateRepr {
    EpochDays,
    Iso,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeRepr {
    Millis,
    Micros,
    Nanos,
    Iso,
}

/// Why a type has no mapping.
enum Unmapped {
    /// Debezium treats it as unknown: dropped, or bytes with include.unknown.datatypes.
    Unknown,
    /// An array of an unknown element type (include.unknown.datatypes gives an always-null array).
    UnknownArray,
    /// Not emittable, whatever include.unknown.datatypes says.
    NoEquivalent(&'static str),
    /// Debezium builds no schema for it and leaves the column out of its events.
    LeftOut(&'static str),
}

/// A value that could not be decoded.
enum Bad {
    Reason(Cow<'static, str>),
    /// Debezium logs a warning and writes null when the column is optional (and fails otherwise).
    NullIfOptional(&'static str),
}

impl From<&'static str> for Bad {
    fn from(reason: &'static str) -> Self {
        Bad::Reason(Cow::Borrowed(reason))
    }
}

struct Mapped {
    schema: Schema,
    kind: Kind,
}

fn mapped(schema: Schema, kind: Kind) -> Result<Mapped, Unmapped> {
    Ok(Mapped { schema, kind })
}

fn geometric(g: Geometric) -> Result<Mapped, Unmapped> {
    mapped(g.schema(), Kind::Geometric(g))
}

fn logical(kind: SchemaType, name: &str) -> Schema {
    Schema::of(kind).named(name).version(1)
}

fn plain(kind: SchemaType) -> Schema {
    Schema::of(kind)
}

impl ColumnCodec {
    /// Works out the column's schema and decoder; `None` when Debezium leaves the column
    /// out of its events (logged as a warning). `table` and `column` are only for messages
    /// (`public.orders` and `total` give "public.orders.total").
    pub fn compile(
        table: &str,
        column: &str,
        ty: &PgType,
        typmod: i32,
        optional: bool,
        opts: &TypeOptions,
    ) -> Result<Option<ColumnCodec>, TypeError> {
        let ctx = Arc::new(Ctx {
            table: table.to_string(),
            column: column.to_string(),
            type_name: ty.name.clone(),
        });
        let Mapped { schema, kind } = match map_type(ty, typmod, opts, &ctx, false) {
            Ok(m) => m,
            Err(Unmapped::Unknown) if opts.include_unknown => Mapped {
                schema: binary_schema(opts.binary),
                kind: Kind::UnknownText(opts.binary),
            },
            Err(Unmapped::UnknownArray) if opts.include_unknown => {
                // Debezium's `SchemaBuilder.array(binaryMode.getSchema())` (items not
                // optional), each element converted as an unknown value: its text as bytes.
                let item = binary_schema(opts.binary);
                Mapped {
                    schema: Schema::array(item.clone()),
                    kind: Kind::Array(Box::new(ColumnCodec {
                        schema: Arc::new(item),
                        kind: Kind::UnknownText(opts.binary),
                        optional: true,
                        unavailable: Value::Null,
                        ctx: ctx.clone(),
                    })),
                }
            }
            Err(Unmapped::Unknown) => return Err(ctx.unsupported(HINT_UNKNOWN)),
            Err(Unmapped::UnknownArray) => {
                ctx.left_out(LEFT_OUT_UNKNOWN_ARRAY);
                return Ok(None);
            }
            Err(Unmapped::LeftOut(reason)) => {
                ctx.left_out(reason);
                return Ok(None);
            }
            Err(Unmapped::NoEquivalent(hint)) => return Err(ctx.unsupported(hint)),
        };
        let always_optional = matches!(kind, Kind::Geometric(g) if g.always_optional());
        let schema = schema.with_optional(optional || always_optional);
        let unavailable = unavailable_value(&ty.name, &kind, &schema, opts);
        Ok(Some(ColumnCodec {
            schema: Arc::new(schema),
            kind,
            optional,
            unavailable,
            ctx,
        }))
    }

    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// Decodes PostgreSQL's text output for this column (never SQL NULL: that is
    /// `Value::Null` without asking the codec).
    pub fn decode(&self, text: &str) -> Result<Value, TypeError> {
        self.decode_or_null(text)
            .map_err(|reason| self.ctx.malformed(text, reason))
    }

    /// Like [`decode`](Self::decode), but moves an owned text into string-typed values
    /// instead of copying it (the snapshot path already owns each field).
    pub fn decode_owned(&self, text: String) -> Result<Value, TypeError> {
        match self.kind {
            Kind::Text => Ok(Value::String(text)),
            _ => self.decode(&text),
        }
    }

    /// Whether the column may hold NULL (a key column never does). Geometry schemas are
    /// optional even for a `NOT NULL` column, so this is not the schema's optionality.
    pub fn is_nullable(&self) -> bool {
        self.optional
    }

    /// What Debezium writes for a NULL in a required column (a `REPLICA IDENTITY DEFAULT`
    /// delete's `before`, a snapshot override that reads NULL): zero in the column's
    /// shape, which for `money` carries its fraction digits (`"0.00"` in string mode).
    pub fn fallback(&self) -> Value {
        match &self.kind {
            Kind::Geometric(g) => g.fallback(),
            Kind::Money {
                mode: DecimalMode::String,
                digits,
            } => Value::String(if *digits == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(*digits as usize))
            }),
            _ => Value::required_fallback(&self.schema),
        }
    }

    /// What Debezium writes for an unchanged TOAST column (`unavailable.value.placeholder`),
    /// shaped for this column's schema; `Value::Null` where Debezium has no shape for it.
    pub fn unavailable(&self) -> Value {
        self.unavailable.clone()
    }

    fn decode_or_null(&self, text: &str) -> Result<Value, Cow<'static, str>> {
        match self.decode_value(text) {
            Ok(v) => Ok(v),
            Err(Bad::Reason(r)) => Err(r),
            Err(Bad::NullIfOptional(r)) if self.optional => {
                tracing::warn!(
                    table = %self.ctx.table,
                    column = %self.ctx.column,
                    "{r}; writing null like Debezium does"
                );
                Ok(Value::Null)
            }
            Err(Bad::NullIfOptional(r)) => Err(Cow::Borrowed(r)),
        }
    }

    fn decode_value(&self, text: &str) -> Result<Value, Bad> {
        Ok(match &self.kind {
            Kind::Bool => match text {
                // pgjdbc's PgOutputColumnValue.asBoolean is `"t".equalsIgnoreCase(value)`.
                "t" | "T" | "true" => Value::Boolean(true),
                "f" | "F" | "false" => Value::Boolean(false),
                _ => return Err("not a boolean".into()),
            },
            Kind::Int16 => Value::Int16(text.parse().map_err(|_| "not a smallint")?),
            Kind::Int32 => Value::Int32(text.parse().map_err(|_| "not an integer")?),
            Kind::Int64 => Value::Int64(text.parse().map_err(|_| "not a bigint")?),
            Kind::Float32 => Value::Float32(parse_float(text)?),
            Kind::Float64 => Value::Float64(parse_float(text)?),
            Kind::Text => Value::String(text.to_owned()),
            Kind::Bytea(mode) => binary_value(*mode, decode_bytea(text)?),
            Kind::UnknownText(mode) => binary_value(*mode, text.as_bytes().to_vec()),
            Kind::Decimal { scale } => match parse_numeric(text)? {
                NumericText::Finite(d) => Value::Bytes(unscaled_at_scale(&d, *scale)?),
                _ => return Err(SPECIAL_IN_PRECISE.into()),
            },
            Kind::VariableScaleDecimal => match parse_numeric(text)? {
                NumericText::Finite(d) => {
                    let (scale, unscaled) = variable_scale(&d);
                    Value::Struct(vec![Value::Int32(scale), Value::Bytes(unscaled)])
                }
                _ => return Err(SPECIAL_IN_PRECISE.into()),
            },
            Kind::NumericDouble => Value::Float64(match parse_numeric(text)? {
                NumericText::Finite(_) => text.parse().map_err(|_| "not a number")?,
                NumericText::NaN => f64::NAN,
                NumericText::PosInf => f64::INFINITY,
                NumericText::NegInf => f64::NEG_INFINITY,
            }),
            Kind::NumericString => Value::String(match parse_numeric(text)? {
                NumericText::Finite(_) => text.to_owned(),
                // SpecialValueDecimal.toString() is the enum constant's name.
                NumericText::NaN => "NAN".to_owned(),
                NumericText::PosInf => "POSITIVE_INFINITY".to_owned(),
                NumericText::NegInf => "NEGATIVE_INFINITY".to_owned(),
            }),
            Kind::Money { mode, digits } => {
                let money = MoneyText::parse(text)?;
                match mode {
                    DecimalMode::Precise => Value::Bytes(money.unscaled_half_up(*digits)),
                    DecimalMode::Double => Value::Float64(money.to_f64()),
                    DecimalMode::String => Value::String(money.plain_string()),
                }
            }
            Kind::Bit1 => Value::Boolean(bit_to_bool(text)?),
            Kind::Bits => Value::Bytes(bits_to_bytes(text)?),
            Kind::Date(repr) => {
                let days = match parse_date(text)? {
                    PgDate::Days(d) => d,
                    PgDate::PosInf => DATE_POS_INFINITY_DAYS,
                    PgDate::NegInf => DATE_NEG_INFINITY_DAYS,
                };
                date_value(*repr, days)
            }
            Kind::Time { repr, jdbc_millis } => {
                let mut nanos = parse_time(text)?;
                if *jdbc_millis {
                    // java.sql.Time: milliseconds only, and 24:00:00 rolls over to midnight.
                    nanos = (nanos % NANOS_PER_DAY) / 1_000_000 * 1_000_000;
                }
                match repr {
                    TimeRepr::Millis => Value::Int32((nanos / 1_000_000) as i32),
                    TimeRepr::Micros => Value::Int64(nanos / 1000),
                    TimeRepr::Nanos => Value::Int64(nanos),
                    // `LocalTime.MIDNIGHT.plus(duration)` wraps 24:00:00 to 00:00:00.
                    TimeRepr::Iso => Value::String(iso_time(nanos % NANOS_PER_DAY)),
                }
            }
            Kind::Timestamp(repr) => timestamp_value(*repr, parse_timestamp(text)?)?,
            Kind::TimestampTz { width } => Value::String(match parse_timestamptz(text)? {
                PgTimestamp::At(t) => iso_timestamp(t, *width),
                // Debezium passes PostgreSQL's own spelling through.
                PgTimestamp::PosInf => "infinity".to_owned(),
                PgTimestamp::NegInf => "-infinity".to_owned(),
            }),
            Kind::TimeTz => Value::String(zoned_time(text)?),
            Kind::Interval(mode) => {
                let iv = PgInterval::parse(text)?;
                match mode {
                    IntervalMode::Numeric => Value::Int64(iv.micro_duration()),
                    IntervalMode::String => Value::String(iv.iso_string()),
                }
            }
            Kind::Hstore(mode) => {
                let entries = java_hashmap_order(parse_hstore(text)?);
                match mode {
                    HstoreMode::Json => Value::String(to_json(&entries)),
                    HstoreMode::Map => Value::Map(
                        entries
                            .into_iter()
                            .map(|(k, v)| (Value::String(k), v.map_or(Value::Null, Value::String)))
                            .collect(),
                    ),
                }
            }
            Kind::Geometric(g) => g.decode(text)?,
            Kind::Array(element) => {
                let items = parse_array(text)?;
                let mut values = Vec::with_capacity(items.len());
                for (n, item) in items.into_iter().enumerate() {
                    values.push(match item {
                        None => Value::Null,
                        Some(item) => element.decode_or_null(&item).map_err(|r| {
                            Bad::Reason(format!("array element {}: {r}", n + 1).into())
                        })?,
                    });
                }
                Value::Array(values)
            }
        })
    }
}

impl Ctx {
    fn left_out(&self, reason: &str) {
        tracing::warn!(
            "column {}.{} of type {} is left out of the events, as Debezium leaves it out: {reason}",
            self.table,
            self.column,
            self.type_name
        );
    }

    fn unsupported(&self, hint: &str) -> TypeError {
        TypeError::Unsupported {
            table: self.table.clone(),
            column: self.column.clone(),
            type_name: self.type_name.clone(),
            hint: hint.to_string(),
        }
    }

    fn malformed(&self, text: &str, reason: Cow<'static, str>) -> TypeError {
        TypeError::Malformed {
            table: self.table.clone(),
            column: self.column.clone(),
            type_name: self.type_name.clone(),
            text_excerpt: excerpt(text),
            reason: reason.into_owned(),
        }
    }
}

fn map_type(
    ty: &PgType,
    typmod: i32,
    opts: &TypeOptions,
    ctx: &Ctx,
    in_array: bool,
) -> Result<Mapped, Unmapped> {
    match &ty.kind {
        PgTypeKind::Base | PgTypeKind::Range => map_base(ty, typmod, opts, in_array),
        PgTypeKind::Enum { labels } => mapped(
            logical(SchemaType::String, "io.debezium.data.Enum").param("allowed", labels.join(",")),
            Kind::Text,
        ),
        PgTypeKind::Domain { base, base_typmod } => {
            let typmod = if *base_typmod != -1 {
                *base_typmod
            } else {
                typmod
            };
            map_type(base, typmod, opts, ctx, in_array)
        }
        PgTypeKind::Array { .. } if in_array => Err(Unmapped::NoEquivalent(HINT_NESTED_ARRAY)),
        PgTypeKind::Array { element } => map_array(element, typmod, opts, ctx),
        PgTypeKind::Composite | PgTypeKind::Pseudo | PgTypeKind::Other => Err(Unmapped::Unknown),
    }
}

fn map_base(
    ty: &PgType,
    typmod: i32,
    opts: &TypeOptions,
    in_array: bool,
) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    // pgjdbc's TypeInfoCache.getScale: temporal precision defaults to 6 without a typmod.
    let precision = if typmod == -1 { 6 } else { typmod };
    match ty.oid {
        oid::BOOL => mapped(plain(T::Boolean), Kind::Bool),
        oid::BYTEA => mapped(binary_schema(opts.binary), Kind::Bytea(opts.binary)),
        oid::CHAR
        | oid::NAME
        | oid::TEXT
        | oid::BPCHAR
        | oid::VARCHAR
        | oid::CIDR
        | oid::INET
        | oid::MACADDR
        | oid::MACADDR8 => mapped(plain(T::String), Kind::Text),
        o if oid::BUILTIN_RANGES.contains(&o) => mapped(plain(T::String), Kind::Text),
        oid::INT2 => mapped(plain(T::Int16), Kind::Int16),
        oid::INT4 => mapped(plain(T::Int32), Kind::Int32),
        oid::INT8 | oid::OID => mapped(plain(T::Int64), Kind::Int64),
        oid::FLOAT4 => mapped(plain(T::Float32), Kind::Float32),
        oid::FLOAT8 => mapped(plain(T::Float64), Kind::Float64),
        oid::JSON | oid::JSONB => mapped(logical(T::String, "io.debezium.data.Json"), Kind::Text),
        oid::XML => mapped(logical(T::String, "io.debezium.data.Xml"), Kind::Text),
        oid::UUID => mapped(logical(T::String, "io.debezium.data.Uuid"), Kind::Text),
        oid::TSVECTOR => mapped(logical(T::String, "io.debezium.data.Tsvector"), Kind::Text),
        oid::NUMERIC => map_numeric(typmod, opts.decimal),
        oid::MONEY => map_money(opts),
        oid::DATE => map_date(opts.time),
        oid::TIME => map_time(precision, opts.time, in_array),
        oid::TIMESTAMP => map_timestamp(precision, opts.time),
        oid::TIMESTAMPTZ => mapped(
            logical(T::String, "io.debezium.time.ZonedTimestamp"),
            Kind::TimestampTz {
                width: u32::try_from(precision)
                    .ok()
                    .filter(|w| (1..=9).contains(w)),
            },
        ),
        oid::TIMETZ => mapped(
            logical(T::String, "io.debezium.time.ZonedTime"),
            Kind::TimeTz,
        ),
        oid::INTERVAL => match opts.interval {
            IntervalMode::Numeric => mapped(
                logical(T::Int64, "io.debezium.time.MicroDuration"),
                Kind::Interval(IntervalMode::Numeric),
            ),
            IntervalMode::String => mapped(
                logical(T::String, "io.debezium.time.Interval"),
                Kind::Interval(IntervalMode::String),
            ),
        },
        // Debezium's length is pgjdbc's precision: the typmod, or Integer.MAX_VALUE for an
        // unbounded varbit.
        oid::BIT => map_bits(typmod),
        oid::VARBIT => map_bits(if typmod == -1 { i32::MAX } else { typmod }),
        oid::POINT => geometric(Geometric::Point),
        oid::LSEG => geometric(Geometric::Lseg),
        oid::PATH => geometric(Geometric::Path),
        oid::BOX => geometric(Geometric::Box),
        oid::POLYGON => geometric(Geometric::Polygon),
        oid::LINE => geometric(Geometric::Line),
        oid::CIRCLE => geometric(Geometric::Circle),
        // Extension types have no fixed OID; Debezium's TypeRegistry finds them by name.
        _ => match ty.name.as_str() {
            "hstore" => match opts.hstore {
                HstoreMode::Json => mapped(
                    logical(T::String, "io.debezium.data.Json"),
                    Kind::Hstore(HstoreMode::Json),
                ),
                HstoreMode::Map => mapped(
                    Schema::map(plain(T::String), plain(T::String).optional()),
                    Kind::Hstore(HstoreMode::Map),
                ),
            },
            "ltree" => mapped(logical(T::String, "io.debezium.data.Ltree"), Kind::Text),
            "citext" | "isbn" => mapped(plain(T::String), Kind::Text),
            "geometry" | "geography" => Err(Unmapped::NoEquivalent(HINT_POSTGIS)),
            "vector" | "halfvec" | "sparsevec" => Err(Unmapped::NoEquivalent(HINT_VECTOR)),
            _ => Err(Unmapped::Unknown),
        },
    }
}

fn map_numeric(typmod: i32, mode: DecimalMode) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    match mode {
        DecimalMode::Double => return mapped(plain(T::Float64), Kind::NumericDouble),
        DecimalMode::String => return mapped(plain(T::String), Kind::NumericString),
        DecimalMode::Precise => {}
    }
    if typmod == -1 {
        let schema = logical(T::Struct, "io.debezium.data.VariableScaleDecimal")
            .doc("Variable scaled decimal")
            .field("scale", plain(T::Int32))
            .field("value", plain(T::Bytes));
        return mapped(schema, Kind::VariableScaleDecimal);
    }
    let packed = typmod.wrapping_sub(4);
    let precision = (packed >> 16) & 0xffff;
    // PostgreSQL 15+ packs a signed 11-bit scale.
    let scale = ((packed & 0x7ff) ^ 1024) - 1024;
    mapped(
        logical(T::Bytes, "org.apache.kafka.connect.data.Decimal")
            .param("scale", scale.to_string())
            .param("connect.decimal.precision", precision.to_string()),
        Kind::Decimal { scale },
    )
}

fn map_money(opts: &TypeOptions) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    let kind = Kind::Money {
        mode: opts.decimal,
        digits: opts.money_fraction_digits,
    };
    match opts.decimal {
        // `Decimal.builder(moneyFractionDigits)`: no precision parameter.
        DecimalMode::Precise => mapped(
            logical(T::Bytes, "org.apache.kafka.connect.data.Decimal")
                .param("scale", opts.money_fraction_digits.to_string()),
            kind,
        ),
        DecimalMode::Double => mapped(plain(T::Float64), kind),
        DecimalMode::String => mapped(plain(T::String), kind),
    }
}

fn map_date(mode: TimePrecisionMode) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    match mode {
        TimePrecisionMode::Adaptive
        | TimePrecisionMode::AdaptiveTimeMicroseconds
        | TimePrecisionMode::Microseconds
        | TimePrecisionMode::Nanoseconds => mapped(
            logical(T::Int32, "io.debezium.time.Date"),
            Kind::Date(DateRepr::EpochDays),
        ),
        TimePrecisionMode::Connect => mapped(
            logical(T::Int32, "org.apache.kafka.connect.data.Date"),
            Kind::Date(DateRepr::EpochDays),
        ),
        TimePrecisionMode::IsoString => mapped(
            logical(T::String, "io.debezium.time.IsoDate"),
            Kind::Date(DateRepr::Iso),
        ),
    }
}

fn map_time(precision: i32, mode: TimePrecisionMode, in_array: bool) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    let (schema, repr) = match mode {
        TimePrecisionMode::Adaptive if precision <= 3 => {
            (logical(T::Int32, "io.debezium.time.Time"), TimeRepr::Millis)
        }
        TimePrecisionMode::Adaptive if precision <= 6 => (
            logical(T::Int64, "io.debezium.time.MicroTime"),
            TimeRepr::Micros,
        ),
        TimePrecisionMode::Adaptive | TimePrecisionMode::Nanoseconds => (
            logical(T::Int64, "io.debezium.time.NanoTime"),
            TimeRepr::Nanos,
        ),
        TimePrecisionMode::AdaptiveTimeMicroseconds | TimePrecisionMode::Microseconds => (
            logical(T::Int64, "io.debezium.time.MicroTime"),
            TimeRepr::Micros,
        ),
        TimePrecisionMode::Connect => (
            logical(T::Int32, "org.apache.kafka.connect.data.Time"),
            TimeRepr::Millis,
        ),
        TimePrecisionMode::IsoString => (
            logical(T::String, "io.debezium.time.IsoTime"),
            TimeRepr::Iso,
        ),
    };
    mapped(
        schema,
        Kind::Time {
            repr,
            jdbc_millis: in_array,
        },
    )
}

fn map_timestamp(precision: i32, mode: TimePrecisionMode) -> Result<Mapped, Unmapped> {
    use SchemaType as T;
    let (schema, repr) = match mode {
        TimePrecisionMode::Adaptive | TimePrecisionMode::AdaptiveTimeMicroseconds
            if precision <= 3 =>
        {
            (
                logical(T::Int64, "io.debezium.time.Timestamp"),
                TimeRepr::Millis,
            )
        }
        TimePrecisionMode::Adaptive | TimePrecisionMode::AdaptiveTimeMicroseconds
            if precision <= 6 =>
        {
            (
                logical(T::Int64, "io.debezium.time.MicroTimestamp"),
                TimeRepr::Micros,
            )
        }
        TimePrecisionMode::Adaptive
        | TimePrecisionMode::AdaptiveTimeMicroseconds
        | TimePrecisionMode::Nanoseconds => (
            logical(T::Int64, "io.debezium.time.NanoTimestamp"),
            TimeRepr::Nanos,
        ),
        TimePrecisionMode::Microseconds => (
            logical(T::Int64, "io.debezium.time.MicroTimestamp"),
            TimeRepr::Micros,
        ),
        TimePrecisionMode::Connect => (
            logical(T::Int64, "org.apache.kafka.connect.data.Timestamp"),
            TimeRepr::Millis,
        ),
        TimePrecisionMode::IsoString => (
            logical(T::String, "io.debezium.time.IsoTimestamp"),
            TimeRepr::Iso,
        ),
    };
    mapped(schema, Kind::Timestamp(repr))
}

fn map_bits(length: i32) -> Result<Mapped, Unmapped> {
    if length > 1 {
        mapped(
            logical(SchemaType::Bytes, "io.debezium.data.Bits").param("length", length.to_string()),
            Kind::Bits,
        )
    } else {
        mapped(plain(SchemaType::Boolean), Kind::Bit1)
    }
}

/// How Debezium treats an array column, decided by its element type.
enum ArrayItems {
    /// Listed in `PostgresValueConverter.schemaBuilder`: items are optional.
    Optional,
    /// Enum arrays and the generic fallback build the items schema without `optional()`.
    Required,
}

fn map_array(
    element: &PgType,
    typmod: i32,
    opts: &TypeOptions,
    ctx: &Ctx,
) -> Result<Mapped, Unmapped> {
    let items = match &element.kind {
        PgTypeKind::Enum { .. } => ArrayItems::Required,
        PgTypeKind::Base | PgTypeKind::Range => match element.oid {
            oid::BOOL
            | oid::BYTEA
            | oid::CHAR
            | oid::INT8
            | oid::INT2
            | oid::INT4
            | oid::TEXT
            | oid::OID
            | oid::JSON
            | oid::CIDR
            | oid::FLOAT4
            | oid::FLOAT8
            | oid::MACADDR8
            | oid::MACADDR
            | oid::INET
            | oid::BPCHAR
            | oid::VARCHAR
            | oid::DATE
            | oid::TIME
            | oid::TIMESTAMP
            | oid::TIMESTAMPTZ
            | oid::TIMETZ
            | oid::NUMERIC
            | oid::UUID
            | oid::JSONB => ArrayItems::Optional,
            o if oid::BUILTIN_RANGES.contains(&o) => ArrayItems::Optional,
            oid::MONEY
            | oid::NAME
            | oid::INTERVAL
            | oid::VARBIT
            | oid::XML
            | oid::POINT
            | oid::REFCURSOR => return Err(Unmapped::LeftOut(LEFT_OUT_ARRAY)),
            oid::BIT => return Err(Unmapped::NoEquivalent(HINT_BIT_ARRAY)),
            oid::TSVECTOR => ArrayItems::Required,
            oid::LSEG | oid::PATH | oid::BOX | oid::POLYGON | oid::LINE | oid::CIRCLE => {
                return Err(Unmapped::NoEquivalent(HINT_GEOMETRIC_ARRAY))
            }
            _ => match element.name.as_str() {
                "citext" | "ltree" | "hstore" => ArrayItems::Optional,
                "geometry" | "geography" => return Err(Unmapped::NoEquivalent(HINT_POSTGIS)),
                _ => return Err(Unmapped::UnknownArray),
            },
        },
        // Debezium resolves array elements by their own OID, so domains and composites are
        // unknown there even when the base type is supported.
        PgTypeKind::Domain { .. }
        | PgTypeKind::Composite
        | PgTypeKind::Pseudo
        | PgTypeKind::Other => return Err(Unmapped::UnknownArray),
        PgTypeKind::Array { .. } => return Err(Unmapped::NoEquivalent(HINT_NESTED_ARRAY)),
    };
    let Mapped { schema, kind } = match map_type(element, typmod, opts, ctx, true) {
        Ok(m) => m,
        Err(Unmapped::Unknown | Unmapped::UnknownArray) => return Err(Unmapped::UnknownArray),
        Err(e) => return Err(e),
    };
    let item_schema = schema.with_optional(matches!(items, ArrayItems::Optional));
    let element_codec = ColumnCodec {
        schema: Arc::new(item_schema.clone()),
        kind,
        optional: true,
        unavailable: Value::Null,
        ctx: Arc::new(Ctx {
            table: ctx.table.clone(),
            column: ctx.column.clone(),
            type_name: element.name.clone(),
        }),
    };
    mapped(
        Schema::array(item_schema),
        Kind::Array(Box::new(element_codec)),
    )
}

/// `Float.valueOf` / `Double.valueOf`: parsed straight to the target width, since going
/// through `f64` first could round twice.
fn parse_float<F: std::str::FromStr + FloatSpecials>(text: &str) -> Result<F, Bad> {
    Ok(match text {
        "NaN" => F::NAN,
        "Infinity" => F::INFINITY,
        "-Infinity" => F::NEG_INFINITY,
        _ => text.parse().map_err(|_| "not a floating-point number")?,
    })
}

trait FloatSpecials {
    const NAN: Self;
    const INFINITY: Self;
    const NEG_INFINITY: Self;
}

impl FloatSpecials for f32 {
    const NAN: Self = f32::NAN;
    const INFINITY: Self = f32::INFINITY;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
}

impl FloatSpecials for f64 {
    const NAN: Self = f64::NAN;
    const INFINITY: Self = f64::INFINITY;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
}

/// `bytea_output=hex`: `\x0102ff`.
fn decode_bytea(text: &str) -> Result<Vec<u8>, Bad> {
    let hex = text
        .strip_prefix("\\x")
        .ok_or("bytea is not in hex output format (is bytea_output=hex?)")?
        .as_bytes();
    if hex.len() % 2 != 0 {
        return Err("odd number of hex digits in bytea".into());
    }
    let nibble = |c: u8| -> Result<u8, Bad> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err("invalid hex digit in bytea".into()),
        }
    };
    let mut out = Vec::with_capacity(hex.len() / 2);
    for pair in hex.chunks_exact(2) {
        out.push(nibble(pair[0])? << 4 | nibble(pair[1])?);
    }
    Ok(out)
}

fn date_value(repr: DateRepr, days: i64) -> Value {
    match repr {
        // `(int) LocalDate.toEpochDay()`; every PostgreSQL date fits.
        DateRepr::EpochDays => Value::Int32(days as i32),
        DateRepr::Iso => Value::String(iso_date(days)),
    }
}

fn timestamp_value(repr: TimeRepr, ts: PgTimestamp) -> Result<Value, Bad> {
    let instant = match (ts, repr) {
        (PgTimestamp::At(t), _) => t,
        // PostgresValueConverter.convertTimestampToEpochNanos maps the infinities to the
        // int64 extremes; the other representations see pgjdbc's infinity instants.
        (PgTimestamp::PosInf, TimeRepr::Nanos) => return Ok(Value::Int64(i64::MAX)),
        (PgTimestamp::NegInf, TimeRepr::Nanos) => return Ok(Value::Int64(i64::MIN)),
        (PgTimestamp::PosInf, _) => TS_POS_INFINITY,
        (PgTimestamp::NegInf, _) => TS_NEG_INFINITY,
    };
    Ok(match repr {
        TimeRepr::Millis => Value::Int64(instant.epoch_millis().ok_or("timestamp out of range")?),
        TimeRepr::Micros => Value::Int64(instant.epoch_micros()),
        TimeRepr::Nanos => Value::Int64(instant.epoch_nanos().ok_or(Bad::NullIfOptional(
            "timestamp outside the int64 nanosecond range (about 1677-2262) of io.debezium.time.NanoTimestamp",
        ))?),
        TimeRepr::Iso => Value::String(iso_timestamp(instant, None)),
    })
}

/// Debezium's placeholder for an unchanged TOAST value of this column
/// (`UnchangedToastedReplicationMessageColumn` picks a marker by type name,
/// `UnchangedToastedPlaceholder` and the converters shape it).
fn unavailable_value(type_name: &str, kind: &Kind, schema: &Schema, opts: &TypeOptions) -> Value {
    let ph = opts.unavailable_placeholder.as_str();
    let ph_bytes = ph.as_bytes();
    if let Kind::Array(element) = kind {
        return match type_name {
            "_text" | "_varchar" | "_bpchar" | "_json" | "_jsonb" => {
                Value::Array(vec![Value::String(ph.to_owned())])
            }
            "_bytea" => match element.kind {
                Kind::Bytea(mode) => Value::Array(vec![binary_value(mode, ph_bytes.to_vec())]),
                _ => Value::Null,
            },
            // A list of the placeholder's bytes as (signed) ints, run through the element
            // converter.
            "_int4" | "_date" => Value::Array(
                ph_bytes
                    .iter()
                    .map(|&b| {
                        let n = i32::from(b as i8);
                        match element.kind {
                            Kind::Date(repr) => date_value(repr, i64::from(n)),
                            _ => Value::Int32(n),
                        }
                    })
                    .collect(),
            ),
            "_int8" => Value::Array(
                ph_bytes
                    .iter()
                    .map(|&b| Value::Int64(i64::from(b as i8)))
                    .collect(),
            ),
            "_uuid" => Value::Array(vec![Value::String(name_uuid_from_bytes(ph_bytes))]),
            // Any other array gets the plain string marker, which Debezium cannot put in an
            // array field.
            _ => Value::Null,
        };
    }
    match kind {
        Kind::Hstore(HstoreMode::Json) if type_name == "hstore" => {
            Value::String(to_json(&[(ph.to_owned(), Some(ph.to_owned()))]))
        }
        Kind::Hstore(HstoreMode::Map) if type_name == "hstore" => Value::Map(vec![(
            Value::String(ph.to_owned()),
            Value::String(ph.to_owned()),
        )]),
        Kind::Bytea(mode) | Kind::UnknownText(mode) => match mode {
            BinaryMode::Bytes => Value::Bytes(ph_bytes.to_vec()),
            // PostgresValueConverter.convertBinaryToHex returns the placeholder itself.
            BinaryMode::Hex => Value::String(ph.to_owned()),
            // The base64 converters treat the marker as unexpected data and deliver null.
            BinaryMode::Base64 | BinaryMode::Base64UrlSafe => Value::Null,
        },
        _ if schema.kind == SchemaType::String => Value::String(ph.to_owned()),
        _ => Value::Null,
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "codec_prop_tests.rs"]
mod prop_tests;
