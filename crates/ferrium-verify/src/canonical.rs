//! Canonical text of a value: the same logical value read from PostgreSQL and from
//! MariaDB/MySQL, in whichever type the copy holds it, gives the same text, so rows can
//! be compared by digest. The input is the text each server gives for a column (see
//! `sql.rs` for how it is selected); a text that does not parse as its family is kept
//! as it is, so it still compares equal only to the same text.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::family::{Canon, Family};

/// The canonical text of `text`, a value of a column of family `side`, compared as
/// `canon`.
pub fn canonical<'a>(side: Family, canon: Canon, text: &'a str) -> Cow<'a, str> {
    let parsed = match canon {
        Canon::Text => {
            return match side {
                Family::Text { padded: true } => Cow::Borrowed(text.trim_end_matches(' ')),
                _ => Cow::Borrowed(text),
            }
        }
        Canon::Bool => boolean(text).map(|b| b.to_string()),
        Canon::Int => integer(text).or_else(|| decimal(text)),
        Canon::Decimal => decimal(text),
        Canon::Float64 => text.trim().parse::<f64>().ok().map(float),
        Canon::Float32 => text.trim().parse::<f32>().ok().map(|f| float(f64::from(f))),
        Canon::Bytes => Some(bytes(text)),
        Canon::Bits => Some(bits(side, text)),
        Canon::Date => Some(text.trim().to_string()),
        Canon::Time => time(text),
        Canon::TimeTz => time_tz(text),
        Canon::Timestamp => timestamp(text),
        Canon::Interval => match side {
            Family::Interval | Family::Text { .. } | Family::Other => {
                // Compared as PostgreSQL's `=` compares intervals: a month is 30 days and
                // a day 24 hours, so '1 day 02:00' equals '26:00:00'.
                interval(text).map(|i| {
                    let days = i128::from(i.months) * 30 + i128::from(i.days);
                    format!("{}us", days * 86_400_000_000 + i128::from(i.micros))
                })
            }
            _ => None,
        },
        Canon::IntervalMicros => match side {
            Family::Interval => interval(text).map(|i| i.debezium_micros().to_string()),
            _ => integer(text),
        },
        Canon::Json => json(text),
        Canon::Uuid => Some(text.trim().to_ascii_lowercase()),
    };
    match parsed {
        Some(value) => Cow::Owned(value),
        None => Cow::Borrowed(text),
    }
}

fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" => Some(true),
        "f" | "false" | "n" | "no" | "off" => Some(false),
        // tinyint(1) and bit(1): any non-zero is true, as MySQL itself reads it.
        other => other.parse::<i128>().ok().map(|n| n != 0),
    }
}

fn integer(text: &str) -> Option<String> {
    text.trim().parse::<i128>().ok().map(|n| n.to_string())
}

/// A decimal by value: no sign on zero, no leading zeros, no trailing zeros after the
/// point (so `1.50` and `1.5` are one value), exponents expanded. By hand because the
/// value must stay exact and unbounded, which a float cannot and no parse-and-print of
/// a decimal crate guarantees for every scale.
pub fn decimal(text: &str) -> Option<String> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some("NaN".into()),
        "infinity" | "+infinity" | "inf" | "+inf" => return Some("Infinity".into()),
        "-infinity" | "-inf" => return Some("-Infinity".into()),
        _ => {}
    }
    let (negative, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], t[at + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // All digits, and where the point goes within them.
    let digits: String = format!("{int_part}{frac_part}");
    let point = i64::try_from(int_part.len()).ok()? + exponent;
    let (int_digits, frac_digits): (String, String) = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        (String::new(), "0".repeat(zeros) + &digits)
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= digits.len() {
            (
                digits.clone() + &"0".repeat(point - digits.len()),
                String::new(),
            )
        } else {
            (digits[..point].to_string(), digits[point..].to_string())
        }
    };
    let int_digits = int_digits.trim_start_matches('0');
    let frac_digits = frac_digits.trim_end_matches('0');
    let mut out = String::new();
    if negative && !(int_digits.is_empty() && frac_digits.is_empty()) {
        out.push('-');
    }
    out.push_str(if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    });
    if !frac_digits.is_empty() {
        out.push('.');
        out.push_str(frac_digits);
    }
    Some(out)
}

/// A float by value: the shortest text that reads back as the same number, in one
/// notation whatever the server printed (`1e+20`, `1e20`, `100000000000000000000`).
fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if value == 0.0 {
        // -0 equals 0.
        "0".into()
    } else {
        format!("{value:e}")
    }
}

