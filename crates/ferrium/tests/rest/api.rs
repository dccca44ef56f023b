//! Every endpoint's paths, status codes and JSON shapes, and Kafka Connect's error
//! shape for bad requests, which leave a running connector untouched.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::TestDb;
use crate::worker::{task_state, Worker};

const T: Duration = Duration::from_secs(60);
const PG: &str = "io.debezium.connector.postgresql.PostgresConnector";

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_answer_like_kafka_connect() {
    let db = TestDb::create("rest_api").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);")
        .await;
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let h = &w.http;

    let root = h.get("/").json();
    assert!(
        root["version"].is_string()
            && root["commit"].is_string()
            && root.get("kafka_cluster_id").is_some(),
        "{root}"
    );
    assert_eq!(h.get("/connectors").json(), json!([]));
    let plugins = h.get("/connector-plugins").json();
    assert_eq!(plugins[0]["class"], PG);
    assert_eq!(plugins[0]["type"], "source");
    let defs = h.get("/connector-plugins/PostgresConnector/config").json();
    assert!(defs
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "slot.name"));

    // PUT …/config creates (201), then updates (200).
    let connector = db.connector(&[("topic.prefix", "api")]);
    let name = connector["name"].as_str().unwrap().to_string();
    let config = connector["config"].clone();
    let created = h.put(&format!("/connectors/{name}/config"), &config.to_string());
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.json()["type"], "source");
    w.collect("api.", 1, T);
    let mut updated_config = config.clone();
    updated_config["tombstones.on.delete"] = json!("false");
    let updated = h.put(
        &format!("/connectors/{name}/config"),
        &updated_config.to_string(),
    );
    assert_eq!(updated.status, 200, "{updated:?}");
    let stored = h.get(&format!("/connectors/{name}/config")).json();
    assert_eq!(stored["tombstones.on.delete"], "false");
    assert_eq!(stored["name"], name.as_str());
    // The config GET returns what was stored, password included, as Kafka Connect does.
    assert_eq!(stored["database.password"], "");
    let patched = h.patch(
        &format!("/connectors/{name}/config"),
        &json!({"tombstones.on.delete": null, "max.batch.size": 1024}).to_string(),
    );
    assert_eq!(patched.status, 200, "{patched:?}");
    assert!(patched.json()["config"]
        .get("tombstones.on.delete")
        .is_none());
    assert_eq!(patched.json()["config"]["max.batch.size"], "1024");
    h.patch("/connectors/nope/config", "{}").error(404);

    // initial_state STOPPED: created without tasks, nothing runs.
    let mut parked = db.connector(&[("topic.prefix", "parked"), ("slot.name", "never_created")]);
    parked["name"] = json!("parked");
    parked["initial_state"] = json!("STOPPED");
    let created_stopped = h.post("/connectors", &parked.to_string());
    assert_eq!(created_stopped.status, 201, "{created_stopped:?}");
    assert_eq!(created_stopped.json()["tasks"], json!([]));
    let parked_status = h.get("/connectors/parked/status").json();
    assert_eq!(parked_status["connector"]["state"], "STOPPED");
    assert_eq!(parked_status["tasks"], json!([]));
    assert_eq!(h.delete("/connectors/parked").status, 204);

    let info = h.get(&format!("/connectors/{name}")).json();
    assert_eq!(info["name"], name.as_str());
    assert_eq!(info["tasks"], json!([{"connector": name, "task": 0}]));
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");

    let expanded = h.get("/connectors?expand=status&expand=info").json();
    assert_eq!(expanded[&name]["status"]["connector"]["state"], "RUNNING");
    assert_eq!(expanded[&name]["info"]["config"]["topic.prefix"], "api");
    assert!(h.get("/connectors?expand=status").json()[&name]
        .get("info")
        .is_none());

    let tasks = h.get(&format!("/connectors/{name}/tasks")).json();
    assert_eq!(tasks[0]["id"], json!({"connector": name, "task": 0}));
    assert_eq!(tasks[0]["config"]["task.class"], format!("{PG}Task"));
    let task = h.get(&format!("/connectors/{name}/tasks/0/status")).json();
    assert_eq!(
        (task["id"].as_i64(), task["state"].as_str()),
        (Some(0), Some("RUNNING"))
    );
    assert!(task["worker_id"].is_string());
    h.get(&format!("/connectors/{name}/tasks/1/status"))
        .error(404);

    let topics = h.get(&format!("/connectors/{name}/topics")).json();
    assert_eq!(topics[&name]["topics"], json!(["api.public.items"]));
    assert_eq!(
        h.put(&format!("/connectors/{name}/topics/reset"), "")
            .status,
        202
    );
    assert_eq!(
        h.get(&format!("/connectors/{name}/topics")).json()[&name]["topics"],
        json!([])
    );

    // Restarts: plain 204; with flags 202 and the status; a task 204.
    assert_eq!(
        h.post(&format!("/connectors/{name}/restart"), "").status,
        204
    );
    let restarting = h.post(&format!("/connectors/{name}/restart?includeTasks=true"), "");
    assert_eq!(restarting.status, 202);
    assert_eq!(restarting.json()["connector"]["state"], "RESTARTING");
    assert_eq!(task_state(&restarting.json()), "RESTARTING");
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");
    assert_eq!(
        h.post(&format!("/connectors/{name}/tasks/0/restart"), "")
            .status,
        204
    );
    h.post(&format!("/connectors/{name}/tasks/3/restart"), "")
        .error(404);
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");

    // Bad requests get the error shape and leave the connector running.
    assert!(h
        .post("/connectors", "{not json")
        .error(400)
        .contains("JSON"));
    let unknown = h.post(
        "/connectors",
        &json!({"name": "x", "config": {"connector.class": "com.example.Nope"}}).to_string(),
    );
    assert!(unknown.error(400).contains(PG));
    let mut missing = connector.clone();
    missing["name"] = json!("missing-key");
    missing["config"]
        .as_object_mut()
        .unwrap()
        .remove("database.hostname");
    assert!(h
        .post("/connectors", &missing.to_string())
        .error(400)
        .contains("database.hostname"));
    h.post(
        "/connectors",
        &json!({"name": "n", "config": {}}).to_string(),
    )
    .error(400);
    assert!(h
        .post("/connectors", &connector.to_string())
        .error(409)
        .contains("already exists"));
    h.put(
        &format!("/connectors/{name}/config"),
        &json!({"name": "other"}).to_string(),
    )
    .error(400);
    h.get("/connectors/nope").error(404);
    h.get("/connectors/nope/status").error(404);
    h.put("/connectors/nope/pause", "").error(404);
    h.delete("/connectors/nope").error(404);
    h.get("/no/such/path").error(404);
    h.request("DELETE", "/connector-plugins", None).error(405);
    assert_eq!(h.get("/connectors").json(), json!([name]));
    db.exec("INSERT INTO items VALUES (2)").await;
    assert_eq!(w.collect("api.", 1, T)[0].after()["id"], 2);

    // Validation: 200 with per-option errors.
    let report = h.put(
        &format!("/connector-plugins/{PG}/config/validate"),
        &json!({"connector.class": PG, "database.hostname": "h", "snapshot.mode": "sometimes", "database.password": "pw"}).to_string(),
    );
    assert_eq!(report.status, 200, "{report:?}");
    let report = report.json();
    assert_eq!(report["name"], PG);
    // Three missing required options, one bad value, and no `name` (required, as in Kafka Connect).
    assert_eq!(report["error_count"], 5, "{report:#}");
    assert!(report["groups"].is_array());
    let option = |n: &str| -> Value {
        report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["definition"]["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        option("snapshot.mode")["value"]["errors"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(option("snapshot.mode")["value"]["recommended_values"]
        .as_array()
        .unwrap()
        .contains(&json!("initial")));
    assert_eq!(option("database.user")["definition"]["required"], true);
    assert_eq!(
        option("name")["value"]["errors"].as_array().unwrap().len(),
        1
    );
    assert_eq!(option("database.password")["value"]["value"], "[hidden]");
    let mut named = config.clone();
    named["name"] = json!(name);
    let valid = h
        .put(
            "/connector-plugins/PostgresConnector/config/validate",
            &named.to_string(),
        )
        .json();
    assert_eq!(valid["error_count"], 0, "{valid:#}");
    h.put("/connector-plugins/Nope/config/validate", "{}")
        .error(400);

    // Loggers.
    let loggers = h.get("/admin/loggers").json();
    assert_eq!(loggers["root"]["level"], "INFO");
    let changed = h.put(
        "/admin/loggers/ferrium_runtime",
        &json!({"level": "DEBUG"}).to_string(),
    );
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(changed.json(), json!(["ferrium_runtime"]));
    assert_eq!(
        h.get("/admin/loggers/ferrium_runtime").json()["level"],
        "DEBUG"
    );
    h.put(
        "/admin/loggers/ferrium_runtime",
        &json!({"level": "LOUD"}).to_string(),
    )
    .error(400);
    h.get("/admin/loggers/unknown.logger").error(404);

    // Passwords never reach the log.
    assert!(
        !w.log().contains("database.password=\n") && w.log().contains("database.password=********")
    );
    assert_eq!(h.delete(&format!("/connectors/{name}")).status, 204);
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_guards_every_endpoint() {
    let db = TestDb::create("rest_auth").await;
    let users = db.dir.path().join("users.properties");
    std::fs::write(&users, "admin: s3cret\n").unwrap();
    let w = Worker::start(&db.worker(&[
        "listeners=http://127.0.0.1:0",
        &format!("rest.basic.auth.credentials.file={}", users.display()),
    ]));
    let mut h = w.http.clone();
    let denied = h.get("/connectors");
    denied.error(401);
    assert!(denied
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Basic")));
    h.auth = Some("admin:wrong".into());
    h.get("/").error(401);
    h.auth = None;
    assert_eq!(h.get("/health").status, 200, "probes need no credentials");
    h.auth = Some("admin:s3cret".into());
    assert_eq!(h.get("/connectors").status, 200);
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ferrium_run_serves_the_api_when_a_listener_is_set() {
    let db = TestDb::create("rest_run").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);")
        .await;
    let connector = db.connector(&[("topic.prefix", "run")]);
    let name = connector["name"].as_str().unwrap().to_string();
    let file = db.write_connector(&connector);
    let worker = db.worker(&["rest.port=0", "rest.host.name=127.0.0.1"]);
    let w = Worker::start_with(&[
        "run".as_ref(),
        file.as_os_str(),
        "--worker".as_ref(),
        worker.as_os_str(),
    ]);
    w.collect("run.", 1, T);
    assert_eq!(w.http.get("/connectors").json(), json!([name]));
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");
    w.stop();
    db.drop().await;
}

/// A transform, predicate or converter that Ferrium does not have is refused when the
/// connector is created (400, naming each key) and reported per option by validation,
/// instead of a connector that runs and writes something else than was configured.
#[tokio::test(flavor = "multi_thread")]
async fn unavailable_transforms_and_converters_are_refused_by_key() {
    let db = TestDb::create("rest_refuse").await;
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let h = &w.http;
    let mut connector = db.connector(&[
        ("transforms", "unwrap,route"),
        ("transforms.unwrap.type", "com.example.Unwrap"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.route.regex", "(.*)"),
        ("transforms.route.predicate", "nope"),
        (
            "value.converter",
            "io.confluent.connect.protobuf.ProtobufConverter",
        ),
        ("errors.tolerance", "some"),
    ]);
    connector["name"] = json!("refused");
    let message = h.post("/connectors", &connector.to_string()).error(400);
    for needle in [
        "'transforms.unwrap.type'",
        "com.example.Unwrap",
        "'transforms.route.predicate'",
        "'value.converter'",
        "Protobuf",
        "'errors.tolerance'",
    ] {
        assert!(
            message.contains(needle),
            "'{needle}' missing from: {message}"
        );
    }
    assert_eq!(h.get("/connectors").json(), json!([]));

    let mut body = connector["config"].clone();
    body["name"] = json!("refused");
    let report = h
        .put(
            &format!("/connector-plugins/{PG}/config/validate"),
            &body.to_string(),
        )
        .json();
    let errors_of = |n: &str| -> Vec<Value> {
        report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["definition"]["name"] == n)
            .unwrap_or_else(|| panic!("no entry for {n}: {report:#}"))["value"]["errors"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(report["error_count"], 4, "{report:#}");
    assert_eq!(errors_of("transforms.unwrap.type").len(), 1);
    assert_eq!(errors_of("transforms.route.predicate").len(), 1);
    assert_eq!(errors_of("value.converter").len(), 1);
    assert_eq!(errors_of("errors.tolerance").len(), 1);
    assert!(report["groups"]
        .as_array()
        .unwrap()
        .contains(&json!("Transforms: unwrap")));
    w.stop();
    db.drop().await;
}
