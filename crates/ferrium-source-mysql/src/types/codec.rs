//! [`ColumnCodec`]: one column's Connect schema plus its decoders, compiled once per column.
//!
//! The mapping reproduces Debezium 3.x's MySQL/MariaDB connector (`BinlogValueConverters`
//! over `JdbcValueConverters`, with the binlog client's row deserializers). Both paths
//! first reduce a cell to the same intermediate (an integer, a decimal text, a local date
//! and time, signed microseconds…) and share everything after that, so a row read by the
//! snapshot equals the same row read from the binlog.

use std::borrow::Cow;
use std::sync::Arc;

use ferrium_event::logical::binary::{binary_schema, binary_value};
use ferrium_event::logical::decimal::{
    parse_decimal, plain_string, unscaled_at_scale, unscaled_bytes,
};
use ferrium_event::logical::temporal::{iso_date, iso_time, iso_timestamp, NANOS_PER_DAY};
use ferrium_event::{Schema, SchemaType, Value};
use mysql_async::binlog::value::BinlogValue;
use mysql_async::Value as MyValue;

use super::charset::Charset;
use super::defaults::schema_default;
use super::error::{excerpt, excerpt_bytes, TypeError};
use super::family::{classify, int_output, time_unit, timestamp_unit, Family, TimeUnit};
use super::json::{format_jsonb, normalize_text};
use super::options::{BinaryMode, DecimalMode, TimePrecisionMode, TypeOptions};
use super::temporal::{parse_date, parse_datetime, parse_epoch, parse_time, LocalDateTime};
use crate::model::{ColumnDef, TableId};
use ferrium_event::default_json::default_json;

/// Why a column of character set `name` cannot be read.
fn charset_hint(name: &str) -> Cow<'static, str> {
    Cow::Owned(format!(
        "its character set {name} is not one Ferrium can decode (it decodes the utf8, latin, \
         Windows, ISO-8859, KOI8, Japanese, Chinese and Korean character sets, ascii, binary, \
         ucs2, utf16, utf16le and utf32); convert the column, or exclude it with \
         column.exclude.list"
    ))
}

/// One column's schema and decoders. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ColumnCodec {
    schema: Arc<Schema>,
    pub(crate) kind: Kind,
    optional: bool,
    adjust: bool,
    /// What a null in a required column becomes (the schema default, else Debezium's
    /// per-type fallback), as `JdbcValueConverters.convertValue` does.
    fallback: Value,
    ctx: Arc<Ctx>,
}

