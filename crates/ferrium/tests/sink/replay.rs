//! Replay, as Kafka Connect users do it: a sink connector stopped over the REST API,
//! its KIP-875 offsets read in the sink shape and reset (they live in the target
//! database), its read model dropped, and rebuilt from the earliest offset on resume.

use std::time::Duration;

use serde_json::json;

use crate::harness::{
    assert_verified, kafka_worker, pg_source, pg_url, start, write_connectors, PgDb, Target,
};
use crate::worker::Worker;

async fn all_rows(target: &mut Target) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while target.rows("SELECT count(*)::text FROM orders").await != ["500"] {
        assert!(
            std::time::Instant::now() < deadline,
            "the read model is incomplete"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offsets_reset_over_rest_rebuilds_the_read_model() {
    let source = PgDb::create("sink_replay").await;
    source
        .exec("CREATE TABLE orders (id int PRIMARY KEY, v text)")
        .await;
    let mut target = Target::postgres("sink_replay_rm").await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.orders");
    let producer = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[])],
    );
    source
        .exec("INSERT INTO orders SELECT i, 'v' || i FROM generate_series(1, 500) i")
        .await;

    let name = format!("{prefix}-sink");
    let sink = target.sink(
        &name,
        &topic,
        &[
            ("insert.mode", "upsert"),
            ("primary.key.mode", "record_key"),
            ("schema.evolution", "basic"),
            ("collection.name.format", "${source.table}"),
        ],
    );
    let dir = target.dir();
    let connectors = write_connectors(&dir, &[sink]);
    let worker_file = kafka_worker(&dir, &name, &["listeners=http://127.0.0.1:0"]);
    let w = Worker::start_with(&[
        "run".as_ref(),
        connectors.as_os_str(),
        "--worker".as_ref(),
        worker_file.as_os_str(),
    ]);
    all_rows(&mut target).await;

    let metrics = w.http.get("/metrics").body;
    for series in [
        "ferrium_sink_records_total",
        "ferrium_sink_batches_total",
        "ferrium_sink_event_to_commit_ms",
    ] {
        assert!(
            metrics.contains(&format!("{series}{{connector=\"{name}\"}}")),
            "{series} missing:\n{metrics}"
        );
    }
    let status = w.http.get(&format!("/connectors/{name}/status")).json();
    assert_eq!(status["type"], "sink", "{status}");
    assert_eq!(
        w.http.get(&format!("/connectors/{name}")).json()["type"],
        "sink"
    );
    // Offsets change only while the connector is stopped.
    assert_eq!(
        w.http.delete(&format!("/connectors/{name}/offsets")).status,
        400
    );
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/stop"), "").status,
        202
    );
    let offsets = w.http.get(&format!("/connectors/{name}/offsets")).json();
    let entry = &offsets["offsets"][0];
    assert_eq!(
        entry["partition"],
        json!({"kafka_topic": topic, "kafka_partition": 0}),
        "{offsets}"
    );
    assert!(
        entry["offset"]["kafka_offset"].as_i64().unwrap() >= 500,
        "{offsets}"
    );
    let bad = w.http.patch(
        &format!("/connectors/{name}/offsets"),
        &json!({"offsets": [{"partition": {"server": "x"}, "offset": {"lsn": 1}}]}).to_string(),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("kafka_topic"), "{}", bad.body);

    // Replay: drop the read model, reset the offsets, resume.
    target.exec("DROP TABLE orders").await;
    let reset = w.http.delete(&format!("/connectors/{name}/offsets"));
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(
        w.http.get(&format!("/connectors/{name}/offsets")).json()["offsets"],
        json!([])
    );
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/resume"), "").status,
        202
    );
    all_rows(&mut target).await;
    producer.stop();
    assert_verified(
        &pg_url(&source.name),
        "postgres",
        "public.orders",
        &target,
        "orders",
        &[],
    );
    drop(w);
    source.drop().await;
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ferrium_replay_rebuilds_into_a_fresh_table_and_stops_at_the_end() {
    let source = PgDb::create("sink_replay_cli").await;
    source
        .exec("CREATE TABLE orders (id int PRIMARY KEY, v text)")
        .await;
    let mut target = Target::postgres("sink_replay_cli_rm").await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.orders");
    let producer = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[])],
    );
    source
        .exec("INSERT INTO orders SELECT i, 'v' || i FROM generate_series(1, 300) i; UPDATE orders SET v = 'u' WHERE id <= 10; DELETE FROM orders WHERE id > 290")
        .await;
    // Wait until the source has written every change: a plain consumer sees 320 records.
    let reader = crate::support::TopicReader::subscribe(&format!("{prefix}-check"), &[&topic]);
    let mut seen = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen < 330 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {seen} records:\n{}",
            producer.log()
        );
        if reader.next(Duration::from_millis(500)).is_some() {
            seen += 1;
        }
    }
    producer.stop();
    let name = format!("{prefix}-sink");
    let sink = target.sink(
        &name,
        &topic,
        &[
            ("insert.mode", "upsert"),
            ("primary.key.mode", "record_key"),
            ("delete.enabled", "true"),
            ("schema.evolution", "basic"),
        ],
    );
    let dir = target.dir();
    let connectors = write_connectors(&dir, &[sink]);
    let worker_file = kafka_worker(&dir, &name, &[]);
    let out = std::process::Command::new(crate::support::ferrium_binary())
        .args([
            "replay".as_ref(),
            connectors.as_os_str(),
            "--worker".as_ref(),
            worker_file.as_os_str(),
            "--into".as_ref(),
            "orders_v2".as_ref(),
        ])
        .output()
        .unwrap();
    crate::support::transcript::keep("ferrium replay", &String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("replay: 330 records from 1 partitions into 'orders_v2'"),
        "{stdout}"
    );
    let stored = target
        .rows("SELECT connector FROM __ferrium_sink_offsets ORDER BY connector")
        .await;
    assert_eq!(
        stored,
        [format!("{name}-replay")],
        "the replay keeps offsets of its own"
    );
    assert_verified(
        &pg_url(&source.name),
        "postgres",
        "public.orders",
        &target,
        "orders_v2",
        &[],
    );
    source.drop().await;
    target.drop().await;
}
