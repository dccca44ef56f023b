//! The incremental snapshot driver: turns actions into chunk reads, watermarks and
//! windows, and hands the rows to emit back to the source.
//!
//! One chunk is in flight at a time. Its life: write the open watermark, read the chunk
//! (keys above the last one emitted, up to the table's maximum key, `chunk.size` rows),
//! write the close watermark (or, with `insert_delete`, delete the open one). The stream
//! then meets the open watermark (the window opens) and the close watermark: the rows
//! left are emitted and the next chunk starts. Every change of a chunk key the stream
//! meets after the read drops its row, before the open watermark too (see
//! [`crate::window`] for why). Memory is bounded by one chunk.

use std::collections::VecDeque;

use ferrium_config::signal::Watermarking;
use ferrium_event::snapshot_status::SnapshotStatus;
use ferrium_event::{Offset, Value};

use crate::action::{Action, DataCollection, SnapshotKind, WINDOW_CLOSE, WINDOW_OPEN};
use crate::context::IncrementalContext;
use crate::window::Window;

/// A key as SQL text per key column (`None` for a NULL), in key order.
pub type KeyText = Vec<Option<String>>;

/// One row of a chunk.
pub struct ChunkRow<R> {
    pub key: KeyText,
    /// How the stream's events for this row are recognised (see [`identity`]).
    pub identity: String,
    pub row: R,
}

/// What a chunk read can meet.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError<E: std::error::Error + 'static> {
    /// A problem with this table only (no primary key, a bad filter, a key that is not
    /// unique): reported, the table is left out, streaming goes on.
    #[error("{0}")]
    Table(String),
    /// The connection failed: the source's own error handling decides.
    #[error(transparent)]
    Source(#[from] E),
}

/// Which watermark a source writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watermark {
    Open,
    Close,
}

/// The database side of an incremental snapshot, implemented by each source.
#[async_trait::async_trait]
pub trait ChunkReader: Send {
    type Row: Send;
    type Error: std::error::Error + Send + Sync + 'static;

    /// The qualified names of captured tables a signal's `data-collections` entry (a
    /// name, or a regular expression over names) matches.
    fn matching_tables(&self, pattern: &str) -> Vec<String>;

    /// The server's row estimate, for progress.
    async fn estimate(&mut self, table: &DataCollection) -> Option<u64>;

    /// The table's largest chunk key now (`None`: the table is empty). Checks first that
    /// the table can be chunked (a key exists, a surrogate key is unique, the filter is
    /// valid SQL).
    async fn max_key(
        &mut self,
        table: &DataCollection,
    ) -> Result<Option<KeyText>, ChunkError<Self::Error>>;

    /// Up to `limit` rows with keys above `after` (all from the start when `None`) and at
    /// most `max`, in key order.
    async fn read_chunk(
        &mut self,
        table: &DataCollection,
        after: Option<&KeyText>,
        max: &KeyText,
        limit: usize,
    ) -> Result<Vec<ChunkRow<Self::Row>>, ChunkError<Self::Error>>;

    /// Writes a watermark row (`id`, `type`, `data`) to the signalling table.
    async fn write_watermark(
        &mut self,
        id: &str,
        kind: &str,
        data: &str,
    ) -> Result<(), Self::Error>;

    /// Deletes a watermark row (`insert_delete` closes a window this way).
    async fn delete_watermark(&mut self, id: &str) -> Result<(), Self::Error>;
}

/// How a source names a row of the stream and of a chunk the same way: the Debug form of
/// its decoded key values, which both paths build with the same decoder.
pub fn identity<T: std::fmt::Debug>(key: &[T]) -> String {
    format!("{key:?}")
}

struct InFlight {
    id: String,
    table: String,
    end_key: Option<KeyText>,
    last_of_table: bool,
    rows: u64,
    surrogate: Option<String>,
}

/// Rows whose window closed, to be emitted now as `op: r` with
/// `source.snapshot = "incremental"`.
pub struct Emit<R> {
    pub table: String,
    pub rows: Vec<R>,
}

pub struct IncrementalSnapshot<R> {
    connector: String,
    signal_table: Option<String>,
    chunk_size: usize,
    watermarking: Watermarking,
    status: SnapshotStatus,
    context: IncrementalContext,
    window: Window<R>,
    in_flight: Option<InFlight>,
    paused: bool,
    /// The live progress line of the table being read.
    progress: Option<crate::progress::Progress>,
}

