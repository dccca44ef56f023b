//! Confluent-framed Avro back to JSON, with the writer schema fetched from the registry
//! by the id in the frame: for showing Avro records as text (the stdout sink), and a
//! check that what was written decodes with the registered schema.

use std::collections::HashMap;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as Avro;
use base64::Engine as _;
use serde_json::{json, Value as Json};

use super::registry_client::RegistryClient;

pub struct AvroDecoder {
    client: RegistryClient,
    schemas: HashMap<u32, apache_avro::Schema>,
}

impl AvroDecoder {
    pub fn new(client: RegistryClient) -> AvroDecoder {
        AvroDecoder {
            client,
            schemas: HashMap::new(),
        }
    }

    /// `{"schema_id": N, "payload": …}` for framed Avro bytes: bytes, decimals and fixed
    /// values in base64 as JsonConverter writes them, dates and times as numbers.
    pub async fn to_json(&mut self, bytes: &[u8]) -> Result<Json, String> {
        let (id, mut body) = match bytes {
            [0, a, b, c, d, body @ ..] => (u32::from_be_bytes([*a, *b, *c, *d]), body),
            _ => return Err("not Confluent-framed Avro (no magic byte 0 and schema id)".into()),
        };
        if !self.schemas.contains_key(&id) {
            let text = self
                .client
                .schema_by_id(id)
                .await
                .map_err(|e| e.to_string())?;
            let schema = apache_avro::Schema::parse_str(&text)
                .map_err(|e| format!("schema id {id} does not parse: {e}"))?;
            self.schemas.insert(id, schema);
        }
        let schema = &self.schemas[&id];
        let value = GenericDatumReader::builder(schema)
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
