//! The initial snapshot: every captured table read inside the snapshot the replication
//! slot exported when it was created.
//!
//! The slot's consistent point and the exported snapshot describe the same instant:
//! every transaction committed before it is visible to the snapshot, every one after it
//! is decoded by the slot. Reading the tables under that snapshot and then streaming from
//! the consistent point therefore neither misses nor repeats a change, whatever is written
//! while the snapshot runs.
//!
//! Rows are read with `COPY … TO STDOUT` (text format, the same text pgoutput sends), so
//! snapshot rows and streamed rows go through the same decoder.

use std::sync::Arc;

use ferrium_event::{Op, Value};
use futures::StreamExt;
use tokio_postgres::Client;
use tokio_util::sync::CancellationToken;

use crate::catalog::{quote_ident, quote_literal, TableRef};
use crate::config::PostgresConfig;
use crate::connection::sql_error;
use crate::copy_text::{split_copy_row, CopyLineSplitter};
use crate::error::PostgresError;
use crate::events::{now_us, EventBuilder, SnapshotMarker, SourceInfo};
use crate::progress::Progress;
use crate::registry::TableRegistry;
use crate::relation::{Cell, TableSchema};
use ferrium_event::emitter::{Closed, Emitter};

/// How a snapshot ended.
pub enum SnapshotEnd {
    Done,
    /// Shutdown was requested or the runtime stopped listening.
    Interrupted,
}

/// A decoded row waiting for the next one, so its `source.snapshot` marker can say
/// whether it is the last of its table or of the whole snapshot.
struct Held {
    table: Arc<TableSchema>,
    key: Option<Vec<Value>>,
    row: Vec<Value>,
    first_in_table: bool,
}

struct Lookahead<'a> {
    events: &'a EventBuilder,
    lsn: u64,
    tx_id: Option<i64>,
    held: Option<Held>,
    emitted: u64,
    /// Records between two flush boundaries.
    chunk: u64,
}

impl Lookahead<'_> {
    async fn push(&mut self, out: &mut Emitter, next: Held) -> Result<(), Closed> {
        let next_is_new_table = next.first_in_table;
        if let Some(held) = self.held.take() {
            self.emit(out, held, next_is_new_table, false).await?;
        }
        self.held = Some(next);
        Ok(())
    }

    async fn finish(&mut self, out: &mut Emitter) -> Result<(), Closed> {
        if let Some(held) = self.held.take() {
            self.emit(out, held, true, true).await?;
        }
        Ok(())
    }

    async fn emit(
        &mut self,
        out: &mut Emitter,
        held: Held,
        last_in_table: bool,
        last: bool,
    ) -> Result<(), Closed> {
        let marker =
            SnapshotMarker::for_row(self.emitted, held.first_in_table, last_in_table, last);
        let info = SourceInfo {
            ts_us: now_us(),
            snapshot: marker,
            tx_id: self.tx_id,
            lsn: Some(self.lsn),
            last_commit_lsn: None,
        };
        let record = self.events.change(
            &held.table,
            Op::Read,
            held.key,
            Value::Null,
            Value::Struct(held.row),
            &info,
            None,
        );
        self.emitted += 1;
        out.push(record).await?;
        if self.emitted.is_multiple_of(self.chunk) {
            out.boundary().await?;
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn run_snapshot(
    config: &PostgresConfig,
    client: &Client,
    snapshot_name: &str,
    consistent_point: u64,
    tables: &[TableRef],
    registry: &mut TableRegistry,
    events: &EventBuilder,
    out: &mut Emitter,
    shutdown: &CancellationToken,
) -> Result<SnapshotEnd, PostgresError> {
    client
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {}",
            quote_literal(snapshot_name)
        ))
        .await
        .map_err(|e| sql_error(config, e))?;
    // The snapshot transaction is read-only and never gets an xid of its own.
    let tx_id = None;
    tracing::info!(tables = tables.len(), snapshot = %snapshot_name, "initial snapshot started");
    let mut lookahead = Lookahead {
        events,
        lsn: consistent_point,
        tx_id,
        held: None,
        emitted: 0,
        chunk: config.common.max_batch_size as u64,
    };
    let mut total = 0u64;
    let metrics = ferrium_event::source_metrics::Snapshot::start(&config.name);
    for table in tables {
        if shutdown.is_cancelled() {
            return Ok(SnapshotEnd::Interrupted);
        }
        let schema = registry.load_from_catalog(client, config, table).await?;
        let columns = schema
            .columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let copy = format!("COPY {} ({columns}) TO STDOUT", table.qualified());
        let stream = client
            .copy_out(copy.as_str())
            .await
            .map_err(|e| sql_error(config, e))?;
        futures::pin_mut!(stream);
        let mut progress = Progress::start(schema.qualified(), table.estimated_rows);
        let mut splitter = CopyLineSplitter::new();
        let mut first_in_table = true;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| sql_error(config, e))?;
            let mut rows = 0u64;
            for line in splitter.push(&chunk) {
                let fields = split_copy_row(&line).map_err(|e| {
                    PostgresError::Protocol(format!("COPY of {}: {e}", schema.qualified()))
                })?;
                let cells = fields.iter().map(|f| match f {
                    Some(text) => Cell::Text(text),
                    None => Cell::Null,
                });
                let decoded = schema.decode(cells)?;
                let held = Held {
                    table: schema.clone(),
                    key: decoded.key,
                    row: decoded.row,
                    first_in_table,
                };
                first_in_table = false;
                if lookahead.push(out, held).await.is_err() {
                    return Ok(SnapshotEnd::Interrupted);
                }
                rows += 1;
            }
            progress.add(rows);
            ferrium_event::source_metrics::rows_scanned(
                &config.name,
                &schema.qualified(),
                progress.rows(),
            );
            if shutdown.is_cancelled() {
                return Ok(SnapshotEnd::Interrupted);
            }
        }
        progress.finish();
        total += progress.rows();
    }
    if lookahead.finish(out).await.is_err() {
        return Ok(SnapshotEnd::Interrupted);
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| sql_error(config, e))?;
    tracing::info!(rows = total, "initial snapshot finished");
    metrics.completed();
    Ok(SnapshotEnd::Done)
}
