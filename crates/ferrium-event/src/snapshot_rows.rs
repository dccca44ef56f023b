//! Emits a snapshot's rows with Debezium's `source.snapshot` markers. A row's marker
//! depends on the row after it (`last_in_data_collection`, `last`), so each row is held
//! until the next one arrives. Every `chunk` records a flush boundary lets an
//! exactly-once sink commit, so no transaction has to hold a whole snapshot.

use crate::emitter::{Closed, Emitter};
use crate::source_info::SnapshotMarker;
use crate::SourceRecord;

pub struct SnapshotRows<T> {
    /// The row waiting for its successor, and whether it opens its table.
    held: Option<(T, bool)>,
    emitted: u64,
    chunk: u64,
}

impl<T> SnapshotRows<T> {
    pub fn new(chunk: usize) -> Self {
        SnapshotRows {
            held: None,
            emitted: 0,
            chunk: chunk.max(1) as u64,
        }
    }

    /// Records emitted so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// Takes the next row (in table order) and emits the one before it.
    pub async fn push(
        &mut self,
        out: &mut Emitter,
        row: T,
        first_in_table: bool,
        build: impl Fn(T, SnapshotMarker) -> SourceRecord,
    ) -> Result<(), Closed> {
        if let Some((held, held_first)) = self.held.take() {
            self.emit(out, held, held_first, first_in_table, false, &build)
                .await?;
        }
        self.held = Some((row, first_in_table));
        Ok(())
    }

    /// Emits the held row as the snapshot's last.
    pub async fn finish(
        &mut self,
        out: &mut Emitter,
        build: impl Fn(T, SnapshotMarker) -> SourceRecord,
    ) -> Result<(), Closed> {
        if let Some((held, held_first)) = self.held.take() {
            self.emit(out, held, held_first, true, true, &build).await?;
        }
        Ok(())
    }

    async fn emit(
        &mut self,
        out: &mut Emitter,
        row: T,
        first_in_table: bool,
        last_in_table: bool,
        last: bool,
        build: &impl Fn(T, SnapshotMarker) -> SourceRecord,
    ) -> Result<(), Closed> {
        let marker = SnapshotMarker::for_row(self.emitted, first_in_table, last_in_table, last);
        out.push(build(row, marker)).await?;
        self.emitted += 1;
        if self.emitted.is_multiple_of(self.chunk) {
            out.boundary().await?;
        }
        Ok(())
    }
}