impl<R: Send> IncrementalSnapshot<R> {
    pub fn new(
        connector: &str,
        signals: &ferrium_config::signal::SignalSettings,
        status: SnapshotStatus,
    ) -> Self {
        IncrementalSnapshot {
            connector: connector.to_string(),
            signal_table: signals.data_collection.clone(),
            chunk_size: signals.chunk_size,
            watermarking: signals.watermarking,
            status,
            context: IncrementalContext::default(),
            window: Window::default(),
            in_flight: None,
            paused: false,
            progress: None,
        }
    }

    /// Picks up a snapshot a previous run left unfinished.
    pub fn restore(&mut self, offset: &Offset) -> Result<(), String> {
        self.context = IncrementalContext::read(offset)?;
        if let Some(first) = self.context.tables.front() {
            tracing::info!(connector = %self.connector, table = %first.id, tables = self.context.tables.len(), "resuming the incremental snapshot");
            for table in &self.context.tables {
                self.status.start_table(&table.id, "incremental", None);
            }
        }
        Ok(())
    }

    /// Adds the snapshot's resumable state to an offset the source checkpoints.
    pub fn annotate(&self, offset: &mut Offset) {
        self.context.write(offset);
    }

    pub fn is_running(&self) -> bool {
        !self.context.is_empty()
    }

    /// The stream changed a row: if that row is in the chunk in flight, the stream's
    /// state wins and the chunk's copy is dropped. `is_table` tells whether the event's table
    /// has the given name; `identity` (given the chunk's surrogate key column, if any)
    /// is only built when it is the table being read.
    pub fn dedupe(
        &mut self,
        is_table: impl FnOnce(&str) -> bool,
        identity: impl FnOnce(Option<&str>) -> Option<String>,
    ) {
        let Some(in_flight) = &self.in_flight else {
            return;
        };
        if !is_table(&in_flight.table) {
            return;
        }
        if let Some(identity) = identity(in_flight.surrogate.as_deref()) {
            self.window.dedupe(&identity);
        }
    }

    /// The stream is about to emit a change: drops its row from the chunk in flight.
    /// `key` holds the event's key values, `before` and `after` its images (a struct of
    /// column values, or null), and `slot_of` gives a column's place in an image, for a
    /// surrogate key.
    pub fn dedupe_change(
        &mut self,
        is_table: impl FnOnce(&str) -> bool,
        slot_of: impl FnOnce(&str) -> Option<usize>,
        key: Option<&[Value]>,
        before: &Value,
        after: &Value,
    ) {
        self.dedupe(is_table, |surrogate| match surrogate {
            Some(column) => {
                let row = match (after, before) {
                    (Value::Struct(row), _) | (Value::Null, Value::Struct(row)) => row,
                    _ => return None,
                };
                let value = row.get(slot_of(column)?)?;
                Some(identity(std::slice::from_ref(value)))
            }
            None => key.map(identity),
        });
    }

