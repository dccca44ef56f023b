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
            assert!(value(&after, "ferrium_committed_transactions_total{c}") >= 5.0);
            assert_eq!(value(&after, "ferrium_connected{c}"), 1.0);
            let behind = value(&after, "ferrium_milliseconds_behind_source{c}");
            assert!((0.0..10_000.0).contains(&behind), "{behind}");
            assert!(value(&after, "ferrium_last_event_timestamp_ms{c}") > 0.0);
            assert!(value(&after, "ferrium_queue_total_capacity{c}") > 0.0);
            assert!(value(&after, "ferrium_sink_latency_seconds_count{c}") > 0.0);
            assert!(value(&after, "ferrium_sink_records_total{c}") >= 155.0);
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
