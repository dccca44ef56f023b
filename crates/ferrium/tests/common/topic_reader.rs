//! Reading what Ferrium wrote to Kafka the way a downstream consumer does: a new consumer
//! group from the earliest offset, `read_committed`, never committing its position.
//!
//! librdkafka reports passing trouble (a broker restarting, a topic not created yet) as
//! consumer errors and recovers from it by itself, so those are logged and read past; a
//! test fails on what it reads, not on a connection hiccup while reading.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::Offset;

/// The broker `scripts/services.sh up` started (`FERRIUM_KAFKA_PORT`, default 9092).
pub fn kafka_bootstrap() -> String {
    let port = std::env::var("FERRIUM_KAFKA_PORT").unwrap_or_else(|_| "9092".into());
    format!("127.0.0.1:{port}")
}

pub struct TopicReader {
    consumer: BaseConsumer,
}

impl TopicReader {
    pub fn subscribe(group: &str, topics: &[&str]) -> TopicReader {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", kafka_bootstrap())
            .set("group.id", group)
            .set("auto.offset.reset", "earliest")
            .set("isolation.level", "read_committed")
            .set("enable.auto.commit", "false")
            .create()
            .expect("a Kafka consumer can be created");
        consumer
            .subscribe(topics)
            .unwrap_or_else(|e| panic!("subscribing to {topics:?}: {e}"));
        TopicReader { consumer }
    }

    /// The next record within `wait`, or `None` when none came.
    pub fn next(&self, wait: Duration) -> Option<BorrowedMessage<'_>> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.consumer.poll(left) {
                Some(Ok(message)) => return Some(message),
                Some(Err(KafkaError::MessageConsumptionFatal(code))) => {
                    panic!("the consumer failed for good: {code}")
                }
                Some(Err(passing)) => {
                    eprintln!("[topic reader] {passing} (librdkafka retries)");
                    std::thread::sleep(Duration::from_millis(50));
                }
                // poll also returns early after serving other events (a rebalance).
                None => {}
            }
            if Instant::now() >= deadline {
                return None;
            }
        }
    }

    /// Record values (`None` for a tombstone) until `count` arrived, failing after
    /// `timeout` with `context` (typically Ferrium's log).
    pub fn values(
        &self,
        count: usize,
        timeout: Duration,
        context: impl Fn() -> String,
    ) -> Vec<Option<serde_json::Value>> {
        let deadline = Instant::now() + timeout;
        let mut values = Vec::new();
        while values.len() < count {
            assert!(
                Instant::now() < deadline,
                "only {} of {count} records arrived within {timeout:?}; {}",
                values.len(),
                context()
            );
            if let Some(message) = self.next(Duration::from_millis(300)) {
                values.push(json_value(&message));
            }
        }
        values
    }

    /// Whether this reader has read all its partitions hold now: on every assigned
    /// partition its position has reached the high watermark. Under `read_committed`
    /// librdkafka moves the position past transaction markers and aborted records, so
    /// this also holds when a topic ends with a marker; it never holds while a
    /// transaction is still open.
    pub fn at_end(&self) -> bool {
        let Ok(position) = self.consumer.position() else {
            return false;
        };
        let partitions = position.elements();
        !partitions.is_empty()
            && partitions.iter().all(|p| {
                let Ok((_, high)) = self.consumer.fetch_watermarks(
                    p.topic(),
                    p.partition(),
                    Duration::from_secs(5),
                ) else {
                    return false;
                };
                match p.offset() {
                    Offset::Offset(at) => at >= high,
                    // Nothing read yet: at the end only of an empty partition.
                    _ => high == 0,
                }
            })
    }

    /// The record values that arrive within `wait`, expecting none in particular.
    pub fn values_within(&self, wait: Duration) -> Vec<Option<serde_json::Value>> {
        let deadline = Instant::now() + wait;
        let mut values = Vec::new();
        while let Some(message) = self.next(deadline.saturating_duration_since(Instant::now())) {
            values.push(json_value(&message));
        }
        values
    }
}

/// How many partitions `topic` has, `None` while the broker does not know it.
pub fn partition_count(topic: &str) -> Option<usize> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", kafka_bootstrap())
        .create()
        .expect("a Kafka consumer can be created");
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(5))
        .ok()?;
    let described = metadata.topics().iter().find(|t| t.name() == topic)?;
    if described.error().is_some() || described.partitions().is_empty() {
        return None;
    }
    Some(described.partitions().len())
}

/// A record's value as JSON, `None` for a tombstone.
pub fn json_value(message: &BorrowedMessage<'_>) -> Option<serde_json::Value> {
    message.payload().map(|p| {
        serde_json::from_slice(p).unwrap_or_else(|e| {
            panic!(
                "a record value is not JSON ({e}): {}",
                String::from_utf8_lossy(p)
            )
        })
    })
}

/// Reads every change of `topic` (values with `after.id`, `op` and `after.v`, schemas
/// off) with `read_committed` until 5 s pass without a new one once `expect_at_least`
/// arrived, or `deadline`; returns (id, op, v) in log order, per partition. Tombstones
/// are skipped.
pub fn read_changes(
    topic: &str,
    group: &str,
    expect_at_least: usize,
    deadline: Duration,
) -> Vec<(i64, String, i64)> {
    let reader = TopicReader::subscribe(group, &[topic]);
    let start = Instant::now();
    let mut last_new = Instant::now();
    let mut out = Vec::new();
    loop {
        if let Some(message) = reader.next(Duration::from_millis(200)) {
            last_new = Instant::now();
            if let Some(value) = json_value(&message) {
                let after = &value["after"];
                out.push((
                    after["id"].as_i64().unwrap(),
                    value["op"].as_str().unwrap().to_string(),
                    after["v"].as_i64().unwrap(),
                ));
            }
        }
        let quiet = last_new.elapsed() > Duration::from_secs(5);
        if (out.len() >= expect_at_least && quiet) || start.elapsed() > deadline {
            return out;
        }
    }
}

/// Waits until a connector has committed its first offset (the one after its
/// snapshot). Before that, a crash means a new snapshot on restart — Debezium's contract
/// too — and the changes made meanwhile arrive as snapshot rows, not as updates; fault
/// runs are meant for the stream. `log` gives the connector's log for the failure message.
pub fn wait_for_first_offset(offsets_topic: &str, log: impl Fn() -> String) {
    let reader = TopicReader::subscribe(&format!("{offsets_topic}-check"), &[offsets_topic]);
    reader.values(1, Duration::from_secs(60), || {
        format!(
            "no offset was committed to {offsets_topic}; log:\n{}",
            log()
        )
    });
}
