//! Creates topics on first use, as Kafka Connect's `topic.creation.*` does, so Ferrium
//! never depends on the broker auto-creating them (with its own defaults).

use std::collections::HashSet;
use std::time::Duration;

use rdkafka::admin::{AdminOptions, NewTopic, TopicReplication};

use super::logs::{Admin, KafkaLogs, Producer};
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use super::{classify, classify_in};
use crate::SinkError;

/// Partitions and replication factor for new topics; -1 takes the broker's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSettings {
    pub partitions: i32,
    pub replication_factor: i32,
    /// Extra topic configs, e.g. `cleanup.policy=compact`.
    pub configs: Vec<(String, String)>,
}

impl Default for TopicSettings {
    fn default() -> Self {
        TopicSettings {
            partitions: -1,
            replication_factor: -1,
            configs: Vec::new(),
        }
    }
}

pub(crate) struct TopicCreator {
    admin: Admin,
    /// The admin client's settings, for [`probe_refusal`].
    client: ClientConfig,
    logs: KafkaLogs,
    known: HashSet<String>,
    settings: TopicSettings,
}

impl TopicCreator {
    pub(crate) fn new(
        client: &ClientConfig,
        settings: TopicSettings,
        logs: &KafkaLogs,
    ) -> Result<Self, SinkError> {
        Ok(TopicCreator {
            logs: logs.clone(),
            admin: client
                .create_with_context(logs.clone())
                .map_err(|e| SinkError::Config(e.to_string()))?,
            client: client.clone(),
            known: HashSet::new(),
            settings,
        })
    }

    /// Creates the topics among `names` not seen before; existing topics are fine.
    pub(crate) async fn ensure<'a>(
        &mut self,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<(), SinkError> {
        let missing: Vec<String> = names
            .filter(|t| !self.known.contains(*t))
            .collect::<HashSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let new_topics: Vec<NewTopic> = missing
            .iter()
            .map(|t| {
                let mut topic = NewTopic::new(
                    t,
                    self.settings.partitions,
                    TopicReplication::Fixed(self.settings.replication_factor),
                );
                for (k, v) in &self.settings.configs {
                    topic = topic.set(k, v);
                }
                topic
            })
            .collect();
        let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
        let results = self.admin.create_topics(new_topics.iter(), &options).await;
        let results = match results {
            Ok(results) => results,
            Err(e) => {
                if self.logs.refusal().is_none() {
                    probe_refusal(&self.client, &self.logs).await;
                }
                return Err(classify_in(e, &self.logs));
            }
        };
        for result in results {
            match result {
                Ok(topic) => {
                    tracing::info!(%topic, "created topic");
                    self.known.insert(topic);
                }
                Err((topic, RDKafkaErrorCode::TopicAlreadyExists)) => {
                    self.known.insert(topic);
                }
                Err((topic, code)) => {
                    return Err(match classify(KafkaError::AdminOp(code)) {
                        SinkError::KafkaFatal(m) => {
                            SinkError::KafkaFatal(format!("creating topic {topic}: {m}"))
                        }
                        other => {
                            SinkError::KafkaTransient(format!("creating topic {topic}: {other}"))
                        }
                    });
                }
            }
        }
        Ok(())
    }
}

/// After an admin call timed out: whether the broker refuses these settings' login or TLS
/// handshake. An admin client's error callbacks are never served (rdkafka polls only its
/// admin queue), so a refusal would look like a slow broker and be retried forever; a
/// producer made from the same settings (rdkafka polls its callbacks on its own thread)
/// sees it within a moment, into `logs`.
async fn probe_refusal(client: &ClientConfig, logs: &KafkaLogs) {
    let Ok(_producer) = client.create_with_context::<_, Producer>(logs.clone()) else {
        return;
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while logs.refusal().is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
