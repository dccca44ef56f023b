//! NUMERIC and MONEY text to the unscaled big-endian two's-complement integers that Kafka's
//! `Decimal` and Debezium's `VariableScaleDecimal` carry (Java's `BigInteger.toByteArray`).
//!
//! Values up to 38 digits go through `i128`; longer ones (PostgreSQL allows 131072 digits
//! before the point) through a small base-2^32 routine, so no value is ever rejected for size.

/// A finite decimal as PostgreSQL prints it: `-`? digits (`.` digits)?, never an exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecimalText<'a> {
    pub negative: bool,
    pub int: &'a [u8],
    pub frac: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumericText<'a> {
    Finite(DecimalText<'a>),
    NaN,
    PosInf,
    NegInf,
}

pub(crate) fn parse_numeric(text: &str) -> Result<NumericText<'_>, &'static str> {
    match text {
        "NaN" => return Ok(NumericText::NaN),
        "Infinity" => return Ok(NumericText::PosInf),
        "-Infinity" => return Ok(NumericText::NegInf),
        _ => {}
    }
    parse_decimal(text).map(NumericText::Finite)
}

pub(crate) fn parse_decimal(text: &str) -> Result<DecimalText<'_>, &'static str> {
    let b = text.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let (int, frac) = match rest.iter().position(|&c| c == b'.') {
        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
        None => (rest, &rest[rest.len()..]),
    };
    if int.is_empty() && frac.is_empty() {
        return Err("not a decimal number");
    }
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return Err("not a decimal number");
    }
    Ok(DecimalText {
        negative,
        int,
        frac,
    })
}

