//! Deciding from its first words what a binlog QUERY statement is, before (and without)
//! parsing it: only table DDL may fail, everything else a QUERY event carries (`BEGIN`,
//! `XA …`, `GRANT`, statement-based DML, routines…) is passed over untouched.

use super::lexer::unwrap_executable_comments;

/// What kind of statement a QUERY event holds, as far as the table model is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// `CREATE`/`ALTER`/`DROP`/`RENAME TABLE`: changes the model; a failure is an error.
    TableDdl,
    /// `CREATE`/`ALTER`/`DROP DATABASE|SCHEMA`.
    DatabaseDdl,
    /// `CREATE`/`DROP INDEX`.
    IndexDdl,
    /// `TRUNCATE [TABLE]`: no schema change (Debezium emits a truncate, not a table change).
    Truncate,
    /// Anything else.
    Other,
}

/// Classifies a statement by its leading keywords (comments and executable-comment
/// markers skipped).
pub fn classify(sql: &str) -> StatementKind {
    let text = unwrap_executable_comments(sql);
    let words = leading_words(&text, 6);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["CREATE", rest @ ..] => {
            let rest = skip(rest, &["OR", "REPLACE", "TEMPORARY", "GLOBAL", "LOCAL"]);
            match rest.first() {
                Some(&"TABLE") => StatementKind::TableDdl,
                Some(&("DATABASE" | "SCHEMA")) => StatementKind::DatabaseDdl,
                Some(&"INDEX") => StatementKind::IndexDdl,
                Some(&("UNIQUE" | "FULLTEXT" | "SPATIAL")) if rest.get(1) == Some(&"INDEX") => {
                    StatementKind::IndexDdl
                }
                _ => StatementKind::Other,
            }
        }
        ["ALTER", rest @ ..] => match skip(rest, &["ONLINE", "OFFLINE", "IGNORE"]).first() {
            Some(&"TABLE") => StatementKind::TableDdl,
            Some(&("DATABASE" | "SCHEMA")) => StatementKind::DatabaseDdl,
            _ => StatementKind::Other,
        },
        ["DROP", rest @ ..] => match skip(rest, &["TEMPORARY"]).first() {
            Some(&"TABLE") => StatementKind::TableDdl,
            Some(&("DATABASE" | "SCHEMA")) => StatementKind::DatabaseDdl,
            Some(&"INDEX") => StatementKind::IndexDdl,
            _ => StatementKind::Other,
        },
        ["RENAME", "TABLE", ..] => StatementKind::TableDdl,
        ["TRUNCATE", ..] => StatementKind::Truncate,
        _ => StatementKind::Other,
    }
}

fn skip<'a, 'b>(mut words: &'a [&'b str], skippable: &[&str]) -> &'a [&'b str] {
    while let Some(first) = words.first() {
        if skippable.contains(first) {
            words = &words[1..];
        } else {
            break;
        }
    }
    words
}

/// The first `n` words (letters, digits, `_`) in upper case, skipping comments.
fn leading_words(text: &str, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    while words.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |p| &r[p + 2..]);
            continue;
        }
        if rest.starts_with("--") || rest.starts_with('#') {
            rest = rest.find('\n').map_or("", |p| &rest[p + 1..]);
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        words.push(rest[..end].to_ascii_uppercase());
        rest = &rest[end..];
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ddl_is_recognised_through_comments_and_modifiers() {
        for sql in [
            "CREATE TABLE t (a int)",
            "/* x */ create temporary table t (a int)",
            "CREATE OR REPLACE TABLE t (a int)",
            "ALTER ONLINE IGNORE TABLE t ADD b int",
            "-- c\nDROP TABLE IF EXISTS t",
            "/*!40000 ALTER TABLE `t` DISABLE KEYS */",
            "rename table a to b",
        ] {
            assert_eq!(classify(sql), StatementKind::TableDdl, "{sql}");
        }
    }

    #[test]
    fn other_statements() {
        assert_eq!(classify("CREATE DATABASE d"), StatementKind::DatabaseDdl);
        assert_eq!(
            classify("DROP SCHEMA IF EXISTS d"),
            StatementKind::DatabaseDdl
        );
        assert_eq!(
            classify("CREATE UNIQUE INDEX u ON t (a)"),
            StatementKind::IndexDdl
        );
        assert_eq!(classify("DROP INDEX u ON t"), StatementKind::IndexDdl);
        assert_eq!(classify("TRUNCATE TABLE t"), StatementKind::Truncate);
        for sql in [
            "BEGIN",
            "COMMIT",
            "XA START 'x'",
            "SAVEPOINT s",
            "GRANT ALL ON *.* TO 'u'@'%'",
            "CREATE USER u",
            "FLUSH PRIVILEGES",
            "ANALYZE TABLE t",
            "CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN END",
            "CREATE VIEW v AS SELECT 1",
            "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @a = 1",
            "SET NAMES utf8mb4",
            "INSERT INTO t VALUES (1)",
            "/*!40101 SET @saved_cs_client = @@character_set_client */",
            "",
        ] {
            assert_eq!(classify(sql), StatementKind::Other, "{sql}");
        }
    }
}
