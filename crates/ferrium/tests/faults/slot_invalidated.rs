//! A replication slot that PostgreSQL invalidated: the connector was stopped, the server
//! wrote more WAL than `max_slot_wal_keep_size` lets a slot hold back, and a checkpoint
//! removed the WAL the slot needed (`pg_replication_slots.wal_status` = `lost`). The
//! changes since the stored offset are gone, so the next start must fail at once with
//! the cause and the fix (never retry, never stream on from "now"), and
//! `snapshot.mode=when_needed` must take a new snapshot on a new slot.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Ferrium, TestDb};
use crate::worker::{task_state, Worker};
use crate::ONE_AT_A_TIME;

const T: Duration = Duration::from_secs(60);

/// `max_slot_wal_keep_size` set as small as it goes for as long as this lives; the
/// server's own setting comes back on drop, even when the test fails.
struct SlotWalLimit;

impl SlotWalLimit {
    async fn set(db: &TestDb) -> SlotWalLimit {
        // ALTER SYSTEM refuses to run in a transaction block: one statement per call.
        db.exec("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'")
            .await;
        db.exec("SELECT pg_reload_conf()").await;
        SlotWalLimit
    }
}

impl Drop for SlotWalLimit {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/services.sh");
        let status = Command::new("bash")
            .arg(script)
            .args([
                "psql",
                "-q",
                "-c",
                "ALTER SYSTEM RESET max_slot_wal_keep_size",
                "-c",
                "SELECT pg_reload_conf()",
            ])
            .stdout(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("could not reset max_slot_wal_keep_size: {status:?}");
        }
    }
}

async fn wal_status(db: &TestDb) -> Option<String> {
    db.client
        .query_opt(
            "SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1",
            &[&db.name],
        )
        .await
        .unwrap()
        .and_then(|row| row.get(0))
}

/// Writes WAL segment after segment, with a checkpoint after each, until the server has
/// invalidated the slot (the checkpointer may take a moment to read the new setting).
async fn write_wal_until_the_slot_is_lost(db: &TestDb) {
    db.exec("CREATE TABLE wal_filler (n int)").await;
    let deadline = Instant::now() + T;
    loop {
        db.exec("INSERT INTO wal_filler VALUES (1)").await;
        db.exec("SELECT pg_switch_wal()").await;
        db.exec("CHECKPOINT").await;
        if wal_status(db).await.as_deref() == Some("lost") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the slot was never invalidated: wal_status {:?}",
            wal_status(db).await
        );
    }
}

/// Rows by id, each with its op and `v`.
fn by_id(lines: &[crate::support::Line]) -> BTreeMap<i64, (String, Value)> {
    lines
        .iter()
        .map(|l| {
            (
                l.after()["id"].as_i64().unwrap_or(-1),
                (l.op().unwrap_or("?").to_string(), l.after()["v"].clone()),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slot_invalidated_by_max_slot_wal_keep_size_fails_with_cause_and_fix_and_when_needed_snapshots_again(
) {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("slotlost").await;
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, v text);
         INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5) i;",
    )
    .await;
    let connector_json = db.connector(&[]);
    let connector = db.write_connector(&connector_json);
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    ferrium.collect("test.public.t", 5, T);
    db.exec("INSERT INTO t VALUES (6, 'v6')").await;
    assert_eq!(ferrium.collect("test.public.t", 1, T)[0].op(), Some("c"));
    assert!(ferrium.stop().success());

    // Changes while the connector is stopped, then the WAL that held them goes.
    db.exec(
        "UPDATE t SET v = 'changed' WHERE id = 1; INSERT INTO t VALUES (7, 'v7'); DELETE FROM t WHERE id = 2;",
    )
    .await;
    let limit = SlotWalLimit::set(&db).await;
    write_wal_until_the_slot_is_lost(&db).await;
    // An invalidated slot stays invalidated: the server's setting can come back now.
    drop(limit);

    // The start fails at once: FAILED, with the cause and the fix in the trace.
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let name = connector_json["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let created = w.http.post("/connectors", &connector_json.to_string());
    assert_eq!(created.status, 201, "{}", created.body);
    let failed = w.wait_status(&name, T, |s| task_state(s) == "FAILED");
    let trace = failed["tasks"][0]["trace"].as_str().unwrap_or_default();
    for needle in [
        &format!("replication slot '{}' was invalidated", db.name),
        "max_slot_wal_keep_size",
        "the changes since the stored offset",
        "snapshot.mode=when_needed",
        "ferrium reset-offsets",
        &format!("pg_drop_replication_slot('{}')", db.name),
    ] {
        assert!(
            trace.contains(needle),
            "'{needle}' is not in the trace: {trace}"
        );
    }
    assert!(
        !w.log().contains("retriable error"),
        "an invalidated slot was retried:\n{}",
        w.log()
    );
    w.stop();

    // snapshot.mode=when_needed: a new slot and a new snapshot of every current row.
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "when_needed")]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    let rows = by_id(&ferrium.collect("test.public.t", 6, T));
    let expected: BTreeMap<i64, (String, Value)> = [1, 3, 4, 5, 6, 7]
        .into_iter()
        .map(|id| {
            let v = if id == 1 {
                "changed".to_string()
            } else {
                format!("v{id}")
            };
            (id, ("r".to_string(), Value::from(v)))
        })
        .collect();
    assert_eq!(rows, expected, "the new snapshot holds every current row");
    assert!(
        ferrium.log().contains("recreating the replication slot"),
        "{}",
        ferrium.log()
    );
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO t VALUES (8, 'v8')").await;
    let next = ferrium.collect("test.public.t", 1, T);
    assert_eq!(
        (next[0].op(), next[0].after()["id"].as_i64()),
        (Some("c"), Some(8))
    );
    assert_ne!(wal_status(&db).await.as_deref(), Some("lost"));
    assert!(ferrium.stop().success());
    db.drop().await;
}
