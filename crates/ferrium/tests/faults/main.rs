//! Fault tests that restart shared services or change server-wide settings. They live
//! in their own test binary because cargo runs test binaries one after another: nothing
//! else is connected while a service restarts.
//!
//! Here: Ferrium killed and the broker and schema registry restarted (this file); the
//! databases themselves restarted under a writer (`restarts`), a PostgreSQL slot
//! invalidated by `max_slot_wal_keep_size` (`slot_invalidated`), a MariaDB binlog purged
//! past the stored position (`binlog_purged`), and a table dropped and created again
//! under streaming (`recreated_tables`).

#[path = "../e2e/support.rs"]
mod support;

#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

#[path = "../sink/harness.rs"]
#[allow(dead_code)]
mod harness;

#[path = "../rest/http.rs"]
mod http;
#[path = "../rest/worker.rs"]
mod worker;
#[path = "../common/workload.rs"]
mod workload;

mod binlog_purged;
mod recreated_tables;
mod restarts;
mod slot_invalidated;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

use support::{
    json_value, pseudo_random_ms, read_changes, wait_for_first_offset, Ferrium, TestDb, TopicReader,
};

/// Tests of one binary run in parallel; these must not restart a service under each other.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn restart(service: &str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/services.sh");
    let status = Command::new("bash")
        .arg(script)
        .args(["restart", service])
        .status()
        .unwrap();
    assert!(
        status.success(),
        "scripts/services.sh restart {service} failed"
    );
}

fn wait_for_log(ferrium: &Ferrium, needle: &str, occurrences: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while ferrium.log().matches(needle).count() < occurrences {
        assert!(
            std::time::Instant::now() < deadline,
            "'{needle}' x{occurrences} never appeared:\n{}",
            ferrium.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The Kafka broker restarts under a streaming connector: records produced across the
/// restart all arrive (the producer retries; the pipeline retries from the offset).
#[tokio::test(flavor = "multi_thread")]
async fn kafka_restart_mid_stream_loses_nothing() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("kafkarestart").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let prefix = db.name.clone();
    let connector = db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("snapshot.mode", "no_data"),
        ("retriable.restart.connector.wait.ms", "500"),
    ]);
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", support::kafka_bootstrap()),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &worker);
    wait_for_log(&ferrium, "streaming started", 1);
    db.exec("INSERT INTO t SELECT generate_series(1, 100)")
        .await;
    std::thread::sleep(Duration::from_secs(2));
    restart("kafka");
    db.exec("INSERT INTO t SELECT generate_series(101, 200)")
        .await;

    let reader =
        TopicReader::subscribe(&format!("{prefix}-check"), &[&format!("{prefix}.public.t")]);
    let mut seen = BTreeSet::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while seen.len() < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of 200 ids arrived; log:\n{}",
            seen.len(),
            ferrium.log()
        );
        if let Some(Some(value)) = reader
            .next(Duration::from_millis(500))
            .map(|m| json_value(&m))
        {
            seen.insert(value["after"]["id"].as_i64().unwrap());
        }
    }
    assert_eq!(seen, (1..=200).collect());
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// What a fault run left: the records a `read_committed` consumer read, and the log of
/// every Ferrium instance, for the failure message.
struct FaultRun {
    records: Vec<(i64, String, i64)>,
    keys: i64,
    rounds: i64,
    logs: Vec<String>,
}

