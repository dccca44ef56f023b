//! Type details where Debezium's output is easy to get wrong, each read by the snapshot
//! and from the binlog: signed TINYINT is int8 (BOOL only in DDL read from the binlog),
//! a NULL in a column with a DEFAULT is written as the default by the JSON converter,
//! ENUM members with commas, MariaDB's JSON as a plain string, and text in legacy
//! character sets transcoded to UTF-8.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{of_topic, run_to_exit, Line, TestDb};

const WAIT: Duration = Duration::from_secs(60);

/// The schema of each field of the envelope's `after`, by name.
fn field_schema(line: &Line, name: &str) -> Value {
    line.value["schema"]["fields"][1]["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["field"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no field {name} in {}", line.value["schema"]))
}

/// Inserts `insert` after the snapshot of `table` and returns (snapshot row, binlog row).
async fn snapshot_and_binlog(
    db: &mut TestDb,
    ferrium: &crate::support::Ferrium,
    table: &str,
    insert: &str,
) -> (Line, Line) {
    let topic = db.topic(table);
    let snap = ferrium.collect(&topic, 1, WAIT);
    db.exec(insert).await;
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let streamed = of_topic(&lines, &topic)[0].clone();
    assert_eq!(snap[0].op(), Some("r"));
    assert_eq!(streamed.op(), Some("c"));
    (snap[0].clone(), streamed)
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_tinyint_is_int8_and_only_a_binlog_bool_is_boolean() {
    let mut db = TestDb::create("tinyint").await;
    // BOOLEAN is stored as tinyint(1), which is what SHOW CREATE TABLE (and so Debezium's
    // snapshot) sees.
    db.exec(
        "CREATE TABLE t (id INT PRIMARY KEY, ti TINYINT, ti1 TINYINT(1), flag BOOLEAN,
                         tiu TINYINT UNSIGNED, si SMALLINT);
         INSERT INTO t VALUES (1, -128, 5, TRUE, 255, -2)",
    )
    .await;
    let ferrium = db.start(&[]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "t",
        "INSERT INTO t VALUES (2, 127, -1, FALSE, 0, 3)",
    )
    .await;
    for line in [&snap, &streamed] {
        for (field, kind) in [
            ("ti", "int8"),
            ("ti1", "int8"),
            ("flag", "int8"),
            ("tiu", "int16"),
            ("si", "int16"),
        ] {
            assert_eq!(field_schema(line, field)["type"], kind, "{field}");
        }
    }
    assert_eq!(
        snap.after(),
        &json!({"id": 1, "ti": -128, "ti1": 5, "flag": 1, "tiu": 255, "si": -2})
    );
    assert_eq!(
        streamed.after(),
        &json!({"id": 2, "ti": 127, "ti1": -1, "flag": 0, "tiu": 0, "si": 3})
    );

    // A table created while streaming: Debezium's DDL parser gives BOOL the JDBC type
    // BOOLEAN, a Connect boolean; TINYINT(1) stays int8.
    db.exec(
        "CREATE TABLE b (id INT PRIMARY KEY, ok BOOL, ti1 TINYINT(1));
         INSERT INTO b VALUES (1, TRUE, 1)",
    )
    .await;
    let topic = db.topic("b");
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let row = of_topic(&lines, &topic)[0];
    assert_eq!(field_schema(row, "ok")["type"], "boolean");
    assert_eq!(field_schema(row, "ti1")["type"], "int8");
    assert_eq!(row.after(), &json!({"id": 1, "ok": true, "ti1": 1}));
    ferrium.stop();
    db.drop().await;
}

const DEFAULTS_TABLE: &str = "CREATE TABLE d (id INT PRIMARY KEY,
    status VARCHAR(10) DEFAULT 'new', qty INT DEFAULT 5, price DECIMAL(5,2) DEFAULT 1.50,
    note VARCHAR(10))";

