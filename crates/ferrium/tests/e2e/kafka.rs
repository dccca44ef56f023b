//! Into a real Apache Kafka broker: topics created by Ferrium, records readable by any
//! consumer, keys on the partitions Java's default partitioner would choose.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rdkafka::Message;
use serde_json::Value;

use crate::support::{json_value, kafka_bootstrap, partition_count, Ferrium, TestDb, TopicReader};

/// Kafka's `Utils.murmur2` (the Java client's key hash), for checking partitions.
fn murmur2(data: &[u8]) -> i32 {
    let m: i32 = 0x5bd1_e995;
    let mut h: i32 = 0x9747_b28c_u32 as i32 ^ data.len() as i32;
    let chunks = data.len() / 4;
    for i in 0..chunks {
        let b = &data[i * 4..i * 4 + 4];
        let mut k = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        k = k.wrapping_mul(m);
        k ^= ((k as u32) >> 24) as i32;
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    let tail = &data[chunks * 4..];
    if tail.len() >= 3 {
        h ^= (tail[2] as i32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as i32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as i32;
        h = h.wrapping_mul(m);
    }
    h ^= ((h as u32) >> 13) as i32;
    h = h.wrapping_mul(m);
    h ^= ((h as u32) >> 15) as i32;
    h
}

#[test]
fn murmur2_matches_kafkas_published_vectors() {
    // Values from Kafka's UtilsTest.testMurmur2.
    assert_eq!(murmur2(b"21"), -973932308);
    assert_eq!(murmur2(b"foobar"), -790332482);
    assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
    assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
    assert_eq!(
        murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
        -58897971
    );
    assert_eq!(murmur2(b"abc"), 479470107);
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_into_kafka_with_java_compatible_partitioning() {
    let db = TestDb::create("kafka").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 50) i;").await;
    let prefix = db.name.clone();
    let connector = db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("topic.creation.default.partitions", "3"),
        ("topic.creation.default.replication.factor", "1"),
    ]);
    let worker = db.worker(&[&format!("bootstrap.servers={}", kafka_bootstrap())]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec("UPDATE t SET v = 'changed' WHERE id = 7; DELETE FROM t WHERE id = 8;")
        .await;

    let topic = format!("{prefix}.public.t");
    // The topic exists once Ferrium created it; subscribe then.
    let deadline = Instant::now() + Duration::from_secs(60);
    while partition_count(&topic) != Some(3) {
        assert!(
            Instant::now() < deadline,
            "topic {topic} was not created with 3 partitions; log:\n{}",
            ferrium.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let reader = TopicReader::subscribe(&format!("{prefix}-check"), &[&topic]);
    let mut records: Vec<(i32, Vec<u8>, Option<Value>)> = Vec::new();
    while records.len() < 53 {
        assert!(
            Instant::now() < deadline,
            "only {} of 53 records arrived; log:\n{}",
            records.len(),
            ferrium.log()
        );
        if let Some(message) = reader.next(Duration::from_millis(500)) {
            let key = message.key().expect("change records have keys").to_vec();
            records.push((message.partition(), key, json_value(&message)));
        }
    }
    let mut ops: HashMap<String, usize> = HashMap::new();
    for (partition, key, value) in &records {
        let expected = (murmur2(key) & 0x7fff_ffff) % 3;
        assert_eq!(
            *partition,
            expected,
            "key {} landed on partition {partition}",
            String::from_utf8_lossy(key)
        );
        let key: Value = serde_json::from_slice(key).unwrap();
        assert_eq!(key["schema"]["name"], format!("{prefix}.public.t.Key"));
        let op = value.as_ref().map_or("tombstone".to_string(), |v| {
            v["payload"]["op"].as_str().unwrap().to_string()
        });
        *ops.entry(op).or_default() += 1;
    }
    assert_eq!(ops.get("r"), Some(&50));
    assert_eq!(ops.get("u"), Some(&1));
    assert_eq!(ops.get("d"), Some(&1));
    assert_eq!(ops.get("tombstone"), Some(&1));
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// A second instance of the same connector fences the first: the first stops with a
/// fencing error, the second takes over the slot and goes on, and no change is lost or
/// doubled for a `read_committed` consumer.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_instance_fences_the_first() {
    let db = TestDb::create("fence").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let prefix = db.name.clone();
    let connector = db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("snapshot.mode", "no_data"),
        ("retriable.restart.connector.wait.ms", "500"),
        ("topic.creation.default.cleanup.policy", "delete"),
    ]);
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let connector = db.write_connector(&connector);
    let mut first = Ferrium::start(&connector, &worker);
    first.wait_for_log("streaming started");
    db.exec("INSERT INTO t VALUES (1)").await;
    std::thread::sleep(Duration::from_secs(1));

    let second = Ferrium::start(&connector, &worker);
    // The first instance learns it was fenced at its next commit.
    db.exec("INSERT INTO t VALUES (2)").await;
    let status = first.wait_exit(Duration::from_secs(60));
    assert!(!status.success(), "the fenced instance must stop");
    assert!(first.log().contains("fenced"), "{}", first.log());
    second.wait_for_log("streaming started");
    db.exec("INSERT INTO t VALUES (3)").await;

    let reader =
        TopicReader::subscribe(&format!("{prefix}-check"), &[&format!("{prefix}.public.t")]);
    let id = |value: Option<Value>| {
        value.expect("an insert, not a tombstone")["after"]["id"]
            .as_i64()
            .unwrap()
    };
    let mut ids: Vec<i64> = reader
        .values(3, Duration::from_secs(60), || {
            format!("log of the second instance:\n{}", second.log())
        })
        .into_iter()
        .map(id)
        .collect();
    // Nothing more may arrive: no duplicate from the hand-over.
    ids.extend(
        reader
            .values_within(Duration::from_secs(2))
            .into_iter()
            .map(id),
    );
    assert_eq!(
        ids,
        [1, 2, 3],
        "log of the second instance:\n{}",
        second.log()
    );
    assert!(second.stop().success());
    db.drop().await;
}

/// A schema or table name with characters Kafka refuses in a topic name (a space, a
/// non-ASCII letter) is written to Debezium's replaced name, `_` for each such character,
/// and the record schema names follow it; the other tables stream as before.
#[tokio::test(flavor = "multi_thread")]
async fn a_name_kafka_refuses_is_written_to_debeziums_replaced_topic_name() {
    let db = TestDb::create("topicnames").await;
    db.exec(
        r#"CREATE SCHEMA "straße";
           CREATE TABLE "straße"."Order Items" (id int PRIMARY KEY, v text);
           CREATE TABLE plain (id int PRIMARY KEY);
           INSERT INTO "straße"."Order Items" VALUES (1, 'a');
           INSERT INTO plain VALUES (1);"#,
    )
    .await;
    let prefix = db.name.clone();
    let connector = db.connector(&[
        ("topic.prefix", prefix.as_str()),
        ("topic.creation.default.replication.factor", "1"),
    ]);
    let worker = db.worker(&[&format!("bootstrap.servers={}", kafka_bootstrap())]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &worker);
    ferrium.wait_for_log("streaming started");
    db.exec(r#"INSERT INTO "straße"."Order Items" VALUES (2, 'b'); INSERT INTO plain VALUES (2);"#)
        .await;

    let odd = format!("{prefix}.stra_e.Order_Items");
    let records = TopicReader::subscribe(&format!("{prefix}-odd"), &[&odd]).values(
        2,
        Duration::from_secs(60),
        || format!("topic {odd}; log:\n{}", ferrium.log()),
    );
    let records: Vec<Value> = records.into_iter().map(Option::unwrap).collect();
    assert_eq!(records[0]["payload"]["op"], "r");
    assert_eq!(records[1]["payload"]["after"]["v"], "b");
    assert_eq!(records[1]["schema"]["name"], format!("{odd}.Envelope"));
    // The source block keeps the real names.
    assert_eq!(records[1]["payload"]["source"]["schema"], "straße");
    assert_eq!(records[1]["payload"]["source"]["table"], "Order Items");
    let plain = format!("{prefix}.public.plain");
    let plain_rows = TopicReader::subscribe(&format!("{prefix}-plain"), &[&plain]).values(
        2,
        Duration::from_secs(60),
        || format!("topic {plain}; log:\n{}", ferrium.log()),
    );
    assert_eq!(plain_rows.len(), 2);
    assert!(
        ferrium
            .log()
            .contains(&format!("replacing it with '{odd}'")),
        "the replacement is logged as a warning:\n{}",
        ferrium.log()
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}
