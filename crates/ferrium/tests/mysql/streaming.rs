//! Snapshot then streaming: every operation, the event shape Debezium's MySQL connector
//! writes, schema change events, and transaction metadata.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{of_topic, TestDb};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_then_every_operation_in_debeziums_shape() {
    let mut db = TestDb::create("ops").await;
    db.exec(
        "CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64) NOT NULL, email VARCHAR(128));
         INSERT INTO customers (name, email) VALUES ('ann', 'ann@example.com'), ('bob', NULL), ('cy', 'cy@example.com')",
    )
    .await;
    let ferrium = db.start(&[]);
    let topic = db.topic("customers");
    let lines = ferrium.collect(&topic, 3, WAIT);
    let reads: Vec<_> = lines.iter().filter(|l| l.op() == Some("r")).collect();
    assert_eq!(reads.len(), 3, "{lines:?}");
    let markers: Vec<&str> = reads
        .iter()
        .map(|l| l.source()["snapshot"].as_str().unwrap())
        .collect();
    assert_eq!(markers, ["first", "true", "last"]);
    assert_eq!(
        reads[1].after(),
        &json!({"id": 2, "name": "bob", "email": null})
    );
    assert_eq!(reads[0].key_payload(), &json!({"id": 1}));

    // The value schema is Debezium's: Envelope/Value/Source names, field order.
    let schema = &reads[0].value["schema"];
    assert_eq!(
        schema["name"],
        format!("test.{}.customers.Envelope", db.name)
    );
    let value_fields: Vec<&str> = schema["fields"][1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(value_fields, ["id", "name", "email"]);
    let source = &schema["fields"][2];
    assert_eq!(source["name"], "io.debezium.connector.mysql.Source");
    let source_fields: Vec<&str> = source["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        source_fields,
        [
            "version",
            "connector",
            "name",
            "ts_ms",
            "snapshot",
            "db",
            "sequence",
            "ts_us",
            "ts_ns",
            "table",
            "server_id",
            "gtid",
            "file",
            "pos",
            "row",
            "thread",
            "query"
        ]
    );
    let key_schema = &reads[0].key["schema"];
    assert_eq!(
        key_schema["name"],
        format!("test.{}.customers.Key", db.name)
    );

    db.exec(
        "INSERT INTO customers (name, email) VALUES ('dee', 'dee@example.com');
         UPDATE customers SET email = 'bob@example.com' WHERE id = 2;
         DELETE FROM customers WHERE id = 3",
    )
    .await;
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, &topic).len() >= 4);
    let changes = of_topic(&lines, &topic);
    let ops: Vec<Option<&str>> = changes.iter().map(|l| l.op()).collect();
    assert_eq!(ops, [Some("c"), Some("u"), Some("d"), None], "{changes:?}");
    let create = changes[0];
    assert_eq!(create.after()["name"], "dee");
    assert_eq!(create.before(), &Value::Null);
    let update = changes[1];
    assert_eq!(update.before()["email"], Value::Null);
    assert_eq!(update.after()["email"], "bob@example.com");
    let delete = changes[2];
    assert_eq!(delete.before()["id"], 3);
    assert_eq!(delete.after(), &Value::Null);
    assert_eq!(
        changes[3].value,
        Value::Null,
        "a tombstone follows the delete"
    );
    assert_eq!(changes[3].key_payload(), &json!({"id": 3}));

    let src = create.source();
    assert_eq!(src["connector"], "mysql");
    assert_eq!(src["name"], "test");
    assert_eq!(src["db"], db.name.as_str());
    assert_eq!(src["table"], "customers");
    assert_eq!(src["snapshot"], "false");
    assert_eq!(
        src["server_id"], 1,
        "the id of the server that wrote the event"
    );
    assert!(
        src["file"].as_str().unwrap().starts_with("binlog."),
        "{src}"
    );
    assert!(src["pos"].as_i64().unwrap() > 4);
    let gtid = src["gtid"].as_str().unwrap();
    assert!(
        gtid.starts_with("0-1-"),
        "MariaDB GTIDs are domain-server-seq: {gtid}"
    );
    // Each statement above ran in its own transaction, so each has its own GTID.
    assert_ne!(changes[0].source()["gtid"], changes[1].source()["gtid"]);
    assert!(src["ts_ms"].as_i64().unwrap() > 1_700_000_000_000);
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_change_events_and_transaction_metadata() {
    let mut db = TestDb::create("meta").await;
    db.exec("CREATE TABLE a (id INT PRIMARY KEY, v INT); CREATE TABLE b (id INT PRIMARY KEY)")
        .await;
    let ferrium = db.start(&[("provide.transaction.metadata", "true")]);
    // Schema change events of the snapshot: one per captured table, keyed by database.
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, "test").len() >= 2);
    let ddl = of_topic(&lines, "test");
    assert_eq!(ddl[0].key_payload(), &json!({"databaseName": db.name}));
    assert_eq!(
        ddl[0].value["schema"]["name"],
        "io.debezium.connector.mysql.SchemaChangeValue"
    );
    let payload = ddl[0].payload();
    assert!(
        payload["ddl"]
            .as_str()
            .unwrap()
            .starts_with("CREATE TABLE `a`"),
        "{payload}"
    );
    let change = &payload["tableChanges"][0];
    assert_eq!(change["type"], "CREATE");
    assert_eq!(change["id"], format!("\"{}\".\"a\"", db.name));
    assert_eq!(change["table"]["primaryKeyColumnNames"], json!(["id"]));
    assert_eq!(change["table"]["columns"][1]["name"], "v");

    db.exec(
        "START TRANSACTION; INSERT INTO a VALUES (1, 1), (2, 2); INSERT INTO b VALUES (7); COMMIT",
    )
    .await;
    let tx_topic = "test.transaction";
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, tx_topic).len() >= 2);
    let tx = of_topic(&lines, tx_topic);
    assert_eq!(tx[0].payload()["status"], "BEGIN");
    assert_eq!(tx[1].payload()["status"], "END");
    assert_eq!(tx[1].payload()["event_count"], 3);
    let id = tx[0].payload()["id"].as_str().unwrap().to_string();
    assert!(
        id.starts_with("0-1-"),
        "the transaction id is the GTID: {id}"
    );
    assert_eq!(
        tx[1].payload()["data_collections"],
        json!([
            {"data_collection": format!("{}.a", db.name), "event_count": 2},
            {"data_collection": format!("{}.b", db.name), "event_count": 1}
        ])
    );
    let rows = of_topic(&lines, &db.topic("a"));
    assert_eq!(
        rows[1].payload()["transaction"],
        json!({"id": id, "total_order": 2, "data_collection_order": 2})
    );
    let rows_b = of_topic(&lines, &db.topic("b"));
    assert_eq!(rows_b[0].payload()["transaction"]["total_order"], 3);
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_primary_key_change_is_a_delete_and_a_create() {
    let mut db = TestDb::create("pk").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
        .await;
    let ferrium = db.start(&[]);
    // Wait for streaming: the snapshot of an empty table emits only schema changes.
    ferrium.collect_until(WAIT, |l| !of_topic(l, "test").is_empty());
    db.exec("INSERT INTO t VALUES (1, 'x'); UPDATE t SET id = 2 WHERE id = 1")
        .await;
    let topic = db.topic("t");
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, &topic).len() >= 4);
    let events = of_topic(&lines, &topic);
    let ops: Vec<Option<&str>> = events.iter().map(|l| l.op()).collect();
    assert_eq!(ops, [Some("c"), Some("d"), None, Some("c")]);
    assert_eq!(events[1].key_payload(), &json!({"id": 1}));
    assert_eq!(events[3].key_payload(), &json!({"id": 2}));
    assert_eq!(events[3].after(), &json!({"id": 2, "v": "x"}));
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_and_include_query_on_mariadb() {
    let mut db = TestDb::create("hb").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY)").await;
    let ferrium = db.start(&[("heartbeat.interval.ms", "200"), ("include.query", "true")]);
    let heartbeat = "__debezium-heartbeat.test";
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, heartbeat).len() >= 2);
    let beat = of_topic(&lines, heartbeat)[0];
    assert_eq!(beat.key_payload(), &json!({"serverName": "test"}));
    assert!(beat.payload()["ts_ms"].as_i64().unwrap() > 1_700_000_000_000);
    db.exec("INSERT INTO t VALUES (42) /* from the app */")
        .await;
    let lines = ferrium.collect(&db.topic("t"), 1, WAIT);
    // MariaDB only sends the statement (ANNOTATE_ROWS) to replicas that ask with a dump
    // flag the driver cannot set: the option is accepted, says so, and leaves query null.
    assert_eq!(lines[0].source()["query"], Value::Null);
    ferrium.wait_for_log("include.query=true has no effect on MariaDB");
    ferrium.stop();
    db.drop().await;
}

/// A table name with characters Kafka refuses in a topic name goes to Debezium's
/// replaced topic name (`_` per character) on the snapshot and the binlog path, with
/// `topic.delimiter` between the parts; the source block keeps the real name.
#[tokio::test(flavor = "multi_thread")]
async fn a_table_name_kafka_refuses_goes_to_debeziums_replaced_topic_name() {
    let mut db = TestDb::create("topicnames").await;
    db.exec("CREATE TABLE `Żółw Items` (id INT PRIMARY KEY); INSERT INTO `Żółw Items` VALUES (1)")
        .await;
    let ferrium = db.start(&[("topic.delimiter", "-")]);
    let topic = format!("test-{}-___w_Items", db.name);
    let snap = ferrium.collect(&topic, 1, WAIT);
    db.exec("INSERT INTO `Żółw Items` VALUES (2)").await;
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let streamed = of_topic(&lines, &topic)[0];
    assert_eq!(snap[0].op(), Some("r"));
    assert_eq!(streamed.after()["id"], 2);
    assert_eq!(
        streamed.value["schema"]["name"],
        format!("{topic}.Envelope")
    );
    assert_eq!(streamed.source()["table"], "Żółw Items");
    assert!(ferrium.stop().success());
    db.drop().await;
}
