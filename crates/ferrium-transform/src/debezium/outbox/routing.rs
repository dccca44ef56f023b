//! The topic of an outbox event: the `route.by.field` value through Kafka's
//! `RegexRouter` semantics (`route.topic.regex` must match the whole value, then
//! `route.topic.replacement` replaces the first match); no match keeps the raw value.

use std::collections::HashMap;
use std::sync::Arc;

use crate::java_regex::JavaPattern;
use crate::{ConfigProblem, Props};

/// Distinct routed values are few (aggregate types), so each is routed once.
const CAPACITY: usize = 1024;

pub(super) struct TopicRouter {
    pattern: JavaPattern,
    routed: HashMap<String, Arc<str>>,
}

impl TopicRouter {
    pub fn new(props: &Props, pattern: &str, replacement: &str) -> Result<Self, ConfigProblem> {
        Ok(TopicRouter {
            pattern: JavaPattern::new(
                props,
                ("route.topic.regex", pattern),
                ("route.topic.replacement", replacement),
            )?,
            routed: HashMap::new(),
        })
    }

    pub fn topic(&mut self, value: &str) -> Arc<str> {
        if let Some(topic) = self.routed.get(value) {
            return topic.clone();
        }
        let topic: Arc<str> = match self.pattern.replace_if_matches(value) {
            Some(routed) => routed.into(),
            None => value.into(),
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
        let mut router = TopicRouter::new(
            &Props::default(),
            "(?<routedByValue>.*)",
            "outbox.event.${routedByValue}",
        )
        .unwrap();
        assert_eq!(&*router.topic("User"), "outbox.event.User");
        assert_eq!(&*router.topic("Address"), "outbox.event.Address");
        assert_eq!(&*router.topic("User"), "outbox.event.User");
    }

    #[test]
    fn a_value_that_does_not_match_is_the_topic() {
        let mut router = TopicRouter::new(&Props::default(), "order-(.*)", "orders.$1").unwrap();
        assert_eq!(&*router.topic("order-eu"), "orders.eu");
        assert_eq!(&*router.topic("customer"), "customer");
    }

    #[test]
    fn the_replacement_applies_to_the_first_match_as_java_does() {
        let mut router = TopicRouter::new(&Props::default(), "a|ab", "X").unwrap();
        assert_eq!(&*router.topic("ab"), "Xb");
    }

    #[test]
    fn an_invalid_pattern_is_refused() {
        assert!(TopicRouter::new(&Props::default(), " [[a-z]", "x").is_err());
    }

    #[test]
    fn a_replacement_naming_a_missing_group_is_refused() {
        assert!(
            TopicRouter::new(&Props::default(), "(.*)", "outbox.event.${routedByValue}").is_err()
        );
        assert!(TopicRouter::new(&Props::default(), "(.*)", "x.$2").is_err());
        assert!(TopicRouter::new(&Props::default(), "(.*)", "x.$1.\\$cost").is_ok());
        assert!(TopicRouter::new(&Props::default(), "(?<t>.*)", "x.${t}.$0").is_ok());
    }
}
