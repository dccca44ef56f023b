//! The outbox event router end to end: rows of an `outbox` table become records on one
//! topic per aggregate type, keyed by the aggregate id, with the event id and type as
//! headers, the payload as Debezium gives it; deletes and updates of outbox rows are not
//! events.

use std::time::Duration;

use serde_json::{json, Value};

use crate::records::read;
use crate::support::{kafka_bootstrap, Ferrium, TestDb};

const OUTBOX_TABLE: &str = "CREATE TABLE outbox (
    id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL, aggregateid varchar(255) NOT NULL,
    type varchar(255) NOT NULL, payload jsonb)";

/// Runs the router over two events of two aggregate types (plus a delete and an update
/// that must not become events); returns the records of each topic.
async fn route(
    tag: &str,
    extra: &[(&str, &str)],
) -> (Vec<crate::records::Record>, Vec<crate::records::Record>) {
    let db = TestDb::create(tag).await;
    db.exec(OUTBOX_TABLE).await;
    let prefix = db.name.clone();
    let replacement = format!("{prefix}.outbox.${{routedByValue}}");
    let mut config = vec![
        ("topic.prefix", prefix.as_str()),
        ("snapshot.mode", "no_data"),
        ("tombstones.on.delete", "false"),
        ("transforms", "outbox"),
        (
            "transforms.outbox.type",
            "io.debezium.transforms.outbox.EventRouter",
        ),
        ("transforms.outbox.route.by.field", "aggregatetype"),
        (
            "transforms.outbox.route.topic.replacement",
            replacement.as_str(),
        ),
        (
            "transforms.outbox.table.fields.additional.placement",
            "type:header:eventType",
        ),
    ];
    config.extend_from_slice(extra);
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&config)), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec(
        "BEGIN;
         INSERT INTO outbox VALUES ('00000000-0000-4000-8000-000000000001', 'order', '7', 'OrderPlaced',
             '{\"orderId\": 7, \"total\": 25.50, \"lines\": [{\"sku\": \"a\", \"qty\": 2}]}');
         INSERT INTO outbox VALUES ('00000000-0000-4000-8000-000000000002', 'customer', 'c-3', 'CustomerOrdered',
             '{\"customerId\": \"c-3\"}');
         COMMIT;
         UPDATE outbox SET type = 'Changed' WHERE aggregateid = '7';
         DELETE FROM outbox;
         INSERT INTO outbox VALUES ('00000000-0000-4000-8000-000000000003', 'order', '8', 'OrderPlaced',
             '{\"orderId\": 8}');",
    )
    .await;
    let orders = read(
        &[&format!("{prefix}.outbox.order")],
        2,
        Duration::from_secs(3),
        || ferrium.log(),
    );
    let customers = read(
        &[&format!("{prefix}.outbox.customer")],
        1,
        Duration::from_secs(1),
        || ferrium.log(),
    );
    assert!(ferrium.stop().success());
    db.drop().await;
    (orders, customers)
}

#[tokio::test(flavor = "multi_thread")]
async fn outbox_rows_become_events_per_aggregate_type() {
    let (orders, customers) = route("outbox", &[]).await;
    assert_eq!(
        orders.len(),
        2,
        "the update and the delete are no events: {orders:#?}"
    );
    assert_eq!(customers.len(), 1, "{customers:#?}");
    let first = &orders[0];
    assert_eq!(first.key, Some(json!("7")));
    assert_eq!(
        first.header("id"),
        Some("00000000-0000-4000-8000-000000000001")
    );
    assert_eq!(first.header("eventType"), Some("OrderPlaced"));
    // PostgreSQL's normalised jsonb text, as a JSON string (io.debezium.data.Json).
    let payload = first
        .value
        .as_ref()
        .and_then(Value::as_str)
        .expect("a string payload");
    let parsed: Value = serde_json::from_str(payload).unwrap();
    assert_eq!(
        parsed,
        json!({"orderId": 7, "total": 25.50, "lines": [{"sku": "a", "qty": 2}]})
    );
    assert_eq!(orders[1].key, Some(json!("8")));
    assert_eq!(customers[0].key, Some(json!("c-3")));
    assert_eq!(customers[0].header("eventType"), Some("CustomerOrdered"));
    // Events of one aggregate share a key, hence a partition: their order holds.
    assert!(orders.iter().all(|r| r.headers.contains_key("id")));
}

#[tokio::test(flavor = "multi_thread")]
async fn expanded_payloads_are_the_json_objects_themselves() {
    let (orders, customers) = route(
        "outbox_expand",
        &[("transforms.outbox.table.expand.json.payload", "true")],
    )
    .await;
    assert_eq!(
        orders[0].value,
        Some(json!({"lines": [{"qty": 2, "sku": "a"}], "total": 25.50, "orderId": 7})),
        "{orders:#?}"
    );
    assert_eq!(customers[0].value, Some(json!({"customerId": "c-3"})));
}
