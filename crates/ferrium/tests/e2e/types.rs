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

const WAIT: Duration = Duration::from_secs(60);
const TOPIC: &str = "test.public.all_types";

const ALL_TYPES_DDL: &str = r#"
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE all_types (
    id    integer PRIMARY KEY,
    si    smallint,
    i     integer NOT NULL,
    bi    bigint,
    r     real,
    dp    double precision,
    n     numeric(12,2),
    nu    numeric,
    nu2   numeric,
    m     money,
    b     boolean,
    t     text,
    vc    varchar(20),
    c     char(3),
    ba    bytea,
    d     date,
    t3    time(3),
    t6    time(6),
    tp    time,
    ttz   timetz,
    ts3   timestamp(3),
    ts    timestamp,
    tstz  timestamptz,
    iv    interval,
    u     uuid,
    j     json,
    jb    jsonb,
    e     mood,
    ta    text[],
    ia    integer[],
    ip    inet,
    cd    cidr,
    mac   macaddr,
    b1    bit(1),
    b8    bit(8),
    vb    varbit,
    h     hstore,
    x     xml,
    dom   posint,
    nul   text
);
"#;

/// The same values for every row; only the key differs.
fn insert_all_types(id: i32) -> String {
    format!(
        r#"INSERT INTO all_types VALUES (
            {id}, -32768, 2147483647, 9223372036854775807,
            1.1, -1.5e-7,
            -98765.43, -123.4560, 1000.00, '-1234.50',
            true,
            E'tab\there "q" back\\slash\nnewline é', 'varchar value', 'ab',
            '\x00ff10',
            '1969-07-20', '13:45:30.123', '23:59:59.999999', '08:00:00.5', '10:15:30.5+02',
            '2024-02-29 12:34:56.789', '1999-12-31 23:59:59.123456', '2024-06-02 10:00:00.25+02',
            '1 mon 2 days 03:04:05.5',
            'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
            '{{"b": 1, "a": [true, null]}}', '{{"b": 1, "a": [true, null]}}',
            'happy',
            ARRAY['a b', NULL, 'c"d', 'plain', 'NULL'], ARRAY[1, NULL, -3],
            '192.168.0.1/24', '10.0.0.0/8', '08-00-2B-01-02-03',
            B'1', B'10100101', B'110000001',
            '"a"=>"1", "zz"=>NULL, "k"=>"x y"',
            '<a x="1">t</a>',
            42,
            NULL
        )"#
    )
}

const ALL_TYPES_COLUMNS: [&str; 40] = [
    "id", "si", "i", "bi", "r", "dp", "n", "nu", "nu2", "m", "b", "t", "vc", "c", "ba", "d", "t3",
    "t6", "tp", "ttz", "ts3", "ts", "tstz", "iv", "u", "j", "jb", "e", "ta", "ia", "ip", "cd",
    "mac", "b1", "b8", "vb", "h", "x", "dom", "nul",
];

