//! The Connect schema `default` Debezium derives from a column's `DEFAULT` clause
//! (`BinlogDefaultValueConverter` after the DDL parser's `DefaultValueParserListener`).
//!
//! The DDL parser turns `CURRENT_TIMESTAMP`/`NOW()` into `1970-01-01 00:00:00` and drops
//! expression defaults (`DEFAULT (…)`); the literal is then converted with the column's
//! own value converter. Zero dates give no default on a nullable column and the epoch on
//! a required one. A default that cannot be converted is left out, as Debezium logs and
//! skips it.

use ferrium_event::logical::binary::binary_value;
use ferrium_event::logical::decimal::{parse_decimal, plain_string};
use ferrium_event::Value;

use super::codec::{decimal_value, parse_int, ColumnCodec, Kind, TimeRepr};
use super::temporal::{parse_time, LocalDateTime};

const EPOCH: &str = "1970-01-01 00:00:00";

/// The default value for `codec`'s column from the DDL text of its `DEFAULT` clause.
pub(crate) fn schema_default(expr: &str, codec: &ColumnCodec) -> Option<Value> {
    let raw = expr;
    let trimmed = expr.trim();
    if trimmed.eq_ignore_ascii_case("NULL") || trimmed.starts_with('(') {
        return None;
    }
    let upper = trimmed.to_ascii_uppercase();
    let is_now = ["CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"]
        .iter()
        .any(|f| upper == *f || (upper.starts_with(f) && upper[f.len()..].starts_with('(')));
    let text = if is_now { EPOCH } else { trimmed };
    let optional = codec.is_optional();
    match &codec.kind {
        Kind::Int { .. } | Kind::UnsignedDecimal | Kind::Bool => {
            let v = match text.to_ascii_lowercase().as_str() {
                "true" => 1,
                "false" => 0,
                // BIGINT UNSIGNED in precise mode reads the literal as a BigDecimal.
                _ if matches!(codec.kind, Kind::UnsignedDecimal) => parse_int(text).ok()?,
                // The other integer converters take `Math.round(Double.parseDouble(value))`,
                // so a literal beyond 2^53 is rounded through a double, as in Debezium.
                _ => text.parse::<f64>().ok()?.java_round()?,
            };
            codec.int_value(v).ok()
        }
        Kind::Bit1 => Some(Value::Boolean(match text.parse::<i16>() {
            Ok(n) => n != 0,
            Err(_) => text.eq_ignore_ascii_case("true"),
        })),
        Kind::Bits(n) => {
            let bits = text
                .trim_start_matches(['b', 'B'])
                .trim_matches('\'')
                .trim_start_matches("0b");
            if bits.is_empty() || !bits.bytes().all(|c| c == b'0' || c == b'1') {
                return None;
            }
            let mut le = Vec::new();
            let digits = bits.as_bytes();
            for chunk in digits.rchunks(8) {
                let mut byte = 0u8;
                for &c in chunk {
                    byte = (byte << 1) | (c - b'0');
                }
                le.push(byte);
            }
            if le.len() < *n {
                le.resize(*n, 0);
            }
            Some(Value::Bytes(le))
        }
        Kind::Float { out_f32, .. } => {
            let d: f64 = text.parse().ok()?;
            Some(if *out_f32 {
                Value::Float32(d as f32)
            } else {
                Value::Float64(d)
            })
        }
        Kind::Decimal { mode, scale } => {
            let text = match text.to_ascii_lowercase().as_str() {
                "true" => "1".to_string(),
                "false" => "0".to_string(),
                _ => round_half_up(text, *scale as usize)?,
            };
            decimal_value(*mode, *scale, &text).ok()
        }
        // Strings keep their spaces: only non-character types are trimmed.
        Kind::Text(_) | Kind::Enum(_) | Kind::Set(_) | Kind::Json | Kind::Uuid => {
            Some(Value::String(raw.to_string()))
        }
        Kind::Binary { mode, .. } => Some(binary_value(*mode, raw.as_bytes().to_vec())),
        Kind::Date(_) | Kind::DateTime(_) => {
            let local = parse_default_datetime(text)?;
            if local.is_zero_in_part() {
                if optional {
                    return None;
                }
                return codec.datetime_value(epoch()).ok();
            }
            codec.datetime_value(local).ok()
        }
        Kind::Timestamp(width) => {
            let local = parse_default_datetime(text)?;
            if local.is_zero_in_part() || text == EPOCH || text == "0" {
                if optional {
                    return None;
                }
                // `Timestamp.from(Instant.EPOCH)`, formatted without a fixed fraction.
                return Some(Value::String("1970-01-01T00:00:00Z".to_string()));
            }
            // Debezium reads the literal in the JVM's zone; a UTC JVM is assumed.
            local.validate().ok()?;
            Some(Value::String(
                ferrium_event::logical::temporal::iso_timestamp(local.as_utc(), *width),
            ))
        }
        Kind::Time(repr) => {
            // A datetime literal keeps only its time part.
            let time = text.rsplit(' ').next().unwrap_or(text);
            let micros = parse_time(time).ok()?;
            let value = match repr {
                TimeRepr::Micros => Value::Int64(micros),
                TimeRepr::Nanos => Value::Int64(micros * 1000),
                TimeRepr::AdaptiveMillis => Value::Int32(micros.div_euclid(1000) as i32),
                TimeRepr::ConnectMillis if (0..=86_400_000_000).contains(&micros) => {
                    Value::Int32((micros / 1000) as i32)
                }
                TimeRepr::Iso if (0..=86_400_000_000).contains(&micros) => {
                    Value::String(ferrium_event::logical::temporal::iso_time(
                        (micros * 1000) % ferrium_event::logical::temporal::NANOS_PER_DAY,
                    ))
                }
                _ => return None,
            };
            Some(value)
        }
        Kind::Year => {
            let year: i32 = text.parse().ok()?;
            let year = match year {
                0..=69 if codec.adjusts() => year + 2000,
                70..=99 if codec.adjusts() => year + 1900,
                _ => year,
            };
            Some(Value::Int32(year))
        }
        Kind::Geometry | Kind::Point => None,
    }
}