/// The unscaled value of `d` at exactly `scale` fractional digits (Kafka `Decimal`).
///
/// Debezium calls `BigDecimal.setScale(scale)` without a rounding mode, which fails when
/// digits would be lost; the same holds here. PostgreSQL always prints a constrained
/// numeric at its declared scale, so this only trips on corrupted input.
pub(crate) fn unscaled_at_scale(d: &DecimalText<'_>, scale: i32) -> Result<Vec<u8>, &'static str> {
    if scale >= 0 {
        let scale = scale as usize;
        if d.frac.len() <= scale {
            return Ok(unscaled_bytes(
                d.negative,
                &[d.int, d.frac],
                scale - d.frac.len(),
            ));
        }
        let (kept, dropped) = d.frac.split_at(scale);
        if dropped.iter().any(|&c| c != b'0') {
            return Err("has more fractional digits than the column's scale");
        }
        return Ok(unscaled_bytes(d.negative, &[d.int, kept], 0));
    }
    // A negative scale (PostgreSQL 15+) drops trailing integer zeros.
    let drop = scale.unsigned_abs() as usize;
    if d.frac.iter().any(|&c| c != b'0') {
        return Err("has fractional digits but the column's scale is negative");
    }
    let int = d.int;
    if int.len() <= drop {
        if int.iter().any(|&c| c != b'0') {
            return Err("is not a multiple of the column's negative scale");
        }
        return Ok(vec![0]);
    }
    let (kept, dropped) = int.split_at(int.len() - drop);
    if dropped.iter().any(|&c| c != b'0') {
        return Err("is not a multiple of the column's negative scale");
    }
    Ok(unscaled_bytes(d.negative, &[kept], 0))
}

/// `(scale, unscaled)` as Debezium builds a `VariableScaleDecimal`: it strips trailing
/// zeros, and clamps a negative resulting scale back to 0 (so `100` stays scale 0).
pub(crate) fn variable_scale(d: &DecimalText<'_>) -> (i32, Vec<u8>) {
    let kept = d.frac.len() - d.frac.iter().rev().take_while(|&&c| c == b'0').count();
    let frac = &d.frac[..kept];
    (
        frac.len() as i32,
        unscaled_bytes(d.negative, &[d.int, frac], 0),
    )
}

/// Minimal big-endian two's complement of ±(digits of `parts` followed by `zeros` zeros).
pub(crate) fn unscaled_bytes(negative: bool, parts: &[&[u8]], zeros: usize) -> Vec<u8> {
    let digits: usize = parts.iter().map(|p| p.len()).sum::<usize>() + zeros;
    if digits <= 38 {
        // 10^38 - 1 < 2^127, so the magnitude always fits a positive i128.
        let mut v: i128 = 0;
        for part in parts {
            for &c in *part {
                v = v * 10 + i128::from(c - b'0');
            }
        }
        for _ in 0..zeros {
            v *= 10;
        }
        if negative {
            v = -v;
        }
        return minimal_twos_complement(&v.to_be_bytes());
    }
    big_unscaled_bytes(negative, parts, zeros)
}

fn big_unscaled_bytes(negative: bool, parts: &[&[u8]], zeros: usize) -> Vec<u8> {
    // Little-endian base-2^32 limbs; multiply-add by 10 per digit. Quadratic, but only
    // reached for values beyond 38 digits, which are rare.
    let mut limbs: Vec<u32> = Vec::new();
    let mut push_digit = |d: u32| {
        let mut carry = u64::from(d);
        for limb in limbs.iter_mut() {
            let t = u64::from(*limb) * 10 + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
    };
    for part in parts {
        for &c in *part {
            push_digit(u32::from(c - b'0'));
        }
    }
    for _ in 0..zeros {
        push_digit(0);
    }
    // One spare leading zero byte so the sign bit of a positive value is clear and a
    // negation has room.
    let mut bytes = Vec::with_capacity(limbs.len() * 4 + 1);
    bytes.push(0u8);
    for limb in limbs.iter().rev() {
        bytes.extend_from_slice(&limb.to_be_bytes());
    }
    if negative {
        for b in bytes.iter_mut() {
            *b = !*b;
        }
        for b in bytes.iter_mut().rev() {
            let (v, overflow) = b.overflowing_add(1);
            *b = v;
            if !overflow {
                break;
            }
        }
    }
    minimal_twos_complement(&bytes)
}

/// Drops sign-extension bytes, keeping at least one byte, as `BigInteger.toByteArray` does.
fn minimal_twos_complement(bytes: &[u8]) -> Vec<u8> {
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0x00 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// A money value with its currency symbol and grouping removed, e.g. `-1234.50`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MoneyText {
    /// `-`? digits (`.` digits)?
    plain: String,
}

impl MoneyText {
    /// Follows Debezium's `PostgresMoney.parse`: a leading `-` or `(…)` means negative,
    /// one leading currency character is dropped, grouping commas are removed. Only the
    /// `C`/`en_US` style of `lc_monetary` (`$1,234.50`, `-$1,234.50`) is understood.
    pub(crate) fn parse(text: &str) -> Result<MoneyText, &'static str> {
        let mut s = text;
        let mut negative = false;
        if let Some(rest) = s.strip_prefix('-') {
            negative = true;
            s = rest;
        } else if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            negative = true;
            s = inner;
        }
        if let Some(first) = s.chars().next() {
            if !first.is_ascii_digit() && first != '.' {
                s = &s[first.len_utf8()..];
            }
        }
        let mut plain = String::with_capacity(s.len() + 1);
        if negative {
            plain.push('-');
        }
        plain.extend(s.chars().filter(|&c| c != ','));
        parse_decimal(&plain).map_err(|_| "not a money amount")?;
        Ok(MoneyText { plain })
    }

    pub(crate) fn decimal(&self) -> DecimalText<'_> {
        // Validated in `parse`.
        parse_decimal(&self.plain).unwrap_or(DecimalText {
            negative: false,
            int: b"0",
            frac: b"",
        })
    }

    /// `BigDecimal.toPlainString()` of the amount: no negative zero, no leading zeros.
    pub(crate) fn plain_string(&self) -> String {
        let d = self.decimal();
        let int_start = d.int.iter().position(|&c| c != b'0').unwrap_or(d.int.len());
        let int = &d.int[int_start..];
        let is_zero = int.is_empty() && d.frac.iter().all(|&c| c == b'0');
        let mut out = String::with_capacity(self.plain.len());
        if d.negative && !is_zero {
            out.push('-');
        }
        if int.is_empty() {
            out.push('0');
        } else {
            out.push_str(ascii(int));
        }
        if !d.frac.is_empty() {
            out.push('.');
            out.push_str(ascii(d.frac));
        }
        out
    }

    pub(crate) fn to_f64(&self) -> f64 {
        self.plain.parse::<f64>().unwrap_or(f64::NAN)
    }

    /// The unscaled amount at `scale` digits, rounding half away from zero
    /// (`BigDecimal.setScale(scale, HALF_UP)`).
    pub(crate) fn unscaled_half_up(&self, scale: u32) -> Vec<u8> {
        let d = self.decimal();
        let scale = scale as usize;
        if d.frac.len() <= scale {
            return unscaled_bytes(d.negative, &[d.int, d.frac], scale - d.frac.len());
        }
        let mut digits: Vec<u8> = Vec::with_capacity(d.int.len() + scale + 1);
        digits.extend_from_slice(d.int);
        digits.extend_from_slice(&d.frac[..scale]);
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
        unscaled_bytes(d.negative, &[&digits], 0)
    }
}

