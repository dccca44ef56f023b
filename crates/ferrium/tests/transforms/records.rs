//! What a plain Kafka consumer sees of a record: key, value and headers (as text).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::message::{Headers, Message};
use serde_json::Value;

use crate::support::TopicReader;

#[derive(Debug, Clone)]
pub struct Record {
    pub key: Option<Value>,
    pub value: Option<Value>,
    pub headers: BTreeMap<String, Option<String>>,
}

impl Record {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.as_deref())
    }
}

fn json(bytes: Option<&[u8]>) -> Option<Value> {
    bytes.map(|b| {
        serde_json::from_slice(b)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(b)))
    })
}

/// Reads `count` records of `topics` (a new consumer group, from the start,
/// `read_committed`), then waits `quiet` more for records that should not be there.
pub fn read(
    topics: &[&str],
    count: usize,
    quiet: Duration,
    log: impl Fn() -> String,
) -> Vec<Record> {
    let group = format!("check-{}-{}", topics.join("-"), std::process::id());
    let reader = TopicReader::subscribe(&group, topics);
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut out = Vec::new();
    let mut extra_until: Option<Instant> = None;
    loop {
        if out.len() >= count {
            let until = *extra_until.get_or_insert_with(|| Instant::now() + quiet);
            if Instant::now() >= until {
                return out;
            }
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {count} records arrived on {topics:?}: {out:#?}\nlog:\n{}",
            out.len(),
            log()
        );
        let Some(message) = reader.next(Duration::from_millis(200)) else {
            continue;
        };
        let headers = message
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_string(),
                            h.value.map(|v| String::from_utf8_lossy(v).into_owned()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Record {
            key: json(message.key()),
            value: json(message.payload()),
            headers,
        });
    }
}
