//! Kafka's `Values.parseString`: the typed value a string literal stands for, as
//! `InsertHeader` reads `value.literal`. The tokenizer and the recursive parser follow
//! Kafka's control flow step by step (including its fall-backs to a plain string, e.g.
//! `{a:1}` with an unquoted key, and its habit of reading only a leading number, so
//! `1,2` is the int8 1), because the result must be the same value and schema.
//!
//! Kafka's `SimpleDateFormat` uses the JVM's time zone for ISO literals; this assumes UTC
//! (the usual setting for Connect workers) and the proleptic Gregorian calendar.

use chrono::NaiveDate;
use ferrium_event::logical::decimal::unscaled_bytes;
use ferrium_event::{Schema, SchemaType, Value};

/// The Connect type of a parsed literal (all of Kafka's parse results are required
/// schemas). `None` in a container is Kafka's schema-less `arrayOfNull` / `mapOfNull`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    String,
    /// `org.apache.kafka.connect.data.Decimal` with this scale.
    Decimal(i32),
    Date,
    Time,
    Timestamp,
    Array(Option<Box<Kind>>),
    Map(Option<Box<Kind>>, Option<Box<Kind>>),
}

/// The Java type behind `Kind`, for schema merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseType {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    String,
    Bytes,
    Array,
    Map,
}

impl Kind {
    fn base(&self) -> BaseType {
        match self {
            Kind::Boolean => BaseType::Boolean,
            Kind::Int8 => BaseType::Int8,
            Kind::Int16 => BaseType::Int16,
            Kind::Int32 | Kind::Date | Kind::Time => BaseType::Int32,
            Kind::Int64 | Kind::Timestamp => BaseType::Int64,
            Kind::Float32 => BaseType::Float32,
            Kind::Float64 => BaseType::Float64,
            Kind::String => BaseType::String,
            Kind::Decimal(_) => BaseType::Bytes,
            Kind::Array(_) => BaseType::Array,
            Kind::Map(..) => BaseType::Map,
        }
    }
}

/// A parsed value, as the Java object Kafka holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lit {
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    String(String),
    /// A `BigDecimal`: sign, unscaled digits, scale.
    Decimal(bool, String, i32),
    /// A `java.util.Date`: epoch milliseconds.
    Instant(i64),
    List(Vec<Option<Lit>>),
    Map(Vec<(Lit, Option<Lit>)>),
}

/// A parse result; Kafka's `null` (the literal `null`) is `None` around it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Parsed {
    pub(super) kind: Kind,
    pub(super) value: Lit,
}

/// Kafka's `DataException` inside the parser: caught where Kafka catches it.
#[derive(Debug)]
struct ParseFailure;

/// `Values.parseString(text)`; `None` for the literal `null`.
pub(super) fn parse_string(text: &str) -> Option<Parsed> {
    if text.is_empty() {
        return Some(Parsed {
            kind: Kind::String,
            value: Lit::String(String::new()),
        });
    }
    let mut parser = ValueParser {
        tokens: Tokenizer::new(text),
    };
    // A top-level parse never fails: failures fall back to a string inside `parse`.
    parser.parse(false).unwrap_or_else(|_| {
        Some(Parsed {
            kind: Kind::String,
            value: Lit::String(text.to_string()),
        })
    })
}

fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

/// Java's `String.trim`: every char up to U+0020 on both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Kafka's `Values.Parser`: tokens split at unescaped `: , { } [ ] "`.
struct Tokenizer {
    chars: Vec<char>,
    index: usize,
    next_token: Option<String>,
    previous_token: Option<String>,
}

impl Tokenizer {
    fn new(text: &str) -> Self {
        Tokenizer {
            chars: text.chars().collect(),
            index: 0,
            next_token: None,
            previous_token: None,
        }
    }

    fn original(&self) -> String {
        self.chars.iter().collect()
    }

