//! Java's regex replacement syntax in Rust's `regex` crate. Kafka's and Debezium's
//! routers take Java patterns and `Matcher.replaceFirst` replacements: `$1` or `${name}`
//! for groups, `\$` for a literal dollar. Rust reads `$1a` as a group named `1a`, so the
//! replacement is rewritten once at configuration time.

use regex::Regex;

/// Compiles a Java pattern; the error names the option.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

/// Compiles a pattern that must match the whole input (Java's `Matcher.matches()`).
pub fn compile_full(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

/// A Java replacement string in Rust's syntax.
pub fn replacement(java: &str) -> String {
    let mut out = String::with_capacity(java.len() + 4);
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => {}
            },
            '$' => {
                if chars.peek() == Some(&'{') {
                    out.push('$');
                    continue;
                }
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str("${");
                    out.push_str(&digits);
                    out.push('}');
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_references_become_unambiguous() {
        assert_eq!(replacement("$1a"), "${1}a");
        assert_eq!(replacement("x-${name}"), "x-${name}");
        assert_eq!(replacement("cost\\$"), "cost$$");
        let re = compile_full("(.*)_(\\d+)").unwrap();
        assert_eq!(
            re.replace("orders_7", replacement("$1a$2").as_str()),
            "ordersa7"
        );
        assert!(!compile_full("a").unwrap().is_match("ab"));
    }
}