#[derive(Debug)]
struct Ctx {
    table: String,
    column: String,
    type_name: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Bool,
    Bit1,
    /// BIT(n > 1): little-endian bytes, at least this many.
    Bits(usize),
    /// An integer of `bits` storage bits written as Connect int16/int32/int64.
    Int {
        bits: u32,
        unsigned: bool,
        out: u32,
    },
    /// BIGINT UNSIGNED with `bigint.unsigned.handling.mode=precise`.
    UnsignedDecimal,
    Float {
        storage_f32: bool,
        out_f32: bool,
    },
    Decimal {
        mode: DecimalMode,
        scale: u32,
    },
    Text(Charset),
    Binary {
        mode: BinaryMode,
        pad: Option<usize>,
    },
    Date(DateRepr),
    DateTime(TimeUnit),
    /// ZonedTimestamp with the fraction padded to this many digits, or shortest.
    Timestamp(Option<u32>),
    Time(TimeRepr),
    Year,
    Enum(Arc<[String]>),
    Set(Arc<[String]>),
    Json,
    Geometry,
    Point,
    Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateRepr {
    EpochDays,
    Iso,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeRepr {
    /// `io.debezium.time.Time` (adaptive, precision ≤ 3): any duration, floored millis.
    AdaptiveMillis,
    Micros,
    Nanos,
    /// `org.apache.kafka.connect.data.Time`: only 00:00:00–24:00:00.
    ConnectMillis,
    /// `io.debezium.time.IsoTime`: only 00:00:00–24:00:00.
    Iso,
}

/// Why a cell did not give a value.
pub(crate) enum Bad {
    Reason(Cow<'static, str>),
    /// Debezium reads the cell as null (zero dates): null when optional, else the fallback.
    Null,
    /// Debezium fails the conversion, logs it and leaves the field null; a required field
    /// then cannot be emitted.
    NullIfOptional(&'static str),
}

impl From<&'static str> for Bad {
    fn from(reason: &'static str) -> Self {
        Bad::Reason(Cow::Borrowed(reason))
    }
}

fn logical(kind: SchemaType, name: &str) -> Schema {
    Schema::of(kind).named(name).version(1)
}

fn decimal_schema(scale: u32, precision: u32) -> Schema {
    logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
        .param("scale", scale.to_string())
        .param("connect.decimal.precision", precision.to_string())
}

impl ColumnCodec {
    /// Works out the column's schema (optional when the column is nullable, with the
    /// column default where Debezium derives one) and decoders.
    pub fn compile(
        table: &TableId,
        column: &ColumnDef,
        opts: &TypeOptions,
    ) -> Result<ColumnCodec, TypeError> {
        let ctx = Arc::new(Ctx {
            table: table.to_string(),
            column: column.name.clone(),
            type_name: match (column.unsigned, column.zerofill) {
                (_, true) => format!("{} UNSIGNED ZEROFILL", column.type_name),
                (true, false) => format!("{} UNSIGNED", column.type_name),
                (false, false) => column.type_name.clone(),
            },
        });
        // ZEROFILL implies UNSIGNED.
        let unsigned = column.unsigned || column.zerofill;
        let mut family = classify(&column.type_name, unsigned, column.length, column.scale);
        if opts
            .tinyint_to_boolean
            .as_ref()
            .is_some_and(|c| c.applies(table, column))
        {
            family = Family::Bool;
        }
        let (schema, kind) =
            map_family(family, column, opts).map_err(|hint| ctx.unsupported(&hint))?;
        // Debezium's Geometry builder is optional whatever the column says.
        let optional = column.nullable || matches!(kind, Kind::Geometry);
        let mut codec = ColumnCodec {
            schema: Arc::new(schema.with_optional(optional)),
            fallback: Value::Null,
            kind,
            optional,
            adjust: opts.time_adjuster,
            ctx,
        };
        let default = column
            .default
            .as_deref()
            .and_then(|expr| schema_default(expr, &codec));
        codec.fallback = match &default {
            Some(v) => v.clone(),
            None => codec.kind.fallback(),
        };
        if let Some(v) = default {
            let mut schema = (*codec.schema).clone();
            schema.default = Some(default_json(&schema, &v));
            codec.schema = Arc::new(schema);
        }
        Ok(codec)
    }

    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// Decodes one cell of a binlog row image.
    pub fn decode_binlog(&self, v: &BinlogValue<'_>) -> Result<Value, TypeError> {
        let result = match v {
            BinlogValue::Value(MyValue::NULL) => return Ok(self.null()),
            BinlogValue::Value(value) => self.read_binlog(value),
            BinlogValue::Jsonb(json) => match self.kind {
                Kind::Json => format_jsonb(json).map(Value::String).map_err(Bad::from),
                _ => Err(Bad::from("binary JSON in a column that is not JSON")),
            },
            BinlogValue::JsonDiff(_) => Err(Bad::from(
                "a partial JSON update (binlog_row_value_options=PARTIAL_JSON) carries no full \
                 value; Debezium cannot read it either, switch the option off",
            )),
        };
        self.finish(result, || binlog_excerpt(v))
    }

    /// Decodes one cell of a snapshot row read with the text protocol (session
    /// `time_zone='+00:00'`, results in utf8mb4).
    pub fn decode_text(&self, v: &MyValue) -> Result<Value, TypeError> {
        let bytes = match v {
            MyValue::NULL => return Ok(self.null()),
            MyValue::Bytes(b) => b.as_slice(),
            // The text protocol only produces bytes; accept typed values for convenience.
            other => return self.decode_binlog(&BinlogValue::Value(other.clone())),
        };
        let result = self.read_text(bytes);
        self.finish(result, || excerpt_bytes(bytes))
    }

    fn null(&self) -> Value {
        if self.optional {
            Value::Null
        } else {
            self.fallback.clone()
        }
    }

    fn finish(
        &self,
        result: Result<Value, Bad>,
        excerpt: impl FnOnce() -> String,
    ) -> Result<Value, TypeError> {
        match result {
            Ok(v) => Ok(v),
            Err(Bad::Null) => Ok(self.null()),
            Err(Bad::NullIfOptional(reason)) if self.optional => {
                tracing::warn!(
                    table = %self.ctx.table,
                    column = %self.ctx.column,
                    "{reason}; writing null like Debezium does"
                );
                Ok(Value::Null)
            }
            Err(Bad::NullIfOptional(reason)) => Err(self.ctx.malformed(excerpt(), reason.into())),
            Err(Bad::Reason(reason)) => Err(self.ctx.malformed(excerpt(), reason)),
        }
    }

    fn read_binlog(&self, v: &MyValue) -> Result<Value, Bad> {
        use MyValue as V;
        match (&self.kind, v) {
            (Kind::Bool, V::Int(_) | V::UInt(_)) => Ok(Value::Boolean(int_of(v)? != 0)),
            // mysql_common 0.37 reads a signed MEDIUMINT from the binlog without sign
            // extension (its `eat_i24_le` zero-fills the fourth byte), so -1 arrives as
            // 16777215; the 24-bit two's complement is restored here.
            (
                Kind::Int {
                    bits: 24,
                    unsigned: false,
                    ..
                },
                V::Int(raw),
            ) if (0x80_0000..=0xFF_FFFF).contains(raw) => {
                self.int_value(i128::from(raw - 0x100_0000))
            }
            (Kind::Int { .. } | Kind::UnsignedDecimal, V::Int(_) | V::UInt(_)) => {
                self.int_value(int_of(v)?)
            }
            (Kind::Float { out_f32, .. }, V::Float(f)) => {
                Ok(float_value(*out_f32, f64::from(*f), Some(*f)))
            }
            (Kind::Float { out_f32, .. }, V::Double(d)) => Ok(float_value(*out_f32, *d, None)),
            (Kind::Date(_) | Kind::DateTime(_), V::Date(y, mo, d, h, mi, s, us)) => self
                .datetime_value(LocalDateTime {
                    year: u32::from(*y),
                    month: u32::from(*mo),
                    day: u32::from(*d),
                    hour: u32::from(*h),
                    minute: u32::from(*mi),
                    second: u32::from(*s),
                    micros: *us,
                }),
            (Kind::Time(repr), V::Time(neg, days, h, m, s, us)) => {
                let secs = ((i64::from(*days) * 24 + i64::from(*h)) * 60 + i64::from(*m)) * 60
                    + i64::from(*s);
                // Days are a u32: a malformed cell would overflow the microseconds.
                let micros = secs
                    .checked_mul(1_000_000)
                    .and_then(|m| m.checked_add(i64::from(*us)))
                    .ok_or("TIME value beyond the int64 microsecond range")?;
                time_value(*repr, if *neg { -micros } else { micros })
            }
            (Kind::Enum(labels), V::Int(_) | V::UInt(_)) => enum_from_index(labels, int_of(v)?),
            (_, V::Bytes(b)) => self.read_binlog_bytes(b),
            _ => Err(Bad::from("unexpected binlog value for the column's type")),
        }
    }

    fn read_binlog_bytes(&self, b: &[u8]) -> Result<Value, Bad> {
        match &self.kind {
            Kind::Bit1 => Ok(Value::Boolean(b.last().is_some_and(|x| x & 1 == 1))),
            Kind::Bits(n) => Ok(Value::Bytes(bits_value(b, *n))),
            Kind::Text(cs) => Ok(Value::String(cs.decode(b))),
            Kind::Timestamp(width) => {
                let t = parse_epoch(ascii(b)?)?;
                // The binlog reader returns null for the zero TIMESTAMP (epoch 0).
                if t.secs == 0 && t.nanos == 0 {
                    return Err(Bad::Null);
                }
                Ok(Value::String(iso_timestamp(t, *width)))
            }
            Kind::Set(labels) => {
                let mut mask = 0u64;
                for (i, byte) in b.iter().take(8).enumerate() {
                    mask |= u64::from(*byte) << (8 * i);
                }
                Ok(Value::String(set_from_mask(labels, mask)))
            }
            // The binlog gives 1900 + the stored byte, so MySQL's YEAR 0000 reads as 1900.
            Kind::Year => year_value(ascii(b)?, self.adjust),
            Kind::Json if b.is_empty() => Err(Bad::Null),
            // MariaDB keeps JSON as LONGTEXT: the bytes are the document's text.
            Kind::Json => Ok(Value::String(normalize_text(utf8(b)?)?)),
            Kind::Uuid => uuid_value(b),
            _ => self.read_shared_bytes(b),
        }
    }

    fn read_text(&self, b: &[u8]) -> Result<Value, Bad> {
        match &self.kind {
            // Connector/J reads TINYINT(1)/BOOLEAN as a boolean: anything non-zero is true.
            Kind::Bool => Ok(Value::Boolean(parse_int(ascii(b)?)? != 0)),
            Kind::Int { .. } | Kind::UnsignedDecimal => self.int_value(parse_int(ascii(b)?)?),
            Kind::Float {
                storage_f32,
                out_f32,
            } => {
                let text = ascii(b)?;
                if *storage_f32 {
                    // Read at the stored width first, as the binlog delivers it.
                    let f: f32 = text.parse().map_err(|_| "not a number")?;
                    Ok(float_value(*out_f32, f64::from(f), Some(f)))
                } else {
                    let d: f64 = text.parse().map_err(|_| "not a number")?;
                    Ok(float_value(*out_f32, d, None))
                }
            }
            Kind::Bit1 => Ok(Value::Boolean(b.last().is_some_and(|x| x & 1 == 1))),
            Kind::Bits(n) => Ok(Value::Bytes(bits_value(b, *n))),
            Kind::Text(Charset::Latin1) => Ok(Value::String(Charset::Latin1.decode(b))),
            Kind::Text(_) | Kind::Enum(_) | Kind::Set(_) => {
                Ok(Value::String(String::from_utf8_lossy(b).into_owned()))
            }
            Kind::Date(_) => self.datetime_value(parse_date(ascii(b)?)?),
            Kind::DateTime(_) => self.datetime_value(parse_datetime(ascii(b)?)?),
            Kind::Timestamp(width) => {
                let local = parse_datetime(ascii(b)?)?;
                if local.is_zero_in_part() {
                    return Err(Bad::Null);
                }
                local.validate()?;
                Ok(Value::String(iso_timestamp(local.as_utc(), *width)))
            }
            Kind::Time(repr) => time_value(*repr, parse_time(ascii(b)?)?),
            Kind::Year => match ascii(b)? {
                // Agree with the binlog, which cannot tell YEAR 0000 from 1900.
                "0000" | "0" => year_value("1900", self.adjust),
                text => year_value(text, self.adjust),
            },
            Kind::Json => Ok(Value::String(normalize_text(utf8(b)?)?)),
            Kind::Uuid => Ok(Value::String(utf8(b)?.to_owned())),
            _ => self.read_shared_bytes(b),
        }
    }

    /// Kinds whose cell is the same bytes on both paths.
    fn read_shared_bytes(&self, b: &[u8]) -> Result<Value, Bad> {
        match &self.kind {
            Kind::Decimal { mode, scale } => decimal_value(*mode, *scale, ascii(b)?),
            Kind::Binary { mode, pad } => {
                let mut bytes = b.to_vec();
                if let Some(n) = pad {
                    if bytes.len() < *n {
                        bytes.resize(*n, 0);
                    }
                }
                Ok(binary_value(*mode, bytes))
            }
            Kind::Geometry => {
                let (wkb, srid) = split_geometry(b)?;
                Ok(Value::Struct(vec![Value::Bytes(wkb.to_vec()), srid]))
            }
            Kind::Point => {
                let (wkb, srid) = split_geometry(b)?;
                let (x, y) = wkb_point(wkb)?;
                Ok(Value::Struct(vec![
                    Value::Float64(x),
                    Value::Float64(y),
                    Value::Bytes(wkb.to_vec()),
                    srid,
                ]))
            }
            _ => Err(Bad::from("unexpected value for the column's type")),
        }
    }

    pub(crate) fn int_value(&self, v: i128) -> Result<Value, Bad> {
        match self.kind {
            Kind::Int {
                bits,
                unsigned,
                out,
            } => {
                // BinlogUnsignedIntegerConverter: a negative read of an unsigned column
                // gains 2^bits.
                let v = if unsigned && v < 0 {
                    v + (1i128 << bits)
                } else {
                    v
                };
                Ok(match out {
                    // `Number.byteValue()`, `shortValue()`…: out-of-range reads wrap.
                    8 => Value::Int8(v as i8),
                    16 => Value::Int16(v as i16),
                    32 => Value::Int32(v as i32),
                    // BIGINT UNSIGNED in `long` mode wraps like Java's `longValue()`.
                    _ => Value::Int64(v as i64),
                })
            }
            Kind::UnsignedDecimal => {
                let v = if v < 0 { v + (1i128 << 64) } else { v };
                let digits = v.to_string();
                let (negative, digits) = match digits.strip_prefix('-') {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, digits),
                };
                Ok(Value::Bytes(unscaled_bytes(
                    negative,
                    &[digits.as_bytes()],
                    0,
                )))
            }
            Kind::Bool => Ok(Value::Boolean(v != 0)),
            _ => Err(Bad::from("an integer in a column that is not an integer")),
        }
    }

    pub(crate) fn datetime_value(&self, local: LocalDateTime) -> Result<Value, Bad> {
        if local.is_zero_in_part() {
            return Err(Bad::Null);
        }
        let local = local.adjusted(self.adjust);
        local.validate()?;
        Ok(match self.kind {
            Kind::Date(DateRepr::EpochDays) => Value::Int32(local.epoch_day() as i32),
            Kind::Date(DateRepr::Iso) => Value::String(iso_date(local.epoch_day())),
            Kind::DateTime(unit) => {
                let t = local.as_utc();
                match unit {
                    TimeUnit::Millis => Value::Int64(t.epoch_millis().ok_or("out of range")?),
                    TimeUnit::Micros => Value::Int64(t.epoch_micros()),
                    TimeUnit::Nanos => Value::Int64(t.epoch_nanos().ok_or(Bad::NullIfOptional(
                        "timestamp outside the int64 nanosecond range (about 1677-2262) of \
                         io.debezium.time.NanoTimestamp",
                    ))?),
                    TimeUnit::Iso => Value::String(iso_timestamp(t, None)),
                }
            }
            _ => return Err(Bad::from("a date in a column that is not a date")),
        })
    }

    pub(crate) fn is_optional(&self) -> bool {
        self.optional
    }

    pub(crate) fn adjusts(&self) -> bool {
        self.adjust
    }
}

impl Ctx {
    fn unsupported(&self, hint: &str) -> TypeError {
        TypeError::Unsupported {
            table: self.table.clone(),
            column: self.column.clone(),
            type_name: self.type_name.clone(),
            hint: hint.to_string(),
        }
    }

    fn malformed(&self, text_excerpt: String, reason: Cow<'static, str>) -> TypeError {
        TypeError::Malformed {
            table: self.table.clone(),
            column: self.column.clone(),
            type_name: self.type_name.clone(),
            text_excerpt,
            reason: reason.into_owned(),
        }
    }
}

impl Kind {
    /// `JdbcValueConverters`' fallback for a null in a required column without a default.
    fn fallback(&self) -> Value {
        match self {
            Kind::Bool | Kind::Bit1 => Value::Boolean(false),
            Kind::Bits(_) => Value::Bytes(Vec::new()),
            Kind::Int { out: 8, .. } => Value::Int8(0),
            Kind::Int { out: 16, .. } => Value::Int16(0),
            Kind::Int { out: 32, .. } => Value::Int32(0),
            Kind::Int { .. } => Value::Int64(0),
            Kind::UnsignedDecimal => Value::Bytes(vec![0]),
            Kind::Float { out_f32: true, .. } => Value::Float32(0.0),
            Kind::Float { .. } => Value::Float64(0.0),
            Kind::Decimal { mode, scale } => {
                decimal_value(*mode, *scale, "0").unwrap_or(Value::Null)
            }
            Kind::Text(_) | Kind::Enum(_) | Kind::Set(_) | Kind::Uuid => {
                Value::String(String::new())
            }
            Kind::Binary { mode, .. } => binary_value(*mode, Vec::new()),
            Kind::Date(DateRepr::EpochDays) | Kind::Year => Value::Int32(0),
            Kind::Date(DateRepr::Iso) => Value::String("1970-01-01Z".into()),
            Kind::DateTime(TimeUnit::Iso) => Value::String("1970-01-01T00:00:00Z".into()),
            Kind::DateTime(_) => Value::Int64(0),
            Kind::Timestamp(_) => Value::String("1970-01-01T00:00:00Z".into()),
            Kind::Time(TimeRepr::AdaptiveMillis | TimeRepr::ConnectMillis) => Value::Int32(0),
            Kind::Time(TimeRepr::Iso) => Value::String("00:00:00Z".into()),
            Kind::Time(_) => Value::Int64(0),
            Kind::Json => Value::String("{}".into()),
            // An empty GEOMETRYCOLLECTION, without SRID.
            Kind::Geometry => Value::Struct(vec![
                Value::Bytes(vec![0x01, 0x07, 0, 0, 0, 0, 0, 0, 0]),
                Value::Null,
            ]),
            Kind::Point => Value::Null,
        }
    }
}

/// The largest sizes MySQL and MariaDB accept (`BIT(64)`, `BINARY(255)`, MariaDB's
/// `DECIMAL(65,38)`). No server writes a column beyond them; a definition that does is
/// malformed (a corrupt history, mangled DDL) and would cost up to gigabytes per value
/// (padding to the length, zeros to the scale), so it is refused instead.
const MAX_BITS: u32 = 64;
const MAX_BINARY: usize = 255;
const MAX_DECIMAL_SCALE: u32 = 38;

/// Maps a family to its schema and decoder kind, or the hint for why it has none.
fn map_family(
    family: Family,
    column: &ColumnDef,
    opts: &TypeOptions,
) -> Result<(Schema, Kind), Cow<'static, str>> {
    use SchemaType as T;
    let plain = Schema::of;
    let beyond = |what: String| -> Cow<'static, str> {
        Cow::Owned(format!(
            "the definition says {what}, beyond what MySQL and MariaDB allow; the DDL or \
             the schema history is malformed"
        ))
    };
    match family {
        Family::Bit(n) if n > MAX_BITS => return Err(beyond(format!("BIT({n})"))),
        Family::Binary { pad: Some(n) } if n > MAX_BINARY => {
            return Err(beyond(format!("BINARY({n})")))
        }
        Family::Decimal { scale, .. } if scale > MAX_DECIMAL_SCALE => {
            return Err(beyond(format!("a DECIMAL scale of {scale}")))
        }
        _ => {}
    }
    Ok(match family {
        Family::Bool => (plain(T::Boolean), Kind::Bool),
        Family::Bit(n) if n > 1 => (
            logical(T::Bytes, "io.debezium.data.Bits").param("length", n.to_string()),
            Kind::Bits(n.div_ceil(8) as usize),
        ),
        Family::Bit(_) => (plain(T::Boolean), Kind::Bit1),
        Family::Int { bits, unsigned } => match int_output(bits, unsigned, opts) {
            Some(out) => (
                plain(match out {
                    8 => T::Int8,
                    16 => T::Int16,
                    32 => T::Int32,
                    _ => T::Int64,
                }),
                Kind::Int {
                    bits,
                    unsigned,
                    out,
                },
            ),
            None => (decimal_schema(0, 20), Kind::UnsignedDecimal),
        },
        Family::Float {
            storage_f32,
            schema_f32,
        } => (
            plain(if schema_f32 { T::Float32 } else { T::Float64 }),
            Kind::Float {
                storage_f32,
                out_f32: schema_f32,
            },
        ),
        Family::Decimal { precision, scale } => (
            match opts.decimal {
                DecimalMode::Precise => decimal_schema(scale, precision),
                DecimalMode::Double => plain(T::Float64),
                DecimalMode::String => plain(T::String),
            },
            Kind::Decimal {
                mode: opts.decimal,
                scale,
            },
        ),
        Family::Text { national } => {
            let charset = if national {
                Some(Charset::Utf8)
            } else {
                Charset::for_mysql(column.charset.as_deref())
            };
            let charset = charset
                .ok_or_else(|| charset_hint(column.charset.as_deref().unwrap_or_default()))?;
            (plain(T::String), Kind::Text(charset))
        }
        Family::Binary { pad } => (
            binary_schema(opts.binary),
            Kind::Binary {
                mode: opts.binary,
                pad,
            },
        ),
        Family::Date => match opts.time {
            TimePrecisionMode::Connect => (
                logical(T::Int32, "org.apache.kafka.connect.data.Date"),
                Kind::Date(DateRepr::EpochDays),
            ),
            TimePrecisionMode::IsoString => (
                logical(T::String, "io.debezium.time.IsoDate"),
                Kind::Date(DateRepr::Iso),
            ),
            _ => (
                logical(T::Int32, "io.debezium.time.Date"),
                Kind::Date(DateRepr::EpochDays),
            ),
        },
        Family::DateTime { fsp } => {
            let unit = timestamp_unit(opts.time, fsp);
            let schema = match (opts.time, unit) {
                (TimePrecisionMode::Connect, _) => {
                    logical(T::Int64, "org.apache.kafka.connect.data.Timestamp")
                }
                (_, TimeUnit::Millis) => logical(T::Int64, "io.debezium.time.Timestamp"),
                (_, TimeUnit::Micros) => logical(T::Int64, "io.debezium.time.MicroTimestamp"),
                (_, TimeUnit::Nanos) => logical(T::Int64, "io.debezium.time.NanoTimestamp"),
                (_, TimeUnit::Iso) => logical(T::String, "io.debezium.time.IsoTimestamp"),
            };
            (schema, Kind::DateTime(unit))
        }
        Family::Timestamp { fsp } => (
            logical(T::String, "io.debezium.time.ZonedTimestamp"),
            Kind::Timestamp((1..=9).contains(&fsp).then_some(fsp)),
        ),
        Family::Time { fsp } => {
            let (schema, repr) = match (opts.time, time_unit(opts.time, fsp)) {
                (TimePrecisionMode::Connect, _) => (
                    logical(T::Int32, "org.apache.kafka.connect.data.Time"),
                    TimeRepr::ConnectMillis,
                ),
                (_, TimeUnit::Millis) => (
                    logical(T::Int32, "io.debezium.time.Time"),
                    TimeRepr::AdaptiveMillis,
                ),
                (_, TimeUnit::Micros) => (
                    logical(T::Int64, "io.debezium.time.MicroTime"),
                    TimeRepr::Micros,
                ),
                (_, TimeUnit::Nanos) => (
                    logical(T::Int64, "io.debezium.time.NanoTime"),
                    TimeRepr::Nanos,
                ),
                (_, TimeUnit::Iso) => (
                    logical(T::String, "io.debezium.time.IsoTime"),
                    TimeRepr::Iso,
                ),
            };
            (schema, Kind::Time(repr))
        }
        Family::Year => (logical(T::Int32, "io.debezium.time.Year"), Kind::Year),
        Family::Enum => (
            logical(T::String, "io.debezium.data.Enum")
                .param("allowed", allowed_list(&column.enum_values)),
            Kind::Enum(column.enum_values.clone().into()),
        ),
        Family::Set => (
            logical(T::String, "io.debezium.data.EnumSet")
                .param("allowed", allowed_list(&column.enum_values)),
            Kind::Set(column.enum_values.clone().into()),
        ),
        // MariaDB's SHOW CREATE TABLE says `longtext … CHECK (json_valid(…))`, so the table
        // Debezium snapshots has a plain utf8mb4 string; a `JSON` in DDL read from the
        // binlog is the same column. (Debezium would give it io.debezium.data.Json and
        // hand its text to the MySQL binary-JSON parser, which cannot read it.)
        Family::Json if opts.mariadb => (plain(T::String), Kind::Text(Charset::Utf8)),
        Family::Json => (logical(T::String, "io.debezium.data.Json"), Kind::Json),
        Family::Geometry => (
            logical(T::Struct, "io.debezium.data.geometry.Geometry")
                .doc("Geometry")
                .field("wkb", plain(T::Bytes))
                .field("srid", plain(T::Int32).optional()),
            Kind::Geometry,
        ),
        Family::Point => (
            logical(T::Struct, "io.debezium.data.geometry.Point")
                .doc("Geometry (POINT)")
                .field("x", plain(T::Float64))
                .field("y", plain(T::Float64))
                .field("wkb", plain(T::Bytes).optional())
                .field("srid", plain(T::Int32).optional()),
            Kind::Point,
        ),
        Family::Uuid => (logical(T::String, "io.debezium.data.Uuid"), Kind::Uuid),
        Family::Unsupported(hint) => return Err(Cow::Borrowed(hint)),
    })
}

