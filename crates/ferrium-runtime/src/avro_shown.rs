//! The stdout sink for connectors that write Avro: each key and value is shown as
//! `{"schema_id": N, "payload": …}`, decoded with the registered schema, so the embedded
//! default stays readable and shows what a consumer would decode.

use ferrium_converter::avro::AvroDecoder;
use ferrium_event::SerializedRecord;
use ferrium_sink::{Delivery, Sink, SinkError};
use serde_json::json;

pub struct AvroShown {
    pub inner: Box<dyn Sink>,
    pub key: Option<AvroDecoder>,
    pub value: Option<AvroDecoder>,
}

/// The JSON text of framed Avro bytes; when they cannot be decoded (the registry is
/// gone meanwhile), the bytes in base64, so the line still carries the record.
async fn shown(decoder: &mut AvroDecoder, bytes: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let json = match decoder.to_json(bytes).await {
        Ok(json) => json,
        Err(error) => json!({
            "avro_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            "error": error,
        }),
    };
    json.to_string().into_bytes()
}

#[async_trait::async_trait]
impl Sink for AvroShown {
    async fn write(&mut self, mut batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        for record in &mut batch {
            if let (Some(decoder), Some(bytes)) = (self.key.as_mut(), record.key.as_ref()) {
                record.key = Some(shown(decoder, bytes).await);
            }
            if let (Some(decoder), Some(bytes)) = (self.value.as_mut(), record.value.as_ref()) {
                record.value = Some(shown(decoder, bytes).await);
            }
        }
        self.inner.write(batch).await
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush().await
    }
}
