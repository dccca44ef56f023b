//! The initial snapshot: every captured table read, in chunks of heap pages, inside one
//! consistent snapshot; chunks read in parallel by `snapshot.max.threads` connections.
//!
//! A first run reads inside the snapshot the replication slot exported when it was
//! created: the slot's consistent point and that snapshot describe the same instant, so
//! reading the tables under it and then streaming from the consistent point neither
//! misses nor repeats a change, whatever is written while the snapshot runs.
//!
//! Each chunk's rows are emitted together and followed by a checkpoint that records the
//! chunk as done (see `snapshot_plan`), so an exactly-once sink commits them with their
//! progress. A run that resumes an unfinished snapshot reads the chunks left inside a
//! new snapshot, then streams from the same consistent point: a row unchanged since
//! then is read exactly once; a row changed since is read in its newer state (or is
//! gone), and the stream replays its changes from the consistent point on, so the
//! topic still ends in the table's state and nothing is missed.
//!
//! Rows are read with `COPY (SELECT …) TO STDOUT` (text format, the same text pgoutput
//! sends), so snapshot rows and streamed rows go through the same decoder. Memory is
//! bounded by the chunks in flight: one per reader plus the one being emitted.

use std::sync::Arc;

use ferrium_event::{Op, Value};
use futures::StreamExt;
use tokio::task::JoinSet;
use tokio_postgres::Client;
use tokio_util::sync::CancellationToken;

use crate::catalog::{quote_ident, quote_literal, TableRef};
use crate::config::PostgresConfig;
use crate::connection::{connect, sql_error};
use crate::copy_text::{split_copy_row, CopyLineSplitter};
use crate::error::PostgresError;
use crate::events::{now_us, EventBuilder, SnapshotMarker, SourceInfo};
use crate::offset::PgOffset;
use crate::registry::TableRegistry;
use crate::relation::{Cell, TableSchema};
use crate::snapshot_plan::{SnapshotPlan, TablePlan};
use ferrium_event::emitter::Emitter;
use ferrium_snapshot::Progress;

/// How a snapshot ended.
pub enum SnapshotEnd {
    Done,
    /// Shutdown was requested or the runtime stopped listening.
    Interrupted,
}

/// Which consistent view the readers share.
pub enum SnapshotView<'a> {
    /// The snapshot the slot exported at its consistent point (a first run).
    Exported(&'a str),
    /// A new snapshot, exported by the first reader (a resumed run).
    Fresh,
}

/// A decoded chunk: its rows' keys and row structs, in heap order.
struct Chunk {
    index: u64,
    rows: Vec<(Option<Vec<Value>>, Vec<Value>)>,
}

