//! A source connector and the JDBC sink in one `ferrium run`, on the real PostgreSQL,
//! MariaDB and Kafka: the source writes change topics exactly once, the sink applies
//! them to a target database; tests wait for the target to reach an expected state.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use serde_json::{json, Value};

use crate::mysql_support;
use crate::support::{self, kafka_bootstrap, pg_port, Ferrium, TestDb};

/// The target of a sink: a fresh database of its own.
pub enum Target {
    Postgres(TestDb),
    Mariadb(mysql_support::TestDb),
}

impl Target {
    pub async fn postgres(tag: &str) -> Target {
        Target::Postgres(TestDb::create(tag).await)
    }

    pub async fn mariadb(tag: &str) -> Target {
        Target::Mariadb(mysql_support::TestDb::create(tag).await)
    }

    pub fn name(&self) -> &str {
        match self {
            Target::Postgres(db) => &db.name,
            Target::Mariadb(db) => &db.name,
        }
    }

    pub fn jdbc_url(&self) -> String {
        match self {
            Target::Postgres(db) => {
                format!("jdbc:postgresql://127.0.0.1:{}/{}", pg_port(), db.name)
            }
            Target::Mariadb(db) => format!(
                "jdbc:mariadb://127.0.0.1:{}/{}",
                mysql_support::mariadb_port(),
                db.name
            ),
        }
    }

