//! Converters: Connect data (schema + value) to the bytes written to Kafka.
//!
//! The JSON converter reproduces `org.apache.kafka.connect.json.JsonConverter`, which is
//! what Debezium users run, so existing consumers parse Ferrium's records unchanged.

mod header;
mod json;
mod json_schema;
pub mod registry;

pub use header::{simple_text, HeaderConverter};
pub use json::JsonConverter;
pub use registry::{build_converters, ConverterConfigError};

use ferrium_event::{SerializedRecord, SourceRecord};

/// A value that does not fit its schema: a bug in the source, never user data loss.
#[derive(Debug, thiserror::Error)]
#[error("cannot convert a value for topic {topic}: {reason}")]
pub struct ConvertError {
    pub topic: String,
    pub reason: String,
}

/// The key, value and header converters of a connector, as a worker configures them.
pub struct RecordConverter {
    pub key: JsonConverter,
    pub value: JsonConverter,
    pub header: HeaderConverter,
}

impl RecordConverter {
    pub fn convert(&mut self, record: &SourceRecord) -> Result<SerializedRecord, ConvertError> {
        let fail = |reason: String| ConvertError {
            topic: record.topic.to_string(),
            reason,
        };
        let key = self.key.to_bytes(record.key.as_ref()).map_err(fail)?;
        let value = self.value.to_bytes(record.value.as_ref()).map_err(fail)?;
        let mut headers = Vec::with_capacity(record.headers.len());
        for header in &record.headers {
            headers.push((
                header.key.clone(),
                self.header.to_bytes(&header.value).map_err(fail)?,
            ));
        }
        Ok(SerializedRecord {
            topic: record.topic.clone(),
            partition: record.partition,
            key,
            value,
            timestamp: record.timestamp,
            headers,
        })
    }
}
