//! Bad Avro configuration gets a clear error that names the problem and the fix: a
//! registry URL nothing answers at, a URL that is not a registry, Apicurio's converter
//! outside its Confluent-compatible mode, and record names Avro does not allow.

use std::time::Duration;

use crate::registry::{avro_options, subjects, with_registry_url};
use crate::support::{read_avro, run_to_exit, schema_registry_url, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(60);

fn options(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn table() -> TestDb {
    let db = TestDb::create("avro_bad").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    db
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_url_nothing_answers_at_is_named() {
    let db = table().await;
    let pairs = with_registry_url(
        avro_options(&[("errors.max.retries", "0")]),
        "http://127.0.0.1:1/apis/ccompat/v7",
    );
    let connector = db.write_connector(&db.connector(&options(&pairs)));
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    assert!(
        log.contains("the schema registry at http://127.0.0.1:1/apis/ccompat/v7 is unreachable"),
        "{log}"
    );
    assert!(
        log.contains("check key.converter.schema.registry.url"),
        "{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_that_is_not_a_registry_is_named() {
    let db = table().await;
    let not_registry = schema_registry_url().replace("/apis/ccompat/v7", "/apis/nothing");
    let pairs = with_registry_url(avro_options(&[]), &not_registry);
    let connector = db.write_connector(&db.connector(&options(&pairs)));
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    assert!(log.contains("HTTP 404"), "{log}");
    assert!(log.contains("does not serve the Confluent schema registry API (for Apicurio Registry it ends in /apis/ccompat/v7)"), "{log}");
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apicurios_converter_outside_confluent_mode_is_refused() {
    let db = table().await;
    let url = schema_registry_url().replace("/apis/ccompat/v7", "/apis/registry/v3");
    let pairs = vec![
        (
            "value.converter".to_string(),
            "io.apicurio.registry.utils.converter.AvroConverter".to_string(),
        ),
        ("value.converter.apicurio.registry.url".to_string(), url),
    ];
    let connector = db.write_connector(&db.connector(&options(&pairs)));
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    assert!(
        log.contains("'value.converter.apicurio.registry.as-confluent=true'"),
        "{log}"
    );
    assert!(
        log.contains("'value.converter.apicurio.registry.headers.enabled=false'"),
        "{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apicurios_converter_in_confluent_mode_writes_what_confluents_reads() {
    let db = table().await;
    let prefix = format!("{}_apicurio", db.name);
    let url = schema_registry_url().replace("/apis/ccompat/v7", "/apis/registry/v3");
    let pairs: Vec<(String, String)> = [
        ("topic.prefix", prefix.as_str()),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "io.apicurio.registry.utils.converter.AvroConverter",
        ),
        ("value.converter.apicurio.registry.url", url.as_str()),
        ("value.converter.apicurio.registry.auto-register", "true"),
        ("value.converter.apicurio.registry.as-confluent", "true"),
        ("value.converter.apicurio.registry.headers.enabled", "false"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", crate::support::kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&db.connector(&options(&pairs))),
        &worker,
    );
    let topic = format!("{prefix}.public.t");
    let records = crate::support::read_avro_with(&topic, 1, WAIT, &["--key-format", "none"]);
    assert_eq!(records[0]["value"]["after"]["id"], 1, "{records:?}");
    assert_eq!(subjects(&topic), [format!("{topic}-value")]);
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn names_avro_forbids_are_named_and_adjusted_on_request() {
    let db = table().await;
    let prefix = format!("{}-dash", db.name);
    let mut pairs = avro_options(&[]);
    pairs.push(("topic.prefix".into(), prefix.clone()));
    let connector = db.write_connector(&db.connector(&options(&pairs)));
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    assert!(log.contains("is not a valid Avro schema"), "{log}");
    assert!(log.contains("schema.name.adjustment.mode=avro"), "{log}");

    pairs.push(("schema.name.adjustment.mode".into(), "avro".into()));
    pairs.push(("slot.name".into(), format!("{}_2", db.name)));
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", crate::support::kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
    ]);
    let ferrium = Ferrium::start(
        &db.write_connector(&db.connector(&options(&pairs))),
        &worker,
    );
    let topic = format!("{prefix}.public.t");
    let records = read_avro(&topic, 1, WAIT);
    assert_eq!(records[0]["value"]["after"]["id"], 1);
    let latest = crate::registry::latest_schema(&format!("{topic}-value"));
    assert_eq!(latest["namespace"], format!("{}_dash.public.t", db.name));
    assert!(ferrium.stop().success());
    db.drop().await;
}
