//! Java's `toString` of Connect values, as Kafka's `Cast` writes them: `Double` /
//! `Float.toString`, a Connect `Decimal` (unscaled two's-complement bytes and a scale) as
//! `BigDecimal` with its `toString` and `Number` narrowing, and `Values.dateFormatFor`.
//! (`java_decimal` reads decimals from text; this reads them from a `Decimal`'s bytes.)

use chrono::DateTime;

pub(super) const MILLIS_PER_DAY: i64 = 86_400_000;

/// `Double.toString`: plain notation in [1e-3, 1e7), otherwise `d.dddE±n`; always a
/// digit after the point. Rust's shortest round-trip digits are the JDK 19+ digits.
pub(super) fn double_to_string(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .into();
    }
    java_float_text(
        &format!("{value:e}"),
        value.abs() >= 1e-3 && value.abs() < 1e7,
    )
}

/// `Float.toString`, with the float's own shortest digits.
pub(super) fn float_to_string(value: f32) -> String {
    if value.is_nan() || value.is_infinite() || value == 0.0 {
        return double_to_string(f64::from(value));
    }
    java_float_text(
        &format!("{value:e}"),
        value.abs() >= 1e-3 && value.abs() < 1e7,
    )
}

/// Rewrites Rust's `-d.ddde-n` into Java's form.
fn java_float_text(scientific: &str, plain: bool) -> String {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !plain {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        return format!("{sign}{first}.{rest}E{exponent}");
    }
    // Position of the decimal point within `digits`.
    let point = exponent + 1;
    if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        format!("{sign}0.{zeros}{digits}")
    } else {
        let point = point as usize;
        if digits.len() > point {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        } else {
            format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
        }
    }
}

/// A Connect `Decimal` value as Java's `BigDecimal`: sign, magnitude digits and scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConnectDecimal {
    negative: bool,
    /// Decimal digits of the unscaled magnitude, without leading zeros ("0" for zero).
    digits: String,
    scale: i32,
}

impl ConnectDecimal {
    /// From `Decimal`'s unscaled big-endian two's-complement bytes.
    pub(super) fn from_unscaled(bytes: &[u8], scale: i32) -> Result<Self, String> {
        let Some(&first) = bytes.first() else {
            return Err("Zero length BigInteger".into());
        };
        let negative = first & 0x80 != 0;
        let mut magnitude = bytes.to_vec();
        if negative {
            // Two's complement negation: invert and add one.
            for b in magnitude.iter_mut() {
                *b = !*b;
            }
            for b in magnitude.iter_mut().rev() {
                let (sum, carry) = b.overflowing_add(1);
                *b = sum;
                if !carry {
                    break;
                }
            }
        }
        Ok(ConnectDecimal {
            negative,
            digits: decimal_digits(magnitude),
            scale,
        })
    }

    /// `BigDecimal.toString`: plain unless the scale is negative or the adjusted exponent
    /// is below -6.
    pub(super) fn to_java_string(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let len = self.digits.len() as i64;
        let scale = i64::from(self.scale);
        let adjusted = -scale + (len - 1);
        if scale == 0 {
            return format!("{sign}{}", self.digits);
        }
        if scale > 0 && adjusted >= -6 {
            return if len > scale {
                let point = (len - scale) as usize;
                format!("{sign}{}.{}", &self.digits[..point], &self.digits[point..])
            } else {
                let zeros = "0".repeat((scale - len) as usize);
                format!("{sign}0.{zeros}{}", self.digits)
            };
        }
        let (first, rest) = self.digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exponent_sign = if adjusted > 0 { "+" } else { "" };
        format!("{sign}{first}{point}{rest}E{exponent_sign}{adjusted}")
    }

    /// `BigDecimal.longValue()`: the integer part, truncated toward zero, to its low 64 bits.
    pub(super) fn low_bits(&self) -> i64 {
        let integer_digits: &str;
        let extra_zeros: usize;
        if self.scale >= 0 {
            let keep = self.digits.len().saturating_sub(self.scale as usize);
            integer_digits = &self.digits[..keep];
            extra_zeros = 0;
        } else {
            integer_digits = &self.digits;
            // 10^64 is a multiple of 2^64: more zeros leave the low bits at zero.
            extra_zeros = (self.scale.unsigned_abs() as usize).min(64);
        }
        let mut low: u64 = 0;
        for d in integer_digits.bytes() {
            low = low.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        }
        for _ in 0..extra_zeros {
            low = low.wrapping_mul(10);
        }
        let low = low as i64;
        if self.negative {
            low.wrapping_neg()
        } else {
            low
        }
    }

