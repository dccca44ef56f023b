//! Java's `Matcher.replaceFirst` replacement syntax, checked against the pattern it is
//! used with and written in the `regex` crate's syntax. Java reads `$12` as group 12
//! only when the pattern has twelve groups (otherwise group 1 then `2`), and fails on a
//! reference to a missing group, on `$` without a group and on a trailing `\`; since the
//! replacement is fixed, those failures are reported once, at configuration time.

use regex::Regex;

/// `replacement` for `pattern`, in Rust's syntax, or what Java would throw.
pub fn translate(replacement: &str, pattern: &Regex) -> Result<String, String> {
    let group_count = pattern.captures_len() - 1;
    let mut out = String::with_capacity(replacement.len() + 8);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(escaped) => out.push(escaped),
                None => return Err("character to be escaped is missing".into()),
            },
            '$' => match chars.next() {
                None => return Err("Illegal group reference: group index is missing".into()),
                Some('{') => {
                    let mut name = String::new();
                    while let Some(n) = chars.peek().copied().filter(char::is_ascii_alphanumeric) {
                        name.push(n);
                        chars.next();
                    }
                    if name.is_empty() {
                        return Err("named capturing group has 0 length name".into());
                    }
                    if chars.next() != Some('}') {
                        return Err("named capturing group is missing trailing '}'".into());
                    }
                    if name.starts_with(|c: char| c.is_ascii_digit()) {
                        return Err(format!(
                            "capturing group name {{{name}}} starts with digit character"
                        ));
                    }
                    if !pattern.capture_names().flatten().any(|n| n == name) {
                        return Err(format!("No group with name {{{name}}}"));
                    }
                    out.push_str("${");
                    out.push_str(&name);
                    out.push('}');
                }
                Some(first) => {
                    let mut group = first
                        .to_digit(10)
                        .ok_or_else(|| "Illegal group reference".to_string())?
                        as usize;
                    // Further digits belong to the number only while such a group exists.
                    while let Some(digit) = chars.peek().and_then(|d| d.to_digit(10)) {
                        let longer = group * 10 + digit as usize;
                        if longer > group_count {
                            break;
                        }
                        group = longer;
                        chars.next();
                    }
                    if group > group_count {
                        return Err(format!("No group {group}"));
                    }
                    out.push_str(&format!("${{{group}}}"));
                }
            },
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust(replacement: &str, pattern: &str) -> Result<String, String> {
        translate(replacement, &Regex::new(pattern).unwrap())
    }

    fn replace_first(pattern: &str, replacement: &str, input: &str) -> String {
        let re = Regex::new(pattern).unwrap();
        re.replacen(input, 1, rust(replacement, pattern).unwrap().as_str())
            .into_owned()
    }

    #[test]
    fn group_numbers_grow_only_while_the_group_exists() {
        assert_eq!(replace_first("(a)(b)", "$12", "ab"), "a2");
        assert_eq!(
            replace_first(
                "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)",
                "$12",
                "abcdefghijkl"
            ),
            "l"
        );
        assert_eq!(replace_first("(.*)_x", "$1a", "t_x"), "ta");
    }

    #[test]
    fn escapes_and_named_groups() {
        assert_eq!(replace_first("(.*)", "cost\\$1", "t"), "cost$1");
        assert_eq!(replace_first("(.*)", "a\\\\b", "t"), "a\\b");
        assert_eq!(
            replace_first("(?P<db>[a-z]+)\\.(.*)", "${db}_all", "inv.t"),
            "inv_all"
        );
    }

    #[test]
    fn what_java_throws_is_refused() {
        assert_eq!(rust("$2", "(a)").unwrap_err(), "No group 2");
        assert_eq!(
            rust("x$", "(a)").unwrap_err(),
            "Illegal group reference: group index is missing"
        );
        assert_eq!(rust("$a", "(a)").unwrap_err(), "Illegal group reference");
        assert_eq!(
            rust("x\\", "(a)").unwrap_err(),
            "character to be escaped is missing"
        );
        assert_eq!(
            rust("${nope}", "(a)").unwrap_err(),
            "No group with name {nope}"
        );
        assert!(rust("${x", "(?P<x>a)")
            .unwrap_err()
            .contains("trailing '}'"));
        assert!(rust("${}", "(a)").unwrap_err().contains("0 length name"));
    }
}
