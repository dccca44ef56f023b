//! Cases ported from Debezium's own PostgreSQL tests (`RecordsStreamProducerIT`,
//! `RecordsSnapshotProducerIT`, `AbstractRecordsProducerTest`), each checked on the
//! snapshot and the streaming path. The expected values are Debezium's, read from those
//! tests; the test each case comes from is named above it.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{run_to_exit, Ferrium, Line, TestDb};
use crate::types::{after_schema, snapshot_and_stream};

const WAIT: Duration = Duration::from_secs(60);

/// The schema parameters of one field of the `after` struct.
fn params(line: &Line, field: &str) -> Value {
    after_schema(line)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .unwrap_or_else(|| panic!("no field {field}"))["parameters"]
        .clone()
}

/// `RecordsStreamProducerIT.shouldPropagateSourceTypeByDatatype`: only columns of the
/// listed types get the parameters, after the ones their type mapping sets.
#[tokio::test(flavor = "multi_thread")]
async fn source_types_are_propagated_by_datatype() {
    let rows = snapshot_and_stream(
        "propagate_dt",
        "CREATE TABLE test_table (id SERIAL, c1 INT, c2 INT, c3a NUMERIC(5,2), c3b VARCHAR(128), \
         f1 float(10), f2 decimal(8,4), primary key (id));",
        |id| {
            format!("INSERT INTO test_table VALUES ({id}, 123, 456, 789.01, 'test', 1.228, 234.56)")
        },
        "test.public.test_table",
        &[(
            "datatype.propagate.source.type",
            ".+\\.NUMERIC,.+\\.VARCHAR,.+\\.FLOAT4",
        )],
    )
    .await;
    for line in [&rows.0, &rows.1] {
        for plain in ["id", "c1", "c2"] {
            assert_eq!(params(line, plain), Value::Null, "{plain}");
        }
        assert_eq!(
            params(line, "c3a"),
            json!({"scale": "2", "connect.decimal.precision": "5",
                   "__debezium.source.column.type": "NUMERIC",
                   "__debezium.source.column.length": "5",
                   "__debezium.source.column.scale": "2",
                   "__debezium.source.column.name": "c3a"})
        );
        assert_eq!(
            params(line, "c3b"),
            json!({"__debezium.source.column.type": "VARCHAR",
                   "__debezium.source.column.length": "128",
                   "__debezium.source.column.scale": "0",
                   "__debezium.source.column.name": "c3b"})
        );
        assert_eq!(
            params(line, "f2")["__debezium.source.column.type"],
            "NUMERIC"
        );
        assert_eq!(params(line, "f2")["__debezium.source.column.length"], "8");
        assert_eq!(params(line, "f2")["__debezium.source.column.scale"], "4");
        assert_eq!(
            params(line, "f1"),
            json!({"__debezium.source.column.type": "FLOAT4",
                   "__debezium.source.column.length": "8",
                   "__debezium.source.column.scale": "8",
                   "__debezium.source.column.name": "f1"})
        );
    }
}

/// `RecordsStreamProducerIT.shouldPropagateSerialTypeNamesWhileStreaming`,
/// `RecordsSnapshotProducerIT.shouldSnapshotDomainTypeWithPropagatedSourceTypeAttributes`
/// and `shouldSnapshotEnumAsKnownType`/`shouldSnapshotEnumArrayAsKnownType`: serial
/// columns keep their serial names on both paths, domains and enums report their own
/// name with their base's length and scale; the key schema carries them too.
#[tokio::test(flavor = "multi_thread")]
async fn source_types_of_serials_domains_and_enums_by_column() {
    let rows = snapshot_and_stream(
        "propagate_col",
        "CREATE DOMAIN float83 AS numeric(8,3) DEFAULT 0.0;
         CREATE DOMAIN money2 AS MONEY DEFAULT 0.0;
         CREATE TYPE test_type AS ENUM ('V1', 'V2');
         CREATE TABLE serial_table (pk SERIAL, small SMALLSERIAL, big BIGSERIAL, plain INT,
           salary money, salary2 money2, area float83, e test_type, ea test_type[], PRIMARY KEY(pk));",
        |id| {
            format!(
                "INSERT INTO serial_table (pk, plain, salary, salary2, area, e, ea) \
                 VALUES ({id}, 1, 7.25, 8.25, 12345.123, 'V1', '{{V1,V2}}')"
            )
        },
        "test.public.serial_table",
        &[
            ("column.propagate.source.type", "public\\.serial_table\\..*"),
            ("decimal.handling.mode", "double"),
        ],
    )
    .await;
    let max = i32::MAX.to_string();
    for line in [&rows.0, &rows.1] {
        let of = |field: &str| {
            let p = params(line, field);
            (
                p["__debezium.source.column.type"].clone(),
                p["__debezium.source.column.length"].clone(),
                p["__debezium.source.column.scale"].clone(),
                p["__debezium.source.column.name"].clone(),
            )
        };
        let want = |t: &str, l: &str, s: &str, n: &str| (json!(t), json!(l), json!(s), json!(n));
        assert_eq!(of("pk"), want("SERIAL", "10", "0", "pk"));
        assert_eq!(of("small"), want("SMALLSERIAL", "5", "0", "small"));
        assert_eq!(of("big"), want("BIGSERIAL", "19", "0", "big"));
        assert_eq!(of("plain"), want("INT4", "10", "0", "plain"));
        assert_eq!(of("salary"), want("MONEY", &max, "0", "salary"));
        assert_eq!(of("salary2"), want("MONEY2", &max, "0", "salary2"));
        assert_eq!(of("area"), want("FLOAT83", "8", "3", "area"));
        assert_eq!(of("e"), want("TEST_TYPE", &max, "0", "e"));
        assert_eq!(params(line, "e")["allowed"], "V1,V2");
        assert_eq!(of("ea"), want("_TEST_TYPE", &max, "0", "ea"));
        assert_eq!(
            line.key["schema"]["fields"][0]["parameters"]["__debezium.source.column.type"],
            "SERIAL"
        );
    }
}