    /// Starts (or resumes) reading when a snapshot is due and no chunk is in flight.
    /// Called once streaming runs, so the watermarks are seen.
    pub async fn kick<C>(&mut self, reader: &mut C) -> Result<(), C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        if self.in_flight.is_none() && !self.paused && self.is_running() {
            self.next_chunk(reader).await?;
        }
        Ok(())
    }

    /// Acts on a signal. Returns the rows to emit when the action closed a window.
    /// Problems with the signal itself are reported (log and status) and never stop
    /// streaming; a connection failure is returned.
    pub async fn handle<C>(
        &mut self,
        action: Action,
        reader: &mut C,
    ) -> Result<Option<Emit<R>>, C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        match action {
            Action::Window { id, open } => return self.on_watermark(&id, open, reader).await,
            Action::Log { message } => {
                tracing::info!(connector = %self.connector, "signal log: {message}");
            }
            Action::PauseSnapshot => {
                if self.is_running() {
                    tracing::info!(connector = %self.connector, "incremental snapshot paused");
                    self.paused = true;
                    self.status.set_paused(true);
                } else {
                    self.problem("pause-snapshot: no incremental snapshot is running".into());
                }
            }
            Action::ResumeSnapshot => {
                if self.paused {
                    tracing::info!(connector = %self.connector, "incremental snapshot resumed");
                    self.paused = false;
                    self.status.set_paused(false);
                    self.kick(reader).await?;
                } else {
                    self.problem("resume-snapshot: the incremental snapshot is not paused".into());
                }
            }
            Action::ExecuteSnapshot {
                kind: SnapshotKind::Blocking,
                ..
            }
            | Action::StopSnapshot {
                kind: SnapshotKind::Blocking,
                ..
            } => self.problem(
                "blocking snapshots are not implemented yet; send the signal with \"type\": \"incremental\"".into(),
            ),
            Action::ExecuteSnapshot { collections, .. } => {
                self.execute(collections, reader).await?;
            }
            Action::StopSnapshot { collections, .. } => self.stop(&collections, reader).await?,
        }
        Ok(None)
    }

    async fn execute<C>(
        &mut self,
        collections: Vec<DataCollection>,
        reader: &mut C,
    ) -> Result<(), C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        if self.signal_table.is_none() {
            self.problem("execute-snapshot: incremental snapshots need 'signal.data.collection', the table the chunk watermarks are written to; create it (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048)) and name it in the connector config".into());
            return Ok(());
        }
        let mut added = Vec::new();
        for wanted in collections {
            let matched = reader.matching_tables(&wanted.id);
            if matched.is_empty() {
                self.problem(format!(
                    "execute-snapshot: '{}' matches no captured table; name a table of table.include.list (schema.table on PostgreSQL, database.table on MySQL/MariaDB)",
                    wanted.id
                ));
                continue;
            }
            for id in matched {
                let queued = self.context.tables.iter().any(|t| t.id == id)
                    || added.iter().any(|t: &DataCollection| t.id == id);
                if !queued {
                    added.push(DataCollection {
                        id,
                        ..wanted.clone()
                    });
                }
            }
        }
        for table in &added {
            let estimate = reader.estimate(table).await;
            self.status.start_table(&table.id, "incremental", estimate);
            tracing::info!(connector = %self.connector, table = %table.id, "incremental snapshot requested");
        }
        self.context.tables.extend(added);
        self.metrics();
        self.kick(reader).await
    }

    async fn stop<C>(&mut self, collections: &[String], reader: &mut C) -> Result<(), C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        if !self.is_running() {
            self.problem("stop-snapshot: no incremental snapshot is running".into());
            return Ok(());
        }
        let stops = |id: &str| {
            collections.is_empty()
                || collections
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(id) || regex_matches(c, id))
        };
        let head_stopped = self.context.tables.front().is_some_and(|t| stops(&t.id));
        let (stopped, kept): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.context.tables)
            .into_iter()
            .partition(|t| stops(&t.id));
        self.context.tables = kept;
        for table in &stopped {
            tracing::info!(connector = %self.connector, table = %table.id, "incremental snapshot stopped by signal");
            self.status.remove_table(&table.id);
        }
        if head_stopped {
            self.progress = None;
            self.in_flight = None;
            self.window.clear();
            self.context.last_key = None;
            self.context.max_key = None;
        }
        if self.context.is_empty() {
            self.paused = false;
            self.status.set_paused(false);
        }
        self.metrics();
        self.kick(reader).await
    }

    async fn on_watermark<C>(
        &mut self,
        id: &str,
        open: bool,
        reader: &mut C,
    ) -> Result<Option<Emit<R>>, C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        let Some(in_flight) = &self.in_flight else {
            // A watermark of an earlier run or of a stopped chunk.
            return Ok(None);
        };
        let open_id = format!("{}-open", in_flight.id);
        let close_id = match self.watermarking {
            Watermarking::InsertInsert => format!("{}-close", in_flight.id),
            // The open row's delete closes the window.
            Watermarking::InsertDelete => open_id.clone(),
        };
        if open && id == open_id {
            self.window.open();
            return Ok(None);
        }
        if open || id != close_id || !self.window.is_open() {
            return Ok(None);
        }
        let Some(done) = self.in_flight.take() else {
            return Ok(None);
        };
        let rows = self.window.close();
        self.status.chunk_done(&done.table, done.rows);
        if self.progress.as_ref().map(|p| p.table()) != Some(done.table.as_str()) {
            let estimate = self.status.estimate(&done.table).unwrap_or(0);
            self.progress = Some(crate::progress::Progress::start(
                "incremental",
                done.table.clone(),
                i64::try_from(estimate).unwrap_or(i64::MAX),
            ));
        }
        if let Some(progress) = self.progress.as_mut() {
            progress.add(done.rows);
        }
        metrics::counter!("ferrium_snapshot_chunks_total", "connector" => self.connector.clone())
            .increment(1);
        if done.last_of_table {
            self.table_finished(&done.table);
        } else {
            self.context.last_key = done.end_key;
        }
        let emit = Emit {
            table: done.table,
            rows,
        };
        if !self.paused {
            self.next_chunk(reader).await?;
        }
        Ok(Some(emit))
    }

    fn table_finished(&mut self, table: &str) {
        tracing::info!(connector = %self.connector, table = %table, "incremental snapshot of the table finished");
        self.status.table_done(table);
        if let Some(mut progress) = self.progress.take() {
            progress.finish();
        }
        self.context.tables.pop_front();
        self.context.last_key = None;
        self.context.max_key = None;
        if self.context.is_empty() {
            tracing::info!(connector = %self.connector, "incremental snapshot finished");
        }
        self.metrics();
    }

    /// Reads the next chunk between its watermarks; tables that cannot be chunked are
    /// reported and left out.
    async fn next_chunk<C>(&mut self, reader: &mut C) -> Result<(), C::Error>
    where
        C: ChunkReader<Row = R>,
    {
        while let Some(table) = self.context.tables.front().cloned() {
            if self.context.max_key.is_none() {
                match reader.max_key(&table).await {
                    Ok(Some(max)) => self.context.max_key = Some(max),
                    Ok(None) => {
                        // Empty: nothing to read, the stream brings any row added later.
                        self.table_finished(&table.id);
                        continue;
                    }
                    Err(ChunkError::Table(problem)) => {
                        self.drop_table(&table.id, &problem);
                        continue;
                    }
                    Err(ChunkError::Source(e)) => return Err(e),
                }
            }
            let Some(max) = self.context.max_key.clone() else {
                continue;
            };
            let id = uuid::Uuid::now_v7().to_string();
            let ts = now_ms();
            reader
                .write_watermark(
                    &format!("{id}-open"),
                    WINDOW_OPEN,
                    &format!("{{\"openWindowTimestamp\": {ts}}}"),
                )
                .await?;
            let rows = match reader
                .read_chunk(
                    &table,
                    self.context.last_key.as_ref(),
                    &max,
                    self.chunk_size,
                )
                .await
            {
                Ok(rows) => rows,
                Err(ChunkError::Table(problem)) => {
                    self.drop_table(&table.id, &problem);
                    continue;
                }
                Err(ChunkError::Source(e)) => return Err(e),
            };
            if let Some(problem) = duplicate_key(&rows) {
                self.drop_table(&table.id, &format!("the chunk key {problem} is not unique; give a unique column as 'surrogate-key' or add a primary key"));
                continue;
            }
            let end_key = rows.last().map(|r| r.key.clone());
            let last_of_table = rows.len() < self.chunk_size || end_key.as_ref() == Some(&max);
            let count = rows.len() as u64;
            self.window
                .fill(rows.into_iter().map(|r| (r.identity, r.row)));
            self.in_flight = Some(InFlight {
                id: id.clone(),
                table: table.id.clone(),
                end_key,
                last_of_table,
                rows: count,
                surrogate: table.surrogate_key.clone(),
            });
            match self.watermarking {
                Watermarking::InsertInsert => {
                    let data = format!(
                        "{{\"openWindowTimestamp\": {ts}, \"closeWindowTimestamp\": {}}}",
                        now_ms()
                    );
                    reader
                        .write_watermark(&format!("{id}-close"), WINDOW_CLOSE, &data)
                        .await?
                }
                Watermarking::InsertDelete => {
                    reader.delete_watermark(&format!("{id}-open")).await?
                }
            }
            return Ok(());
        }
        Ok(())
    }

    fn drop_table(&mut self, table: &str, problem: &str) {
        self.problem(format!(
            "incremental snapshot of '{table}' left out: {problem}"
        ));
        self.status.remove_table(table);
        self.context.tables.pop_front();
        self.context.last_key = None;
        self.context.max_key = None;
        self.metrics();
    }

    /// Reports a problem found outside the engine (a signal that did not parse).
    pub fn report(&self, message: String) {
        self.status.problem(message);
    }

    fn problem(&self, message: String) {
        tracing::warn!(connector = %self.connector, "{message}");
        self.status.problem(message);
    }

    fn metrics(&self) {
        let c = self.connector.clone();
        metrics::gauge!("ferrium_incremental_snapshot_remaining_tables", "connector" => c.clone())
            .set(self.context.tables.len() as f64);
        metrics::gauge!("ferrium_incremental_snapshot_running", "connector" => c.clone())
            .set(if self.is_running() { 1.0 } else { 0.0 });
        metrics::gauge!("ferrium_incremental_snapshot_paused", "connector" => c)
            .set(if self.paused { 1.0 } else { 0.0 });
    }
}

/// A repeated key inside one chunk means the chunk key is not unique: reading on from
/// it would skip rows.
fn duplicate_key<R>(rows: &[ChunkRow<R>]) -> Option<String> {
    rows.windows(2)
        .find(|pair| pair[0].key == pair[1].key)
        .map(|pair| format!("{:?}", pair[0].key))
}

fn regex_matches(pattern: &str, id: &str) -> bool {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(true)
        .build()
        .is_ok_and(|re| re.is_match(id))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
