//! The initial snapshot: the binlog position and the captured tables' rows read under one
//! consistent view, so streaming from that position neither misses nor repeats a change.
//!
//! As Debezium does with `snapshot.locking.mode=minimal`, a global read lock is held only
//! while the transaction starts, the binlog position is read and the table definitions
//! are recorded; the rows are then read in the `REPEATABLE READ` consistent-snapshot
//! transaction after the lock is released. On MariaDB the position comes from
//! `binlog_snapshot_file`/`binlog_snapshot_position`, which the server ties to the
//! transaction's snapshot, so `snapshot.locking.mode=none` is exact there too.
//!
//! Rows are read with the text protocol; the codecs turn the server's text into the same
//! values the binlog path produces.

use std::sync::Arc;

use ferrium_event::emitter::{Closed, Emitter};
use ferrium_event::snapshot_rows::SnapshotRows;
use ferrium_event::source_info::SnapshotMarker;
use ferrium_event::{Op, Value};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row};
use tokio_util::sync::CancellationToken;

use crate::config::{LockingMode, MysqlConfig};
use crate::connection::{current_position, Flavor};
use crate::ddl::{self, Schemas};
use crate::error::{is_privilege_code, query_error, MysqlError};
use crate::events::{EventBuilder, SourceInfo};
use crate::history::{HistoryPosition, SchemaHistory};
use crate::model::TableId;
use crate::offset::MysqlOffset;
use crate::position::{BinlogPosition, GtidSet};
use crate::registry::TableRegistry;
use crate::table::TableSchema;

/// How a snapshot ended.
pub enum SnapshotEnd {
    Done(MysqlOffset),
    /// Shutdown was requested or the runtime stopped listening.
    Interrupted,
}

pub struct SnapshotContext<'a> {
    pub config: &'a MysqlConfig,
    pub flavor: Flavor,
    pub server_id: u32,
    pub schemas: &'a mut Schemas,
    pub history: &'a mut SchemaHistory,
    pub registry: &'a mut TableRegistry,
    pub events: &'a EventBuilder,
    pub out: &'a mut Emitter,
    pub shutdown: &'a CancellationToken,
}

pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

async fn exec(conn: &mut Conn, sql: &str) -> Result<(), MysqlError> {
    conn.query_drop(sql).await.map_err(|e| query_error(sql, e))
}

/// Reads schemas (and rows when `with_data`) and returns the offset streaming starts from.
pub async fn run_snapshot(
    conn: &mut Conn,
    cx: SnapshotContext<'_>,
    with_data: bool,
) -> Result<SnapshotEnd, MysqlError> {
    let config = cx.config;
    let started_ms = ferrium_event::envelope::ProcessingTime::now().ts_ms;
    let locked = config.locking_mode == LockingMode::Minimal;
    if locked {
        match conn.query_drop("FLUSH TABLES WITH READ LOCK").await {
            Ok(()) => {}
            Err(mysql_async::Error::Server(e)) if is_privilege_code(e.code) => {
                return Err(MysqlError::Privilege {
                    user: config.user.clone(),
                    what: "RELOAD, needed for the global read lock of snapshot.locking.mode=minimal".into(),
                    fix: format!("GRANT RELOAD ON *.* TO '{}' (or set snapshot.locking.mode=none when no DDL runs during the snapshot)", config.user),
                })
            }
            Err(e) => return Err(query_error("FLUSH TABLES WITH READ LOCK", e)),
        }
    }
    let mut cx = cx;
    let result = read_position_and_schemas(conn, &mut cx, started_ms).await;
    if locked {
        // Released before any row is read, whatever happened above.
        let unlock = exec(conn, "UNLOCK TABLES").await;
        if result.is_ok() {
            unlock?;
        }
    }
    let (position, gtids, tables) = result?;
    let offset = MysqlOffset {
        position: position.clone(),
        gtids: gtids.clone(),
        skip_events: 0,
        skip_rows: 0,
        server_id: cx.server_id,
        ts_sec: started_ms / 1000,
    };
    if !with_data {
        exec(conn, "COMMIT").await?;
        return Ok(SnapshotEnd::Done(offset));
    }
    tracing::info!(tables = tables.len(), position = %position, "initial snapshot started");
    let progress = ferrium_event::source_metrics::Snapshot::start(&config.name);
    let SnapshotContext {
        schemas,
        registry,
        events,
        out,
        shutdown,
        ..
    } = cx;
    let mut snapshot_rows = SnapshotRows::new(config.common.max_batch_size);
    let build = |r: SnapshotRow, marker: SnapshotMarker| {
        let info = SourceInfo {
            ts_ms: started_ms,
            snapshot: marker,
            server_id: 0,
            gtid: None,
            file: position.file.clone(),
            pos: position.pos,
            row: 0,
            thread: None,
            query: None,
        };
        let key = EventBuilder::key(&r.table, r.key);
        events.change(
            &r.table,
            Op::Read,
            key,
            Value::Null,
            Value::Struct(r.row),
            &info,
            None,
        )
    };
    for id in &tables {
        if shutdown.is_cancelled() {
            return Ok(SnapshotEnd::Interrupted);
        }
        let Some(table) = registry.get(config, schemas, id)? else {
            continue;
        };
        if is_signal_table(config, id) {
            // Signals and watermarks are instructions, never data.
            continue;
        }
        let select = match config.common.select_overrides.get(&id.to_string()) {
            Some(statement) => override_select(conn, &table, statement).await?,
            None => format!("SELECT * FROM {}.{}", quote(&id.database), quote(&id.table)),
        };
        let mut result = conn
            .query_iter(select.as_str())
            .await
            .map_err(|e| query_error(&select, e))?;
        let mut first_in_table = true;
        let mut count = 0u64;
        while let Some(row) = result.next().await.map_err(|e| query_error(&select, e))? {
            let decoded = decode_row(&table, row)?;
            let row = SnapshotRow {
                table: table.clone(),
                key: decoded.key,
                row: decoded.row,
            };
            let pushed = snapshot_rows.push(out, row, first_in_table, build).await;
            first_in_table = false;
            count += 1;
            if pushed.is_err() {
                return Ok(SnapshotEnd::Interrupted);
            }
            if count.is_multiple_of(10_000) {
                ferrium_event::source_metrics::rows_scanned(&config.name, &id.to_string(), count);
                if shutdown.is_cancelled() {
                    return Ok(SnapshotEnd::Interrupted);
                }
            }
        }
        ferrium_event::source_metrics::rows_scanned(&config.name, &id.to_string(), count);
        tracing::info!(table = %id, rows = count, "table snapshot finished");
    }
    if snapshot_rows.finish(out, build).await.is_err() {
        return Ok(SnapshotEnd::Interrupted);
    }
    exec(conn, "COMMIT").await?;
    progress.completed();
    tracing::info!(rows = snapshot_rows.emitted(), "initial snapshot finished");
    Ok(SnapshotEnd::Done(offset))
}

