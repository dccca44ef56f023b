//! Every type family, read by the snapshot (text protocol) and by the binlog: both paths
//! give the same value, and that value is the one Debezium's MySQL connector writes.

use std::time::Duration;

use serde_json::json;

use crate::support::{of_topic, TestDb};

#[path = "../common/mysql_all_types.rs"]
mod mysql_all_types;
use mysql_all_types::{expected, values, TABLE};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_and_binlog_give_debeziums_values_for_every_type() {
    let mut db = TestDb::create("types").await;
    db.exec("SET SESSION sql_mode = ''; SET SESSION time_zone = '+00:00'")
        .await;
    db.exec(TABLE).await;
    db.exec(&format!("INSERT INTO all_types VALUES {}", values(1)))
        .await;
    let ferrium = db.start(&[]);
    let topic = db.topic("all_types");
    let snap = ferrium.collect(&topic, 1, WAIT);
    db.exec(&format!("INSERT INTO all_types VALUES {}", values(2)))
        .await;
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let streamed = of_topic(&lines, &topic)[0];
    assert_eq!(snap[0].op(), Some("r"));
    assert_eq!(streamed.op(), Some("c"));

    let mut from_snapshot = snap[0].after().clone();
    let mut from_binlog = streamed.after().clone();
    // The point is a struct with its WKB; compare it separately.
    let pt_snapshot = from_snapshot.as_object_mut().unwrap().remove("pt").unwrap();
    let pt_binlog = from_binlog.as_object_mut().unwrap().remove("pt").unwrap();
    assert_eq!(pt_snapshot, pt_binlog);
    assert_eq!(
        (pt_binlog["x"].as_f64(), pt_binlog["y"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    from_binlog["id"] = json!(1);
    assert_eq!(from_snapshot, from_binlog, "snapshot and binlog disagree");
    for (field, want) in expected(1).as_object().unwrap() {
        assert_eq!(&from_snapshot[field], want, "column {field}");
    }

    // The schemas carry Debezium's logical names.
    let fields = snap[0].value["schema"]["fields"][1]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let schema_of = |name: &str| fields.iter().find(|f| f["field"] == name).unwrap().clone();
    assert_eq!(schema_of("ti")["type"], "int8");
    assert_eq!(schema_of("flag")["type"], "int8");
    assert_eq!(schema_of("tiu")["type"], "int16");
    assert_eq!(schema_of("si")["type"], "int16");
    assert_eq!(schema_of("siu")["type"], "int32");
    assert_eq!(schema_of("iu")["type"], "int64");
    assert_eq!(
        schema_of("dec10")["name"],
        "org.apache.kafka.connect.data.Decimal"
    );
    assert_eq!(
        schema_of("dec10")["parameters"],
        json!({"scale": "2", "connect.decimal.precision": "10"})
    );
    assert_eq!(schema_of("fl")["type"], "float");
    assert_eq!(schema_of("b10")["name"], "io.debezium.data.Bits");
    assert_eq!(schema_of("d")["name"], "io.debezium.time.Date");
    assert_eq!(schema_of("t3")["name"], "io.debezium.time.MicroTime");
    assert_eq!(schema_of("dt")["name"], "io.debezium.time.Timestamp");
    assert_eq!(schema_of("dt6")["name"], "io.debezium.time.MicroTimestamp");
    assert_eq!(schema_of("ts3")["name"], "io.debezium.time.ZonedTimestamp");
    assert_eq!(schema_of("y")["name"], "io.debezium.time.Year");
    assert_eq!(schema_of("e")["name"], "io.debezium.data.Enum");
    assert_eq!(schema_of("e")["parameters"]["allowed"], "a,b");
    assert_eq!(schema_of("s")["name"], "io.debezium.data.EnumSet");
    assert_eq!(schema_of("j")["type"], "string");
    assert_eq!(schema_of("j").get("name"), None);
    assert_eq!(schema_of("pt")["name"], "io.debezium.data.geometry.Point");
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_handling_modes_change_the_representation() {
    let mut db = TestDb::create("modes").await;
    db.exec(
        "CREATE TABLE m (id INT PRIMARY KEY, amount DECIMAL(8,3), big BIGINT UNSIGNED, raw VARBINARY(3), at DATETIME(3), tm TIME);
         INSERT INTO m VALUES (1, 12.500, 18446744073709551615, x'010203', '2024-01-02 03:04:05.250', '01:02:03')",
    )
    .await;
    let ferrium = db.start(&[
        ("decimal.handling.mode", "string"),
        ("bigint.unsigned.handling.mode", "precise"),
        ("binary.handling.mode", "hex"),
        ("time.precision.mode", "connect"),
    ]);
    let topic = db.topic("m");
    let snap = ferrium.collect(&topic, 1, WAIT);
    db.exec("INSERT INTO m VALUES (2, 12.500, 18446744073709551615, x'010203', '2024-01-02 03:04:05.250', '01:02:03')")
        .await;
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let streamed = of_topic(&lines, &topic)[0];
    for after in [snap[0].after(), streamed.after()] {
        assert_eq!(after["amount"], "12.500");
        // 2^64-1 as a scale-0 Decimal: unscaled big-endian bytes 00 FF*8.
        assert_eq!(after["big"], "AP//////////");
        assert_eq!(after["raw"], "010203");
        assert_eq!(after["at"], 1704164645250i64);
        assert_eq!(after["tm"], 3723000);
    }
    let fields = &snap[0].value["schema"]["fields"][1]["fields"];
    assert_eq!(fields[4]["name"], "org.apache.kafka.connect.data.Timestamp");
    assert_eq!(fields[5]["name"], "org.apache.kafka.connect.data.Time");
    ferrium.stop();
    db.drop().await;
}
