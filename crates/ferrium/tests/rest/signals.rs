//! Signals from outside the database: `POST /connectors/{name}/signals` and the Kafka
//! signal topic start, pause, resume and stop an incremental snapshot; bad signals are
//! refused (REST) or reported in the status (Kafka) while streaming goes on; the
//! `snapshot` field of the status shows the progress.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::{json, Value};

use crate::support::kafka_bootstrap;
use crate::support::TestDb;
use crate::worker::{task_state, Worker};

const T: Duration = Duration::from_secs(90);
const CHUNK: usize = 20;

async fn create_topic(topic: &str) {
    let admin: AdminClient<_> = ClientConfig::new()
        .set("bootstrap.servers", kafka_bootstrap())
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(topic, 1, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    assert!(created.iter().all(|r| r.is_ok()), "{created:?}");
}

struct SignalTopic {
    producer: FutureProducer,
    topic: String,
}

impl SignalTopic {
    async fn send(&self, key: &str, value: &str) {
        self.producer
            .send(
                FutureRecord::to(&self.topic).key(key).payload(value),
                Duration::from_secs(10),
            )
            .await
            .unwrap_or_else(|(e, _)| panic!("producing a signal: {e}"));
    }
}

fn reads(lines: &[crate::support::Line]) -> usize {
    lines.iter().filter(|l| l.op() == Some("r")).count()
}

fn snapshot_tables(status: &Value) -> usize {
    status["snapshot"]["tables"]
        .as_array()
        .map_or(0, |tables| tables.len())
}

fn table_rows(status: &Value) -> u64 {
    status["snapshot"]["tables"][0]["rows"]
        .as_u64()
        .unwrap_or(0)
}

fn problems(status: &Value) -> String {
    status["snapshot"]["problems"].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn rest_and_kafka_signals_drive_an_incremental_snapshot_and_bad_ones_are_refused() {
    let db = TestDb::create("rest_signals").await;
    db.exec(
        "CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL);
         INSERT INTO items SELECT i, 0 FROM generate_series(1, 20000) i;
         CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));",
    )
    .await;
    let topic = format!("{}-signal", db.name);
    create_topic(&topic).await;
    let kafka = SignalTopic {
        producer: ClientConfig::new()
            .set("bootstrap.servers", kafka_bootstrap())
            .create()
            .unwrap(),
        topic: topic.clone(),
    };
    let w = Worker::start(&db.worker(&["listeners=http://127.0.0.1:0"]));
    let bootstrap = kafka_bootstrap();
    let connector = db.connector(&[
        ("topic.prefix", "sig"),
        ("snapshot.mode", "no_data"),
        ("table.include.list", "public.items"),
        ("signal.data.collection", "public.debezium_signal"),
        ("signal.enabled.channels", "source,kafka"),
        ("signal.kafka.topic", &topic),
        ("signal.kafka.bootstrap.servers", &bootstrap),
        ("incremental.snapshot.chunk.size", "20"),
    ]);
    let name = connector["name"].as_str().unwrap().to_string();
    assert_eq!(
        w.http.post("/connectors", &connector.to_string()).status,
        201
    );
    w.wait_status(&name, T, |s| task_state(s) == "RUNNING");
    w.wait_for_log("streaming started", T);
    let signals = format!("/connectors/{name}/signals");

    // What the connector could not act on is refused before it is queued.
    let not_json = w.http.post(&signals, "execute-snapshot please");
    assert_eq!(not_json.status, 400, "{not_json:?}");
    let no_type = w.http.post(&signals, r#"{"data": {}}"#);
    assert_eq!(no_type.status, 400);
    assert!(no_type.error(400).contains("'type'"), "{no_type:?}");
    let unknown = w.http.post(&signals, r#"{"type": "take-a-break"}"#);
    assert!(unknown
        .error(400)
        .contains("unknown signal type 'take-a-break'"));
    let empty = w.http.post(
        &signals,
        r#"{"type": "execute-snapshot", "data": {"data-collections": []}}"#,
    );
    assert!(empty.error(400).contains("data-collections"), "{empty:?}");
    let nobody = w
        .http
        .post("/connectors/nobody/signals", r#"{"type": "log"}"#);
    assert!(nobody.error(404).contains("nobody"));

    // Started through the API.
    let started = w.http.post(
        &signals,
        r#"{"type": "execute-snapshot", "data": {"data-collections": ["public.items"], "type": "INCREMENTAL"}}"#,
    );
    assert_eq!(started.status, 202, "{started:?}");
    let mut read = reads(&w.collect("sig.", 200, T));
    let status = w.wait_status(&name, T, |s| snapshot_tables(s) == 1);
    let table = &status["snapshot"]["tables"][0];
    assert_eq!(table["table"], "public.items");
    assert_eq!(table["kind"], "incremental");

    // Paused from Kafka: at most the chunk in flight still arrives.
    kafka
        .send(
            "sig",
            r#"{"type": "pause-snapshot", "data": {"type": "INCREMENTAL"}}"#,
        )
        .await;
    let paused = w.wait_status(&name, T, |s| s["snapshot"]["paused"] == true);
    let rows_at_pause = table_rows(&paused);
    // Records emitted before the pause may still be on their way through the pipeline;
    // the source's own count says whether it read on.
    read += reads(&w.drain("sig.", Duration::from_secs(2)));
    let still_paused = w.wait_status(&name, T, |s| s["snapshot"]["paused"] == true);
    assert!(
        table_rows(&still_paused) <= rows_at_pause + CHUNK as u64,
        "rows went from {rows_at_pause} to {} while paused",
        table_rows(&still_paused)
    );

    // Resumed through the API.
    let resumed = w.http.post(&signals, r#"{"type": "resume-snapshot"}"#);
    assert_eq!(resumed.status, 202);
    read += reads(&w.collect("sig.", 200, T));
    w.wait_status(&name, T, |s| s["snapshot"]["paused"] == false);

    // Stopped from Kafka: the table leaves the report, and the reads end short of the
    // table.
    kafka
        .send(
            "sig",
            r#"{"type": "stop-snapshot", "data": {"data-collections": ["public.items"], "type": "INCREMENTAL"}}"#,
        )
        .await;
    w.wait_status(&name, T, |s| snapshot_tables(s) == 0);
    read += reads(&w.drain("sig.", Duration::from_secs(2)));
    assert!(read < 20_000, "the stopped snapshot read all {read} rows");
    assert!(
        reads(&w.drain("sig.", Duration::from_secs(1))) == 0,
        "rows kept coming after the stop"
    );

    // A record keyed for another connector is not this connector's signal; records are
    // read in order, so once the next one is acted on the other was passed over.
    kafka
        .send(
            "someone-else",
            r#"{"type": "log", "data": {"message": "not-mine"}}"#,
        )
        .await;
    kafka
        .send("sig", r#"{"type": "log", "data": {"message": "mine"}}"#)
        .await;
    w.wait_for_log("signal log: mine", T);
    assert!(w.log().contains("signal record skipped"));
    assert!(!w.log().contains("not-mine"));

    // Bad signals from Kafka and a table nobody captures are reported in the status;
    // streaming goes on.
    kafka.send("sig", "{broken").await;
    w.wait_status(&name, T, |s| problems(s).contains("not JSON"));
    let nope = w.http.post(
        &signals,
        r#"{"type": "execute-snapshot", "data": {"data-collections": ["public.nope"]}}"#,
    );
    assert_eq!(nope.status, 202);
    w.wait_status(&name, T, |s| problems(s).contains("public.nope"));
    db.exec("INSERT INTO items VALUES (30000, 1)").await;
    let streamed = w.collect("sig.", 1, T);
    assert_eq!(streamed[0].op(), Some("c"), "{streamed:?}");
    assert_eq!(streamed[0].after()["id"], 30000);

    // A stopped connector keeps what is sent for its next start, up to a bound.
    assert_eq!(
        w.http.put(&format!("/connectors/{name}/stop"), "").status,
        202
    );
    w.wait_status(&name, T, |s| s["connector"]["state"] == "STOPPED");
    let deadline = Instant::now() + T;
    let mut accepted = 0;
    let busy = loop {
        let reply = w.http.post(
            &signals,
            r#"{"type": "log", "data": {"message": "queued"}}"#,
        );
        if reply.status != 202 {
            break reply;
        }
        accepted += 1;
        assert!(
            Instant::now() < deadline && accepted <= 64,
            "{accepted} signals queued"
        );
    };
    assert_eq!(accepted, 64);
    assert!(busy.error(503).contains("signals waiting"), "{busy:?}");

    // Sinks take no signals.
    let sink = json!({
        "name": format!("{}-sink", db.name),
        "config": {
            "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
            "connection.url": format!("jdbc:postgresql://127.0.0.1:{}/{}", crate::support::pg_port(), db.name),
            "connection.username": "postgres",
            "topics": "sig.public.items",
        },
        "initial_state": "STOPPED",
    });
    assert_eq!(w.http.post("/connectors", &sink.to_string()).status, 201);
    let to_sink = w.http.post(
        &format!("/connectors/{}-sink/signals", db.name),
        r#"{"type": "log"}"#,
    );
    assert!(to_sink.error(409).contains("sink"), "{to_sink:?}");

    w.stop();
    db.drop().await;
}