    fn substring(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    fn mark(&self) -> usize {
        self.index - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, position: usize) {
        self.index = position;
        self.next_token = None;
        self.previous_token = None;
    }

    fn can_consume_next_token(&self) -> bool {
        self.index < self.chars.len()
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn next(&mut self) -> String {
        let token = match self.next_token.take() {
            Some(t) => t,
            None => self.consume_next_token(),
        };
        self.previous_token = Some(token.clone());
        token
    }

    /// The text of the next `n` tokens, or `None` (and no movement) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<String> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.substring(start, self.index))
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.index;
        while self.can_consume_next_token() {
            let c = self.chars[self.index];
            match c {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' if !escaped => {
                    if start < self.index {
                        return self.substring(start, self.index);
                    }
                    self.index += 1;
                    return self.substring(start, start + 1);
                }
                _ => escaped = false,
            }
            self.index += 1;
        }
        self.substring(start, self.index)
    }

    /// Consumes the next token if it is `expected` (blank tokens before it skipped, the
    /// token compared trimmed).
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self.next_token.as_deref().is_some_and(is_blank) && self.can_consume_next_token() {
            self.next_token = Some(self.consume_next_token());
        }
        self.next_token
            .as_deref()
            .is_some_and(|t| java_trim(t) == expected)
    }
}

struct ValueParser {
    tokens: Tokenizer,
}

type Step = Result<Option<Parsed>, ParseFailure>;

impl ValueParser {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.tokens.mark();
        if self.tokens.can_consume(literal) && (embedded || !self.tokens.has_next()) {
            return true;
        }
        self.tokens.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Step {
        if !self.tokens.has_next() {
            return Ok(None);
        }
        if embedded && self.tokens.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        for (literal, value) in [("true", true), ("false", false)] {
            if self.can_parse_single_token_literal(embedded, literal) {
                return Ok(Some(Parsed {
                    kind: Kind::Boolean,
                    value: Lit::Boolean(value),
                }));
            }
        }
        let start = self.tokens.mark();
        let container = if self.tokens.can_consume("[") {
            Some(self.parse_array())
        } else if self.tokens.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match container {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            // Not an array or map after all: read it again as a plain token.
            Some(Err(ParseFailure)) => self.tokens.rewind_to(start),
            None => {}
        }
        let token = self.tokens.next();
        if is_blank(&token) {
            return Ok(Some(Parsed {
                kind: Kind::String,
                value: Lit::String(token),
            }));
        }
        self.parse_next_token(embedded, java_trim(&token)).map(Some)
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Result<Parsed, ParseFailure> {
        let first = token.chars().next().unwrap_or(' ');
        let first_is_digit = first.is_ascii_digit();
        if first_is_digit {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(temporal);
            }
        }
        if first_is_digit || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(token) {
                return Ok(number);
            }
        }
        if embedded {
            return Err(ParseFailure);
        }
        Ok(Parsed {
            kind: Kind::String,
            value: Lit::String(self.tokens.original()),
        })
    }

    fn parse_quoted_string(&mut self) -> Parsed {
        let mut content = String::new();
        while self.tokens.has_next() {
            if self.tokens.can_consume("\"") {
                break;
            }
            content.push_str(&self.tokens.next());
        }
        parse_as_temporal(&content).unwrap_or(Parsed {
            kind: Kind::String,
            value: Lit::String(content),
        })
    }

    fn parse_array(&mut self) -> Result<Parsed, ParseFailure> {
        let mut result: Vec<Option<Lit>> = Vec::new();
        let mut element_schema = SchemaMerger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume("]") {
                let kind = match element_schema.common() {
                    Some(common) => {
                        result = result
                            .into_iter()
                            .map(|v| convert_to(common, v).map(Some))
                            .collect::<Result<_, _>>()?;
                        Some(Box::new(common.clone()))
                    }
                    None => None,
                };
                return Ok(Parsed {
                    kind: Kind::Array(kind),
                    value: Lit::List(result),
                });
            }
            if self.tokens.can_consume(",") {
                return Err(ParseFailure);
            }
            let element = self.parse(true)?;
            element_schema.merge(element.as_ref().map(|e| &e.kind));
            result.push(element.map(|e| e.value));
            let position = self.tokens.mark();
            if self.tokens.can_consume("]") {
                self.tokens.rewind_to(position);
            } else if !self.tokens.can_consume(",") {
                return Err(ParseFailure);
            }
        }
        Err(ParseFailure)
    }

    fn parse_map(&mut self) -> Result<Parsed, ParseFailure> {
        let mut result: Vec<(Lit, Option<Lit>)> = Vec::new();
        let mut key_schema = SchemaMerger::default();
        let mut value_schema = SchemaMerger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume("}") {
                let (key_kind, value_kind) = match (key_schema.common(), value_schema.common()) {
                    (Some(k), Some(v)) => {
                        result = result
                            .into_iter()
                            .map(|(key, value)| {
                                Ok((convert_to(k, Some(key))?, Some(convert_to(v, value)?)))
                            })
                            .collect::<Result<_, _>>()?;
                        (Some(Box::new(k.clone())), Some(Box::new(v.clone())))
                    }
                    (Some(k), None) => {
                        result = result
                            .into_iter()
                            .map(|(key, value)| Ok((convert_to(k, Some(key))?, value)))
                            .collect::<Result<_, _>>()?;
                        (Some(Box::new(k.clone())), None)
                    }
                    _ => (None, None),
                };
                return Ok(Parsed {
                    kind: Kind::Map(key_kind, value_kind),
                    value: Lit::Map(result),
                });
            }
            if self.tokens.can_consume(",") {
                return Err(ParseFailure);
            }
            let Some(key) = self.parse(true)? else {
                return Err(ParseFailure);
            };
            if !self.tokens.can_consume(":") {
                return Err(ParseFailure);
            }
            let value = self.parse(true)?;
            self.tokens.can_consume(",");
            key_schema.merge(Some(&key.kind));
            value_schema.merge(value.as_ref().map(|v| &v.kind));
            // A repeated key replaces the earlier entry in place, as in a LinkedHashMap.
            let entry_value = value.map(|v| v.value);
            match result.iter_mut().find(|(k, _)| *k == key.value) {
                Some(existing) => existing.1 = entry_value,
                None => result.push((key.value, entry_value)),
            }
        }
        Err(ParseFailure)
    }

    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<Parsed> {
        // A time or timestamp is split into five tokens at its unescaped colons.
        let position = self.tokens.mark();
        if let Some(remainder) = self.tokens.next_n(4) {
            if let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}")) {
                return Some(temporal);
            }
        }
        self.tokens.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// Kafka's `SchemaMerger`: the common schema of a container's elements, if any.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Kind>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&Kind>) {
        let Some(latest) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(latest.clone()),
            Some(previous) => merge_schemas(previous, latest.clone()),
        };
        self.incompatible = self.common.is_none();
    }

    fn common(&self) -> Option<&Kind> {
        self.common.as_ref()
    }
}

