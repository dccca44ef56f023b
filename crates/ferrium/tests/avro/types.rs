//! Every type family of the JSON type tests, written in Avro: Confluent's Python
//! `AvroDeserializer` decodes Ferrium's keys and values to the values the JSON path gives
//! (the hand-worked rows of `common/pg_all_types.rs` and `common/mysql_all_types.rs`),
//! for the snapshot and the streaming path, and the registry holds the subjects
//! `TopicNameStrategy` and `RecordNameStrategy` name.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::registry::{avro_options, start_postgres, subjects, versions};
use crate::support::{kafka_bootstrap, read_avro, TestDb};

#[path = "../common/mysql_all_types.rs"]
mod mysql_all_types;
#[path = "../common/pg_all_types.rs"]
mod pg_all_types;

const WAIT: Duration = Duration::from_secs(90);

/// A Connect decimal as JsonConverter writes it (base64 of the unscaled two's-complement
/// bytes) in the form the Python tool renders a decoded Avro decimal: its plain text at
/// the schema's scale.
fn decimal_text(base64_text: &str, scale: u32) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_text)
        .unwrap();
    let mut unscaled: i128 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
    for b in bytes {
        unscaled = (unscaled << 8) | i128::from(b);
    }
    let digits = format!(
        "{:0>width$}",
        unscaled.unsigned_abs(),
        width = scale as usize + 1
    );
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A JSON-path row in the Python tool's rendering: decimals as text; a `float` (32-bit)
/// compared at 32-bit precision, since Python widens it to a double.
fn as_decoded(row: &Value, decimals: &[(&str, u32)], floats: &[&str]) -> Value {
    let mut out: Map<String, Value> = row.as_object().unwrap().clone();
    for (field, scale) in decimals {
        if let Some(text) = out[*field].as_str() {
            out[*field] = json!(decimal_text(text, *scale));
        }
    }
    for field in floats {
        if let Some(v) = out[*field].as_f64() {
            out[*field] = json!(v as f32);
        }
    }
    Value::Object(out)
}

fn narrow_floats(row: &Value, floats: &[&str]) -> Value {
    as_decoded(row, &[], floats)
}

/// The fields whose decoded value differs from the expected one.
fn diffs(actual: &Value, expected: &Value) -> Vec<String> {
    let expected = expected.as_object().unwrap();
    expected
        .iter()
        .filter(|(field, want)| actual.get(field.as_str()) != Some(want))
        .map(|(field, want)| format!("{field}: expected {want}, got {}", actual[field]))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_every_type_decodes_as_the_json_path_gives_it() {
    let db = TestDb::create("avro_pg_types").await;
    db.exec(pg_all_types::ALL_TYPES_DDL).await;
    db.exec(&pg_all_types::insert_all_types(1)).await;
    let prefix = db.name.clone();
    let ferrium = start_postgres(&db, &[]);
    db.exec(&pg_all_types::insert_all_types(2)).await;
    let topic = format!("{prefix}.public.all_types");
    let records = read_avro(&topic, 2, WAIT);
    let decimals = [("n", 2), ("m", 2)];
    for (record, (op, id)) in records.iter().zip([("r", 1), ("c", 2)]) {
        let value = &record["value"];
        assert_eq!(value["op"], op, "{record:#}");
        assert_eq!(record["key"], json!({"id": id}), "{record:#}");
        assert!(record["key_schema_id"].is_u64() && record["value_schema_id"].is_u64());
        let expected = as_decoded(&pg_all_types::default_payload(id), &decimals, &["r"]);
        let actual = narrow_floats(&value["after"], &["r"]);
        let problems = diffs(&actual, &expected);
        assert!(problems.is_empty(), "op {op}: {problems:#?}\n{record:#}");
        assert_eq!(value["source"]["table"], "all_types");
        assert_eq!(value["before"], Value::Null);
    }
    assert_eq!(
        subjects(&topic),
        [format!("{topic}-key"), format!("{topic}-value")],
        "TopicNameStrategy: one key and one value subject per table"
    );
    assert_eq!(versions(&format!("{topic}-value")), [1], "registered once");
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_every_type_decodes_as_the_json_path_gives_it_under_record_names() {
    let mut db = crate::mysql_support::TestDb::create("avro_my_types").await;
    db.exec("SET SESSION sql_mode = ''; SET SESSION time_zone = '+00:00'")
        .await;
    db.exec(mysql_all_types::TABLE).await;
    db.exec(&format!(
        "INSERT INTO all_types VALUES {}",
        mysql_all_types::values(1)
    ))
    .await;
    let prefix = db.name.clone();
    let servers = kafka_bootstrap();
    let history = format!("{prefix}.history");
    let mut options = avro_options(&[
        (
            "key.converter.key.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        ),
        (
            "value.converter.value.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
        ),
        ("include.schema.changes", "false"),
    ]);
    options.push(("topic.prefix".into(), prefix.clone()));
    options.push((
        "schema.history.internal.kafka.bootstrap.servers".into(),
        servers.clone(),
    ));
    options.push(("schema.history.internal.kafka.topic".into(), history));
    let options: Vec<(&str, &str)> = options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let worker = db.worker(&[
        &format!("bootstrap.servers={servers}"),
        &format!("offset.storage.topic={prefix}-offsets"),
    ]);
    let connector = db.write_connector(&db.connector(&options));
    let ferrium = crate::mysql_support::Ferrium::start(&connector, &worker);
    ferrium.wait_for_log("streaming the binlog");
    db.exec(&format!(
        "INSERT INTO all_types VALUES {}",
        mysql_all_types::values(2)
    ))
    .await;
    let topic = format!("{prefix}.{}.all_types", db.name);
    let records = read_avro(&topic, 2, WAIT);
    for (record, (op, id)) in records.iter().zip([("r", 1), ("c", 2)]) {
        let value = &record["value"];
        assert_eq!(value["op"], op, "{record:#}");
        assert_eq!(record["key"], json!({"id": id}), "{record:#}");
        let expected = as_decoded(&mysql_all_types::expected(id), &[("dec10", 2)], &[]);
        let problems = diffs(&value["after"], &expected);
        assert!(problems.is_empty(), "op {op}: {problems:#?}\n{record:#}");
    }
    assert_eq!(
        subjects(&topic),
        [format!("{topic}.Envelope"), format!("{topic}.Key")],
        "RecordNameStrategy: the record full names"
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[test]
fn decimal_text_renders_as_python_does() {
    assert_eq!(decimal_text("/2lLwQ==", 2), "-98765.43");
    assert_eq!(decimal_text("A+g=", 0), "1000");
    assert_eq!(decimal_text("AQ==", 3), "0.001");
}