impl FaultRun {
    /// Runs `check`; if it fails, prints what each instance logged (where it resumed,
    /// whether it took a snapshot) before passing the failure on.
    fn explain_failure<T>(&self, check: impl FnOnce() -> T + std::panic::UnwindSafe) -> T {
        match std::panic::catch_unwind(check) {
            Ok(value) => value,
            Err(panic) => {
                let snapshot_rows = self.records.iter().filter(|(_, op, _)| op == "r").count();
                eprintln!(
                    "{} records, {snapshot_rows} of them snapshot rows ({} keys)",
                    self.records.len(),
                    self.keys
                );
                for (i, log) in self.logs.iter().enumerate() {
                    eprintln!("---- ferrium instance {i} (INFO and above) ----");
                    for line in log.lines().filter(|l| !l.contains(" DEBUG ")) {
                        eprintln!("{line}");
                    }
                }
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// Streams `rounds` x `keys` updates while Ferrium is killed with SIGKILL three times
/// (at random moments) and the Kafka broker is restarted once; returns what a
/// `read_committed` consumer then reads.
async fn stream_through_faults(tag: &str, exactly_once: bool) -> FaultRun {
    const KEYS: i64 = 1000;
    const ROUNDS: i64 = 100;
    let db = TestDb::create(tag).await;
    db.exec(&format!(
        "CREATE TABLE counters (id int PRIMARY KEY, v int NOT NULL); INSERT INTO counters SELECT i, 0 FROM generate_series(1, {KEYS}) i;"
    ))
    .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("topic.creation.default.partitions", "3"),
        ("retriable.restart.connector.wait.ms", "500"),
    ]));
    let mode = if exactly_once { "enabled" } else { "disabled" };
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", support::kafka_bootstrap()),
        &format!("exactly.once.source.support={mode}"),
        &format!("offset.storage.topic={prefix}-offsets"),
        "offset.storage.partitions=3",
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let mut ferrium = Ferrium::start(&connector, &worker);
    wait_for_log(&ferrium, "streaming started", 1);
    wait_for_first_offset(&format!("{prefix}-offsets"), || ferrium.log());

    let writer = support::connect(&db.name).await;
    let write = tokio::spawn(async move {
        for _ in 0..ROUNDS {
            writer
                .batch_execute("UPDATE counters SET v = v + 1")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    let mut logs = Vec::new();
    for kill in 0..3u64 {
        tokio::time::sleep(Duration::from_millis(pseudo_random_ms(kill, 300, 1500))).await;
        logs.push(ferrium.kill9_and_log());
        if kill == 1 {
            restart("kafka");
        }
        ferrium = Ferrium::start(&connector, &worker);
    }
    write.await.unwrap();
    wait_for_log(&ferrium, "streaming started", 1);
    let records = read_changes(
        &format!("{prefix}.public.counters"),
        &format!("{prefix}-check"),
        (KEYS * (ROUNDS + 1)) as usize,
        Duration::from_secs(240),
    );
    let (stopped, log) = ferrium.stop_and_log();
    logs.push(log);
    assert!(stopped.success());
    db.drop().await;
    FaultRun {
        records,
        keys: KEYS,
        rounds: ROUNDS,
        logs,
    }
}

/// Exactly once: after three SIGKILLs and a broker restart, a `read_committed` consumer
/// sees every change once, in commit order per key.
#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_through_kill_9_and_a_broker_restart() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let run = stream_through_faults("eos", true).await;
    let (records, keys, rounds) = (&run.records, run.keys, run.rounds);
    run.explain_failure(|| {
        let mut per_key: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut snapshot = BTreeMap::new();
        for (id, op, v) in records {
            match op.as_str() {
                "r" => *snapshot.entry(*id).or_insert(0) += 1,
                "u" => per_key.entry(*id).or_default().push(*v),
                other => panic!("unexpected op {other}"),
            }
        }
        assert_eq!(snapshot.len() as i64, keys);
        assert!(
            snapshot.values().all(|&n| n == 1),
            "a snapshot row was delivered twice"
        );
        let expected: Vec<i64> = (1..=rounds).collect();
        for id in 1..=keys {
            assert_eq!(
                per_key.get(&id),
                Some(&expected),
                "key {id}: not every change exactly once in order"
            );
        }
        assert_eq!(records.len() as i64, keys * (rounds + 1));
    });
    eprintln!(
        "exactly-once: {} records for {} changes, 0 duplicates",
        records.len(),
        keys * (rounds + 1)
    );
}

/// At least once (`exactly.once.source.support=disabled`): the same faults lose nothing;
/// duplicates are allowed and counted.
#[tokio::test(flavor = "multi_thread")]
async fn at_least_once_through_kill_9_and_a_broker_restart() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let run = stream_through_faults("alo", false).await;
    let (records, keys, rounds) = (&run.records, run.keys, run.rounds);
    let duplicates = run.explain_failure(|| {
        let mut per_key: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (id, op, v) in records {
            if op == "u" {
                per_key.entry(*id).or_default().push(*v);
            }
        }
        support::assert_every_change_in_order(&per_key, keys, rounds)
    });
    eprintln!(
        "at-least-once: {} records for {} changes, {duplicates} duplicates after crashes",
        records.len(),
        keys * (rounds + 1)
    );
}

fn services(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/services.sh");
    let status = Command::new("bash")
        .arg(script)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "scripts/services.sh {args:?} failed");
}

/// The schema registry goes down while a table's schema changes under an exactly-once
/// Avro connector: the records of the new schema wait (none is written without a schema
/// id), and when the registry is back every record arrives once, decodable.
#[tokio::test(flavor = "multi_thread")]
async fn schema_registry_outage_holds_records_and_loses_none() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("registry_outage").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'one');")
        .await;
    let prefix = db.name.clone();
    let url = support::schema_registry_url();
    let connector = db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("key.converter", "io.confluent.connect.avro.AvroConverter"),
        ("key.converter.schema.registry.url", url.as_str()),
        ("value.converter", "io.confluent.connect.avro.AvroConverter"),
        ("value.converter.schema.registry.url", url.as_str()),
        ("value.converter.retries.max.wait.ms", "1000"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            &format!("bootstrap.servers={}", support::kafka_bootstrap()),
            &format!("offset.storage.topic={prefix}-offsets"),
        ]),
    );
    wait_for_log(&ferrium, "streaming started", 1);
    let topic = format!("{prefix}.public.t");
    support::read_avro(&topic, 1, Duration::from_secs(60));

    services(&["down", "registry"]);
    // A new column: a new schema, which only the registry can give an id.
    db.exec("ALTER TABLE t ADD COLUMN b int;").await;
    let inserts: String = (2..=20)
        .map(|i| format!("INSERT INTO t VALUES ({i}, 'row {i}', {i});"))
        .collect();
    db.exec(&inserts).await;
    wait_for_log(&ferrium, "waiting for the schema registry", 1);
    // Ferrium says it waits; what a read_committed consumer sees meanwhile is the one
    // record from before the outage.
    let reader = TopicReader::subscribe(&format!("outage-{prefix}"), &[&topic]);
    let mut written = 0;
    while reader.next(Duration::from_secs(3)).is_some() {
        written += 1;
    }
    assert_eq!(
        written, 1,
        "records were written while the registry was down"
    );

    services(&["up", "registry"]);
    let records = support::read_avro(&topic, 20, Duration::from_secs(90));
    let ids: Vec<i64> = records
        .iter()
        .map(|r| r["value"]["after"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=20).collect::<Vec<_>>(),
        "each record once, in order"
    );
    assert_eq!(records[19]["value"]["after"]["b"], 20);
    assert!(records.iter().all(|r| r["value_schema_id"].is_u64()));
    wait_for_log(&ferrium, "the schema registry answers again", 1);
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// The JDBC sink in upsert mode through a `kill -9`, a broker restart and a restart of
/// the target database, under inserts, updates and deletes: the read model ends equal
/// to its source, which `ferrium verify` proves.
#[tokio::test(flavor = "multi_thread")]
async fn jdbc_sink_through_kill_9_a_broker_restart_and_a_target_restart() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let mut source = TestDb::create("sinkfaults").await;
    source
        .exec("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL, note text)")
        .await;
    let target = harness::Target::postgres("sinkfaults_rm").await;
    let prefix = source.name.clone();
    let producer = harness::start(
        source.dir.path(),
        &prefix,
        &[harness::pg_source(&source, &prefix, &[])],
    );
    let sink = target.sink(
        &format!("{prefix}-sink"),
        &format!("{prefix}.public.items"),
        &[
            ("insert.mode", "upsert"),
            ("primary.key.mode", "record_key"),
            ("delete.enabled", "true"),
            ("schema.evolution", "basic"),
            ("collection.name.format", "${source.table}"),
            ("batch.size", "200"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let start_sink = || {
        harness::start_only(
            dir.path(),
            &format!("{prefix}-sink"),
            std::slice::from_ref(&sink),
        )
    };
    let mut consumer = start_sink();
    for round in 0..6 {
        let base = round * 1000;
        source
            .exec(&format!(
                "INSERT INTO items SELECT i, i, 'n' || i FROM generate_series({}, {}) i;
                 UPDATE items SET v = v + 1, note = NULL WHERE id % 3 = 0 AND id > {base};
                 DELETE FROM items WHERE id % 7 = 0 AND id > {base};",
                base + 1,
                base + 1000
            ))
            .await;
        match round {
            1 => {
                consumer.kill9();
                consumer = start_sink();
            }
            2 => restart("kafka"),
            3 => {
                restart("postgres");
                // The test's own connection died with the server.
                source.client = support::connect(&source.name).await;
            }
            _ => {}
        }
    }
    let expected = source
        .client
        .query_one("SELECT count(*)::text FROM items", &[])
        .await
        .map(|r| r.get::<_, String>(0))
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        // The target's client died with the restart: read through a new one.
        let fresh = match &target {
            harness::Target::Postgres(db) => support::connect(&db.name).await,
            harness::Target::Mariadb(_) => unreachable!(),
        };
        let got = fresh
            .query_one("SELECT count(*)::text FROM items", &[])
            .await
            .map(|r| r.get::<_, String>(0))
            .unwrap_or_default();
        if got == expected {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{got} of {expected} rows; sink log:\n{}",
            consumer.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    consumer.stop();
    producer.stop();
    let url = harness::pg_url(&source.name);
    harness::assert_verified(&url, "postgres", "public.items", &target, "items", &[]);
    source.drop().await;
    target.drop().await;
}

/// A 1,000,000-row initial snapshot read by 4 connections in parallel, killed with
/// `kill -9` three times at random points: each restart goes on from the chunks its
/// offsets hold, a `read_committed` consumer sees every row exactly once, and the
/// stream follows with no gap.
#[tokio::test(flavor = "multi_thread")]
async fn a_parallel_initial_snapshot_resumes_after_three_kill_9() {
    let _serial = ONE_AT_A_TIME.lock().await;
    const ROWS: i64 = 1_000_000;
    let db = TestDb::create("snapkill").await;
    db.exec(&format!(
        "CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL);
         INSERT INTO big SELECT i, 0 FROM generate_series(1, {ROWS}) i;
         ANALYZE big;"
    ))
    .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("topic.creation.default.partitions", "3"),
        ("snapshot.max.threads", "4"),
        ("snapshot.fetch.size", "20000"),
        ("retriable.restart.connector.wait.ms", "500"),
    ]));
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", support::kafka_bootstrap()),
        "exactly.once.source.support=enabled",
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let mut ferrium = Ferrium::start(&connector, &worker);
    let mut logs = Vec::new();
    for kill in 0..3u64 {
        wait_for_log(&ferrium, "initial snapshot started", 1);
        // Some chunks out (their first offset stored), then a kill at a random point.
        wait_for_first_offset(&format!("{prefix}-offsets"), || ferrium.log());
        tokio::time::sleep(Duration::from_millis(pseudo_random_ms(kill, 500, 2500))).await;
        assert!(
            !ferrium.log().contains("streaming started"),
            "the snapshot ended before kill {kill}; the test needs a slower snapshot"
        );
        logs.push(ferrium.kill9_and_log());
        ferrium = Ferrium::start(&connector, &worker);
        wait_for_log(&ferrium, "resuming the initial snapshot", 1);
    }
    wait_for_log(&ferrium, "streaming started", 1);
    db.exec(&format!("INSERT INTO big VALUES ({}, 1)", ROWS + 1))
        .await;
    let records = read_changes(
        &format!("{prefix}.public.big"),
        &format!("{prefix}-check"),
        (ROWS + 1) as usize,
        Duration::from_secs(300),
    );
    let (stopped, log) = ferrium.stop_and_log();
    logs.push(log);
    let mut seen = vec![0u8; ROWS as usize + 2];
    let mut created = 0;
    for (id, op, _) in &records {
        match op.as_str() {
            "r" => seen[*id as usize] = seen[*id as usize].saturating_add(1),
            "c" if *id == ROWS + 1 => created += 1,
            other => panic!("unexpected {other} for {id}"),
        }
    }
    let missing = (1..=ROWS).filter(|&i| seen[i as usize] == 0).count();
    let twice = (1..=ROWS).filter(|&i| seen[i as usize] > 1).count();
    if missing > 0 || twice > 0 || created != 1 {
        for (i, log) in logs.iter().enumerate() {
            eprintln!("--- run {i} ---\n{log}");
        }
    }
    assert_eq!(
        (missing, twice, created),
        (0, 0, 1),
        "rows missing, rows twice, stream insert"
    );
    assert!(stopped.success());
    db.drop().await;
    eprintln!("parallel snapshot: {} rows once each through 3 kills", ROWS);
}
