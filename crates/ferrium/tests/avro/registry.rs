//! The schema registry's REST API as the tests need it (subjects, versions, compatibility),
//! over `curl`, the Avro converter options of a connector, and a PostgreSQL connector
//! started with them into Kafka.

use std::process::Command;

use serde_json::Value;

use crate::support::{kafka_bootstrap, schema_registry_url, Ferrium, TestDb};

fn curl(method: &str, path: &str, body: Option<&str>) -> Value {
    let url = format!("{}{path}", schema_registry_url());
    let mut command = Command::new("curl");
    command.args([
        "-sS",
        "-X",
        method,
        "-H",
        "Content-Type: application/vnd.schemaregistry.v1+json",
    ]);
    if let Some(body) = body {
        command.args(["-d", body]);
    }
    let output = command.arg(&url).output().expect("curl runs");
    assert!(
        output.status.success(),
        "curl {method} {url} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{method} {url} answered no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The subjects that start with `prefix`, sorted.
pub fn subjects(prefix: &str) -> Vec<String> {
    let all = curl("GET", "/subjects", None);
    let mut subjects: Vec<String> = all
        .as_array()
        .unwrap_or_else(|| panic!("GET /subjects: {all}"))
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| s.starts_with(prefix))
        .map(str::to_string)
        .collect();
    subjects.sort();
    subjects
}

/// The version numbers of a subject.
pub fn versions(subject: &str) -> Vec<i64> {
    let answer = curl("GET", &format!("/subjects/{subject}/versions"), None);
    answer
        .as_array()
        .unwrap_or_else(|| panic!("GET versions of {subject}: {answer}"))
        .iter()
        .filter_map(Value::as_i64)
        .collect()
}

/// The latest schema of a subject, as JSON.
pub fn latest_schema(subject: &str) -> Value {
    let answer = curl("GET", &format!("/subjects/{subject}/versions/latest"), None);
    let text = answer["schema"]
        .as_str()
        .unwrap_or_else(|| panic!("latest of {subject}: {answer}"));
    serde_json::from_str(text).unwrap()
}

/// Sets a subject's compatibility level (Apicurio's default is NONE, Confluent's BACKWARD).
pub fn set_compatibility(subject: &str, level: &str) {
    let answer = curl(
        "PUT",
        &format!("/config/{subject}"),
        Some(&format!("{{\"compatibility\": \"{level}\"}}")),
    );
    assert_eq!(
        answer["compatibility"], level,
        "PUT /config/{subject}: {answer}"
    );
}

/// Connector options that write keys and values in Avro to the test registry.
pub fn avro_options(extra: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let url = schema_registry_url();
    let mut options = vec![
        (
            "key.converter".to_string(),
            "io.confluent.connect.avro.AvroConverter".to_string(),
        ),
        ("key.converter.schema.registry.url".to_string(), url.clone()),
        (
            "value.converter".to_string(),
            "io.confluent.connect.avro.AvroConverter".to_string(),
        ),
        ("value.converter.schema.registry.url".to_string(), url),
    ];
    options.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    options
}

/// `options` with every `*.schema.registry.url` set to `url`.
pub fn with_registry_url(mut options: Vec<(String, String)>, url: &str) -> Vec<(String, String)> {
    for (key, value) in &mut options {
        if key.ends_with("schema.registry.url") {
            *value = url.to_string();
        }
    }
    options
}

/// A PostgreSQL connector writing Avro to Kafka under the topic prefix `db.name`, with
/// `extra` connector options, once it streams.
pub fn start_postgres(db: &TestDb, extra: &[(&'static str, &'static str)]) -> Ferrium {
    let prefix = db.name.clone();
    let mut options = avro_options(extra);
    options.push(("topic.prefix".into(), prefix.clone()));
    let options: Vec<(&str, &str)> = options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
    ]);
    let ferrium = Ferrium::start(&db.write_connector(&db.connector(&options)), &worker);
    ferrium.wait_for_log("streaming started");
    ferrium
}