    /// `BigDecimal.doubleValue()`, correctly rounded.
    pub(super) fn to_f64(&self) -> f64 {
        self.scientific().parse().unwrap_or(f64::NAN)
    }

    /// `BigDecimal.floatValue()`, correctly rounded.
    pub(super) fn to_f32(&self) -> f32 {
        self.scientific().parse().unwrap_or(f32::NAN)
    }

    fn scientific(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}{}e{}", self.digits, -i64::from(self.scale))
    }
}

/// The decimal digits of a big-endian unsigned magnitude.
fn decimal_digits(mut magnitude: Vec<u8>) -> String {
    let mut chunks: Vec<u32> = Vec::new();
    while magnitude.iter().any(|&b| b != 0) {
        // One long division by 10^9 per chunk of nine digits.
        let mut remainder: u64 = 0;
        for b in magnitude.iter_mut() {
            let current = (remainder << 8) | u64::from(*b);
            *b = (current / 1_000_000_000) as u8;
            remainder = current % 1_000_000_000;
        }
        chunks.push(remainder as u32);
    }
    let Some((most, rest)) = chunks.split_last() else {
        return "0".into();
    };
    let mut text = most.to_string();
    for chunk in rest.iter().rev() {
        text.push_str(&format!("{chunk:09}"));
    }
    text
}

/// `Values.dateFormatFor(date).format(date)` in UTC: a time before the first day
/// (negatives included), a date at midnight, else a timestamp.
pub(super) fn java_date_text(epoch_millis: i64) -> String {
    let Some(t) = DateTime::from_timestamp_millis(epoch_millis) else {
        return epoch_millis.to_string();
    };
    if epoch_millis < MILLIS_PER_DAY {
        t.format("%H:%M:%S%.3fZ").to_string()
    } else if epoch_millis % MILLIS_PER_DAY == 0 {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_prints_them() {
        for (v, text) in [
            (1.0, "1.0"),
            (-64.0, "-64.0"),
            (42.125, "42.125"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (9.223372036854776E18, "9.223372036854776E18"),
            (1.5e-10, "1.5E-10"),
            (100.0, "100.0"),
            (0.1, "0.1"),
        ] {
            assert_eq!(double_to_string(v), text, "{v}");
        }
        assert_eq!(double_to_string(f64::NAN), "NaN");
        assert_eq!(double_to_string(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double_to_string(-0.0), "-0.0");
        assert_eq!(float_to_string(32.0), "32.0");
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(1.0e10), "1.0E10");
    }

    #[test]
    fn decimals_follow_big_decimal() {
        let d = |unscaled: i128, scale| {
            let bytes = unscaled.to_be_bytes();
            ConnectDecimal::from_unscaled(&bytes, scale).unwrap()
        };
        assert_eq!(d(42, 0).to_java_string(), "42");
        assert_eq!(d(-12345, 2).to_java_string(), "-123.45");
        assert_eq!(d(5, 3).to_java_string(), "0.005");
        assert_eq!(d(5, 7).to_java_string(), "5E-7");
        assert_eq!(d(123, 9).to_java_string(), "1.23E-7");
        assert_eq!(d(12, -3).to_java_string(), "1.2E+4");
        assert_eq!(d(0, 2).to_java_string(), "0.00");
        assert_eq!(d(1 << 31, 0).low_bits() as i32, i32::MIN);
        assert_eq!(d(-12345, 2).low_bits(), -123);
        assert_eq!(d(-12345, 2).to_f64(), -123.45);
        assert_eq!(d(7, -2).low_bits(), 700);
        assert!(ConnectDecimal::from_unscaled(&[], 0).is_err());
        let big = ConnectDecimal::from_unscaled(
            &[0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            0,
        )
        .unwrap();
        assert_eq!(
            big.to_java_string(),
            "340282366920938463463374607431768211456"
        );
    }

    #[test]
    fn dates_print_as_values_date_format_for() {
        assert_eq!(java_date_text(MILLIS_PER_DAY), "1970-01-02");
        assert_eq!(java_date_text(3_600_000), "01:00:00.000Z");
        assert_eq!(
            java_date_text(MILLIS_PER_DAY + 1),
            "1970-01-02T00:00:00.001Z"
        );
    }
}
