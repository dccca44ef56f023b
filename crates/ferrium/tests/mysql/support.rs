//! Harness for the MySQL/MariaDB end-to-end tests: a throwaway database on the MariaDB
//! that `scripts/services.sh up` started (binlog ROW/FULL, GTIDs), a replica id of its
//! own per test, and the real `ferrium` binary run against it.
//!
//! Nothing here is mocked. When MariaDB is not running the tests fail with a message that
//! says how to start it; they never skip.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};
use serde_json::{json, Value};

#[path = "../common/process.rs"]
mod process;
pub use process::*;

#[path = "../common/services_env.rs"]
mod services_env;
#[allow(unused_imports)]
pub use services_env::{service_env, tls_file};

#[path = "../common/topic_reader.rs"]
mod topic_reader;
// Each test binary that includes this file uses a different part of it.
#[allow(unused_imports)]
pub use topic_reader::{kafka_bootstrap, TopicReader};

pub fn mariadb_port() -> u16 {
    std::env::var("FERRIUM_MARIADB_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3306)
}

pub async fn connect_as(user: &str, password: &str, db: Option<&str>) -> Conn {
    let opts = OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(mariadb_port())
        .user(Some(user))
        .pass(Some(password))
        .db_name(db)
        .prefer_socket(false);
    Conn::new(opts).await.unwrap_or_else(|e| {
        panic!(
            "MariaDB is not reachable on 127.0.0.1:{} ({e}); start it with `scripts/services.sh up`",
            mariadb_port()
        )
    })
}

pub async fn connect(db: Option<&str>) -> Conn {
    connect_as("root", "", db).await
}

/// A replica id no other test of this run uses (and never the server's own, 1).
fn next_server_id() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = 10_000 + (std::process::id() % 50_000) * 100;
    base + NEXT.fetch_add(1, Ordering::SeqCst)
}

/// A database of its own for one test.
pub struct TestDb {
    pub name: String,
    pub conn: Conn,
    pub server_id: u32,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn create(tag: &str) -> TestDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("ft_{tag}_{}_{nanos}", std::process::id());
        let mut admin = connect(None).await;
        admin
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .await
            .unwrap();
        let conn = connect(Some(&name)).await;
        TestDb {
            name,
            conn,
            server_id: next_server_id(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs statements separated by `;` (no procedures), in order.
    pub async fn exec(&mut self, sql: &str) {
        self.conn
            .query_drop(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn query_rows<T: mysql_async::prelude::FromRow + Send + 'static>(
        &mut self,
        sql: &str,
    ) -> Vec<T> {
        self.conn
            .query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The connector config every test starts from.
    pub fn connector(&self, extra: &[(&str, &str)]) -> Value {
        let mut config: BTreeMap<String, String> = [
            (
                "connector.class",
                "io.debezium.connector.mysql.MySqlConnector",
            ),
            ("database.hostname", "127.0.0.1"),
            ("database.user", "root"),
            ("database.password", ""),
            ("topic.prefix", "test"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        config.insert("database.port".into(), mariadb_port().to_string());
        config.insert("database.server.id".into(), self.server_id.to_string());
        config.insert("database.include.list".into(), self.name.clone());
        for (k, v) in extra {
            config.insert(k.to_string(), v.to_string());
        }
        json!({"name": format!("{}-connector", self.name), "config": config})
    }

    pub fn offsets_path(&self) -> PathBuf {
        self.dir.path().join("ferrium.offsets")
    }

    /// Where the embedded default keeps this test's schema history.
    pub fn history_path(&self) -> PathBuf {
        self.dir
            .path()
            .join(format!("{}-connector.schema-history.jsonl", self.name))
    }

    /// Worker properties with the embedded default (stdout) plus `extra` lines.
    pub fn worker(&self, extra: &[&str]) -> PathBuf {
        let path = self.dir.path().join("worker.properties");
        let mut text = format!(
            "offset.storage.file.filename={}\noffset.flush.interval.ms=100\n",
            self.offsets_path().display()
        );
        for line in extra {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn write_connector(&self, connector: &Value) -> PathBuf {
        let path = self.dir.path().join("connector.json");
        std::fs::write(&path, serde_json::to_string_pretty(connector).unwrap()).unwrap();
        path
    }

    /// Starts ferrium with the default worker and `extra` connector options.
    pub fn start(&self, extra: &[(&str, &str)]) -> Ferrium {
        let connector = self.write_connector(&self.connector(extra));
        Ferrium::start(&connector, &self.worker(&[]))
    }

    pub fn topic(&self, table: &str) -> String {
        format!("test.{}.{table}", self.name)
    }

    pub async fn drop(mut self) {
        let _ = self
            .conn
            .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name))
            .await;
    }
}

/// The data records of one table's topic (tombstones included).
pub fn of_topic<'a>(lines: &'a [Line], topic: &str) -> Vec<&'a Line> {
    lines.iter().filter(|l| l.topic == topic).collect()
}
