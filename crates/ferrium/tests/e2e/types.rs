//! Type mapping, end to end: one column of every type family, read once by the snapshot
//! (COPY text, op "r") and once by streaming (pgoutput text, op "c"), and both rows must
//! come out exactly as Debezium's PostgreSQL connector writes them.
//!
//! Every expected value below is worked out by hand from Debezium's converters
//! (`PostgresValueConverter`, `JdbcValueConverters`, Kafka's `JsonConverter`), not copied
//! from Ferrium's output. The arithmetic is in the comments next to each value.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::support::{run_to_exit, Ferrium, Line, TestDb};

#[path = "../common/pg_all_types.rs"]
mod pg_all_types;
use pg_all_types::*;

const WAIT: Duration = Duration::from_secs(60);
const TOPIC: &str = "test.public.all_types";

/// `base` with the entries of `changes` replaced.
fn with(base: &Value, changes: Value) -> Value {
    let mut out = base.clone();
    for (k, v) in changes.as_object().unwrap() {
        assert!(out.get(k).is_some(), "override of unknown field {k}");
        out[k] = v.clone();
    }
    out
}

fn with_schemas(mut base: Map<String, Value>, changes: Value) -> Map<String, Value> {
    for (k, v) in changes.as_object().unwrap() {
        assert!(base.contains_key(k), "override of unknown field {k}");
        base.insert(k.clone(), v.clone());
    }
    base
}

/// The `after` struct's schema of a record.
pub(crate) fn after_schema(line: &Line) -> &Value {
    line.value["schema"]["fields"]
        .as_array()
        .expect("the envelope schema has fields")
        .iter()
        .find(|f| f["field"] == "after")
        .expect("an after field")
}

/// Differences between a row and the expected one, field by field.
fn payload_diffs(what: &str, actual: &Value, expected: &Value) -> Vec<String> {
    let Some(actual) = actual.as_object() else {
        return vec![format!("{what}: after is not an object: {actual}")];
    };
    let expected = expected.as_object().unwrap();
    let mut diffs = Vec::new();
    for (field, want) in expected {
        match actual.get(field) {
            Some(got) if got == want => {}
            Some(got) => diffs.push(format!("{what}: {field}: expected {want}, got {got}")),
            None => diffs.push(format!("{what}: {field}: missing")),
        }
    }
    for field in actual.keys().filter(|f| !expected.contains_key(*f)) {
        diffs.push(format!(
            "{what}: {field}: not expected, got {}",
            actual[field]
        ));
    }
    diffs
}

/// Differences in the row schema: the struct itself, field order, and each field's type,
/// optionality, name, version, parameters (and doc, items, keys, values where present).
fn schema_diffs(
    what: &str,
    line: &Line,
    columns: &[&str],
    expected: &Map<String, Value>,
) -> Vec<String> {
    let after = after_schema(line);
    let mut diffs = Vec::new();
    let name = format!("{}.Value", line.topic);
    if after["type"] != "struct" || after["optional"] != true || after["name"] != name.as_str() {
        diffs.push(format!(
            "{what}: the after struct is not an optional struct named {name}: {after}"
        ));
    }
    let fields = after["fields"].as_array().unwrap();
    let names: Vec<&str> = fields
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    if names != columns {
        diffs.push(format!(
            "{what}: field order {names:?}, expected {columns:?}"
        ));
    }
    for field in fields {
        let name = field["field"].as_str().unwrap();
        let Some(want) = expected.get(name) else {
            diffs.push(format!("{what}: {name}: no expected schema"));
            continue;
        };
        let mut want = want.clone();
        want["field"] = json!(name);
        if field != &want {
            diffs.push(format!(
                "{what}: {name}:\n    expected {want}\n    got      {field}"
            ));
        }
    }
    diffs
}

/// Creates the table with `ddl`, inserts row 1, starts Ferrium with `extra` connector
/// options, takes the snapshot row, waits for streaming, inserts row 2, and returns both.
pub(crate) async fn snapshot_and_stream(
    tag: &str,
    ddl: &str,
    insert: impl Fn(i32) -> String,
    topic: &str,
    extra: &[(&str, &str)],
) -> (Line, Line) {
    let db = TestDb::create(tag).await;
    db.exec(ddl).await;
    db.exec(&insert(1)).await;
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(extra)), &db.worker(&[]));
    let snap = ferrium.collect(topic, 1, WAIT);
    ferrium.wait_for_log("streaming started");
    db.exec(&insert(2)).await;
    let streamed = ferrium.collect(topic, 1, WAIT);
    let status = ferrium.stop();
    db.drop().await;
    assert!(status.success(), "ferrium did not stop cleanly: {status}");

    let (snap, streamed) = (snap[0].clone(), streamed[0].clone());
    assert_eq!(
        snap.op(),
        Some("r"),
        "the first row comes from the snapshot"
    );
    assert_eq!(
        streamed.op(),
        Some("c"),
        "the second row comes from streaming"
    );
    assert_eq!(streamed.source()["snapshot"], "false");
    // One schema whichever path read the row (catalog typmods vs. Relation message typmods).
    assert_eq!(
        after_schema(&snap),
        after_schema(&streamed),
        "snapshot and streaming schemas differ"
    );
    (snap, streamed)
}

