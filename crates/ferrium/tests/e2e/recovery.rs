//! Crashes, restarts and heartbeats: nothing committed is ever lost, and an idle
//! connector does not pin WAL.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support::{Ferrium, Line, TestDb};

const WAIT: Duration = Duration::from_secs(120);

/// 100,000 changes stream while Ferrium is killed with SIGKILL three times and
/// restarted; every change arrives, in commit order per key.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_100k_changes_loses_nothing() {
    const KEYS: i64 = 1000;
    const ROUNDS: i64 = 100; // each round updates every key once: 100,000 changes
    let db = TestDb::create("kill9").await;
    db.exec(&format!(
        "CREATE TABLE counters (id int PRIMARY KEY, v int NOT NULL); INSERT INTO counters SELECT i, 0 FROM generate_series(1, {KEYS}) i;"
    ))
    .await;
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "initial")]));
    let worker = db.worker(&[
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);

    let mut all: Vec<Line> = Vec::new();
    let mut ferrium = Ferrium::start(&connector, &worker);
    all.extend(ferrium.collect("test.public.counters", KEYS as usize, WAIT));

    let writer = crate::support::connect(&db.name).await;
    let write = tokio::spawn(async move {
        for _ in 0..ROUNDS {
            writer
                .batch_execute("UPDATE counters SET v = v + 1")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });

    // Kill at three points while the stream is flowing, restarting each time.
    let mut kills = 0;
    for at in [15_000usize, 40_000, 70_000] {
        let target = at;
        let more = ferrium.collect_until(WAIT, |l| all.len() + l.len() >= target);
        all.extend(more);
        all.extend(ferrium.kill9_and_read_rest());
        kills += 1;
        ferrium = Ferrium::start(&connector, &worker);
    }
    write.await.unwrap();
    let expected_total = (KEYS * ROUNDS) as usize;
    let last_seen = |lines: &[Line]| -> BTreeMap<i64, i64> {
        let mut m = BTreeMap::new();
        for l in lines {
            if let (Some(id), Some(v)) = (l.key["id"].as_i64(), l.after()["v"].as_i64()) {
                let e = m.entry(id).or_insert(v);
                *e = (*e).max(v);
            }
        }
        m
    };
    let start = Instant::now();
    loop {
        let more = ferrium.drain(Duration::from_millis(500));
        all.extend(more);
        let seen = last_seen(&all);
        if seen.len() == KEYS as usize && seen.values().all(|&v| v == ROUNDS) {
            break;
        }
        assert!(
            start.elapsed() < WAIT,
            "not every change arrived; log:\n{}",
            ferrium.log()
        );
    }
    assert_eq!(kills, 3);

    // Per key: every value 1..=ROUNDS present; within a run values go up by one; a
    // replay after a crash may repeat values but never skip one.
    let mut per_key: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for l in all.iter().filter(|l| l.op() == Some("u")) {
        per_key
            .entry(l.key["id"].as_i64().unwrap())
            .or_default()
            .push(l.after()["v"].as_i64().unwrap());
    }
    let duplicates = crate::support::assert_every_change_in_order(&per_key, KEYS, ROUNDS);
    let updates: usize = per_key.values().map(Vec::len).sum();
    assert_eq!(updates - duplicates, expected_total);
    eprintln!("kill -9 x{kills}: {updates} update events for {expected_total} changes ({duplicates} replayed after crashes)");
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// A graceful stop stores the offset of everything emitted: the next run emits exactly
/// the changes made while it was down.
#[tokio::test(flavor = "multi_thread")]
async fn graceful_restart_resumes_exactly() {
    let db = TestDb::create("restart").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let worker = db.worker(&[]);
    let ferrium = Ferrium::start(&connector, &worker);
    ferrium.collect("test.public.t", 1, WAIT);
    db.exec("INSERT INTO t VALUES (2)").await;
    ferrium.collect("test.public.t", 1, WAIT);
    assert!(ferrium.stop().success());

    db.exec("INSERT INTO t VALUES (3); INSERT INTO t VALUES (4);")
        .await;
    let ferrium = Ferrium::start(&connector, &worker);
    let lines = ferrium.collect("test.public.t", 2, WAIT);
    let ids: Vec<_> = lines
        .iter()
        .map(|l| l.after()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 4]);
    assert!(lines.iter().all(|l| l.op() == Some("c")));
    let extra = ferrium.drain(Duration::from_secs(2));
    assert!(
        extra.iter().all(|l| !l.topic.starts_with("test.public")),
        "unexpected records: {extra:?}"
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// Writes to tables the connector does not capture still move the slot forward, and
/// heartbeats are emitted, so an idle connector never pins WAL.
#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_advance_the_slot_while_captured_tables_are_idle() {
    let db = TestDb::create("heartbeat").await;
    db.exec(
        "CREATE TABLE captured (id int PRIMARY KEY); CREATE TABLE noise (id serial PRIMARY KEY, pad text);
         CREATE TABLE beats (at timestamptz NOT NULL);",
    )
    .await;
    let connector = db.connector(&[
        ("table.include.list", "public.captured"),
        ("heartbeat.interval.ms", "300"),
        ("heartbeat.action.query", "INSERT INTO beats VALUES (now())"),
        ("status.update.interval.ms", "200"),
        ("snapshot.mode", "no_data"),
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &db.worker(&[]));
    ferrium.wait_for_log("streaming started");
    let before = db.confirmed_flush_lsn().await.unwrap();
    db.exec("INSERT INTO noise (pad) SELECT repeat('x', 200) FROM generate_series(1, 5000)")
        .await;
    let target = db.current_lsn().await;
    assert!(target > before);
    let start = Instant::now();
    loop {
        let confirmed = db.confirmed_flush_lsn().await.unwrap();
        if confirmed >= target {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "slot stuck at {confirmed}, WAL at {target}; log:\n{}",
            ferrium.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let lines = ferrium.drain(Duration::from_millis(800));
    let heartbeats: Vec<_> = lines
        .iter()
        .filter(|l| l.topic == "__debezium-heartbeat.test")
        .collect();
    assert!(!heartbeats.is_empty(), "no heartbeat records");
    assert_eq!(heartbeats[0].key["payload"]["serverName"], "test");
    assert!(heartbeats[0].value["payload"]["ts_ms"].as_i64().unwrap() > 0);
    assert!(lines.iter().all(|l| !l.topic.contains("noise")));
    let beats: i64 = db
        .client
        .query_one("SELECT count(*) FROM beats", &[])
        .await
        .unwrap()
        .get(0);
    assert!(beats > 0, "heartbeat.action.query never ran");
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// An offset whose slot is gone is an error, not a silent restart from "now".
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_slot_is_an_error_unless_when_needed() {
    let db = TestDb::create("lostslot").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    let worker = db.worker(&[]);
    let connector = db.write_connector(&db.connector(&[]));
    let ferrium = Ferrium::start(&connector, &worker);
    ferrium.collect("test.public.t", 1, WAIT);
    assert!(ferrium.stop().success());
    db.exec(&format!("SELECT pg_drop_replication_slot('{}')", db.name))
        .await;

    let (status, log) = crate::support::run_to_exit(&connector, Some(&worker), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("does not exist") && log.contains("when_needed"),
        "{log}"
    );

    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "when_needed")]));
    let ferrium = Ferrium::start(&connector, &worker);
    let lines = ferrium.collect("test.public.t", 1, WAIT);
    assert_eq!(lines[0].op(), Some("r"));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slot_drop_on_stop_drops_the_slot() {
    let db = TestDb::create("dropslot").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    let connector = db.write_connector(&db.connector(&[("slot.drop.on.stop", "true")]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    ferrium.collect("test.public.t", 1, WAIT);
    assert!(db.confirmed_flush_lsn().await.is_some());
    assert!(ferrium.stop().success());
    assert_eq!(
        db.confirmed_flush_lsn().await,
        None,
        "the slot is still there"
    );
    db.drop().await;
}

/// `ferrium reset-offsets` forgets a connector's offsets: its next start snapshots again.
#[tokio::test(flavor = "multi_thread")]
async fn reset_offsets_makes_the_next_start_a_first_start() {
    let db = TestDb::create("reset").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let worker = db.worker(&[]);
    let ferrium = Ferrium::start(&connector, &worker);
    ferrium.collect("test.public.t", 2, WAIT);
    assert!(ferrium.stop().success());
    assert!(std::fs::read_to_string(db.offsets_path())
        .unwrap()
        .contains("lsn"));

    let status = std::process::Command::new(crate::support::ferrium_binary())
        .args(["reset-offsets"])
        .arg(&connector)
        .arg("--worker")
        .arg(&worker)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!std::fs::read_to_string(db.offsets_path())
        .unwrap()
        .contains("lsn"));

    let ferrium = Ferrium::start(&connector, &worker);
    let lines = ferrium.collect("test.public.t", 2, WAIT);
    assert!(
        lines.iter().all(|l| l.op() == Some("r")),
        "a new snapshot was taken"
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// A crash before the first offset is stored (here the flush interval outlasts the run)
/// leaves no offset: the restart takes a new snapshot from a new slot, as Debezium's
/// `initial` mode does, so the changes made in between arrive as its rows, and the
/// stream goes on from there without a gap.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_before_the_first_offset_snapshots_again() {
    let db = TestDb::create("resnapshot").await;
    db.exec("CREATE TABLE counters (id int PRIMARY KEY, v int NOT NULL); INSERT INTO counters SELECT i, 0 FROM generate_series(1, 100) i;")
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let values_of = |lines: &[Line], op: &str| -> Vec<i64> {
        lines
            .iter()
            .filter(|l| l.op() == Some(op))
            .map(|l| l.after()["v"].as_i64().unwrap())
            .collect()
    };

    let never_flushes = db.worker(&["offset.flush.interval.ms=3600000"]);
    let ferrium = Ferrium::start(&connector, &never_flushes);
    assert_eq!(
        values_of(&ferrium.collect("test.public.counters", 100, WAIT), "r"),
        [0; 100]
    );
    ferrium.wait_for_log("streaming started");
    db.exec("UPDATE counters SET v = 1").await;
    let updates = ferrium.collect("test.public.counters", 100, WAIT);
    assert_eq!(values_of(&updates, "u"), [1; 100]);
    ferrium.kill9();
    assert!(
        !std::fs::read_to_string(db.offsets_path())
            .unwrap_or_default()
            .contains("lsn"),
        "no offset was to be stored before the crash"
    );

    db.exec("UPDATE counters SET v = 2").await;
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    let snapshot = ferrium.collect("test.public.counters", 100, WAIT);
    assert_eq!(
        values_of(&snapshot, "r"),
        [2; 100],
        "the state after the crash"
    );
    ferrium.wait_for_log("recreating the replication slot");
    ferrium.wait_for_log("streaming started");
    db.exec("UPDATE counters SET v = 3").await;
    let updates = ferrium.collect("test.public.counters", 100, WAIT);
    assert_eq!(values_of(&updates, "u"), [3; 100]);
    assert!(ferrium.stop().success());
    db.drop().await;
}
