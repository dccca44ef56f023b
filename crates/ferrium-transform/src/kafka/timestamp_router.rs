//! `TimestampRouter`: a new topic from `topic.format` (default `${topic}-${timestamp}`),
//! with the record timestamp written by `timestamp.format` (a Java `SimpleDateFormat`
//! pattern, default `yyyyMMdd`) in UTC.
//!
//! A record without a timestamp is an error, as in Kafka. Ferrium's sources leave the
//! timestamp to the producer, as Debezium's do, so only records that a transform before
//! this one stamped can be routed.

use std::sync::Arc;

use ferrium_event::SourceRecord;

use super::simple_date_format::SimpleDateFormat;
use crate::{ConfigProblem, Props, Transform, TransformError};

const TOPIC: &str = "${topic}";
const TIMESTAMP: &str = "${timestamp}";

pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: SimpleDateFormat,
    /// The last topic and formatted timestamp and the name they gave: records of one
    /// topic and one period share it, so it is built once per change.
    last: Option<(Arc<str>, String, Arc<str>)>,
    /// Where each record's timestamp is formatted, reused.
    scratch: String,
}

impl TimestampRouter {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let pattern = props.string("timestamp.format", "yyyyMMdd");
        let timestamp_format =
            SimpleDateFormat::parse(&pattern).map_err(|e| props.problem("timestamp.format", e))?;
        Ok(TimestampRouter {
            topic_format: props.string("topic.format", "${topic}-${timestamp}"),
            timestamp_format,
            last: None,
            scratch: String::new(),
        })
    }

    /// As Kafka: the topic replaces `${topic}` first, then `${timestamp}` is replaced in
    /// the result.
    fn route(&self, topic: &str, timestamp: &str) -> String {
        self.topic_format
            .replace(TOPIC, topic)
            .replace(TIMESTAMP, timestamp)
    }
}

impl Transform for TimestampRouter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(timestamp) = record.timestamp else {
            return Err(TransformError::new(format!(
                "Timestamp missing on record for topic '{}': the timestamp is unset unless a transform before this one sets it",
                record.topic
            )));
        };
        self.scratch.clear();
        self.timestamp_format
            .format_into(timestamp, &mut self.scratch)
            .ok_or_else(|| TransformError::new(format!("timestamp {timestamp} is out of range")))?;
        match &self.last {
            Some((topic, formatted, routed))
                if *topic == record.topic && *formatted == self.scratch =>
            {
                record.topic = routed.clone();
            }
            _ => {
                let routed: Arc<str> = self.route(&record.topic, &self.scratch).into();
                self.last = Some((record.topic.clone(), self.scratch.clone(), routed.clone()));
                record.topic = routed;
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;

    fn routed(pairs: &[(&str, &str)], topic: &str, timestamp: i64) -> String {
        let mut t = TimestampRouter::new(&Props::of(pairs)).unwrap();
        let mut record = SourceRecord::new(topic.into(), None, None);
        record.timestamp = Some(timestamp);
        t.apply(record).unwrap().unwrap().topic.to_string()
    }

    #[test]
    fn default_configuration() {
        assert_eq!(routed(&[], "test", 1_483_425_001_864), "test-20170103");
    }

    #[test]
    fn custom_formats() {
        let pairs = [
            ("topic.format", "${timestamp}_${topic}_${timestamp}"),
            ("timestamp.format", "yyyy-MM-dd'T'HH"),
        ];
        assert_eq!(
            routed(&pairs, "t", 1_483_425_001_864),
            "2017-01-03T06_t_2017-01-03T06"
        );
        assert_eq!(routed(&[("topic.format", "fixed")], "t", 0), "fixed");
    }

    #[test]
    fn a_topic_holding_a_placeholder_is_replaced_as_kafka_replaces_it() {
        assert_eq!(routed(&[], "a-${timestamp}", 0), "a-19700101-19700101");
    }

    #[test]
    fn each_record_is_routed_by_its_own_timestamp() {
        let mut t = TimestampRouter::new(&Props::of(&[])).unwrap();
        let mut topics = Vec::new();
        for (topic, ts) in [("a", 0), ("a", 1), ("a", 86_400_000), ("b", 86_400_000)] {
            let mut record = SourceRecord::new(topic.into(), None, None);
            record.timestamp = Some(ts);
            topics.push(t.apply(record).unwrap().unwrap().topic.to_string());
        }
        assert_eq!(
            topics,
            ["a-19700101", "a-19700101", "a-19700102", "b-19700102"]
        );
    }

    #[test]
    fn a_record_without_a_timestamp_is_an_error() {
        let mut t = TimestampRouter::new(&Props::of(&[])).unwrap();
        for record in [change_event(1, "a"), tombstone(1), heartbeat()] {
            let err = t.apply(record).unwrap_err();
            assert!(err.0.starts_with("Timestamp missing on record"), "{err}");
        }
    }

    #[test]
    fn keeps_everything_but_the_topic() {
        let mut t = TimestampRouter::new(&Props::of(&[])).unwrap();
        let mut record = change_event(1, "a");
        record.timestamp = Some(0);
        let out = t.apply(record.clone()).unwrap().unwrap();
        assert_eq!(&*out.topic, "srv.inv.customers-19700101");
        assert_eq!(
            (out.key, out.value, out.timestamp),
            (record.key, record.value, record.timestamp)
        );
    }

    #[test]
    fn untranslatable_patterns_are_refused_when_configured() {
        let err = TimestampRouter::new(&Props::of(&[("timestamp.format", "YYYY-ww")]))
            .err()
            .unwrap();
        assert!(err.0.contains("'timestamp.format'"), "{err}");
    }

    #[test]
    fn is_registered() {
        let mut chain = chain(&[(
            "route",
            "org.apache.kafka.connect.transforms.TimestampRouter",
            &[("timestamp.format", "yyyy")],
        )]);
        let mut record = change_event(1, "a");
        record.timestamp = Some(0);
        assert_eq!(
            &*chain.apply(record).unwrap().unwrap().topic,
            "srv.inv.customers-1970"
        );
    }
}
