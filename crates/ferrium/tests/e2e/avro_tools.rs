//! The Avro test tools themselves: a record written by Confluent's `AvroSerializer` comes back
//! from `read_avro` with its schema ids, and a tombstone as a null value. Needs Kafka and the
//! schema registry (`scripts/services.sh up registry`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::support::{produce_avro, read_avro};

#[test]
fn read_avro_decodes_what_the_confluent_serializer_wrote() {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_nanos();
    let topic = format!("ferrium-avro-tools-{}-{stamp}", std::process::id());
    let key_schema = r#"{"type":"record","name":"Key","fields":[{"name":"id","type":"int"}]}"#;
    let value_schema = r#"{"type":"record","name":"Value","fields":[
        {"name":"id","type":"int"},{"name":"name","type":["null","string"],"default":null}]}"#;
    let ids = produce_avro(
        &topic,
        Some(key_schema),
        value_schema,
        &[
            json!({"key": {"id": 1}, "value": {"id": 1, "name": "one"}}),
            json!({"key": {"id": 1}, "value": null}),
        ],
    );

    let records = read_avro(&topic, 2, Duration::from_secs(30));
    assert_eq!(
        records,
        vec![
            json!({"partition": 0, "offset": 0, "key": {"id": 1}, "value": {"id": 1, "name": "one"},
                   "key_schema_id": ids["key_schema_id"], "value_schema_id": ids["value_schema_id"],
                   "headers": []}),
            json!({"partition": 0, "offset": 1, "key": {"id": 1}, "value": null,
                   "key_schema_id": ids["key_schema_id"], "value_schema_id": null, "headers": []}),
        ]
    );
    assert!(
        ids["value_schema_id"].as_u64().is_some(),
        "schema ids: {ids}"
    );
}
