//! Config providers through the REST API: a PostgreSQL connector whose
//! `database.password` is a `${file:…}`, `${env:…}` or `${dir:…}` placeholder streams
//! rows; the API answers with the placeholder; the log, the REST answers and `/metrics`
//! never hold the password; an unresolvable placeholder is a 400 naming the key and the
//! provider.
//!
//! The password is checked for real: the role of `tests/common/secret_role.rs` is one the
//! server asks for its password.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{connect, grant_sql, secret_role, TestDb, SECRET_PASSWORD, SECRET_ROLE};
use crate::worker::{task_state, Worker};

const T: Duration = Duration::from_secs(60);
const PASSWORD: &str = SECRET_PASSWORD;
const ROLE: &str = SECRET_ROLE;
const ENV_VAR: &str = "FERRIUM_TEST_PG_SECRET";

async fn password_role() {
    secret_role(&connect("postgres").await).await;
}

/// A database with three rows that the role may read.
async fn database(tag: &str) -> TestDb {
    let db = TestDb::create(tag).await;
    db.exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY, name text);
         INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c');
         {}",
        grant_sql("items", &db.name)
    ))
    .await;
    db
}

/// Worker properties declaring the three providers, the file ones confined to the
/// test's folder.
fn worker_file(db: &TestDb) -> std::path::PathBuf {
    let at = db.dir.path().display().to_string();
    db.worker(&[
        "listeners=http://127.0.0.1:0",
        "config.providers=file,env,dir",
        "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
        &format!("config.providers.file.param.allowed.paths={at}"),
        "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        "config.providers.env.param.allowlist.pattern=FERRIUM_TEST_.*",
        "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
        &format!("config.providers.dir.param.allowed.paths={at}"),
    ])
}

fn start(db: &TestDb) -> Worker {
    let worker = worker_file(db);
    Worker::start_with_env(
        &["serve".as_ref(), worker.as_os_str()],
        &[(ENV_VAR, PASSWORD)],
    )
}

fn assert_hidden(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "the password appears in {what}:\n{text}"
    );
}

/// Streams with the password from `placeholder`, and shows only the placeholder.
async fn streams_with(kind: &str, placeholder: &str, db: TestDb) {
    password_role().await;
    let w = start(&db);
    let prefix = format!("prov{kind}");
    let connector = db.connector(&[
        ("database.user", ROLE),
        ("database.password", placeholder),
        ("topic.prefix", &prefix),
    ]);
    let name = connector["name"].as_str().unwrap().to_string();
    let created = w.http.post("/connectors", &connector.to_string());
    assert_eq!(created.status, 201, "{created:?}\n{}", w.log());
    assert_eq!(created.json()["config"]["database.password"], placeholder);
    // The snapshot, then a change streamed: the role logged in with the resolved value.
    let snapshot = w.collect(&format!("{prefix}."), 3, T);
    assert!(snapshot.iter().all(|l| l.op() == Some("r")));
    db.exec("INSERT INTO items VALUES (4, 'd');").await;
    let streamed = w.collect(&format!("{prefix}."), 1, T);
    assert_eq!(streamed[0].op(), Some("c"));
    assert_eq!(streamed[0].after()["id"], 4);
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");

    let config = w.http.get(&format!("/connectors/{name}/config"));
    assert_eq!(config.json()["database.password"], placeholder);
    let info = w.http.get(&format!("/connectors/{name}"));
    assert_eq!(info.json()["config"]["database.password"], placeholder);
    let mut to_validate = connector["config"].clone();
    to_validate["name"] = json!(name);
    let validated = w.http.put(
        "/connector-plugins/PostgresConnector/config/validate",
        &to_validate.to_string(),
    );
    assert_eq!(validated.json()["error_count"], 0, "{}", validated.body);
    for (what, reply) in [
        ("GET /connectors/{name}/config", config),
        ("GET /connectors/{name}", info),
        ("the validation report", validated),
        (
            "GET /connectors/{name}/tasks",
            w.http.get(&format!("/connectors/{name}/tasks")),
        ),
        (
            "GET /connectors/{name}/status",
            w.http.get(&format!("/connectors/{name}/status")),
        ),
        (
            "GET /connectors?expand=info",
            w.http.get("/connectors?expand=info&expand=status"),
        ),
        ("/metrics", w.http.get("/metrics")),
    ] {
        assert_eq!(reply.status, 200, "{what}: {reply:?}");
        assert_hidden(what, &reply.body);
    }
    assert!(
        w.log().contains("database.password=********"),
        "{}",
        w.log()
    );
    w.stop_checked();
    db.drop().await;
}

