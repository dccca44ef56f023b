//! Avro through a Confluent-compatible schema registry, as
//! `io.confluent.connect.avro.AvroConverter` writes it: a zero byte, the schema id in
//! four big-endian bytes, then the Avro binary encoding.
//!
//! A schema is registered once per table version: ids are cached by the Connect schema
//! (which the sources and transforms share between records), then by the Avro text for
//! an equal schema built anew. A registry that does not answer is waited for, without
//! writing anything; a refusal goes through the incompatible-schema policy.
//!
//! Reading (`to_connect`, for sinks) is in [`to_connect`].

mod connect_schema;
mod decode;
mod encode;
mod evolution;
mod options;
mod registry_client;
mod retry;
mod schema;
mod subject;
mod to_connect;
mod writer_schemas;

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema};
use serde_json::Value as Json;
use tokio_util::sync::CancellationToken;

pub use decode::AvroDecoder;
pub use encode::encode;
pub use evolution::Policy;
pub use options::AvroSettings;
pub use registry_client::{RegistryClient, RegistryError, RegistrySettings};
pub use schema::{avro_schema, AvroDataOptions};
pub use subject::SubjectStrategy;

use crate::ConvertFailure;
use evolution::{describe_changes, record_fields, relax};

pub const CONFLUENT_AVRO_CONVERTER: &str = "io.confluent.connect.avro.AvroConverter";
pub const APICURIO_AVRO_CONVERTER: &str = "io.apicurio.registry.utils.converter.AvroConverter";

/// The magic byte of Confluent's wire format.
const MAGIC: u8 = 0;

/// A schema's id and the Connect schema its values are encoded with (the registered
/// one: relaxed by the `optional` policy, or the record's own).
#[derive(Clone)]
struct Resolved {
    id: u32,
    encode_with: Arc<Schema>,
}

/// Schema address → (the schema, kept alive, and its id).
type BySchema = HashMap<usize, (Arc<Schema>, Resolved)>;

pub struct AvroConverter {
    role: String,
    is_key: bool,
    settings: AvroSettings,
    client: RegistryClient,
    /// By topic (when the strategy uses it), then by Connect schema address. The entry
    /// holds the schema, so the address cannot be reused by another one meanwhile.
    by_schema: HashMap<Arc<str>, BySchema>,
    /// By subject and Avro schema text, for an equal schema in another allocation.
    by_text: HashMap<(String, String), Resolved>,
    cached: usize,
    last_len: usize,
    /// Writer schemas by id, for reading.
    writer_schemas: writer_schemas::WriterSchemas,
}

impl AvroConverter {
    pub fn new(role: &str, is_key: bool, settings: AvroSettings) -> Result<AvroConverter, String> {
        let client = RegistryClient::new(settings.registry.clone())?;
        let writer_schemas =
            writer_schemas::WriterSchemas::new(client.clone(), settings.cache_size);
        Ok(AvroConverter {
            role: role.to_string(),
            is_key,
            settings,
            client,
            by_schema: HashMap::new(),
            by_text: HashMap::new(),
            cached: 0,
            last_len: 64,
            writer_schemas,
        })
    }

    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// Checks at start that the registry answers as a Confluent-compatible registry
    /// with these credentials, so a wrong URL or password is named before streaming.
    pub async fn check(&self) -> Result<(), ConvertFailure> {
        let role = &self.role;
        let urls = self.client.urls().join(",");
        match self.client.global_compatibility().await {
            Ok(level) => {
                tracing::info!(role = %role, urls = %urls, compatibility = %level, "schema registry reached");
                Ok(())
            }
            Err(e @ RegistryError::Unreachable { .. }) => Err(ConvertFailure::Unreachable(format!(
                "{e}; check {role}.schema.registry.url ({urls}) and that the registry runs"
            ))),
            Err(e @ RegistryError::Refused { .. }) => Err(ConvertFailure::Registry(format!(
                "{e}; {role}.schema.registry.url ({urls}) does not serve the Confluent schema registry API (for Apicurio Registry it ends in /apis/ccompat/v7)"
            ))),
            Err(e) => Err(ConvertFailure::Registry(e.to_string())),
        }
    }

