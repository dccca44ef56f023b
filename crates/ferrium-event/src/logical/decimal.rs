//! Decimal text to the unscaled big-endian two's-complement integers that Kafka's `Decimal`
//! and Debezium's `VariableScaleDecimal` carry (Java's `BigInteger.toByteArray`), and to
//! `BigDecimal.toPlainString()` text.
//!
//! Values up to 38 digits go through `i128`; longer ones through a small base-2^32 routine,
//! so no value is ever rejected for size.

/// A finite decimal in plain notation: `-`? digits (`.` digits)?, never an exponent
/// (how both PostgreSQL and MySQL print their decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalText<'a> {
    pub negative: bool,
    pub int: &'a [u8],
    pub frac: &'a [u8],
}

pub fn parse_decimal(text: &str) -> Result<DecimalText<'_>, &'static str> {
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
/// digits would be lost; the same holds here. Databases print a constrained decimal at its
/// declared scale, so this only trips on corrupted input.
pub fn unscaled_at_scale(d: &DecimalText<'_>, scale: i32) -> Result<Vec<u8>, &'static str> {
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
pub fn variable_scale(d: &DecimalText<'_>) -> (i32, Vec<u8>) {
    let kept = d.frac.len() - d.frac.iter().rev().take_while(|&&c| c == b'0').count();
    let frac = &d.frac[..kept];
    (
        frac.len() as i32,
        unscaled_bytes(d.negative, &[d.int, frac], 0),
    )
}

/// Minimal big-endian two's complement of ±(digits of `parts` followed by `zeros` zeros).
pub fn unscaled_bytes(negative: bool, parts: &[&[u8]], zeros: usize) -> Vec<u8> {
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

pub fn big_unscaled_bytes(negative: bool, parts: &[&[u8]], zeros: usize) -> Vec<u8> {
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
pub fn minimal_twos_complement(bytes: &[u8]) -> Vec<u8> {
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

/// `BigDecimal.toPlainString()` of `d` at `scale` fractional digits (`None`: as written):
/// no leading zeros, no negative zero, fraction padded with zeros to the scale.
pub fn plain_string(d: &DecimalText<'_>, scale: Option<usize>) -> String {
    let int_start = d.int.iter().position(|&c| c != b'0').unwrap_or(d.int.len());
    let int = &d.int[int_start..];
    let frac_len = scale.map_or(d.frac.len(), |s| s.max(d.frac.len()));
    let is_zero = int.is_empty() && d.frac.iter().all(|&c| c == b'0');
    let mut out = String::with_capacity(int.len() + frac_len + 3);
    if d.negative && !is_zero {
        out.push('-');
    }
    if int.is_empty() {
        out.push('0');
    } else {
        out.extend(int.iter().map(|&c| c as char));
    }
    if frac_len > 0 {
        out.push('.');
        out.extend(d.frac.iter().map(|&c| c as char));
        out.extend(std::iter::repeat_n('0', frac_len - d.frac.len()));
    }
    out
}

/// The plain decimal text (`BigDecimal.toPlainString()`) of a Kafka `Decimal`: the
/// unscaled big-endian two's-complement integer and its scale. The inverse of
/// [`unscaled_at_scale`], for sinks that write the number back into a database.
pub fn unscaled_to_plain(unscaled: &[u8], scale: i32) -> String {
    let negative = unscaled.first().is_some_and(|b| b & 0x80 != 0);
    let mut magnitude = unscaled.to_vec();
    if negative {
        // Two's complement negation: invert, then add one.
        for b in magnitude.iter_mut() {
            *b = !*b;
        }
        for b in magnitude.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    let digits = magnitude_digits(&magnitude);
    let is_zero = digits == "0";
    let mut out = String::with_capacity(digits.len() + 3);
    if negative && !is_zero {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(&digits);
        if !is_zero {
            out.extend(std::iter::repeat_n('0', scale.unsigned_abs() as usize));
        }
        return out;
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(&digits);
    }
    out
}

/// Decimal digits of an unsigned big-endian integer ("0" for zero).
fn magnitude_digits(bytes: &[u8]) -> String {
    if bytes.len() <= 16 {
        let mut v: u128 = 0;
        for &b in bytes {
            v = (v << 8) | u128::from(b);
        }
        return v.to_string();
    }
    // Repeated division by 10^9 over big-endian base-256 digits: quadratic, but only
    // for values beyond 38 digits.
    let mut number = bytes.to_vec();
    let mut chunks: Vec<u32> = Vec::new();
    while number.iter().any(|&b| b != 0) {
        let mut remainder: u64 = 0;
        for b in number.iter_mut() {
            let acc = (remainder << 8) | u64::from(*b);
            *b = (acc / 1_000_000_000) as u8;
            remainder = acc % 1_000_000_000;
        }
        chunks.push(remainder as u32);
    }
    let Some((last, rest)) = chunks.split_last() else {
        return "0".into();
    };
    let mut out = last.to_string();
    for chunk in rest.iter().rev() {
        out.push_str(&format!("{chunk:09}"));
    }
    out
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
    fn plain_string_matches_big_decimal() {
        let ps = |t: &str, s| plain_string(&parse_decimal(t).unwrap(), s);
        assert_eq!(ps("-0.00", None), "0.00");
        assert_eq!(ps("007.5", Some(3)), "7.500");
        assert_eq!(ps(".5", None), "0.5");
        assert_eq!(ps("-12", Some(0)), "-12");
        assert_eq!(ps("+1.25", Some(2)), "1.25");
    }

    #[test]
    fn rejects_non_decimals() {
        assert!(parse_decimal("1e5").is_err());
        assert!(parse_decimal("").is_err());
        assert!(parse_decimal("-").is_err());
        assert!(parse_decimal("1.2.3").is_err());
    }

    #[test]
    fn unscaled_back_to_plain_text() {
        for (text, scale) in [
            ("0.00", 2),
            ("-1.50", 2),
            ("12345678901234567890123456789012345678901234.5", 1),
            ("-0.001", 3),
            ("100", 0),
            ("-99999999999999999999999999999999999999999.999", 3),
        ] {
            let bytes = unscaled_at_scale(&parse_decimal(text).unwrap(), scale).unwrap();
            assert_eq!(unscaled_to_plain(&bytes, scale), text);
        }
        assert_eq!(unscaled_to_plain(&[0x01], -2), "100");
        assert_eq!(unscaled_to_plain(&[0xff], 0), "-1");
    }
}
