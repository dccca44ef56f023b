//! A MariaDB binlog purged past the connector's stored position while the connector was
//! stopped (`FLUSH BINARY LOGS`, `PURGE BINARY LOGS TO` the newest): the changes since
//! are gone, so the next start must fail at once naming the stored position, the
//! server's oldest binlog and the fix, and `snapshot.mode=when_needed` must take a new
//! snapshot that holds every current row.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use serde_json::Value;

use crate::mysql_support::{self, TestDb};
use crate::support::{Ferrium, Line};
use crate::worker::{task_state, Worker};
use crate::ONE_AT_A_TIME;

const T: Duration = Duration::from_secs(60);

/// `SHOW BINARY LOGS`: the files the server has, oldest first.
async fn binlogs() -> Vec<String> {
    let mut admin = mysql_support::connect(None).await;
    let rows: Vec<mysql_async::Row> = admin.query("SHOW BINARY LOGS").await.unwrap();
    rows.into_iter()
        .filter_map(|r| r.get::<String, _>(0))
        .collect()
}

/// `FLUSH BINARY LOGS`, then `PURGE BINARY LOGS TO` the new file until the server has
/// let every older one go (MariaDB keeps a file until its binlog checkpoint, which it
/// writes in the background after the flush). Returns the one file left.
async fn purge_all_but_a_new_binlog() -> String {
    let mut admin = mysql_support::connect(None).await;
    admin.query_drop("FLUSH BINARY LOGS").await.unwrap();
    let newest = binlogs().await.pop().expect("the server lists a binlog");
    let deadline = Instant::now() + T;
    loop {
        admin
            .query_drop(format!("PURGE BINARY LOGS TO '{newest}'"))
            .await
            .unwrap();
        let left = binlogs().await;
        if left == [newest.clone()] {
            return newest;
        }
        assert!(Instant::now() < deadline, "binlogs still there: {left:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn by_id(lines: &[Line]) -> BTreeMap<i64, (String, Value)> {
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
async fn a_binlog_purged_past_the_stored_position_fails_with_position_oldest_binlog_and_fix_and_when_needed_snapshots_again(
) {
    let _serial = ONE_AT_A_TIME.lock().await;
    let mut db = TestDb::create("purged").await;
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, v varchar(20));
         INSERT INTO t VALUES (1, 'v1'), (2, 'v2'), (3, 'v3');",
    )
    .await;
    let topic = db.topic("t");
    let connector_json = db.connector(&[]);
    let connector = db.write_connector(&connector_json);
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    ferrium.collect(&topic, 3, T);
    ferrium.wait_for_log("streaming the binlog");
    db.exec("INSERT INTO t VALUES (4, 'v4')").await;
    assert_eq!(ferrium.collect(&topic, 1, T)[0].op(), Some("c"));
    assert!(ferrium.stop().success());
    let stored = std::fs::read_to_string(db.offsets_path()).unwrap_or_default();
    let stored_file = binlogs()
        .await
        .into_iter()
        // Offsets only move forward: the newest file they name is the stored one.
        .rev()
        .find(|f| stored.contains(f.as_str()))
        .unwrap_or_else(|| panic!("no binlog the server lists is in the offsets: {stored}"));

    // Changes while the connector is stopped, then the binlogs that held them go.
    db.exec("UPDATE t SET v = 'changed' WHERE id = 1; INSERT INTO t VALUES (5, 'v5'); DELETE FROM t WHERE id = 2;")
        .await;
    let newest = purge_all_but_a_new_binlog().await;

    // The start fails at once: FAILED, with the position, the oldest binlog and the fix.
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
        &format!("the stored position {stored_file}:"),
        &format!("its oldest and only binlog is {newest}"),
        "purged",
        "snapshot.mode=when_needed",
        "ferrium reset-offsets",
    ] {
        assert!(
            trace.contains(needle),
            "'{needle}' is not in the trace: {trace}"
        );
    }
    assert!(
        !w.log().contains("retriable error"),
        "a purged position was retried:\n{}",
        w.log()
    );
    w.stop();

    // snapshot.mode=when_needed: a new snapshot of every current row, then streaming.
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "when_needed")]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    let rows = by_id(&ferrium.collect(&topic, 4, T));
    let expected: BTreeMap<i64, (String, Value)> = [1, 3, 4, 5]
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
    ferrium.wait_for_log("streaming the binlog");
    db.exec("INSERT INTO t VALUES (6, 'v6')").await;
    let next = ferrium.collect(&topic, 1, T);
    assert_eq!(
        (next[0].op(), next[0].after()["id"].as_i64()),
        (Some("c"), Some(6))
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}