    /// The framed Avro bytes of `data` written to `topic`; `None` for a null (a tombstone).
    pub async fn to_bytes(
        &mut self,
        topic: &Arc<str>,
        data: Option<&ConnectData>,
        stop: &CancellationToken,
    ) -> Result<Option<Vec<u8>>, ConvertFailure> {
        // Confluent's serializer writes no bytes for a null whatever its schema, so a
        // null value is a tombstone that log compaction acts on.
        let Some(data) = data.filter(|d| !d.value.is_null()) else {
            return Ok(None);
        };
        let resolved = self.resolve(topic, &data.schema, stop).await?;
        // Sized by the last record: rows of one table are of similar length.
        let mut out = Vec::with_capacity(self.last_len.max(16));
        out.push(MAGIC);
        out.extend_from_slice(&resolved.id.to_be_bytes());
        encode::encode(
            &resolved.encode_with,
            &data.value,
            &self.settings.data,
            &mut out,
        )
        .map_err(ConvertFailure::Record)?;
        self.last_len = out.len();
        Ok(Some(out))
    }

    async fn resolve(
        &mut self,
        topic: &Arc<str>,
        schema: &Arc<Schema>,
        stop: &CancellationToken,
    ) -> Result<Resolved, ConvertFailure> {
        let topic_key: Arc<str> = if self.settings.strategy.uses_topic() {
            topic.clone()
        } else {
            Arc::from("")
        };
        let address = Arc::as_ptr(schema) as usize;
        if let Some((_, resolved)) = self.by_schema.get(&topic_key).and_then(|m| m.get(&address)) {
            return Ok(resolved.clone());
        }
        let avro = avro_schema(schema, self.settings.data);
        let text = avro.to_string();
        let subject =
            self.settings
                .strategy
                .subject(topic, self.is_key, &subject::full_name(&avro));
        let key = (subject, text);
        let resolved = match self.by_text.get(&key) {
            Some(resolved) => resolved.clone(),
            None => {
                if let Err(e) = apache_avro::Schema::parse(&avro) {
                    return Err(ConvertFailure::Registry(self.invalid_schema(topic, &e)));
                }
                let resolved = self
                    .register(topic, &key.0, schema, &avro, &key.1, stop)
                    .await?;
                self.by_text.insert(key, resolved.clone());
                resolved
            }
        };
        if self.cached >= self.settings.cache_size {
            self.by_schema.clear();
            self.by_text.clear();
            self.cached = 0;
        }
        self.cached += 1;
        self.by_schema
            .entry(topic_key)
            .or_default()
            .insert(address, (schema.clone(), resolved.clone()));
        Ok(resolved)
    }

    fn invalid_schema(&self, topic: &str, e: &apache_avro::Error) -> String {
        let role = &self.role;
        format!(
            "the schema of a {} for topic {topic} is not a valid Avro schema ({e}); names in Avro hold only [A-Za-z0-9_]: set the connector's schema.name.adjustment.mode=avro and field.name.adjustment.mode=avro, or {role}.scrub.invalid.names=true",
            if self.is_key { "key" } else { "value" }
        )
    }

