//! Exactly-once holds with a transform that drops records: offsets advance past the
//! dropped ones, and after `kill -9`s a `read_committed` consumer sees each kept record
//! once, in order, and never a dropped one.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::{
    kafka_bootstrap, pseudo_random_ms, read_changes, wait_for_first_offset, Ferrium, TestDb,
};

#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_with_half_the_records_dropped_through_kill_9() {
    const KEYS: i64 = 300;
    const ROUNDS: i64 = 60;
    let db = TestDb::create("eos_drop").await;
    db.exec(&format!(
        "CREATE TABLE kept (id int PRIMARY KEY, v int NOT NULL);
         CREATE TABLE dropped (id int PRIMARY KEY, v int NOT NULL);
         INSERT INTO kept SELECT i, 0 FROM generate_series(1, {KEYS}) i;
         INSERT INTO dropped SELECT i, 0 FROM generate_series(1, {KEYS}) i;"
    ))
    .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("retriable.restart.connector.wait.ms", "500"),
        ("transforms", "dropHalf"),
        (
            "transforms.dropHalf.type",
            "org.apache.kafka.connect.transforms.Filter",
        ),
        ("transforms.dropHalf.predicate", "isDropped"),
        ("predicates", "isDropped"),
        (
            "predicates.isDropped.type",
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        ),
        ("predicates.isDropped.pattern", ".*\\.dropped"),
    ]));
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "offset.storage.partitions=1",
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let mut ferrium = Ferrium::start(&connector, &worker);
    ferrium.wait_for_log("streaming started");
    wait_for_first_offset(&format!("{prefix}-offsets"), || ferrium.log());

    let writer = crate::support::connect(&db.name).await;
    let write = tokio::spawn(async move {
        for _ in 0..ROUNDS {
            writer
                .batch_execute(
                    "BEGIN; UPDATE kept SET v = v + 1; UPDATE dropped SET v = v + 1; COMMIT;",
                )
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    let mut logs = Vec::new();
    for kill in 0..3u64 {
        tokio::time::sleep(Duration::from_millis(pseudo_random_ms(kill, 300, 1200))).await;
        logs.push(ferrium.kill9_and_log());
        ferrium = Ferrium::start(&connector, &worker);
    }
    write.await.unwrap();
    ferrium.wait_for_log("streaming started");
    let records = read_changes(
        &format!("{prefix}.public.kept"),
        &format!("{prefix}-check"),
        (KEYS * (ROUNDS + 1)) as usize,
        Duration::from_secs(180),
    );
    let dropped = read_changes(
        &format!("{prefix}.public.dropped"),
        &format!("{prefix}-check-dropped"),
        0,
        Duration::from_secs(10),
    );
    let (stopped, log) = ferrium.stop_and_log();
    logs.push(log);
    assert!(stopped.success());

    let mut snapshot: BTreeMap<i64, usize> = BTreeMap::new();
    let mut per_key: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, op, v) in &records {
        match op.as_str() {
            "r" => *snapshot.entry(*id).or_default() += 1,
            "u" => per_key.entry(*id).or_default().push(*v),
            other => panic!("unexpected op {other}"),
        }
    }
    let expected: Vec<i64> = (1..=ROUNDS).collect();
    let explain = || logs.join("\n---- next instance ----\n");
    assert!(
        dropped.is_empty(),
        "{} dropped records reached Kafka",
        dropped.len()
    );
    assert_eq!(snapshot.len() as i64, KEYS, "{}", explain());
    assert!(snapshot.values().all(|&n| n == 1), "a snapshot row twice");
    for id in 1..=KEYS {
        assert_eq!(
            per_key.get(&id),
            Some(&expected),
            "key {id}: not every kept change exactly once in order\n{}",
            explain()
        );
    }
    assert_eq!(records.len() as i64, KEYS * (ROUNDS + 1));
    db.drop().await;
}
