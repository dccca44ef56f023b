//! MySQL's date and time values, from either path, as one local representation, and the
//! numbers and strings Debezium derives from them.
//!
//! The snapshot reads text (`2024-01-02 03:04:05.123400`, `-838:59:59.000000`, zero dates
//! like `0000-00-00`); the binlog delivers the same fields already split. Both end up in
//! [`LocalDateTime`] / time-of-day microseconds so the conversion after that is shared.

use ferrium_event::logical::temporal::{days_from_civil, Instant};

/// A calendar date and time without zone, with MySQL's ranges (year 0–9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalDateTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl LocalDateTime {
    /// Zero dates and dates with a zero part (`0000-00-00`, `2020-00-00`) have no calendar
    /// meaning. Debezium's binlog reader turns any zero year, month or day into null; the
    /// snapshot path is made to agree.
    pub fn is_zero_in_part(&self) -> bool {
        self.year == 0 || self.month == 0 || self.day == 0
    }

    /// Debezium's `adjustTemporal` (`enable.time.adjuster`): years 0–69 move to 2000–2069 and
    /// 70–99 to 1970–1999. `plus(n, YEARS)` never has to clamp a February 29th here, since
    /// both ends of each shift agree on leap years.
    pub fn adjusted(mut self, enabled: bool) -> Self {
        if enabled {
            match self.year {
                0..=69 => self.year += 2000,
                70..=99 => self.year += 1900,
                _ => {}
            }
        }
        self
    }

    pub fn epoch_day(&self) -> i64 {
        days_from_civil(i64::from(self.year), self.month, self.day)
    }

    /// The instant of this local time read as UTC, as Debezium treats DATETIME.
    pub fn as_utc(&self) -> Instant {
        let nanos = ((i64::from(self.hour) * 60 + i64::from(self.minute)) * 60
            + i64::from(self.second))
            * 1_000_000_000
            + i64::from(self.micros) * 1000;
        Instant::from_local(self.epoch_day(), nanos)
    }

    /// Checks what `LocalDate.of` / `LocalDateTime.of` would reject.
    pub fn validate(&self) -> Result<(), &'static str> {
        let leap = (self.year.is_multiple_of(4) && !self.year.is_multiple_of(100))
            || self.year.is_multiple_of(400);
        let days_in_month = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err("month out of range"),
        };
        if self.day < 1 || self.day > days_in_month {
            return Err("day out of range for the month");
        }
        if self.hour > 23 || self.minute > 59 || self.second > 59 || self.micros > 999_999 {
            return Err("time of day out of range");
        }
        Ok(())
    }
}

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

    /// `min..=max` digits as a number, and how many digits there were.
    fn number(&mut self, min: usize, max: usize) -> Option<(u64, usize)> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&c) = self.b.get(self.i) {
            if !c.is_ascii_digit() || self.i - start == max {
                break;
            }
            v = v * 10 + u64::from(c - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        (n >= min).then_some((v, n))
    }

    /// `.` and 1–6 digits as microseconds, or 0 without a fraction.
    fn micros(&mut self) -> Option<u32> {
        if !self.eat(b'.') {
            return Some(0);
        }
        let (f, n) = self.number(1, 6)?;
        Some((f * 10u64.pow(6 - n as u32)) as u32)
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

const BAD_DATE: &str = "not a MySQL date (YYYY-MM-DD)";
const BAD_DATETIME: &str = "not a MySQL datetime (YYYY-MM-DD HH:MM:SS[.ffffff])";
const BAD_TIME: &str = "not a MySQL time ([-]HHH:MM:SS[.ffffff])";

fn date_part(c: &mut Cursor<'_>, bad: &'static str) -> Result<(u32, u32, u32), &'static str> {
    let (y, _) = c.number(4, 4).ok_or(bad)?;
    if !c.eat(b'-') {
        return Err(bad);
    }
    let (m, _) = c.number(2, 2).ok_or(bad)?;
    if !c.eat(b'-') {
        return Err(bad);
    }
    let (d, _) = c.number(2, 2).ok_or(bad)?;
    Ok((y as u32, m as u32, d as u32))
}

/// `YYYY-MM-DD`, zero parts allowed.
pub(crate) fn parse_date(text: &str) -> Result<LocalDateTime, &'static str> {
    let mut c = Cursor::new(text);
    let (year, month, day) = date_part(&mut c, BAD_DATE)?;
    if !c.done() {
        return Err(BAD_DATE);
    }
    Ok(LocalDateTime {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        micros: 0,
    })
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`, zero parts allowed.
pub(crate) fn parse_datetime(text: &str) -> Result<LocalDateTime, &'static str> {
    let mut c = Cursor::new(text);
    let (year, month, day) = date_part(&mut c, BAD_DATETIME)?;
    if !c.eat(b' ') {
        return Err(BAD_DATETIME);
    }
    let (hour, _) = c.number(2, 2).ok_or(BAD_DATETIME)?;
    if !c.eat(b':') {
        return Err(BAD_DATETIME);
    }
    let (minute, _) = c.number(2, 2).ok_or(BAD_DATETIME)?;
    if !c.eat(b':') {
        return Err(BAD_DATETIME);
    }
    let (second, _) = c.number(2, 2).ok_or(BAD_DATETIME)?;
    let micros = c.micros().ok_or(BAD_DATETIME)?;
    if !c.done() {
        return Err(BAD_DATETIME);
    }
    Ok(LocalDateTime {
        year,
        month,
        day,
        hour: hour as u32,
        minute: minute as u32,
        second: second as u32,
        micros,
    })
}

/// A TIME value (`-838:59:59.000000` to `838:59:59.000000`) as signed microseconds.
pub(crate) fn parse_time(text: &str) -> Result<i64, &'static str> {
    let mut c = Cursor::new(text);
    let negative = c.eat(b'-');
    let (h, _) = c.number(1, 4).ok_or(BAD_TIME)?;
    if !c.eat(b':') {
        return Err(BAD_TIME);
    }
    let (m, _) = c.number(2, 2).ok_or(BAD_TIME)?;
    if !c.eat(b':') {
        return Err(BAD_TIME);
    }
    let (s, _) = c.number(2, 2).ok_or(BAD_TIME)?;
    let micros = c.micros().ok_or(BAD_TIME)?;
    if !c.done() || m > 59 || s > 59 {
        return Err(BAD_TIME);
    }
    let total = ((h * 60 + m) * 60 + s) as i64 * 1_000_000 + i64::from(micros);
    Ok(if negative { -total } else { total })
}

/// The binlog's TIMESTAMP text from mysql_common: `epochsecs[.ffffff]`.
pub(crate) fn parse_epoch(text: &str) -> Result<Instant, &'static str> {
    const BAD: &str = "not an epoch timestamp (seconds[.ffffff])";
    let mut c = Cursor::new(text);
    let (secs, _) = c.number(1, 12).ok_or(BAD)?;
    let micros = c.micros().ok_or(BAD)?;
    if !c.done() {
        return Err(BAD);
    }
    Ok(Instant {
        secs: secs as i64,
        nanos: micros * 1000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_datetimes_with_zero_parts() {
        let d = parse_date("2020-00-00").unwrap();
        assert!(d.is_zero_in_part());
        assert!(parse_date("0000-00-00").unwrap().is_zero_in_part());
        let dt = parse_datetime("2024-01-02 03:04:05.1234").unwrap();
        assert_eq!((dt.year, dt.second, dt.micros), (2024, 5, 123_400));
        assert_eq!(dt.as_utc().epoch_micros(), 1_704_164_645_123_400);
        assert!(parse_datetime("2024-01-02").is_err());
        assert!(parse_datetime("2024-01-02 03:04:05.1234567").is_err());
        assert!(parse_date("2024-1-02").is_err());
    }

    #[test]
    fn parses_signed_times_beyond_a_day() {
        assert_eq!(parse_time("-838:59:59.000000").unwrap(), -3_020_399_000_000);
        assert_eq!(parse_time("838:59:59").unwrap(), 3_020_399_000_000);
        assert_eq!(parse_time("-00:00:00.5").unwrap(), -500_000);
        assert_eq!(parse_time("10:15:30.123").unwrap(), 36_930_123_000);
        assert!(parse_time("10:61:00").is_err());
    }

    #[test]
    fn adjuster_moves_two_digit_years() {
        let d = parse_date("0069-12-31").unwrap();
        assert_eq!(d.adjusted(true).year, 2069);
        assert_eq!(parse_date("0070-01-01").unwrap().adjusted(true).year, 1970);
        assert_eq!(parse_date("0100-01-01").unwrap().adjusted(true).year, 100);
        assert_eq!(d.adjusted(false).year, 69);
    }

    #[test]
    fn validates_like_local_date() {
        assert!(parse_date("2023-02-29").unwrap().validate().is_err());
        assert!(parse_date("2024-02-29").unwrap().validate().is_ok());
        assert!(parse_date("2024-04-31").unwrap().validate().is_err());
    }

    #[test]
    fn parses_binlog_epoch_text() {
        let t = parse_epoch("1704164645.100000").unwrap();
        assert_eq!((t.secs, t.nanos), (1_704_164_645, 100_000_000));
        assert_eq!(parse_epoch("0").unwrap().secs, 0);
        assert!(parse_epoch("12a").is_err());
    }
}
