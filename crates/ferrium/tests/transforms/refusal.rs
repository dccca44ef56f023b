//! `ferrium run` refuses a configuration it cannot honour, naming every key, before it
//! touches the database: a migrated Debezium config never runs with a part ignored.

use std::time::Duration;

use crate::support::{run_to_exit, TestDb};

#[tokio::test(flavor = "multi_thread")]
async fn ferrium_run_refuses_unavailable_transforms_and_converters() {
    let db = TestDb::create("refuse_run").await;
    let connector = db.connector(&[
        ("transforms", "unwrap,route"),
        ("transforms.unwrap.type", "com.example.Unwrap"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        (
            "value.converter",
            "io.confluent.connect.protobuf.ProtobufConverter",
        ),
        (
            "value.converter.schema.registry.url",
            "http://127.0.0.1:8081",
        ),
        (
            "header.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
    ]);
    let (status, log) = run_to_exit(
        &db.write_connector(&connector),
        Some(&db.worker(&[])),
        Duration::from_secs(60),
    );
    assert!(
        !status.success(),
        "ferrium ran a config it cannot honour:\n{log}"
    );
    for needle in [
        "'transforms.unwrap.type'",
        "com.example.Unwrap",
        "'transforms.route.regex'",
        "'value.converter'",
        "Protobuf",
        "'header.converter'",
    ] {
        assert!(
            log.contains(needle),
            "'{needle}' missing from the log:\n{log}"
        );
    }
    // Refused before streaming: no replication slot was created.
    let slots = db
        .client
        .query(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
            &[&db.name],
        )
        .await
        .unwrap();
    assert!(
        slots.is_empty(),
        "a slot was created for a refused connector"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_with_a_converter_ferrium_lacks_does_not_start() {
    let db = TestDb::create("refuse_worker").await;
    let (status, log) = run_to_exit(
        &db.write_connector(&db.connector(&[])),
        Some(&db.worker(&["key.converter=io.confluent.connect.protobuf.ProtobufConverter"])),
        Duration::from_secs(60),
    );
    assert!(!status.success(), "{log}");
    assert!(
        log.contains("invalid worker configuration")
            && log.contains("worker option 'key.converter'"),
        "{log}"
    );
    db.drop().await;
}
