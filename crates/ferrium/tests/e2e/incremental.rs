//! Incremental snapshots driven by signals (Debezium's DBLog watermarks) on PostgreSQL:
//! chunks interleaved with a busy stream fold to exactly the table, a key's versions
//! never go backwards, and pause, resume and stop signals from the signalling table
//! do what they say; a table added to the include list is snapshotted by a signal; a
//! surrogate key that is not unique is refused while streaming goes on.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::{Ferrium, TestDb};

#[path = "../common/fold.rs"]
pub mod fold;
use fold::Fold;

pub const WAIT: Duration = Duration::from_secs(240);

pub const SIGNAL_TABLE: &str =
    "CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));";

pub fn start(db: &TestDb, extra: &[(&str, &str)]) -> Ferrium {
    let mut options = vec![
        ("snapshot.mode", "no_data"),
        ("signal.data.collection", "public.debezium_signal"),
        ("table.include.list", "public.items"),
    ];
    options.extend_from_slice(extra);
    let connector = db.connector(&options);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]),
    );
    ferrium.wait_for_log("streaming started");
    ferrium
}

/// A database with the signalling table and `items (id, version)` holding keys 1 to
/// `rows` at version 0.
pub async fn items_db(name: &str, rows: u32) -> TestDb {
    let db = TestDb::create(name).await;
    db.exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL);
         INSERT INTO items SELECT i, 0 FROM generate_series(1, {rows}) i;
         {SIGNAL_TABLE}"
    ))
    .await;
    db
}

pub async fn signal(db: &TestDb, id: &str, kind: &str, data: &str) {
    db.client
        .execute(
            "INSERT INTO debezium_signal (id, type, data) VALUES ($1, $2, $3)",
            &[&id, &kind, &data],
        )
        .await
        .unwrap();
}

