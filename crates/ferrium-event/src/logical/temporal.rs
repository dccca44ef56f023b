//! Calendar arithmetic and the ISO-8601 text Debezium writes for dates, times and
//! timestamps, following Java's `LocalDate`/`DateTimeFormatter` behaviour.
//!
//! Day numbers are plain `i64` (proleptic Gregorian with a year 0, like Java's `LocalDate`)
//! rather than chrono types, because databases allow dates far outside chrono's range
//! (PostgreSQL runs to year 5874897).

pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const SECS_PER_DAY: i64 = 86_400;
pub const NANOS_PER_DAY: i64 = SECS_PER_DAY * NANOS_PER_SEC;

/// Days since 1970-01-01 of a proleptic Gregorian date (year 0 = 1 BC).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A point on the UTC time line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    pub secs: i64,
    /// 0..1e9
    pub nanos: u32,
}

impl Instant {
    /// The instant of a local date and time read as UTC.
    pub fn from_local(days: i64, nanos_of_day: i64) -> Instant {
        let secs = days * SECS_PER_DAY + nanos_of_day.div_euclid(NANOS_PER_SEC);
        Instant {
            secs,
            nanos: nanos_of_day.rem_euclid(NANOS_PER_SEC) as u32,
        }
    }

    /// `Instant.toEpochMilli()`: floors, like Java.
    pub fn epoch_millis(self) -> Option<i64> {
        self.secs
            .checked_mul(1000)?
            .checked_add(i64::from(self.nanos / 1_000_000))
    }

    /// Debezium's `Conversions.toEpochMicros`: `TimeUnit.SECONDS.toMicros` saturates and the
    /// addition wraps, which only matters past year 294247.
    pub fn epoch_micros(self) -> i64 {
        self.secs
            .saturating_mul(1_000_000)
            .wrapping_add(i64::from(self.nanos / 1000))
    }

    /// `NanoTimestamp.toEpochNanos`: `None` outside roughly 1677–2262, where Debezium gives up.
    pub fn epoch_nanos(self) -> Option<i64> {
        let day = self.secs.div_euclid(SECS_PER_DAY);
        let nano_of_day =
            self.secs.rem_euclid(SECS_PER_DAY) * NANOS_PER_SEC + i64::from(self.nanos);
        day.checked_mul(NANOS_PER_DAY)?.checked_add(nano_of_day)
    }
}

/// How `ISO_LOCAL_DATE` writes a year: at least four digits, `+` beyond 9999, `-` before year 0.
pub fn push_year(out: &mut String, year: i64) {
    use std::fmt::Write;
    let _ = if year > 9999 {
        write!(out, "+{year}")
    } else if year < 0 {
        write!(out, "-{:04}", year.unsigned_abs())
    } else {
        write!(out, "{year:04}")
    };
}

pub fn push_date(out: &mut String, days: i64) {
    use std::fmt::Write;
    let (y, m, d) = civil_from_days(days);
    push_year(out, y);
    let _ = write!(out, "-{m:02}-{d:02}");
}

/// `HH:MM:SS` plus the fraction: `width` digits exactly, or (for `None`) as few as needed,
/// none when zero (`ISO_LOCAL_TIME`).
pub fn push_time(out: &mut String, nanos_of_day: i64, width: Option<u32>) {
    use std::fmt::Write;
    let secs = nanos_of_day / NANOS_PER_SEC;
    let frac = nanos_of_day % NANOS_PER_SEC;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    push_fraction(out, frac as u32, width);
}

pub fn push_fraction(out: &mut String, nanos: u32, width: Option<u32>) {
    use std::fmt::Write;
    let mut digits = String::with_capacity(9);
    let _ = write!(digits, "{nanos:09}");
    match width {
        Some(w) => {
            out.push('.');
            out.push_str(&digits[..w.min(9) as usize]);
        }
        None if nanos != 0 => {
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
        None => {}
    }
}

/// `IsoDate`: `2024-01-15Z`.
pub fn iso_date(days: i64) -> String {
    let mut out = String::with_capacity(12);
    push_date(&mut out, days);
    out.push('Z');
    out
}

/// `IsoTime` / `ZonedTime` in UTC: `10:15:30.123Z`.
pub fn iso_time(nanos_of_day: i64) -> String {
    let mut out = String::with_capacity(20);
    push_time(&mut out, nanos_of_day, None);
    out.push('Z');
    out
}

/// `IsoTimestamp` (width `None`) or `ZonedTimestamp` (fraction padded to the column
/// precision): `2024-06-02T10:00:00.000000Z`.
pub fn iso_timestamp(t: Instant, width: Option<u32>) -> String {
    let mut out = String::with_capacity(32);
    push_date(&mut out, t.secs.div_euclid(SECS_PER_DAY));
    out.push('T');
    let nanos_of_day = t.secs.rem_euclid(SECS_PER_DAY) * NANOS_PER_SEC + i64::from(t.nanos);
    push_time(&mut out, nanos_of_day, width);
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_and_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 15), 19737);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        for d in [-800_000_000, -719_468, -1, 0, 59, 60, 11_016, 2_000_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d, "{d}");
        }
    }

    #[test]
    fn instants_floor_like_java() {
        let before = Instant::from_local(-1, 86_399_500_000_000);
        assert_eq!(before.epoch_micros(), -500_000);
        assert_eq!(before.epoch_millis(), Some(-500));
        let t = Instant::from_local(days_from_civil(2024, 6, 1), 30_615_123_000_000);
        assert_eq!(t.epoch_millis(), Some(1_717_230_615_123));
        assert_eq!(Instant::from_local(0, 1000).epoch_nanos(), Some(1000));
        assert_eq!(
            Instant::from_local(days_from_civil(2300, 1, 1), 0).epoch_nanos(),
            None
        );
    }

    #[test]
    fn iso_formats_follow_java_formatters() {
        assert_eq!(iso_date(19737), "2024-01-15Z");
        assert_eq!(iso_date(days_from_civil(10000, 1, 1)), "+10000-01-01Z");
        assert_eq!(iso_date(days_from_civil(-43, 3, 15)), "-0043-03-15Z");
        assert_eq!(iso_time(0), "00:00:00Z");
        assert_eq!(iso_time(36_930_120_000_000), "10:15:30.12Z");
        let t = Instant::from_local(days_from_civil(2024, 6, 1), 30_615_500_000_000);
        assert_eq!(iso_timestamp(t, None), "2024-06-01T08:30:15.5Z");
        assert_eq!(iso_timestamp(t, Some(6)), "2024-06-01T08:30:15.500000Z");
        assert_eq!(iso_timestamp(t, Some(3)), "2024-06-01T08:30:15.500Z");
        let whole = Instant::from_local(days_from_civil(2024, 6, 1), 30_615_000_000_000);
        assert_eq!(iso_timestamp(whole, None), "2024-06-01T08:30:15Z");
        assert_eq!(iso_timestamp(whole, Some(2)), "2024-06-01T08:30:15.00Z");
    }
}
