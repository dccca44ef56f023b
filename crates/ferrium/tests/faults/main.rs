//! Fault tests that restart shared services. They live in their own test binary because
//! cargo runs test binaries one after another: nothing else is connected while a
//! service restarts.

#[path = "../e2e/support.rs"]
mod support;

use std::process::Command;
use std::time::Duration;

use support::{Ferrium, TestDb};

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

/// PostgreSQL restarts under a streaming connector: Ferrium reconnects on its own and
/// resumes from its stored offset; the changes made before and after arrive.
#[tokio::test(flavor = "multi_thread")]
async fn postgres_restart_mid_stream_recovers_without_loss() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let db = TestDb::create("pgrestart").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector = db.connector(&[
        ("snapshot.mode", "no_data"),
        ("retriable.restart.connector.wait.ms", "500"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&["value.converter.schemas.enable=false"]),
    );
    wait_for_log(&ferrium, "streaming started", 1);
    db.exec("INSERT INTO t VALUES (1)").await;
    ferrium.collect("test.public.t", 1, Duration::from_secs(30));

    restart("postgres");
    let client = support::connect(&db.name).await;
    client
        .batch_execute("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);")
        .await
        .unwrap();
    let lines = ferrium.collect("test.public.t", 2, Duration::from_secs(60));
    let ids: Vec<_> = lines
        .iter()
        .map(|l| l.after()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [2, 3]);
    assert!(
        ferrium.log().contains("retriable error"),
        "the restart was not seen:\n{}",
        ferrium.log()
    );
    wait_for_log(&ferrium, "streaming started", 2);
    assert!(ferrium.stop().success());
    let db = TestDb { client, ..db };
    db.drop().await;
}

/// The Kafka broker restarts under a streaming connector: records produced across the
/// restart all arrive (the producer retries; the pipeline retries from the offset).
#[tokio::test(flavor = "multi_thread")]
async fn kafka_restart_mid_stream_loses_nothing() {
    let _serial = ONE_AT_A_TIME.lock().await;
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::Message;

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

    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", support::kafka_bootstrap())
        .set("group.id", format!("{prefix}-check"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer
        .subscribe(&[&format!("{prefix}.public.t")])
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while seen.len() < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of 200 ids arrived; log:\n{}",
            seen.len(),
            ferrium.log()
        );
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(500)) {
            let value: serde_json::Value =
                serde_json::from_slice(message.payload().unwrap()).unwrap();
            seen.insert(value["after"]["id"].as_i64().unwrap());
        }
    }
    assert_eq!(seen, (1..=200).collect());
    assert!(ferrium.stop().success());
    db.drop().await;
}
