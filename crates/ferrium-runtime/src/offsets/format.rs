//! The bytes of an offsets-topic record, as Kafka Connect writes them: the key is the
//! JSON array `["<connector>",{<partition>}]`, the value the offset map as JSON.

use ferrium_event::{Offset, SourcePartition};
use serde_json::{json, Value as Json};

pub fn encode_key(connector: &str, partition: &SourcePartition) -> Vec<u8> {
    serde_json::to_vec(&json!([connector, partition.0])).unwrap_or_default()
}

pub fn encode_value(offset: &Offset) -> Vec<u8> {
    serde_json::to_vec(&offset.0).unwrap_or_default()
}

/// `None` for anything that is not a JSON object (a tombstone or foreign data).
pub fn decode_value(bytes: &[u8]) -> Option<Offset> {
    match serde_json::from_slice::<Json>(bytes).ok()? {
        Json::Object(map) => Some(Offset(map)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_kafka_connect_and_values_round_trip() {
        let key = encode_key("inventory-connector", &SourcePartition::server("dbserver1"));
        assert_eq!(key, br#"["inventory-connector",{"server":"dbserver1"}]"#);
        let offset = Offset::new().with("lsn", 42u64).with("txId", 7);
        assert_eq!(decode_value(&encode_value(&offset)), Some(offset));
        assert_eq!(decode_value(b"[1]"), None);
    }
}
