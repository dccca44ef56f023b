//! The resumable state of an incremental snapshot, kept in the source's offsets under
//! Debezium's keys (`incremental_snapshot_collections`, `…_primary_key`,
//! `…_maximum_key`): the tables still to read, the last key emitted of the first one,
//! and its largest key when the snapshot of it started. A restart re-reads from the last
//! emitted key, so a crash costs at most the chunk in flight, never a row.
//!
//! Debezium stores the keys as serialised Java objects; Ferrium stores them as JSON
//! arrays of the key columns' SQL text, which the source puts back into its queries.

use std::collections::VecDeque;

use ferrium_event::Offset;
use serde_json::{json, Value as Json};

use crate::action::DataCollection;
use crate::engine::KeyText;

const COLLECTIONS: &str = "incremental_snapshot_collections";
const PRIMARY_KEY: &str = "incremental_snapshot_primary_key";
const MAXIMUM_KEY: &str = "incremental_snapshot_maximum_key";
const ID: &str = "incremental_snapshot_collections_id";
const CONDITION: &str = "incremental_snapshot_collections_additional_condition";
const SURROGATE: &str = "incremental_snapshot_collections_surrogate_key";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncrementalContext {
    /// The tables still to snapshot; the first is being read.
    pub tables: VecDeque<DataCollection>,
    /// The last key emitted of the first table.
    pub last_key: Option<KeyText>,
    /// The first table's largest key when its snapshot started: rows inserted above it
    /// later arrive through the stream anyway.
    pub max_key: Option<KeyText>,
}

impl IncrementalContext {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Adds the snapshot's keys to an offset (none when nothing is being snapshotted).
    pub fn write(&self, offset: &mut Offset) {
        if self.tables.is_empty() {
            return;
        }
        let tables: Vec<Json> = self
            .tables
            .iter()
            .map(|t| {
                json!({
                    ID: t.id,
                    CONDITION: t.additional_condition,
                    SURROGATE: t.surrogate_key,
                })
            })
            .collect();
        offset.0.insert(
            COLLECTIONS.into(),
            Json::String(Json::Array(tables).to_string()),
        );
        if let Some(key) = &self.last_key {
            offset
                .0
                .insert(PRIMARY_KEY.into(), Json::String(key_json(key)));
        }
        if let Some(key) = &self.max_key {
            offset
                .0
                .insert(MAXIMUM_KEY.into(), Json::String(key_json(key)));
        }
    }

    /// The state a stored offset holds; an offset with unreadable keys gives an error
    /// naming them (reset the snapshot with a `stop-snapshot` signal or the offsets).
    pub fn read(offset: &Offset) -> Result<IncrementalContext, String> {
        let Some(text) = offset.0.get(COLLECTIONS).and_then(Json::as_str) else {
            return Ok(IncrementalContext::default());
        };
        let parsed: Json = serde_json::from_str(text)
            .map_err(|e| format!("offset key '{COLLECTIONS}' is not valid JSON ({e})"))?;
        let Json::Array(items) = parsed else {
            return Err(format!("offset key '{COLLECTIONS}' must be a JSON array"));
        };
        let mut tables = VecDeque::new();
        for item in items {
            let id = item
                .get(ID)
                .and_then(Json::as_str)
                .ok_or_else(|| format!("offset key '{COLLECTIONS}' has an item without '{ID}'"))?;
            let text = |key: &str| item.get(key).and_then(Json::as_str).map(str::to_string);
            tables.push_back(DataCollection {
                id: id.to_string(),
                additional_condition: text(CONDITION),
                surrogate_key: text(SURROGATE),
            });
        }
        Ok(IncrementalContext {
            tables,
            last_key: read_key(offset, PRIMARY_KEY)?,
            max_key: read_key(offset, MAXIMUM_KEY)?,
        })
    }
}

fn key_json(key: &KeyText) -> String {
    Json::Array(
        key.iter()
            .map(|v| v.as_ref().map_or(Json::Null, |s| Json::String(s.clone())))
            .collect(),
    )
    .to_string()
}

fn read_key(offset: &Offset, name: &str) -> Result<Option<KeyText>, String> {
    let Some(text) = offset.0.get(name).and_then(Json::as_str) else {
        return Ok(None);
    };
    let bad = || format!("offset key '{name}' must be a JSON array of strings or nulls");
    match serde_json::from_str::<Json>(text).map_err(|_| bad())? {
        Json::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Json::Null => Ok(None),
                Json::String(s) => Ok(Some(s)),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_an_offset_and_is_absent_when_idle() {
        let mut offset = Offset::new().with("lsn", 5u64);
        IncrementalContext::default().write(&mut offset);
        assert_eq!(offset.0.len(), 1);
        let ctx = IncrementalContext {
            tables: VecDeque::from([
                DataCollection {
                    id: "public.a".into(),
                    additional_condition: Some("x > 1".into()),
                    surrogate_key: None,
                },
                DataCollection {
                    id: "public.b".into(),
                    additional_condition: None,
                    surrogate_key: Some("code".into()),
                },
            ]),
            last_key: Some(vec![Some("41".into()), None]),
            max_key: Some(vec![Some("99".into()), Some("z".into())]),
        };
        ctx.write(&mut offset);
        assert_eq!(IncrementalContext::read(&offset).unwrap(), ctx);
        let broken = Offset::new().with(COLLECTIONS, "[{");
        assert!(IncrementalContext::read(&broken)
            .unwrap_err()
            .contains(COLLECTIONS));
    }
}
