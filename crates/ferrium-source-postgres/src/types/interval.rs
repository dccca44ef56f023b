//! `interval` in PostgreSQL's `iso_8601` style (`P1Y2M3DT4H5M6.78S`) to Debezium's
//! `MicroDuration` number or `Interval` string.
//!
//! Debezium reads the text through pgjdbc's `PGInterval` (int fields, seconds kept as whole
//! seconds plus microseconds) and then computes in `double`; the arithmetic below repeats
//! those steps in the same order so the rounding is identical.

/// The fields of a `PGInterval`, as pgjdbc holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PgInterval {
    pub years: i32,
    pub months: i32,
    pub days: i32,
    pub hours: i32,
    pub minutes: i32,
    pub whole_seconds: i32,
    /// Same sign as `whole_seconds` (Java's `%`).
    pub micro_seconds: i32,
}

/// `MicroDuration.DAYS_PER_MONTH_AVG`: 365.25 / 12.
const DAYS_PER_MONTH_AVG: f64 = 365.25 / 12.0;

impl PgInterval {
    pub(crate) fn parse(text: &str) -> Result<PgInterval, &'static str> {
        let body = text
            .strip_prefix('P')
            .ok_or("not an ISO-8601 interval (is IntervalStyle iso_8601?)")?;
        let (date, time) = match body.find('T') {
            Some(t) => (&body[..t], Some(&body[t + 1..])),
            None => (body, None),
        };
        let mut iv = PgInterval {
            years: 0,
            months: 0,
            days: 0,
            hours: 0,
            minutes: 0,
            whole_seconds: 0,
            micro_seconds: 0,
        };
        for (number, unit) in components(date)? {
            let n: i32 = number.parse().map_err(|_| "interval field out of range")?;
            match unit {
                b'Y' => iv.years = n,
                b'M' => iv.months = n,
                b'D' => iv.days = n,
                _ => return Err("unexpected unit in the date part of an interval"),
            }
        }
        for (number, unit) in components(time.unwrap_or(""))? {
            match unit {
                b'H' => iv.hours = number.parse().map_err(|_| "interval field out of range")?,
                b'M' => iv.minutes = number.parse().map_err(|_| "interval field out of range")?,
                b'S' => {
                    let micros = parse_micros(number)?;
                    iv.whole_seconds = i32::try_from(micros / 1_000_000)
                        .map_err(|_| "interval seconds out of range")?;
                    iv.micro_seconds = (micros % 1_000_000) as i32;
                }
                _ => return Err("unexpected unit in the time part of an interval"),
            }
        }
        Ok(iv)
    }

    /// `PGInterval.getSeconds()`.
    fn seconds(&self) -> f64 {
        f64::from(self.whole_seconds) + f64::from(self.micro_seconds) / 1_000_000.0
    }

    /// `MicroDuration.durationMicros(…, DAYS_PER_MONTH_AVG)`: a month is 30.4375 days, a year
    /// twelve of those, computed in `double` and truncated toward zero.
    pub(crate) fn micro_duration(&self) -> i64 {
        let months = self.years.wrapping_mul(12).wrapping_add(self.months);
        let days = f64::from(months) * DAYS_PER_MONTH_AVG + f64::from(self.days);
        let seconds = ((days * 24.0 + f64::from(self.hours)) * 60.0 + f64::from(self.minutes))
            * 60.0
            + self.seconds();
        // Java's (long) cast: truncates, saturates, NaN → 0; Rust's `as` does the same.
        (seconds * 1e6 + 0.0) as i64
    }

    /// `Interval.toIsoString`: every field written, seconds as the shortest decimal of the
    /// `double` with trailing zeros stripped (`BigDecimal.valueOf(s).stripTrailingZeros()
    /// .toPlainString()`).
    pub(crate) fn iso_string(&self) -> String {
        let s = self.seconds();
        let secs = if s == 0.0 {
            "0".to_string()
        } else {
            format!("{s}")
        };
        format!(
            "P{}Y{}M{}DT{}H{}M{}S",
            self.years, self.months, self.days, self.hours, self.minutes, secs
        )
    }
}

