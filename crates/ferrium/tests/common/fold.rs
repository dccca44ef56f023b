//! Folds change records of one table into per-key state (last event wins), as a consumer
//! rebuilding the table would, and checks on the way what an incremental snapshot must
//! never do: let an old chunk read put a key back to an older version than a streamed
//! change gave it, or bring back a key whose delete was streamed. Rows carry an `id` key
//! and a `version` column.

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::support::Line;

pub struct Fold {
    topic: String,
    pub state: BTreeMap<i64, i64>,
    /// Lines of the collected list already folded.
    applied: usize,
    /// `op: "r"` records seen.
    pub reads: usize,
    deleted: HashSet<i64>,
}

impl Fold {
    pub fn new(topic: impl Into<String>) -> Fold {
        Fold {
            topic: topic.into(),
            state: BTreeMap::new(),
            applied: 0,
            reads: 0,
            deleted: HashSet::new(),
        }
    }

    /// A fold that starts from the state another run reached (a restart resumes there).
    pub fn resuming(topic: impl Into<String>, state: BTreeMap<i64, i64>) -> Fold {
        Fold {
            state,
            ..Fold::new(topic)
        }
    }

    /// The lines to fold next are a new collection, folded from its start.
    pub fn next_collection(&mut self) {
        self.applied = 0;
    }

    /// Folds the lines not folded yet (`lines` grows between calls).
    pub fn apply(&mut self, lines: &[Line]) {
        for l in &lines[self.applied..] {
            assert!(
                !l.topic.ends_with(".debezium_signal"),
                "a signalling table row was emitted: {l:?}"
            );
            if l.topic != self.topic || l.value == Value::Null {
                continue;
            }
            let id = l.key["id"].as_i64().unwrap();
            match l.op().unwrap() {
                "d" => {
                    self.state.remove(&id);
                    self.deleted.insert(id);
                }
                op => {
                    let version = l.after()["version"].as_i64().unwrap();
                    if op == "r" {
                        self.reads += 1;
                        assert_eq!(l.source()["snapshot"], "incremental", "{l:?}");
                        assert!(
                            !self.deleted.contains(&id),
                            "key {id} was read by a chunk after its delete was streamed"
                        );
                    }
                    if let Some(&before) = self.state.get(&id) {
                        assert!(
                            version >= before,
                            "key {id} went back from version {before} to {version} ({op})"
                        );
                    }
                    self.state.insert(id, version);
                }
            }
        }
        self.applied = lines.len();
    }
}
