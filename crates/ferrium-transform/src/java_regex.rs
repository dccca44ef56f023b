//! Java regex patterns and `Matcher.replaceFirst` replacements in Rust's `regex` crate.
//! Kafka's and Debezium's routers take Java patterns and replacements: `$1` or `${name}`
//! for groups, `\$` for a literal dollar. Java reads `$12` as group 12 only when the
//! pattern has twelve groups (otherwise group 1 then `2`), and fails on a reference to a
//! missing group, on `$` without a group and on a trailing `\`; since a replacement is
//! fixed, it is translated, and those failures reported, once at configuration time.

use regex::Regex;

use crate::{ConfigProblem, Props};

/// Compiles a Java pattern; the error names the option.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

/// Compiles a pattern that must match the whole input (Java's `Matcher.matches()`).
pub fn compile_full(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

/// A pattern as Java's `Matcher.matches()` then `replaceFirst` use it: the whole input
/// must match, but the replacement applies to the first match found from the start,
/// which for an alternation such as `a|ab` is not the whole input.
pub struct JavaPattern {
    whole: Regex,
    first: Regex,
    replacement: String,
}

impl JavaPattern {
    /// `option` names the pattern, `replacement_option` the replacement.
    pub fn new(
        props: &Props,
        (option, pattern): (&str, &str),
        (replacement_option, replacement): (&str, &str),
    ) -> Result<Self, ConfigProblem> {
        let checked = |p: Result<Regex, String>| p.map_err(|e| props.problem(option, e));
        let first = checked(compile(pattern))?;
        let replacement = self::replacement(replacement, &first).map_err(|e| {
            props.problem(
                replacement_option,
                format!("'{replacement}' cannot be used with '{pattern}': {e}"),
            )
        })?;
        Ok(JavaPattern {
            whole: checked(compile_full(pattern))?,
            first,
            replacement,
        })
    }

    pub fn replace_if_matches(&self, input: &str) -> Option<String> {
        self.whole.is_match(input).then(|| {
            self.first
                .replacen(input, 1, self.replacement.as_str())
                .into_owned()
        })
    }
}

/// `replacement` for `pattern`, in Rust's syntax, or what Java would throw.
pub fn replacement(replacement: &str, pattern: &Regex) -> Result<String, String> {
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

    fn rust(java: &str, pattern: &str) -> Result<String, String> {
        replacement(java, &Regex::new(pattern).unwrap())
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
