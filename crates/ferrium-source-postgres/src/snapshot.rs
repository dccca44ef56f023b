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
use ferrium_event::emitter::Emitter;
use ferrium_event::snapshot_rows::SnapshotRows;

/// How a snapshot ended.
pub enum SnapshotEnd {
    Done,
    /// Shutdown was requested or the runtime stopped listening.
    Interrupted,
}

/// A decoded row of the snapshot, before its marker is known.
struct SnapshotRow {
    table: Arc<TableSchema>,
    key: Option<Vec<Value>>,
    row: Vec<Value>,
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
    let mut snapshot_rows = SnapshotRows::new(config.common.max_batch_size);
    let build = |r: SnapshotRow, marker: SnapshotMarker| {
        let info = SourceInfo {
            ts_us: now_us(),
            snapshot: marker,
            tx_id,
            lsn: Some(consistent_point),
            last_commit_lsn: None,
        };
        events.change(
            &r.table,
            Op::Read,
            r.key,
            Value::Null,
            Value::Struct(r.row),
            &info,
            None,
        )
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
                let row = SnapshotRow {
                    table: schema.clone(),
                    key: decoded.key,
                    row: decoded.row,
                };
                let pushed = snapshot_rows.push(out, row, first_in_table, build).await;
                first_in_table = false;
                if pushed.is_err() {
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
    if snapshot_rows.finish(out, build).await.is_err() {
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
