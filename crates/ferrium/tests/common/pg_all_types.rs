//! PostgreSQL's table of every type family, one row's values, and the row and field
//! schemas Debezium writes for it with the default modes: shared by the type tests of the
//! JSON path and of the Avro path.
//!
//! Every expected value is worked out by hand from Debezium's converters
//! (`PostgresValueConverter`, `JdbcValueConverters`, Kafka's `JsonConverter`), not copied
//! from Ferrium's output. The arithmetic is in the comments next to each value.

#![allow(dead_code)]

use serde_json::{json, Map, Value};

pub const ALL_TYPES_DDL: &str = r#"
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
pub fn insert_all_types(id: i32) -> String {
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

pub const ALL_TYPES_COLUMNS: [&str; 40] = [
    "id", "si", "i", "bi", "r", "dp", "n", "nu", "nu2", "m", "b", "t", "vc", "c", "ba", "d", "t3",
    "t6", "tp", "ttz", "ts3", "ts", "tstz", "iv", "u", "j", "jb", "e", "ta", "ia", "ip", "cd",
    "mac", "b1", "b8", "vb", "h", "x", "dom", "nul",
];

/// The row as Debezium writes it with the default modes (precise, adaptive, bytes,
/// numeric intervals, hstore as JSON).
pub fn default_payload(id: i32) -> Value {
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
pub fn obj(entries: Vec<(&str, Value)>) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

pub fn plain(kind: &str, optional: bool) -> Value {
    json!({"type": kind, "optional": optional})
}

pub fn logical(kind: &str, name: &str) -> Value {
    json!({"type": kind, "optional": true, "name": name, "version": 1})
}

/// The row's field schemas with the default modes, without the `field` key.
pub fn default_schemas() -> Map<String, Value> {
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
