//! Dates, times and timestamps in PostgreSQL's ISO text output, and the numbers and ISO-8601
//! strings Debezium turns them into.
//!
//! Calendar arithmetic and ISO formatting are shared with the other sources
//! (`ferrium_event::logical::temporal`); this module parses PostgreSQL's spellings,
//! including `BC` years and the infinities.

pub(crate) use ferrium_event::logical::temporal::{
    days_from_civil, iso_date, iso_time, iso_timestamp, Instant, NANOS_PER_DAY, NANOS_PER_SEC,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PgDate {
    Days(i64),
    PosInf,
    NegInf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PgTimestamp {
    At(Instant),
    PosInf,
    NegInf,
}

/// The dates Debezium substitutes for `infinity` / `-infinity` (`PostgresValueConverter`'s
/// `POSITIVE_INFINITY_LOCAL_DATE` = -5877611-06-21 and `NEGATIVE_…` = -5877611-06-22; yes,
/// "positive" is the earlier one).
pub(crate) const DATE_POS_INFINITY_DAYS: i64 = -2_147_472_692;
pub(crate) const DATE_NEG_INFINITY_DAYS: i64 = -2_147_472_691;

/// The instants Debezium substitutes for timestamp `infinity` / `-infinity`: pgjdbc's
/// `DATE_POSITIVE_INFINITY` (9223372036825200000) and `DATE_NEGATIVE_INFINITY`
/// (-9223372036832400000) read as epoch microseconds.
pub(crate) const TS_POS_INFINITY: Instant = Instant {
    secs: 9_223_372_036_825,
    nanos: 200_000_000,
};
pub(crate) const TS_NEG_INFINITY: Instant = Instant {
    secs: -9_223_372_036_833,
    nanos: 600_000_000,
};

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    /// An unsigned number of `min..=max` digits and how many digits it had.
    fn number(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(c) = self.peek() {
            if !c.is_ascii_digit() || self.i - start == max {
                break;
            }
            v = v * 10 + i64::from(c - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        (n >= min).then_some((v, n))
    }
}

fn strip_era(text: &str) -> (&str, bool) {
    if let Some(rest) = text.strip_suffix(" BC") {
        (rest, true)
    } else {
        (text.strip_suffix(" AD").unwrap_or(text), false)
    }
}

/// `YYYY-MM-DD` (four or more year digits); returns days since the epoch.
fn date_part(c: &mut Cursor<'_>, bc: bool) -> Result<i64, &'static str> {
    const BAD: &str = "not an ISO date (YYYY-MM-DD)";
    let (year, _) = c.number(4, 10).ok_or(BAD)?;
    if !c.eat(b'-') {
        return Err(BAD);
    }
    let (month, _) = c.number(2, 2).ok_or(BAD)?;
    if !c.eat(b'-') {
        return Err(BAD);
    }
    let (day, _) = c.number(2, 2).ok_or(BAD)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err("month or day out of range");
    }
    let year = if bc { 1 - year } else { year };
    Ok(days_from_civil(year, month as u32, day as u32))
}

/// `HH:MM:SS[.fraction]`; returns nanoseconds of the day, up to and including 24:00:00.
fn time_part(c: &mut Cursor<'_>) -> Result<i64, &'static str> {
    const BAD: &str = "not a time of day (HH:MM:SS[.ffffff])";
    let (h, _) = c.number(1, 2).ok_or(BAD)?;
    if !c.eat(b':') {
        return Err(BAD);
    }
    let (m, _) = c.number(2, 2).ok_or(BAD)?;
    if !c.eat(b':') {
        return Err(BAD);
    }
    let (s, _) = c.number(2, 2).ok_or(BAD)?;
    let mut frac_nanos = 0;
    if c.eat(b'.') {
        let (f, n) = c.number(1, 9).ok_or(BAD)?;
        frac_nanos = f * 10_i64.pow(9 - n as u32);
    }
    if h > 24 || m > 59 || s > 59 || (h == 24 && (m, s, frac_nanos) != (0, 0, 0)) {
        return Err("time of day out of range");
    }
    Ok(((h * 60 + m) * 60 + s) * NANOS_PER_SEC + frac_nanos)
}

/// `±HH[:MM[:SS]]`; returns seconds east of UTC.
fn offset_part(c: &mut Cursor<'_>) -> Result<i64, &'static str> {
    const BAD: &str = "missing or malformed UTC offset";
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(BAD),
    };
    c.i += 1;
    let (h, _) = c.number(2, 2).ok_or(BAD)?;
    let mut secs = h * 3600;
    if c.eat(b':') {
        secs += c.number(2, 2).ok_or(BAD)?.0 * 60;
        if c.eat(b':') {
            secs += c.number(2, 2).ok_or(BAD)?.0;
        }
    }
    Ok(sign * secs)
}

fn finish<T>(c: &Cursor<'_>, v: T) -> Result<T, &'static str> {
    if c.done() {
        Ok(v)
    } else {
        Err("unexpected trailing characters")
    }
}

pub(crate) fn parse_date(text: &str) -> Result<PgDate, &'static str> {
    match text {
        "infinity" => return Ok(PgDate::PosInf),
        "-infinity" => return Ok(PgDate::NegInf),
        _ => {}
    }
    let (body, bc) = strip_era(text);
    let mut c = Cursor::new(body);
    let days = date_part(&mut c, bc)?;
    finish(&c, PgDate::Days(days))
}

/// A `time` value as nanoseconds of the day (`24:00:00` is 86400 s).
pub(crate) fn parse_time(text: &str) -> Result<i64, &'static str> {
    let mut c = Cursor::new(text);
    let nanos = time_part(&mut c)?;
    finish(&c, nanos)
}

/// A `timestamp` (no zone), read as UTC like Debezium does.
pub(crate) fn parse_timestamp(text: &str) -> Result<PgTimestamp, &'static str> {
    match text {
        "infinity" => return Ok(PgTimestamp::PosInf),
        "-infinity" => return Ok(PgTimestamp::NegInf),
        _ => {}
    }
    let (body, bc) = strip_era(text);
    let mut c = Cursor::new(body);
    let days = date_part(&mut c, bc)?;
    if !c.eat(b' ') {
        return Err("expected a space between date and time");
    }
    let nanos = time_part(&mut c)?;
    finish(&c, PgTimestamp::At(Instant::from_local(days, nanos)))
}

/// A `timestamptz`, converted to UTC.
pub(crate) fn parse_timestamptz(text: &str) -> Result<PgTimestamp, &'static str> {
    match text {
        "infinity" => return Ok(PgTimestamp::PosInf),
        "-infinity" => return Ok(PgTimestamp::NegInf),
        _ => {}
    }
    let (body, bc) = strip_era(text);
    let mut c = Cursor::new(body);
    let days = date_part(&mut c, bc)?;
    if !c.eat(b' ') {
        return Err("expected a space between date and time");
    }
    let nanos = time_part(&mut c)?;
    let offset = offset_part(&mut c)?;
    let local = Instant::from_local(days, nanos);
    finish(
        &c,
        PgTimestamp::At(Instant {
            secs: local.secs - offset,
            nanos: local.nanos,
        }),
    )
}

/// A `timetz` as Debezium's `ZonedTime` string: shifted to UTC, `HH:MM:SS[.f]Z`.
///
/// `24:00:00` at offset zero stays `24:00:00Z` (`PostgresTimeBoundary`); at any other offset
/// Java's parser reads it as midnight, so it wraps like any other time.
pub(crate) fn zoned_time(text: &str) -> Result<String, &'static str> {
    let mut c = Cursor::new(text);
    let nanos = time_part(&mut c)?;
    let offset = offset_part(&mut c)?;
    finish(&c, ())?;
    if nanos == NANOS_PER_DAY && offset == 0 {
        return Ok("24:00:00Z".to_string());
    }
    let utc = (nanos % NANOS_PER_DAY - offset * NANOS_PER_SEC).rem_euclid(NANOS_PER_DAY);
    Ok(iso_time(utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Instant {
        match parse_timestamp(text).unwrap() {
            PgTimestamp::At(i) => i,
            other => panic!("{other:?}"),
        }
    }

    fn tstz(text: &str) -> Instant {
        match parse_timestamptz(text).unwrap() {
            PgTimestamp::At(i) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn infinity_days_are_debezium_dates() {
        assert_eq!(days_from_civil(-5_877_611, 6, 21), DATE_POS_INFINITY_DAYS);
        assert_eq!(days_from_civil(-5_877_611, 6, 22), DATE_NEG_INFINITY_DAYS);
    }

    #[test]
    fn parses_dates_including_bc_and_infinity() {
        assert_eq!(parse_date("2024-01-15").unwrap(), PgDate::Days(19737));
        assert_eq!(parse_date("1969-12-31").unwrap(), PgDate::Days(-1));
        // 44 BC is proleptic year -43.
        assert_eq!(
            parse_date("0044-03-15 BC").unwrap(),
            PgDate::Days(days_from_civil(-43, 3, 15))
        );
        assert_eq!(parse_date("0044-03-15 BC").unwrap(), PgDate::Days(-735_160));
        assert_eq!(parse_date("infinity").unwrap(), PgDate::PosInf);
        assert_eq!(parse_date("-infinity").unwrap(), PgDate::NegInf);
        assert_eq!(
            parse_date("10000-01-01").unwrap(),
            PgDate::Days(days_from_civil(10000, 1, 1))
        );
        assert!(parse_date("2024-1-15").is_err());
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("2024-01-15x").is_err());
    }

    #[test]
    fn parses_times_up_to_end_of_day() {
        assert_eq!(parse_time("10:15:30.123456").unwrap(), 36_930_123_456_000);
        assert_eq!(parse_time("00:00:00").unwrap(), 0);
        assert_eq!(parse_time("24:00:00").unwrap(), NANOS_PER_DAY);
        assert!(parse_time("24:00:01").is_err());
        assert!(parse_time("10:61:00").is_err());
    }

    #[test]
    fn timestamps_are_utc_and_floor_before_1970() {
        assert_eq!(
            ts("2024-06-01 08:30:15.123").epoch_millis(),
            Some(1_717_230_615_123)
        );
        let before = ts("1969-12-31 23:59:59.5");
        assert_eq!(before.epoch_micros(), -500_000);
        assert_eq!(before.epoch_millis(), Some(-500));
        assert_eq!(ts("1969-12-31 23:59:59.9999").epoch_millis(), Some(-1));
        assert_eq!(ts("1970-01-01 00:00:00.000001").epoch_nanos(), Some(1000));
        // Out of int64 nanoseconds.
        assert_eq!(ts("2300-01-01 00:00:00").epoch_nanos(), None);
        assert_eq!(ts("1600-01-01 00:00:00").epoch_nanos(), None);
        assert_eq!(parse_timestamp("infinity").unwrap(), PgTimestamp::PosInf);
    }

    #[test]
    fn timestamptz_offsets_move_to_utc() {
        let utc = tstz("2024-06-02 10:00:00+00");
        assert_eq!(iso_timestamp(utc, Some(6)), "2024-06-02T10:00:00.000000Z");
        let plus2 = tstz("2024-06-02 10:00:00.123+02");
        assert_eq!(iso_timestamp(plus2, Some(3)), "2024-06-02T08:00:00.123Z");
        let india = tstz("2024-01-01 03:00:00+05:30");
        assert_eq!(iso_timestamp(india, Some(6)), "2023-12-31T21:30:00.000000Z");
        let lmt = tstz("1850-01-01 00:00:00+00:53:28");
        assert_eq!(iso_timestamp(lmt, None), "1849-12-31T23:06:32Z");
        let bc = tstz("0044-03-15 10:00:00+00 BC");
        assert_eq!(iso_timestamp(bc, Some(6)), "-0043-03-15T10:00:00.000000Z");
        assert!(parse_timestamptz("2024-06-02 10:00:00").is_err());
    }

    #[test]
    fn iso_formats_follow_java_formatters() {
        assert_eq!(iso_date(19737), "2024-01-15Z");
        assert_eq!(iso_date(days_from_civil(10000, 1, 1)), "+10000-01-01Z");
        assert_eq!(iso_date(DATE_POS_INFINITY_DAYS), "-5877611-06-21Z");
        assert_eq!(iso_time(0), "00:00:00Z");
        assert_eq!(iso_time(36_930_120_000_000), "10:15:30.12Z");
        let t = ts("2024-06-01 08:30:15.5");
        assert_eq!(iso_timestamp(t, None), "2024-06-01T08:30:15.5Z");
        assert_eq!(iso_timestamp(t, Some(6)), "2024-06-01T08:30:15.500000Z");
        assert_eq!(
            iso_timestamp(ts("2024-06-01 08:30:15"), None),
            "2024-06-01T08:30:15Z"
        );
        assert_eq!(
            iso_timestamp(TS_POS_INFINITY, None),
            "+294247-01-10T04:00:25.2Z"
        );
        assert_eq!(
            iso_timestamp(TS_NEG_INFINITY, None),
            "-290308-12-21T19:59:27.6Z"
        );
    }

    #[test]
    fn infinity_instants_match_debezium_numbers() {
        assert_eq!(TS_POS_INFINITY.epoch_millis(), Some(9_223_372_036_825_200));
        assert_eq!(TS_POS_INFINITY.epoch_micros(), 9_223_372_036_825_200_000);
        assert_eq!(TS_NEG_INFINITY.epoch_millis(), Some(-9_223_372_036_832_400));
        assert_eq!(TS_NEG_INFINITY.epoch_micros(), -9_223_372_036_832_400_000);
    }

    #[test]
    fn zoned_time_shifts_to_utc_and_keeps_the_boundary() {
        assert_eq!(zoned_time("10:15:30.123+02").unwrap(), "08:15:30.123Z");
        assert_eq!(zoned_time("01:00:00+05:30").unwrap(), "19:30:00Z");
        assert_eq!(zoned_time("23:00:00-02").unwrap(), "01:00:00Z");
        assert_eq!(zoned_time("24:00:00+00").unwrap(), "24:00:00Z");
        assert_eq!(zoned_time("24:00:00+02").unwrap(), "22:00:00Z");
        assert!(zoned_time("10:15:30").is_err());
    }
}
