//! What flows from a source into its pipeline, counted by the pipeline as each batch
//! arrives: events per operation, lag behind the source's commit time, the queue's
//! remaining capacity, and the topics a connector writes to (`GET …/topics`).
//!
//! Per record only the envelope's `op` and `source.ts_ms` are read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use ferrium_event::{SourceRecord, Value};

static TOPICS: Mutex<BTreeMap<String, BTreeSet<String>>> = Mutex::new(BTreeMap::new());

fn topics() -> std::sync::MutexGuard<'static, BTreeMap<String, BTreeSet<String>>> {
    TOPICS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The topics a connector has written to since it was created or its topics were reset.
pub fn active_topics(connector: &str) -> Vec<String> {
    topics()
        .get(connector)
        .map(|t| t.iter().cloned().collect())
        .unwrap_or_default()
}

pub fn reset_active_topics(connector: &str) {
    topics().remove(connector);
}

/// The `op` of a Debezium envelope (`c`, `u`, `d`, `r`, `t`), `None` for tombstones,
/// heartbeats and transaction markers.
fn op_of(record: &SourceRecord) -> Option<&str> {
    let value = record.value.as_ref()?;
    let Value::Struct(fields) = &value.value else {
        return None;
    };
    let index = value.schema.fields.iter().position(|f| f.name == "op")?;
    if value.schema.fields.len() != 8 {
        return None;
    }
    fields.get(index)?.as_str()
}

/// `source.ts_ms` of an envelope: when the change was committed in the database.
fn source_ts_ms(record: &SourceRecord) -> Option<i64> {
    let value = record.value.as_ref()?;
    let Value::Struct(fields) = &value.value else {
        return None;
    };
    let at = value
        .schema
        .fields
        .iter()
        .position(|f| f.name == "source")?;
    let source_schema = &value.schema.fields.get(at)?.schema;
    let ts = source_schema
        .fields
        .iter()
        .position(|f| f.name == "ts_ms")?;
    match fields.get(at)? {
        Value::Struct(source) => match source.get(ts)? {
            Value::Int64(ms) => Some(*ms),
            _ => None,
        },
        _ => None,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The flow metrics of one connector.
pub(crate) struct FlowMetrics {
    connector: Arc<str>,
    last_topic: Option<Arc<str>>,
    queue_remaining: metrics::Gauge,
    last_event: metrics::Gauge,
    behind: metrics::Gauge,
    /// `c`, `u`, `d`, `r`, `t`.
    by_op: [(&'static str, metrics::Counter); 5],
}

impl FlowMetrics {
    /// `capacity`: the queue between source and pipeline, in batches.
    pub(crate) fn new(connector: &str, capacity: usize) -> Self {
        let label = connector.to_string();
        metrics::gauge!("ferrium_queue_total_capacity", "connector" => label.clone())
            .set(capacity as f64);
        let by_op = |op: &'static str| {
            (
                op,
                metrics::counter!("ferrium_events_seen_total", "connector" => label.clone(), "op" => op),
            )
        };
        FlowMetrics {
            connector: Arc::from(connector),
            last_topic: None,
            queue_remaining: metrics::gauge!("ferrium_queue_remaining_capacity", "connector" => label.clone()),
            last_event: metrics::gauge!("ferrium_last_event_timestamp_ms", "connector" => label.clone()),
            behind: metrics::gauge!("ferrium_milliseconds_behind_source", "connector" => label.clone()),
            by_op: [by_op("c"), by_op("u"), by_op("d"), by_op("r"), by_op("t")],
        }
    }

    /// A batch arrived; `queue_remaining` batches more would fit in the queue.
    pub(crate) fn batch(&mut self, records: &[SourceRecord], queue_remaining: usize) {
        let mut counts = [0u64; 5];
        for record in records {
            if self.last_topic.as_deref() != Some(&*record.topic) {
                topics()
                    .entry(self.connector.to_string())
                    .or_default()
                    .insert(record.topic.to_string());
                self.last_topic = Some(record.topic.clone());
            }
            if let Some(op) = op_of(record) {
                if let Some(i) = self.by_op.iter().position(|(code, _)| *code == op) {
                    counts[i] += 1;
                }
            }
        }
        for (n, (_, counter)) in counts.iter().zip(&self.by_op) {
            if *n > 0 {
                counter.increment(*n);
            }
        }
        let now = now_ms();
        if counts.iter().any(|n| *n > 0) {
            self.last_event.set(now as f64);
        }
        // Streaming lag only: snapshot records carry the snapshot's time.
        if let Some(last) = records
            .iter()
            .rev()
            .find(|r| matches!(op_of(r), Some("c" | "u" | "d" | "t")))
        {
            if let Some(ts) = source_ts_ms(last) {
                self.behind.set((now - ts).max(0) as f64);
            }
        }
        self.queue_remaining.set(queue_remaining as f64);
    }
}
