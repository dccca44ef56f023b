//! The PostgreSQL side of incremental snapshots: chunk reads by primary key (or the
//! signal's surrogate key) with `COPY (SELECT …) TO STDOUT`, so chunk rows go through the
//! same text decoder as the initial snapshot and the stream, and the watermark rows
//! written to the signalling table.
//!
//! Each chunk is read in a repeatable-read transaction whose snapshot is checked
//! against what the stream already delivered (`chunk_snapshot.rs`).
//!
//! Keys travel as the text PostgreSQL prints for them and go back into the queries as
//! untyped literals, which the server coerces to the key columns' own types: no value
//! is ever reformatted on the way.

use std::sync::Arc;

use ferrium_snapshot::engine::{identity, ChunkError};
use ferrium_snapshot::{ChunkReader, ChunkRow, DataCollection, KeyText};
use futures::StreamExt;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::catalog::{quote_ident, quote_literal, TableRef};
use crate::chunk_snapshot::{
    running_transactions, DeliveredTransactions, GIVE_UP_AFTER, REPORT_AFTER, RETRY_EVERY,
};
use crate::config::PostgresConfig;
use crate::connection::sql_error;
use crate::copy_text::{split_copy_row, CopyLineSplitter};
use crate::error::PostgresError;
use crate::registry::TableRegistry;
use crate::relation::{Cell, DecodedRow, TableSchema};

/// A chunk row, decoded, with the table it belongs to.
pub struct PgChunkRow {
    pub table: Arc<TableSchema>,
    pub row: DecodedRow,
}

pub struct PgChunkReader<'a> {
    pub config: &'a PostgresConfig,
    pub client: &'a Client,
    pub registry: &'a TableRegistry,
    pub tables: &'a [TableRef],
    /// What the stream delivered, checked against each chunk's snapshot.
    pub delivered: &'a DeliveredTransactions,
}

/// The signalling table as a quoted SQL name (`schema.table`, or `table` in `public`).
pub fn signal_table_sql(name: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) => format!("{}.{}", quote_ident(schema), quote_ident(table)),
        None => format!("{}.{}", quote_ident("public"), quote_ident(name)),
    }
}

impl PgChunkReader<'_> {
    fn table(
        &self,
        wanted: &DataCollection,
    ) -> Result<(&TableRef, Arc<TableSchema>), ChunkError<PostgresError>> {
        let table = self
            .tables
            .iter()
            .find(|t| format!("{}.{}", t.schema, t.table) == wanted.id)
            .ok_or_else(|| ChunkError::Table(format!("'{}' is no longer captured", wanted.id)))?;
        let schema = self.registry.get(table.oid).cloned().ok_or_else(|| {
            ChunkError::Table(format!("the schema of '{}' is not known", wanted.id))
        })?;
        Ok((table, schema))
    }

    /// The chunk key's columns: the surrogate key, or the primary key.
    fn key_columns(
        &self,
        wanted: &DataCollection,
        schema: &TableSchema,
    ) -> Result<Vec<String>, ChunkError<PostgresError>> {
        if let Some(column) = &wanted.surrogate_key {
            if !schema.columns.iter().any(|c| &c.name == column) {
                return Err(ChunkError::Table(format!(
                    "surrogate-key '{column}' is not a column of '{}'",
                    wanted.id
                )));
            }
            return Ok(vec![column.clone()]);
        }
        let key: Vec<String> = schema
            .key_column_names()
            .into_iter()
            .map(str::to_string)
            .collect();
        if key.is_empty() {
            return Err(ChunkError::Table(format!(
                "'{}' has no primary key; name a unique column as \"surrogate-key\" in the signal",
                wanted.id
            )));
        }
        Ok(key)
    }

    /// Reads the chunk's rows with `COPY`, decoded as the stream decodes them.
    async fn copy_chunk(
        &self,
        wanted: &DataCollection,
        sql: &str,
        schema: &Arc<TableSchema>,
        key_positions: &[usize],
        surrogate_slot: Option<usize>,
        limit: usize,
    ) -> Result<Vec<ChunkRow<PgChunkRow>>, ChunkError<PostgresError>> {
        let stream = self
            .client
            .copy_out(sql)
            .await
            .map_err(|e| self.table_problem(e))?;
        futures::pin_mut!(stream);
        let mut splitter = CopyLineSplitter::new();
        let mut rows = Vec::with_capacity(limit);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.table_problem(e))?;
            for line in splitter.push(&chunk) {
                let fields = split_copy_row(&line).map_err(|e| {
                    ChunkError::Source(PostgresError::Protocol(format!(
                        "chunk of {}: {e}",
                        wanted.id
                    )))
                })?;
                let key_text: KeyText = key_positions.iter().map(|&i| fields[i].clone()).collect();
                let cells = fields.iter().map(|f| match f {
                    Some(text) => Cell::Text(text),
                    None => Cell::Null,
                });
                let row = schema.decode(cells).map_err(ChunkError::Source)?;
                let identity = stream_identity(&row, surrogate_slot);
                rows.push(ChunkRow {
                    key: key_text,
                    identity: identity.unwrap_or_default(),
                    row: PgChunkRow {
                        table: schema.clone(),
                        row,
                    },
                });
            }
        }
        Ok(rows)
    }

    fn table_problem(&self, e: tokio_postgres::Error) -> ChunkError<PostgresError> {
        // A statement the server refuses (a bad filter, a type without ordering) is the
        // table's problem; a lost connection is the source's.
        match e.as_db_error() {
            Some(db) => ChunkError::Table(format!(
                "the chunk query failed: {} (SQLSTATE {}); check the signal's additional-conditions",
                db.message(),
                db.code().code()
            )),
            None => ChunkError::Source(sql_error(self.config, e)),
        }
    }
}

