//! The incremental snapshot engine driven against an in-memory table: which chunk rows
//! survive the stream's changes, and in what order they are emitted.

use std::collections::BTreeMap;

use ferrium_config::signal::{SignalSettings, Watermarking};
use ferrium_event::snapshot_status::SnapshotStatus;

use crate::engine::{identity, ChunkError, ChunkReader, ChunkRow, IncrementalSnapshot, KeyText};
use crate::{Action, DataCollection, SnapshotKind};

/// A one-table database: rows by integer key, and the watermarks written, in order.
#[derive(Default)]
struct Table {
    rows: BTreeMap<i64, char>,
    watermarks: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("unreachable")]
struct Never;

fn key(k: i64) -> KeyText {
    vec![Some(k.to_string())]
}

fn parse(key: &KeyText) -> i64 {
    key[0].as_deref().and_then(|k| k.parse().ok()).unwrap_or(0)
}

#[async_trait::async_trait]
impl ChunkReader for Table {
    type Row = (i64, char);
    type Error = Never;

    fn matching_tables(&self, pattern: &str) -> Vec<String> {
        vec![pattern.to_string()]
    }

    async fn estimate(&mut self, _: &DataCollection) -> Option<u64> {
        Some(self.rows.len() as u64)
    }

    async fn max_key(&mut self, _: &DataCollection) -> Result<Option<KeyText>, ChunkError<Never>> {
        Ok(self.rows.keys().next_back().map(|&k| key(k)))
    }

    async fn read_chunk(
        &mut self,
        _: &DataCollection,
        after: Option<&KeyText>,
        max: &KeyText,
        limit: usize,
    ) -> Result<Vec<ChunkRow<(i64, char)>>, ChunkError<Never>> {
        let from = after.map_or(i64::MIN, |a| parse(a) + 1);
        Ok(self
            .rows
            .range(from..=parse(max))
            .take(limit)
            .map(|(&k, &v)| ChunkRow {
                key: key(k),
                identity: identity(&[k]),
                row: (k, v),
            })
            .collect())
    }

    async fn write_watermark(&mut self, id: &str, _: &str, _: &str) -> Result<(), Never> {
        self.watermarks.push(id.to_string());
        Ok(())
    }

    async fn delete_watermark(&mut self, id: &str) -> Result<(), Never> {
        self.watermarks.push(format!("delete {id}"));
        Ok(())
    }
}

fn settings(chunk_size: usize) -> SignalSettings {
    SignalSettings {
        data_collection: Some("public.signals".into()),
        source_channel: true,
        kafka: None,
        chunk_size,
        watermarking: Watermarking::InsertInsert,
    }
}

fn execute() -> Action {
    Action::ExecuteSnapshot {
        collections: vec![DataCollection {
            id: "public.items".into(),
            additional_condition: None,
            surrogate_key: None,
        }],
        kind: SnapshotKind::Incremental,
    }
}

/// The stream met a change of `k` in the snapshotted table.
fn change(snapshot: &mut IncrementalSnapshot<(i64, char)>, k: i64) {
    snapshot.dedupe(|t| t == "public.items", |_| Some(identity(&[k])));
}

/// Delivers the chunk's open then close watermark, as the stream would meet them.
async fn close_window(
    snapshot: &mut IncrementalSnapshot<(i64, char)>,
    db: &mut Table,
) -> Vec<(i64, char)> {
    let n = db.watermarks.len();
    let (open, close) = (db.watermarks[n - 2].clone(), db.watermarks[n - 1].clone());
    let opened = snapshot
        .handle(
            Action::Window {
                id: open,
                open: true,
            },
            db,
        )
        .await
        .unwrap();
    assert!(opened.is_none());
    snapshot
        .handle(
            Action::Window {
                id: close,
                open: false,
            },
            db,
        )
        .await
        .unwrap()
        .map(|e| e.rows)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_change_met_before_the_open_watermark_drops_the_chunk_row() {
    // PostgreSQL can order a transaction's commit before the open watermark in the WAL
    // and still hide it from the chunk's snapshot: the stream's delete of key 2 then
    // comes before the window, and the chunk holds key 2 as it was before the delete.
    let mut db = Table::default();
    db.rows.extend([(1, 'a'), (2, 'b'), (3, 'c')]);
    let mut snapshot = IncrementalSnapshot::new("c", &settings(10), SnapshotStatus::default());
    snapshot.handle(execute(), &mut db).await.unwrap();
    assert_eq!(db.watermarks.len(), 2, "{:?}", db.watermarks);

    change(&mut snapshot, 2);
    let emitted = close_window(&mut snapshot, &mut db).await;
    assert_eq!(emitted, vec![(1, 'a'), (3, 'c')]);
    assert!(!snapshot.is_running());
}

#[tokio::test]
async fn chunks_follow_each_other_in_key_order_and_only_their_own_watermarks_close_them() {
    let mut db = Table::default();
    db.rows.extend((1..=5).map(|k| (k, 'x')));
    let mut snapshot = IncrementalSnapshot::new("c", &settings(2), SnapshotStatus::default());
    snapshot.handle(execute(), &mut db).await.unwrap();

    // A close watermark of an earlier run closes nothing.
    let stale = snapshot
        .handle(
            Action::Window {
                id: "old-close".into(),
                open: false,
            },
            &mut db,
        )
        .await
        .unwrap();
    assert!(stale.is_none());

    let mut keys = Vec::new();
    for chunk in 0..3 {
        if chunk < 2 {
            // A change of a key a later chunk reads drops nothing from this one.
            change(&mut snapshot, 5);
        }
        keys.extend(
            close_window(&mut snapshot, &mut db)
                .await
                .iter()
                .map(|r| r.0),
        );
    }
    assert_eq!(keys, vec![1, 2, 3, 4, 5]);
    assert!(!snapshot.is_running());
}