/// The `allowed` parameter of an ENUM or SET schema, as `EnumeratedValues.toCommaSeparatedString`
/// joins the members: a backslash doubled and a comma escaped as `\,`, so that a member
/// holding a comma still reads back as one member.
pub(crate) fn allowed_list(members: &[String]) -> String {
    let mut out = String::new();
    for (i, member) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for c in member.chars() {
            if c == '\\' || c == ',' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

fn int_of(v: &MyValue) -> Result<i128, Bad> {
    match v {
        MyValue::Int(i) => Ok(i128::from(*i)),
        MyValue::UInt(u) => Ok(i128::from(*u)),
        _ => Err(Bad::from("not an integer")),
    }
}

pub(crate) fn parse_int(text: &str) -> Result<i128, Bad> {
    text.parse::<i128>()
        .map_err(|_| Bad::from("not an integer"))
}

fn ascii(b: &[u8]) -> Result<&str, Bad> {
    std::str::from_utf8(b).map_err(|_| Bad::from("not ASCII text"))
}

fn utf8(b: &[u8]) -> Result<&str, Bad> {
    std::str::from_utf8(b).map_err(|_| Bad::from("not valid UTF-8"))
}

/// FLOAT columns are read at their stored width and widened (`Float.doubleValue()`) for a
/// float64 schema; REAL narrows like `Number.floatValue()`.
fn float_value(out_f32: bool, wide: f64, narrow: Option<f32>) -> Value {
    if out_f32 {
        Value::Float32(narrow.unwrap_or(wide as f32))
    } else {
        Value::Float64(wide)
    }
}

pub(crate) fn decimal_value(mode: DecimalMode, scale: u32, text: &str) -> Result<Value, Bad> {
    let d = parse_decimal(text).map_err(Bad::from)?;
    Ok(match mode {
        DecimalMode::Precise => {
            Value::Bytes(unscaled_at_scale(&d, scale as i32).map_err(Bad::from)?)
        }
        // BigDecimal.doubleValue() is correctly rounded, like Rust's parser.
        DecimalMode::Double => Value::Float64(text.parse().map_err(|_| "not a decimal number")?),
        DecimalMode::String => Value::String(plain_string(&d, Some(scale as usize))),
    })
}

/// `convertBits`: the binlog's big-endian bytes reversed to little-endian, padded to the
/// column's byte count (`BitSet.toByteArray` drops high zero bytes, `padLittleEndian`
/// restores them).
fn bits_value(big_endian: &[u8], num_bytes: usize) -> Vec<u8> {
    let mut le: Vec<u8> = big_endian.iter().rev().copied().collect();
    while le.last() == Some(&0) {
        le.pop();
    }
    if le.len() < num_bytes {
        le.resize(num_bytes, 0);
    }
    le
}

fn time_value(repr: TimeRepr, micros: i64) -> Result<Value, Bad> {
    const OUT_OF_DAY: &str = "TIME value outside 00:00:00-24:00:00, which this \
         time.precision.mode cannot represent (Debezium fails the conversion too)";
    Ok(match repr {
        // Duration.toMillis() floors.
        TimeRepr::AdaptiveMillis => Value::Int32(micros.div_euclid(1000) as i32),
        TimeRepr::Micros => Value::Int64(micros),
        TimeRepr::Nanos => {
            Value::Int64(micros.checked_mul(1000).ok_or(
                "TIME value beyond the int64 nanosecond range of io.debezium.time.NanoTime",
            )?)
        }
        TimeRepr::ConnectMillis | TimeRepr::Iso => {
            if !(0..=86_400_000_000).contains(&micros) {
                return Err(Bad::NullIfOptional(OUT_OF_DAY));
            }
            match repr {
                TimeRepr::ConnectMillis => Value::Int32((micros / 1000) as i32),
                // LocalTime.MIDNIGHT.plus(24h) wraps to midnight.
                _ => Value::String(iso_time((micros * 1000) % NANOS_PER_DAY)),
            }
        }
    })
}

fn year_value(text: &str, adjust: bool) -> Result<Value, Bad> {
    let year: i32 = text.trim().parse().map_err(|_| "not a year")?;
    let year = match year {
        0..=69 if adjust => year + 2000,
        70..=99 if adjust => year + 1900,
        _ => year,
    };
    Ok(Value::Int32(year))
}

fn enum_from_index(labels: &[String], index: i128) -> Result<Value, Bad> {
    // Index 0 is the empty string MySQL stores for an invalid value.
    if index == 0 {
        return Ok(Value::String(String::new()));
    }
    usize::try_from(index - 1)
        .ok()
        .and_then(|i| labels.get(i))
        .map(|label| Value::String(label.clone()))
        .ok_or(Bad::NullIfOptional(
            "ENUM index beyond the column's members",
        ))
}

/// `convertSetValue`: members in bit order; a bit beyond the members still adds a comma.
pub(crate) fn set_from_mask(labels: &[String], mut mask: u64) -> String {
    let mut out = String::new();
    let mut index = 0;
    let mut first = true;
    while mask != 0 {
        if mask & 1 == 1 {
            if !first {
                out.push(',');
            }
            first = false;
            if let Some(label) = labels.get(index) {
                out.push_str(label);
            }
        }
        index += 1;
        mask >>= 1;
    }
    out
}

/// MySQL's internal geometry: a little-endian 4-byte SRID, then WKB. SRID 0 is null.
fn split_geometry(b: &[u8]) -> Result<(&[u8], Value), Bad> {
    let Some((srid, wkb)) = b.split_first_chunk::<4>() else {
        return Err(Bad::from("geometry shorter than its 4-byte SRID"));
    };
    let srid = i32::from_le_bytes(*srid);
    Ok((
        wkb,
        if srid == 0 {
            Value::Null
        } else {
            Value::Int32(srid)
        },
    ))
}

/// The coordinates of a WKB point (1 + 4 + 8 + 8 bytes).
fn wkb_point(wkb: &[u8]) -> Result<(f64, f64), Bad> {
    const NOT_POINT: &str = "POINT column whose value is not a WKB point";
    if wkb.len() != 21 {
        return Err(Bad::from(NOT_POINT));
    }
    let little = wkb[0] == 1;
    let coord = |at: usize| -> Result<f64, Bad> {
        let raw: [u8; 8] = wkb[at..at + 8].try_into().map_err(|_| NOT_POINT)?;
        Ok(if little {
            f64::from_le_bytes(raw)
        } else {
            f64::from_be_bytes(raw)
        })
    };
    Ok((coord(5)?, coord(13)?))
}

/// MariaDB UUID from the binlog: 16 bytes read as one big-endian number, like Debezium's
/// `new UUID(msb, lsb)`.
fn uuid_value(b: &[u8]) -> Result<Value, Bad> {
    if b.len() != 16 {
        return Err(Bad::from("UUID is not 16 bytes"));
    }
    let hex = ferrium_event::logical::binary::hex_lower(b);
    Ok(Value::String(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )))
}

fn binlog_excerpt(v: &BinlogValue<'_>) -> String {
    match v {
        BinlogValue::Value(MyValue::Bytes(b)) => excerpt_bytes(b),
        // Written here: mysql_common's Debug of a TIME computes `days * 24 + hours` in u32,
        // which overflows (a panic in debug builds) for a malformed cell.
        BinlogValue::Value(MyValue::Time(neg, days, h, m, s, us)) => format!(
            "Time({}{days}d {h:02}:{m:02}:{s:02}.{us:06})",
            if *neg { "-" } else { "" }
        ),
        BinlogValue::Value(MyValue::Date(y, mo, d, h, mi, s, us)) => {
            format!("Date({y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06})")
        }
        BinlogValue::Value(other) => excerpt(&format!("{other:?}")),
        BinlogValue::Jsonb(_) => "<binary JSON>".to_string(),
        BinlogValue::JsonDiff(_) => "<partial JSON update>".to_string(),
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "codec_prop_tests.rs"]
mod prop_tests;
