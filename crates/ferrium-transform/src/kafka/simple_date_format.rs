//! Java `SimpleDateFormat` patterns (`yyyyMMdd`, `yyyy-MM-dd'T'HH`), read once and applied
//! to epoch milliseconds in UTC, with the English names of a JVM in the `en` locale.
//!
//! The letters whose meaning depends on the JVM's locale week rules (`Y`, `w`, `W`) are
//! refused rather than guessed, as is any letter Java itself refuses.

use std::fmt::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// A pattern letter and how many times it is repeated.
    Field(char, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SimpleDateFormat {
    tokens: Vec<Token>,
}

fn push_literal(tokens: &mut Vec<Token>, c: char) {
    match tokens.last_mut() {
        Some(Token::Literal(text)) => text.push(c),
        _ => tokens.push(Token::Literal(c.to_string())),
    }
}

impl SimpleDateFormat {
    pub(super) fn parse(pattern: &str) -> Result<SimpleDateFormat, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // `''` is a quote; otherwise text up to the closing quote, where `''` is
                // again a quote.
                if chars.get(i + 1) == Some(&'\'') {
                    push_literal(&mut tokens, '\'');
                    i += 2;
                    continue;
                }
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".to_string()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            push_literal(&mut tokens, '\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            push_literal(&mut tokens, other);
                            i += 1;
                        }
                    }
                }
                continue;
            }
            if !c.is_ascii_alphabetic() {
                push_literal(&mut tokens, c);
                i += 1;
                continue;
            }
            let count = chars[i..].iter().take_while(|&&x| x == c).count();
            match c {
                'G' | 'y' | 'M' | 'L' | 'D' | 'd' | 'F' | 'E' | 'u' | 'a' | 'H' | 'k' | 'K'
                | 'h' | 'm' | 's' | 'S' | 'z' | 'Z' => {}
                'X' if count <= 3 => {}
                'X' => return Err(format!("invalid ISO 8601 format: length={count}")),
                'Y' | 'w' | 'W' => {
                    return Err(format!(
                        "pattern letter '{c}' depends on the JVM locale's week rules and is not supported"
                    ))
                }
                _ => return Err(format!("Illegal pattern character '{c}'")),
            }
            tokens.push(Token::Field(c, count));
            i += count;
        }
        Ok(SimpleDateFormat { tokens })
    }

    /// `millis` since the epoch, formatted in UTC; `None` beyond chrono's range.
    pub(super) fn format_into(&self, millis: i64, out: &mut String) -> Option<()> {
        let t = DateTime::<Utc>::from_timestamp_millis(millis)?;
        for token in &self.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Field(letter, count) => push_field(out, &t, *letter, *count),
            }
        }
        Some(())
    }
}

fn padded(out: &mut String, value: i64, width: usize) {
    let _ = write!(out, "{value:0width$}");
}

fn push_field(out: &mut String, t: &DateTime<Utc>, letter: char, count: usize) {
    let year = i64::from(t.year());
    // Java counts years of an era: 1 BC is year 0 here.
    let year_of_era = if year > 0 { year } else { 1 - year };
    let hour = i64::from(t.hour());
    match letter {
        'G' => out.push_str(if year > 0 { "AD" } else { "BC" }),
        'y' if count == 2 => padded(out, year_of_era % 100, 2),
        'y' => padded(out, year_of_era, count),
        'M' | 'L' if count >= 4 => out.push_str(MONTHS[t.month0() as usize]),
        'M' | 'L' if count == 3 => out.push_str(&MONTHS[t.month0() as usize][..3]),
        'M' | 'L' => padded(out, i64::from(t.month()), count),
        'D' => padded(out, i64::from(t.ordinal()), count),
        'd' => padded(out, i64::from(t.day()), count),
        'F' => padded(out, i64::from((t.day() - 1) / 7 + 1), count),
        'E' if count >= 4 => out.push_str(DAYS[t.weekday().num_days_from_monday() as usize]),
        'E' => out.push_str(&DAYS[t.weekday().num_days_from_monday() as usize][..3]),
        'u' => padded(out, i64::from(t.weekday().number_from_monday()), count),
        'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
        'H' => padded(out, hour, count),
        'k' => padded(out, if hour == 0 { 24 } else { hour }, count),
        'K' => padded(out, hour % 12, count),
        'h' => padded(out, if hour % 12 == 0 { 12 } else { hour % 12 }, count),
        'm' => padded(out, i64::from(t.minute()), count),
        's' => padded(out, i64::from(t.second()), count),
        'S' => padded(out, i64::from(t.timestamp_subsec_millis()), count),
        'z' if count >= 4 => out.push_str("Coordinated Universal Time"),
        'z' => out.push_str("UTC"),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(pattern: &str, millis: i64) -> String {
        let mut out = String::new();
        SimpleDateFormat::parse(pattern)
            .unwrap()
            .format_into(millis, &mut out)
            .unwrap();
        out
    }

    // 2017-01-03T06:30:01.864Z, a Tuesday.
    const T: i64 = 1_483_425_001_864;

    #[test]
    fn formats_the_common_letters() {
        assert_eq!(format("yyyyMMdd", T), "20170103");
        assert_eq!(
            format("yyyy-MM-dd HH:mm:ss.SSS", T),
            "2017-01-03 06:30:01.864"
        );
        assert_eq!(format("yy-M-d H:m:s", T), "17-1-3 6:30:1");
        assert_eq!(format("MMM MMMM EEE EEEE", T), "Jan January Tue Tuesday");
        assert_eq!(format("D DDD u F G", T), "3 003 2 1 AD");
        assert_eq!(format("h hh K k a", T), "6 06 6 6 AM");
        assert_eq!(format("h a k", 1_483_401_600_000), "12 AM 24"); // midnight
        assert_eq!(
            format("z zzzz Z X XXX", T),
            "UTC Coordinated Universal Time +0000 Z Z"
        );
        assert_eq!(format("y yyy yyyyy", T), "2017 2017 02017");
        assert_eq!(format("S SS", T + 1 - 865), "0 00");
    }

    #[test]
    fn quotes_and_literals() {
        assert_eq!(format("yyyy'T'HH", T), "2017T06");
        assert_eq!(format("''yyyy''", T), "'2017'");
        assert_eq!(format("'o''clock' HH", T), "o'clock 06");
        assert_eq!(format("yyyy_MM-dd/HH.", T), "2017_01-03/06.");
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        for bad in ["yyyy-ww", "YYYY", "W", "yyyy-q", "'open", "XXXX", "bb"] {
            assert!(SimpleDateFormat::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SimpleDateFormat::parse("yyyyq").unwrap_err(),
            "Illegal pattern character 'q'"
        );
    }

    #[test]
    fn times_before_the_epoch() {
        assert_eq!(format("yyyyMMdd HH", -1), "19691231 23");
    }
}