/// The row as Debezium writes it with the default modes (precise, adaptive, bytes,
/// numeric intervals, hstore as JSON).
fn default_payload(id: i32) -> Value {
    Value::Object(obj(vec![
        ("id", json!(id)),
        ("si", json!(-32768)),
        ("i", json!(2147483647)),
        ("bi", json!(9223372036854775807_i64)),
        // FLOAT32: JsonConverter hands a Float to Jackson, which writes Float.toString: 1.1.
        ("r", json!(1.1)),
        // PostgreSQL prints -1.5e-07; Double.parseDouble, then Jackson: -1.5E-7 (same number).
        ("dp", json!(-1.5e-7)),
        // -98765.43 at scale 2: unscaled -9876543 = 0xFF694BC1 (minimal two's complement).
        ("n", json!("/2lLwQ==")),
        // -123.4560 → stripTrailingZeros → -123.456: scale 3, unscaled -123456 = 0xFE1DC0.
        ("nu", json!({"scale": 3, "value": "/h3A"})),
        // 1000.00 → 1E+3 → negative scale clamped to 0: 1000 = 0x03E8.
        ("nu2", json!({"scale": 0, "value": "A+g="})),
        // '-$1,234.50' at money.fraction.digits 2: unscaled -123450 = 0xFE1DC6.
        ("m", json!("/h3G")),
        ("b", json!(true)),
        ("t", json!("tab\there \"q\" back\\slash\nnewline é")),
        ("vc", json!("varchar value")),
        // bpchar keeps its padding.
        ("c", json!("ab ")),
        // bytes 00 ff 10, base64 by the JsonConverter.
        ("ba", json!("AP8Q")),
        // 1969-07-20 is 165 days before the epoch (12 days of July, then Aug–Dec: 153).
        ("d", json!(-165)),
        // time(3): (13·3600 + 45·60 + 30) s · 1000 + 123 ms.
        ("t3", json!(49_530_123)),
        // time(6): 86399 s · 10^6 + 999999 µs.
        ("t6", json!(86_399_999_999_i64)),
        // time (no typmod → precision 6, MicroTime): 8 h + 0.5 s in µs.
        ("tp", json!(28_800_500_000_i64)),
        // timetz: shifted to UTC, ISO_OFFSET_TIME with the shortest fraction.
        ("ttz", json!("08:15:30.5Z")),
        // 2024-02-29 is epoch day 19782: 19782·86400 + 45296 s, then .789.
        ("ts3", json!(1_709_210_096_789_i64)),
        // 1999-12-31 is epoch day 10956: 10956·86400 + 86399 s, then .123456.
        ("ts", json!(946_684_799_123_456_i64)),
        // timestamptz: UTC, fraction padded to the column precision (6).
        ("tstz", json!("2024-06-02T08:00:00.250000Z")),
        // MicroDuration: ((1·30.4375 + 2)·24 + 3)·60 + 4)·60 + 5.5 = 2 813 645.5 s.
        ("iv", json!(2_813_645_500_000_i64)),
        ("u", json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
        // json keeps its text; jsonb is normalised by PostgreSQL.
        ("j", json!("{\"b\": 1, \"a\": [true, null]}")),
        ("jb", json!("{\"a\": [true, null], \"b\": 1}")),
        ("e", json!("happy")),
        ("ta", json!(["a b", null, "c\"d", "plain", "NULL"])),
        ("ia", json!([1, null, -3])),
        ("ip", json!("192.168.0.1/24")),
        ("cd", json!("10.0.0.0/8")),
        ("mac", json!("08:00:2b:01:02:03")),
        ("b1", json!(true)),
        // B'10100101': rightmost character is bit 0 → one byte 0xA5.
        ("b8", json!("pQ==")),
        // B'110000001': bits 0, 7 and 8 → little-endian bytes 0x81 0x01.
        ("vb", json!("gQE=")),
        // pgjdbc's HashMap order at capacity 16: "zz" (bucket 0), "a" (1), "k" (11).
        ("h", json!("{\"zz\":null,\"a\":\"1\",\"k\":\"x y\"}")),
        ("x", json!("<a x=\"1\">t</a>")),
        ("dom", json!(42)),
        ("nul", json!(null)),
    ]))
}

/// An object from (name, value) pairs (`json!` alone would exceed the macro recursion limit).
fn obj(entries: Vec<(&str, Value)>) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn plain(kind: &str, optional: bool) -> Value {
    json!({"type": kind, "optional": optional})
}

fn logical(kind: &str, name: &str) -> Value {
    json!({"type": kind, "optional": true, "name": name, "version": 1})
}

/// The row's field schemas with the default modes, without the `field` key.
fn default_schemas() -> Map<String, Value> {
    let decimal = |params: Value| json!({"type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": params});
    let variable_scale = json!({
        "type": "struct",
        "fields": [
            {"type": "int32", "optional": false, "field": "scale"},
            {"type": "bytes", "optional": false, "field": "value"}
        ],
        "optional": true,
        "name": "io.debezium.data.VariableScaleDecimal",
        "version": 1,
        "doc": "Variable scaled decimal"
    });
    obj(vec![
        ("id", plain("int32", false)),
        ("si", plain("int16", true)),
        ("i", plain("int32", false)),
        ("bi", plain("int64", true)),
        ("r", plain("float", true)),
        ("dp", plain("double", true)),
        (
            "n",
            decimal(json!({"scale": "2", "connect.decimal.precision": "12"})),
        ),
        ("nu", variable_scale.clone()),
        ("nu2", variable_scale),
        ("m", decimal(json!({"scale": "2"}))),
        ("b", plain("boolean", true)),
        ("t", plain("string", true)),
        ("vc", plain("string", true)),
        ("c", plain("string", true)),
        ("ba", plain("bytes", true)),
        ("d", logical("int32", "io.debezium.time.Date")),
        ("t3", logical("int32", "io.debezium.time.Time")),
        ("t6", logical("int64", "io.debezium.time.MicroTime")),
        ("tp", logical("int64", "io.debezium.time.MicroTime")),
        ("ttz", logical("string", "io.debezium.time.ZonedTime")),
        ("ts3", logical("int64", "io.debezium.time.Timestamp")),
        ("ts", logical("int64", "io.debezium.time.MicroTimestamp")),
        ("tstz", logical("string", "io.debezium.time.ZonedTimestamp")),
        ("iv", logical("int64", "io.debezium.time.MicroDuration")),
        ("u", logical("string", "io.debezium.data.Uuid")),
        ("j", logical("string", "io.debezium.data.Json")),
        ("jb", logical("string", "io.debezium.data.Json")),
        (
            "e",
            json!({"type": "string", "optional": true, "name": "io.debezium.data.Enum", "version": 1, "parameters": {"allowed": "sad,ok,happy"}}),
        ),
        (
            "ta",
            json!({"type": "array", "items": {"type": "string", "optional": true}, "optional": true}),
        ),
        (
            "ia",
            json!({"type": "array", "items": {"type": "int32", "optional": true}, "optional": true}),
        ),
        ("ip", plain("string", true)),
        ("cd", plain("string", true)),
        ("mac", plain("string", true)),
        ("b1", plain("boolean", true)),
        (
            "b8",
            json!({"type": "bytes", "optional": true, "name": "io.debezium.data.Bits", "version": 1, "parameters": {"length": "8"}}),
        ),
        (
            "vb",
            json!({"type": "bytes", "optional": true, "name": "io.debezium.data.Bits", "version": 1, "parameters": {"length": "2147483647"}}),
        ),
        ("h", logical("string", "io.debezium.data.Json")),
        ("x", logical("string", "io.debezium.data.Xml")),
        ("dom", plain("int32", true)),
        ("nul", plain("string", true)),
    ])
}

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
fn after_schema(line: &Line) -> &Value {
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
async fn snapshot_and_stream(
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

/// Geometric types have a Debezium mapping (io.debezium.data.geometry.Point) that Ferrium
/// does not implement, so include.unknown.datatypes must not turn them into bytes.
#[tokio::test(flavor = "multi_thread")]
async fn point_column_is_an_error_even_with_unknown_types_included() {
    let db = TestDb::create("types_point").await;
    db.exec("CREATE TABLE geo (id integer PRIMARY KEY, loc point); INSERT INTO geo VALUES (1, '(1,2)');").await;
    let connector = db.connector(&[("include.unknown.datatypes", "true")]);
    let (status, log) = run_to_exit(&db.write_connector(&connector), Some(&db.worker(&[])), WAIT);
    assert!(
        !status.success(),
        "a point column must stop ferrium:\n{log}"
    );
    assert!(
        log.contains("public.geo.loc") && log.contains("point"),
        "the error names table, column and type:\n{log}"
    );
    assert!(
        log.contains("column.exclude.list"),
        "the error says how to go on:\n{log}"
    );
    assert_eq!(
        db.confirmed_flush_lsn().await,
        None,
        "nothing was created on the server"
    );
    db.drop().await;
}
