//! Property tests of the readers of users' files (#13 item 8): any connector JSON and any
//! worker properties text, random or a valid file with characters replaced, cut or
//! repeated, give connectors / a worker config or a typed error, never a panic.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use crate::{parse_connectors, WorkerConfig};

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` alone ignores it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    config.failure_persistence = None;
    config
}

const CONNECTOR_FILES: &[&str] = &[
    r#"{"name": "inventory", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "tasks.max": 1, "snapshot.new.tables": true, "x": null}}"#,
    r#"{"connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.port": "3306", "name": "m"}"#,
    r#"[{"name": "a", "config": {"k": "v"}}, {"k": "caf\u00e9 \"q\""}]"#,
    r#"{"name": 5, "config": {"nested": {"a": [1, 2e308, -0.0]}}}"#,
];

/// The worker's own config providers only read the environment here: a mutated file
/// must not send the test reading random paths.
const WORKER_FILES: &[&str] = &[
    "bootstrap.servers=localhost:9092\noffset.storage.file.filename=/tmp/o.offsets\noffset.flush.interval.ms=60000\n",
    "# comment\n! other\nkey\\ with\\ spaces = value \\\n  continued\nunicode=\\u00e9\\u12\n",
    "config.providers=env\nconfig.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\nsasl.password=${env:FERRIUM_NO_SUCH_VARIABLE}\nx=${env:PATH}\n",
    "a:b\nc d\ne=\\\n",
];

fn mutate(sample: &str, edits: Vec<(u8, prop::sample::Index, char)>) -> String {
    let mut chars: Vec<char> = sample.chars().collect();
    for (op, at, c) in edits {
        let len = chars.len();
        match op {
            0 if len > 0 => chars[at.index(len)] = c,
            1 => chars.truncate(at.index(len + 1)),
            2 => chars.insert(at.index(len + 1), c),
            _ if len > 0 => {
                let from = at.index(len);
                let to = (from + 16).min(len);
                let span: Vec<char> = chars[from..to].to_vec();
                for _ in 0..4 {
                    chars.splice(from..from, span.iter().copied());
                }
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn text(
    samples: &'static [&'static str],
    special: &'static [char],
) -> impl Strategy<Value = String> {
    let noise = prop_oneof![any::<char>(), prop::sample::select(special)];
    let edits = prop::collection::vec((0u8..4, any::<prop::sample::Index>(), noise), 1..5);
    prop_oneof![
        1 => any::<String>(),
        4 => (prop::sample::select(samples), edits).prop_map(|(s, e)| mutate(s, e)),
    ]
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn any_connector_file_reads_or_fails_cleanly(
        text in text(CONNECTOR_FILES, &['{', '}', '[', ']', '"', ':', ',', '\\', '0', 'e', '-']),
        fallback in "[a-z]{0,3}",
    ) {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Ok(connectors) = parse_connectors(&json, &fallback) {
                for c in connectors {
                    prop_assert_eq!(c.get("name"), Some(c.name.as_str()));
                }
            }
        }
    }

    #[test]
    fn any_worker_properties_read_or_fail_cleanly(
        text in text(WORKER_FILES, &['=', ':', '\\', '\n', '#', '!', ' ', '$', '{', '}', 'u']),
    ) {
        // What WorkerConfig::load does after opening the file.
        if let Ok(props) = java_properties::read(std::io::Cursor::new(text.as_bytes())) {
            let props: std::collections::BTreeMap<String, String> = props.into_iter().collect();
            let only_env = props
                .iter()
                .filter(|(k, _)| k.starts_with("config.providers"))
                .all(|(_, v)| v == "env" || v.ends_with("EnvVarConfigProvider"));
            if only_env {
                if let Ok(worker) = WorkerConfig::from_props(props) {
                    let _ = worker.offset_flush_interval_ms();
                    let _ = worker.offset_file();
                }
            }
        }
    }
}
