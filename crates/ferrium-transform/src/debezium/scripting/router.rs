//! `io.debezium.transforms.ContentBasedRouter`: sends a record to the topic that
//! `topic.expression` returns, or leaves its topic when the expression returns null.
//! Records of topics outside `topic.regex` pass; tombstones follow `null.handling.mode`.
//! Anything but a string or null is an error, as in Debezium.

use std::sync::Arc;

use ferrium_event::SourceRecord;

use super::engine::Outcome;
use super::options::Gate;
use super::Script;
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct ContentBasedRouter {
    script: Script,
    /// The last topic routed to: most records go to a few topics, so the name is
    /// allocated once per change of topic rather than per record.
    last_routed: Option<Arc<str>>,
}

impl ContentBasedRouter {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        Ok(ContentBasedRouter {
            script: Script::new(props, "topic.expression")?,
            last_routed: None,
        })
    }

    fn topic(&mut self, name: String) -> Arc<str> {
        match &self.last_routed {
            Some(last) if **last == *name => last.clone(),
            _ => {
                let topic: Arc<str> = name.into();
                self.last_routed = Some(topic.clone());
                topic
            }
        }
    }
}

impl Transform for ContentBasedRouter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        match self.script.options.gate(&record) {
            Gate::Pass => return Ok(Some(record)),
            Gate::Drop => return Ok(None),
            Gate::Evaluate => {}
        }
        match self.script.engine.eval(&record) {
            Ok(Outcome::Null) => Ok(Some(record)),
            Ok(Outcome::String(name)) => {
                record.topic = self.topic(name);
                Ok(Some(record))
            }
            Ok(Outcome::Boolean(b)) => Err(self.script.failed(
                &record.topic,
                format!("value '{b}' returned by the expression is not a String"),
            )),
            Ok(Outcome::Other(shown)) => Err(self.script.failed(
                &record.topic,
                format!("value '{shown}' returned by the expression is not a String"),
            )),
            Err(js) => Err(self.script.failed(&record.topic, js)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_records::*;
    use super::*;

    const JS: &str = "jsr223.graal.js";
    const EXPRESSION: (&str, &str) = (
        "topic.expression",
        "value == null ? 'nulls' : (value.before.id == 1 ? 'ones' : null)",
    );

    fn router(pairs: &[(&str, &str)]) -> ContentBasedRouter {
        let mut all = vec![("language", JS)];
        all.extend_from_slice(pairs);
        ContentBasedRouter::new(&Props::of(&all)).unwrap()
    }

    fn topic_of(r: &mut ContentBasedRouter, record: SourceRecord) -> Option<String> {
        r.apply(record).unwrap().map(|out| out.topic.to_string())
    }

    #[test]
    fn the_expression_is_required() {
        let err = ContentBasedRouter::new(&Props::of(&[("language", JS)]))
            .err()
            .unwrap();
        assert!(err.0.contains("'topic.expression'"), "{err}");
        let err = ContentBasedRouter::new(&Props::of(&[
            ("language", JS),
            ("topic.expression", "'a' +"),
        ]))
        .err()
        .unwrap();
        assert!(err.0.contains("'topic.expression'"), "{err}");
    }

    #[test]
    fn a_result_that_is_not_a_string_is_an_error() {
        for expression in ["1", "true", "value.before"] {
            let mut r = router(&[("topic.expression", expression)]);
            let err = r.apply(delete_record(1)).unwrap_err().to_string();
            assert!(err.contains("not a String"), "{expression}: {err}");
        }
    }

    #[test]
    fn routes_by_content_and_null_keeps_the_topic() {
        let mut r = router(&[EXPRESSION]);
        assert_eq!(topic_of(&mut r, delete_record(1)).as_deref(), Some("ones"));
        assert_eq!(
            topic_of(&mut r, delete_record(2)).as_deref(),
            Some("dummy2")
        );
        // Everything but the topic is kept.
        let mut expected = delete_record(1);
        let out = r.apply(expected.clone()).unwrap().unwrap();
        expected.topic = "ones".into();
        assert_eq!(out, expected);
    }

    #[test]
    fn routes_a_json_document_parsed_in_the_expression() {
        // The MongoDB case: `after` is a JSON string (Groovy's JsonSlurper in Debezium's test).
        let mut r = router(&[(
            "topic.expression",
            "value == null ? 'nulls' : (JSON.parse(value.after).last_name == 'Kretchmar' ? 'kretchmar' : null)",
        )]);
        use ferrium_event::{ConnectData, Schema, SchemaType, Value};
        let schema = Arc::new(
            Schema::record("dummy.Envelope")
                .field("after", Schema::of(SchemaType::String).optional())
                .field("op", Schema::of(SchemaType::String)),
        );
        let doc =
            r#"{"_id": {"$numberLong": "1004"},"first_name": "Anne","last_name": "Kretchmar"}"#;
        let record = SourceRecord::new(
            "original".into(),
            None,
            Some(ConnectData::new(
                schema,
                Value::Struct(vec![doc.into(), "c".into()]),
            )),
        );
        assert_eq!(topic_of(&mut r, record).as_deref(), Some("kretchmar"));
    }

    #[test]
    fn only_topics_matching_topic_regex_are_routed() {
        let mut r = router(&[("topic.regex", "orig.*"), EXPRESSION]);
        assert_eq!(
            topic_of(&mut r, delete_record(1)).as_deref(),
            Some("dummy1")
        );
        assert_eq!(
            topic_of(&mut r, delete_customer_record(1)).as_deref(),
            Some("customer")
        );
        let mut r = router(&[("topic.regex", "dummy.*"), EXPRESSION]);
        assert_eq!(topic_of(&mut r, delete_record(1)).as_deref(), Some("ones"));
        assert_eq!(
            topic_of(&mut r, delete_customer_record(1)).as_deref(),
            Some("customer")
        );
    }

    #[test]
    fn tombstones_keep_their_topic_by_default() {
        let mut r = router(&[EXPRESSION]);
        assert_eq!(topic_of(&mut r, tombstone()).as_deref(), Some("dummy"));
    }

    #[test]
    fn tombstones_are_dropped_under_drop() {
        let mut r = router(&[EXPRESSION, ("null.handling.mode", "drop")]);
        assert_eq!(topic_of(&mut r, tombstone()), None);
        assert_eq!(topic_of(&mut r, delete_record(1)).as_deref(), Some("ones"));
    }

    #[test]
    fn tombstones_are_evaluated_with_a_null_value_under_evaluate() {
        let mut r = router(&[EXPRESSION, ("null.handling.mode", "evaluate")]);
        assert_eq!(topic_of(&mut r, tombstone()).as_deref(), Some("nulls"));
        assert_eq!(topic_of(&mut r, delete_record(1)).as_deref(), Some("ones"));
    }

    #[test]
    fn a_repeated_topic_is_one_shared_name() {
        let mut r = router(&[("topic.expression", "'routed'")]);
        let a = r.apply(delete_record(1)).unwrap().unwrap().topic;
        let b = r.apply(delete_record(2)).unwrap().unwrap().topic;
        assert!(Arc::ptr_eq(&a, &b));
    }
}
