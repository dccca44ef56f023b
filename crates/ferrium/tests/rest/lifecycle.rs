//! Connector lifecycle through the API: create, stream, pause without losing changes,
//! resume, stop, offsets (KIP-875), restarts of the worker process, and isolation of a
//! failing connector from a healthy one.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::TestDb;
use crate::worker::{task_state, Worker};

const T: Duration = Duration::from_secs(60);

fn listener() -> &'static str {
    "listeners=http://127.0.0.1:0"
}

fn running(s: &Value) -> bool {
    s["connector"]["state"] == "RUNNING" && task_state(s) == "RUNNING"
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_resume_stop_and_offsets_without_losing_changes() {
    let db = TestDb::create("rest_life").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a'), (2, 'b');")
        .await;
    let w = Worker::start(&db.worker(&[listener()]));
    let connector = db.connector(&[("topic.prefix", "life")]);
    let name = connector["name"].as_str().unwrap().to_string();
    let created = w.http.post("/connectors", &connector.to_string());
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(
        created.header("location"),
        Some(format!("/connectors/{name}").as_str())
    );
    assert_eq!(
        created.json()["tasks"],
        json!([{"connector": name, "task": 0}])
    );
    let snapshot = w.collect("life.", 2, T);
    assert!(snapshot.iter().all(|l| l.op() == Some("r")));
    w.wait_status(&name, T, running);

    // Streaming.
    db.exec("INSERT INTO items VALUES (3, 'c')").await;
    assert_eq!(w.collect("life.", 1, T)[0].after()["id"], 3);

    // Paused: nothing is read, nothing is lost.
    let paused = w.http.put(&format!("/connectors/{name}/pause"), "");
    assert_eq!(paused.status, 202, "{paused:?}");
    let status = w.wait_status(&name, T, |s| s["connector"]["state"] == "PAUSED");
    assert_eq!(task_state(&status), "PAUSED");
    db.exec("INSERT INTO items VALUES (4, 'd'); UPDATE items SET name = 'A' WHERE id = 1;")
        .await;
    assert!(
        w.drain("life.", Duration::from_millis(1500)).is_empty(),
        "a paused connector emitted records"
    );
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/resume"), "").status,
        202
    );
    let resumed = w.collect("life.", 2, T);
    assert_eq!(resumed[0].after()["id"], 4);
    assert_eq!(
        (resumed[1].op(), resumed[1].after()["name"].as_str()),
        (Some("u"), Some("A"))
    );
    w.wait_status(&name, T, running);

    // Offsets change only while stopped.
    let refused = w
        .http
        .request("DELETE", &format!("/connectors/{name}/offsets"), None);
    assert!(refused.error(400).contains("STOPPED"), "{refused:?}");
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/stop"), "").status,
        202
    );
    let stopped = w.wait_status(&name, T, |s| s["connector"]["state"] == "STOPPED");
    assert_eq!(stopped["tasks"], json!([]));
    assert_eq!(
        w.http.get(&format!("/connectors/{name}")).json()["tasks"],
        json!([])
    );
    let offsets = w.http.get(&format!("/connectors/{name}/offsets")).json();
    let entry = &offsets["offsets"][0];
    assert_eq!(entry["partition"], json!({"server": "life"}), "{offsets}");
    let lsn = entry["offset"]["lsn"].as_u64().expect("an lsn");
    assert!(lsn > 0);

    // Altering writes the given offset; a partition the connector does not have is a 400.
    let altered = w.http.patch(
        &format!("/connectors/{name}/offsets"),
        &json!({"offsets": [{"partition": {"server": "life"}, "offset": entry["offset"]}]})
            .to_string(),
    );
    assert_eq!(altered.status, 200, "{altered:?}");
    assert!(altered.json()["message"]
        .as_str()
        .unwrap()
        .contains("altered successfully"));
    let foreign = w.http.patch(
        &format!("/connectors/{name}/offsets"),
        &json!({"offsets": [{"partition": {"server": "other"}, "offset": {"lsn": 1}}]}).to_string(),
    );
    foreign.error(400);

    // Reset: the next start is a first start, so the snapshot comes again.
    let reset = w.http.delete(&format!("/connectors/{name}/offsets"));
    assert_eq!(reset.status, 200, "{reset:?}");
    assert!(reset.json()["message"]
        .as_str()
        .unwrap()
        .contains("reset successfully"));
    assert_eq!(
        w.http.get(&format!("/connectors/{name}/offsets")).json(),
        json!({"offsets": []})
    );
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/resume"), "").status,
        202
    );
    let again = w.collect("life.", 4, T);
    assert!(again.iter().all(|l| l.op() == Some("r")), "{again:?}");

    // Delete: 204, then 404; the slot stays (slot.drop.on.stop is false).
    assert_eq!(w.http.delete(&format!("/connectors/{name}")).status, 204);
    w.http.get(&format!("/connectors/{name}")).error(404);
    assert!(
        db.confirmed_flush_lsn().await.is_some(),
        "the slot was dropped"
    );
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn configs_and_offsets_survive_worker_restarts() {
    let db = TestDb::create("rest_restart").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);")
        .await;
    let worker_file = db.worker(&[listener()]);
    let w = Worker::start(&worker_file);
    let mut connector = db.connector(&[("topic.prefix", "rst")]);
    let name = connector["name"].as_str().unwrap().to_string();
    connector["initial_state"] = json!("RUNNING");
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.collect("rst.", 1, T);
    db.exec("INSERT INTO items VALUES (2)").await;
    w.collect("rst.", 1, T);
    w.stop();

    // Changes made while the worker is down arrive after its restart, once, with no
    // new snapshot: the config came back from the state folder, the offset from its file.
    db.exec("INSERT INTO items VALUES (3)").await;
    let w = Worker::start(&worker_file);
    assert_eq!(w.http.get("/connectors").json(), json!([name]));
    let after = w.collect("rst.", 1, T);
    assert_eq!(
        (after[0].op(), after[0].after()["id"].as_i64()),
        (Some("c"), Some(3))
    );
    assert!(w.drain("rst.", Duration::from_millis(1000)).is_empty());

    // A paused connector stays paused across a restart.
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/pause"), "").status,
        202
    );
    w.wait_status(&name, T, |s| s["connector"]["state"] == "PAUSED");
    w.stop();
    let w = Worker::start(&worker_file);
    w.wait_status(&name, T, |s| {
        s["connector"]["state"] == "PAUSED" && task_state(s) == "PAUSED"
    });
    db.exec("INSERT INTO items VALUES (4)").await;
    assert!(w.drain("rst.", Duration::from_millis(1000)).is_empty());
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/resume"), "").status,
        202
    );
    assert_eq!(w.collect("rst.", 1, T)[0].after()["id"], 4);
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_connector_leaves_the_other_streaming_and_recovers_on_restart() {
    let good = TestDb::create("rest_good").await;
    let bad = TestDb::create("rest_bad").await;
    good.exec("CREATE TABLE items (id int PRIMARY KEY)").await;
    let w = Worker::start(&good.worker(&[listener()]));
    let ok = good.connector(&[("topic.prefix", "good")]);
    let ok_name = ok["name"].as_str().unwrap().to_string();
    // No table yet in the second database: the connector fails at start, without retries.
    let failing = bad.connector(&[("topic.prefix", "bad"), ("errors.max.retries", "0")]);
    let bad_name = failing["name"].as_str().unwrap().to_string();
    assert_eq!(w.http.post("/connectors", &ok.to_string()).status, 201);
    assert_eq!(w.http.post("/connectors", &failing.to_string()).status, 201);

    let status = w.wait_status(&bad_name, T, |s| task_state(s) == "FAILED");
    let trace = status["tasks"][0]["trace"].as_str().expect("a trace");
    assert!(trace.contains("no table"), "{trace}");
    assert_eq!(status["connector"]["state"], "RUNNING");
    w.wait_status(&ok_name, T, running);
    good.exec("INSERT INTO items VALUES (1), (2)").await;
    assert_eq!(w.collect("good.", 2, T).len(), 2);

    // onlyFailed restarts just the failed task, which now finds its table.
    bad.exec("CREATE TABLE things (id int PRIMARY KEY); INSERT INTO things VALUES (7);")
        .await;
    let restart = w.http.post(
        &format!("/connectors/{ok_name}/restart?includeTasks=true&onlyFailed=true"),
        "",
    );
    assert_eq!(restart.status, 202);
    assert_eq!(
        task_state(&restart.json()),
        "RUNNING",
        "a healthy task is left alone"
    );
    let restart = w.http.post(
        &format!("/connectors/{bad_name}/restart?includeTasks=true&onlyFailed=true"),
        "",
    );
    assert_eq!(restart.status, 202, "{restart:?}");
    assert_eq!(task_state(&restart.json()), "RESTARTING");
    w.wait_status(&bad_name, T, running);
    assert_eq!(w.collect("bad.", 1, T)[0].after()["id"], 7);
    good.exec("INSERT INTO items VALUES (3)").await;
    assert_eq!(w.collect("good.", 1, T)[0].after()["id"], 3);
    let health = w.http.get("/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["failed_connectors"], 0);
    w.stop();
    good.drop().await;
    bad.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_drops_the_slot_only_when_asked() {
    let db = TestDb::create("rest_drop").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY)").await;
    let w = Worker::start(&db.worker(&[listener()]));
    let connector = db.connector(&[("topic.prefix", "drop"), ("slot.drop.on.stop", "true")]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.wait_status(&name, T, running);
    // Pausing keeps the slot (and so the position), even with slot.drop.on.stop.
    let deadline = std::time::Instant::now() + T;
    while db.confirmed_flush_lsn().await.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no slot; log:\n{}",
            w.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/pause"), "").status,
        202
    );
    w.wait_status(&name, T, |s| s["connector"]["state"] == "PAUSED");
    assert!(
        db.confirmed_flush_lsn().await.is_some(),
        "pausing dropped the slot"
    );
    assert_eq!(w.http.delete(&format!("/connectors/{name}")).status, 204);
    assert!(
        db.confirmed_flush_lsn().await.is_none(),
        "deleting kept the slot"
    );
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_kafka_configs_live_in_the_config_topic_and_offsets_in_the_offsets_topic() {
    let db = TestDb::create("rest_kafka").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);")
        .await;
    let tag = &db.name;
    let worker_file = db.worker(&[
        listener(),
        &format!("bootstrap.servers={}", crate::support::kafka_bootstrap()),
        &format!("config.storage.topic={tag}-configs"),
        &format!("status.storage.topic={tag}-status"),
        &format!("offset.storage.topic={tag}-offsets"),
        &format!("group.id={tag}"),
    ]);
    let w = Worker::start(&worker_file);
    let connector = db.connector(&[("topic.prefix", tag)]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.wait_status(&name, T, running);
    // The snapshot's offset is committed with its records (exactly-once).
    let deadline = std::time::Instant::now() + T;
    loop {
        let offsets = w.http.get(&format!("/connectors/{name}/offsets")).json();
        if offsets["offsets"][0]["offset"]["lsn"].as_u64().is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no offset: {offsets}\n{}",
            w.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/stop"), "").status,
        202
    );
    w.wait_status(&name, T, |s| s["connector"]["state"] == "STOPPED");
    w.stop();

    // A new worker process reads the config and the STOPPED target back from Kafka.
    let w = Worker::start(&worker_file);
    assert_eq!(w.http.get("/connectors").json(), json!([name]));
    w.wait_status(&name, T, |s| s["connector"]["state"] == "STOPPED");
    assert_eq!(
        w.http.get(&format!("/connectors/{name}/config")).json()["topic.prefix"],
        tag.as_str()
    );
    assert_eq!(
        w.http.delete(&format!("/connectors/{name}/offsets")).status,
        200
    );
    assert_eq!(
        w.http.get(&format!("/connectors/{name}/offsets")).json(),
        json!({"offsets": []})
    );
    assert_eq!(w.http.delete(&format!("/connectors/{name}")).status, 204);
    w.stop();
    let w = Worker::start(&worker_file);
    assert_eq!(w.http.get("/connectors").json(), json!([]));
    w.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_credentials_and_a_database_that_is_down_fail_with_useful_traces() {
    let db = TestDb::create("rest_fail").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY)").await;
    let w = Worker::start(&db.worker(&[listener()]));
    let mut bad_user = db.connector(&[("topic.prefix", "u"), ("database.user", "no_such_role")]);
    bad_user["name"] = json!("bad-user");
    // Nothing listens on port 1: a database that is down. Retries are used up at once.
    let mut down = db.connector(&[
        ("topic.prefix", "d"),
        ("database.port", "1"),
        ("errors.max.retries", "0"),
    ]);
    down["name"] = json!("db-down");
    assert_eq!(
        w.http.post("/connectors", &bad_user.to_string()).status,
        201
    );
    assert_eq!(w.http.post("/connectors", &down.to_string()).status, 201);
    let user = w.wait_status("bad-user", T, |s| task_state(s) == "FAILED");
    let trace = user["tasks"][0]["trace"].as_str().unwrap();
    assert!(
        trace.contains("no_such_role") && trace.contains("database.user"),
        "{trace}"
    );
    let down_status = w.wait_status("db-down", T, |s| task_state(s) == "FAILED");
    let trace = down_status["tasks"][0]["trace"].as_str().unwrap();
    assert!(
        trace.contains("127.0.0.1:1") && trace.contains("retries"),
        "{trace}"
    );
    assert_eq!(w.http.get("/health").json()["failed_connectors"], 2);

    // Fixed config, then a restart: running again.
    let mut fixed = down["config"].clone();
    fixed["database.port"] = json!(crate::support::pg_port().to_string());
    fixed["name"] = json!("db-down");
    assert_eq!(
        w.http
            .put("/connectors/db-down/config", &fixed.to_string())
            .status,
        200
    );
    w.wait_status("db-down", T, running);
    w.stop();
    db.drop().await;
}