/// Splits `1Y-2M3D` into `[("1", 'Y'), ("-2", 'M'), ("3", 'D')]`.
fn components(part: &str) -> Result<Vec<(&str, u8)>, &'static str> {
    let mut out = Vec::with_capacity(3);
    let mut start = 0;
    for (i, c) in part.bytes().enumerate() {
        if c.is_ascii_alphabetic() {
            if i == start {
                return Err("interval unit without a number");
            }
            out.push((&part[start..i], c));
            start = i + 1;
        }
    }
    if start != part.len() {
        return Err("interval number without a unit");
    }
    Ok(out)
}

/// `-6.78` → -6780000. PostgreSQL prints at most six fractional digits.
fn parse_micros(text: &str) -> Result<i64, &'static str> {
    const BAD: &str = "malformed interval seconds";
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || frac.len() > 6
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return Err(BAD);
    }
    let whole: i64 = int.parse().map_err(|_| BAD)?;
    let mut micros: i64 = 0;
    for (i, c) in frac.bytes().enumerate() {
        micros += i64::from(c - b'0') * 10_i64.pow(5 - i as u32);
    }
    let total = whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(micros))
        .ok_or(BAD)?;
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_postgres_iso_output() {
        let iv = PgInterval::parse("P1Y2M3DT4H5M6.78S").unwrap();
        assert_eq!(
            (
                iv.years,
                iv.months,
                iv.days,
                iv.hours,
                iv.minutes,
                iv.whole_seconds,
                iv.micro_seconds
            ),
            (1, 2, 3, 4, 5, 6, 780_000)
        );
        let neg = PgInterval::parse("P-1Y-2M3DT-4H-5M-6.78S").unwrap();
        assert_eq!(
            (
                neg.years,
                neg.months,
                neg.days,
                neg.hours,
                neg.minutes,
                neg.whole_seconds,
                neg.micro_seconds
            ),
            (-1, -2, 3, -4, -5, -6, -780_000)
        );
        let zero = PgInterval::parse("PT0S").unwrap();
        assert_eq!(zero.micro_duration(), 0);
        let frac = PgInterval::parse("PT-0.5S").unwrap();
        assert_eq!((frac.whole_seconds, frac.micro_seconds), (0, -500_000));
        assert!(PgInterval::parse("1 year").is_err());
        assert!(PgInterval::parse("P1X").is_err());
        assert!(PgInterval::parse("PT1.1234567S").is_err());
    }

    #[test]
    fn micro_duration_uses_debezium_month_length() {
        // 14 months × 30.4375 + 3 days = 429.125 days = 37 076 400 s; + 4 h 5 min 6.78 s
        // = 37 091 106.78 s → 37 091 106 780 000 µs (cross-checked with IEEE doubles).
        let iv = PgInterval::parse("P1Y2M3DT4H5M6.78S").unwrap();
        assert_eq!(iv.micro_duration(), 37_091_106_780_000);
        // One month: 30.4375 days = 2 629 800 s exactly.
        assert_eq!(
            PgInterval::parse("P1M").unwrap().micro_duration(),
            2_629_800_000_000
        );
        assert_eq!(
            PgInterval::parse("P1D").unwrap().micro_duration(),
            86_400_000_000
        );
        assert_eq!(
            PgInterval::parse("PT-1.5S").unwrap().micro_duration(),
            -1_500_000
        );
        assert_eq!(
            PgInterval::parse("P-1Y").unwrap().micro_duration(),
            -31_557_600_000_000
        );
    }

    #[test]
    fn iso_string_writes_every_field() {
        assert_eq!(
            PgInterval::parse("P1Y2M3DT4H5M6.78S").unwrap().iso_string(),
            "P1Y2M3DT4H5M6.78S"
        );
        assert_eq!(
            PgInterval::parse("PT0S").unwrap().iso_string(),
            "P0Y0M0DT0H0M0S"
        );
        assert_eq!(
            PgInterval::parse("P3D").unwrap().iso_string(),
            "P0Y0M3DT0H0M0S"
        );
        assert_eq!(
            PgInterval::parse("PT6S").unwrap().iso_string(),
            "P0Y0M0DT0H0M6S"
        );
        assert_eq!(
            PgInterval::parse("PT0.000001S").unwrap().iso_string(),
            "P0Y0M0DT0H0M0.000001S"
        );
        assert_eq!(
            PgInterval::parse("P-1Y-2M3DT-4H-5M-6.78S")
                .unwrap()
                .iso_string(),
            "P-1Y-2M3DT-4H-5M-6.78S"
        );
    }
}
