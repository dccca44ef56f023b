//! Decimal numbers from their text, exactly: a JSON number read into a Connect
//! `Decimal` of a given scale (`decimal.format=NUMERIC`), and header values that are
//! integers too wide for an `int64`. Through `num-bigint` so any width is exact, as
//! Java's `BigDecimal` is.

use num_bigint::BigInt;

/// The longest exponent accepted: wider ones would only make huge numbers of zeros.
const MAX_EXPONENT: i64 = 10_000;

/// `unscaled × 10^-scale`, as `BigDecimal` holds a number.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BigDecimal {
    pub unscaled: BigInt,
    pub scale: i64,
}

impl BigDecimal {
    /// A number in JSON's syntax (`-12.50`, `1e3`, `+7` too): `None` if it is not one.
    pub fn parse(text: &str) -> Option<BigDecimal> {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.as_bytes().first()? {
            b'-' => (true, &mantissa[1..]),
            b'+' => (false, &mantissa[1..]),
            _ => (false, mantissa),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || exponent.abs() > MAX_EXPONENT
        {
            return None;
        }
        let mut all = String::with_capacity(int.len() + frac.len() + 1);
        if negative {
            all.push('-');
        }
        all.push_str(int);
        all.push_str(frac);
        let unscaled = BigInt::parse_bytes(all.as_bytes(), 10)?;
        Some(BigDecimal {
            unscaled,
            scale: frac.len() as i64 - exponent,
        })
    }

    /// The unscaled value at `scale`; `None` when digits would be lost.
    pub fn at_scale(&self, scale: i64) -> Option<BigInt> {
        if scale >= self.scale {
            let shift = u32::try_from(scale - self.scale).ok()?;
            if i64::from(shift) > MAX_EXPONENT {
                return None;
            }
            Some(&self.unscaled * BigInt::from(10).pow(shift))
        } else {
            let shift = u32::try_from(self.scale - scale).ok()?;
            if i64::from(shift) > MAX_EXPONENT {
                return None;
            }
            let divisor = BigInt::from(10).pow(shift);
            let remainder = &self.unscaled % &divisor;
            (remainder == BigInt::from(0)).then(|| &self.unscaled / divisor)
        }
    }
}

/// A Connect `Decimal` value of `scale` from a JSON number's text: the unscaled value
/// in big-endian two's complement, as `BigInteger.toByteArray` writes it.
pub(crate) fn decimal_bytes(text: &str, scale: i64) -> Result<Vec<u8>, String> {
    let number = BigDecimal::parse(text).ok_or_else(|| format!("'{text}' is not a number"))?;
    let unscaled = number.at_scale(scale).ok_or_else(|| {
        format!("the decimal {text} has more fractional digits than the schema's scale {scale}")
    })?;
    Ok(unscaled.to_signed_bytes_be())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rescaled_exactly_or_refused() {
        assert_eq!(decimal_bytes("1.5", 2).unwrap(), vec![0x00, 0x96]);
        assert_eq!(decimal_bytes("-1.23", 2).unwrap(), vec![0x85]);
        assert_eq!(decimal_bytes("1.500", 1).unwrap(), vec![0x0F]);
        assert_eq!(decimal_bytes("1e2", 0).unwrap(), vec![100]);
        assert_eq!(decimal_bytes("0", 3).unwrap(), vec![0]);
        let wide = "123456789012345678901234567890.12";
        let bytes = decimal_bytes(wide, 2).unwrap();
        assert_eq!(
            BigInt::from_signed_bytes_be(&bytes).to_string(),
            "12345678901234567890123456789012"
        );
        assert!(decimal_bytes("1.234", 2).unwrap_err().contains("scale 2"));
        assert!(decimal_bytes("1.2.3", 2).is_err());
        assert!(decimal_bytes("", 2).is_err());
        assert!(decimal_bytes("1e99999", 2).is_err());
    }
}
