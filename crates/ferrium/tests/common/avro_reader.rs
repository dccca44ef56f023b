//! Reading Avro records from Kafka with a decoder that is not Ferrium's: Confluent's own
//! `AvroDeserializer` and schema registry client (Python, `tests/tools/avro_consume.py`), in the
//! venv that `scripts/services.sh up registry` sets up under the services dir.
//!
//! `produce_avro` writes records with Confluent's `AvroSerializer` (`tests/tools/avro_produce.py`).
//!
//! Each record comes back as the tool's JSON line — `partition`, `offset`, `key`, `value`,
//! `key_schema_id`, `value_schema_id`, `headers`; the tool's docstring says how bytes, decimals,
//! dates and times are rendered. Missing venv, registry or broker, a short read and a record that
//! does not decode all fail the test with the tool's own message.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The registry's Confluent-compatible API as `scripts/services.sh env` exports it.
pub fn schema_registry_url() -> String {
    std::env::var("FERRIUM_SCHEMA_REGISTRY_URL").unwrap_or_else(|_| {
        let port = std::env::var("FERRIUM_REGISTRY_PORT").unwrap_or_else(|_| "8081".into());
        format!("http://127.0.0.1:{port}/apis/ccompat/v7")
    })
}

fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The venv's interpreter: `$FERRIUM_SERVICES_DIR/venv` (default `<repo>/.services/venv`).
fn tools_python() -> PathBuf {
    let services = std::env::var("FERRIUM_SERVICES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join(".services"));
    let python = services.join("venv/bin/python");
    assert!(
        python.is_file(),
        "the Python venv of the Avro test tools is missing ({}); create it with \
         `scripts/services.sh up registry` (or `scripts/python-env.sh`), with the same \
         FERRIUM_SERVICES_DIR",
        python.display()
    );
    python
}

fn tool(name: &str) -> PathBuf {
    repo_root().join("crates/ferrium/tests/tools").join(name)
}

/// The broker and registry the tools talk to, as the Rust tests see them.
fn tool_command(script: &PathBuf) -> Command {
    let kafka_port = std::env::var("FERRIUM_KAFKA_PORT").unwrap_or_else(|_| "9092".into());
    let mut command = Command::new(tools_python());
    command
        .arg(script)
        .env("FERRIUM_KAFKA_BOOTSTRAP", format!("127.0.0.1:{kafka_port}"))
        .env("FERRIUM_SCHEMA_REGISTRY_URL", schema_registry_url());
    command
}

/// Writes `records` (`{"key": .., "value": ..}` each; a null value is a tombstone) to `topic`
/// with Confluent's `AvroSerializer`, registering the schemas under `<topic>-key`/`<topic>-value`.
/// Returns the tool's `{"key_schema_id", "value_schema_id"}`.
pub fn produce_avro(
    topic: &str,
    key_schema: Option<&str>,
    value_schema: &str,
    records: &[Value],
) -> Value {
    let script = tool("avro_produce.py");
    let mut command = tool_command(&script);
    command.arg(topic).arg("--value-schema").arg(value_schema);
    if let Some(key_schema) = key_schema {
        command.arg("--key-schema").arg(key_schema);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let mut stdin = child.stdin.take().expect("stdin was piped");
    for record in records {
        writeln!(stdin, "{record}").expect("writing to avro_produce.py");
    }
    drop(stdin);
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "avro_produce.py {topic} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("avro_produce.py printed no JSON ({e}): {stdout}"))
}

/// The first `n` records of `topic` (every partition from the beginning, `read_committed`),
/// decoded, sorted by (partition, offset). Panics unless all `n` arrive within `timeout`.
pub fn read_avro(topic: &str, n: usize, timeout: Duration) -> Vec<Value> {
    read_avro_with(topic, n, timeout, &[])
}

/// [`read_avro`] with extra tool arguments, e.g. `["--key-format", "base64"]` for keys that
/// are not Avro.
pub fn read_avro_with(topic: &str, n: usize, timeout: Duration, extra: &[&str]) -> Vec<Value> {
    let script = tool("avro_consume.py");
    let output = tool_command(&script)
        .arg(topic)
        .arg(n.to_string())
        .arg("--timeout")
        .arg(format!("{:.3}", timeout.as_secs_f64()))
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "avro_consume.py {topic} {n} failed ({}):\n{stderr}\nwhat it printed:\n{stdout}",
        output.status
    );
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| {
                panic!("avro_consume.py printed a line that is not JSON ({e}): {line}")
            })
        })
        .collect()
}
