//! Property tests of the DDL parser (#13 item 8): any statement text of a QUERY event,
//! random or a valid statement with characters replaced, cut or repeated, gives table
//! changes or a `DdlError`, never a panic; and whatever changes it gives survive the schema
//! history's JSON round trip. A history entry with bytes changed reads back or fails.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use super::json::{from_json, to_json};
use super::*;

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` alone ignores it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    config.failure_persistence = None;
    config
}

const STATEMENTS: &[&str] = &[
    "CREATE TABLE `customers` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `email` varchar(255) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL,\n  `created` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n  `doc` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`doc`)),\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `email` (`email`)\n) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE all_types (a tinyint(3) unsigned zerofill DEFAULT NULL, c decimal(10,2) NOT NULL DEFAULT 1.50, e bit(5) DEFAULT b'101', f enum('a','b''c','d\\\\e') DEFAULT 'b''c', g set('x','y') DEFAULT 'x,y', i time(3), k datetime(6) DEFAULT '2020-01-01 00:00:00.000000', l point, n binary(4), u uuid, j json)",
    "CREATE TABLE IF NOT EXISTS inv.p2 (a int, b varchar(3), CONSTRAINT pk PRIMARY KEY (b, a) USING BTREE, FOREIGN KEY (a) REFERENCES x(y))",
    "CREATE TABLE c LIKE inv.t",
    "CREATE TABLE e (a int) ENGINE=InnoDB /*!50100 PARTITION BY HASH (a) PARTITIONS 2 */",
    "ALTER TABLE t ADD COLUMN x int FIRST, ADD y int AFTER a, ADD (p int, q int NOT NULL DEFAULT 3)",
    "ALTER TABLE t CHANGE COLUMN a id bigint unsigned NOT NULL AUTO_INCREMENT AFTER c, MODIFY b text, RENAME COLUMN c TO d",
    "ALTER TABLE t DROP COLUMN b, DROP IF EXISTS nope, DROP PRIMARY KEY, ADD PRIMARY KEY (a, c)",
    "ALTER TABLE t ALTER COLUMN c SET DEFAULT 5, RENAME TO t2, CONVERT TO CHARACTER SET latin1",
    "RENAME TABLE t TO u, inv.a TO other.b",
    "DROP TABLE IF EXISTS t, inv.a",
    "CREATE DATABASE d2 CHARACTER SET latin1; DROP DATABASE d2",
    "CREATE UNIQUE INDEX ix ON t (b)",
    "/*!40101 SET NAMES utf8 */; INSERT INTO t VALUES (1)",
    "TRUNCATE TABLE t",
];

/// Edits by character: one replaced, a cut, an insertion, a span repeated.
fn mutated() -> impl Strategy<Value = String> {
    let noise = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            '(', ')', ',', '`', '\'', '"', ';', ' ', '/', '*', '!', '\\', '-', '#', '0'
        ]),
    ];
    (
        prop::sample::select(STATEMENTS),
        prop::collection::vec((0u8..4, any::<prop::sample::Index>(), noise), 1..5),
    )
        .prop_map(|(sql, edits)| {
            let mut chars: Vec<char> = sql.chars().collect();
            for (op, at, c) in edits {
                let len = chars.len();
                match op {
                    0 if len > 0 => chars[at.index(len)] = c,
                    1 => chars.truncate(at.index(len + 1)),
                    2 => chars.insert(at.index(len + 1), c),
                    _ if len > 0 => {
                        let from = at.index(len);
                        let to = (from + 24).min(len);
                        let span: Vec<char> = chars[from..to].to_vec();
                        for _ in 0..4 {
                            chars.splice(from..from, span.iter().copied());
                        }
                    }
                    _ => {}
                }
            }
            chars.into_iter().collect()
        })
}

fn sql() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => "(CREATE|ALTER|DROP|RENAME) TABLE [`a-z(), ';/*!0-9]{0,40}",
        6 => mutated(),
    ]
}

fn seeded() -> Schemas {
    let mut s = Schemas::new();
    apply(
        &mut s,
        "inv",
        "CREATE TABLE t (a int NOT NULL, b varchar(10), c int, PRIMARY KEY (a)) DEFAULT CHARSET=utf8mb4",
    )
    .expect("the seed table parses");
    apply(&mut s, "inv", "CREATE TABLE a (x int PRIMARY KEY)").expect("the seed table parses");
    s
}

proptest! {
    #![proptest_config(config(1_000))]

    #[test]
    fn any_statement_applies_or_fails_cleanly(statements in prop::collection::vec(sql(), 1..3)) {
        let mut schemas = seeded();
        for sql in statements {
            let _ = classify(&sql);
            if let Ok(changes) = apply(&mut schemas, "inv", &sql) {
                for change in changes {
                    let json = to_json(&change);
                    prop_assert!(from_json(&json).is_ok(), "{json}");
                }
            }
        }
    }

    #[test]
    fn any_history_entry_reads_or_fails_cleanly(
        statement in prop::sample::select(&STATEMENTS[..3]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..4),
    ) {
        let mut schemas = seeded();
        let changes = apply(&mut schemas, "inv", statement).unwrap();
        let text = to_json(&changes[0]).to_string();
        let mut chars: Vec<char> = text.chars().collect();
        for (at, c) in edits {
            let len = chars.len();
            chars[at.index(len)] = c;
        }
        let text: String = chars.into_iter().collect();
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = from_json(&json);
        }
    }
}
