//! The signal channels outside the source, both feeding the connector's inbox: the
//! Kafka signal topic (Debezium's `kafka` channel: partition 0 of `signal.kafka.topic`,
//! records keyed by `topic.prefix`, a value of `{"id", "type", "data"}`) and Ferrium's
//! REST API (`POST /connectors/{name}/signals`).
//!
//! The source reads signals from the inbox and acts on them as it does on rows of its
//! signalling table, so every channel means the same thing.

use std::time::Duration;

use ferrium_config::signal::KafkaSignalSettings;
use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_event::signal::{Signal, SignalChannel};
use ferrium_snapshot::action::{parse, Action};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::connector::ConnectorHandles;
use crate::error_policy::ConnectorError;

/// Why a signal offered through the REST API was not queued.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The signal cannot be acted on (unknown type, malformed data): 400.
    #[error("{0}")]
    Invalid(String),
    /// The connector has as many signals waiting as it holds: 503, try again.
    #[error(
        "the connector has {} signals waiting; send this one again once it has taken them",
        ferrium_event::signal::INBOX_CAPACITY
    )]
    Busy,
}

/// Checks a signal as the source will read it, then queues it for the connector.
pub fn offer(handles: &ConnectorHandles, signal: Signal) -> Result<(), Refused> {
    match parse(&signal) {
        Ok(Action::Window { .. }) => {
            return Err(Refused::Invalid(format!(
                "signal type '{}' is written by an incremental snapshot itself; it cannot be sent",
                signal.kind
            )))
        }
        Ok(_) => {}
        Err(e) => return Err(Refused::Invalid(e.to_string())),
    }
    handles.signals.try_send(signal).map_err(|_| Refused::Busy)
}

/// Reads a signal record's value: `{"id": …, "type": …, "data": {…}}`.
pub fn signal_from_json(
    value: &Value,
    default_id: &str,
    channel: SignalChannel,
) -> Result<Signal, String> {
    let Value::Object(object) = value else {
        return Err("a signal must be a JSON object with 'type' and 'data', e.g. {\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": [\"public.orders\"]}}".into());
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) if !kind.trim().is_empty() => kind.trim().to_string(),
        _ => return Err("the signal has no 'type' (e.g. \"execute-snapshot\", \"log\")".into()),
    };
    let id = match object.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => default_id.to_string(),
        Some(_) => return Err("the signal's 'id' must be a string".into()),
    };
    let data = match object.get("data") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(data @ Value::Object(_)) => data.to_string(),
        Some(_) => return Err("the signal's 'data' must be a JSON object".into()),
    };
    Ok(Signal {
        id,
        kind,
        data,
        channel,
    })
}

/// Starts reading the Kafka signal topic for one run of a connector; it stops when the
/// returned guard is dropped or `shutdown` fires.
pub fn spawn_kafka_channel(
    settings: &KafkaSignalSettings,
    config: &ConnectorConfig,
    worker: &WorkerConfig,
    handles: ConnectorHandles,
    shutdown: &CancellationToken,
) -> Result<DropGuard, ConnectorError> {
    let bootstrap = settings
        .bootstrap_servers
        .as_deref()
        .or(worker.bootstrap_servers())
        .ok_or_else(|| {
            ConnectorError::fail(
                "signal.enabled.channels has 'kafka' but no broker is known: set signal.kafka.bootstrap.servers (or the worker's bootstrap.servers)",
            )
        })?;
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", bootstrap)
        .set("group.id", &settings.group_id)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_committed")
        .set("fetch.wait.max.ms", settings.poll_timeout_ms.to_string());
    let consumer = settings.consumer.iter().cloned().collect();
    for (key, value) in crate::delivery::client_settings(&consumer, "signal.consumer.")? {
        client.set(key, value);
    }
    let consumer: StreamConsumer = client.create().map_err(|e| {
        ConnectorError::fail(format!(
            "cannot create the Kafka signal consumer (check signal.consumer.*): {e}"
        ))
    })?;
    let mut partition = TopicPartitionList::new();
    partition
        .add_partition_offset(&settings.topic, 0, Offset::Stored)
        .map_err(|e| ConnectorError::fail(format!("signal topic {}: {e}", settings.topic)))?;
    consumer.assign(&partition).map_err(|e| {
        ConnectorError::fail(format!("cannot read signal topic {}: {e}", settings.topic))
    })?;
    let stop = shutdown.child_token();
    let reader = KafkaChannel {
        consumer,
        topic: settings.topic.clone(),
        key: settings.key.clone(),
        connector: config.name.clone(),
        handles,
    };
    tracing::info!(connector = %config.name, topic = %settings.topic, "reading signals from Kafka");
    tokio::spawn(reader.run(stop.clone()));
    Ok(stop.drop_guard())
}

