//! What the REST API shows while a connector retries through a network outage: the
//! connector stays `RUNNING` while its retries last (`errors.max.retries`), with one
//! warning per attempt naming the service, the error and the next delay; once they are
//! used up it is `FAILED` with the cause, and a restart after the network is back
//! resumes from the stored offset without losing a change.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::TestDb;
use crate::toxiproxy::Proxy;
use crate::worker::{task_state, Worker};
use crate::workload::retry_warnings;

const T: Duration = Duration::from_secs(60);

fn running(s: &Value) -> bool {
    s["connector"]["state"] == "RUNNING" && task_state(s) == "RUNNING"
}

fn wait_for_warnings(w: &Worker, count: usize) {
    let deadline = Instant::now() + T;
    while retry_warnings(&w.log()).len() < count {
        assert!(
            Instant::now() < deadline,
            "{count} retry warnings never appeared:\n{}",
            w.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn running_while_retrying_failed_once_retries_run_out_and_nothing_lost_after_a_restart() {
    let db = TestDb::create("nf_status").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1)")
        .await;
    let proxy = Proxy::create("nf_status", crate::support::pg_port());
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let name = "through-proxy";
    let port = proxy.port.to_string();
    let mut connector = db.connector(&[
        ("topic.prefix", "nf"),
        ("database.port", port.as_str()),
        ("errors.max.retries", "3"),
        ("retriable.restart.connector.wait.ms", "1000"),
    ]);
    connector["name"] = json!(name);
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.wait_status(name, T, running);
    assert_eq!(w.collect("nf.", 1, T).len(), 1);

    // The proxy closes every connection and refuses new ones: each attempt fails at once.
    proxy.set_enabled(false);
    db.exec("INSERT INTO items VALUES (2)").await;
    // Attempts wait 1 s, 2 s, then 4 s: after the second warning there are seconds left.
    wait_for_warnings(&w, 2);
    let retrying = w.http.get(&format!("/connectors/{name}/status")).json();
    assert!(running(&retrying), "not RUNNING while retrying: {retrying}");
    let failed = w.wait_status(name, T, |s| task_state(s) == "FAILED");
    let trace = failed["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains(&format!("127.0.0.1:{port}")) && trace.contains("gave up after 3 retries"),
        "{trace}"
    );
    let warnings = retry_warnings(&w.log())
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert_eq!(warnings.len(), 3, "one warning per attempt: {warnings:#?}");
    for (warning, delay) in warnings.iter().zip([1000, 2000, 4000]) {
        assert!(
            warning.contains("PostgreSQL") && warning.contains(&format!("retry_in_ms={delay}")),
            "a retry warning names the service, the error and the next delay: {warning}"
        );
    }

    // The network is back; a restart resumes from the stored offset.
    proxy.set_enabled(true);
    db.exec("INSERT INTO items VALUES (3)").await;
    let restart = w
        .http
        .post(&format!("/connectors/{name}/restart?includeTasks=true"), "");
    assert!(
        matches!(restart.status, 200 | 202 | 204),
        "{}",
        restart.body
    );
    w.wait_status(name, T, running);
    let ids: Vec<i64> = w
        .collect("nf.", 2, T)
        .iter()
        .filter_map(|l| l.after()["id"].as_i64())
        .collect();
    assert_eq!(ids, [2, 3]);
    w.stop();
    drop(proxy);
    db.drop().await;
}