/// Kafka's `mergeSchemas`: numeric types widen; equal types give the later schema.
fn merge_schemas(previous: Kind, new: Kind) -> Option<Kind> {
    use BaseType as B;
    let (p, n) = (previous.base(), new.base());
    if p == n {
        return Some(new);
    }
    let rank = |t: B| match t {
        B::Int8 => Some(0),
        B::Int16 => Some(1),
        B::Int32 => Some(2),
        B::Int64 => Some(3),
        B::Float32 => Some(4),
        B::Float64 => Some(5),
        _ => None,
    };
    match (rank(p), rank(n)) {
        (Some(pr), Some(nr)) if nr > pr => Some(new),
        (Some(_), Some(_)) => Some(previous),
        _ => None,
    }
}

/// Kafka's `convertTo(toSchema, null, value)` for the schemas a merge can produce.
fn convert_to(to: &Kind, value: Option<Lit>) -> Result<Lit, ParseFailure> {
    // Every merged schema is required: a null element is a failure, as in Kafka.
    let value = value.ok_or(ParseFailure)?;
    let as_long = |v: &Lit| -> Option<i64> {
        Some(match v {
            Lit::Int8(n) => i64::from(*n),
            Lit::Int16(n) => i64::from(*n),
            Lit::Int32(n) => i64::from(*n),
            Lit::Int64(n) => *n,
            Lit::Float32(f) => *f as i64,
            Lit::Float64(f) => *f as i64,
            _ => return None,
        })
    };
    let as_double = |v: &Lit| -> Option<f64> {
        Some(match v {
            Lit::Float32(f) => f64::from(*f),
            Lit::Float64(f) => *f,
            other => as_long(other)? as f64,
        })
    };
    Ok(match (to, &value) {
        (Kind::Int8, v) => Lit::Int8(as_long(v).ok_or(ParseFailure)? as i8),
        (Kind::Int16, v) => Lit::Int16(as_long(v).ok_or(ParseFailure)? as i16),
        (Kind::Int32, v) => Lit::Int32(as_long(v).ok_or(ParseFailure)? as i32),
        (Kind::Int64, v) => Lit::Int64(as_long(v).ok_or(ParseFailure)?),
        (Kind::Float32, v) => Lit::Float32(as_double(v).ok_or(ParseFailure)? as f32),
        (Kind::Float64, v) => Lit::Float64(as_double(v).ok_or(ParseFailure)?),
        // Same-type merges (strings, booleans, containers, logical types) keep the value.
        _ => value,
    })
}

