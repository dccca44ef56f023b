//! A table that changes under streaming, with the registry at BACKWARD compatibility: a
//! compatible change registers a new version and streaming goes on; an incompatible one
//! meets `value.converter.incompatible.schema.policy`. Every event is decoded by the
//! Python consumer, by its writer's schema and by the subject's latest schema.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::registry::{latest_schema, set_compatibility, start_postgres, versions};
use crate::support::{read_avro, read_avro_with, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(90);

async fn start(db: &TestDb, extra: &[(&'static str, &'static str)]) -> (Ferrium, String) {
    (start_postgres(db, extra), format!("{}.public.t", db.name))
}

/// The field names of the row record (`Value`) of a value schema.
fn row_fields(schema: &Value) -> Vec<(String, Value)> {
    let before = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "before")
        .unwrap();
    before["type"][1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_string(), f["type"].clone()))
        .collect()
}

fn field_type(schema: &Value, name: &str) -> Value {
    row_fields(schema)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no field {name} in {schema:#}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn compatible_changes_register_versions_and_incompatible_ones_never_stop_streaming() {
    let db = TestDb::create("avro_evolve").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, a text, n bigint); INSERT INTO t VALUES (1, 'one', 10);")
        .await;
    let (ferrium, topic) = start(&db, &[]).await;
    let subject = format!("{topic}-value");
    read_avro(&topic, 1, WAIT);
    set_compatibility(&subject, "BACKWARD");

    // A nullable column: a compatible change, a second version.
    db.exec("ALTER TABLE t ADD COLUMN b text; INSERT INTO t VALUES (2, 'two', 20, 'bee');")
        .await;
    let records = read_avro(&topic, 2, WAIT);
    assert_eq!(
        records[1]["value"]["after"],
        json!({"id": 2, "a": "two", "n": 20, "b": "bee"})
    );
    assert_eq!(versions(&subject), [1, 2]);

    // NOT NULL with an expression default: Debezium derives no schema default from an
    // expression, so the field is required and BACKWARD refuses it; the default policy
    // registers it optional instead.
    db.exec("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT (2 + 3); INSERT INTO t (id, a, n, b) VALUES (3, 'three', 30, NULL);")
        .await;
    let records = read_avro(&topic, 3, WAIT);
    assert_eq!(records[2]["value"]["after"]["c"], json!(5));
    assert_eq!(versions(&subject), [1, 2, 3]);
    assert_eq!(field_type(&latest_schema(&subject), "c")[0], json!("null"));
    ferrium.wait_for_log("incompatible.schema.policy=optional");

    // A dropped column: compatible.
    db.exec("ALTER TABLE t DROP COLUMN a; INSERT INTO t (id, n, b) VALUES (4, 40, 'dee');")
        .await;
    let records = read_avro(&topic, 4, WAIT);
    assert_eq!(
        records[3]["value"]["after"],
        json!({"id": 4, "n": 40, "b": "dee", "c": 5})
    );
    assert_eq!(versions(&subject), [1, 2, 3, 4]);
    assert!(row_fields(&latest_schema(&subject))
        .iter()
        .all(|(n, _)| n != "a"));

    // Every event so far is decoded with the subject's latest schema as the reader's.
    let latest = latest_schema(&subject).to_string();
    let as_latest = read_avro_with(&topic, 4, WAIT, &["--reader-schema", &latest]);
    let ids: Vec<_> = as_latest
        .iter()
        .map(|r| r["value"]["after"]["id"].clone())
        .collect();
    assert_eq!(ids, [json!(1), json!(2), json!(3), json!(4)]);
    assert_eq!(
        as_latest[0]["value"]["after"]["b"],
        Value::Null,
        "b read as its default"
    );

    // A narrowed type: no field to relax, so a new subject takes the schema.
    db.exec(
        "ALTER TABLE t ALTER COLUMN n TYPE int; INSERT INTO t (id, n, b) VALUES (5, 50, 'eff');",
    )
    .await;
    let records = read_avro(&topic, 5, WAIT);
    assert_eq!(records[4]["value"]["after"]["n"], json!(50));
    assert_eq!(
        versions(&subject),
        [1, 2, 3, 4],
        "the old subject keeps its history"
    );
    assert_eq!(versions(&format!("{subject}-v2")), [1]);
    ferrium.wait_for_log("incompatible.schema.policy=new-subject");
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fail_policy_fails_the_connector_naming_the_table_the_column_and_the_answer() {
    let db = TestDb::create("avro_evolve_fail").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'one');")
        .await;
    let (mut ferrium, topic) = start(
        &db,
        &[("value.converter.incompatible.schema.policy", "fail")],
    )
    .await;
    let subject = format!("{topic}-value");
    read_avro(&topic, 1, WAIT);
    set_compatibility(&subject, "BACKWARD");
    db.exec(
        "ALTER TABLE t ADD COLUMN code int NOT NULL DEFAULT (3 + 4); INSERT INTO t VALUES (2, 'two', 8);",
    )
    .await;
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = ferrium.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the connector did not fail:\n{}",
            ferrium.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success());
    let log = ferrium.log();
    assert!(log.contains("HTTP 409"), "{log}");
    assert!(log.contains(&format!("topic {topic}")), "{log}");
    assert!(log.contains(".Value.code is new and required"), "{log}");
    assert!(
        log.contains("incompatible.schema.policy=optional,new-subject"),
        "{log}"
    );
    assert_eq!(versions(&subject), [1], "nothing registered");
    db.drop().await;
}