/// Waits until the offsets file records a chunk of the incremental snapshot.
fn wait_for_stored_progress(db: &TestDb) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let stored = std::fs::read(db.offsets_path()).unwrap_or_default();
        if String::from_utf8_lossy(&stored).contains("incremental_snapshot_primary_key") {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no incremental snapshot progress was stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn table_state(db: &TestDb) -> BTreeMap<i64, i64> {
    db.client
        .query("SELECT id, version FROM items", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, i32>(0) as i64, r.get::<_, i32>(1) as i64))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_snapshot_under_concurrent_changes_folds_to_the_table() {
    let db = items_db("incr", 200_000).await;
    let ferrium = start(&db, &[]);
    signal(
        &db,
        "snap-1",
        "execute-snapshot",
        r#"{"data-collections": ["public.items"], "type": "incremental"}"#,
    )
    .await;

    // 20,000 changes on keys spread over the whole range, while the chunks are read:
    // updates (versions only grow), deletes, and inserts of new keys.
    let writer = crate::support::connect(&db.name).await;
    let write = tokio::spawn(async move {
        for round in 0..200i64 {
            let keys: Vec<String> = (0..60)
                .map(|i| ((round * 7919 + i * 3331) % 199_000 + 1).to_string())
                .collect();
            let deletes: Vec<String> = (0..20)
                .map(|i| ((round * 104_729 + i * 9973) % 199_000 + 1).to_string())
                .collect();
            writer
                .batch_execute(&format!(
                    "BEGIN;
                     UPDATE items SET version = version + 1 WHERE id IN ({});
                     DELETE FROM items WHERE id IN ({});
                     INSERT INTO items SELECT 300000 + {round} * 20 + i, 0 FROM generate_series(0, 19) i;
                     COMMIT;",
                    keys.join(","),
                    deletes.join(",")
                ))
                .await
                .unwrap();
        }
    });
    write.await.unwrap();
    let expected = table_state(&db).await;

    let mut fold = Fold::new("test.public.items");
    ferrium.collect_until(WAIT, |lines| {
        fold.apply(lines);
        fold.state.len() == expected.len() && fold.state == expected
    });
    assert!(
        fold.reads > 150_000,
        "only {} rows came from the snapshot",
        fold.reads
    );
    let log = ferrium.log();
    assert!(log.contains("incremental snapshot finished"), "{log}");
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_resume_and_stop_signals_from_the_table() {
    let db = items_db("incrctl", 3_000).await;
    let ferrium = start(
        &db,
        &[
            ("incremental.snapshot.chunk.size", "100"),
            (
                "incremental.snapshot.watermarking.strategy",
                "insert_delete",
            ),
        ],
    );
    let items = r#"{"data-collections": ["public.items"]}"#;
    signal(&db, "s1", "execute-snapshot", items).await;
    signal(&db, "s2", "pause-snapshot", "").await;
    ferrium.wait_for_log("incremental snapshot paused");
    // Paused: what was in flight may still arrive, then nothing.
    let before = ferrium.drain(Duration::from_secs(2));
    let quiet = ferrium.drain(Duration::from_secs(2));
    assert!(
        quiet.iter().all(|l| l.op() != Some("r")),
        "rows kept coming while paused ({} after {})",
        quiet.len(),
        before.len()
    );
    let read_while_paused = before.iter().filter(|l| l.op() == Some("r")).count();
    assert!(read_while_paused < 3000, "{read_while_paused}");

    signal(&db, "s3", "resume-snapshot", "").await;
    let mut ids = std::collections::BTreeSet::new();
    for l in &before {
        if l.op() == Some("r") {
            ids.insert(l.key["id"].as_i64().unwrap());
        }
    }
    ferrium.collect_until(WAIT, |lines| {
        for l in lines {
            if l.op() == Some("r") {
                ids.insert(l.key["id"].as_i64().unwrap());
            }
        }
        ids.len() == 3000
    });
    ferrium.wait_for_log("incremental snapshot finished");

    // A second run, stopped part-way: the rows stop and the snapshot ends.
    signal(&db, "s4", "execute-snapshot", items).await;
    signal(
        &db,
        "s5",
        "stop-snapshot",
        r#"{"data-collections": ["public.items"], "type": "incremental"}"#,
    )
    .await;
    ferrium.wait_for_log("incremental snapshot stopped by signal");
    let after_stop = ferrium.drain(Duration::from_secs(2));
    let late = ferrium.drain(Duration::from_secs(2));
    assert!(
        late.iter().all(|l| l.op() != Some("r")),
        "{} rows after the stop",
        late.len()
    );
    assert!(after_stop.iter().filter(|l| l.op() == Some("r")).count() < 3000);

    // Bad signals are reported and change nothing; streaming goes on.
    signal(
        &db,
        "s6",
        "execute-snapshot",
        r#"{"data-collections": ["public.nope"]}"#,
    )
    .await;
    signal(&db, "s7", "execute-snapshot", "{broken").await;
    ferrium.wait_for_log("matches no captured table");
    ferrium.wait_for_log("not valid JSON");
    db.exec("INSERT INTO items VALUES (5000, 1)").await;
    let lines = ferrium.collect_until(WAIT, |lines| {
        lines
            .iter()
            .any(|l| l.op() == Some("c") && l.key["id"] == 5000)
    });
    assert!(lines.iter().all(|l| l.op() != Some("r")));
    ferrium.stop();
    db.drop().await;
}

/// Killed part-way, the connector resumes the incremental snapshot from the last chunk
/// its offsets recorded (not from the start) and still ends with exactly the table.
#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_snapshot_resumes_after_kill_9() {
    let db = items_db("incrkill", 60_000).await;
    let options = [("incremental.snapshot.chunk.size", "500")];
    let first = start(&db, &options);
    signal(
        &db,
        "snap-1",
        "execute-snapshot",
        r#"{"data-collections": ["public.items"]}"#,
    )
    .await;
    let mut fold = Fold::new("test.public.items");
    // Kill once a third of the rows are out and their offsets had time to be stored.
    let mut seen = first.collect_until(WAIT, |lines| {
        fold.apply(lines);
        fold.reads >= 20_000
    });
    wait_for_stored_progress(&db);
    // What the first run wrote before it died was delivered: the restart resumes after
    // it, so it belongs in the state the second run builds on.
    seen.extend(first.kill9_and_read_rest());
    fold.apply(&seen);
    db.exec("UPDATE items SET version = 1 WHERE id % 1000 = 0")
        .await;

    let second = start(&db, &options);
    second.wait_for_log("resuming the incremental snapshot");
    let expected = table_state(&db).await;
    let mut resumed = Fold::resuming("test.public.items", fold.state.clone());
    second.collect_until(WAIT, |lines| {
        resumed.apply(lines);
        resumed.state == expected
    });
    assert!(
        resumed.reads < 50_000,
        "the resumed run read {} rows: it started over",
        resumed.reads
    );
    second.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_added_to_the_include_list_is_snapshotted_by_a_signal() {
    let db = TestDb::create("incradd").await;
    db.exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL);
         CREATE TABLE orders (id int PRIMARY KEY, amount int NOT NULL);
         INSERT INTO orders SELECT i, i FROM generate_series(1, 3000) i;
         {SIGNAL_TABLE}"
    ))
    .await;
    let first = start(&db, &[]);
    db.exec("INSERT INTO items VALUES (1, 0)").await;
    first.collect("test.public.items", 1, WAIT);
    first.stop();

    // The connector now captures orders too; its history before now comes by signal.
    let both = [("table.include.list", "public.items,public.orders")];
    let second = start(&db, &both);
    db.exec("UPDATE orders SET amount = -1 WHERE id = 7").await;
    signal(
        &db,
        "add-1",
        "execute-snapshot",
        r#"{"data-collections": ["public.orders"], "type": "incremental"}"#,
    )
    .await;
    let mut amounts = BTreeMap::new();
    let mut reads = 0;
    second.collect_until(WAIT, |lines| {
        amounts.clear();
        reads = 0;
        for l in lines.iter().filter(|l| l.topic == "test.public.orders") {
            reads += usize::from(l.op() == Some("r"));
            amounts.insert(
                l.after()["id"].as_i64().unwrap(),
                l.after()["amount"].as_i64().unwrap(),
            );
        }
        amounts.len() == 3000
    });
    assert_eq!(reads, 3000, "each order is read once by the snapshot");
    assert_eq!(amounts[&7], -1, "the streamed update is the state of key 7");
    assert!(amounts.iter().all(|(id, a)| *id == 7 || a == id));
    assert!(second.log().contains("incremental snapshot finished"));
    second.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_surrogate_key_that_is_not_unique_is_refused_and_streaming_goes_on() {
    let db = TestDb::create("incrsurr").await;
    db.exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL);
         CREATE TABLE events (code int NOT NULL, note text);
         INSERT INTO events SELECT i % 10, 'x' FROM generate_series(1, 100) i;
         {SIGNAL_TABLE}"
    ))
    .await;
    let ferrium = start(&db, &[("table.include.list", "public.items,public.events")]);
    signal(
        &db,
        "nokey",
        "execute-snapshot",
        r#"{"data-collections": ["public.events"]}"#,
    )
    .await;
    ferrium.wait_for_log("has no primary key");
    signal(
        &db,
        "dup",
        "execute-snapshot",
        r#"{"data-collections": ["public.events"], "surrogate-key": "code"}"#,
    )
    .await;
    ferrium.wait_for_log("surrogate-key 'code' is not unique in 'public.events'");
    db.exec("INSERT INTO items VALUES (1, 5)").await;
    let streamed = ferrium.collect("test.public.items", 1, WAIT);
    assert_eq!(streamed[0].op(), Some("c"));
    assert!(
        !ferrium
            .log()
            .contains("incremental snapshot of the table finished"),
        "a table was snapshotted by a key that is not unique"
    );
    ferrium.stop();
    db.drop().await;
}
