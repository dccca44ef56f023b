//! Subject name strategies: under which registry subject a record's schema is kept.

/// Confluent's `io.confluent.kafka.serializers.subject.*` strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectStrategy {
    /// `<topic>-key` / `<topic>-value` (the default).
    Topic,
    /// The record's full name, whatever the topic.
    Record,
    /// `<topic>-<record full name>`.
    TopicRecord,
}

const PACKAGE: &str = "io.confluent.kafka.serializers.subject.";

impl SubjectStrategy {
    pub const CLASSES: &'static [&'static str] = &[
        "io.confluent.kafka.serializers.subject.TopicNameStrategy",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
    ];

    /// The strategy of a class name, full or simple.
    pub fn from_class(class: &str) -> Option<SubjectStrategy> {
        let simple = class.strip_prefix(PACKAGE).unwrap_or(class);
        match simple {
            "TopicNameStrategy" => Some(SubjectStrategy::Topic),
            "RecordNameStrategy" => Some(SubjectStrategy::Record),
            "TopicRecordNameStrategy" => Some(SubjectStrategy::TopicRecord),
            _ => None,
        }
    }

    /// Whether the subject depends on the topic (the schema cache is then per topic).
    pub fn uses_topic(self) -> bool {
        !matches!(self, SubjectStrategy::Record)
    }

    /// The subject of a schema whose Avro full name (or primitive type name) is
    /// `record_name`, written to `topic` as a key or a value.
    pub fn subject(self, topic: &str, is_key: bool, record_name: &str) -> String {
        match self {
            SubjectStrategy::Topic => format!("{topic}-{}", if is_key { "key" } else { "value" }),
            SubjectStrategy::Record => record_name.to_string(),
            SubjectStrategy::TopicRecord => format!("{topic}-{record_name}"),
        }
    }
}

/// The name a record-based strategy uses: a record's (or enum's, fixed's) full name,
/// else the Avro type name of a primitive.
pub fn full_name(avro: &serde_json::Value) -> String {
    match avro {
        serde_json::Value::String(primitive) => primitive.clone(),
        serde_json::Value::Array(branches) => branches
            .iter()
            .find(|b| b.as_str() != Some("null"))
            .map_or_else(|| "null".to_string(), full_name),
        serde_json::Value::Object(map) => {
            let name = map.get("name").and_then(|n| n.as_str());
            let namespace = map.get("namespace").and_then(|n| n.as_str());
            match (namespace, name) {
                (Some(ns), Some(name)) if !ns.is_empty() => format!("{ns}.{name}"),
                (_, Some(name)) => name.to_string(),
                _ => map
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("null")
                    .to_string(),
            }
        }
        _ => "null".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subjects_by_strategy() {
        let avro = json!({"type": "record", "name": "Envelope", "namespace": "srv.public.t", "fields": []});
        let name = full_name(&avro);
        assert_eq!(name, "srv.public.t.Envelope");
        let topic = "srv.public.t";
        assert_eq!(
            SubjectStrategy::Topic.subject(topic, true, &name),
            "srv.public.t-key"
        );
        assert_eq!(
            SubjectStrategy::Record.subject(topic, false, &name),
            "srv.public.t.Envelope"
        );
        assert_eq!(
            SubjectStrategy::TopicRecord.subject(topic, false, &name),
            "srv.public.t-srv.public.t.Envelope"
        );
        assert_eq!(full_name(&json!("string")), "string");
        assert_eq!(
            SubjectStrategy::from_class("RecordNameStrategy"),
            Some(SubjectStrategy::Record)
        );
        assert_eq!(SubjectStrategy::from_class("com.example.Mine"), None);
    }
}
