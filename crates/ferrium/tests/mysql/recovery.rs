//! Restarts: a graceful restart resumes without duplicates, a restart after DDL rebuilds
//! the table model from the schema history as of the resumed position, and `kill -9`
//! during 100,000 changes loses none of them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{assert_every_change_in_order, connect, of_topic, Ferrium, Line, TestDb};
use mysql_async::prelude::Queryable;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn restart_after_ddl_rebuilds_the_schema_from_history() {
    let mut db = TestDb::create("history").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10)); INSERT INTO t VALUES (1, 'one')")
        .await;
    let topic = db.topic("t");
    let ferrium = db.start(&[]);
    ferrium.collect(&topic, 1, WAIT);
    db.exec("ALTER TABLE t ADD COLUMN b INT; INSERT INTO t VALUES (2, 'two', 2)")
        .await;
    ferrium.collect(&topic, 1, WAIT);
    assert!(ferrium.stop().success());

    // While Ferrium is down: a row in the current shape, then two more DDL changes, each
    // followed by a row in the new shape.
    db.exec(
        "INSERT INTO t VALUES (3, 'three', 3);
         ALTER TABLE t DROP COLUMN a;
         INSERT INTO t VALUES (4, 4);
         ALTER TABLE t ADD COLUMN c VARCHAR(5) FIRST;
         INSERT INTO t VALUES ('x', 5, 5)",
    )
    .await;
    let history = std::fs::read_to_string(db.history_path()).unwrap();
    assert!(
        history.contains("ADD COLUMN b"),
        "the DDL is in the history file"
    );

    let ferrium = db.start(&[]);
    let lines = ferrium.collect(&topic, 3, WAIT);
    let rows: Vec<_> = lines.iter().map(|l| l.after().clone()).collect();
    assert_eq!(
        rows,
        [
            json!({"id": 3, "a": "three", "b": 3}),
            json!({"id": 4, "b": 4}),
            json!({"c": "x", "id": 5, "b": 5}),
        ],
        "no replay of rows 1-2, and each row decoded with the columns it was written with"
    );
    // Nothing else arrives: the restart did not repeat anything.
    let extra = ferrium.drain(Duration::from_secs(2));
    assert!(of_topic(&extra, &topic).is_empty(), "{extra:?}");
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_history_with_a_stored_offset_is_an_error() {
    let mut db = TestDb::create("nohistory").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)")
        .await;
    let ferrium = db.start(&[]);
    ferrium.collect(&db.topic("t"), 1, WAIT);
    ferrium.stop();
    std::fs::remove_file(db.history_path()).unwrap();
    let connector = db.write_connector(&db.connector(&[]));
    let (status, log) = crate::support::run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(log.contains("schema history"), "{log}");
    assert!(
        log.contains("reset-offsets"),
        "the message names the fix: {log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_100k_changes_loses_nothing() {
    const KEYS: i64 = 1000;
    const ROUNDS: i64 = 100; // each round updates every key once: 100,000 changes
    let mut db = TestDb::create("kill9").await;
    db.exec("CREATE TABLE counters (id INT PRIMARY KEY, v INT NOT NULL)")
        .await;
    let values: Vec<String> = (1..=KEYS).map(|i| format!("({i}, 0)")).collect();
    db.exec(&format!("INSERT INTO counters VALUES {}", values.join(",")))
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let worker = db.worker(&[
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let topic = db.topic("counters");
    let mut all: Vec<Line> = Vec::new();
    let mut ferrium = Ferrium::start(&connector, &worker);
    all.extend(ferrium.collect(&topic, KEYS as usize, WAIT));

    let mut writer = connect(Some(&db.name)).await;
    let write = tokio::spawn(async move {
        for _ in 0..ROUNDS {
            writer
                .query_drop("UPDATE counters SET v = v + 1")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    let mut kills = 0;
    for target in [15_000usize, 40_000, 70_000] {
        let more = ferrium.collect_until(WAIT, |l| all.len() + l.len() >= target);
        all.extend(more);
        all.extend(ferrium.kill9_and_read_rest());
        kills += 1;
        ferrium = Ferrium::start(&connector, &worker);
    }
    write.await.unwrap();
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
        all.extend(ferrium.drain(Duration::from_millis(500)));
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
    let mut per_key: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for l in all.iter().filter(|l| l.op() == Some("u")) {
        per_key
            .entry(l.key["id"].as_i64().unwrap())
            .or_default()
            .push(l.after()["v"].as_i64().unwrap());
    }
    let replayed = assert_every_change_in_order(&per_key, KEYS, ROUNDS);
    let updates: usize = per_key.values().map(Vec::len).sum();
    eprintln!(
        "kill -9 x3 during {} changes: {updates} update events, {replayed} replayed",
        KEYS * ROUNDS
    );
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_transaction_resumes_mid_way_after_kill_9() {
    const ROWS: i64 = 30_000;
    let mut db = TestDb::create("bigtx").await;
    db.exec("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(40))")
        .await;
    let connector =
        db.write_connector(&db.connector(&[("max.batch.size", "500"), ("max.queue.size", "2000")]));
    let worker = db.worker(&[
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let topic = db.topic("big");
    let ferrium = Ferrium::start(&connector, &worker);
    ferrium.collect_until(WAIT, |l| !of_topic(l, "test").is_empty());
    // One transaction of 30,000 rows (many rows events).
    let values: Vec<String> = (1..=ROWS)
        .map(|i| format!("({i}, 'row {i} padding padding')"))
        .collect();
    db.exec(&format!(
        "START TRANSACTION; INSERT INTO big VALUES {}; COMMIT",
        values.join(",")
    ))
    .await;
    let mut first = ferrium.collect(&topic, 12_000, WAIT);
    first.extend(ferrium.kill9_and_read_rest());
    let offsets = std::fs::read_to_string(db.offsets_path()).unwrap();
    assert!(
        offsets.contains("\"event\""),
        "a mid-transaction offset was stored: {offsets}"
    );
    let ferrium = Ferrium::start(&connector, &worker);
    let rest = ferrium.collect_until(WAIT, |l| {
        of_topic(l, &topic).iter().any(|x| x.key["id"] == ROWS)
    });
    let mut seen = std::collections::BTreeSet::new();
    let mut replayed = 0;
    for l in of_topic(&first, &topic)
        .into_iter()
        .chain(of_topic(&rest, &topic))
    {
        if !seen.insert(l.key["id"].as_i64().unwrap()) {
            replayed += 1;
        }
    }
    assert_eq!(
        seen.len() as i64,
        ROWS,
        "every row of the transaction arrived"
    );
    // The restart skipped the rows events already durable instead of replaying from the
    // transaction's start; only the unacknowledged tail is repeated.
    assert!(
        replayed < 12_000,
        "replayed {replayed} rows: the restart did not skip the durable part"
    );
    eprintln!("30,000-row transaction, kill -9 after 12,000: {replayed} rows replayed");
    ferrium.stop();
    db.drop().await;
}