struct KafkaChannel {
    consumer: StreamConsumer,
    topic: String,
    key: String,
    connector: String,
    handles: ConnectorHandles,
}

impl KafkaChannel {
    /// One loop: stopping wins over the next record; a record is committed once its
    /// signal is in the inbox, so a restart neither loses nor repeats it.
    async fn run(self, stop: CancellationToken) {
        let mut last_error: Option<String> = None;
        loop {
            let message = tokio::select! {
                biased;
                _ = stop.cancelled() => return,
                message = self.consumer.recv() => message,
            };
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    // A missing topic or an unreachable broker is reported once per kind
                    // and retried: the connector's stream must not stop for it.
                    let text = e.to_string();
                    if last_error.as_deref() != Some(text.as_str()) {
                        tracing::warn!(connector = %self.connector, topic = %self.topic, error = %text, "cannot read the Kafka signal topic; retrying");
                        last_error = Some(text);
                    }
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                    continue;
                }
            };
            last_error = None;
            let offset = message.offset();
            let key = message.key().map(String::from_utf8_lossy);
            if key.as_deref() != Some(self.key.as_str()) {
                tracing::info!(connector = %self.connector, offset, key = ?key, expected = %self.key, "signal record skipped: its key is not the connector's topic.prefix");
            } else if let Some(signal) = self.read(message.payload(), offset) {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = self.handles.signals.send(signal) => {}
                }
            }
            if let Err(e) = self.consumer.commit_message(&message, CommitMode::Async) {
                tracing::warn!(connector = %self.connector, offset, error = %e, "cannot commit the signal topic's offset");
            }
        }
    }

    fn read(&self, payload: Option<&[u8]>, offset: i64) -> Option<Signal> {
        let payload = payload.filter(|p| !p.is_empty())?;
        let parsed = serde_json::from_slice::<Value>(payload)
            .map_err(|e| format!("not JSON ({e})"))
            .and_then(|value| {
                signal_from_json(&value, &format!("kafka-{offset}"), SignalChannel::Kafka)
            });
        match parsed {
            Ok(signal) => Some(signal),
            Err(problem) => {
                let message = format!("signal at offset {offset} of {}: {problem}", self.topic);
                tracing::error!(connector = %self.connector, "{message}; skipped");
                self.handles.snapshot_status.problem(message);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signal_value_reads_as_debezium_writes_it() {
        let value = json!({"type": "execute-snapshot", "data": {"data-collections": ["public.t"], "type": "INCREMENTAL"}});
        let signal = signal_from_json(&value, "kafka-7", SignalChannel::Kafka).unwrap();
        assert_eq!(signal.id, "kafka-7");
        assert_eq!(signal.kind, "execute-snapshot");
        let data: Value = serde_json::from_str(&signal.data).unwrap();
        assert_eq!(data["data-collections"][0], "public.t");
        let with_id = json!({"id": "a1", "type": "log", "data": "{\"message\": \"hi\"}"});
        let signal = signal_from_json(&with_id, "x", SignalChannel::Rest).unwrap();
        assert_eq!(
            (signal.id.as_str(), signal.data.as_str()),
            ("a1", "{\"message\": \"hi\"}")
        );
    }

    #[test]
    fn a_signal_without_type_or_with_odd_data_is_refused_by_name() {
        let no_type = signal_from_json(&json!({"data": {}}), "x", SignalChannel::Rest);
        assert!(no_type.unwrap_err().contains("'type'"));
        let odd = signal_from_json(
            &json!({"type": "log", "data": [1]}),
            "x",
            SignalChannel::Rest,
        );
        assert!(odd.unwrap_err().contains("'data'"));
        assert!(signal_from_json(&json!([1]), "x", SignalChannel::Rest).is_err());
    }

    #[test]
    fn offer_refuses_what_the_source_could_not_act_on_and_queues_the_rest() {
        let handles = ConnectorHandles::new();
        let signal = |kind: &str, data: &str| Signal {
            id: "s".into(),
            kind: kind.into(),
            data: data.into(),
            channel: SignalChannel::Rest,
        };
        assert!(matches!(
            offer(&handles, signal("nope", "")),
            Err(Refused::Invalid(_))
        ));
        assert!(matches!(
            offer(
                &handles,
                signal("execute-snapshot", "{\"data-collections\": []}")
            ),
            Err(Refused::Invalid(_))
        ));
        assert!(matches!(
            offer(&handles, signal("snapshot-window-open", "")),
            Err(Refused::Invalid(_))
        ));
        for _ in 0..ferrium_event::signal::INBOX_CAPACITY {
            offer(&handles, signal("pause-snapshot", "")).unwrap();
        }
        assert!(matches!(
            offer(&handles, signal("resume-snapshot", "")),
            Err(Refused::Busy)
        ));
    }
}
