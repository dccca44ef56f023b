//! The initial snapshot and its hand-over to streaming.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde_json::Value;

use crate::support::{run_to_exit, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(120);

/// Rows change while the snapshot runs; afterwards every row is in the snapshot or in the
/// stream, never both and never neither, and the final state matches the database.
#[tokio::test(flavor = "multi_thread")]
async fn snapshot_with_concurrent_writes_has_no_gap_and_no_duplicate() {
    let db = TestDb::create("concurrent").await;
    db.exec(
        "CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL);
         INSERT INTO items SELECT i, 0 FROM generate_series(1, 40000) i;
         CREATE TABLE other (id int PRIMARY KEY);
         INSERT INTO other SELECT i FROM generate_series(1, 5000) i;",
    )
    .await;
    let connector = db.connector(&[("snapshot.fetch.size", "1000")]);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]),
    );

    // Writers: new rows (ids above 100000) and version bumps of existing rows, racing the
    // snapshot from before it starts until after it ends.
    let writer = crate::support::connect(&db.name).await;
    let write = tokio::spawn(async move {
        for round in 1..=60 {
            writer
                .batch_execute(&format!(
                    "BEGIN;
                     INSERT INTO items VALUES ({id}, 0);
                     UPDATE items SET version = version + 1 WHERE id % 60 = {m};
                     DELETE FROM items WHERE id = {del};
                     COMMIT;",
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

    let rows = db
        .client
        .query("SELECT id, version FROM items ORDER BY id", &[])
        .await
        .unwrap();
    let expected: BTreeMap<i64, i64> = rows
        .iter()
        .map(|r| (r.get::<_, i32>(0) as i64, r.get::<_, i32>(1) as i64))
        .collect();

    let mut state: BTreeMap<i64, i64> = BTreeMap::new();
    let mut snapshot_rows: HashMap<i64, usize> = HashMap::new();
    let mut created: HashMap<i64, usize> = HashMap::new();
    // Apply each record once, in order, and stop when the state equals the database.
    let mut applied = 0;
    let lines = ferrium.collect_until(WAIT, |lines| {
        for l in &lines[applied..] {
            if l.topic == "test.public.items" && l.value != Value::Null {
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
    let mut last_version: HashMap<i64, i64> = HashMap::new();
    for l in lines
        .iter()
        .filter(|l| l.topic == "test.public.items" && l.value != Value::Null)
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
        .filter(|l| l.topic == "test.public.other")
        .count();
    assert_eq!(other, 5000);
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn initial_only_snapshots_then_exits_and_drops_its_slot() {
    let db = TestDb::create("initonly").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100);")
        .await;
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "initial_only")]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(status.success(), "{log}");
    assert!(log.contains("connector finished"), "{log}");
    assert_eq!(
        db.confirmed_flush_lsn().await,
        None,
        "no slot is left to pin WAL"
    );
    let offsets = std::fs::read_to_string(db.offsets_path()).unwrap();
    assert!(offsets.contains("\"lsn\""), "{offsets}");
    // A second run knows the snapshot is done.
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(
        status.success() && log.contains("already complete"),
        "{log}"
    );
    db.drop().await;
}

/// A table rewritten between a killed snapshot and its resume (`VACUUM FULL` moves rows
/// into pages whose chunks were done) is read again whole: no row is missed.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_resumed_after_a_table_rewrite_misses_no_row() {
    let db = TestDb::create("rewrite").await;
    // Dead rows in the first half: a rewrite moves the later rows forward.
    db.exec(
        "CREATE TABLE items (id int PRIMARY KEY, pad text NOT NULL);
         ALTER TABLE items SET (autovacuum_enabled = false);
         INSERT INTO items SELECT i, repeat('x', 100) FROM generate_series(1, 60000) i;
         DELETE FROM items WHERE id <= 30000;",
    )
    .await;
    let connector = db.write_connector(&db.connector(&[("snapshot.fetch.size", "1000")]));
    let worker = db.worker(&[
        "key.converter.schemas.enable=false",
        "value.converter.schemas.enable=false",
    ]);
    let ids = |lines: &[crate::support::Line]| -> std::collections::BTreeSet<i64> {
        lines
            .iter()
            .filter(|l| l.topic == "test.public.items")
            .filter_map(|l| l.key["id"].as_i64())
            .collect()
    };
    let first = Ferrium::start(&connector, &worker);
    let mut seen = first.collect_until(WAIT, |lines| ids(lines).len() >= 5000);
    let deadline = std::time::Instant::now() + WAIT;
    while !std::fs::read_to_string(db.offsets_path())
        .unwrap_or_default()
        .contains("ferrium_snapshot_chunks")
    {
        assert!(std::time::Instant::now() < deadline, "no chunk was stored");
        std::thread::sleep(Duration::from_millis(20));
    }
    seen.extend(first.kill9_and_read_rest());
    let before_kill = ids(&seen);
    assert!(
        before_kill.len() < 30000,
        "the snapshot finished before the kill"
    );
    db.exec("VACUUM FULL items").await;

    let second = Ferrium::start(&connector, &worker);
    let resumed = second.collect_until(WAIT, |lines| {
        ids(lines).union(&before_kill).count() == 30000
    });
    second.wait_for_log("was rewritten");
    let all: std::collections::BTreeSet<i64> = ids(&resumed).union(&before_kill).copied().collect();
    assert_eq!(all, (30001..=60000).collect());
    second.stop();
    db.drop().await;
}
