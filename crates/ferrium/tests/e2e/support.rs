//! Shared harness for the end-to-end tests: a throwaway database on the PostgreSQL that
//! `scripts/services.sh up` started, and the real `ferrium` binary run against it.
//!
//! Nothing here is mocked. When a service is not running the tests fail with a message
//! that says how to start it; they never skip.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use tokio_postgres::{Client, NoTls};

#[path = "../common/process.rs"]
mod process;
pub use process::*;

#[path = "../common/services_env.rs"]
mod services_env;
#[allow(unused_imports)]
pub use services_env::{service_env, tls_file};

#[path = "../common/avro_reader.rs"]
mod avro_reader;
#[allow(unused_imports)]
pub use avro_reader::{produce_avro, read_avro, read_avro_with, schema_registry_url};

#[path = "../common/secret_role.rs"]
mod secret_role;
#[allow(unused_imports)]
pub use secret_role::{grant_sql, secret_role, SECRET_PASSWORD, SECRET_ROLE};

#[path = "../common/topic_reader.rs"]
mod topic_reader;
// Each test binary that includes this file uses a different part of it.
#[allow(unused_imports)]
pub use topic_reader::{
    json_value, kafka_bootstrap, partition_count, read_changes, wait_for_first_offset, TopicReader,
};

pub fn pg_port() -> u16 {
    std::env::var("FERRIUM_PG_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432)
}

pub async fn connect(db: &str) -> Client {
    let url = format!(
        "host=127.0.0.1 port={} user=postgres dbname={db} connect_timeout=10",
        pg_port()
    );
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable on 127.0.0.1:{} ({e}); start it with `scripts/services.sh up`",
            pg_port()
        )
    });
    tokio::spawn(connection);
    client
}

/// A database of its own for one test; its slot has the same name.
pub struct TestDb {
    pub name: String,
    pub client: Client,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn create(tag: &str) -> TestDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("ft_{tag}_{}_{nanos}", std::process::id());
        let admin = connect("postgres").await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let client = connect(&name).await;
        TestDb {
            name,
            client,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn exec(&self, sql: &str) {
        self.client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The connector config every test starts from.
    pub fn connector(&self, extra: &[(&str, &str)]) -> Value {
        let mut config: BTreeMap<String, String> = [
            (
                "connector.class",
                "io.debezium.connector.postgresql.PostgresConnector",
            ),
            ("database.hostname", "127.0.0.1"),
            ("database.user", "postgres"),
            ("database.password", ""),
            ("topic.prefix", "test"),
            ("plugin.name", "pgoutput"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        config.insert("database.port".into(), pg_port().to_string());
        config.insert("database.dbname".into(), self.name.clone());
        config.insert("slot.name".into(), self.name.clone());
        config.insert("publication.name".into(), self.name.clone());
        for (k, v) in extra {
            config.insert(k.to_string(), v.to_string());
        }
        json!({"name": format!("{}-connector", self.name), "config": config})
    }

    pub fn offsets_path(&self) -> PathBuf {
        self.dir.path().join("ferrium.offsets")
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

    pub async fn confirmed_flush_lsn(&self) -> Option<u64> {
        let row = self
            .client
            .query_opt(
                "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = $1",
                &[&self.name],
            )
            .await
            .unwrap()?;
        row.get::<_, Option<i64>>(0).map(|v| v as u64)
    }

    pub async fn current_lsn(&self) -> u64 {
        let row = self
            .client
            .query_one("SELECT (pg_current_wal_lsn() - '0/0')::bigint", &[])
            .await
            .unwrap();
        row.get::<_, i64>(0) as u64
    }

    /// Drops the slot (waiting for it to be released) and the database.
    pub async fn drop(self) {
        let admin = connect("postgres").await;
        for _ in 0..100 {
            let r = admin
                .execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NULL",
                    &[&self.name],
                )
                .await;
            let left = admin
                .query_opt(
                    "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
                    &[&self.name],
                )
                .await
                .unwrap();
            if r.is_ok() && left.is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(self.client);
        let _ = admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await;
    }
}
