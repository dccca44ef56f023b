//! Writer schemas by the id in Confluent's frame, fetched from the registry once each:
//! shared by the Avro converter's reading ([`super::to_connect`]) and the JSON display
//! of Avro records ([`super::decode`]). Each entry also keeps the Connect form of the
//! schema once a converter has derived it, so every record of an id shares one
//! `Arc<Schema>`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value as Json;
use tokio_util::sync::CancellationToken;

use super::connect_schema::ReadSchema;
use super::registry_client::{RegistryClient, RegistryError};
use super::retry::{retrying, Pauses};
use crate::ConvertFailure;

/// The magic byte of Confluent's wire format.
const MAGIC: u8 = 0;

pub(crate) struct WriterSchema {
    pub avro: apache_avro::Schema,
    /// The registered text, parsed: it keeps the `connect.*` properties of every type,
    /// which `apache_avro::Schema` drops for primitive ones.
    pub json: Json,
    /// The Connect form, derived by the first converter that reads the id.
    pub connect: OnceLock<Result<Arc<ReadSchema>, String>>,
}

pub(crate) struct WriterSchemas {
    client: RegistryClient,
    by_id: HashMap<u32, Arc<WriterSchema>>,
    limit: usize,
}

/// The schema id and the Avro body of Confluent-framed bytes.
pub(crate) fn unframe(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    match bytes {
        [MAGIC, a, b, c, d, body @ ..] => Ok((u32::from_be_bytes([*a, *b, *c, *d]), body)),
        [] => Err("empty bytes are not Confluent-framed Avro (a magic byte 0 and a 4-byte schema id)".into()),
        [first, ..] => Err(format!(
            "not Confluent-framed Avro: the first byte is {first}, not the magic byte 0, or the record is shorter than the 5-byte frame; was the topic written with another converter?"
        )),
    }
}

impl WriterSchemas {
    /// `limit`: how many ids to keep (`schemas.cache.config`); past it all are dropped.
    pub fn new(client: RegistryClient, limit: usize) -> WriterSchemas {
        WriterSchemas {
            client,
            by_id: HashMap::new(),
            limit: limit.max(1),
        }
    }

    /// The writer schema of `id`. With `wait`, an unreachable registry is waited for
    /// (as writing does); without, it fails at once with [`ConvertFailure::Unreachable`].
    pub async fn get(
        &mut self,
        id: u32,
        wait: Option<(Pauses, &CancellationToken)>,
    ) -> Result<Arc<WriterSchema>, ConvertFailure> {
        if let Some(found) = self.by_id.get(&id) {
            return Ok(found.clone());
        }
        let answer = match wait {
            Some((pauses, stop)) => retrying(pauses, stop, || self.client.schema_by_id(id)).await?,
            None => self.client.schema_by_id(id).await,
        };
        let text = answer.map_err(|e| match e {
            RegistryError::Refused { status: 404, .. } => ConvertFailure::Record(format!(
                "schema id {id} is not in the schema registry ({e}); the record was written against another registry, or its schema was deleted"
            )),
            RegistryError::Unreachable { .. } => ConvertFailure::Unreachable(format!(
                "{e}; check schema.registry.url ({}) and that the registry runs",
                self.client.urls().join(",")
            )),
            other => ConvertFailure::Registry(other.to_string()),
        })?;
        let bad = |e: String| {
            ConvertFailure::Record(format!("schema id {id} is not a valid Avro schema: {e}"))
        };
        let json: Json = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let avro = apache_avro::Schema::parse(&json).map_err(|e| bad(e.to_string()))?;
        let schema = Arc::new(WriterSchema {
            avro,
            json,
            connect: OnceLock::new(),
        });
        if self.by_id.len() >= self.limit {
            self.by_id.clear();
        }
        self.by_id.insert(id, schema.clone());
        Ok(schema)
    }
}
