//! The snapshot under concurrent writes: the binlog position and the rows come from one
//! consistent view, so streaming from that position neither misses nor repeats a change.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use mysql_async::prelude::Queryable;
use serde_json::Value;

use crate::support::{connect, run_to_exit, TestDb};

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_with_concurrent_writes_has_no_gap_and_no_duplicate() {
    let mut db = TestDb::create("concurrent").await;
    db.exec("CREATE TABLE items (id INT PRIMARY KEY, version INT NOT NULL); CREATE TABLE other (id INT PRIMARY KEY)")
        .await;
    for chunk in 0..40 {
        let values: Vec<String> = (1..=1000)
            .map(|i| format!("({}, 0)", chunk * 1000 + i))
            .collect();
        db.exec(&format!("INSERT INTO items VALUES {}", values.join(",")))
            .await;
    }
    let values: Vec<String> = (1..=5000).map(|i| format!("({i})")).collect();
    db.exec(&format!("INSERT INTO other VALUES {}", values.join(",")))
        .await;
    let connector = db.connector(&[]);
    let ferrium = crate::support::Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]),
    );
    // Writers race the snapshot from before it starts until after it ends.
    let mut writer = connect(Some(&db.name)).await;
    let write = tokio::spawn(async move {
        for round in 1..=60 {
            writer
                .query_drop(format!(
                    "START TRANSACTION;
                     INSERT INTO items VALUES ({id}, 0);
                     UPDATE items SET version = version + 1 WHERE id % 60 = {m};
                     DELETE FROM items WHERE id = {del};
                     COMMIT",
                    id = 100_000 + round,
                    m = round % 60,
                    del = 40_000 - round
                ))
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    write.await.unwrap();
    let rows: Vec<(i64, i64)> = db
        .query_rows("SELECT id, version FROM items ORDER BY id")
        .await;
    let expected: BTreeMap<i64, i64> = rows.into_iter().collect();

    let topic = db.topic("items");
    let mut state: BTreeMap<i64, i64> = BTreeMap::new();
    let mut applied = 0;
    let lines = ferrium.collect_until(WAIT, |lines| {
        for l in &lines[applied..] {
            if l.topic == topic && l.value != Value::Null {
                let id = l.key["id"].as_i64().unwrap();
                match l.op().unwrap() {
                    "d" => {
                        state.remove(&id);
                    }
                    _ => {
                        state.insert(id, l.after()["version"].as_i64().unwrap());
                    }
                }
            }
        }
        applied = lines.len();
        state == expected
    });
    let mut snapshot_rows: HashMap<i64, usize> = HashMap::new();
    let mut created: HashMap<i64, usize> = HashMap::new();
    let mut last_version: HashMap<i64, i64> = HashMap::new();
    for l in lines
        .iter()
        .filter(|l| l.topic == topic && l.value != Value::Null)
    {
        let id = l.key["id"].as_i64().unwrap();
        match l.op().unwrap() {
            "r" => *snapshot_rows.entry(id).or_default() += 1,
            "c" => *created.entry(id).or_default() += 1,
            _ => {}
        }
        if let Some(v) = l.after().get("version").and_then(Value::as_i64) {
            let previous = last_version.insert(id, v);
            assert!(
                previous.is_none_or(|p| v > p),
                "version of {id} went from {previous:?} to {v}: a duplicate or reordering"
            );
        }
    }
    assert!(
        snapshot_rows.values().all(|&n| n == 1),
        "a row was read twice by the snapshot"
    );
    assert!(
        created.values().all(|&n| n == 1),
        "an insert was emitted twice"
    );
    assert!(
        created.keys().all(|id| !snapshot_rows.contains_key(id)),
        "a row was both in the snapshot and inserted after it"
    );
    let other = lines
        .iter()
        .filter(|l| l.topic == db.topic("other"))
        .count();
    assert_eq!(other, 5000);
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn initial_only_and_no_data_modes() {
    let mut db = TestDb::create("modes").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
        .await;
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "initial_only")]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(status.success(), "{log}");
    assert!(log.contains("connector finished"), "{log}");

    // no_data: the schema is recorded, no row is read, and changes after start stream.
    let mut other = TestDb::create("nodata").await;
    other
        .exec("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
        .await;
    let ferrium = other.start(&[("snapshot.mode", "no_data")]);
    ferrium.collect_until(WAIT, |l| !crate::support::of_topic(l, "test").is_empty());
    other.exec("INSERT INTO t VALUES (3)").await;
    let lines = ferrium.collect(&other.topic("t"), 1, WAIT);
    assert_eq!(lines[0].op(), Some("c"));
    assert_eq!(lines[0].after()["id"], 3);
    ferrium.stop();
    other.drop().await;
    db.drop().await;
}
