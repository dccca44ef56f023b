//! A Java `SimpleDateFormat` pattern, translated once at configuration time into chrono
//! format items, formatting and parsing in UTC as Kafka's `TimestampConverter` does
//! (`format.setTimeZone(UTC)`). Letters chrono cannot render the Java way are refused
//! with the reason, rather than giving a different text.

use chrono::format::{Fixed, Item, Numeric, Pad, Parsed, StrftimeItems};
use chrono::DateTime;

/// What a translated pattern cannot do when parsing: some letters format exactly but
/// parse differently in Java (a two-digit year's sliding century, zone names).
#[derive(Debug, Clone)]
pub(super) struct JavaDateFormat {
    pattern: String,
    items: Vec<Item<'static>>,
    parse_refusal: Option<String>,
}

impl JavaDateFormat {
    pub(super) fn compile(pattern: &str) -> Result<Self, String> {
        let mut items = Vec::new();
        let mut parse_refusal = None;
        let mut literal = String::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // `''` is a quote; otherwise quoted text runs to the next quote.
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(format!("Unterminated quote in '{pattern}'")),
                        Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                            literal.push('\'');
                            j += 2;
                        }
                        Some('\'') => break,
                        Some(other) => {
                            literal.push(*other);
                            j += 1;
                        }
                    }
                }
                i = j + 1;
                continue;
            }
            if !c.is_ascii_alphabetic() {
                literal.push(c);
                i += 1;
                continue;
            }
            let count = chars[i..].iter().take_while(|&&d| d == c).count();
            i += count;
            if !literal.is_empty() {
                items.push(Item::OwnedLiteral(
                    std::mem::take(&mut literal).into_boxed_str(),
                ));
            }
            let (item, refusal) = letter(c, count)?;
            items.push(item);
            if parse_refusal.is_none() {
                parse_refusal = refusal.map(|r| format!("pattern '{pattern}': {r}"));
            }
        }
        if !literal.is_empty() {
            items.push(Item::OwnedLiteral(literal.into_boxed_str()));
        }
        Ok(JavaDateFormat {
            pattern: pattern.to_string(),
            items,
            parse_refusal,
        })
    }

    /// The text of an instant (epoch milliseconds), in UTC.
    pub(super) fn format(&self, epoch_millis: i64) -> Result<String, String> {
        let t = DateTime::from_timestamp_millis(epoch_millis)
            .ok_or_else(|| format!("timestamp {epoch_millis} ms is out of range"))?;
        Ok(t.format_with_items(self.items.iter()).to_string())
    }

    /// `SimpleDateFormat.parse`: fields the pattern lacks take the epoch's (1970-01-01,
    /// midnight), text after the pattern is ignored, a zone in the text is applied, UTC
    /// otherwise. Unlike Java's lenient default, out-of-range fields (month 13) fail.
    pub(super) fn parse(&self, text: &str) -> Result<i64, String> {
        if let Some(refusal) = &self.parse_refusal {
            return Err(refusal.clone());
        }
        let fail = |e: chrono::ParseError| {
            format!(
                "Could not parse timestamp: value ({text}) does not match pattern ({}): {e}",
                self.pattern
            )
        };
        let mut parsed = Parsed::new();
        chrono::format::parse_and_remainder(&mut parsed, text, self.items.iter()).map_err(fail)?;
        fill_epoch_defaults(&mut parsed).map_err(fail)?;
        let offset = parsed.offset().unwrap_or(0);
        let local = parsed.to_naive_datetime_with_offset(offset).map_err(fail)?;
        Ok(local.and_utc().timestamp_millis() - i64::from(offset) * 1000)
    }
}

fn fill_epoch_defaults(parsed: &mut Parsed) -> chrono::format::ParseResult<()> {
    if parsed.year().is_none() {
        parsed.set_year(1970)?;
    }
    if parsed.ordinal().is_none() {
        if parsed.month().is_none() {
            parsed.set_month(1)?;
        }
        if parsed.day().is_none() {
            parsed.set_day(1)?;
        }
    }
    match (parsed.hour_div_12(), parsed.hour_mod_12()) {
        (None, None) => parsed.set_hour(0)?,
        // `h` without `a`: Java takes the morning.
        (None, Some(_)) => parsed.set_ampm(false)?,
        (Some(_), None) => parsed.set_hour12(12)?,
        (Some(_), Some(_)) => {}
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0)?;
    }
    if parsed.second().is_none() {
        parsed.set_second(0)?;
    }
    if parsed.nanosecond().is_none() {
        parsed.set_nanosecond(0)?;
    }
    Ok(())
}

/// chrono's item for `%3f` (milliseconds, three digits, no dot), which chrono only builds
/// from its own format syntax.
fn milliseconds() -> Item<'static> {
    StrftimeItems::new("%3f")
        .next()
        .unwrap_or(Item::Fixed(Fixed::Nanosecond3))
}

