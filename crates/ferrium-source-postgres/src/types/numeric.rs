//! NUMERIC and MONEY text: PostgreSQL's special values and money formatting on top of the
//! shared decimal encoding in `ferrium_event::logical::decimal` (which handles values of
//! any size, as PostgreSQL allows 131072 digits before the point).

pub(crate) use ferrium_event::logical::decimal::{parse_decimal, unscaled_bytes, DecimalText};

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
        ferrium_event::logical::decimal::plain_string(&self.decimal(), None)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at_scale(text: &str, scale: i32) -> Vec<u8> {
        let d = parse_decimal(text).unwrap();
        ferrium_event::logical::decimal::unscaled_at_scale(&d, scale).unwrap()
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
