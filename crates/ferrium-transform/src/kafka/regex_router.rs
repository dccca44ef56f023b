//! `RegexRouter`: a new topic when the whole topic matches `regex`, built from
//! `replacement` (Java's `replaceFirst`); other topics pass unchanged.

use std::sync::Arc;

use ferrium_event::SourceRecord;

use crate::java_regex::JavaPattern;
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct RegexRouter {
    pattern: JavaPattern,
    /// The last topic seen and its routed name: topics repeat, so routing is computed
    /// once per topic change rather than per record.
    last: Option<(Arc<str>, Arc<str>)>,
}

impl RegexRouter {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let regex = props.required("regex")?;
        // Required, but may be empty (Kafka has no default and no non-empty check).
        let replacement = props
            .get("replacement")
            .ok_or_else(|| props.problem("replacement", "is required and has no default"))?;
        Ok(RegexRouter {
            pattern: JavaPattern::new(props, ("regex", regex), ("replacement", replacement))?,
            last: None,
        })
    }
}

impl Transform for RegexRouter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        match &self.last {
            Some((from, to)) if *from == record.topic => record.topic = to.clone(),
            _ => {
                let routed: Arc<str> = match self.pattern.replace_if_matches(&record.topic) {
                    Some(t) => t.into(),
                    None => record.topic.clone(),
                };
                self.last = Some((record.topic.clone(), routed.clone()));
                record.topic = routed;
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(regex: &str, replacement: &str, topic: &str) -> String {
        let mut t = RegexRouter::new(&Props::of(&[
            ("regex", regex),
            ("replacement", replacement),
        ]))
        .unwrap();
        let r = t
            .apply(SourceRecord::new(topic.into(), None, None))
            .unwrap()
            .unwrap();
        r.topic.to_string()
    }

    // The cases of Kafka's RegexRouterTest.
    #[test]
    fn routes_as_kafka_does() {
        assert_eq!(route("(.*)", "prefix-$1", "orig"), "prefix-orig");
        assert_eq!(route("(.*)", "$1-suffix", "orig"), "orig-suffix");
        assert_eq!(route("(.*)", "$1", "orig"), "orig");
        assert_eq!(route("(.*)-(.*)", "$2-$1", "a-b"), "b-a");
        assert_eq!(route("(.*)", "", "orig"), "");
        assert_eq!(
            route("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117"),
            "index"
        );
        assert_eq!(route("prefix-(.*)", "$1", "other"), "other");
        assert_eq!(
            route("(.*)\\.(.*)\\.(.*)", "$3", "dbserver1.inventory.customers"),
            "customers"
        );
    }

    #[test]
    fn the_replacement_applies_to_the_first_match_as_in_java() {
        // Java: "ab".matches("a|ab") holds, then replaceFirst replaces just "a".
        assert_eq!(route("a|ab", "x", "ab"), "xb");
    }

    #[test]
    fn a_replacement_java_would_reject_is_refused_at_configuration() {
        let err = RegexRouter::new(&Props::of(&[("regex", "(a)"), ("replacement", "$2")]))
            .err()
            .unwrap();
        assert!(
            err.0.contains("'replacement'") && err.0.contains("No group 2"),
            "{err}"
        );
    }
}
