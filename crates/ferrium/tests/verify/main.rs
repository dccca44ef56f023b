//! `ferrium verify` against the real PostgreSQL and MariaDB that `scripts/services.sh up`
//! starts: a source table with a row of every common type family, its copies in MariaDB
//! and in PostgreSQL written with the types and values Debezium's JDBC sink gives them,
//! compared equal; then one value changed, one row deleted and one added by hand, and
//! exactly those keys reported. Nothing is mocked; without the services the tests fail
//! with a message saying how to start them.

#[path = "../common/transcript.rs"]
mod transcript;

use std::process::Command;

use ferrium_verify::{verify, Endpoint, Report, VerifyOptions};
use mysql_async::prelude::Queryable;
use tokio_postgres::{Client, NoTls};

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

fn pg_port() -> u16 {
    port("FERRIUM_PG_PORT", 5432)
}

fn mariadb_port() -> u16 {
    port("FERRIUM_MARIADB_PORT", 3306)
}

async fn pg(db: &str) -> Client {
    let conninfo = format!(
        "host=127.0.0.1 port={} user=postgres dbname={db}",
        pg_port()
    );
    let (client, connection) = tokio_postgres::connect(&conninfo, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable on 127.0.0.1:{} ({e}); start it with `scripts/services.sh up`",
                pg_port()
            )
        });
    tokio::spawn(connection);
    client
}

async fn mariadb(db: Option<&str>) -> mysql_async::Conn {
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(mariadb_port())
        .user(Some("root"))
        .db_name(db)
        .prefer_socket(false);
    mysql_async::Conn::new(opts).await.unwrap_or_else(|e| {
        panic!(
            "MariaDB is not reachable on 127.0.0.1:{} ({e}); start it with `scripts/services.sh up`",
            mariadb_port()
        )
    })
}

/// A PostgreSQL database and a MariaDB database of their own for one test.
struct Fixture {
    name: String,
    pg: Client,
    my: mysql_async::Conn,
}

impl Fixture {
    async fn create(tag: &str) -> Fixture {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("fv_{tag}_{}_{nanos}", std::process::id());
        pg("postgres")
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        mariadb(None)
            .await
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .await
            .unwrap();
        Fixture {
            pg: pg(&name).await,
            my: mariadb(Some(&name)).await,
            name,
        }
    }

    fn pg_url(&self) -> String {
        format!(
            "jdbc:postgresql://127.0.0.1:{}/{}?user=postgres",
            pg_port(),
            self.name
        )
    }

    fn my_url(&self) -> String {
        format!("jdbc:mariadb://127.0.0.1:{}/{}", mariadb_port(), self.name)
    }