#[tokio::test(flavor = "multi_thread")]
async fn a_null_in_a_column_with_a_default_is_written_as_the_default() {
    let mut db = TestDb::create("nulldef").await;
    db.exec(DEFAULTS_TABLE).await;
    db.exec("INSERT INTO d VALUES (1, NULL, NULL, NULL, NULL)")
        .await;
    let ferrium = db.start(&[]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "d",
        "INSERT INTO d VALUES (2, NULL, NULL, NULL, NULL)",
    )
    .await;
    // Kafka's JsonConverter (replace.null.with.default=true) writes the schema default
    // for a null; a column without a default stays null.
    for (line, id) in [(&snap, 1), (&streamed, 2)] {
        assert_eq!(field_schema(line, "status")["default"], "new");
        assert_eq!(field_schema(line, "qty")["default"], 5);
        assert_eq!(
            line.after(),
            &json!({"id": id, "status": "new", "qty": 5, "price": "AJY=", "note": null})
        );
    }
    ferrium.stop();
    db.drop().await;

    // The worker's schemas.enable=false changes nothing about it.
    let mut db = TestDb::create("nulldef_noschema").await;
    db.exec(DEFAULTS_TABLE).await;
    db.exec("INSERT INTO d VALUES (1, NULL, NULL, NULL, NULL)")
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let worker = db.worker(&["value.converter.schemas.enable=false"]);
    let ferrium = crate::support::Ferrium::start(&connector, &worker);
    let topic = db.topic("d");
    let snap = ferrium.collect(&topic, 1, WAIT);
    assert!(snap[0].value.get("schema").is_none());
    assert_eq!(
        snap[0].after(),
        &json!({"id": 1, "status": "new", "qty": 5, "price": "AJY=", "note": null})
    );
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replace_null_with_default_false_keeps_the_null() {
    let mut db = TestDb::create("nulldef_off").await;
    db.exec(DEFAULTS_TABLE).await;
    db.exec("INSERT INTO d VALUES (1, NULL, NULL, NULL, NULL)")
        .await;
    let ferrium = db.start(&[("value.converter.replace.null.with.default", "false")]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "d",
        "INSERT INTO d VALUES (2, NULL, NULL, NULL, NULL)",
    )
    .await;
    for (line, id) in [(&snap, 1), (&streamed, 2)] {
        assert_eq!(
            line.after(),
            &json!({"id": id, "status": null, "qty": null, "price": null, "note": null})
        );
    }
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_members_with_commas_are_escaped_in_allowed() {
    let mut db = TestDb::create("enumcomma").await;
    db.exec(
        "CREATE TABLE e (id INT PRIMARY KEY, e ENUM('a,b','c'), s SET('x','y','z'));
         INSERT INTO e VALUES (1, 'a,b', 'x,z')",
    )
    .await;
    let ferrium = db.start(&[]);
    let (snap, streamed) =
        snapshot_and_binlog(&mut db, &ferrium, "e", "INSERT INTO e VALUES (2, 'c', 'z')").await;
    for line in [&snap, &streamed] {
        assert_eq!(field_schema(line, "e")["name"], "io.debezium.data.Enum");
        assert_eq!(field_schema(line, "e")["parameters"]["allowed"], "a\\,b,c");
        assert_eq!(field_schema(line, "s")["name"], "io.debezium.data.EnumSet");
        // MariaDB refuses a SET member with a comma.
        assert_eq!(field_schema(line, "s")["parameters"]["allowed"], "x,y,z");
    }
    assert_eq!(snap.after(), &json!({"id": 1, "e": "a,b", "s": "x,z"}));
    assert_eq!(streamed.after(), &json!({"id": 2, "e": "c", "s": "z"}));
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_json_is_a_plain_string_as_stored() {
    let mut db = TestDb::create("mariajson").await;
    let doc = r#"{"a":  1, "b": [true,null]}"#;
    db.exec(&format!(
        "CREATE TABLE j (id INT PRIMARY KEY, doc JSON);
         INSERT INTO j VALUES (1, '{doc}')"
    ))
    .await;
    let ferrium = db.start(&[]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "j",
        &format!("INSERT INTO j VALUES (2, '{doc}')"),
    )
    .await;
    // A JSON column created while streaming: the binlog's DDL says JSON, the server
    // stores LONGTEXT, and the column reads like the snapshotted one.
    db.exec(&format!(
        "CREATE TABLE j2 (id INT PRIMARY KEY, doc JSON);
         INSERT INTO j2 VALUES (1, '{doc}')"
    ))
    .await;
    let topic = db.topic("j2");
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    let created = of_topic(&lines, &topic)[0].clone();
    for line in [&snap, &streamed, &created] {
        let schema = field_schema(line, "doc");
        assert_eq!(schema["type"], "string");
        assert_eq!(schema.get("name"), None, "{schema}");
        assert_eq!(line.after()["doc"], doc);
    }
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_character_sets_are_transcoded_to_utf8() {
    let mut db = TestDb::create("charsets").await;
    let name = db.name.clone();
    // The database default is latin2: `a` takes it from the table, which takes it from
    // the database.
    db.exec(&format!(
        "ALTER DATABASE `{name}` CHARACTER SET latin2;
         CREATE TABLE c (id INT PRIMARY KEY, a VARCHAR(20), b VARCHAR(20) CHARACTER SET cp1250,
                         l TEXT CHARACTER SET latin1, g VARCHAR(20) CHARACTER SET greek,
                         r VARCHAR(20) CHARACTER SET koi8r);
         INSERT INTO c VALUES (1, 'Łódź żółć', 'Šťastný Łukasz', 'café €', 'αβγ', 'Привет')"
    ))
    .await;
    let ferrium = db.start(&[]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "c",
        "INSERT INTO c VALUES (2, 'Łódź żółć', 'Šťastný Łukasz', 'café €', 'αβγ', 'Привет')",
    )
    .await;
    for (line, id) in [(&snap, 1), (&streamed, 2)] {
        assert_eq!(
            line.after(),
            &json!({"id": id, "a": "Łódź żółć", "b": "Šťastný Łukasz", "l": "café €",
                    "g": "αβγ", "r": "Привет"})
        );
    }
    // A table created while streaming in the latin2 database, without a charset.
    db.exec(
        "CREATE TABLE c2 (id INT PRIMARY KEY, a VARCHAR(20));
         INSERT INTO c2 VALUES (1, 'Źdźbło')",
    )
    .await;
    let topic = db.topic("c2");
    let lines = ferrium.collect_until(WAIT, |l| !of_topic(l, &topic).is_empty());
    assert_eq!(
        of_topic(&lines, &topic)[0].after(),
        &json!({"id": 1, "a": "Źdźbło"})
    );
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_character_set_without_a_decoder_is_refused_by_column_and_name() {
    let mut db = TestDb::create("charsetbad").await;
    db.exec(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) CHARACTER SET armscii8);
         INSERT INTO t VALUES (1, 'x')",
    )
    .await;
    let connector = db.write_connector(&db.connector(&[]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains(&format!("{}.t.v", db.name)) && log.contains("character set armscii8"),
        "{log}"
    );
    db.drop().await;
}

/// `column.propagate.source.type` (`BinlogEnumColumnIT`, `BinlogJdbcSinkDataTypeConverterIT`):
/// the columns it names carry Debezium's type name with its modifiers, the declared length
/// and scale (ENUM's length is 1), and the column name; other columns carry none.
#[tokio::test(flavor = "multi_thread")]
async fn source_types_are_propagated_with_their_declared_length_and_scale() {
    let mut db = TestDb::create("propagate").await;
    db.exec(
        "CREATE TABLE prop (id INT PRIMARY KEY, v VARCHAR(128), d DECIMAL(10,2), u INT UNSIGNED,
                            e ENUM('a','b'), r REAL, plain INT);
         INSERT INTO prop VALUES (1, 'x', 1.5, 7, 'a', 2.5, 1)",
    )
    .await;
    let ferrium = db.start(&[("column.propagate.source.type", ".+\\.prop\\.(v|d|u|e|r)")]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "prop",
        "INSERT INTO prop VALUES (2, 'y', 2.5, 8, 'b', 3.5, 2)",
    )
    .await;
    for line in [&snap, &streamed] {
        let of = |name: &str| {
            let p = field_schema(line, name)["parameters"].clone();
            (
                p["__debezium.source.column.type"].clone(),
                p["__debezium.source.column.length"].clone(),
                p["__debezium.source.column.scale"].clone(),
                p["__debezium.source.column.name"].clone(),
            )
        };
        let want = |t: &str, l: Value, s: Value, n: &str| (json!(t), l, s, json!(n));
        assert_eq!(of("v"), want("VARCHAR", json!("128"), Value::Null, "v"));
        assert_eq!(of("d"), want("DECIMAL", json!("10"), json!("2"), "d"));
        assert_eq!(of("u"), want("INT UNSIGNED", json!("10"), Value::Null, "u"));
        assert_eq!(of("e"), want("ENUM", json!("1"), Value::Null, "e"));
        // SHOW CREATE TABLE, which the snapshot reads, spells REAL as double.
        assert_eq!(of("r").0, json!("DOUBLE"));
        assert_eq!(field_schema(line, "plain").get("parameters"), None);
        assert_eq!(field_schema(line, "id").get("parameters"), None);
    }
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// `snapshot.select.statement.overrides` (Debezium's `BinlogSnapshotSelectOverridesIT`
/// shape): the snapshot reads the listed table through its statement, columns matched by
/// name; a NULL it returns for a `NOT NULL` column is the column's default, or zero
/// without one.
#[tokio::test(flavor = "multi_thread")]
async fn the_snapshot_reads_through_select_statement_overrides() {
    let mut db = TestDb::create("overrides").await;
    db.exec(
        "CREATE TABLE t1 (pk INT PRIMARY KEY, name VARCHAR(10) NOT NULL DEFAULT 'dflt',
                          n INT NOT NULL, extra INT);
         INSERT INTO t1 VALUES (1, 'a', 1, 1), (2, 'b', 2, 2), (101, 'c', 3, 3), (102, 'd', 4, 4)",
    )
    .await;
    let table = format!("{}.t1", db.name);
    let key = format!("snapshot.select.statement.overrides.{table}");
    let statement = format!("SELECT pk, NULL AS name, NULL AS n FROM {table} WHERE pk > 100");
    let ferrium = db.start(&[
        ("snapshot.select.statement.overrides", table.as_str()),
        (key.as_str(), statement.as_str()),
    ]);
    let rows = ferrium.collect(&db.topic("t1"), 2, WAIT);
    let after: Vec<Value> = rows.iter().map(|l| l.after().clone()).collect();
    assert_eq!(
        after,
        [
            json!({"pk": 101, "name": "dflt", "n": 0, "extra": null}),
            json!({"pk": 102, "name": "dflt", "n": 0, "extra": null}),
        ]
    );
    // Nothing else of the table comes from the snapshot.
    assert!(ferrium
        .drain(Duration::from_secs(1))
        .iter()
        .all(|l| l.topic != db.topic("t1")));
    assert!(ferrium.stop().success());
    db.drop().await;
}

/// Debezium's `TinyIntOneToBooleanConverter` (`converters=boolean`,
/// `boolean.type=…`): `TINYINT(1)` columns are booleans on both paths, with their default
/// converted too; `selector` with `length.checker=false` picks columns of any width; any
/// other converter class is refused at start by name.
#[tokio::test(flavor = "multi_thread")]
async fn tinyint_one_to_boolean_converter() {
    let mut db = TestDb::create("tinyintbool").await;
    db.exec(
        "CREATE TABLE b (id INT PRIMARY KEY, flag TINYINT(1) NOT NULL DEFAULT 1,
                         u TINYINT(1) UNSIGNED, wide TINYINT(3), s SMALLINT(1));
         INSERT INTO b VALUES (1, 0, 1, 7, 1)",
    )
    .await;
    let class = "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter";
    let ferrium = db.start(&[("converters", "boolean"), ("boolean.type", class)]);
    let (snap, streamed) = snapshot_and_binlog(
        &mut db,
        &ferrium,
        "b",
        "INSERT INTO b VALUES (2, 5, 0, -1, 0)",
    )
    .await;
    assert!(ferrium.stop().success());
    assert_eq!(
        snap.after(),
        &json!({"id": 1, "flag": false, "u": true, "wide": 7, "s": 1})
    );
    assert_eq!(
        streamed.after(),
        &json!({"id": 2, "flag": true, "u": false, "wide": -1, "s": 0})
    );
    for line in [&snap, &streamed] {
        assert_eq!(
            field_schema(line, "flag"),
            json!({"type": "boolean", "optional": false, "default": true, "field": "flag"})
        );
        assert_eq!(field_schema(line, "wide")["type"], "int8");
    }

    // A selector and no length check: the named column of any width, only it.
    std::fs::remove_file(db.offsets_path()).ok();
    let selector = format!("{}\\.b\\.wide", db.name);
    let ferrium = db.start(&[
        ("converters", "boolean"),
        ("boolean.type", class),
        ("boolean.selector", selector.as_str()),
        ("boolean.length.checker", "false"),
    ]);
    let rows = ferrium.collect(&db.topic("b"), 2, WAIT);
    assert!(ferrium.stop().success());
    assert_eq!(rows[0].after()["wide"], true);
    assert_eq!(rows[0].after()["flag"], 0);

    // Any other converter class is refused by name.
    let connector = db.write_connector(&db.connector(&[
        ("converters", "zero"),
        (
            "zero.type",
            "io.debezium.connector.binlog.converters.ZeroDateFallbackConverter",
        ),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("'zero.type' is 'io.debezium.connector.binlog.converters.ZeroDateFallbackConverter', which Ferrium does not implement"),
        "{log}"
    );
    db.drop().await;
}