    /// The id of a new schema: registered (or looked up), then, when the registry
    /// refuses it as incompatible, the policy.
    async fn register(
        &self,
        topic: &str,
        subject: &str,
        schema: &Arc<Schema>,
        avro: &Json,
        text: &str,
        stop: &CancellationToken,
    ) -> Result<Resolved, ConvertFailure> {
        let own = |id| Resolved {
            id,
            encode_with: schema.clone(),
        };
        let refusal = match self.register_text(subject, text, stop).await? {
            Ok(id) => return Ok(own(id)),
            Err(refusal) => refusal,
        };
        let latest = match self.retrying(stop, || self.client.latest(subject)).await? {
            Ok(latest) => latest,
            Err(e) => return Err(ConvertFailure::Registry(e.to_string())),
        };
        let latest_fields = latest
            .as_ref()
            .and_then(|l| serde_json::from_str::<Json>(&l.schema).ok())
            .map(|l| record_fields(&l))
            .unwrap_or_default();
        let changes = describe_changes(&record_fields(avro), &latest_fields).join("; ");
        let scrub = self.settings.data.scrub_invalid_names;
        for policy in &self.settings.policies {
            match policy {
                Policy::Optional => {
                    let Some(relaxed) = relax(schema, &latest_fields, scrub) else {
                        continue;
                    };
                    let relaxed_text = avro_schema(&relaxed, self.settings.data).to_string();
                    if let Ok(id) = self.register_text(subject, &relaxed_text, stop).await? {
                        tracing::warn!(topic, subject, changes = %changes, "the registry refused the new schema as incompatible; registered it with the new fields optional (incompatible.schema.policy=optional)");
                        return Ok(Resolved {
                            id,
                            encode_with: relaxed,
                        });
                    }
                }
                Policy::NewSubject => {
                    for n in 2..=100 {
                        let versioned = format!("{subject}-v{n}");
                        if let Ok(id) = self.register_text(&versioned, text, stop).await? {
                            tracing::warn!(topic, subject, new_subject = %versioned, changes = %changes, "the registry refused the new schema as incompatible; registered it under a new subject (incompatible.schema.policy=new-subject)");
                            return Ok(own(id));
                        }
                    }
                }
                Policy::Fail => break,
            }
        }
        let role = &self.role;
        Err(ConvertFailure::Registry(format!(
            "{refusal}; topic {topic}: {}; the policies tried ({role}.incompatible.schema.policy={}) found no compatible way: change the subject's compatibility level, or set {role}.incompatible.schema.policy=optional,new-subject",
            if changes.is_empty() { "no field difference from the latest version was found".to_string() } else { changes },
            self.settings.policies.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(",")
        )))
    }

    /// Registers (or, without auto-registration, looks up) `text` under `subject`:
    /// `Ok(Err(..))` is an incompatibility refusal, for the policy; other refusals fail.
    async fn register_text(
        &self,
        subject: &str,
        text: &str,
        stop: &CancellationToken,
    ) -> Result<Result<u32, RegistryError>, ConvertFailure> {
        let answer = if self.settings.use_latest_version {
            match self.retrying(stop, || self.client.latest(subject)).await? {
                Ok(Some(latest)) if same_schema(&latest.schema, text) => Ok(latest.id),
                Ok(Some(_)) => {
                    return Err(ConvertFailure::Registry(format!(
                        "{}.use.latest.version=true: the latest version of subject '{subject}' is not the record's schema; Ferrium writes each record with its own schema: set use.latest.version=false, or register the record's schema",
                        self.role
                    )))
                }
                Ok(None) => {
                    return Err(ConvertFailure::Registry(format!(
                        "{}.use.latest.version=true but subject '{subject}' has no version in the registry",
                        self.role
                    )))
                }
                Err(e) => Err(e),
            }
        } else if self.settings.auto_register {
            self.retrying(stop, || self.client.register(subject, text))
                .await?
        } else {
            match self.retrying(stop, || self.client.lookup(subject, text)).await? {
                Ok(Some(found)) => Ok(found.id),
                Ok(None) => {
                    return Err(ConvertFailure::Registry(format!(
                        "the schema is not registered under subject '{subject}' and {}.auto.register.schemas=false: register it, or set auto.register.schemas=true",
                        self.role
                    )))
                }
                Err(e) => Err(e),
            }
        };
        match answer {
            Ok(id) => Ok(Ok(id)),
            Err(e @ RegistryError::Incompatible { .. }) => Ok(Err(e)),
            Err(e) => Err(ConvertFailure::Registry(e.to_string())),
        }
    }

    /// A registry call, tried again with a growing pause while the registry does not
    /// answer; nothing is written meanwhile (the source waits behind a full queue).
    async fn retrying<T, F, Fut>(
        &self,
        stop: &CancellationToken,
        call: F,
    ) -> Result<Result<T, RegistryError>, ConvertFailure>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, RegistryError>>,
    {
        retry::retrying(self.pauses(), stop, call).await
    }

    fn pauses(&self) -> retry::Pauses {
        retry::Pauses {
            first: self.settings.retry_pause,
            longest: self.settings.retry_max_pause,
        }
    }
}

/// Two schema texts are the same schema when their parsed canonical forms are equal.
fn same_schema(a: &str, b: &str) -> bool {
    match (
        apache_avro::Schema::parse_str(a),
        apache_avro::Schema::parse_str(b),
    ) {
        (Ok(a), Ok(b)) => a.canonical_form() == b.canonical_form(),
        _ => a == b,
    }
}