fn epoch() -> LocalDateTime {
    LocalDateTime {
        year: 1970,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        micros: 0,
    }
}

/// `yyyy-MM-dd[ HH:mm[:ss[.f]]]`, zero parts allowed; also the bare `0` MySQL accepts.
fn parse_default_datetime(text: &str) -> Option<LocalDateTime> {
    if text == "0" {
        return Some(LocalDateTime {
            year: 0,
            month: 0,
            day: 0,
            ..epoch()
        });
    }
    let (date, time) = match text.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    let mut local = LocalDateTime {
        year,
        month,
        day,
        ..epoch()
    };
    if let Some(time) = time {
        let micros = parse_time(time).ok()?;
        if micros < 0 {
            return None;
        }
        let secs = micros / 1_000_000;
        local.hour = (secs / 3600) as u32;
        local.minute = (secs / 60 % 60) as u32;
        local.second = (secs % 60) as u32;
        local.micros = (micros % 1_000_000) as u32;
    }
    Some(local)
}

/// `new BigDecimal(text).setScale(scale, HALF_UP)` as plain text.
fn round_half_up(text: &str, scale: usize) -> Option<String> {
    let d = parse_decimal(text).ok()?;
    if d.frac.len() <= scale {
        return Some(plain_string(&d, Some(scale)));
    }
    let mut digits: Vec<u8> = d.int.iter().chain(&d.frac[..scale]).copied().collect();
    if d.frac[scale] >= b'5' {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - scale;
    let mut out = String::new();
    if d.negative {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[..split]).ok()?);
    if scale > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(&digits[split..]).ok()?);
    }
    Some(out)
}

trait JavaRound {
    fn java_round(self) -> Option<i128>;
}

impl JavaRound for f64 {
    /// Java's `Math.round(double)`: floor(x + 0.5), saturating to a `long`.
    fn java_round(self) -> Option<i128> {
        (!self.is_nan()).then(|| i128::from((self + 0.5).floor() as i64))
    }
}
