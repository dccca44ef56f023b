//! `/metrics` during a stream, `/health`, and the OpenAPI document against the server.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support::TestDb;
use crate::worker::{task_state, Worker};

const T: Duration = Duration::from_secs(60);

/// `name{labels} value` lines of the Prometheus text format, for one connector.
fn scrape(w: &Worker, connector: &str) -> BTreeMap<String, f64> {
    let reply = w.http.get("/metrics");
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain")));
    reply
        .body
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(&format!("connector=\"{connector}\"")))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((
                series.replace(&format!("connector=\"{connector}\""), "c"),
                value.parse().ok()?,
            ))
        })
        .collect()
}

fn value(m: &BTreeMap<String, f64>, prefix: &str) -> f64 {
    m.iter()
        .find(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no series {prefix}* in {m:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_move_during_a_stream_and_lag_returns_to_zero() {
    let db = TestDb::create("rest_metrics").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, n int); INSERT INTO items SELECT g, 0 FROM generate_series(1, 50) g;")
        .await;
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let connector = db.connector(&[("topic.prefix", "met")]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.collect("met.", 50, T);
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");

    let before = scrape(&w, &name);
    assert_eq!(
        value(&before, "ferrium_events_seen_total{c,op=\"r\"}"),
        50.0
    );
    assert_eq!(value(&before, "ferrium_snapshot_completed{c}"), 1.0);
    assert_eq!(value(&before, "ferrium_snapshot_running{c}"), 0.0);
    assert_eq!(
        value(
            &before,
            "ferrium_snapshot_rows_scanned{c,table=\"public.items\"}"
        ),
        50.0
    );
    assert_eq!(
        value(&before, "ferrium_connector_status{c,state=\"RUNNING\"}"),
        1.0
    );

    for round in 0..5 {
        db.exec(&format!(
            "UPDATE items SET n = {round} WHERE id <= 20; INSERT INTO items VALUES ({}, 0);",
            100 + round
        ))
        .await;
    }
    w.collect("met.", 105, T);
    let deadline = Instant::now() + T;
    loop {
        let after = scrape(&w, &name);
        let updates = value(&after, "ferrium_events_seen_total{c,op=\"u\"}");
        let creates = value(&after, "ferrium_events_seen_total{c,op=\"c\"}");
        let lag = value(&after, "ferrium_source_lag_bytes{c}");
        if updates == 100.0 && creates == 5.0 && lag < 100_000.0 {
            // The five transactions above; positions from keepalives are no transactions.
            assert_eq!(
                value(&after, "ferrium_committed_transactions_total{c}"),
                5.0
            );
            assert_eq!(value(&after, "ferrium_connected{c}"), 1.0);
            let behind = value(&after, "ferrium_milliseconds_behind_source{c}");
            assert!((0.0..10_000.0).contains(&behind), "{behind}");
            assert!(value(&after, "ferrium_last_event_timestamp_ms{c}") > 0.0);
            assert!(value(&after, "ferrium_queue_total_capacity{c}") > 0.0);
            assert!(value(&after, "ferrium_sink_latency_seconds_count{c}") > 0.0);
            assert!(value(&after, "ferrium_sink_records_total{c}") >= 155.0);
            // The shipped Grafana dashboard uses only metrics the worker exports.
            let dashboard = include_str!("../../../../grafana/ferrium-dashboard.json");
            for name in dashboard.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if name.starts_with("ferrium_") {
                    assert!(
                        after.keys().any(|k| k.starts_with(name)),
                        "the dashboard uses {name}, which is not exported"
                    );
                }
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "metrics never settled: {after:#?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    w.stop();
    db.drop().await;
}

/// Follows a `$ref` into `components/schemas`.
fn resolve<'a>(doc: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_matches_the_server() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../../docs/openapi.json"))
            .expect("docs/openapi.json is JSON");
    let paths = doc["paths"].as_object().expect("paths");
    // Every endpoint of the issue is documented.
    for (method, path) in [
        ("get", "/"),
        ("get", "/connectors"),
        ("post", "/connectors"),
        ("get", "/connectors/{name}"),
        ("delete", "/connectors/{name}"),
        ("get", "/connectors/{name}/config"),
        ("put", "/connectors/{name}/config"),
        ("get", "/connectors/{name}/status"),
        ("get", "/connectors/{name}/tasks"),
        ("get", "/connectors/{name}/tasks/{task}/status"),
        ("post", "/connectors/{name}/restart"),
        ("post", "/connectors/{name}/tasks/{task}/restart"),
        ("put", "/connectors/{name}/pause"),
        ("put", "/connectors/{name}/resume"),
        ("put", "/connectors/{name}/stop"),
        ("get", "/connectors/{name}/offsets"),
        ("patch", "/connectors/{name}/offsets"),
        ("delete", "/connectors/{name}/offsets"),
        ("get", "/connectors/{name}/topics"),
        ("get", "/connector-plugins"),
        ("put", "/connector-plugins/{plugin}/config/validate"),
        ("get", "/admin/loggers"),
        ("put", "/admin/loggers/{logger}"),
        ("get", "/metrics"),
        ("get", "/health"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }

    let db = TestDb::create("rest_openapi").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY)").await;
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let connector = db.connector(&[("topic.prefix", "oa")]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");

    // Each documented operation, on the live connector (deleting it last), answers with
    // a documented status and, for JSON, a body of the documented kind.
    let mut operations: Vec<(String, String, serde_json::Value)> = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if method != "parameters" {
                operations.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    operations.sort_by_key(|(m, p, _)| m == "DELETE" && p == "/connectors/{name}");
    for (method, path, op) in operations {
        let url = path
            .replace("{name}", &name)
            .replace("{task}", "0")
            .replace("{plugin}", "PostgresConnector")
            .replace("{logger}", "root");
        let mut example = op["requestBody"]["content"]["application/json"]["example"].clone();
        // The examples name a database `inventory` that may exist on this server: point
        // them at this test's database (PUT), or at none (POST), so nothing else is read.
        match (method.as_str(), path.as_str()) {
            ("PUT", "/connectors/{name}/config") => example = connector["config"].clone(),
            ("POST", "/connectors") => {
                example["config"]["database.dbname"] =
                    serde_json::json!("ferrium_no_such_database");
                example["config"]["errors.max.retries"] = serde_json::json!("0");
            }
            _ => {}
        }
        let body = example.to_string();
        let body = (op.get("requestBody").is_some()).then_some(body.as_str());
        let reply = w.http.request(&method, &url, body);
        let documented = &op["responses"][reply.status.to_string()];
        assert!(
            documented.is_object(),
            "{method} {url} answered {} which is not documented: {}",
            reply.status,
            reply.body
        );
        if let Some(schema) = documented["content"]
            .get("application/json")
            .map(|c| &c["schema"])
        {
            let json = reply.json();
            match resolve(&doc, schema)["type"].as_str() {
                Some("object") => assert!(json.is_object(), "{method} {url}: {json}"),
                Some("array") => assert!(json.is_array(), "{method} {url}: {json}"),
                _ => {}
            }
            if reply.status >= 400 {
                assert_eq!(json["error_code"], reply.status, "{method} {url}: {json}");
            }
        }
    }
    w.http.get(&format!("/connectors/{name}")).error(404);
    w.stop();
    db.drop().await;
}