/// `snapshot.select.statement.overrides.<db>.<table>`: the user's statement, its columns
/// matched to the table's (`ferrium_snapshot::select_override`).
async fn override_select(
    conn: &mut Conn,
    table: &TableSchema,
    statement: &str,
) -> Result<String, MysqlError> {
    let statement = ferrium_snapshot::select_override::statement(statement);
    let prepared = conn.prep(statement).await.map_err(|e| {
        MysqlError::Config(format!(
            "the snapshot.select.statement.overrides statement of {} cannot be prepared: {e}",
            table.def.id
        ))
    })?;
    let returned: Vec<String> = prepared
        .columns()
        .iter()
        .map(|c| c.name_str().into_owned())
        .collect();
    conn.close(prepared)
        .await
        .map_err(|e| query_error(statement, e))?;
    let columns = ferrium_snapshot::select_override::projection(
        table.def.columns.iter().map(|c| c.name.as_str()),
        &returned,
        quote,
    );
    tracing::info!(table = %table.def.id, "the snapshot reads the table through snapshot.select.statement.overrides");
    Ok(format!("SELECT {columns} FROM ({statement}) AS o"))
}

fn is_signal_table(config: &MysqlConfig, id: &TableId) -> bool {
    config
        .common
        .signals
        .data_collection
        .as_deref()
        .and_then(crate::chunks::signal_table_id)
        .is_some_and(|signal| &signal == id)
}

fn decode_row(table: &TableSchema, row: Row) -> Result<crate::table::DecodedRow, MysqlError> {
    decode_text_values(table, &row.unwrap())
}

/// Decodes a row read with the text protocol, every column in table order: the decoding
/// of the initial snapshot, shared by incremental snapshot chunks.
pub(crate) fn decode_text_values(
    table: &TableSchema,
    values: &[mysql_async::Value],
) -> Result<crate::table::DecodedRow, MysqlError> {
    if values.len() != table.column_count() {
        return Err(MysqlError::Schema(format!(
            "reading {} returned {} columns, but the schema history knows {}",
            table.def.id,
            values.len(),
            table.column_count()
        )));
    }
    table.decode_with(|i, codec| Ok(codec.decode_text(&values[i])?))
}

