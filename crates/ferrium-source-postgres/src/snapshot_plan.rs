//! The initial snapshot cut into chunks, and which chunks are done: kept in the offsets
//! while the snapshot runs, so a snapshot killed at 90 % goes on at 90 %.
//!
//! A chunk is a range of heap pages (`ctid` ranges, read with a TID range scan): ranges
//! split a table without an index and without sorting, and readers in parallel can each
//! take one. The plan (pages per chunk, chunks per table) is fixed when the snapshot
//! starts and stored with the progress, so a resumed run cuts the tables the same way.
//! The last chunk of a table is open-ended: pages added later hold only rows the
//! snapshot cannot see, or rows the stream brings anyway.

use std::collections::BTreeSet;

use ferrium_event::Offset;
use serde_json::{json, Value as Json};

/// Offset key of the progress (Debezium marks a running snapshot with `snapshot: true`).
const PROGRESS: &str = "ferrium_snapshot_chunks";
const SNAPSHOT: &str = "snapshot";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePlan {
    /// `schema.table`, unquoted.
    pub table: String,
    pub chunk_pages: u64,
    pub chunks: u64,
    pub done: BTreeSet<u64>,
    /// `pg_relation_filenode` when the plan was cut: a rewrite (`VACUUM FULL`, `CLUSTER`,
    /// a rewriting `ALTER TABLE`) changes it and moves rows between `ctid` ranges, so the
    /// chunks done no longer say which rows were read.
    pub filenode: Option<u64>,
}

impl TablePlan {
    /// Cuts a table of `pages` heap pages holding about `rows` rows into chunks of about
    /// `rows_per_chunk` rows.
    pub fn cut(
        table: &str,
        pages: u64,
        rows: u64,
        rows_per_chunk: u64,
        filenode: Option<u64>,
    ) -> TablePlan {
        let rows_per_page = if pages > 0 && rows > 0 {
            (rows / pages).max(1)
        } else {
            // Never analysed: assume small rows, about 100 to a page.
            100
        };
        let chunk_pages = (rows_per_chunk / rows_per_page).max(1);
        let chunks = pages.div_ceil(chunk_pages).max(1);
        TablePlan {
            table: table.to_string(),
            chunk_pages,
            chunks,
            done: BTreeSet::new(),
            filenode,
        }
    }

    /// The `ctid` condition of chunk `i`.
    pub fn ctid_range(&self, i: u64) -> String {
        let from = i * self.chunk_pages;
        if i + 1 >= self.chunks {
            format!("ctid >= '({from},0)'::tid")
        } else {
            let to = from + self.chunk_pages;
            format!("ctid >= '({from},0)'::tid AND ctid < '({to},0)'::tid")
        }
    }

    pub fn remaining(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.chunks).filter(|i| !self.done.contains(i))
    }

    pub fn is_done(&self) -> bool {
        self.done.len() as u64 >= self.chunks
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotPlan {
    pub tables: Vec<TablePlan>,
}

impl SnapshotPlan {
    /// Adds the progress to the offset a chunk's checkpoint carries.
    pub fn write(&self, offset: &mut Offset) {
        let tables: Vec<Json> = self
            .tables
            .iter()
            .map(|t| {
                json!({
                    "table": t.table,
                    "chunk_pages": t.chunk_pages,
                    "chunks": t.chunks,
                    "done": t.done.iter().collect::<Vec<_>>(),
                    "filenode": t.filenode,
                })
            })
            .collect();
        offset.0.insert(SNAPSHOT.into(), Json::Bool(true));
        offset.0.insert(
            PROGRESS.into(),
            Json::String(Json::Array(tables).to_string()),
        );
    }

    /// The progress of an unfinished snapshot, if the offset holds one.
    pub fn read(offset: &Offset) -> Result<Option<SnapshotPlan>, String> {
        let Some(text) = offset.0.get(PROGRESS).and_then(Json::as_str) else {
            return Ok(None);
        };
        let bad = |what: &str| {
            format!("offset key '{PROGRESS}' {what}; reset the connector's offsets to take a new snapshot")
        };
        let items: Vec<Json> =
            serde_json::from_str(text).map_err(|_| bad("is not a JSON array"))?;
        let mut tables = Vec::new();
        for item in items {
            let table = item
                .get("table")
                .and_then(Json::as_str)
                .ok_or_else(|| bad("has an item without 'table'"))?;
            let number = |k: &str| {
                item.get(k)
                    .and_then(Json::as_u64)
                    .ok_or_else(|| bad(&format!("has an item without '{k}'")))
            };
            let done = item
                .get("done")
                .and_then(Json::as_array)
                .ok_or_else(|| bad("has an item without 'done'"))?
                .iter()
                .map(|v| {
                    v.as_u64()
                        .ok_or_else(|| bad("has a chunk number that is not a number"))
                })
                .collect::<Result<BTreeSet<u64>, String>>()?;
            tables.push(TablePlan {
                table: table.to_string(),
                chunk_pages: number("chunk_pages")?.max(1),
                chunks: number("chunks")?.max(1),
                done,
                filenode: item.get("filenode").and_then(Json::as_u64),
            });
        }
        Ok(Some(SnapshotPlan { tables }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_tables_into_page_ranges_with_an_open_end() {
        let plan = TablePlan::cut("public.t", 1000, 100_000, 10_000, None);
        assert_eq!(plan.chunk_pages, 100);
        assert_eq!(plan.chunks, 10);
        assert_eq!(
            plan.ctid_range(0),
            "ctid >= '(0,0)'::tid AND ctid < '(100,0)'::tid"
        );
        assert_eq!(plan.ctid_range(9), "ctid >= '(900,0)'::tid");
        let empty = TablePlan::cut("public.e", 0, 0, 10_000, None);
        assert_eq!(empty.chunks, 1);
        assert_eq!(empty.ctid_range(0), "ctid >= '(0,0)'::tid");
    }

    #[test]
    fn progress_round_trips_through_the_offset() {
        let mut a = TablePlan::cut("public.a", 50, 5000, 1000, Some(16384));
        a.done.extend([0, 2, 3]);
        let plan = SnapshotPlan {
            tables: vec![a, TablePlan::cut("public.b", 1, 1, 1000, Some(16390))],
        };
        let mut offset = Offset::new().with("lsn", 7u64);
        plan.write(&mut offset);
        assert_eq!(offset.get_bool("snapshot"), Some(true));
        let back = SnapshotPlan::read(&offset).unwrap().unwrap();
        assert_eq!(back, plan);
        assert_eq!(back.tables[0].remaining().collect::<Vec<_>>(), vec![1, 4]);
        assert!(SnapshotPlan::read(&Offset::new()).unwrap().is_none());
    }
}
