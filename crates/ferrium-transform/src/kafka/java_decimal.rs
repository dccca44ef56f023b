//! Numbers written as Java's `new BigDecimal(String)` reads them (`-1.5`, `.5`, `2e3`),
//! and the conversions Connect's `Values.convertTo…` applies to them: Java's narrowing
//! `longValue()` (truncating, keeping the low bits), `doubleValue()`, and the unscaled
//! form at a `Decimal` schema's scale.

use ferrium_event::logical::decimal::unscaled_bytes;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JavaDecimal {
    negative: bool,
    /// Every digit of the unscaled value, leading zeros included.
    digits: String,
    /// Digits after the point less the exponent (`BigDecimal.scale()`).
    scale: i64,
}

impl JavaDecimal {
    pub(super) fn parse(text: &str) -> Option<JavaDecimal> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                // BigDecimal refuses exponents beyond an int.
                i32::try_from(e.parse::<i64>().ok()?).ok()?.into()
            }
        };
        Some(JavaDecimal {
            negative,
            digits: format!("{int}{frac}"),
            scale: frac.len() as i64 - exponent,
        })
    }

    /// `BigDecimal.longValue()`: the integer part, modulo 2^64.
    pub(super) fn long_value(&self) -> i64 {
        let digits = self.digits.as_bytes();
        let (kept, zeros) = if self.scale >= 0 {
            let cut = usize::try_from(self.scale).unwrap_or(usize::MAX);
            (&digits[..digits.len().saturating_sub(cut)], 0)
        } else {
            // 10^64 is a multiple of 2^64: more zeros change nothing.
            (digits, self.scale.unsigned_abs().min(64))
        };
        let mut v: u64 = 0;
        for &d in kept {
            v = v.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        }
        for _ in 0..zeros {
            v = v.wrapping_mul(10);
        }
        let v = v as i64;
        if self.negative {
            v.wrapping_neg()
        } else {
            v
        }
    }

    /// `BigDecimal.doubleValue()`.
    pub(super) fn double_value(&self) -> f64 {
        let text = format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            if self.digits.is_empty() {
                "0"
            } else {
                &self.digits
            },
            -self.scale
        );
        text.parse().unwrap_or(f64::NAN)
    }

    /// The unscaled big-endian two's complement at exactly `scale`, when no digit is lost.
    pub(super) fn unscaled_at(&self, scale: i32) -> Option<Vec<u8>> {
        let target = i64::from(scale);
        let digits = self.digits.as_bytes();
        if self.scale <= target {
            let zeros = usize::try_from(target - self.scale).ok()?;
            return Some(unscaled_bytes(self.negative, &[digits], zeros));
        }
        let drop = usize::try_from(self.scale - target).ok()?;
        let keep = digits.len().saturating_sub(drop);
        if digits[keep..].iter().any(|&d| d != b'0') {
            return None;
        }
        Some(unscaled_bytes(self.negative, &[&digits[..keep]], 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_big_decimal_parses() {
        for ok in ["123", "-1.5", "+2", ".5", "5.", "1e3", "1E-2", "0.000"] {
            assert!(JavaDecimal::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "foo", "1.2.3", "e5", "1e", "1e+", " 1", "NaN", "1_000", "--1",
        ] {
            assert!(JavaDecimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn long_value_truncates_and_wraps_like_java() {
        let long = |s: &str| JavaDecimal::parse(s).unwrap().long_value();
        assert_eq!(long("123"), 123);
        assert_eq!(long("123.99"), 123);
        assert_eq!(long("-123.99"), -123);
        assert_eq!(long("1.5e2"), 150);
        assert_eq!(long("0.001"), 0);
        // 2^64 + 5 keeps its low 64 bits.
        assert_eq!(long("18446744073709551621"), 5);
        assert_eq!(long("1e100"), 0);
        // Java's (int) cast of the long then keeps 32 bits.
        assert_eq!(long("4294967297") as i32, 1);
    }

    #[test]
    fn double_value_and_unscaled() {
        assert_eq!(JavaDecimal::parse("123.0").unwrap().double_value(), 123.0);
        assert_eq!(JavaDecimal::parse("-2.5e-1").unwrap().double_value(), -0.25);
        let d = JavaDecimal::parse("123.4").unwrap();
        assert_eq!(d.unscaled_at(2), Some(vec![0x30, 0x34])); // 12340
        assert_eq!(d.unscaled_at(0), None);
        assert_eq!(
            JavaDecimal::parse("1.50").unwrap().unscaled_at(1),
            Some(vec![15])
        );
        assert_eq!(
            JavaDecimal::parse("-1").unwrap().unscaled_at(0),
            Some(vec![0xFF])
        );
        assert_eq!(
            JavaDecimal::parse("2e2").unwrap().unscaled_at(0),
            Some(vec![0, 200])
        );
    }
}