    pub fn username(&self) -> &'static str {
        match self {
            Target::Postgres(_) => "postgres",
            Target::Mariadb(_) => "root",
        }
    }

    /// The sink's connector config, reading `topics` (none: `extra` names them), with
    /// `extra` options.
    pub fn sink(&self, name: &str, topics: &str, extra: &[(&str, &str)]) -> Value {
        let mut config = serde_json::Map::new();
        for (k, v) in [
            (
                "connector.class",
                "io.debezium.connector.jdbc.JdbcSinkConnector",
            ),
            ("connection.username", self.username()),
            ("connection.password", ""),
        ] {
            config.insert(k.into(), v.into());
        }
        if !topics.is_empty() {
            config.insert("topics".into(), topics.into());
        }
        config.insert("connection.url".into(), self.jdbc_url().into());
        for (k, v) in extra {
            config.insert(k.to_string(), Value::String(v.to_string()));
        }
        json!({"name": name, "config": config})
    }

    /// The rows of `sql` as text, one string per row, columns joined by `|` (NULL as
    /// `∅`), in the order the query gives.
    pub async fn rows(&mut self, sql: &str) -> Vec<String> {
        match self {
            Target::Postgres(db) => match db.client.query(sql, &[]).await {
                Ok(rows) => rows
                    .iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| r.get::<_, Option<String>>(i).unwrap_or_else(|| "∅".into()))
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                    .collect(),
                // The table may not exist yet.
                Err(_) => Vec::new(),
            },
            Target::Mariadb(db) => match db.conn.query::<mysql_async::Row, _>(sql).await {
                Ok(rows) => rows
                    .into_iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| match r.as_ref(i) {
                                Some(mysql_async::Value::NULL) | None => "∅".to_string(),
                                Some(mysql_async::Value::Bytes(b)) => {
                                    String::from_utf8_lossy(b).into_owned()
                                }
                                Some(other) => other.as_sql(true),
                            })
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                    .collect(),
                Err(_) => Vec::new(),
            },
        }
    }

    /// The target's scratch folder (worker and connector files of its sink).
    pub fn dir(&self) -> std::path::PathBuf {
        match self {
            Target::Postgres(db) => db.dir.path().to_path_buf(),
            Target::Mariadb(db) => db.dir.path().to_path_buf(),
        }
    }

    /// Drops the target database.
    pub async fn drop(self) {
        match self {
            Target::Postgres(db) => db.drop().await,
            Target::Mariadb(db) => db.drop().await,
        }
    }

    pub async fn exec(&mut self, sql: &str) {
        match self {
            Target::Postgres(db) => db.exec(sql).await,
            Target::Mariadb(db) => db.exec(sql).await,
        }
    }

    /// Polls `sql` until its rows equal `expected`; panics with both and the log.
    pub async fn wait_for_rows(&mut self, sql: &str, expected: &[&str], ferrium: &Ferrium) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let rows = self.rows(sql).await;
            if rows == expected {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "target rows of `{sql}`:\n{rows:#?}\nexpected:\n{expected:#?}\nferrium log:\n{}",
                    ferrium.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Worker properties for Kafka with exactly-once sources; offsets topic per test.
pub fn kafka_worker(dir: &std::path::Path, tag: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join("worker.properties");
    let mut text = format!(
        "bootstrap.servers={}\noffset.storage.topic={tag}-offsets\noffset.flush.interval.ms=100\n",
        kafka_bootstrap()
    );
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes connectors to one file for `ferrium run`.
pub fn write_connectors(dir: &std::path::Path, connectors: &[Value]) -> PathBuf {
    let path = dir.join("connectors.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&Value::Array(connectors.to_vec())).unwrap(),
    )
    .unwrap();
    path
}

/// The PostgreSQL source's config with topic prefix `prefix`.
pub fn pg_source(db: &TestDb, prefix: &str, extra: &[(&str, &str)]) -> Value {
    let mut options: Vec<(&str, &str)> = vec![("topic.prefix", prefix)];
    options.extend_from_slice(extra);
    db.connector(&options)
}

/// Runs the connectors and waits until the PostgreSQL source streams.
pub fn start(dir: &std::path::Path, tag: &str, connectors: &[Value]) -> Ferrium {
    start_waiting(dir, tag, connectors, "streaming started")
}

/// Runs the connectors and waits for `line` in the log.
pub fn start_waiting(
    dir: &std::path::Path,
    tag: &str,
    connectors: &[Value],
    line: &str,
) -> Ferrium {
    let worker = kafka_worker(dir, tag, &[]);
    let ferrium = Ferrium::start(&write_connectors(dir, connectors), &worker);
    ferrium.wait_for_log(line);
    ferrium
}

/// The MariaDB source's config, topic prefix `prefix`, its schema history in Kafka.
pub fn mariadb_source(db: &mysql_support::TestDb, prefix: &str) -> Value {
    let servers = kafka_bootstrap();
    let history = format!("{prefix}.history");
    db.connector(&[
        ("topic.prefix", prefix),
        ("include.schema.changes", "false"),
        ("schema.history.internal.kafka.bootstrap.servers", &servers),
        ("schema.history.internal.kafka.topic", &history),
    ])
}

pub fn mariadb_url(db: &str) -> String {
    format!(
        "jdbc:mariadb://127.0.0.1:{}/{db}",
        mysql_support::mariadb_port()
    )
}

/// Runs connectors without waiting for anything (a sink alone).
pub fn start_only(dir: &std::path::Path, tag: &str, connectors: &[Value]) -> Ferrium {
    let worker = kafka_worker(dir, tag, &[]);
    Ferrium::start(&write_connectors(dir, connectors), &worker)
}

#[allow(unused_imports)]
pub use support::TestDb as PgDb;

/// `ferrium verify` of a source table against its read model: (exit code, report).
pub fn verify(
    source_url: &str,
    source_user: &str,
    source_table: &str,
    target: &Target,
    target_table: &str,
    extra: &[&str],
) -> (i32, String) {
    let target_url = target.jdbc_url();
    let mut args = vec![
        "verify",
        "--source-url",
        source_url,
        "--source-user",
        source_user,
        "--source-table",
        source_table,
        "--target-url",
        &target_url,
        "--target-user",
        target.username(),
        "--target-table",
        target_table,
    ];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(support::ferrium_binary())
        .args(&args)
        .output()
        .expect("the ferrium binary starts");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    support::transcript::keep("ferrium cli", &output);
    (out.status.code().unwrap_or(-1), output)
}

/// Asserts that verify finds the read model equal to its source.
pub fn assert_verified(
    source_url: &str,
    source_user: &str,
    source_table: &str,
    target: &Target,
    target_table: &str,
    extra: &[&str],
) {
    let (code, report) = verify(
        source_url,
        source_user,
        source_table,
        target,
        target_table,
        extra,
    );
    assert_eq!(code, 0, "verify found differences:\n{report}");
    assert!(
        report.contains("0 missing, 0 extra, 0 different"),
        "{report}"
    );
}

pub fn pg_url(db: &str) -> String {
    format!("jdbc:postgresql://127.0.0.1:{}/{db}", pg_port())
}
