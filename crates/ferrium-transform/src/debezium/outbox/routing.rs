//! The topic of an outbox event: the `route.by.field` value through Kafka's
//! `RegexRouter` semantics (`route.topic.regex` must match the whole value, then
//! `route.topic.replacement` replaces the first match); no match keeps the raw value.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::java_regex;

/// Distinct routed values are few (aggregate types), so each is routed once.
const CAPACITY: usize = 1024;

/// Which of the two options is wrong, and why.
#[derive(Debug)]
pub(super) enum RouteProblem {
    Pattern(String),
    Replacement(String),
}

pub(super) struct TopicRouter {
    whole: Regex,
    /// Java's `replaceFirst` finds the first match anywhere, which for some patterns
    /// (alternations) is shorter than the whole-value match.
    first: Regex,
    replacement: String,
    routed: HashMap<String, Arc<str>>,
}

impl TopicRouter {
    pub fn new(pattern: &str, replacement: &str) -> Result<Self, RouteProblem> {
        let first = java_regex::compile(pattern).map_err(RouteProblem::Pattern)?;
        let replacement = java_regex::replacement(replacement);
        check_groups(&first, &replacement).map_err(RouteProblem::Replacement)?;
        Ok(TopicRouter {
            whole: java_regex::compile_full(pattern).map_err(RouteProblem::Pattern)?,
            first,
            replacement,
            routed: HashMap::new(),
        })
    }

    pub fn topic(&mut self, value: &str) -> Arc<str> {
        if let Some(topic) = self.routed.get(value) {
            return topic.clone();
        }
        let topic: Arc<str> = if self.whole.is_match(value) {
            self.first
                .replacen(value, 1, self.replacement.as_str())
                .into()
        } else {
            value.into()
        };
        if self.routed.len() >= CAPACITY {
            self.routed.clear();
        }
        self.routed.insert(value.to_string(), topic.clone());
        topic
    }
}

/// Java fails every record whose replacement names a group the pattern lacks, where
/// Rust would silently insert nothing; such a pair is refused up front instead.
fn check_groups(regex: &Regex, replacement: &str) -> Result<(), String> {
    let mut rest = replacement;
    while let Some(dollar) = rest.find('$') {
        rest = &rest[dollar + 1..];
        if let Some(escaped) = rest.strip_prefix('$') {
            rest = escaped;
            continue;
        }
        let Some(group) = rest
            .strip_prefix('{')
            .and_then(|r| r.find('}').map(|end| &r[..end]))
        else {
            continue;
        };
        let exists = match group.parse::<usize>() {
            Ok(number) => number < regex.captures_len(),
            Err(_) => regex.capture_names().flatten().any(|name| name == group),
        };
        if !exists {
            return Err(format!(
                "the replacement refers to group '{group}', which the pattern '{}' does not have",
                regex.as_str()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_the_named_group_by_default() {
        let mut router =
            TopicRouter::new("(?<routedByValue>.*)", "outbox.event.${routedByValue}").unwrap();
        assert_eq!(&*router.topic("User"), "outbox.event.User");
        assert_eq!(&*router.topic("Address"), "outbox.event.Address");
        assert_eq!(&*router.topic("User"), "outbox.event.User");
    }

    #[test]
    fn a_value_that_does_not_match_is_the_topic() {
        let mut router = TopicRouter::new("order-(.*)", "orders.$1").unwrap();
        assert_eq!(&*router.topic("order-eu"), "orders.eu");
        assert_eq!(&*router.topic("customer"), "customer");
    }

    #[test]
    fn the_replacement_applies_to_the_first_match_as_java_does() {
        let mut router = TopicRouter::new("a|ab", "X").unwrap();
        assert_eq!(&*router.topic("ab"), "Xb");
    }

    #[test]
    fn an_invalid_pattern_is_refused() {
        assert!(TopicRouter::new(" [[a-z]", "x").is_err());
    }

    #[test]
    fn a_replacement_naming_a_missing_group_is_refused() {
        assert!(TopicRouter::new("(.*)", "outbox.event.${routedByValue}").is_err());
        assert!(TopicRouter::new("(.*)", "x.$2").is_err());
        assert!(TopicRouter::new("(.*)", "x.$1.\\$cost").is_ok());
        assert!(TopicRouter::new("(?<t>.*)", "x.${t}.$0").is_ok());
    }
}
