//! Kafka Connect's predicates (`org.apache.kafka.connect.transforms.predicates.*`).

use ferrium_event::SourceRecord;
use regex::Regex;

use crate::registry::PredicateClass;
use crate::{java_regex, ConfigProblem, Predicate, Props};

pub const PREDICATES: &[PredicateClass] = &[
    PredicateClass {
        class: "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        build: |p| Ok(Box::new(TopicNameMatches::new(p)?)),
    },
    PredicateClass {
        class: "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        build: |p| Ok(Box::new(HasHeaderKey::new(p)?)),
    },
    PredicateClass {
        class: "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        build: |_| Ok(Box::new(RecordIsTombstone)),
    },
];

/// The topic matches `pattern` as a whole.
pub struct TopicNameMatches {
    pattern: Regex,
}

impl TopicNameMatches {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let pattern = props.required("pattern")?;
        let pattern = java_regex::compile_full(pattern).map_err(|e| props.problem("pattern", e))?;
        Ok(TopicNameMatches { pattern })
    }
}

impl Predicate for TopicNameMatches {
    fn test(&self, record: &SourceRecord) -> bool {
        self.pattern.is_match(&record.topic)
    }
}

/// The record has at least one header named `name`.
pub struct HasHeaderKey {
    name: String,
}

impl HasHeaderKey {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        Ok(HasHeaderKey {
            name: props.required("name")?.to_string(),
        })
    }
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &SourceRecord) -> bool {
        record.headers.iter().any(|h| h.key == self.name)
    }
}

/// The value is null; the schema is not looked at, as in Kafka.
pub struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn test(&self, record: &SourceRecord) -> bool {
        record.value.as_ref().is_none_or(|v| v.value.is_null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{ConnectData, Header, Schema, SchemaType, Value};
    use std::sync::Arc;

    fn record(topic: &str) -> SourceRecord {
        SourceRecord::new(topic.into(), None, None)
    }

    #[test]
    fn topic_name_matches_the_whole_name() {
        let p = TopicNameMatches::new(&Props::of(&[("pattern", "my-prefix-.*")])).unwrap();
        assert!(p.test(&record("my-prefix-orders")));
        assert!(!p.test(&record("x-my-prefix-orders")));
        assert!(TopicNameMatches::new(&Props::of(&[("pattern", "[")])).is_err());
        assert!(TopicNameMatches::new(&Props::of(&[])).is_err());
    }

    #[test]
    fn has_header_key_looks_for_the_name() {
        let p = HasHeaderKey::new(&Props::of(&[("name", "h")])).unwrap();
        let mut r = record("t");
        assert!(!p.test(&r));
        r.headers.push(Header {
            key: "h".into(),
            value: ConnectData::new(Arc::new(Schema::of(SchemaType::String)), Value::from("v")),
        });
        assert!(p.test(&r));
    }

    #[test]
    fn a_tombstone_is_a_null_value_whatever_its_schema() {
        let mut r = record("t");
        assert!(RecordIsTombstone.test(&r));
        r.value = Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::String).optional()),
            Value::Null,
        ));
        assert!(RecordIsTombstone.test(&r));
        r.value = Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::String)),
            Value::from("x"),
        ));
        assert!(!RecordIsTombstone.test(&r));
    }
}