fn ascii(bytes: &[u8]) -> &str {
    // Only ever called on validated ASCII digits.
    std::str::from_utf8(bytes).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_scale(text: &str, scale: i32) -> Vec<u8> {
        let d = parse_decimal(text).unwrap();
        unscaled_at_scale(&d, scale).unwrap()
    }

    #[test]
    fn rescales_to_the_column_scale() {
        // The worked example: 1234.50 at scale 2 → 123450 = 0x01E23A ("AeI6").
        assert_eq!(at_scale("1234.50", 2), vec![0x01, 0xE2, 0x3A]);
        assert_eq!(at_scale("1234.5", 2), vec![0x01, 0xE2, 0x3A]);
        assert_eq!(at_scale("1000.00", 2), vec![0x01, 0x86, 0xA0]);
        assert_eq!(at_scale("-0.01", 2), vec![0xFF]);
        assert_eq!(at_scale("0", 2), vec![0x00]);
        assert_eq!(at_scale("0.00", 2), vec![0x00]);
        // 1.28 → 128 needs a sign byte; -1.28 → -128 does not; -1.29 → -129 does.
        assert_eq!(at_scale("1.28", 2), vec![0x00, 0x80]);
        assert_eq!(at_scale("-1.28", 2), vec![0x80]);
        assert_eq!(at_scale("-1.29", 2), vec![0xFF, 0x7F]);
        assert_eq!(at_scale("1.500", 2), vec![0x00, 0x96]);
    }

    #[test]
    fn refuses_to_drop_significant_digits() {
        let d = parse_decimal("1.234").unwrap();
        assert!(unscaled_at_scale(&d, 2).is_err());
    }

    #[test]
    fn negative_scale_divides_out_trailing_zeros() {
        assert_eq!(at_scale("12300", -2), vec![123]);
        assert_eq!(at_scale("0", -2), vec![0]);
        assert!(unscaled_at_scale(&parse_decimal("12345").unwrap(), -2).is_err());
    }

    #[test]
    fn big_values_match_the_i128_path_and_twos_complement() {
        // 10^38 (39 digits) = 0x4B3B4CA85A86C47A098A224000000000.
        let expected = vec![
            0x4B, 0x3B, 0x4C, 0xA8, 0x5A, 0x86, 0xC4, 0x7A, 0x09, 0x8A, 0x22, 0x40, 0x00, 0x00,
            0x00, 0x00,
        ];
        let ten_38 = format!("1{}", "0".repeat(38));
        assert_eq!(at_scale(&ten_38, 0), expected);
        // -(10^38): invert + 1 of the magnitude above.
        let neg = at_scale(&format!("-{ten_38}"), 0);
        assert_eq!(
            neg,
            vec![
                0xB4, 0xC4, 0xB3, 0x57, 0xA5, 0x79, 0x3B, 0x85, 0xF6, 0x75, 0xDD, 0xC0, 0x00, 0x00,
                0x00, 0x00
            ]
        );
        // 2^128 = 340282366920938463463374607431768211456 needs a leading 0x01 byte.
        let two_128 = at_scale("340282366920938463463374607431768211456", 0);
        let mut want = vec![0x01];
        want.extend([0u8; 16]);
        assert_eq!(two_128, want);
        // -(2^127) fits exactly in 16 bytes: 0x80 followed by zeros.
        let neg_2_127 = at_scale("-170141183460469231731687303715884105728", 0);
        let mut want = vec![0x80];
        want.extend([0u8; 15]);
        assert_eq!(neg_2_127, want);
        // Same value through both paths: 38 digits (i128) and 39 digits with a leading zero (big).
        let nines = "9".repeat(38);
        assert_eq!(
            unscaled_bytes(true, &[nines.as_bytes()], 0),
            big_unscaled_bytes(true, &[nines.as_bytes()], 0)
        );
    }

    #[test]
    fn variable_scale_strips_trailing_zeros_like_debezium() {
        let vs = |t: &str| variable_scale(&parse_decimal(t).unwrap());
        assert_eq!(vs("1.50"), (1, vec![15]));
        assert_eq!(vs("100"), (0, vec![100]));
        assert_eq!(vs("0.000"), (0, vec![0]));
        assert_eq!(vs("-0.010"), (2, vec![0xFF]));
        assert_eq!(vs("123.456"), (3, vec![0x01, 0xE2, 0x40]));
    }

    #[test]
    fn parses_special_numeric_values() {
        assert_eq!(parse_numeric("NaN").unwrap(), NumericText::NaN);
        assert_eq!(parse_numeric("Infinity").unwrap(), NumericText::PosInf);
        assert_eq!(parse_numeric("-Infinity").unwrap(), NumericText::NegInf);
        assert!(parse_numeric("1e5").is_err());
        assert!(parse_numeric("").is_err());
        assert!(parse_numeric("-").is_err());
    }

    #[test]
    fn money_follows_postgres_money_parse() {
        let m = MoneyText::parse("$1,234.50").unwrap();
        assert_eq!(m.plain_string(), "1234.50");
        assert_eq!(m.unscaled_half_up(2), vec![0x01, 0xE2, 0x3A]);
        assert_eq!(m.to_f64(), 1234.5);
        let neg = MoneyText::parse("-$1,234.50").unwrap();
        assert_eq!(neg.plain_string(), "-1234.50");
        assert_eq!(neg.unscaled_half_up(2), at_scale("-1234.50", 2));
        let paren = MoneyText::parse("($0.99)").unwrap();
        assert_eq!(paren.plain_string(), "-0.99");
        // HALF_UP to fewer digits rounds ties away from zero.
        assert_eq!(m.unscaled_half_up(0), at_scale("1235", 0));
        assert_eq!(neg.unscaled_half_up(0), at_scale("-1235", 0));
        assert_eq!(
            MoneyText::parse("$9.99").unwrap().unscaled_half_up(1),
            at_scale("10.0", 1)
        );
        assert_eq!(
            MoneyText::parse("$1.24").unwrap().unscaled_half_up(1),
            at_scale("1.2", 1)
        );
        // More digits than printed pads with zeros.
        assert_eq!(m.unscaled_half_up(4), at_scale("1234.5000", 4));
        assert_eq!(MoneyText::parse("-$0.00").unwrap().plain_string(), "0.00");
        assert!(MoneyText::parse("abc").is_err());
    }
}