#[allow(clippy::too_many_arguments)]
pub async fn run_snapshot(
    config: &PostgresConfig,
    view: SnapshotView<'_>,
    consistent_point: u64,
    tables: &[TableRef],
    resumed: Option<SnapshotPlan>,
    registry: &mut TableRegistry,
    events: &EventBuilder,
    out: &mut Emitter,
    shutdown: &CancellationToken,
) -> Result<SnapshotEnd, PostgresError> {
    let readers = open_readers(config, view).await?;
    let first = readers[0].clone();
    let mut plan = match resumed {
        Some(plan) => {
            tracing::info!(
                tables = plan.tables.len(),
                "resuming the initial snapshot where its offsets say it stopped"
            );
            keep_captured(plan, tables)
        }
        None => SnapshotPlan::default(),
    };
    for table in tables {
        let name = format!("{}.{}", table.schema, table.table);
        let overridden = config.common.select_overrides.contains_key(&name);
        let (mut pages, filenode) = table_storage(config, &first, table).await?;
        if overridden {
            // A statement of the user's cannot be cut into ctid ranges: one chunk.
            pages = 0;
        }
        let cut = || {
            TablePlan::cut(
                &name,
                pages,
                table.estimated_rows.max(0) as u64,
                config.common.snapshot_fetch_size as u64,
                filenode,
            )
        };
        match plan.tables.iter_mut().find(|t| t.table == name) {
            None => plan.tables.push(cut()),
            Some(resumed) if resumed.filenode.is_some() && resumed.filenode != filenode => {
                // Rows moved between ctid ranges: reading only the chunks left could miss
                // rows no change will ever bring. Reading the table again repeats rows
                // instead, which the stream's events then supersede.
                tracing::warn!(table = %name, "the table was rewritten (VACUUM FULL, CLUSTER or ALTER TABLE) since its snapshot started; it is read again from its first chunk, so rows already emitted are emitted again");
                *resumed = cut();
            }
            Some(resumed) if overridden && resumed.chunks != 1 => *resumed = cut(),
            Some(_) => {}
        }
    }
    tracing::info!(
        tables = tables.len(),
        readers = readers.len(),
        "initial snapshot started"
    );
    let metrics = ferrium_event::source_metrics::Snapshot::start(&config.name);
    let mut emitted = 0u64;
    let table_count = plan.tables.len();
    for t in 0..table_count {
        if shutdown.is_cancelled() {
            return Ok(SnapshotEnd::Interrupted);
        }
        let Some(table) = tables
            .iter()
            .find(|r| format!("{}.{}", r.schema, r.table) == plan.tables[t].table)
        else {
            continue;
        };
        let schema = registry.load_from_catalog(&first, config, table).await?;
        let last_table = t + 1 == table_count;
        let mut progress = Progress::start("initial", schema.qualified(), table.estimated_rows);
        let remaining: Vec<u64> = plan.tables[t].remaining().collect();
        let mut pending = remaining.into_iter();
        let mut running = JoinSet::new();
        let mut free: Vec<Arc<Client>> = readers.clone();
        let mut first_in_table = plan.tables[t].done.is_empty();
        let override_sql = match config.common.select_overrides.get(&plan.tables[t].table) {
            Some(statement) => Some(override_sql(&first, &schema, statement).await?),
            None => None,
        };
        loop {
            // Every free reader takes the next chunk left.
            while !free.is_empty() {
                let Some(index) = pending.next() else { break };
                let Some(client) = free.pop() else { break };
                let sql = override_sql
                    .clone()
                    .unwrap_or_else(|| chunk_sql(&schema, table, &plan.tables[t], index));
                let (config, schema) = (config.clone(), schema.clone());
                running.spawn(async move {
                    let chunk = read_chunk(&config, &client, &schema, &sql, index).await;
                    (client, chunk)
                });
            }
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(SnapshotEnd::Interrupted),
                next = running.join_next() => next,
            };
            let Some(joined) = next else { break };
            let (client, chunk) = joined
                .map_err(|e| PostgresError::Protocol(format!("a snapshot reader stopped: {e}")))?;
            free.push(client);
            let chunk = chunk?;
            let plan_table = &mut plan.tables[t];
            plan_table.done.insert(chunk.index);
            let last_chunk = plan_table.is_done();
            let rows = chunk.rows.len() as u64;
            let ended = emit_chunk(
                out,
                events,
                &schema,
                chunk.rows,
                consistent_point,
                &mut emitted,
                first_in_table,
                last_chunk,
                last_chunk && last_table,
            )
            .await;
            if rows > 0 {
                first_in_table = false;
            }
            let mut offset = PgOffset::at(consistent_point).to_offset();
            plan.write(&mut offset);
            if ended.is_err() || out.checkpoint(offset).await.is_err() {
                return Ok(SnapshotEnd::Interrupted);
            }
            progress.add(rows);
            ferrium_event::source_metrics::rows_scanned(
                &config.name,
                &schema.qualified(),
                progress.rows(),
            );
        }
        progress.finish();
    }
    for reader in &readers {
        reader
            .batch_execute("COMMIT")
            .await
            .map_err(|e| sql_error(config, e))?;
    }
    tracing::info!(rows = emitted, "initial snapshot finished");
    metrics.completed();
    Ok(SnapshotEnd::Done)
}

/// The readers, each in a repeatable-read transaction on the same snapshot.
async fn open_readers(
    config: &PostgresConfig,
    view: SnapshotView<'_>,
) -> Result<Vec<Arc<Client>>, PostgresError> {
    const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    let mut readers = Vec::with_capacity(config.snapshot_threads);
    let first = connect(config, "snapshot").await?;
    let name = match view {
        SnapshotView::Exported(name) => {
            first
                .batch_execute(&format!(
                    "{BEGIN}; SET TRANSACTION SNAPSHOT {}",
                    quote_literal(name)
                ))
                .await
                .map_err(|e| sql_error(config, e))?;
            name.to_string()
        }
        SnapshotView::Fresh => {
            first
                .batch_execute(BEGIN)
                .await
                .map_err(|e| sql_error(config, e))?;
            first
                .query_one("SELECT pg_export_snapshot()", &[])
                .await
                .map_err(|e| sql_error(config, e))?
                .get(0)
        }
    };
    readers.push(Arc::new(first));
    for _ in 1..config.snapshot_threads {
        let reader = connect(config, "snapshot").await?;
        reader
            .batch_execute(&format!(
                "{BEGIN}; SET TRANSACTION SNAPSHOT {}",
                quote_literal(&name)
            ))
            .await
            .map_err(|e| sql_error(config, e))?;
        readers.push(Arc::new(reader));
    }
    Ok(readers)
}