fn bytes(text: &str) -> String {
    let t = text.trim();
    t.strip_prefix("\\x").unwrap_or(t).to_ascii_lowercase()
}

/// A bit string; MySQL's BIN() drops leading zeros, so pad to the column's width.
fn bits(side: Family, text: &str) -> String {
    let t = text.trim();
    match side {
        Family::Bits { width: Some(w) } if t.len() < w as usize => {
            format!("{}{t}", "0".repeat(w as usize - t.len()))
        }
        _ => t.to_string(),
    }
}

/// `[-]H…H:MM:SS[.ffffff]` with six fractional digits. MySQL's time is a duration that
/// may be negative or past 24 hours, so this is text work, not a time of day.
fn time(text: &str) -> Option<String> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (hms, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut parts = hms.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next().unwrap_or("0"));
    if parts.next().is_some() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m, s): (u64, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    let micros = fraction_micros(frac);
    let zero = h == 0 && m == 0 && s == 0 && micros == 0;
    let sign = if negative && !zero { "-" } else { "" };
    Some(format!("{sign}{h:02}:{m:02}:{s:02}.{micros:06}"))
}

/// Six digits of a fraction of a second, truncated past microseconds (the precision of
/// both databases).
fn fraction_micros(frac: &str) -> u32 {
    let mut digits: String = frac.chars().take(6).collect();
    while digits.len() < 6 {
        digits.push('0');
    }
    digits.parse().unwrap_or(0)
}

/// Splits a trailing UTC offset (`Z`, `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS`) off a time,
/// in seconds east of UTC.
fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(rest) = t.strip_suffix(['Z', 'z']) {
        return Some((rest, 0));
    }
    // The offset sign comes after the time's digits and colons; a time never has one.
    let Some(at) = t.rfind(['+', '-']) else {
        return Some((t, 0));
    };
    if at == 0 || !t[..at].contains(':') {
        return Some((t, 0));
    }
    let sign = if t.as_bytes()[at] == b'-' { -1 } else { 1 };
    let offset = t[at + 1..].replace(':', "");
    if offset.is_empty() || !offset.len().is_multiple_of(2) || offset.len() > 6 {
        return None;
    }
    let mut seconds = 0i64;
    for (i, unit) in [3600, 60, 1].iter().enumerate() {
        if let Some(part) = offset.get(i * 2..i * 2 + 2) {
            seconds += part.parse::<i64>().ok()? * unit;
        }
    }
    Some((t[..at].trim_end(), sign * seconds))
}

fn time_of_day(t: &str) -> Option<NaiveTime> {
    let (hms, frac) = t.split_once('.').unwrap_or((t, ""));
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut parts = hms.split(':');
    let (h, m) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let s = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    NaiveTime::from_hms_micro_opt(h, m, s, fraction_micros(frac))
}

