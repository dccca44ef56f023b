//! Confluent-framed Avro back to JSON, with the writer schema fetched from the registry
//! by the id in the frame: for showing Avro records as text (the stdout sink), and a
//! check that what was written decodes with the registered schema.

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as Avro;
use base64::Engine as _;
use serde_json::{json, Value as Json};

use super::registry_client::RegistryClient;
use super::writer_schemas::{unframe, WriterSchemas};

/// Writer schemas kept by id; more are fetched again.
const SCHEMAS_KEPT: usize = 1000;

pub struct AvroDecoder {
    schemas: WriterSchemas,
}

impl AvroDecoder {
    pub fn new(client: RegistryClient) -> AvroDecoder {
        AvroDecoder {
            schemas: WriterSchemas::new(client, SCHEMAS_KEPT),
        }
    }

    /// `{"schema_id": N, "payload": …}` for framed Avro bytes: bytes, decimals and fixed
    /// values in base64 as JsonConverter writes them, dates and times as numbers.
    pub async fn to_json(&mut self, bytes: &[u8]) -> Result<Json, String> {
        let (id, mut body) = unframe(bytes)?;
        let writer = self
            .schemas
            .get(id, None)
            .await
            .map_err(|e| e.to_string())?;
        let value = GenericDatumReader::builder(&writer.avro)
            .build()
            .and_then(|reader| reader.read_value(&mut body))
            .map_err(|e| format!("cannot decode with schema id {id}: {e}"))?;
        Ok(json!({ "schema_id": id, "payload": to_json(value) }))
    }
}

fn base64(bytes: &[u8]) -> Json {
    Json::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn to_json(value: Avro) -> Json {
    match value {
        Avro::Null => Json::Null,
        Avro::Boolean(b) => json!(b),
        Avro::Int(v) | Avro::Date(v) | Avro::TimeMillis(v) => json!(v),
        Avro::Long(v)
        | Avro::TimeMicros(v)
        | Avro::TimestampMillis(v)
        | Avro::TimestampMicros(v)
        | Avro::TimestampNanos(v)
        | Avro::LocalTimestampMillis(v)
        | Avro::LocalTimestampMicros(v)
        | Avro::LocalTimestampNanos(v) => json!(v),
        Avro::Float(v) => json!(v),
        Avro::Double(v) => json!(v),
        Avro::Bytes(b) | Avro::Fixed(_, b) => base64(&b),
        Avro::Decimal(d) => Vec::<u8>::try_from(d).map_or(Json::Null, |b| base64(&b)),
        Avro::String(s) | Avro::Enum(_, s) => Json::String(s),
        Avro::Union(_, inner) => to_json(*inner),
        Avro::Array(items) => Json::Array(items.into_iter().map(to_json).collect()),
        Avro::Map(entries) => {
            let mut entries: Vec<_> = entries.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        Avro::Record(fields) => {
            Json::Object(fields.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        Avro::Uuid(u) => Json::String(u.to_string()),
        other => Json::String(format!("{other:?}")),
    }
}