/// Starts the consistent-snapshot transaction, reads the binlog position, records every
/// table definition in the schema history (and as schema change events), and returns the
/// captured tables in snapshot order.
async fn read_position_and_schemas(
    conn: &mut Conn,
    cx: &mut SnapshotContext<'_>,
    started_ms: i64,
) -> Result<(BinlogPosition, GtidSet, Vec<TableId>), MysqlError> {
    let config = cx.config;
    exec(
        conn,
        "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    )
    .await?;
    exec(conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT").await?;
    let (mut position, gtids) = current_position(conn, cx.flavor, config).await?;
    if cx.flavor == Flavor::MariaDb {
        if let Some(snapshot_position) = mariadb_snapshot_position(conn).await? {
            position = snapshot_position;
        }
    }
    // Without the lock the GTID set read here may be ahead of the snapshot; positioning
    // uses file and offset, and the set is rebuilt from the stream's GTID events.
    let gtids = if config.locking_mode == LockingMode::Minimal {
        gtids
    } else {
        GtidSet::Empty
    };
    let databases: Vec<String> = conn
        .query("SHOW DATABASES")
        .await
        .map_err(|e| query_error("SHOW DATABASES", e))?;
    let at = HistoryPosition {
        position: position.clone(),
        gtids: gtids.clone(),
        snapshot: true,
    };
    let info = SourceInfo {
        ts_ms: started_ms,
        snapshot: SnapshotMarker::True,
        server_id: 0,
        gtid: None,
        file: position.file.clone(),
        pos: position.pos,
        row: 0,
        thread: None,
        query: None,
    };
    let mut captured = Vec::new();
    for db in databases
        .iter()
        .filter(|db| config.filters.captures_database(db))
    {
        // The database's default character set, which a table created later without one
        // takes: recorded as Debezium's snapshot records it (`CREATE DATABASE … DEFAULT
        // CHARACTER SET … COLLATE …`), so that a recovered history knows it too.
        let locale: Option<(String, String)> = conn
            .exec_first(
                "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME \
                 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (db.as_str(),),
            )
            .await
            .map_err(|e| query_error(&format!("reading the character set of {db}"), e))?;
        if let Some((charset, collation)) = locale {
            let create = format!(
                "CREATE DATABASE {} DEFAULT CHARACTER SET {charset} COLLATE {collation}",
                quote(db)
            );
            ddl::apply(cx.schemas, db, &create)?;
            cx.history.record(&at, db, &create, &[]).await?;
        }
        let tables: Vec<(String, String)> = conn
            .query(format!("SHOW FULL TABLES FROM {}", quote(db)))
            .await
            .map_err(|e| query_error(&format!("listing the tables of {db}"), e))?;
        for (table, kind) in tables {
            if kind != "BASE TABLE" {
                continue;
            }
            let is_captured = config.filters.captures_table(db, &table);
            if !is_captured && config.store_only_captured_tables_ddl {
                continue;
            }
            let show = format!("SHOW CREATE TABLE {}.{}", quote(db), quote(&table));
            let create: Option<(String, String)> = conn
                .query_first(show.as_str())
                .await
                .map_err(|e| query_error(&show, e))?;
            let Some((_, ddl_text)) = create else {
                continue;
            };
            let changes = ddl::apply(cx.schemas, db, &ddl_text)?;
            let json: Vec<serde_json::Value> = changes.iter().map(|c| c.to_json()).collect();
            cx.history.record(&at, db, &ddl_text, &json).await?;
            if is_captured {
                if config.include_schema_changes {
                    let public: Vec<serde_json::Value> =
                        changes.iter().map(|c| c.to_schema_change_json()).collect();
                    let record =
                        cx.events
                            .schema_change(&info, db, Some(&table), &ddl_text, &public);
                    cx.out.push(record).await.map_err(|Closed| {
                        MysqlError::ConnectionLost("the runtime stopped during the snapshot".into())
                    })?;
                }
                captured.push(TableId::new(db.clone(), table));
            }
        }
    }
    Ok((position, gtids, captured))
}

/// MariaDB's binlog position of the current consistent-snapshot transaction.
async fn mariadb_snapshot_position(conn: &mut Conn) -> Result<Option<BinlogPosition>, MysqlError> {
    let rows: Vec<(String, String)> = conn
        .query("SHOW STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')")
        .await
        .map_err(|e| query_error("reading binlog_snapshot_file/position", e))?;
    let get = |name: &str| {
        rows.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    match (get("binlog_snapshot_file"), get("binlog_snapshot_position")) {
        (Some(file), Some(pos)) if !file.is_empty() => {
            Ok(pos.parse().ok().map(|pos| BinlogPosition::new(file, pos)))
        }
        _ => Ok(None),
    }
}

/// A decoded row of the snapshot, before its marker is known.
struct SnapshotRow {
    table: Arc<TableSchema>,
    key: Option<Vec<Value>>,
    row: Vec<Value>,
}