/// `(a, b)` of quoted names, and `(lit, lit)` of key text.
fn row_of(names: &[String]) -> String {
    format!(
        "({})",
        names
            .iter()
            .map(|n| quote_ident(n))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn literals(key: &KeyText) -> String {
    let items: Vec<String> = key
        .iter()
        .map(|v| {
            v.as_deref()
                .map_or_else(|| "NULL".to_string(), quote_literal)
        })
        .collect();
    format!("({})", items.join(", "))
}

#[async_trait::async_trait]
impl ChunkReader for PgChunkReader<'_> {
    type Row = PgChunkRow;
    type Error = PostgresError;

    fn matching_tables(&self, pattern: &str) -> Vec<String> {
        let names: Vec<String> = self
            .tables
            .iter()
            .map(|t| format!("{}.{}", t.schema, t.table))
            .collect();
        ferrium_snapshot::action::matching_names(pattern, names.iter().map(String::as_str))
    }

    async fn estimate(&mut self, wanted: &DataCollection) -> Option<u64> {
        self.tables
            .iter()
            .find(|t| format!("{}.{}", t.schema, t.table) == wanted.id)
            .map(|t| t.estimated_rows.max(0) as u64)
    }

    async fn max_key(
        &mut self,
        wanted: &DataCollection,
    ) -> Result<Option<KeyText>, ChunkError<PostgresError>> {
        let (table, schema) = self.table(wanted)?;
        let key = self.key_columns(wanted, &schema)?;
        let filter = wanted.and_filter();
        if wanted.surrogate_key.is_some() {
            let unique = format!(
                "SELECT 1 FROM {} WHERE true{filter} GROUP BY {} HAVING count(*) > 1 LIMIT 1",
                table.qualified(),
                row_of(&key)
            );
            let duplicates = self
                .client
                .query_opt(unique.as_str(), &[])
                .await
                .map_err(|e| self.table_problem(e))?;
            if duplicates.is_some() {
                return Err(ChunkError::Table(format!(
                    "surrogate-key '{}' is not unique in '{}'",
                    key[0], wanted.id
                )));
            }
        }
        let select: Vec<String> = key
            .iter()
            .enumerate()
            // Aliased: `ORDER BY id` would otherwise sort by the text output column.
            .map(|(i, k)| format!("{}::text AS key_{i}", quote_ident(k)))
            .collect();
        let order: Vec<String> = key
            .iter()
            .map(|k| format!("{} DESC", quote_ident(k)))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE true{filter} ORDER BY {} LIMIT 1",
            select.join(", "),
            table.qualified(),
            order.join(", ")
        );
        let row = self
            .client
            .query_opt(sql.as_str(), &[])
            .await
            .map_err(|e| self.table_problem(e))?;
        Ok(row.map(|r| {
            (0..key.len())
                .map(|i| r.get::<_, Option<String>>(i))
                .collect()
        }))
    }

    async fn read_chunk(
        &mut self,
        wanted: &DataCollection,
        after: Option<&KeyText>,
        max: &KeyText,
        limit: usize,
    ) -> Result<Vec<ChunkRow<PgChunkRow>>, ChunkError<PostgresError>> {
        let (table, schema) = self.table(wanted)?;
        let key = self.key_columns(wanted, &schema)?;
        let key_positions: Vec<usize> = key
            .iter()
            .filter_map(|k| schema.columns.iter().position(|c| &c.name == k))
            .collect();
        let surrogate_slot = wanted
            .surrogate_key
            .as_deref()
            .and_then(|k| schema.value_slot_of(k));
        let columns: Vec<String> = schema
            .columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect();
        let lower = after.map_or_else(String::new, |after| {
            format!(" AND {} > {}", row_of(&key), literals(after))
        });
        let order: Vec<String> = key.iter().map(|k| quote_ident(k)).collect();
        let sql = format!(
            "COPY (SELECT {} FROM {} WHERE {} <= {}{lower}{} ORDER BY {} LIMIT {limit}) TO STDOUT",
            columns.join(", "),
            table.qualified(),
            row_of(&key),
            literals(max),
            wanted.and_filter(),
            order.join(", ")
        );
        self.begin_chunk_snapshot(&wanted.id).await?;
        let rows = self
            .copy_chunk(wanted, &sql, &schema, &key_positions, surrogate_slot, limit)
            .await;
        // A refused query left the transaction aborted: it ends either way.
        let end = self
            .client
            .batch_execute(if rows.is_ok() { "COMMIT" } else { "ROLLBACK" })
            .await;
        match (rows, end) {
            (Ok(_), Err(e)) => Err(ChunkError::Source(sql_error(self.config, e))),
            (rows, _) => rows,
        }
    }

    async fn write_watermark(
        &mut self,
        id: &str,
        kind: &str,
        data: &str,
    ) -> Result<(), PostgresError> {
        let table = self.signal_table()?;
        let sql = format!("INSERT INTO {table} (id, type, data) VALUES ($1, $2, $3)");
        self.client
            .execute(sql.as_str(), &[&id, &kind, &data])
            .await
            .map_err(|e| watermark_error(self.config, &table, e))?;
        Ok(())
    }

    async fn delete_watermark(&mut self, id: &str) -> Result<(), PostgresError> {
        let table = self.signal_table()?;
        let sql = format!("DELETE FROM {table} WHERE id = $1");
        self.client
            .execute(sql.as_str(), &[&id])
            .await
            .map_err(|e| watermark_error(self.config, &table, e))?;
        Ok(())
    }
}

