//! Incremental snapshots driven by signals (Debezium's DBLog watermarks) on MariaDB:
//! chunks interleaved with a busy binlog fold to exactly the table, a key's versions never
//! go backwards, pause, resume and stop signals from the signalling table do what they
//! say, bad signals and a surrogate key that is not unique are reported while streaming
//! goes on, and a snapshot killed part-way resumes from its stored chunk.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mysql_async::prelude::Queryable;

use crate::support::{connect, Ferrium, TestDb};

#[path = "../common/fold.rs"]
mod fold;
use fold::Fold;

const WAIT: Duration = Duration::from_secs(240);

const SIGNAL_TABLE: &str =
    "CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048))";

fn start(db: &TestDb, tables: &str, extra: &[(&str, &str)]) -> Ferrium {
    let signal_table = format!("{}.debezium_signal", db.name);
    let mut options = vec![
        ("snapshot.mode", "no_data"),
        ("signal.data.collection", signal_table.as_str()),
        ("table.include.list", tables),
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
    ferrium.wait_for_log("streaming the binlog");
    ferrium
}

fn items(db: &TestDb) -> String {
    format!("{}.items", db.name)
}

async fn signal(db: &mut TestDb, id: &str, kind: &str, data: &str) {
    db.conn
        .exec_drop(
            "INSERT INTO debezium_signal (id, type, data) VALUES (?, ?, ?)",
            (id, kind, data),
        )
        .await
        .unwrap();
}

async fn table_state(db: &mut TestDb) -> BTreeMap<i64, i64> {
    db.query_rows::<(i64, i64)>("SELECT id, version FROM items")
        .await
        .into_iter()
        .collect()
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

#[tokio::test(flavor = "multi_thread")]
async fn incremental_snapshot_under_concurrent_changes_folds_to_the_table() {
    let mut db = TestDb::create("incr").await;
    db.exec(&format!(
        "CREATE TABLE items (id INT PRIMARY KEY, version INT NOT NULL);
         INSERT INTO items SELECT seq, 0 FROM seq_1_to_200000;
         {SIGNAL_TABLE}"
    ))
    .await;
    let ferrium = start(&db, &items(&db), &[]);
    let data = format!(
        r#"{{"data-collections": ["{}"], "type": "incremental"}}"#,
        items(&db)
    );
    signal(&mut db, "snap-1", "execute-snapshot", &data).await;

    // 20,000 changes on keys spread over the whole range while the chunks are read:
    // updates (versions only grow), deletes, and inserts of new keys.
    let mut writer = connect(Some(&db.name)).await;
    let write = tokio::spawn(async move {
        for round in 0..200i64 {
            let keys: Vec<String> = (0..60)
                .map(|i| ((round * 7919 + i * 3331) % 199_000 + 1).to_string())
                .collect();
            let deletes: Vec<String> = (0..20)
                .map(|i| ((round * 104_729 + i * 9973) % 199_000 + 1).to_string())
                .collect();
            writer
                .query_drop(format!(
                    "BEGIN;
                     UPDATE items SET version = version + 1 WHERE id IN ({});
                     DELETE FROM items WHERE id IN ({});
                     INSERT INTO items SELECT 300000 + {round} * 20 + seq, 0 FROM seq_0_to_19;
                     COMMIT",
                    keys.join(","),
                    deletes.join(",")
                ))
                .await
                .unwrap();
        }
    });
    write.await.unwrap();
    let expected = table_state(&mut db).await;

    let mut fold = Fold::new(db.topic("items"));
    ferrium.collect_until(WAIT, |lines| {
        fold.apply(lines);
        fold.state == expected
    });
    assert!(
        fold.reads > 150_000,
        "only {} rows came from the snapshot",
        fold.reads
    );
    ferrium.wait_for_log("incremental snapshot finished");
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_resume_and_stop_signals_from_the_table() {
    let mut db = TestDb::create("incrctl").await;
    db.exec(&format!(
        "CREATE TABLE items (id INT PRIMARY KEY, version INT NOT NULL);
         INSERT INTO items SELECT seq, 0 FROM seq_1_to_3000;
         {SIGNAL_TABLE}"
    ))
    .await;
    let ferrium = start(
        &db,
        &items(&db),
        &[
            ("incremental.snapshot.chunk.size", "100"),
            (
                "incremental.snapshot.watermarking.strategy",
                "insert_delete",
            ),
        ],
    );
    let data = format!(r#"{{"data-collections": ["{}"]}}"#, items(&db));
    signal(&mut db, "s1", "execute-snapshot", &data).await;
    signal(&mut db, "s2", "pause-snapshot", "").await;
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

    signal(&mut db, "s3", "resume-snapshot", "").await;
    let mut ids = BTreeSet::new();
    for l in &before {
        if l.op() == Some("r") {
            ids.insert(l.key["id"].as_i64().unwrap());
        }
    }
    let mut seen = 0;
    ferrium.collect_until(WAIT, |lines| {
        for l in &lines[seen..] {
            if l.op() == Some("r") {
                ids.insert(l.key["id"].as_i64().unwrap());
            }
        }
        seen = lines.len();
        ids.len() == 3000
    });
    ferrium.wait_for_log("incremental snapshot finished");

    // A second run, stopped part-way: the rows stop and the snapshot ends.
    signal(&mut db, "s4", "execute-snapshot", &data).await;
    let stop = format!(
        r#"{{"data-collections": ["{}"], "type": "incremental"}}"#,
        items(&db)
    );
    signal(&mut db, "s5", "stop-snapshot", &stop).await;
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
    let nope = format!(r#"{{"data-collections": ["{}.nope"]}}"#, db.name);
    signal(&mut db, "s6", "execute-snapshot", &nope).await;
    signal(&mut db, "s7", "execute-snapshot", "{broken").await;
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

#[tokio::test(flavor = "multi_thread")]
async fn tables_without_a_primary_key_need_a_unique_surrogate_key() {
    let mut db = TestDb::create("incrsurr").await;
    db.exec(&format!(
        "CREATE TABLE dup (code INT NOT NULL, v INT NOT NULL);
         INSERT INTO dup VALUES (1, 1), (2, 2), (2, 3);
         CREATE TABLE uniq (code VARCHAR(20) NOT NULL, v INT NOT NULL, UNIQUE KEY (code));
         INSERT INTO uniq SELECT CONCAT('k', seq), seq FROM seq_1_to_500;
         CREATE TABLE items (id INT PRIMARY KEY, version INT NOT NULL);
         {SIGNAL_TABLE}"
    ))
    .await;
    let tables = format!("{0}.dup,{0}.uniq,{0}.items", db.name);
    let ferrium = start(&db, &tables, &[("incremental.snapshot.chunk.size", "64")]);

    let dup = format!(
        r#"{{"data-collections": ["{}.dup"], "surrogate-key": "code"}}"#,
        db.name
    );
    signal(&mut db, "s1", "execute-snapshot", &dup).await;
    ferrium.wait_for_log(&format!(
        "surrogate-key 'code' is not unique in '{}.dup'",
        db.name
    ));
    let nokey = format!(r#"{{"data-collections": ["{}.dup"]}}"#, db.name);
    signal(&mut db, "s2", "execute-snapshot", &nokey).await;
    ferrium.wait_for_log(&format!("'{}.dup' has no primary key", db.name));

    // Streaming goes on, and a unique surrogate key chunks a table without a primary key.
    db.exec("INSERT INTO items VALUES (1, 1)").await;
    let uniq = format!(
        r#"{{"data-collections": ["{}.uniq"], "surrogate-key": "code"}}"#,
        db.name
    );
    signal(&mut db, "s3", "execute-snapshot", &uniq).await;
    let uniq_topic = db.topic("uniq");
    let mut codes = BTreeSet::new();
    let mut created = false;
    let mut seen = 0;
    let lines = ferrium.collect_until(WAIT, |lines| {
        for l in &lines[seen..] {
            if l.op() == Some("c") && l.key["id"] == 1 {
                created = true;
            }
            if l.topic == uniq_topic && l.op() == Some("r") {
                assert_eq!(l.source()["snapshot"], "incremental", "{l:?}");
                codes.insert(l.after()["code"].as_str().unwrap().to_string());
            }
        }
        seen = lines.len();
        created && codes.len() == 500
    });
    assert!(
        lines
            .iter()
            .all(|l| l.topic != db.topic("dup") || l.op() != Some("r")),
        "rows of the table that was refused were emitted"
    );
    ferrium.wait_for_log("incremental snapshot finished");
    ferrium.stop();
    db.drop().await;
}

/// Killed part-way, the connector resumes the incremental snapshot from the last chunk
/// its offsets recorded (not from the start) and still ends with exactly the table.
#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_snapshot_resumes_after_kill_9() {
    let mut db = TestDb::create("incrkill").await;
    db.exec(&format!(
        "CREATE TABLE items (id INT PRIMARY KEY, version INT NOT NULL);
         INSERT INTO items SELECT seq, 0 FROM seq_1_to_60000;
         {SIGNAL_TABLE}"
    ))
    .await;
    let options = [("incremental.snapshot.chunk.size", "500")];
    let first = start(&db, &items(&db), &options);
    let data = format!(r#"{{"data-collections": ["{}"]}}"#, items(&db));
    signal(&mut db, "snap-1", "execute-snapshot", &data).await;
    let mut fold = Fold::new(db.topic("items"));
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

    let second = start(&db, &items(&db), &options);
    second.wait_for_log("resuming the incremental snapshot");
    let expected = table_state(&mut db).await;
    let mut resumed = Fold::resuming(db.topic("items"), fold.state.clone());
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

/// A key of a string and a number, in a case-insensitive collation with accented and
/// multi-byte values: every row is read exactly once, so chunk bounds compare the way the
/// server orders the key.
#[tokio::test(flavor = "multi_thread")]
async fn composite_text_keys_are_chunked_in_the_servers_order() {
    let mut db = TestDb::create("incrkey").await;
    db.exec(&format!(
        "CREATE TABLE regions (region VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL, v INT NOT NULL, PRIMARY KEY (region, n));
         INSERT INTO regions SELECT r.region, s.seq, 0 FROM
           (SELECT 'a' AS region UNION ALL SELECT 'B' UNION ALL SELECT 'ç' UNION ALL SELECT 'Z'
            UNION ALL SELECT 'é' UNION ALL SELECT 'o''k\\\\' UNION ALL SELECT '東京' UNION ALL SELECT '') r,
           seq_1_to_100 s;
         {SIGNAL_TABLE}"
    ))
    .await;
    let table = format!("{}.regions", db.name);
    let ferrium = start(&db, &table, &[("incremental.snapshot.chunk.size", "37")]);
    let data = format!(r#"{{"data-collections": ["{table}"]}}"#);
    signal(&mut db, "s1", "execute-snapshot", &data).await;
    let topic = db.topic("regions");
    let mut reads: BTreeMap<(String, i64), usize> = BTreeMap::new();
    let mut seen = 0;
    ferrium.collect_until(WAIT, |lines| {
        for l in &lines[seen..] {
            if l.topic == topic && l.op() == Some("r") {
                let key = (
                    l.key["region"].as_str().unwrap().to_string(),
                    l.key["n"].as_i64().unwrap(),
                );
                *reads.entry(key).or_default() += 1;
            }
        }
        seen = lines.len();
        reads.len() == 800
    });
    ferrium.wait_for_log("incremental snapshot finished");
    let more = ferrium.drain(Duration::from_secs(1));
    assert!(more.iter().all(|l| l.op() != Some("r")), "{more:?}");
    let repeated: Vec<_> = reads.iter().filter(|(_, &n)| n > 1).collect();
    assert!(repeated.is_empty(), "read more than once: {repeated:?}");
    assert!(reads.contains_key(&("o'k\\".to_string(), 1)), "{reads:?}");
    ferrium.stop();
    db.drop().await;
}
