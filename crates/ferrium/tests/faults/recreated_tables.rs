//! A captured table dropped and created again, with other columns, while the connector
//! streams: the changes before the drop arrive with the old structure, the rows of the
//! new table with the new one, nothing stops and no change is lost — also when the
//! drop, the new table and its rows all commit before Ferrium has read the first of
//! them.

use std::time::Duration;

use crate::mysql_support;
use crate::support::{Ferrium, Line, TestDb};
use crate::ONE_AT_A_TIME;

const T: Duration = Duration::from_secs(60);

/// (op, id, the after image's column names) of each record.
fn shape(lines: &[Line]) -> Vec<(String, i64, Vec<String>)> {
    lines
        .iter()
        .map(|l| {
            let after = l.after().as_object().cloned().unwrap_or_default();
            let mut columns: Vec<String> = after.keys().cloned().collect();
            columns.sort();
            (
                l.op().unwrap_or("?").to_string(),
                after.get("id").and_then(|v| v.as_i64()).unwrap_or(-1),
                columns,
            )
        })
        .collect()
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

/// The field names of the value schema's `after` struct (schemas are enabled).
fn after_schema_fields(line: &Line) -> Vec<String> {
    let fields = line.value["schema"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    fields
        .iter()
        .find(|f| f["field"] == "after")
        .and_then(|f| f["fields"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["field"].as_str().map(str::to_string))
        .collect()
}

fn assert_recreated(lines: &[Line], log: &str) {
    let old = names(&["a", "id"]);
    let new = names(&["b", "c", "id"]);
    let expected = vec![
        ("c".to_string(), 3, old.clone()),
        ("c".to_string(), 10, new.clone()),
        ("c".to_string(), 11, new.clone()),
        ("u".to_string(), 10, new.clone()),
    ];
    assert_eq!(shape(lines), expected, "log:\n{log}");
    assert_eq!(after_schema_fields(&lines[0]), names(&["id", "a"]));
    assert_eq!(after_schema_fields(&lines[1]), names(&["id", "b", "c"]));
    assert_eq!(lines[3].after()["b"], 3);
    assert_eq!(lines[3].after()["c"], "x");
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_table_dropped_and_recreated_under_streaming() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("recreate").await;
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'one'), (2, 'two');",
    )
    .await;
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&[])), &db.worker(&[]));
    let snapshot = ferrium.collect("test.public.t", 2, T);
    assert!(snapshot.iter().all(|l| l.op() == Some("r")));
    ferrium.wait_for_log("streaming started");
    // One change to the old table, then it goes and comes back, all before Ferrium reads.
    db.exec(
        "INSERT INTO t VALUES (3, 'three');
         DROP TABLE t;
         CREATE TABLE t (id int PRIMARY KEY, b int NOT NULL, c text);
         INSERT INTO t VALUES (10, 1, 'x'), (11, 2, 'y');
         UPDATE t SET b = 3 WHERE id = 10;",
    )
    .await;
    let lines = ferrium.collect("test.public.t", 4, T);
    assert_recreated(&lines, &ferrium.log());
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_table_dropped_and_recreated_under_streaming() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let mut db = mysql_support::TestDb::create("recreate").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, a varchar(10)); INSERT INTO t VALUES (1, 'one'), (2, 'two');")
        .await;
    let topic = db.topic("t");
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&[])), &db.worker(&[]));
    let snapshot = ferrium.collect(&topic, 2, T);
    assert!(snapshot.iter().all(|l| l.op() == Some("r")));
    ferrium.wait_for_log("streaming the binlog");
    db.exec(
        "INSERT INTO t VALUES (3, 'three');
         DROP TABLE t;
         CREATE TABLE t (id int PRIMARY KEY, b int NOT NULL, c varchar(10));
         INSERT INTO t VALUES (10, 1, 'x'), (11, 2, 'y');
         UPDATE t SET b = 3 WHERE id = 10;",
    )
    .await;
    let lines = ferrium.collect(&topic, 4, T);
    assert_recreated(&lines, &ferrium.log());
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// The same while the connector is stopped: on the restart, the change to the dropped
/// table is read from the WAL with the structure it had then, although the catalog now
/// knows only the new table.
#[tokio::test(flavor = "multi_thread")]
async fn postgres_table_dropped_and_recreated_while_the_connector_is_stopped() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("recreate_stopped").await;
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'one'), (2, 'two');",
    )
    .await;
    let connector = db.write_connector(&db.connector(&[]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    ferrium.collect("test.public.t", 2, T);
    ferrium.wait_for_log("streaming started");
    assert!(ferrium.stop().success());
    db.exec(
        "INSERT INTO t VALUES (3, 'three');
         DROP TABLE t;
         CREATE TABLE t (id int PRIMARY KEY, b int NOT NULL, c text);
         INSERT INTO t VALUES (10, 1, 'x'), (11, 2, 'y');
         UPDATE t SET b = 3 WHERE id = 10;",
    )
    .await;
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    let lines = ferrium.collect("test.public.t", 4, T);
    assert_recreated(&lines, &ferrium.log());
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// MariaDB, likewise: the schema history gives the binlog's old rows their old columns.
#[tokio::test(flavor = "multi_thread")]
async fn mariadb_table_dropped_and_recreated_while_the_connector_is_stopped() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let mut db = mysql_support::TestDb::create("recreate_stopped").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, a varchar(10)); INSERT INTO t VALUES (1, 'one'), (2, 'two');")
        .await;
    let topic = db.topic("t");
    let connector = db.write_connector(&db.connector(&[]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    ferrium.collect(&topic, 2, T);
    ferrium.wait_for_log("streaming the binlog");
    assert!(ferrium.stop().success());
    db.exec(
        "INSERT INTO t VALUES (3, 'three');
         DROP TABLE t;
         CREATE TABLE t (id int PRIMARY KEY, b int NOT NULL, c varchar(10));
         INSERT INTO t VALUES (10, 1, 'x'), (11, 2, 'y');
         UPDATE t SET b = 3 WHERE id = 10;",
    )
    .await;
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    let lines = ferrium.collect(&topic, 4, T);
    assert_recreated(&lines, &ferrium.log());
    assert!(ferrium.stop().success());
    db.drop().await;
}