/// Both rows must equal `payload(id)` and the row schema must equal `schemas`; every
/// difference is listed before the test fails.
fn check_both(
    rows: &(Line, Line),
    payload: impl Fn(i32) -> Value,
    columns: &[&str],
    schemas: &Map<String, Value>,
) {
    let (snap, streamed) = rows;
    let mut diffs = payload_diffs("snapshot row (op r)", snap.after(), &payload(1));
    diffs.extend(payload_diffs(
        "streamed row (op c)",
        streamed.after(),
        &payload(2),
    ));
    diffs.extend(schema_diffs("row schema", streamed, columns, schemas));
    assert!(
        diffs.is_empty(),
        "{} difference(s) from Debezium:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_type_family_with_default_modes() {
    let rows =
        snapshot_and_stream("types_default", ALL_TYPES_DDL, insert_all_types, TOPIC, &[]).await;
    check_both(
        &rows,
        default_payload,
        &ALL_TYPES_COLUMNS,
        &default_schemas(),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn string_decimals_connect_times_hex_bytes_string_intervals_hstore_map() {
    let extra = [
        ("decimal.handling.mode", "string"),
        ("time.precision.mode", "connect"),
        ("binary.handling.mode", "hex"),
        ("interval.handling.mode", "string"),
        ("hstore.handling.mode", "map"),
    ];
    let rows =
        snapshot_and_stream("types_str", ALL_TYPES_DDL, insert_all_types, TOPIC, &extra).await;
    let payload = |id| {
        with(
            &default_payload(id),
            json!({
                // BigDecimal.toPlainString(): the scale PostgreSQL printed is kept.
                "n": "-98765.43",
                "nu": "-123.4560",
                "nu2": "1000.00",
                "m": "-1234.50",
                // binary.handling.mode=hex: lower-case hex; Bits are not binary data.
                "ba": "00ff10",
                // Kafka Connect's Date/Time/Timestamp: days, and milliseconds (truncated).
                "d": -165,
                "t3": 49_530_123,
                "t6": 86_399_999,
                "tp": 28_800_500,
                "ts3": 1_709_210_096_789_i64,
                "ts": 946_684_799_123_i64,
                // Interval.toIsoString: every field, seconds stripped of trailing zeros.
                "iv": "P0Y1M2DT3H4M5.5S",
                // A Connect map<string, optional string>, a JSON object.
                "h": {"zz": null, "a": "1", "k": "x y"}
            }),
        )
    };
    let schemas = with_schemas(
        default_schemas(),
        json!({
            "n": plain("string", true),
            "nu": plain("string", true),
            "nu2": plain("string", true),
            "m": plain("string", true),
            "ba": plain("string", true),
            "d": logical("int32", "org.apache.kafka.connect.data.Date"),
            "t3": logical("int32", "org.apache.kafka.connect.data.Time"),
            "t6": logical("int32", "org.apache.kafka.connect.data.Time"),
            "tp": logical("int32", "org.apache.kafka.connect.data.Time"),
            "ts3": logical("int64", "org.apache.kafka.connect.data.Timestamp"),
            "ts": logical("int64", "org.apache.kafka.connect.data.Timestamp"),
            "iv": logical("string", "io.debezium.time.Interval"),
            "h": {"type": "map", "keys": {"type": "string", "optional": false}, "values": {"type": "string", "optional": true}, "optional": true}
        }),
    );
    check_both(&rows, payload, &ALL_TYPES_COLUMNS, &schemas);
}

#[tokio::test(flavor = "multi_thread")]
async fn double_decimals_and_iso_string_times() {
    let extra = [
        ("decimal.handling.mode", "double"),
        ("time.precision.mode", "isostring"),
    ];
    let rows =
        snapshot_and_stream("types_dbl", ALL_TYPES_DDL, insert_all_types, TOPIC, &extra).await;
    let payload = |id| {
        with(
            &default_payload(id),
            json!({
                // BigDecimal.doubleValue().
                "n": -98765.43,
                "nu": -123.456,
                "nu2": 1000.0,
                "m": -1234.5,
                "d": "1969-07-20Z",
                "t3": "13:45:30.123Z",
                "t6": "23:59:59.999999Z",
                "tp": "08:00:00.5Z",
                "ts3": "2024-02-29T12:34:56.789Z",
                "ts": "1999-12-31T23:59:59.123456Z"
            }),
        )
    };
    let schemas = with_schemas(
        default_schemas(),
        json!({
            "n": plain("double", true),
            "nu": plain("double", true),
            "nu2": plain("double", true),
            "m": plain("double", true),
            "d": logical("string", "io.debezium.time.IsoDate"),
            "t3": logical("string", "io.debezium.time.IsoTime"),
            "t6": logical("string", "io.debezium.time.IsoTime"),
            "tp": logical("string", "io.debezium.time.IsoTime"),
            "ts3": logical("string", "io.debezium.time.IsoTimestamp"),
            "ts": logical("string", "io.debezium.time.IsoTimestamp")
        }),
    );
    check_both(&rows, payload, &ALL_TYPES_COLUMNS, &schemas);
}

const TEMPORAL_DDL: &str = "CREATE TABLE temporal (
    id integer PRIMARY KEY, d date, t3 time(3), t6 time(6), ts3 timestamp(3), ts timestamp, tstz3 timestamptz(3)
);";

fn insert_temporal(id: i32) -> String {
    format!(
        "INSERT INTO temporal VALUES ({id}, '1969-07-20', '13:45:30.123', '23:59:59.999999', \
         '2024-02-29 12:34:56.789', '1999-12-31 23:59:59.123456', '2024-06-02 10:00:00.25+02')"
    )
}

const TEMPORAL_COLUMNS: [&str; 7] = ["id", "d", "t3", "t6", "ts3", "ts", "tstz3"];

/// `microseconds` and `nanoseconds` ignore the column precision; dates stay
/// `io.debezium.time.Date`, timestamptz stays a string padded to its precision.
#[tokio::test(flavor = "multi_thread")]
async fn microsecond_and_nanosecond_time_precision() {
    for (mode, time, timestamp, t3, t6, ts3, ts) in [
        (
            "microseconds",
            "io.debezium.time.MicroTime",
            "io.debezium.time.MicroTimestamp",
            49_530_123_000_i64,
            86_399_999_999_i64,
            1_709_210_096_789_000_i64,
            946_684_799_123_456_i64,
        ),
        (
            "nanoseconds",
            "io.debezium.time.NanoTime",
            "io.debezium.time.NanoTimestamp",
            49_530_123_000_000,
            86_399_999_999_000,
            1_709_210_096_789_000_000,
            946_684_799_123_456_000,
        ),
    ] {
        let tag = format!("types_{}", &mode[..5]);
        let topic = "test.public.temporal";
        let rows = snapshot_and_stream(
            &tag,
            TEMPORAL_DDL,
            insert_temporal,
            topic,
            &[("time.precision.mode", mode)],
        )
        .await;
        let payload = |id| {
            json!({
                "id": id, "d": -165, "t3": t3, "t6": t6, "ts3": ts3, "ts": ts,
                "tstz3": "2024-06-02T08:00:00.250Z"
            })
        };
        let schemas = json!({
            "id": plain("int32", false),
            "d": logical("int32", "io.debezium.time.Date"),
            "t3": logical("int64", time),
            "t6": logical("int64", time),
            "ts3": logical("int64", timestamp),
            "ts": logical("int64", timestamp),
            "tstz3": logical("string", "io.debezium.time.ZonedTimestamp")
        });
        let Value::Object(schemas) = schemas else {
            unreachable!()
        };
        check_both(&rows, payload, &TEMPORAL_COLUMNS, &schemas);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_type_is_an_error_unless_included() {
    let db = TestDb::create("types_unknown").await;
    db.exec(
        "CREATE TYPE pair AS (a integer, b text);
         CREATE TABLE odd (id integer PRIMARY KEY, p pair);
         INSERT INTO odd VALUES (1, ROW(7, 'hi'));",
    )
    .await;

    let (status, log) = run_to_exit(
        &db.write_connector(&db.connector(&[])),
        Some(&db.worker(&[])),
        WAIT,
    );
    assert!(
        !status.success(),
        "a composite column must stop ferrium:\n{log}"
    );
    assert!(
        log.contains("public.odd.p") && log.contains("pair"),
        "the error names table, column and type:\n{log}"
    );
    assert!(
        log.contains("include.unknown.datatypes"),
        "the error says how to go on:\n{log}"
    );
    assert_eq!(
        db.confirmed_flush_lsn().await,
        None,
        "the check runs before the slot is created"
    );

    // With include.unknown.datatypes the text form comes through as binary data:
    // "(7,hi)" = 28 37 2c 68 69 29, base64 by the JsonConverter.
    let connector = db.connector(&[("include.unknown.datatypes", "true")]);
    let ferrium = Ferrium::start(&db.write_connector(&connector), &db.worker(&[]));
    let snap = ferrium.collect("test.public.odd", 1, WAIT);
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO odd VALUES (2, ROW(7, 'hi'))").await;
    let streamed = ferrium.collect("test.public.odd", 1, WAIT);
    assert!(ferrium.stop().success());
    db.drop().await;

    assert_eq!((snap[0].op(), streamed[0].op()), (Some("r"), Some("c")));
    assert_eq!(snap[0].after(), &json!({"id": 1, "p": "KDcsaGkp"}));
    assert_eq!(streamed[0].after(), &json!({"id": 2, "p": "KDcsaGkp"}));
    for line in [&snap[0], &streamed[0]] {
        assert_eq!(
            after_schema(line)["fields"],
            json!([
                {"type": "int32", "optional": false, "field": "id"},
                {"type": "bytes", "optional": true, "field": "p"}
            ])
        );
    }
}