/// `new BigDecimal(token)`: sign, digits with an optional point, optional exponent.
/// Returns the sign, the unscaled digits without leading zeros, and the scale.
fn parse_big_decimal(token: &str) -> Option<(bool, String, i32)> {
    let (negative, rest) = match token.as_bytes().first()? {
        b'-' => (true, &token[1..]),
        b'+' => (false, &token[1..]),
        _ => (false, token),
    };
    let (significand, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (integer, fraction) = significand.split_once('.').unwrap_or((significand, ""));
    if integer.is_empty() && fraction.is_empty()
        || !integer
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            e.parse().ok()?
        }
    };
    let scale = i32::try_from(fraction.len() as i64 - exponent).ok()?;
    let all = format!("{integer}{fraction}");
    let digits = all.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    Some((negative, digits.to_string(), scale))
}

/// Kafka's `parseAsNumber`: the narrowest integer for an integral value within a long,
/// else a float, a double, or a Decimal; `None` where `BigDecimal` refuses the token.
fn parse_as_number(token: &str) -> Option<Parsed> {
    let (negative, digits, scale) = parse_big_decimal(token)?;
    if let Some(integral) = exact_integer(negative, &digits, scale) {
        return Some(narrowest_integer(integral));
    }
    let scientific = format!(
        "{}{digits}e{}",
        if negative { "-" } else { "" },
        -i64::from(scale)
    );
    let float: f32 = scientific.parse().ok()?;
    if float.is_finite() && scale != 0 {
        return Some(Parsed {
            kind: Kind::Float32,
            value: Lit::Float32(float),
        });
    }
    let double: f64 = scientific.parse().ok()?;
    if double.is_finite() && scale != 0 {
        return Some(Parsed {
            kind: Kind::Float64,
            value: Lit::Float64(double),
        });
    }
    Some(Parsed {
        kind: Kind::Decimal(scale),
        value: Lit::Decimal(negative, digits, scale),
    })
}

