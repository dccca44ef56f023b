//! Into a real Kafka broker, with the Debezium 1.x-style config: the schema
//! history in a Kafka topic named by the legacy `database.history.kafka.*` options,
//! exactly-once delivery, and a restart that rebuilds the table model from that topic.

use std::time::Duration;

use serde_json::Value;

use crate::support::{kafka_bootstrap, Ferrium, TestDb, TopicReader};

const WAIT: Duration = Duration::from_secs(90);

fn consume(topic: &str, group: &str, count: usize, ferrium: &Ferrium) -> Vec<Option<Value>> {
    TopicReader::subscribe(group, &[topic]).values(count, WAIT, || {
        format!("topic {topic}; log:\n{}", ferrium.log())
    })
}

/// The records a fresh consumer reads from `topic` within `wait`.
fn consume_for(topic: &str, group: &str, wait: Duration) -> Vec<Option<Value>> {
    TopicReader::subscribe(group, &[topic]).values_within(wait)
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_history_options_exactly_once_and_recovery_from_the_history_topic() {
    let mut db = TestDb::create("kafka").await;
    db.exec("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO customers VALUES (1, 'ann')")
        .await;
    let prefix = db.name.clone();
    let history_topic = format!("{prefix}.dbhistory");
    let servers = kafka_bootstrap();
    let connector = db.connector(&[
        ("database.server.name", prefix.as_str()),
        ("database.history.kafka.bootstrap.servers", servers.as_str()),
        ("database.history.kafka.topic", history_topic.as_str()),
        ("topic.creation.default.replication.factor", "1"),
    ]);
    let mut connector = connector;
    connector["config"]
        .as_object_mut()
        .unwrap()
        .remove("topic.prefix");
    let connector_path = db.write_connector(&connector);
    let worker = db.worker(&[
        &format!("bootstrap.servers={servers}"),
        &format!("group.id={prefix}"),
    ]);
    let ferrium = Ferrium::start(&connector_path, &worker);
    let topic = format!("{prefix}.{}.customers", db.name);
    consume(&topic, &format!("{prefix}-a"), 1, &ferrium);
    db.exec("ALTER TABLE customers ADD COLUMN email VARCHAR(40); INSERT INTO customers VALUES (2, 'bob', 'bob@example.com')")
        .await;
    let values = consume(&topic, &format!("{prefix}-b"), 2, &ferrium);
    assert_eq!(
        values[1].as_ref().unwrap()["payload"]["after"]["email"],
        "bob@example.com"
    );
    assert!(ferrium.stop().success());

    // The history topic holds the snapshot's CREATE DATABASE (with its character set)
    // and CREATE TABLE, and the streamed ALTER, in order (Debezium's default also stores
    // other databases' DDL, which other tests write).
    let history = consume_for(
        &history_topic,
        &format!("{prefix}-h"),
        Duration::from_secs(3),
    );
    let ddl: Vec<&str> = history
        .iter()
        .filter_map(|v| v.as_ref())
        .filter(|v| v["databaseName"] == db.name.as_str())
        .map(|v| v["ddl"].as_str().unwrap())
        .collect();
    assert!(
        ddl[0].starts_with(&format!(
            "CREATE DATABASE `{}` DEFAULT CHARACTER SET ",
            db.name
        )),
        "{ddl:?}"
    );
    assert!(ddl[1].starts_with("CREATE TABLE `customers`"), "{ddl:?}");
    assert!(
        ddl.iter().any(|d| d.contains("ADD COLUMN email")),
        "{ddl:?}"
    );

    // A row written while Ferrium is down decodes with the column the history added, and
    // exactly-once means a consumer from the start sees every row once.
    db.exec("INSERT INTO customers VALUES (3, 'cy', 'cy@example.com')")
        .await;
    let ferrium = Ferrium::start(&connector_path, &worker);
    let values = consume(&topic, &format!("{prefix}-c"), 3, &ferrium);
    let names: Vec<&str> = values
        .iter()
        .map(|v| {
            v.as_ref().unwrap()["payload"]["after"]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["ann", "bob", "cy"]);
    assert_eq!(
        values[2].as_ref().unwrap()["payload"]["after"]["email"],
        "cy@example.com"
    );
    let all = consume_for(&topic, &format!("{prefix}-d"), Duration::from_secs(3));
    assert_eq!(all.len(), 3, "no record was written twice");
    assert!(ferrium.stop().success());
    db.drop().await;
}
