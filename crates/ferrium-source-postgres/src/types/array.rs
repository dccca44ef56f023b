//! PostgreSQL's one-dimensional array literal (`{1,2,NULL}`, `{"a b","c\"d"}`) split into
//! element texts, each then decoded by the element type's codec.
//!
//! `array_out` quotes an element when it is empty, contains `{},"\`, the delimiter or
//! white space, or spells `NULL`; inside quotes a backslash escapes the next character. An
//! unquoted `NULL` is SQL NULL, a quoted one is the string. Elements without escapes are
//! borrowed from the input.
//!
//! Multi-dimensional arrays and arrays with explicit bounds (`[0:1]={…}`) are rejected:
//! Debezium's schema for an array column is one-dimensional and starts at index 1.

use std::borrow::Cow;

pub(crate) fn parse_array(text: &str) -> Result<Vec<Option<Cow<'_, str>>>, &'static str> {
    let b = text.as_bytes();
    match b.first() {
        Some(b'{') => {}
        Some(b'[') => return Err("arrays with explicit bounds are not supported"),
        _ => return Err("not an array literal"),
    }
    let mut out = Vec::new();
    let mut i = 1;
    skip_ws(b, &mut i);
    if b.get(i) == Some(&b'}') {
        i += 1;
        return end(b, i, out);
    }
    loop {
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b'{') => return Err("multi-dimensional arrays are not supported"),
            Some(b'"') => out.push(Some(quoted(text, &mut i)?)),
            Some(_) => out.push(unquoted(text, &mut i)?),
            None => return Err("unterminated array literal"),
        }
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                i += 1;
                return end(b, i, out);
            }
            _ => return Err("expected ',' or '}' in array literal"),
        }
    }
}

fn end<T>(b: &[u8], i: usize, v: T) -> Result<T, &'static str> {
    if i == b.len() {
        Ok(v)
    } else {
        Err("unexpected characters after the array literal")
    }
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
        *i += 1;
    }
}

/// A `"…"` element starting at `*i`; leaves `*i` after the closing quote.
fn quoted<'a>(text: &'a str, i: &mut usize) -> Result<Cow<'a, str>, &'static str> {
    let b = text.as_bytes();
    let start = *i + 1;
    let mut j = start;
    while j < b.len() {
        match b[j] {
            b'"' => {
                *i = j + 1;
                return Ok(Cow::Borrowed(&text[start..j]));
            }
            b'\\' => return quoted_escaped(text, start, j, i),
            _ => j += 1,
        }
    }
    Err("unterminated quoted array element")
}

fn quoted_escaped<'a>(
    text: &'a str,
    start: usize,
    first_escape: usize,
    i: &mut usize,
) -> Result<Cow<'a, str>, &'static str> {
    let b = text.as_bytes();
    let mut s = String::with_capacity(first_escape - start + 16);
    s.push_str(&text[start..first_escape]);
    let mut j = first_escape;
    let mut run = j;
    while j < b.len() {
        match b[j] {
            b'"' => {
                s.push_str(&text[run..j]);
                *i = j + 1;
                return Ok(Cow::Owned(s));
            }
            b'\\' => {
                s.push_str(&text[run..j]);
                // The escaped character may be multi-byte; copy it whole.
                let c = text[j + 1..]
                    .chars()
                    .next()
                    .ok_or("unterminated quoted array element")?;
                s.push(c);
                j += 1 + c.len_utf8();
                run = j;
            }
            _ => j += 1,
        }
    }
    Err("unterminated quoted array element")
}

/// An unquoted element: up to the next `,` or `}`; `NULL` (any case) is SQL NULL.
fn unquoted<'a>(text: &'a str, i: &mut usize) -> Result<Option<Cow<'a, str>>, &'static str> {
    let b = text.as_bytes();
    let start = *i;
    let mut j = start;
    let mut escaped = false;
    while j < b.len() {
        match b[j] {
            b',' | b'}' => break,
            b'{' | b'"' => return Err("unexpected character in unquoted array element"),
            b'\\' => {
                escaped = true;
                j += 2;
            }
            _ => j += 1,
        }
    }
    if j > b.len() {
        return Err("unterminated array literal");
    }
    // array_out never pads, but the input syntax allows trailing blanks around elements.
    let mut end = j;
    while end > start && b[end - 1].is_ascii_whitespace() && !(end >= 2 && b[end - 2] == b'\\') {
        end -= 1;
    }
    *i = j;
    let raw = &text[start..end];
    if !escaped {
        if raw.eq_ignore_ascii_case("NULL") {
            return Ok(None);
        }
        return Ok(Some(Cow::Borrowed(raw)));
    }
    let mut s = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            s.push(chars.next().ok_or("dangling backslash in array element")?);
        } else {
            s.push(c);
        }
    }
    Ok(Some(Cow::Owned(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Option<String>> {
        parse_array(text)
            .unwrap()
            .into_iter()
            .map(|e| e.map(Cow::into_owned))
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn splits_plain_quoted_and_null_elements() {
        assert_eq!(parse("{1,2,NULL}"), vec![s("1"), s("2"), None]);
        assert_eq!(parse("{}"), Vec::<Option<String>>::new());
        assert_eq!(
            parse(r#"{"a b","c\"d",NULL}"#),
            vec![s("a b"), s("c\"d"), None]
        );
        // A quoted NULL is a string; an unquoted one in any case is SQL NULL.
        assert_eq!(parse(r#"{"NULL",null}"#), vec![s("NULL"), None]);
        assert_eq!(parse(r#"{"",x}"#), vec![s(""), s("x")]);
        assert_eq!(
            parse(r#"{"back\\slash","comma,inside","br{ace}"}"#),
            vec![s("back\\slash"), s("comma,inside"), s("br{ace}")]
        );
        assert_eq!(parse(r#"{"\\x0102ff"}"#), vec![s("\\x0102ff")]);
        assert_eq!(parse(r#"{"é\"ü",ß}"#), vec![s("é\"ü"), s("ß")]);
        assert_eq!(parse("{vip,beta}"), vec![s("vip"), s("beta")]);
    }

    #[test]
    fn borrows_when_nothing_is_escaped() {
        let parsed = parse_array(r#"{plain,"quoted"}"#).unwrap();
        assert!(parsed.iter().all(|e| matches!(e, Some(Cow::Borrowed(_)))));
    }

    #[test]
    fn rejects_multi_dimensional_bounds_and_garbage() {
        assert_eq!(
            parse_array("{{1,2},{3,4}}").unwrap_err(),
            "multi-dimensional arrays are not supported"
        );
        assert_eq!(
            parse_array("[0:1]={1,2}").unwrap_err(),
            "arrays with explicit bounds are not supported"
        );
        assert!(parse_array("1,2").is_err());
        assert!(parse_array("{1,2").is_err());
        assert!(parse_array(r#"{"a}"#).is_err());
        assert!(parse_array("{1,2}x").is_err());
    }
}
