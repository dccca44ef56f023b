//! A chain of three transforms with a predicate and `negate`, configured as Kafka
//! Connect configures it: unwrap every change, add a static field to every topic but
//! one, then rename the topics.

use std::time::Duration;

use serde_json::json;

use crate::records::read;
use crate::support::{kafka_bootstrap, Ferrium, TestDb};

#[tokio::test(flavor = "multi_thread")]
async fn three_transforms_with_a_negated_predicate() {
    let db = TestDb::create("chain").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); CREATE TABLE notes (id int PRIMARY KEY);")
        .await;
    let prefix = db.name.clone();
    let items_pattern = format!("{prefix}\\.public\\.items");
    let config = vec![
        ("topic.prefix", prefix.as_str()),
        ("snapshot.mode", "no_data"),
        ("transforms", "unwrap,origin,rename"),
        (
            "transforms.unwrap.type",
            "io.debezium.transforms.ExtractNewRecordState",
        ),
        (
            "transforms.origin.type",
            "org.apache.kafka.connect.transforms.InsertField$Value",
        ),
        ("transforms.origin.static.field", "origin"),
        ("transforms.origin.static.value", "ferrium"),
        ("transforms.origin.predicate", "isItems"),
        ("transforms.origin.negate", "true"),
        (
            "transforms.rename.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.rename.regex", "(.*)\\.public\\.(.*)"),
        ("transforms.rename.replacement", "$1.rm.$2"),
        ("predicates", "isItems"),
        (
            "predicates.isItems.type",
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        ),
        ("predicates.isItems.pattern", items_pattern.as_str()),
    ];
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&config)), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO items VALUES (1); INSERT INTO notes VALUES (2);")
        .await;
    let items = read(
        &[&format!("{prefix}.rm.items")],
        1,
        Duration::from_secs(2),
        || ferrium.log(),
    );
    let notes = read(
        &[&format!("{prefix}.rm.notes")],
        1,
        Duration::from_secs(2),
        || ferrium.log(),
    );
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(
        items[0].value,
        Some(json!({"id": 1})),
        "the predicate matched: no field added"
    );
    assert_eq!(notes[0].value, Some(json!({"id": 2, "origin": "ferrium"})));
    assert!(ferrium.stop().success());
    db.drop().await;
}
