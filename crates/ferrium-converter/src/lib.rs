//! Converters: Connect data (schema + value) to the bytes written to Kafka, and back
//! (`to_connect`) for sinks.
//!
//! The JSON converter reproduces `org.apache.kafka.connect.json.JsonConverter`, and the
//! Avro converter `io.confluent.connect.avro.AvroConverter` with its schema registry,
//! which are what Debezium users run, so existing consumers read Ferrium's records
//! unchanged.

pub mod avro;
mod decimal_text;
mod header;
mod header_read;
mod json;
mod json_read;
mod json_schema;
mod json_schema_read;
pub mod registry;
#[cfg(test)]
mod test_events;

use std::sync::Arc;

pub use avro::AvroConverter;
pub use header::{simple_text, HeaderConverter};
pub use json::JsonConverter;
pub use registry::{build_converters, ConverterConfigError};

use ferrium_event::{ConnectData, SerializedRecord, SourceRecord};
use tokio_util::sync::CancellationToken;

/// Why a record could not be converted, by what to do next.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConvertFailure {
    /// The record's value does not fit its schema: a bug in the source or a transform;
    /// `errors.tolerance=all` may skip it.
    #[error("{0}")]
    Record(String),
    /// The schema registry refused the schema or the credentials: no record of this
    /// schema can be written, so the connector fails whatever the tolerance.
    #[error("{0}")]
    Registry(String),
    /// The registry does not answer at start: the connector is restarted after a
    /// backoff (`errors.retry.*`), naming the URL each time.
    #[error("{0}")]
    Unreachable(String),
    /// The connector is stopping while waiting for the registry; the record is read
    /// again on the next run.
    #[error("stopped while waiting for the schema registry: {0}")]
    Stopped(String),
}

/// A failed conversion of one record.
#[derive(Debug, thiserror::Error)]
#[error("cannot convert a {part} for topic {topic}: {failure}")]
pub struct ConvertError {
    pub topic: String,
    pub part: &'static str,
    pub failure: ConvertFailure,
}

/// The converter of keys or of values.
pub enum DataConverter {
    Json(JsonConverter),
    Avro(Box<AvroConverter>),
}

impl DataConverter {
    pub async fn to_bytes(
        &mut self,
        topic: &Arc<str>,
        data: Option<&ConnectData>,
        stop: &CancellationToken,
    ) -> Result<Option<Vec<u8>>, ConvertFailure> {
        match self {
            DataConverter::Json(json) => json.to_bytes(data).map_err(ConvertFailure::Record),
            DataConverter::Avro(avro) => avro.to_bytes(topic, data, stop).await,
        }
    }

    /// Reads key or value bytes of `topic` back to Connect data, as Kafka Connect's
    /// `Converter.toConnectData`; `None` (a tombstone or a null key) stays `None`. `stop`
    /// ends a wait for an unreachable schema registry.
    pub async fn to_connect(
        &mut self,
        topic: &str,
        bytes: Option<&[u8]>,
        stop: &CancellationToken,
    ) -> Result<Option<ConnectData>, ConvertFailure> {
        match self {
            DataConverter::Json(json) => json.to_connect(bytes).map_err(ConvertFailure::Record),
            DataConverter::Avro(avro) => avro.to_connect(topic, bytes, stop).await,
        }
    }

    /// The registry client, for an Avro converter.
    pub fn registry(&self) -> Option<&avro::RegistryClient> {
        match self {
            DataConverter::Json(_) => None,
            DataConverter::Avro(avro) => Some(avro.client()),
        }
    }
}

impl RecordConverter {
    /// Checks the schema registry of each Avro converter (see [`AvroConverter::check`]).
    pub async fn check(&self) -> Result<(), ConvertFailure> {
        for converter in [&self.key, &self.value] {
            if let DataConverter::Avro(avro) = converter {
                avro.check().await?;
            }
        }
        Ok(())
    }
}

/// The key, value and header converters of a connector, as a worker configures them.
pub struct RecordConverter {
    pub key: DataConverter,
    pub value: DataConverter,
    pub header: HeaderConverter,
}

impl RecordConverter {
    /// Converts one record; `stop` ends a wait for an unreachable schema registry.
    pub async fn convert(
        &mut self,
        record: &SourceRecord,
        stop: &CancellationToken,
    ) -> Result<SerializedRecord, ConvertError> {
        let fail = |part: &'static str| {
            move |failure: ConvertFailure| ConvertError {
                topic: record.topic.to_string(),
                part,
                failure,
            }
        };
        let key = self
            .key
            .to_bytes(&record.topic, record.key.as_ref(), stop)
            .await
            .map_err(fail("key"))?;
        let value = self
            .value
            .to_bytes(&record.topic, record.value.as_ref(), stop)
            .await
            .map_err(fail("value"))?;
        let mut headers = Vec::with_capacity(record.headers.len());
        for header in &record.headers {
            let bytes = self
                .header
                .to_bytes(&header.value)
                .map_err(|e| fail("header")(ConvertFailure::Record(e)))?;
            headers.push((header.key.clone(), bytes));
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