/// `SnapshotWithOverridesProducerIT.shouldUseMultipleOverriddenSelectStatementsDuringSnapshotting`
/// and `PostgresMoneyIT.shouldReceiveCorrectDefaultValueForHandlingMode`: the snapshot
/// reads each listed table through its statement; a NULL it returns for a `NOT NULL`
/// money column is Debezium's fallback for the decimal mode.
#[tokio::test(flavor = "multi_thread")]
async fn the_snapshot_reads_through_select_statement_overrides() {
    let db = TestDb::create("overrides").await;
    db.exec(
        "CREATE SCHEMA over;
         CREATE TABLE over.t1 (pk int PRIMARY KEY);
         CREATE TABLE over.t2 (pk int PRIMARY KEY);
         INSERT INTO over.t1 VALUES (1), (2), (3), (101), (102), (103);
         INSERT INTO over.t2 VALUES (1), (2), (3), (101), (102), (103);
         CREATE TABLE over.m (id int PRIMARY KEY, m money NOT NULL);
         INSERT INTO over.m VALUES (10, '3.14'::money);",
    )
    .await;
    let run = |decimal: &'static str| {
        let connector = db.write_connector(&db.connector(&[
            ("snapshot.mode", "initial_only"),
            ("decimal.handling.mode", decimal),
            (
                "snapshot.select.statement.overrides",
                "over.t1,over.t2,over.m",
            ),
            (
                "snapshot.select.statement.overrides.over.t1",
                "SELECT * FROM over.t1 WHERE pk > 101",
            ),
            (
                "snapshot.select.statement.overrides.over.t2",
                "SELECT * FROM over.t2 WHERE pk > 100;",
            ),
            (
                "snapshot.select.statement.overrides.over.m",
                "SELECT id, null AS m FROM over.m",
            ),
        ]));
        // initial_only: the run ends after the snapshot, and every line is read to the
        // end of its output.
        let mut ferrium = Ferrium::start(&connector, &db.worker(&[]));
        assert!(ferrium.wait_exit(WAIT).success(), "{}", ferrium.log());
        ferrium.drain(WAIT)
    };
    let lines = run("string");
    let pks = |topic: &str| -> Vec<i64> {
        lines
            .iter()
            .filter(|l| l.topic == topic)
            .map(|l| l.after()["pk"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(pks("test.over.t1"), [102, 103]);
    assert_eq!(pks("test.over.t2"), [101, 102, 103]);
    let money = |lines: &[Line]| {
        lines
            .iter()
            .find(|l| l.topic == "test.over.m")
            .map(|l| l.after()["m"].clone())
            .unwrap()
    };
    assert_eq!(money(&lines), json!("0.00"));
    // A second snapshot from scratch, in double mode.
    std::fs::remove_file(db.offsets_path()).unwrap();
    assert_eq!(money(&run("double")), json!(0.0));
    db.drop().await;
}

/// A statement listed without its text, or the reverse, is refused at start by name.
#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_select_statement_override_is_refused_by_name() {
    let db = TestDb::create("overrides_bad").await;
    let connector = db.write_connector(&db.connector(&[
        ("snapshot.select.statement.overrides", "public.a"),
        ("snapshot.select.statement.overrides.public.b", "SELECT 1"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains(
            "lists 'public.a', but 'snapshot.select.statement.overrides.public.a' is not set"
        ),
        "{log}"
    );
    assert!(
        log.contains("'snapshot.select.statement.overrides.public.b' is set, but"),
        "{log}"
    );
    db.drop().await;
}

/// Arrays of a domain type have no mapping in Debezium (its array converter resolves
/// elements by their own type): without `include.unknown.datatypes` the column is left
/// out and the table streams on; with it, each element's text comes as bytes.
#[tokio::test(flavor = "multi_thread")]
async fn arrays_of_a_domain_are_left_out_or_bytes_per_element() {
    let ddl = "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
               CREATE TABLE dom (id int PRIMARY KEY, ps positive_int[], v text);";
    let insert = |id: i32| format!("INSERT INTO dom VALUES ({id}, '{{1,22}}', 'x')");
    let rows = snapshot_and_stream("domarr_out", ddl, insert, "test.public.dom", &[]).await;
    for (line, id) in [(&rows.0, 1), (&rows.1, 2)] {
        assert_eq!(line.after(), &json!({"id": id, "v": "x"}));
    }
    let rows = snapshot_and_stream(
        "domarr_bytes",
        ddl,
        insert,
        "test.public.dom",
        &[("include.unknown.datatypes", "true")],
    )
    .await;
    for (line, id) in [(&rows.0, 1), (&rows.1, 2)] {
        // "1" and "22", base64 by the JsonConverter.
        assert_eq!(
            line.after(),
            &json!({"id": id, "ps": ["MQ==", "MjI="], "v": "x"})
        );
        let ps = after_schema(line)["fields"][1].clone();
        assert_eq!(
            ps,
            json!({"type": "array", "items": {"type": "bytes", "optional": false},
                   "optional": true, "field": "ps"})
        );
    }
}

/// Little-endian 2D WKB, base64 as the JsonConverter writes bytes: `kind` 1 is a point,
/// 2 a line string, 3 a polygon of one ring.
fn wkb(kind: u32, points: &[(f64, f64)]) -> String {
    use base64::Engine;
    let mut b = vec![1u8];
    b.extend_from_slice(&kind.to_le_bytes());
    if kind == 3 {
        b.extend_from_slice(&1u32.to_le_bytes());
    }
    if kind != 1 {
        b.extend_from_slice(&(points.len() as u32).to_le_bytes());
    }
    for (x, y) in points {
        b.extend_from_slice(&x.to_le_bytes());
        b.extend_from_slice(&y.to_le_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// `AbstractRecordsProducerTest.schemasAndValuesForDomainAliasTypes` (the geometric
/// columns, dbz#2135) and `PostgresSchemaIT`'s point schema: every built-in geometric type,
/// also through a domain, on both paths; PostgreSQL normalises a box to its upper-right
/// corner first and a line to its coefficients.
#[tokio::test(flavor = "multi_thread")]
async fn geometric_types_as_debeziums_geometry_structs() {
    let rows = snapshot_and_stream(
        "geometric",
        "CREATE DOMAIN box_alias AS box;
         CREATE TABLE geo (id int PRIMARY KEY, p point NOT NULL, pn point, b box, b_alias box_alias,
           l lseg, pa path, po polygon, c circle, li line);",
        |id| {
            format!(
                "INSERT INTO geo VALUES ({id}, '(1,1)', NULL, '(0,0),(1,1)', '(0,0),(1,1)', \
                 '[(0,0),(0,1)]', '((0,0),(0,1),(0,2))', '((0,0),(0,1),(1,0))', '<(10,4),10>', \
                 '{{-1,0,0}}')"
            )
        },
        "test.public.geo",
        &[],
    )
    .await;
    let point = |x: f64, y: f64| json!({"x": x, "y": y, "wkb": wkb(1, &[(x, y)]), "srid": null});
    let boxed = json!({"wkb": wkb(3, &[(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0), (1.0, 1.0)]),
                       "srid": null, "extensions": {"type": "box"}});
    for (line, id) in [(&rows.0, 1), (&rows.1, 2)] {
        assert_eq!(
            line.after(),
            &json!({
                "id": id,
                "p": point(1.0, 1.0),
                "pn": null,
                "b": boxed,
                "b_alias": boxed,
                "l": {"wkb": wkb(2, &[(0.0, 0.0), (0.0, 1.0)]), "srid": null,
                      "extensions": {"type": "lseg"}},
                "pa": {"wkb": wkb(2, &[(0.0, 0.0), (0.0, 1.0), (0.0, 2.0)]), "srid": null,
                       "extensions": {"type": "path", "closed": "true"}},
                "po": {"wkb": wkb(3, &[(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)]),
                       "srid": null, "extensions": {"type": "polygon"}},
                "c": {"center": point(10.0, 4.0), "radius": 10.0},
                "li": {"a": -1.0, "b": 0.0, "c": 0.0},
            })
        );
        let fields = after_schema(line)["fields"].as_array().unwrap().clone();
        let schema = |name: &str| fields.iter().find(|f| f["field"] == name).unwrap().clone();
        assert_eq!(
            schema("p"),
            json!({"type": "struct", "fields": [
                      {"type": "double", "optional": false, "field": "x"},
                      {"type": "double", "optional": false, "field": "y"},
                      {"type": "bytes", "optional": true, "field": "wkb"},
                      {"type": "int32", "optional": true, "field": "srid"}],
                   "optional": false, "name": "io.debezium.data.geometry.Point", "version": 1,
                   "doc": "Geometry (POINT)", "field": "p"})
        );
        assert_eq!(schema("pn")["optional"], true);
        assert_eq!(
            schema("b"),
            json!({"type": "struct", "fields": [
                      {"type": "bytes", "optional": false, "field": "wkb"},
                      {"type": "int32", "optional": true, "field": "srid"},
                      {"type": "map", "keys": {"type": "string", "optional": false},
                       "values": {"type": "string", "optional": false}, "optional": true,
                       "field": "extensions"}],
                   "optional": true, "name": "io.debezium.data.geometry.Geometry", "version": 2,
                   "doc": "Geometry", "field": "b"})
        );
        assert_eq!(schema("c")["name"], "io.debezium.data.geometry.Circle");
        assert_eq!(schema("li")["name"], "io.debezium.data.geometry.Line");
    }
}

/// `PostgresDefaultValueIT`-style cases: a column's default becomes the schema `default`,
/// as `PostgresDefaultValueConverter` reads it — literals as the column's value, function
/// calls and `CURRENT_DATE` as placeholders (so `serial` defaults to 0), other
/// expressions and unlisted types (`money`) without one. With the JsonConverter's
/// `replace.null.with.default` (true by default) a NULL in such a column is written as
/// the default, as Kafka Connect writes it.
#[tokio::test(flavor = "multi_thread")]
async fn column_defaults_are_schema_defaults() {
    let rows = snapshot_and_stream(
        "defaults",
        "CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE TABLE dflt (id serial PRIMARY KEY, b1 bit(1) DEFAULT B'1', bo bool DEFAULT true,
           t text DEFAULT 'it''s', v varchar(10) DEFAULT 'abc', n numeric(10,2) DEFAULT 12.5,
           f8 float8 DEFAULT -2.5, i2 int2 DEFAULT -7, i8 int8 DEFAULT 9223372036854775807,
           u uuid DEFAULT gen_random_uuid(), d date DEFAULT '2020-02-03', d2 date DEFAULT current_date,
           ts timestamp DEFAULT now(), tz timestamptz DEFAULT '2020-01-01 10:00:00+02',
           e mood DEFAULT 'ok', ex int DEFAULT (1 + 2), m money DEFAULT 1.5, nodef int);",
        |id| format!("INSERT INTO dflt (id, t, nodef) VALUES ({id}, NULL, NULL)"),
        "test.public.dflt",
        &[],
    )
    .await;
    let expected = json!({
        "id": 0, "b1": true, "bo": true, "t": "it's", "v": "abc",
        // 12.50 at scale 2: unscaled 1250 = 0x04E2.
        "n": "BOI=",
        "f8": -2.5, "i2": -7, "i8": 9_223_372_036_854_775_807_i64,
        "u": "00000000-0000-0000-0000-000000000000",
        // 2020-02-03 is day 18295 of the epoch.
        "d": 18295, "d2": 0, "ts": 0,
        // Formatted as the column's values are: timestamptz(6) keeps six fraction digits.
        "tz": "2020-01-01T08:00:00.000000Z", "e": "ok",
    });
    for (line, id) in [(&rows.0, 1), (&rows.1, 2)] {
        let fields = after_schema(line)["fields"].as_array().unwrap().clone();
        for field in &fields {
            let name = field["field"].as_str().unwrap();
            assert_eq!(
                field.get("default"),
                expected.get(name),
                "default of {name}: {field}"
            );
        }
        assert_eq!(line.key["schema"]["fields"][0]["default"], 0);
        // t was inserted as NULL: written as its default.
        assert_eq!(line.after()["t"], "it's");
        assert_eq!(line.after()["nodef"], Value::Null);
        assert_eq!(line.after()["id"], id);
        assert_eq!(line.after()["d"], 18295);
    }
}
