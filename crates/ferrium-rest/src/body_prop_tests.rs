//! Property tests of the REST request bodies (#13 item 8): any body of a connector,
//! config, offsets or signal request, random or a valid one with characters replaced, cut
//! or repeated, is read or refused with a 400, never a panic.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use axum::body::Bytes;
use ferrium_event::signal::SignalChannel;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value as Json;

use super::*;

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

const BODIES: &[&str] = &[
    r#"{"name": "inventory", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "tasks.max": 1, "x": null}, "initial_state": "PAUSED"}"#,
    r#"{"connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.port": 3306, "snapshot.locking.mode": false}"#,
    r#"{"offsets": [{"partition": {"server": "shop"}, "offset": {"lsn": 23456789, "txId": 771}}, {"partition": {"server": "x"}, "offset": null}]}"#,
    r#"{"id": "d139b9b7-7777-4547-917d-e1775ea61d41", "type": "execute-snapshot", "data": {"data-collections": ["public.orders"], "type": "incremental"}}"#,
    r#"{"type": "log", "data": "{\"message\": \"caf\u00e9\"}", "id": 12}"#,
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    let noise = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            '{', '}', '[', ']', '"', ':', ',', '\\', '0', 'e', '-', 'n'
        ]),
    ];
    let edits = prop::collection::vec((0u8..4, any::<prop::sample::Index>(), noise), 1..5);
    let mutated = (prop::sample::select(BODIES), edits).prop_map(|(sample, edits)| {
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
        chars.into_iter().collect::<String>().into_bytes()
    });
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64),
        4 => mutated,
    ]
}

proptest! {
    #![proptest_config(config(5_000))]

    #[test]
    fn any_body_is_read_or_refused_with_a_400(bytes in body(), query in "[a-zA-Z=&%]{0,24}") {
        let bytes = Bytes::from(bytes);
        let _ = json(&bytes);
        match object(&bytes) {
            Ok(map) => {
                // PUT …/config and the bare map; POST /connectors' "config".
                let _ = config_map(&map);
                if let Some(Json::Object(config)) = map.get("config") {
                    let _ = config_map(config);
                }
                let _ = ferrium_runtime::signal_from_json(&Json::Object(map), "id", SignalChannel::Rest);
            }
            Err(e) => prop_assert_eq!(e.status.as_u16(), 400),
        }
        let _ = query_values(Some(&query), "expand");
        let _ = query_flag(Some(&query), "includeTasks");
    }
}
