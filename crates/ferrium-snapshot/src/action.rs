//! Debezium's signal actions (`io.debezium.pipeline.signal.actions`), parsed from the
//! `type` and `data` of a signal: `execute-snapshot`, `stop-snapshot`,
//! `pause-snapshot`, `resume-snapshot` and `log`, plus the two watermark kinds an
//! incremental snapshot writes itself.

use ferrium_event::signal::Signal;
use serde_json::Value as Json;

pub const WINDOW_OPEN: &str = "snapshot-window-open";
pub const WINDOW_CLOSE: &str = "snapshot-window-close";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    Incremental,
    Blocking,
}

/// A table named by a signal, with its per-table options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCollection {
    /// The qualified name (or, in a signal, a regular expression over qualified names).
    pub id: String,
    /// `additional-conditions[].filter`: a SQL condition the chunk reads add.
    pub additional_condition: Option<String>,
    /// `surrogate-key`: the column chunks are read by instead of the primary key.
    pub surrogate_key: Option<String>,
}

impl DataCollection {
    /// The `additional-conditions` filter as a clause to append to a chunk's `WHERE`
    /// (empty without one).
    pub fn and_filter(&self) -> String {
        self.additional_condition
            .as_deref()
            .map_or_else(String::new, |c| format!(" AND ({c})"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    ExecuteSnapshot {
        kind: SnapshotKind,
        collections: Vec<DataCollection>,
    },
    /// Empty `collections`: every table of the running snapshot.
    StopSnapshot {
        kind: SnapshotKind,
        collections: Vec<String>,
    },
    PauseSnapshot,
    ResumeSnapshot,
    Log {
        message: String,
    },
    /// A chunk window's watermark, written by an incremental snapshot.
    Window {
        id: String,
        open: bool,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignalError {
    #[error("signal '{id}': unknown signal type '{kind}'; supported are execute-snapshot, stop-snapshot, pause-snapshot, resume-snapshot and log")]
    UnknownType { id: String, kind: String },
    #[error("signal '{id}' ({kind}): {problem}")]
    BadData {
        id: String,
        kind: String,
        problem: String,
    },
}

/// The names among `names` that a signal's `data-collections` entry means: the name
/// itself, or a regular expression over whole names, case-insensitively (as Debezium
/// matches them). Sorted, so chunks run in a stable order.
pub fn matching_names<'a>(pattern: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let regex = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(true)
        .build()
        .ok();
    let mut matched: Vec<String> = names
        .filter(|name| {
            name.eq_ignore_ascii_case(pattern) || regex.as_ref().is_some_and(|r| r.is_match(name))
        })
        .map(str::to_string)
        .collect();
    matched.sort();
    matched
}

/// Reads a signal into an action.
pub fn parse(signal: &Signal) -> Result<Action, SignalError> {
    let kind = signal.kind.trim().to_ascii_lowercase();
    let bad = |problem: String| SignalError::BadData {
        id: signal.id.clone(),
        kind: signal.kind.clone(),
        problem,
    };
    let data = || -> Result<serde_json::Map<String, Json>, SignalError> {
        if signal.data.trim().is_empty() {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_str::<Json>(&signal.data) {
            Ok(Json::Object(map)) => Ok(map),
            Ok(Json::Null) => Ok(serde_json::Map::new()),
            Ok(_) => Err(bad("'data' must be a JSON object".into())),
            Err(e) => Err(bad(format!("'data' is not valid JSON ({e})"))),
        }
    };
    match kind.as_str() {
        "execute-snapshot" => {
            let data = data()?;
            let kind = snapshot_kind(&data).map_err(bad)?;
            let names = collections(&data).map_err(bad)?;
            if names.is_empty() {
                return Err(bad(
                    "'data-collections' must list at least one table, e.g. {\"data-collections\": [\"public.orders\"]}"
                        .into(),
                ));
            }
            let conditions = additional_conditions(&data).map_err(bad)?;
            let surrogate_key = match data.get("surrogate-key") {
                None | Some(Json::Null) => None,
                Some(Json::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                Some(_) => return Err(bad("'surrogate-key' must be a column name".into())),
            };
            let collections = names
                .into_iter()
                .map(|id| DataCollection {
                    additional_condition: conditions
                        .iter()
                        .find(|(table, _)| table.eq_ignore_ascii_case(&id))
                        .map(|(_, filter)| filter.clone()),
                    surrogate_key: surrogate_key.clone(),
                    id,
                })
                .collect();
            Ok(Action::ExecuteSnapshot { kind, collections })
        }
        "stop-snapshot" => {
            let data = data()?;
            Ok(Action::StopSnapshot {
                kind: snapshot_kind(&data).map_err(bad)?,
                collections: collections(&data).map_err(bad)?,
            })
        }
        "pause-snapshot" => Ok(Action::PauseSnapshot),
        "resume-snapshot" => Ok(Action::ResumeSnapshot),
        "log" => {
            let data = data()?;
            match data.get("message") {
                Some(Json::String(message)) => Ok(Action::Log {
                    message: message.clone(),
                }),
                _ => Err(bad(
                    "'message' must be a string, e.g. {\"message\": \"hello\"}".into(),
                )),
            }
        }
        WINDOW_OPEN | WINDOW_CLOSE => Ok(Action::Window {
            id: signal.id.clone(),
            open: kind == WINDOW_OPEN,
        }),
        _ => Err(SignalError::UnknownType {
            id: signal.id.clone(),
            kind: signal.kind.clone(),
        }),
    }
}

/// `type`: `incremental` (the default) or `blocking`, in any case.
fn snapshot_kind(data: &serde_json::Map<String, Json>) -> Result<SnapshotKind, String> {
    match data.get("type") {
        None | Some(Json::Null) => Ok(SnapshotKind::Incremental),
        Some(Json::String(s)) => match s.to_ascii_lowercase().as_str() {
            "incremental" => Ok(SnapshotKind::Incremental),
            "blocking" => Ok(SnapshotKind::Blocking),
            other => Err(format!(
                "snapshot type '{other}' is not one of incremental, blocking"
            )),
        },
        Some(_) => Err("'type' must be a string: incremental or blocking".into()),
    }
}

fn collections(data: &serde_json::Map<String, Json>) -> Result<Vec<String>, String> {
    match data.get("data-collections") {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|item| match item {
                Json::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                other => Err(format!(
                    "'data-collections' must hold table names, found {other}"
                )),
            })
            .collect(),
        Some(_) => Err("'data-collections' must be an array of table names".into()),
    }
}

/// `additional-conditions`: `[{"data-collection": "s.t", "filter": "…"}]`, or the older
/// single `additional-condition` string that applies to every listed table.
fn additional_conditions(
    data: &serde_json::Map<String, Json>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    match data.get("additional-conditions") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for item in items {
                let table = item.get("data-collection").and_then(Json::as_str);
                let filter = item.get("filter").and_then(Json::as_str);
                match (table, filter) {
                    (Some(t), Some(f)) => out.push((t.trim().to_string(), f.to_string())),
                    _ => {
                        return Err(
                            "each 'additional-conditions' item needs 'data-collection' and 'filter' strings"
                                .into(),
                        )
                    }
                }
            }
        }
        Some(_) => return Err("'additional-conditions' must be an array".into()),
    }
    if let Some(Json::String(filter)) = data.get("additional-condition") {
        for table in collections(data)? {
            out.push((table, filter.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::signal::SignalChannel;

    fn signal(kind: &str, data: &str) -> Signal {
        Signal {
            id: "s1".into(),
            kind: kind.into(),
            data: data.into(),
            channel: SignalChannel::Source,
        }
    }

    #[test]
    fn collections_match_by_name_or_whole_name_regex_case_insensitively() {
        let names = ["public.orders", "public.order_lines", "audit.orders"];
        assert_eq!(
            matching_names("PUBLIC.ORDERS", names.into_iter()),
            vec!["public.orders"]
        );
        assert_eq!(
            matching_names("public\\.order.*", names.into_iter()),
            vec!["public.order_lines", "public.orders"]
        );
        assert!(matching_names("orders", names.into_iter()).is_empty());
        assert!(matching_names("(", names.into_iter()).is_empty());
    }

    #[test]
    fn execute_snapshot_reads_tables_conditions_and_surrogate_key() {
        let action = parse(&signal(
            "execute-snapshot",
            r#"{"data-collections": ["public.a", "public.b"], "type": "INCREMENTAL",
                "additional-conditions": [{"data-collection": "public.b", "filter": "id > 10"}],
                "surrogate-key": "code"}"#,
        ))
        .unwrap();
        let Action::ExecuteSnapshot { kind, collections } = action else {
            panic!("not an execute-snapshot: {action:?}");
        };
        assert_eq!(kind, SnapshotKind::Incremental);
        assert_eq!(collections[0].id, "public.a");
        assert_eq!(collections[0].additional_condition, None);
        assert_eq!(
            collections[1].additional_condition.as_deref(),
            Some("id > 10")
        );
        assert_eq!(collections[1].surrogate_key.as_deref(), Some("code"));
    }

    #[test]
    fn bad_payloads_are_named() {
        let e = parse(&signal("execute-snapshot", "{not json")).unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        let e = parse(&signal("execute-snapshot", r#"{"data-collections": []}"#)).unwrap_err();
        assert!(e.to_string().contains("at least one table"), "{e}");
        let e = parse(&signal(
            "execute-snapshot",
            r#"{"data-collections": ["a"], "type": "full"}"#,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("'full'"), "{e}");
        let e = parse(&signal("explode", "")).unwrap_err();
        assert!(matches!(e, SignalError::UnknownType { .. }));
        let e = parse(&signal("log", "{}")).unwrap_err();
        assert!(e.to_string().contains("'message'"), "{e}");
    }

    #[test]
    fn other_actions_and_watermarks() {
        assert_eq!(
            parse(&signal("pause-snapshot", "")).unwrap(),
            Action::PauseSnapshot
        );
        assert_eq!(
            parse(&signal("Resume-Snapshot", "{}")).unwrap(),
            Action::ResumeSnapshot
        );
        assert_eq!(
            parse(&signal("stop-snapshot", r#"{"type": "incremental"}"#)).unwrap(),
            Action::StopSnapshot {
                kind: SnapshotKind::Incremental,
                collections: vec![]
            }
        );
        assert_eq!(
            parse(&signal("log", r#"{"message": "hi"}"#)).unwrap(),
            Action::Log {
                message: "hi".into()
            }
        );
        assert_eq!(
            parse(&signal(WINDOW_CLOSE, "{}")).unwrap(),
            Action::Window {
                id: "s1".into(),
                open: false
            }
        );
    }
}