/// A time with zone, taken to UTC.
fn time_tz(text: &str) -> Option<String> {
    let (t, offset) = split_offset(text.trim())?;
    let utc = time_of_day(t)? - Duration::seconds(offset);
    Some(format!("{}Z", utc.format("%H:%M:%S%.6f")))
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff`, in UTC when the text has an offset.
fn timestamp(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() < 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = t[10..].trim_start_matches(['T', 't', ' ']);
    let (time, offset) = if rest.is_empty() {
        (NaiveTime::MIN, 0)
    } else {
        let (time, offset) = split_offset(rest)?;
        (time_of_day(time)?, offset)
    };
    let utc = NaiveDateTime::new(date, time).checked_sub_signed(Duration::seconds(offset))?;
    Some(format!(
        "{}.{:06}",
        utc.format("%Y-%m-%dT%H:%M:%S"),
        utc.nanosecond() / 1000
    ))
}

/// An interval as PostgreSQL keeps it: months, days and microseconds, each signed; the
/// hours, minutes and seconds are kept as written for Debezium's arithmetic.
#[derive(Debug, PartialEq)]
struct Interval {
    months: i64,
    days: i64,
    micros: i64,
    hours: i64,
    minutes: i64,
    seconds: f64,
}

impl Interval {
    /// Debezium's microseconds for an interval: a month is 365.25/12 days, computed in
    /// doubles in the order its PostgreSQL connector does, and truncated, so the last
    /// digit agrees too.
    fn debezium_micros(&self) -> i64 {
        const DAYS_PER_MONTH_AVG: f64 = 365.25 / 12.0;
        let days = self.months as f64 * DAYS_PER_MONTH_AVG + self.days as f64;
        let seconds =
            ((days * 24.0 + self.hours as f64) * 60.0 + self.minutes as f64) * 60.0 + self.seconds;
        (seconds * 1e6) as i64
    }
}

/// ISO 8601 durations as PostgreSQL prints them with `IntervalStyle = iso_8601`
/// (`P1Y2M-3DT-4H-5M-6.78S`, each part signed) and as Debezium's string mode writes them.
fn interval(text: &str) -> Option<Interval> {
    let t = text.trim();
    let t = t.strip_prefix(['P', 'p'])?;
    let (date_part, time_part) = t.split_once(['T', 't']).unwrap_or((t, ""));
    let mut out = Interval {
        months: 0,
        days: 0,
        micros: 0,
        hours: 0,
        minutes: 0,
        seconds: 0.0,
    };
    for (number, unit) in designators(date_part)? {
        let n = number.parse::<i64>().ok()?;
        match unit {
            'Y' => out.months += n * 12,
            'M' => out.months += n,
            'W' => out.days += n * 7,
            'D' => out.days += n,
            _ => return None,
        }
    }
    for (number, unit) in designators(time_part)? {
        match unit {
            'H' => {
                out.hours = number.parse().ok()?;
                out.micros += out.hours * 3_600_000_000;
            }
            'M' => {
                out.minutes = number.parse().ok()?;
                out.micros += out.minutes * 60_000_000;
            }
            'S' => {
                out.seconds = number.parse().ok()?;
                let (negative, n) = match number.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, number),
                };
                let (s, frac) = n.split_once('.').unwrap_or((n, ""));
                if !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let micros = s.parse::<i64>().ok()? * 1_000_000 + i64::from(fraction_micros(frac));
                out.micros += if negative { -micros } else { micros };
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `1Y-2M3.5S` → [("1",'Y'), ("-2",'M'), ("3.5",'S')].
fn designators(text: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphabetic() {
            if i == start {
                return None;
            }
            out.push((&text[start..i], c.to_ascii_uppercase()));
            start = i + 1;
        }
    }
    (start == text.len()).then_some(out)
}

/// JSON with object keys sorted and numbers by value; whitespace and key order are not
/// data.
fn json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut out = String::with_capacity(text.len());
    write_json(&value, &mut out);
    Some(out)
}

fn write_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_json(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(v, out);
            }
            out.push(']');
        }
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            // 1.0 and 1 are one number; MySQL's JSON keeps doubles, PostgreSQL the text.
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
                out.push_str(&(f as i64).to_string())
            }
            _ => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT: Family = Family::Int { boolish: false };
    const TEXT: Family = Family::Text { padded: false };

    fn c(side: Family, canon: Canon, text: &str) -> String {
        canonical(side, canon, text).into_owned()
    }

    #[test]
    fn booleans_from_either_database_agree() {
        assert_eq!(c(Family::Bool, Canon::Bool, "true"), "true");
        assert_eq!(c(Family::Int { boolish: true }, Canon::Bool, "1"), "true");
        assert_eq!(c(Family::Int { boolish: true }, Canon::Bool, "0"), "false");
        assert_eq!(c(Family::Bool, Canon::Bool, "f"), "false");
    }

    #[test]
    fn decimals_compare_by_value() {
        assert_eq!(decimal("1.50").unwrap(), "1.5");
        assert_eq!(decimal("1.5").unwrap(), "1.5");
        assert_eq!(decimal("-0.000").unwrap(), "0");
        assert_eq!(decimal("007.10").unwrap(), "7.1");
        assert_eq!(decimal("100").unwrap(), "100");
        assert_eq!(decimal("-.5").unwrap(), "-0.5");
        assert_eq!(decimal("1.5E+2").unwrap(), "150");
        assert_eq!(decimal("12e-3").unwrap(), "0.012");
        assert_eq!(
            decimal("123456789012345678901234567890.000001").unwrap(),
            "123456789012345678901234567890.000001"
        );
        assert_eq!(decimal("NaN").unwrap(), "NaN");
        assert_eq!(decimal("1.2.3"), None);
        assert_eq!(
            c(INT, Canon::Decimal, "42"),
            c(Family::Decimal, Canon::Decimal, "42.000")
        );
    }

    #[test]
    fn floats_compare_by_value_and_in_single_precision_against_real() {
        assert_eq!(
            c(Family::Float64, Canon::Float64, "1e+20"),
            c(Family::Float64, Canon::Float64, "1e20")
        );
        assert_eq!(c(Family::Float64, Canon::Float64, "-0"), "0");
        assert_eq!(
            c(Family::Float64, Canon::Float64, "Infinity"),
            c(Family::Float64, Canon::Float64, "inf")
        );
        // A real written to a double column reads back with the float's binary digits.
        assert_eq!(
            c(Family::Float32, Canon::Float32, "3.14"),
            c(Family::Float64, Canon::Float32, "3.140000104904175")
        );
        assert_ne!(
            c(Family::Float64, Canon::Float64, "3.14"),
            c(Family::Float64, Canon::Float64, "3.140000104904175")
        );
    }

    #[test]
    fn text_keeps_spaces_except_char_padding() {
        assert_eq!(c(Family::Text { padded: true }, Canon::Text, "ab  "), "ab");
        assert_eq!(c(TEXT, Canon::Text, "ab  "), "ab  ");
        assert_eq!(c(TEXT, Canon::Text, ""), "");
    }

    #[test]
    fn bytes_and_bits() {
        assert_eq!(c(Family::Bytes, Canon::Bytes, "DEADBEEF"), "deadbeef");
        assert_eq!(c(Family::Bytes, Canon::Bytes, "\\xdeadbeef"), "deadbeef");
        assert_eq!(
            c(Family::Bits { width: Some(5) }, Canon::Bits, "101"),
            "00101"
        );
    }

    #[test]
    fn times_and_timestamps() {
        assert_eq!(
            c(Family::Time, Canon::Time, "04:05:06.5"),
            "04:05:06.500000"
        );
        assert_eq!(c(Family::Time, Canon::Time, "04:05:06"), "04:05:06.000000");
        assert_eq!(
            c(Family::Time, Canon::Time, "-25:00:00.5"),
            "-25:00:00.500000"
        );
        assert_eq!(
            c(Family::TimeTz, Canon::TimeTz, "12:00:00+02"),
            "10:00:00.000000Z"
        );
        assert_eq!(c(TEXT, Canon::TimeTz, "10:00:00Z"), "10:00:00.000000Z");
        let ts = "2020-01-02T03:04:05.500000";
        assert_eq!(
            c(Family::Timestamp, Canon::Timestamp, "2020-01-02 03:04:05.5"),
            ts
        );
        assert_eq!(
            c(
                Family::TimestampTz,
                Canon::Timestamp,
                "2020-01-02 05:04:05.5+02"
            ),
            ts
        );
        assert_eq!(
            c(
                Family::TimestampTz,
                Canon::Timestamp,
                "2020-01-01 22:34:05.5-04:30"
            ),
            ts
        );
        assert_eq!(c(TEXT, Canon::Timestamp, "2020-01-02T03:04:05.500Z"), ts);
        assert_eq!(
            c(Family::Timestamp, Canon::Timestamp, "infinity"),
            "infinity"
        );
        assert_eq!(c(Family::Date, Canon::Date, "2020-01-02"), "2020-01-02");
    }

    #[test]
    fn intervals() {
        let pg = c(Family::Interval, Canon::Interval, "P1Y2M-3DT-4H-5M-6.78S");
        assert_eq!(pg, "36014093220000us");
        assert_eq!(
            c(Family::Interval, Canon::Interval, "P1D"),
            c(Family::Interval, Canon::Interval, "PT24H")
        );
        assert_eq!(c(TEXT, Canon::Interval, "P1Y2M-3DT-4H-5M-6.780000S"), pg);
        // Debezium: one month is 30.4375 days.
        assert_eq!(
            c(Family::Interval, Canon::IntervalMicros, "P1M"),
            "2629800000000"
        );
        assert_eq!(
            c(Family::Interval, Canon::IntervalMicros, "PT1.5S"),
            "1500000"
        );
        assert_eq!(c(INT, Canon::IntervalMicros, "1500000"), "1500000");
    }

    #[test]
    fn json_ignores_key_order_whitespace_and_number_spelling() {
        assert_eq!(
            c(Family::Json, Canon::Json, r#"{"b": 1, "a": [1.50, 2.0]}"#),
            r#"{"a":[1.5,2],"b":1}"#
        );
        assert_eq!(c(TEXT, Canon::Json, "not json"), "not json");
    }

    #[test]
    fn uuids_and_integers() {
        assert_eq!(
            c(TEXT, Canon::Uuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
        assert_eq!(c(INT, Canon::Int, "+007"), "7");
        assert_eq!(
            c(INT, Canon::Int, "18446744073709551615"),
            "18446744073709551615"
        );
    }
}