/// One run of a pattern letter: its item, and why it cannot be parsed, if it cannot.
fn letter(c: char, count: usize) -> Result<(Item<'static>, Option<&'static str>), String> {
    let numeric = |n: Numeric, natural_width: usize| match count {
        1 => Ok(Item::Numeric(n, Pad::None)),
        w if w == natural_width => Ok(Item::Numeric(n, Pad::Zero)),
        _ => Err(format!(
            "'{}' (pad to {count}) has no chrono equivalent; use '{c}' or '{}'",
            c.to_string().repeat(count),
            c.to_string().repeat(natural_width)
        )),
    };
    let item = match c {
        'y' if count == 2 => {
            return Ok((
                Item::Numeric(Numeric::YearMod100, Pad::Zero),
                Some("'yy' is parsed by Java with a century relative to today; use 'yyyy' to parse"),
            ))
        }
        'y' => numeric(Numeric::Year, 4)?,
        'M' | 'L' => match count {
            1 | 2 => numeric(Numeric::Month, 2)?,
            3 => Item::Fixed(Fixed::ShortMonthName),
            _ => Item::Fixed(Fixed::LongMonthName),
        },
        'd' => numeric(Numeric::Day, 2)?,
        'D' => numeric(Numeric::Ordinal, 3)?,
        'H' => numeric(Numeric::Hour, 2)?,
        'h' => numeric(Numeric::Hour12, 2)?,
        'm' => numeric(Numeric::Minute, 2)?,
        's' => numeric(Numeric::Second, 2)?,
        'S' if count == 3 => milliseconds(),
        'S' => {
            return Err(format!(
                "'{}' (milliseconds padded to {count}) has no chrono equivalent; use 'SSS'",
                "S".repeat(count)
            ))
        }
        'E' if count <= 3 => Item::Fixed(Fixed::ShortWeekdayName),
        'E' => Item::Fixed(Fixed::LongWeekdayName),
        'u' if count == 1 => Item::Numeric(Numeric::WeekdayFromMon, Pad::None),
        'a' => Item::Fixed(Fixed::UpperAmPm),
        // The zone is always UTC: Java's short and long names of it.
        'z' if count <= 3 => Item::Literal("UTC"),
        'z' => Item::Literal("Coordinated Universal Time"),
        'Z' => Item::Fixed(Fixed::TimezoneOffset),
        'X' if count <= 2 => Item::Fixed(Fixed::TimezoneOffsetZ),
        'X' if count == 3 => Item::Fixed(Fixed::TimezoneOffsetColonZ),
        'X' => return Err(format!("invalid ISO 8601 format: length={count}")),
        'G' | 'Y' | 'w' | 'W' | 'F' | 'k' | 'K' | 'u' => {
            return Err(format!(
                "pattern letters '{}' have no chrono equivalent (Ferrium translates y M L d D H h m s SSS E u a z Z X)",
                c.to_string().repeat(count)
            ))
        }
        other => return Err(format!("Illegal pattern character '{other}'")),
    };
    Ok((item, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MILLIS_PER_DAY: i64 = 86_400_000;

    fn fmt(pattern: &str, millis: i64) -> String {
        JavaDateFormat::compile(pattern)
            .unwrap()
            .format(millis)
            .unwrap()
    }

    fn parse(pattern: &str, text: &str) -> Result<i64, String> {
        JavaDateFormat::compile(pattern).unwrap().parse(text)
    }

    #[test]
    fn kafkas_test_pattern_round_trips() {
        let pattern = "yyyy MM dd HH mm ss SSS z";
        let millis = MILLIS_PER_DAY + 1234;
        assert_eq!(fmt(pattern, millis), "1970 01 02 00 00 01 234 UTC");
        assert_eq!(parse(pattern, "1970 01 02 00 00 01 234 UTC"), Ok(millis));
    }

    #[test]
    fn common_patterns_format_as_java() {
        let t = 1_700_000_000_123; // 2023-11-14T22:13:20.123Z, a Tuesday
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", t),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(
            fmt("yyyy-MM-dd HH:mm:ss.SSSZ", t),
            "2023-11-14 22:13:20.123+0000"
        );
        assert_eq!(fmt("yyyyMMdd", t), "20231114");
        assert_eq!(
            fmt("EEE, d MMM yyyy hh:mm a", t),
            "Tue, 14 Nov 2023 10:13 PM"
        );
        assert_eq!(fmt("EEEE MMMM yy D u", t), "Tuesday November 23 318 2");
        assert_eq!(fmt("'It''s' h 'o''clock'", t), "It's 10 o'clock");
        assert_eq!(fmt("zzzz", t), "Coordinated Universal Time");
    }

    #[test]
    fn parsing_fills_missing_fields_from_the_epoch_and_applies_zones() {
        assert_eq!(parse("HH:mm", "01:30"), Ok(90 * 60_000));
        assert_eq!(parse("yyyyMMdd", "19700102"), Ok(MILLIS_PER_DAY));
        assert_eq!(
            parse("yyyy-MM-dd'T'HH:mm:ssXXX", "1970-01-01T02:00:00+02:00"),
            Ok(0)
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm:ss Z", "1970-01-01 00:00:00 -0100"),
            Ok(3_600_000)
        );
        // Text after the pattern is ignored, as by DateFormat.parse(String).
        assert_eq!(
            parse("yyyy-MM-dd", "1970-01-02 trailing"),
            Ok(MILLIS_PER_DAY)
        );
        assert!(parse("yyyy-MM-dd", "1970/01/02").is_err());
        assert!(parse("yy-MM-dd", "70-01-02").is_err());
    }

    #[test]
    fn untranslatable_patterns_are_refused() {
        for pattern in [
            "bad-format",
            "yyyy-MM-dd'T",
            "S",
            "SSSSSS",
            "ddd",
            "YYYY",
            "kk",
            "XXXX",
            "G",
        ] {
            assert!(JavaDateFormat::compile(pattern).is_err(), "{pattern}");
        }
    }
}