/// The value as a long, if it is a whole number within a long's range.
fn exact_integer(negative: bool, digits: &str, scale: i32) -> Option<i64> {
    if digits == "0" {
        return Some(0);
    }
    let integer = if scale <= 0 {
        let zeros = scale.unsigned_abs() as usize;
        if digits.len() + zeros > 19 {
            return None;
        }
        format!("{digits}{}", "0".repeat(zeros))
    } else {
        let scale = scale as usize;
        if scale >= digits.len() || !digits[digits.len() - scale..].bytes().all(|b| b == b'0') {
            return None;
        }
        digits[..digits.len() - scale].to_string()
    };
    let magnitude: i128 = integer.parse().ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

fn narrowest_integer(n: i64) -> Parsed {
    let (kind, value) = if let Ok(v) = i8::try_from(n) {
        (Kind::Int8, Lit::Int8(v))
    } else if let Ok(v) = i16::try_from(n) {
        (Kind::Int16, Lit::Int16(v))
    } else if let Ok(v) = i32::try_from(n) {
        (Kind::Int32, Lit::Int32(v))
    } else {
        (Kind::Int64, Lit::Int64(n))
    };
    Parsed { kind, value }
}

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Kafka's `parseAsTemporal`: by length, an ISO time (`HH:mm:ss.SSS'Z'`), timestamp
/// (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`) or date (`yyyy-MM-dd`).
fn parse_as_temporal(token: &str) -> Option<Parsed> {
    let token = token.replace("\\:", ":");
    let length = token.encode_utf16().count();
    let (kind, ms) = match length {
        13 => (
            Kind::Time,
            lenient_parse(&token, &[H, C, M, C, S, DOT, MS, Z])?,
        ),
        24 => (
            Kind::Timestamp,
            lenient_parse(
                &token,
                &[Y, DASH, MO, DASH, D, T, H, C, M, C, S, DOT, MS, Z],
            )?,
        ),
        10 => (Kind::Date, lenient_parse(&token, &[Y, DASH, MO, DASH, D])?),
        _ => return None,
    };
    Some(Parsed {
        kind,
        value: Lit::Instant(ms),
    })
}

/// A piece of the three ISO patterns: a numeric field or a literal character.
#[derive(Clone, Copy)]
enum Piece {
    Field(usize),
    Char(char),
}

const Y: Piece = Piece::Field(0);
const MO: Piece = Piece::Field(1);
const D: Piece = Piece::Field(2);
const H: Piece = Piece::Field(3);
const M: Piece = Piece::Field(4);
const S: Piece = Piece::Field(5);
const MS: Piece = Piece::Field(6);
const DASH: Piece = Piece::Char('-');
const C: Piece = Piece::Char(':');
const DOT: Piece = Piece::Char('.');
const T: Piece = Piece::Char('T');
const Z: Piece = Piece::Char('Z');

/// `SimpleDateFormat.parse(text, position)` for these patterns in UTC: each numeric field
/// takes every digit before the next literal, and out-of-range fields roll over as a
/// lenient `Calendar` does (month 13 is January of the next year). Trailing text is
/// ignored; a mismatch anywhere is no result.
fn lenient_parse(text: &str, pattern: &[Piece]) -> Option<i64> {
    // year, month, day, hour, minute, second, millisecond; the epoch where absent.
    let mut fields: [i64; 7] = [1970, 1, 1, 0, 0, 0, 0];
    let mut rest = text;
    for piece in pattern {
        match piece {
            Piece::Char(c) => rest = rest.strip_prefix(*c)?,
            Piece::Field(i) => {
                let end = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                if end == 0 {
                    return None;
                }
                fields[*i] = rest[..end].parse().ok()?;
                rest = &rest[end..];
            }
        }
    }
    let [year, month, day, hour, minute, second, millisecond] = fields;
    let months = year.checked_mul(12)?.checked_add(month - 1)?;
    let first = NaiveDate::from_ymd_opt(
        i32::try_from(months.div_euclid(12)).ok()?,
        u32::try_from(months.rem_euclid(12) + 1).ok()?,
        1,
    )?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let days = (first - epoch).num_days().checked_add(day - 1)?;
    days.checked_mul(MILLIS_PER_DAY)?
        .checked_add(hour.checked_mul(3_600_000)?)?
        .checked_add(minute.checked_mul(60_000)?)?
        .checked_add(second.checked_mul(1000)?)?
        .checked_add(millisecond)
}

/// The Connect schema and value of a parse result, or why Ferrium cannot carry it: Kafka
/// can also give containers without an element schema (`[]`, `[null]`, `[1, "a"]`,
/// `{}`), which a Ferrium schema cannot describe.
pub(super) fn to_connect(parsed: Parsed) -> Result<(Schema, Value), String> {
    let schema = kind_schema(&parsed.kind)?;
    let value = to_value(&parsed.kind, parsed.value)?;
    Ok((schema, value))
}

const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";

fn kind_schema(kind: &Kind) -> Result<Schema, String> {
    let no_common = |what: &str| {
        format!(
            "Kafka gives this literal {what} without a common type, which Ferrium cannot represent"
        )
    };
    Ok(match kind {
        Kind::Boolean => Schema::of(SchemaType::Boolean),
        Kind::Int8 => Schema::of(SchemaType::Int8),
        Kind::Int16 => Schema::of(SchemaType::Int16),
        Kind::Int32 => Schema::of(SchemaType::Int32),
        Kind::Int64 => Schema::of(SchemaType::Int64),
        Kind::Float32 => Schema::of(SchemaType::Float32),
        Kind::Float64 => Schema::of(SchemaType::Float64),
        Kind::String => Schema::of(SchemaType::String),
        Kind::Decimal(scale) => Schema::of(SchemaType::Bytes)
            .named(DECIMAL_NAME)
            .version(1)
            .param("scale", scale.to_string()),
        Kind::Date => Schema::of(SchemaType::Int32).named(DATE_NAME).version(1),
        Kind::Time => Schema::of(SchemaType::Int32).named(TIME_NAME).version(1),
        Kind::Timestamp => Schema::of(SchemaType::Int64)
            .named(TIMESTAMP_NAME)
            .version(1),
        Kind::Array(Some(items)) => Schema::array(kind_schema(items)?),
        Kind::Array(None) => return Err(no_common("(an array of nulls, empty or of mixed types)")),
        Kind::Map(Some(keys), Some(values)) => {
            Schema::map(kind_schema(keys)?, kind_schema(values)?)
        }
        Kind::Map(..) => {
            return Err(no_common(
                "(a map that is empty, has null values or mixed types)",
            ))
        }
    })
}

fn to_value(kind: &Kind, lit: Lit) -> Result<Value, String> {
    let mismatch = |lit: &Lit| format!("a {lit:?} inside a literal whose common type is {kind:?}");
    Ok(match (kind, lit) {
        (Kind::Boolean, Lit::Boolean(b)) => Value::Boolean(b),
        (Kind::String, Lit::String(s)) => Value::String(s),
        (
            Kind::Int8 | Kind::Int16 | Kind::Int32 | Kind::Int64 | Kind::Float32 | Kind::Float64,
            lit,
        ) => match convert_to(kind, Some(lit.clone())) {
            Ok(Lit::Int8(n)) => Value::Int8(n),
            Ok(Lit::Int16(n)) => Value::Int16(n),
            Ok(Lit::Int32(n)) => Value::Int32(n),
            Ok(Lit::Int64(n)) => Value::Int64(n),
            Ok(Lit::Float32(f)) => Value::Float32(f),
            Ok(Lit::Float64(f)) => Value::Float64(f),
            _ => return Err(mismatch(&lit)),
        },
        (Kind::Decimal(scale), Lit::Decimal(negative, digits, s)) if s == *scale => {
            Value::Bytes(unscaled_bytes(negative, &[digits.as_bytes()], 0))
        }
        (Kind::Date, Lit::Instant(ms)) => Value::Int32(
            i32::try_from(ms.div_euclid(MILLIS_PER_DAY))
                .map_err(|_| "a date out of range".to_string())?,
        ),
        (Kind::Time, Lit::Instant(ms)) if (0..MILLIS_PER_DAY).contains(&ms) => {
            Value::Int32(ms as i32)
        }
        (Kind::Timestamp, Lit::Instant(ms)) => Value::Int64(ms),
        (Kind::Array(Some(items)), Lit::List(list)) => Value::Array(
            list.into_iter()
                .map(|v| match v {
                    Some(v) => to_value(items, v),
                    None => Err("a null element under a required element type".to_string()),
                })
                .collect::<Result<_, _>>()?,
        ),
        (Kind::Map(Some(keys), Some(values)), Lit::Map(entries)) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let v =
                        v.ok_or_else(|| "a null map value under a required type".to_string())?;
                    Ok((to_value(keys, k)?, to_value(values, v)?))
                })
                .collect::<Result<_, String>>()?,
        ),
        (_, lit) => return Err(mismatch(&lit)),
    })
}

#[cfg(test)]
#[path = "values_parse_tests.rs"]
mod tests;