/// A resumed plan, without tables that are no longer captured.
fn keep_captured(mut plan: SnapshotPlan, tables: &[TableRef]) -> SnapshotPlan {
    plan.tables.retain(|p| {
        tables
            .iter()
            .any(|t| format!("{}.{}", t.schema, t.table) == p.table)
    });
    plan
}

/// The table's size in heap pages and its file node.
async fn table_storage(
    config: &PostgresConfig,
    client: &Client,
    table: &TableRef,
) -> Result<(u64, Option<u64>), PostgresError> {
    let row = client
        .query_one(
            "SELECT pg_relation_size($1::oid) / current_setting('block_size')::bigint, \
                    pg_relation_filenode($1::oid)::bigint",
            &[&table.oid],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    let pages: i64 = row.get(0);
    let filenode: Option<i64> = row.get(1);
    Ok((pages.max(0) as u64, filenode.map(|f| f as u64)))
}

fn chunk_sql(schema: &TableSchema, table: &TableRef, plan: &TablePlan, index: u64) -> String {
    let columns = schema
        .columns
        .iter()
        .map(|c| quote_ident(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "COPY (SELECT {columns} FROM {} WHERE {}) TO STDOUT",
        table.qualified(),
        plan.ctid_range(index)
    )
}

/// `snapshot.select.statement.overrides.<schema>.<table>`: the COPY of the user's
/// statement, its columns matched to the table's (`ferrium_snapshot::select_override`).
async fn override_sql(
    client: &Client,
    schema: &TableSchema,
    statement: &str,
) -> Result<String, PostgresError> {
    let statement = ferrium_snapshot::select_override::statement(statement);
    let prepared = client.prepare(statement).await.map_err(|e| {
        PostgresError::Config(format!(
            "the snapshot.select.statement.overrides statement of {} cannot be prepared: {}",
            schema.qualified(),
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        ))
    })?;
    let returned: Vec<String> = prepared
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let columns = ferrium_snapshot::select_override::projection(
        schema.columns.iter().map(|c| c.name.as_str()),
        &returned,
        quote_ident,
    );
    tracing::info!(table = %schema.qualified(), "the snapshot reads the table through snapshot.select.statement.overrides");
    Ok(format!(
        "COPY (SELECT {columns} FROM ({statement}) AS o) TO STDOUT"
    ))
}

async fn read_chunk(
    config: &PostgresConfig,
    client: &Client,
    schema: &TableSchema,
    sql: &str,
    index: u64,
) -> Result<Chunk, PostgresError> {
    let stream = client
        .copy_out(sql)
        .await
        .map_err(|e| sql_error(config, e))?;
    futures::pin_mut!(stream);
    let mut splitter = CopyLineSplitter::new();
    let mut rows = Vec::new();
    while let Some(bytes) = stream.next().await {
        let bytes = bytes.map_err(|e| sql_error(config, e))?;
        for line in splitter.push(&bytes) {
            let fields = split_copy_row(&line).map_err(|e| {
                PostgresError::Protocol(format!("COPY of {}: {e}", schema.qualified()))
            })?;
            let cells = fields.iter().map(|f| match f {
                Some(text) => Cell::Text(text),
                None => Cell::Null,
            });
            let decoded = schema.decode(cells)?;
            rows.push((decoded.key, decoded.row));
        }
    }
    Ok(Chunk { index, rows })
}

/// Emits a chunk's rows with their `source.snapshot` markers. Every row is emitted
/// before the chunk's checkpoint, so markers are decided within the chunk: the last row
/// of a table's last chunk is `last_in_data_collection` (`last` for the last table).
#[allow(clippy::too_many_arguments)]
async fn emit_chunk(
    out: &mut Emitter,
    events: &EventBuilder,
    schema: &Arc<TableSchema>,
    rows: Vec<(Option<Vec<Value>>, Vec<Value>)>,
    consistent_point: u64,
    emitted: &mut u64,
    first_in_table: bool,
    last_chunk_of_table: bool,
    last_of_snapshot: bool,
) -> Result<(), ferrium_event::emitter::Closed> {
    let count = rows.len();
    for (i, (key, row)) in rows.into_iter().enumerate() {
        let last_in_table = last_chunk_of_table && i + 1 == count;
        let marker = SnapshotMarker::for_row(
            *emitted,
            first_in_table && i == 0,
            last_in_table,
            last_in_table && last_of_snapshot,
        );
        let info = SourceInfo {
            ts_us: now_us(),
            snapshot: marker,
            // The snapshot transaction is read-only and never gets an xid of its own.
            tx_id: None,
            lsn: Some(consistent_point),
            last_commit_lsn: None,
        };
        out.push(events.change(
            schema,
            Op::Read,
            key,
            Value::Null,
            Value::Struct(row),
            &info,
            None,
        ))
        .await?;
        *emitted += 1;
    }
    Ok(())
}
