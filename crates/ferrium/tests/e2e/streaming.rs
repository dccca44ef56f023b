//! Streaming: every operation, as Debezium writes it.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{Ferrium, Line, TestDb};

const WAIT: Duration = Duration::from_secs(60);

fn field_names(schema: &Value) -> Vec<&str> {
    schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect()
}

fn data(lines: &[Line], topic: &str) -> Vec<Line> {
    lines.iter().filter(|l| l.topic == topic).cloned().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_then_every_operation_in_debezium_format() {
    let db = TestDb::create("ops").await;
    db.exec(
        "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email varchar(100));
         INSERT INTO customers VALUES (1, 'ann', 'ann@x.org'), (2, 'bob', NULL), (3, 'cy', 'cy@x.org');",
    )
    .await;
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&[])), &db.worker(&[]));
    let snap = ferrium.collect("test.public.customers", 3, WAIT);
    let markers: Vec<_> = snap
        .iter()
        .map(|l| l.source()["snapshot"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(markers, ["first", "true", "last"]);
    assert!(snap.iter().all(|l| l.op() == Some("r")));
    assert_eq!(
        snap[1].after(),
        &json!({"id": 2, "name": "bob", "email": null})
    );

    // The JsonConverter shapes: schema names, field order, the source block.
    let first = &snap[0];
    assert_eq!(first.key["schema"]["name"], "test.public.customers.Key");
    assert_eq!(first.key_payload(), &json!({"id": 1}));
    let schema = &first.value["schema"];
    assert_eq!(schema["name"], "test.public.customers.Envelope");
    assert_eq!(schema["version"], 2);
    assert_eq!(
        field_names(schema),
        [
            "before",
            "after",
            "source",
            "op",
            "ts_ms",
            "ts_us",
            "ts_ns",
            "transaction"
        ]
    );
    assert_eq!(schema["fields"][1]["name"], "test.public.customers.Value");
    assert_eq!(
        schema["fields"][1]["fields"],
        json!([
            {"type": "int32", "optional": false, "field": "id"},
            {"type": "string", "optional": false, "field": "name"},
            {"type": "string", "optional": true, "field": "email"}
        ])
    );
    let source_schema = &schema["fields"][2];
    assert_eq!(
        source_schema["name"],
        "io.debezium.connector.postgresql.Source"
    );
    assert_eq!(
        field_names(source_schema),
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
            "schema",
            "table",
            "txId",
            "lsn",
            "xmin",
            "origin",
            "origin_lsn"
        ]
    );
    let source = first.source();
    assert_eq!(source["connector"], "postgresql");
    assert_eq!(source["name"], "test");
    assert_eq!(source["db"], db.name.as_str());
    assert_eq!(source["schema"], "public");
    assert_eq!(source["table"], "customers");
    assert!(source["lsn"].as_i64().unwrap() > 0);

    db.exec("INSERT INTO customers VALUES (4, 'dee', 'dee@x.org')")
        .await;
    db.exec("UPDATE customers SET name = 'deedee' WHERE id = 4")
        .await;
    db.exec("DELETE FROM customers WHERE id = 2").await;
    let lines = ferrium.collect("test.public.customers", 4, WAIT);
    let ops: Vec<_> = lines.iter().map(|l| l.op()).collect();
    assert_eq!(
        ops,
        [Some("c"), Some("u"), Some("d"), None],
        "insert, update, delete, tombstone"
    );

    let create = &lines[0];
    assert_eq!(create.before(), &Value::Null);
    assert_eq!(
        create.after(),
        &json!({"id": 4, "name": "dee", "email": "dee@x.org"})
    );
    assert_eq!(create.source()["snapshot"], "false");
    assert!(create.source()["txId"].as_i64().unwrap() > 0);
    let sequence: Vec<Value> =
        serde_json::from_str(create.source()["sequence"].as_str().unwrap()).unwrap();
    assert_eq!(sequence.len(), 2);
    assert_eq!(
        sequence[1].as_str().unwrap(),
        create.source()["lsn"].as_i64().unwrap().to_string()
    );
    assert!(
        create.payload()["ts_ms"].as_i64().unwrap() >= create.source()["ts_ms"].as_i64().unwrap()
    );

    // REPLICA IDENTITY DEFAULT: no old row for an update that keeps the key.
    let update = &lines[1];
    assert_eq!(update.before(), &Value::Null);
    assert_eq!(update.after()["name"], "deedee");

    // A delete carries the old key; required non-key columns hold Debezium's fallbacks.
    let delete = &lines[2];
    assert_eq!(delete.key_payload(), &json!({"id": 2}));
    assert_eq!(
        delete.before(),
        &json!({"id": 2, "name": "", "email": null})
    );
    assert_eq!(delete.after(), &Value::Null);

    let tombstone = &lines[3];
    assert_eq!(tombstone.key_payload(), &json!({"id": 2}));
    assert_eq!(tombstone.value, Value::Null);

    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replica_identity_full_and_unchanged_toast_values() {
    let db = TestDb::create("toast").await;
    // md5 chains do not compress, so the body is stored out of line (TOAST).
    db.exec(
        "CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
         INSERT INTO docs SELECT 1, 'v1', string_agg(md5(i::text), '') FROM generate_series(1, 400) i;",
    )
    .await;
    let ferrium = Ferrium::start(
        &db.write_connector(&db.connector(&[("snapshot.mode", "no_data")])),
        &db.worker(&[]),
    );
    // no_data: wait until streaming has started before changing anything.
    ferrium.wait_for_log("streaming started");

    db.exec("UPDATE docs SET title = 'v2' WHERE id = 1").await;
    let lines = ferrium.collect("test.public.docs", 1, WAIT);
    assert_eq!(lines[0].op(), Some("u"));
    assert_eq!(lines[0].before(), &Value::Null);
    assert_eq!(lines[0].after()["title"], "v2");
    assert_eq!(lines[0].after()["body"], "__debezium_unavailable_value");

    db.exec("ALTER TABLE docs REPLICA IDENTITY FULL").await;
    db.exec("UPDATE docs SET title = 'v3' WHERE id = 1").await;
    let lines = ferrium.collect("test.public.docs", 1, WAIT);
    let body = lines[0].before()["body"].as_str().unwrap().to_string();
    assert_eq!(
        body.len(),
        400 * 32,
        "FULL: the old row is complete, TOAST included"
    );
    assert_eq!(lines[0].before()["title"], "v2");
    assert_eq!(lines[0].after()["title"], "v3");
    assert_eq!(
        lines[0].after()["body"].as_str(),
        Some(body.as_str()),
        "the unchanged value comes from the old row"
    );

    db.exec("DELETE FROM docs WHERE id = 1").await;
    let lines = ferrium.collect("test.public.docs", 2, WAIT);
    assert_eq!(lines[0].op(), Some("d"));
    assert_eq!(lines[0].before()["title"], "v3");
    assert_eq!(lines[0].before()["body"].as_str(), Some(body.as_str()));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn primary_key_change_is_delete_tombstone_create() {
    let db = TestDb::create("pkchange").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');")
        .await;
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&[])), &db.worker(&[]));
    ferrium.collect("test.public.t", 1, WAIT);
    db.exec("UPDATE t SET id = 2 WHERE id = 1").await;
    let lines = ferrium.collect("test.public.t", 3, WAIT);
    assert_eq!(lines[0].op(), Some("d"));
    assert_eq!(lines[0].key_payload(), &json!({"id": 1}));
    assert_eq!(lines[0].before()["id"], 1);
    assert_eq!(lines[1].key_payload(), &json!({"id": 1}));
    assert_eq!(lines[1].value, Value::Null);
    assert_eq!(lines[2].op(), Some("c"));
    assert_eq!(lines[2].key_payload(), &json!({"id": 2}));
    assert_eq!(lines[2].after(), &json!({"id": 2, "v": "a"}));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn column_added_mid_stream_changes_the_schema() {
    let db = TestDb::create("addcol").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');")
        .await;
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&[])), &db.worker(&[]));
    ferrium.collect("test.public.t", 1, WAIT);
    db.exec("INSERT INTO t VALUES (2, 'b')").await;
    db.exec("ALTER TABLE t ADD COLUMN qty int NOT NULL DEFAULT 5")
        .await;
    db.exec("INSERT INTO t VALUES (3, 'c', 7)").await;
    db.exec("UPDATE t SET qty = 9 WHERE id = 1").await;
    let lines = ferrium.collect("test.public.t", 3, WAIT);
    assert_eq!(lines[0].after(), &json!({"id": 2, "v": "b"}));
    assert_eq!(
        field_names(&lines[0].value["schema"]["fields"][1]),
        ["id", "v"]
    );
    assert_eq!(lines[1].after(), &json!({"id": 3, "v": "c", "qty": 7}));
    assert_eq!(
        field_names(&lines[1].value["schema"]["fields"][1]),
        ["id", "v", "qty"]
    );
    assert_eq!(
        lines[1].value["schema"]["fields"][1]["fields"][2],
        json!({"type": "int32", "optional": false, "default": 5, "field": "qty"})
    );
    assert_eq!(lines[2].after(), &json!({"id": 1, "v": "a", "qty": 9}));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn truncate_events_and_transaction_metadata() {
    let db = TestDb::create("txmeta").await;
    db.exec("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);")
        .await;
    let connector = db.connector(&[
        ("provide.transaction.metadata", "true"),
        ("skipped.operations", "none"),
        ("snapshot.mode", "no_data"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]),
    );
    ferrium.wait_for_log("streaming started");
    db.exec("BEGIN; INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1); COMMIT;")
        .await;
    let lines = ferrium.collect_until(WAIT, |l| {
        l.iter().filter(|x| x.topic == "test.transaction").count() >= 2
    });
    let tx = data(&lines, "test.transaction");
    assert_eq!(tx[0].value["status"], "BEGIN");
    assert_eq!(tx[0].value["event_count"], Value::Null);
    assert_eq!(tx[1].value["status"], "END");
    assert_eq!(tx[1].value["event_count"], 3);
    assert_eq!(
        tx[1].value["data_collections"],
        json!([{"data_collection": "public.a", "event_count": 2}, {"data_collection": "public.b", "event_count": 1}])
    );
    let id = tx[0].value["id"].as_str().unwrap().to_string();
    assert_eq!(tx[0].key, json!({"id": id}));
    let events: Vec<_> = lines
        .iter()
        .filter(|l| l.topic.starts_with("test.public."))
        .collect();
    assert_eq!(events.len(), 3);
    let blocks: Vec<_> = events
        .iter()
        .map(|l| {
            (
                l.payload()["transaction"]["total_order"].as_i64().unwrap(),
                l.payload()["transaction"]["data_collection_order"]
                    .as_i64()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(blocks, [(1, 1), (2, 2), (3, 1)]);
    assert!(events
        .iter()
        .all(|l| l.payload()["transaction"]["id"] == id.as_str()));

    db.exec("TRUNCATE a").await;
    let lines = ferrium.collect("test.public.a", 1, WAIT);
    assert_eq!(lines[0].op(), Some("t"));
    assert_eq!(lines[0].key, Value::Null);
    assert_eq!(lines[0].before(), &Value::Null);
    assert_eq!(lines[0].after(), &Value::Null);
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn column_filters_and_filtered_publication() {
    let db = TestDb::create("filters").await;
    db.exec(
        "CREATE TABLE users (id int PRIMARY KEY, email text, password text);
         CREATE TABLE audit (id int PRIMARY KEY);
         INSERT INTO users VALUES (1, 'a@x.org', 'hunter2');",
    )
    .await;
    let connector = db.connector(&[
        ("table.include.list", "public.users"),
        ("column.exclude.list", "public.users.password"),
        ("publication.autocreate.mode", "filtered"),
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &db.worker(&[]));
    let snap = ferrium.collect("test.public.", 1, WAIT);
    assert_eq!(snap[0].after(), &json!({"id": 1, "email": "a@x.org"}));
    let published: Vec<String> = db
        .client
        .query(
            "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = $1",
            &[&db.name],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(published, ["public.users"]);
    db.exec("INSERT INTO audit VALUES (1); INSERT INTO users VALUES (2, 'b@x.org', 'secret');")
        .await;
    let lines = ferrium.collect("test.public.", 1, WAIT);
    assert_eq!(lines[0].topic, "test.public.users");
    assert_eq!(lines[0].after(), &json!({"id": 2, "email": "b@x.org"}));
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// One transaction of 50,000 rows streams through without being held in memory first.
#[tokio::test(flavor = "multi_thread")]
async fn a_large_transaction_streams_completely() {
    let db = TestDb::create("bigtx").await;
    db.exec("CREATE TABLE big (id int PRIMARY KEY, pad text);")
        .await;
    let connector = db.connector(&[
        ("snapshot.mode", "no_data"),
        ("provide.transaction.metadata", "true"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&connector),
        &db.worker(&[
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]),
    );
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(1, 50000) i")
        .await;
    let lines = ferrium.collect_until(Duration::from_secs(120), |l| {
        l.iter()
            .any(|x| x.topic == "test.transaction" && x.value["status"] == "END")
    });
    let rows: Vec<_> = lines
        .iter()
        .filter(|l| l.topic == "test.public.big")
        .collect();
    assert_eq!(rows.len(), 50_000);
    let ids: Vec<i64> = rows
        .iter()
        .map(|l| l.after()["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "rows out of order"
    );
    let end = lines.iter().find(|l| l.value["status"] == "END").unwrap();
    assert_eq!(end.value["event_count"], 50_000);
    assert!(ferrium.stop().success());
    db.drop().await;
}
