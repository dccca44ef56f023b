//! A tap between a source and its pipeline: counts what flows through (events per
//! operation, lag behind the source's commit time, queue capacity) and remembers the topics a connector writes to (`GET …/topics`).
//!
//! It forwards whole batches, so it costs one channel hop per batch, and reads only the
//! envelope's `op` field per record.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use ferrium_event::{SourceMessage, SourceRecord, Value};
use tokio::sync::mpsc;

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

/// Spawns the tap: returns the sender the source writes to. It ends when the source
/// drops its sender or the pipeline its receiver.
pub fn spawn(
    connector: &str,
    downstream: mpsc::Sender<SourceMessage>,
    capacity: usize,
    inbound: usize,
) -> mpsc::Sender<SourceMessage> {
    // A short inbound channel, so the tap adds next to nothing to the queued memory.
    let (tx, mut rx) = mpsc::channel::<SourceMessage>(inbound);
    let name: Arc<str> = Arc::from(connector);
    let label = name.to_string();
    let queue_total = metrics::gauge!("ferrium_queue_total_capacity", "connector" => label.clone());
    queue_total.set(capacity as f64);
    let queue_remaining =
        metrics::gauge!("ferrium_queue_remaining_capacity", "connector" => label.clone());
    let last_event =
        metrics::gauge!("ferrium_last_event_timestamp_ms", "connector" => label.clone());
    let behind =
        metrics::gauge!("ferrium_milliseconds_behind_source", "connector" => label.clone());
    let by_op = |op: &'static str| metrics::counter!("ferrium_events_seen_total", "connector" => label.clone(), "op" => op);
    let counters = [
        ("c", by_op("c")),
        ("u", by_op("u")),
        ("d", by_op("d")),
        ("r", by_op("r")),
        ("t", by_op("t")),
    ];
    tokio::spawn(async move {
        let mut last_topic: Option<Arc<str>> = None;
        while let Some(message) = rx.recv().await {
            if let SourceMessage::Records(records) = &message {
                let mut counts = [0u64; 5];
                for record in records {
                    if last_topic.as_deref() != Some(&*record.topic) {
                        let mut all = topics();
                        all.entry(name.to_string())
                            .or_default()
                            .insert(record.topic.to_string());
                        last_topic = Some(record.topic.clone());
                    }
                    if let Some(op) = op_of(record) {
                        if let Some(i) = counters.iter().position(|(code, _)| *code == op) {
                            counts[i] += 1;
                        }
                    }
                }
                for (i, n) in counts.iter().enumerate() {
                    if *n > 0 {
                        counters[i].1.increment(*n);
                    }
                }
                let now = now_ms();
                if counts.iter().any(|n| *n > 0) {
                    last_event.set(now as f64);
                }
                // Streaming lag only: snapshot records carry the snapshot's time.
                if let Some(last) = records
                    .iter()
                    .rev()
                    .find(|r| matches!(op_of(r), Some("c" | "u" | "d" | "t")))
                {
                    if let Some(ts) = source_ts_ms(last) {
                        behind.set((now - ts).max(0) as f64);
                    }
                }
            }
            if downstream.send(message).await.is_err() {
                break;
            }
            queue_remaining.set(downstream.capacity() as f64);
        }
    });
    tx
}
