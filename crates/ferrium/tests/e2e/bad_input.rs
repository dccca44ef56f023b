//! Bad input: each case is a clear error naming the problem and its fix, a non-zero
//! exit, and nothing half-written (no offsets, no slot).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{run_to_exit, TestDb};

const WAIT: Duration = Duration::from_secs(60);

async fn assert_nothing_written(db: &TestDb) {
    assert!(!db.offsets_path().exists(), "an offsets file was written");
    assert_eq!(
        db.confirmed_flush_lsn().await,
        None,
        "a replication slot was created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_is_a_clear_error() {
    let db = TestDb::create("badpw").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    // scripts/services.sh configures password (scram) authentication for this role only.
    let admin = crate::support::connect("postgres").await;
    admin
        .batch_execute(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferrium_auth_test') THEN
                 CREATE ROLE ferrium_auth_test LOGIN REPLICATION PASSWORD 'right-password';
               END IF;
             END $$;",
        )
        .await
        .unwrap();
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_auth_test"),
        ("database.password", "wrong-password"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("rejected the login of role 'ferrium_auth_test'")
            && log.contains("database.password"),
        "{log}"
    );
    assert!(
        !log.contains("wrong-password"),
        "the password must never be logged:\n{log}"
    );
    assert_nothing_written(&db).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_the_role_cannot_read_is_named_with_the_grant_before_anything_starts() {
    let db = TestDb::create("noselect").await;
    let admin = crate::support::connect("postgres").await;
    admin
        .batch_execute(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferrium_noselect') THEN
                 CREATE ROLE ferrium_noselect LOGIN REPLICATION;
               END IF;
             END $$;",
        )
        .await
        .unwrap();
    db.exec(&format!(
        "CREATE TABLE readable (id int PRIMARY KEY); CREATE TABLE secret (id int PRIMARY KEY);
         GRANT SELECT ON readable TO ferrium_noselect;
         CREATE PUBLICATION {} FOR ALL TABLES;",
        db.name
    ))
    .await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_noselect"),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains(r#"role 'ferrium_noselect' lacks SELECT on public.secret, which the snapshot reads; GRANT SELECT ON "public"."secret" TO "ferrium_noselect""#),
        "{log}"
    );
    assert_nothing_written(&db).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_table_is_a_clear_error() {
    let db = TestDb::create("notable").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector =
        db.write_connector(&db.connector(&[("table.include.list", "public.does_not_exist")]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("no table in database") && log.contains("include"),
        "{log}"
    );
    assert_nothing_written(&db).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_snapshot_mode_names_the_key() {
    let db = TestDb::create("badmode").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector = db.write_connector(&db.connector(&[("snapshot.mode", "sometimes")]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("'snapshot.mode'") && log.contains("sometimes") && log.contains("when_needed"),
        "{log}"
    );
    assert_nothing_written(&db).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let connector = dir.path().join("broken.json");
    std::fs::write(
        &connector,
        "{\"name\": \"x\", \"config\": {\"connector.class\": ",
    )
    .unwrap();
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert_eq!(status.code(), Some(2));
    assert!(
        log.contains("broken.json") && log.contains("not valid JSON"),
        "{log}"
    );
    assert!(!dir.path().join("ferrium.offsets").exists());
}

/// A second PostgreSQL, started here with `wal_level=replica`, rejected with the fix.
#[tokio::test(flavor = "multi_thread")]
async fn wal_level_not_logical_is_a_clear_error() {
    let server = ReplicaServer::start();
    let dir = tempfile::tempdir().unwrap();
    let connector = dir.path().join("c.json");
    let config = serde_json::json!({"name": "walcheck", "config": {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": "127.0.0.1", "database.port": server.port.to_string(),
        "database.user": "postgres", "database.dbname": "postgres", "topic.prefix": "w"}});
    std::fs::write(&connector, config.to_string()).unwrap();
    let worker = dir.path().join("w.properties");
    std::fs::write(
        &worker,
        format!(
            "offset.storage.file.filename={}/o.offsets\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let (status, log) = run_to_exit(&connector, Some(&worker), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("wal_level is 'replica'") && log.contains("wal_level = logical"),
        "{log}"
    );
    assert!(!dir.path().join("o.offsets").exists());
    drop(server);
}

/// A throwaway PostgreSQL with `wal_level=replica`, from the same Debian binaries.
struct ReplicaServer {
    dir: tempfile::TempDir,
    port: u16,
    bin: std::path::PathBuf,
}

impl ReplicaServer {
    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect(
                "PostgreSQL binaries in /usr/lib/postgresql (scripts/services.sh installs them)",
            )
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("an initdb binary");
        let dir = tempfile::Builder::new()
            .prefix("ferrium-walcheck")
            .tempdir_in("/tmp")
            .unwrap();
        let data = dir.path().join("data");
        // initdb runs as the postgres user, which must be able to write here.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .unwrap();
        let port = 20000 + (std::process::id() % 20000) as u16;
        let sh = format!(
            "{bin}/initdb -D {data} -A trust -U postgres >/dev/null && \
             {bin}/pg_ctl -D {data} -w -l {root}/log -o \"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c wal_level=replica\" start >/dev/null",
            root = dir.path().display(),
            bin = bin.display(),
            data = data.display(),
        );
        let status = as_postgres(&sh);
        assert!(status, "could not start a second PostgreSQL on port {port}");
        ReplicaServer { dir, port, bin }
    }
}

fn as_postgres(sh: &str) -> bool {
    let runner = if Path::new("/usr/sbin/runuser").exists() {
        "/usr/sbin/runuser"
    } else {
        "runuser"
    };
    Command::new(runner)
        .args(["-u", "postgres", "--", "sh", "-c", sh])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

impl Drop for ReplicaServer {
    fn drop(&mut self) {
        as_postgres(&format!(
            "{}/pg_ctl -D {}/data -m immediate stop >/dev/null",
            self.bin.display(),
            self.dir.path().display()
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_required_without_kafka_is_a_clear_error() {
    let db = TestDb::create("eosreq").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector = db.write_connector(&db.connector(&[("exactly.once.support", "required")]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(
        log.contains("exactly.once.support=required") && log.contains("bootstrap.servers"),
        "{log}"
    );
    assert_nothing_written(&db).await;
    db.drop().await;
}
