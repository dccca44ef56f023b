//! Metrics of a MySQL connector at `GET /metrics` (the API `ferrium run` serves when the
//! worker names a listener): the snapshot completes, the connector is connected, events
//! are counted per operation, and the binlog distance behind the server returns to near zero.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{of_topic, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(60);

fn listening_address(ferrium: &Ferrium) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = ferrium.log();
        if let Some(at) = log.find("REST API listening on http://") {
            let rest = &log[at + "REST API listening on http://".len()..];
            return rest.split_whitespace().next().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no listener in the log:\n{log}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn scrape(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

/// The value of the first sample of `metric` whose labels contain `labels`.
fn sample(text: &str, metric: &str, labels: &str) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) && l.contains(labels))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_follow_the_snapshot_and_the_stream() {
    let mut db = TestDb::create("metrics").await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1), (2, 2)")
        .await;
    let connector = db.write_connector(&db.connector(&[]));
    let ferrium = Ferrium::start(&connector, &db.worker(&["listeners=http://127.0.0.1:0"]));
    let addr = listening_address(&ferrium);
    ferrium.collect(&db.topic("t"), 2, WAIT);
    let name = format!("connector=\"{}-connector\"", db.name);
    let values: Vec<String> = (3..=500).map(|i| format!("({i}, {i})")).collect();
    db.exec(&format!(
        "INSERT INTO t VALUES {}; UPDATE t SET v = v + 1 WHERE id <= 10",
        values.join(",")
    ))
    .await;
    ferrium.collect_until(WAIT, |l| of_topic(l, &db.topic("t")).len() >= 508);
    let deadline = Instant::now() + WAIT;
    loop {
        let text = scrape(&addr);
        let created = sample(
            &text,
            "ferrium_events_seen_total",
            &format!("{name},op=\"c\""),
        );
        let lag = sample(&text, "ferrium_source_lag_bytes", &name);
        let done = sample(&text, "ferrium_snapshot_completed", &name) == Some(1.0)
            && sample(&text, "ferrium_connected", &name) == Some(1.0)
            && created.is_some_and(|c| c >= 498.0)
            && sample(&text, "ferrium_snapshot_rows_scanned", &name) == Some(2.0)
            // The INSERT and the UPDATE, and whatever other tests commit on the server.
            && sample(&text, "ferrium_committed_transactions_total", &name).is_some_and(|n| n >= 2.0)
            // Other tests write to the same server, so "caught up" is near zero.
            && lag.is_some_and(|l| l < 65_536.0);
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "metrics did not settle:\n{text}\nlog:\n{}",
            ferrium.log()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    ferrium.stop();
    db.drop().await;
}
