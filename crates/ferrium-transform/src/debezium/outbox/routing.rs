//! The topic of an outbox event: the `route.by.field` value through Kafka's
//! `RegexRouter` semantics (`route.topic.regex` must match the whole value, then
//! `route.topic.replacement` replaces the first match); no match keeps the raw value.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::java_regex;

/// Distinct routed values are few (aggregate types), so each is routed once.
const CAPACITY: usize = 1024;

pub(super) struct TopicRouter {
    whole: Regex,
    /// Java's `replaceFirst` finds the first match anywhere, which for some patterns
    /// (alternations) is shorter than the whole-value match.
    first: Regex,
    replacement: String,
    routed: HashMap<String, Arc<str>>,
}

impl TopicRouter {
    pub fn new(pattern: &str, replacement: &str) -> Result<Self, String> {
        Ok(TopicRouter {
            whole: java_regex::compile_full(pattern)?,
            first: java_regex::compile(pattern)?,
            replacement: java_regex::replacement(replacement),
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
}