    async fn pg_exec(&self, sql: &str) {
        self.pg
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    async fn my_exec(&mut self, sql: &str) {
        self.my
            .query_drop(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Options from the PostgreSQL source to `target_table` in MariaDB (`to_mariadb`) or
    /// in this PostgreSQL database.
    fn options(&self, to_mariadb: bool, target_table: &str, exclude: &[&str]) -> VerifyOptions {
        VerifyOptions {
            source: Endpoint {
                url: self.pg_url(),
                user: None,
                password: None,
                table: "src.items".into(),
            },
            target: Endpoint {
                url: if to_mariadb {
                    self.my_url()
                } else {
                    self.pg_url()
                },
                user: to_mariadb.then(|| "root".to_string()),
                password: None,
                table: target_table.into(),
            },
            key: None,
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            samples: 10,
        }
    }

    async fn drop(self) {
        drop(self.pg);
        let _ = pg("postgres")
            .await
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await;
        let mut my = self.my;
        let _ = my
            .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name))
            .await;
    }
}

/// The source: one row of every common type family, one of NULLs, one of edge values.
const SOURCE: &str = r#"
CREATE SCHEMA src;
CREATE TYPE src.mood AS ENUM ('sad', 'happy');
CREATE TABLE src.items (
    id int PRIMARY KEY, flag boolean, small smallint, big bigint, num numeric(12,4),
    f4 real, f8 double precision, txt text, ch char(5), vc varchar(20), bin bytea,
    day date, clock time(6), ts timestamp(6), tstz timestamptz(6), doc jsonb, uid uuid,
    span interval, mood src.mood, nums int[]
);
INSERT INTO src.items VALUES
 (1, true, -32768, 9223372036854775807, 1.5, 3.14, 0.30000000000000004, 'héllo ✓ ', 'ab',
  'Vc', '\xdeadbeef', '2024-02-29', '04:05:06.789', '2024-02-29 23:59:59.123456',
  '2020-01-02 03:04:05.123456+02', '{"b": [1, 2.50], "a": "x"}',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '1 mon 2 days 03:00:00.5', 'happy', '{1,2,3}'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL),
 (3, false, 0, -9223372036854775808, -0.0001, -0.5, -1e300, '', '', '', '\x', '1970-01-01',
  '00:00:00', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '[]',
  '00000000-0000-0000-0000-000000000000', '0', 'sad', '{}');
"#;

/// The copy in MariaDB as the JDBC sink writes it: booleans as tinyint(1), zoned
/// timestamps in UTC, UUIDs as text (here in upper case), JSON re-serialised, intervals
/// as Debezium's microseconds, enums as text. PostgreSQL arrays have no MariaDB type.
const MARIADB_COPY: &str = r#"
CREATE TABLE items (
    id int PRIMARY KEY, flag boolean, small smallint, big bigint, num decimal(20,6),
    f4 float, f8 double, txt longtext, ch char(5), vc varchar(20), bin longblob,
    day date, clock time(6), ts datetime(6), tstz datetime(6), doc json, uid varchar(36),
    span bigint, mood varchar(10)
);
INSERT INTO items VALUES
 (1, 1, -32768, 9223372036854775807, 1.500000, 3.14, 0.30000000000000004, 'héllo ✓ ', 'ab',
  'Vc', X'DEADBEEF', '2024-02-29', '04:05:06.789', '2024-02-29 23:59:59.123456',
  '2020-01-02 01:04:05.123456', '{"a":"x","b":[1,2.5]}',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 2813400500000, 'happy'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL),
 (3, 0, 0, -9223372036854775808, -0.0001, -0.5, -1e300, '', '', '', X'', '1970-01-01',
  '00:00:00', '1970-01-01 00:00:00', '1970-01-01 00:00:00', '[]',
  '00000000-0000-0000-0000-000000000000', 0, 'sad');
"#;

/// The copy in PostgreSQL: numerics at another scale, the real in a double column (as
/// the float's binary value widened), the enum as text.
const PG_COPY: &str = r#"
CREATE SCHEMA copy;
CREATE TABLE copy.items (
    id int PRIMARY KEY, flag boolean, small smallint, big bigint, num numeric(20,6),
    f4 double precision, f8 double precision, txt text, ch char(8), vc text, bin bytea,
    day date, clock time(6), ts timestamp(6), tstz timestamptz(6), doc jsonb, uid uuid,
    span interval, mood text, nums int[]
);
INSERT INTO copy.items SELECT id, flag, small, big, num, f4::float8, f8, txt, ch, vc, bin,
    day, clock, ts, tstz, doc, uid, span, mood::text, nums FROM src.items;
"#;

async fn setup(tag: &str) -> Fixture {
    let mut f = Fixture::create(tag).await;
    f.pg_exec(SOURCE).await;
    f.pg_exec(PG_COPY).await;
    f.my_exec(MARIADB_COPY).await;
    f
}

fn keys(report: &Report, kind: &str) -> Vec<String> {
    let list = match kind {
        "missing" => &report.samples.missing_in_target,
        "extra" => &report.samples.extra_in_target,
        _ => unreachable!(),
    };
    list.iter()
        .map(|k| k[0].value.clone().unwrap_or_default())
        .collect()
}

fn assert_one_of_each(report: &Report, column: &str) {
    assert_eq!(
        (
            report.missing_in_target,
            report.extra_in_target,
            report.different
        ),
        (1, 1, 1),
        "{report}"
    );
    assert_eq!(keys(report, "missing"), ["3"], "{report}");
    assert_eq!(keys(report, "extra"), ["100"], "{report}");
    let different = &report.samples.different[0];
    assert_eq!(different.key[0].value.as_deref(), Some("1"), "{report}");
    let columns: Vec<&str> = different
        .columns
        .iter()
        .map(|c| c.column.as_str())
        .collect();
    assert_eq!(columns, [column], "{report}");
    assert_eq!(
        (report.source_rows, report.target_rows, report.matched),
        (3, 3, 1)
    );
    assert!(!report.is_equal());
    assert!(report
        .to_string()
        .ends_with("verify: 3 rows, 1 missing, 1 extra, 1 different"));
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrium"))
        .arg("verify")
        .args(args)
        .output()
        .expect("the ferrium binary starts");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    transcript::keep("ferrium verify", &format!("{stdout}{stderr}"));
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_to_mariadb_equal_then_exactly_the_changed_keys() {
    let mut f = setup("pg_my").await;
    let options = f.options(true, "items", &["nums"]);
    let report = verify(&options).await.unwrap();
    assert!(report.is_equal(), "{report}");
    assert_eq!(report.matched, 3);
    assert_eq!(report.compared.len(), 18, "{report}");
    let pg_url = f.pg_url();
    let my_url = f.my_url();
    let base = [
        "--source-url",
        pg_url.as_str(),
        "--source-table",
        "src.items",
        "--target-url",
        my_url.as_str(),
        "--target-user",
        "root",
        "--exclude",
        "nums",
    ];
    let (code, stdout, stderr) = cli(&base);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.ends_with("verify: 3 rows, 0 missing, 0 extra, 0 different\n"),
        "{stdout}"
    );

    f.my_exec("UPDATE items SET num = 2.5 WHERE id = 1; DELETE FROM items WHERE id = 3; INSERT INTO items (id) VALUES (100)")
        .await;
    let report = verify(&options).await.unwrap();
    assert_one_of_each(&report, "num");
    assert_eq!(
        report.samples.different[0].columns[0].source.as_deref(),
        Some("1.5")
    );
    assert_eq!(
        report.samples.different[0].columns[0].target.as_deref(),
        Some("2.5")
    );

    let (code, stdout, stderr) = cli(&base);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("id=\"1\": num: source \"1.5\", target \"2.5\""),
        "{stdout}"
    );
    let mut json_args = base.to_vec();
    json_args.push("--json");
    let (code, stdout, _) = cli(&json_args);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["missing_in_target"], 1);
    assert_eq!(json["samples"]["extra_in_target"][0][0]["value"], "100");
    f.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_value_of_every_family_is_seen_in_its_column() {
    let mut f = setup("each").await;
    let options = f.options(true, "items", &["nums"]);
    // (id, column, changed value, the copy's value) in the MariaDB copy.
    let cases = [
        (1, "flag", "0", "1"),
        (1, "small", "-32767", "-32768"),
        (1, "big", "9223372036854775806", "9223372036854775807"),
        (1, "num", "1.5001", "1.5"),
        (1, "f4", "3.15", "3.14"),
        (1, "f8", "0.3", "0.30000000000000004"),
        (1, "txt", "'héllo ✓'", "'héllo ✓ '"),
        (1, "ch", "'abc'", "'ab'"),
        (1, "vc", "'vc'", "'Vc'"),
        (1, "bin", "X'DEADBEEE'", "X'DEADBEEF'"),
        (1, "day", "'2024-02-28'", "'2024-02-29'"),
        (1, "clock", "'04:05:06.788'", "'04:05:06.789'"),
        (
            1,
            "ts",
            "'2024-02-29 23:59:59.123457'",
            "'2024-02-29 23:59:59.123456'",
        ),
        // The local time instead of UTC.
        (
            1,
            "tstz",
            "'2020-01-02 03:04:05.123456'",
            "'2020-01-02 01:04:05.123456'",
        ),
        (
            1,
            "doc",
            r#"'{"a":"x","b":[1,2.51]}'"#,
            r#"'{"a":"x","b":[1,2.5]}'"#,
        ),
        (
            1,
            "uid",
            "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'",
            "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
        ),
        (1, "span", "2813400500001", "2813400500000"),
        (1, "mood", "'sad'", "'happy'"),
        // NULL is not the empty string, nor the empty string NULL.
        (3, "txt", "NULL", "''"),
        (2, "vc", "''", "NULL"),
    ];
    for (id, column, changed, original) in cases {
        f.my_exec(&format!(
            "UPDATE items SET {column} = {changed} WHERE id = {id}"
        ))
        .await;
        let report = verify(&options).await.unwrap();
        assert_eq!(
            (report.different, report.matched),
            (1, 2),
            "{column}: {report}"
        );
        let named: Vec<&str> = report.samples.different[0]
            .columns
            .iter()
            .map(|c| c.column.as_str())
            .collect();
        assert_eq!(named, [column], "{report}");
        f.my_exec(&format!(
            "UPDATE items SET {column} = {original} WHERE id = {id}"
        ))
        .await;
    }
    assert!(verify(&options).await.unwrap().is_equal());
    f.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_to_postgres_equal_across_scales_then_exactly_the_changed_keys() {
    let f = setup("pg_pg").await;
    // numeric(12,4) 1.5000 against numeric(20,6) 1.500000: one value, so equal.
    let options = f.options(false, "copy.items", &[]);
    let report = verify(&options).await.unwrap();
    assert!(report.is_equal(), "{report}");
    assert_eq!(report.compared.len(), 19, "{report}");

    f.pg_exec("UPDATE copy.items SET txt = 'changed' WHERE id = 1; DELETE FROM copy.items WHERE id = 3; INSERT INTO copy.items (id) VALUES (100)")
        .await;
    let report = verify(&options).await.unwrap();
    assert_one_of_each(&report, "txt");
    f.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_as_the_source() {
    let mut f = setup("my_pg").await;
    let options = VerifyOptions {
        source: Endpoint {
            url: f.my_url(),
            user: Some("root".into()),
            password: None,
            table: "items".into(),
        },
        target: Endpoint {
            url: f.pg_url(),
            user: None,
            password: None,
            table: "copy.items".into(),
        },
        key: None,
        exclude: Vec::new(),
        samples: 10,
    };
    // The target's extra array column is not a difference.
    let report = verify(&options).await.unwrap();
    assert!(report.is_equal(), "{report}");
    f.my_exec("UPDATE items SET span = 1 WHERE id = 1").await;
    let report = verify(&options).await.unwrap();
    assert_eq!(
        report.samples.different[0].columns[0].column, "span",
        "{report}"
    );
    f.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_column_is_a_difference_of_shape_and_the_rest_is_still_compared() {
    let mut f = setup("shape").await;
    // Without --exclude, the array column the MariaDB copy cannot hold is reported.
    let options = f.options(true, "items", &[]);
    let report = verify(&options).await.unwrap();
    assert_eq!(report.shape.len(), 1, "{report}");
    assert_eq!((report.matched, report.different), (3, 0));
    assert!(!report.is_equal());
    assert!(report
        .to_string()
        .contains("source column 'nums' (integer[]) is not in the target"));
    f.my_exec("UPDATE items SET flag = 0 WHERE id = 1").await;
    let report = verify(&options).await.unwrap();
    assert_eq!(
        report.samples.different[0].columns[0].column, "flag",
        "{report}"
    );
    f.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_name_the_problem_and_the_fix_and_exit_2() {
    let f = setup("errors").await;
    f.pg_exec("CREATE TABLE src.nokey (a int, b text); CREATE TABLE copy.nokey (a int, b text)")
        .await;
    let pg_url = f.pg_url();
    let run = |table: &str, extra: &[&str]| {
        let mut args = vec![
            "--source-url",
            pg_url.as_str(),
            "--source-table",
            table,
            "--target-url",
            pg_url.as_str(),
        ];
        args.extend_from_slice(extra);
        cli(&args)
    };
    let (code, _, stderr) = run("src.nokey", &["--target-table", "copy.nokey"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no primary key") && stderr.contains("--key"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run("src.nokey", &["--target-table", "copy.nokey", "--key", "a"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = run("src.absent", &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("'src.absent' is not in") && stderr.contains("--source-table"),
        "{stderr}"
    );
    let (code, _, stderr) = run(
        "src.items",
        &["--target-table", "copy.items", "--key", "nope"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("--key column 'nope'"), "{stderr}");
    f.drop().await;
}
