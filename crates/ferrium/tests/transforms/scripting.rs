//! Debezium's scripting `Filter` with a JavaScript condition, unchanged from a Debezium
//! config: only updates are kept; tombstones pass under the default
//! `null.handling.mode=keep` and are dropped under `drop`.

use std::time::Duration;

use crate::records::{read, Record};
use crate::support::{kafka_bootstrap, Ferrium, TestDb};

async fn filtered(tag: &str, null_handling: Option<&str>, expected: usize) -> Vec<Record> {
    let db = TestDb::create(tag).await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)")
        .await;
    let prefix = db.name.clone();
    let mut config = vec![
        ("topic.prefix", prefix.as_str()),
        ("snapshot.mode", "no_data"),
        ("transforms", "onlyUpdates"),
        (
            "transforms.onlyUpdates.type",
            "io.debezium.transforms.Filter",
        ),
        ("transforms.onlyUpdates.language", "jsr223.graal.js"),
        (
            "transforms.onlyUpdates.condition",
            "value.op == 'u' && value.after.v > 1",
        ),
    ];
    if let Some(mode) = null_handling {
        config.push(("transforms.onlyUpdates.null.handling.mode", mode));
    }
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&config)), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec(
        "INSERT INTO items VALUES (1, 1), (2, 1);
         UPDATE items SET v = 2 WHERE id = 1;
         UPDATE items SET v = 1 WHERE id = 2;
         DELETE FROM items WHERE id = 2;",
    )
    .await;
    let records = read(
        &[&format!("{prefix}.public.items")],
        expected,
        Duration::from_secs(3),
        || ferrium.log(),
    );
    assert!(ferrium.stop().success());
    db.drop().await;
    records
}

#[tokio::test(flavor = "multi_thread")]
async fn a_javascript_filter_keeps_updates_and_tombstones() {
    let records = filtered("js_keep", None, 2).await;
    assert_eq!(records.len(), 2, "{records:#?}");
    let update = records[0].value.as_ref().expect("the kept update");
    assert_eq!(
        (update["op"].as_str(), update["after"]["id"].as_i64()),
        (Some("u"), Some(1))
    );
    assert_eq!(records[1].value, None, "the tombstone of the delete passes");
    assert_eq!(records[1].key.as_ref().unwrap()["id"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn null_handling_drop_removes_tombstones_too() {
    let records = filtered("js_drop", Some("drop"), 1).await;
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0].value.as_ref().unwrap()["after"]["id"], 1);
}