impl Worker {
    /// Stops the worker and checks its whole log for the password.
    fn stop_checked(self) {
        let log = self.log();
        self.stop();
        assert_hidden("the worker's log", &log);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_from_a_properties_file_streams_and_a_fixed_file_is_read_on_restart() {
    password_role().await;
    let db = database("prov_file").await;
    let creds = db.dir.path().join("creds.properties");
    // First the wrong password: the connector fails on its login, with the key named.
    std::fs::write(&creds, "db.password=not-the-password\n").unwrap();
    let placeholder = format!("${{file:{}:db.password}}", creds.display());
    let w = start(&db);
    let connector = db.connector(&[
        ("database.user", ROLE),
        ("database.password", &placeholder),
        ("topic.prefix", "provfile"),
    ]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    let failed = w.wait_status(&name, T, |s| task_state(s) == "FAILED");
    let trace = failed["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains(&format!("rejected the login of role '{ROLE}'")),
        "{failed}"
    );
    assert!(!w.log().contains("not-the-password"), "{}", w.log());
    // The secret rotated in the file: a restart resolves it again.
    std::fs::write(&creds, format!("db.password={PASSWORD}\n")).unwrap();
    let restarted = w.http.post(
        &format!("/connectors/{name}/restart?includeTasks=true&onlyFailed=true"),
        "",
    );
    assert_eq!(restarted.status, 202, "{restarted:?}");
    w.collect("provfile.", 3, T);
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");
    assert_eq!(
        w.http.get(&format!("/connectors/{name}/config")).json()["database.password"],
        placeholder.as_str()
    );
    assert_hidden("/metrics", &w.http.get("/metrics").body);
    w.stop_checked();
    db.drop().await;

    // And a file right from the start streams too.
    let db = database("prov_file2").await;
    let creds = db.dir.path().join("creds.properties");
    std::fs::write(&creds, format!("user=x\ndb.password={PASSWORD}\n")).unwrap();
    let placeholder = format!("${{file:{}:db.password}}", creds.display());
    streams_with("file", &placeholder, db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_from_an_environment_variable_streams() {
    let db = database("prov_env").await;
    streams_with("env", &format!("${{env:{ENV_VAR}}}"), db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_from_a_secrets_directory_streams() {
    let db = database("prov_dir").await;
    let secrets = db.dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("db_password"), PASSWORD).unwrap();
    let placeholder = format!("${{dir:{}:db_password}}", secrets.display());
    streams_with("dir", &placeholder, db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unresolvable_placeholders_are_400s_naming_the_key_and_the_provider() {
    let db = TestDb::create("prov_bad").await;
    let creds = db.dir.path().join("creds.properties");
    std::fs::write(&creds, format!("db.password={PASSWORD}\n")).unwrap();
    let w = start(&db);
    let cases = [
        (
            format!("${{file:{}:no.such.key}}", creds.display()),
            "config provider 'file'",
            "no key \"no.such.key\"",
        ),
        (
            "${file:/etc/hostname:db.password}".to_string(),
            "config provider 'file'",
            "outside allowed.paths",
        ),
        (
            "${env:FERRIUM_TEST_UNSET_VARIABLE}".to_string(),
            "config provider 'env'",
            "no environment variable",
        ),
        (
            // Set, but not matched by allowlist.pattern.
            "${env:PATH}".to_string(),
            "config provider 'env'",
            "allowlist.pattern",
        ),
        (
            format!("${{dir:{}:missing_file}}", db.dir.path().display()),
            "config provider 'dir'",
            "no file \"missing_file\"",
        ),
        (
            "${vault:secret/db:password}".to_string(),
            "config provider 'vault' is not configured",
            "file, env, dir",
        ),
    ];
    for (i, (placeholder, provider, reason)) in cases.iter().enumerate() {
        let mut connector = db.connector(&[("database.password", placeholder)]);
        let name = format!("bad-{i}");
        connector["name"] = json!(name);
        let posted = w.http.post("/connectors", &connector.to_string());
        let message = posted.error(400);
        for needle in ["'database.password'", provider, reason] {
            assert!(message.contains(needle), "{needle} not in: {message}");
        }
        assert_hidden("a 400 answer", &message);
        let put = w.http.put(
            &format!("/connectors/{name}/config"),
            &connector["config"].to_string(),
        );
        assert!(put.error(400).contains("'database.password'"));
        // Nothing was created by either.
        assert_eq!(w.http.get(&format!("/connectors/{name}")).status, 404);
        // The validation endpoint reports it, as Kafka Connect reports config errors:
        // in the option's entry of the `ConfigInfos` answer.
        let mut to_validate = connector["config"].clone();
        to_validate["name"] = json!(name);
        let validated = w.http.put(
            "/connector-plugins/PostgresConnector/config/validate",
            &to_validate.to_string(),
        );
        assert_eq!(validated.status, 200);
        let report = validated.json();
        assert_eq!(report["error_count"], 1, "{report:#}");
        let entry = report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["definition"]["name"] == "database.password")
            .unwrap();
        let error = entry["value"]["errors"][0].as_str().unwrap();
        assert!(
            error.contains(provider) && error.contains(reason),
            "{error}"
        );
    }
    let listed: Value = w.http.get("/connectors").json();
    assert_eq!(listed, json!([]));
    w.stop_checked();
    db.drop().await;
}
