//! How Debezium's JSON formatter (`JsonStringFormatter.value(double)`) writes a double:
//! `Double.toString` when that is plain notation, otherwise `new BigDecimal(d)
//! .toPlainString()`, the exact binary value in decimal (`1.0E20` becomes
//! `100000000000000000000`, `1.0E-7` its full 0.0000000999… expansion).

/// The JSON text Debezium writes for `v` (finite; JSON has no NaN or infinity).
pub(crate) fn json_double(v: f64) -> String {
    let abs = v.abs();
    if v == 0.0 || (1e-3..1e7).contains(&abs) {
        // Java 19+ `Double.toString` and Rust's `Display` both print the shortest decimal
        // that reads back as `v`; Java always keeps one fractional digit.
        let mut s = format!("{v}");
        if !s.contains('.') {
            s.push_str(".0");
        }
        return s;
    }
    exact_plain(v)
}

/// `new BigDecimal(v).toPlainString()`: the exact value, with the smallest scale that
/// keeps it an integer multiple of 10^-scale.
fn exact_plain(v: f64) -> String {
    let bits = v.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7FF) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut mantissa, mut exp) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if mantissa == 0 {
        return "0".to_string();
    }
    while exp < 0 && mantissa & 1 == 0 {
        mantissa >>= 1;
        exp += 1;
    }
    let mut n = BigDec::from_u64(mantissa);
    let scale = if exp >= 0 {
        let mut left = exp;
        while left > 0 {
            let step = left.min(29);
            n.mul_small(1u32 << step);
            left -= step;
        }
        0
    } else {
        // m·2^-k = m·5^k / 10^k
        let k = -exp;
        let mut left = k;
        while left > 0 {
            let step = left.min(13);
            n.mul_small(5u32.pow(step as u32));
            left -= step;
        }
        k as usize
    };
    let digits = n.to_decimal();
    let mut out = String::with_capacity(digits.len() + scale + 3);
    if negative {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&digits);
    } else if digits.len() > scale {
        let (int, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(fraction);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(&digits);
    }
    out
}

/// A non-negative integer in base-10^9 limbs, least significant first.
struct BigDec(Vec<u32>);

const LIMB: u64 = 1_000_000_000;

impl BigDec {
    fn from_u64(v: u64) -> BigDec {
        let mut limbs = Vec::new();
        let mut v = v;
        while v > 0 {
            limbs.push((v % LIMB) as u32);
            v /= LIMB;
        }
        BigDec(limbs)
    }

    fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in self.0.iter_mut() {
            let t = u64::from(*limb) * u64::from(factor) + carry;
            *limb = (t % LIMB) as u32;
            carry = t / LIMB;
        }
        while carry > 0 {
            self.0.push((carry % LIMB) as u32);
            carry /= LIMB;
        }
    }

    fn to_decimal(&self) -> String {
        let mut s = String::new();
        for (i, limb) in self.0.iter().rev().enumerate() {
            if i == 0 {
                s.push_str(&limb.to_string());
            } else {
                s.push_str(&format!("{limb:09}"));
            }
        }
        if s.is_empty() {
            s.push('0');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_range_uses_double_to_string() {
        assert_eq!(json_double(1.5), "1.5");
        assert_eq!(json_double(3.0), "3.0");
        assert_eq!(json_double(-0.0), "-0.0");
        assert_eq!(json_double(0.1), "0.1");
        assert_eq!(json_double(0.001), "0.001");
        assert_eq!(json_double(1234567.25), "1234567.25");
    }

    #[test]
    fn scientific_range_uses_exact_big_decimal() {
        assert_eq!(json_double(1e7), "10000000");
        assert_eq!(json_double(1e20), "100000000000000000000");
        assert_eq!(json_double(-2.5e10), "-25000000000");
        // new BigDecimal(1e-4) in Java.
        assert_eq!(
            json_double(1e-4),
            "0.000100000000000000004792173602385929598312941379845142364501953125"
        );
        assert_eq!(json_double(2f64.powi(-20)), "0.00000095367431640625");
        assert_eq!(json_double(1.7976931348623157e308).len(), 309);
    }
}
