//! `ExtractNewRecordState` as read-model consumers use it: row states instead of change
//! events, deletes rewritten with `__deleted`, metadata added as fields and headers; for
//! PostgreSQL and MariaDB, read back from Kafka by a plain consumer.

use std::time::Duration;

use serde_json::json;

use crate::records::{read, Record};
use crate::support::{kafka_bootstrap, Ferrium, TestDb};

/// The unwrap options of the issue: `rewrite` mode, three added fields, one header.
const UNWRAP: &[(&str, &str)] = &[
    ("transforms", "unwrap"),
    (
        "transforms.unwrap.type",
        "io.debezium.transforms.ExtractNewRecordState",
    ),
    (
        "transforms.unwrap.delete.tombstone.handling.mode",
        "rewrite",
    ),
    ("transforms.unwrap.add.fields", "op,table,source.ts_ms"),
    ("transforms.unwrap.add.headers", "db"),
];

/// Checks the four records of: insert 1, update 1, insert 2, delete 2 (no tombstone in
/// `rewrite` mode); `db` is the database name the `__db` header carries.
fn check_row_states(records: &[Record], db: &str) {
    let values: Vec<_> = records
        .iter()
        .map(|r| r.value.clone().expect("rewrite mode writes no tombstone"))
        .collect();
    let fields = |v: &serde_json::Value| {
        (
            v["id"].clone(),
            v["name"].clone(),
            v["__deleted"].clone(),
            v["__op"].clone(),
            v["__table"].clone(),
        )
    };
    assert_eq!(
        values.iter().map(fields).collect::<Vec<_>>(),
        [
            (
                json!(1),
                json!("one"),
                json!("false"),
                json!("c"),
                json!("items")
            ),
            (
                json!(1),
                json!("uno"),
                json!("false"),
                json!("u"),
                json!("items")
            ),
            (
                json!(2),
                json!("two"),
                json!("false"),
                json!("c"),
                json!("items")
            ),
            (
                json!(2),
                json!("two"),
                json!("true"),
                json!("d"),
                json!("items")
            ),
        ],
        "{records:#?}"
    );
    for (record, value) in records.iter().zip(&values) {
        assert!(
            value["__source_ts_ms"].as_i64().is_some_and(|t| t > 0),
            "{value}"
        );
        assert!(value.get("before").is_none() && value.get("source").is_none());
        assert_eq!(record.key.as_ref().unwrap()["id"], value["id"]);
        assert_eq!(record.header("__db"), Some(db), "{record:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_row_states_with_added_fields_and_headers() {
    let db = TestDb::create("unwrap_pg").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, name text); ALTER TABLE items REPLICA IDENTITY FULL;")
        .await;
    let prefix = db.name.clone();
    let mut extra = UNWRAP.to_vec();
    extra.push(("topic.prefix", prefix.as_str()));
    extra.push(("snapshot.mode", "no_data"));
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&extra)), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO items VALUES (1, 'one'); UPDATE items SET name = 'uno' WHERE id = 1;")
        .await;
    db.exec("INSERT INTO items VALUES (2, 'two'); DELETE FROM items WHERE id = 2;")
        .await;
    let records = read(
        &[&format!("{prefix}.public.items")],
        4,
        Duration::from_secs(3),
        || ferrium.log(),
    );
    assert_eq!(records.len(), 4, "{records:#?}");
    check_row_states(&records, &db.name);
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_row_states_with_added_fields_and_headers() {
    let mut db = crate::mysql_support::TestDb::create("unwrap_my").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, name varchar(20))")
        .await;
    let prefix = db.name.clone();
    let servers = kafka_bootstrap();
    let history = format!("{prefix}.history");
    let mut extra = UNWRAP.to_vec();
    extra.push(("topic.prefix", prefix.as_str()));
    extra.push(("snapshot.mode", "no_data"));
    extra.push(("include.schema.changes", "false"));
    extra.push((
        "schema.history.internal.kafka.bootstrap.servers",
        servers.as_str(),
    ));
    extra.push(("schema.history.internal.kafka.topic", history.as_str()));
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let connector = db.write_connector(&db.connector(&extra));
    let ferrium = crate::mysql_support::Ferrium::start(&connector, &worker);
    ferrium.wait_for_log("streaming the binlog");
    db.exec("INSERT INTO items VALUES (1, 'one')").await;
    db.exec("UPDATE items SET name = 'uno' WHERE id = 1").await;
    db.exec("INSERT INTO items VALUES (2, 'two')").await;
    db.exec("DELETE FROM items WHERE id = 2").await;
    let topic = format!("{prefix}.{}.items", db.name);
    let records = read(&[&topic], 4, Duration::from_secs(3), || ferrium.log());
    assert_eq!(records.len(), 4, "{records:#?}");
    check_row_states(&records, &db.name);
    assert!(ferrium.stop().success());
    db.drop().await;
}
