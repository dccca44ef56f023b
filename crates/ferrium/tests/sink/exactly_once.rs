//! Exactly once into the database: the sink killed with `kill -9` while it applies a
//! stream of inserts, restarted each time, ends with every row exactly once — in
//! `insert` mode, where applying any event twice fails on the primary key.

use std::time::Duration;

use crate::harness::{assert_verified, pg_source, pg_url, start, start_only, PgDb, Target};

async fn count(target: &mut Target, table: &str) -> usize {
    target
        .rows(&format!("SELECT count(*)::text FROM {table}"))
        .await
        .first()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_of_the_sink_loses_and_repeats_nothing() {
    let source = PgDb::create("sink_eos").await;
    source
        .exec("CREATE TABLE events (id int PRIMARY KEY, v int NOT NULL)")
        .await;
    let mut target = Target::postgres("sink_eos_rm").await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.events");
    let producer = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[])],
    );
    let sink = target.sink(
        &format!("{prefix}-sink"),
        &topic,
        &[
            ("insert.mode", "insert"),
            ("primary.key.mode", "record_key"),
            ("schema.evolution", "basic"),
            ("collection.name.format", "${source.table}"),
            ("batch.size", "300"),
        ],
    );
    let dir = target.dir();
    const BATCHES: usize = 10;
    const ROWS: usize = 2_000;
    let mut consumer = start_only(&dir, &format!("{prefix}-sink"), std::slice::from_ref(&sink));
    for batch in 0..BATCHES {
        let from = batch * ROWS + 1;
        source
            .exec(&format!(
                "INSERT INTO events SELECT i, i * 7 FROM generate_series({from}, {}) i",
                from + ROWS - 1
            ))
            .await;
        if batch == 2 || batch == 6 {
            // Kill while the sink is part-way: some rows applied, more to come.
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while count(&mut target, "events").await == 0 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the sink applied nothing:\n{}",
                    consumer.log()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            consumer.kill9();
            consumer = start_only(&dir, &format!("{prefix}-sink"), std::slice::from_ref(&sink));
        }
    }
    let total = BATCHES * ROWS;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let n = count(&mut target, "events").await;
        if n == total {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline
                && !consumer.log().contains("ERROR ferrium: connector failed"),
            "{n} of {total} rows; sink log:\n{}",
            consumer.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    consumer.stop();
    producer.stop();
    assert_verified(
        &pg_url(&source.name),
        "postgres",
        "public.events",
        &target,
        "events",
        &[],
    );
    source.drop().await;
    target.drop().await;
}