impl PgChunkReader<'_> {
    fn signal_table(&self) -> Result<String, PostgresError> {
        self.config
            .common
            .signals
            .data_collection
            .as_deref()
            .map(signal_table_sql)
            .ok_or_else(|| {
                PostgresError::Setup("incremental snapshots need 'signal.data.collection'".into())
            })
    }

    /// Opens the transaction the chunk is read in, under a snapshot in which no
    /// transaction the stream already delivered is still running (see
    /// [`crate::chunk_snapshot`]).
    async fn begin_chunk_snapshot(&self, table: &str) -> Result<(), ChunkError<PostgresError>> {
        let source = |e| ChunkError::Source(sql_error(self.config, e));
        let started = std::time::Instant::now();
        let mut waited_long = false;
        loop {
            let messages = self
                .client
                .simple_query(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT txid_current_snapshot()::text",
                )
                .await
                .map_err(source)?;
            let snapshot = messages.iter().find_map(|m| match m {
                SimpleQueryMessage::Row(row) => row.get(0),
                _ => None,
            });
            let running = snapshot
                .ok_or_else(|| "no snapshot returned".to_string())
                .and_then(running_transactions)
                .map_err(|e| ChunkError::Source(PostgresError::Protocol(e)))?;
            let Some(xid) = self.delivered.any_of(&running) else {
                return Ok(());
            };
            self.client
                .batch_execute("ROLLBACK")
                .await
                .map_err(source)?;
            if started.elapsed() > GIVE_UP_AFTER {
                return Err(ChunkError::Source(PostgresError::SnapshotRace(format!(
                    "transaction {xid} was streamed but is still running in the snapshot of a chunk of '{table}' after {} s",
                    GIVE_UP_AFTER.as_secs()
                ))));
            }
            if !waited_long && started.elapsed() > REPORT_AFTER {
                // Commits held by a synchronous standby stay in this state for as long
                // as the standby takes to answer.
                waited_long = true;
                tracing::info!(connector = %self.config.name, xid, table, "a transaction the stream delivered is still running in the chunk's snapshot; waiting for it to finish");
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
    }
}

fn watermark_error(
    config: &PostgresConfig,
    table: &str,
    e: tokio_postgres::Error,
) -> PostgresError {
    match sql_error(config, e) {
        PostgresError::Privilege { user, fix, .. } => PostgresError::Privilege {
            user,
            what: format!("INSERT and DELETE on the signalling table {table}, where incremental snapshot watermarks are written"),
            fix,
        },
        other => other,
    }
}

/// How the stream and a chunk name the same row: by its key values, or by the surrogate
/// key column's value when the signal gave one.
pub fn stream_identity(row: &DecodedRow, surrogate_slot: Option<usize>) -> Option<String> {
    match surrogate_slot {
        Some(slot) => row.row.get(slot).map(|v| identity(std::slice::from_ref(v))),
        None => row.key.as_deref().map(identity),
    }
}
