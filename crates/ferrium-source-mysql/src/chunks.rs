//! The MySQL/MariaDB side of incremental snapshots: chunk reads by primary key (or the
//! signal's surrogate key) on a connection of their own, and the watermark rows written
//! to the signalling table (`database.table`) with autocommit.
//!
//! Chunk rows are read with the text protocol and decoded by the initial snapshot's
//! decoder, so a row's identity (its decoded key) is the one the binlog decoding gives
//! the same row, and the window can drop what the stream changed.
//!
//! Keys travel as text per key column: the value as the server prints it (hex for binary
//! columns). They are turned back into SQL literals only when a query is built, each by
//! its column's kind and checked, so a key stored in the offsets can never inject SQL.
//! Strings go back as `_utf8mb4 X'…'` (coercible, so the column's collation decides the
//! order, and no escaping that depends on `sql_mode`).

use std::sync::Arc;

use ferrium_snapshot::engine::{identity, ChunkError};
use ferrium_snapshot::{ChunkReader, ChunkRow, DataCollection, KeyText};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value as MyValue};

use crate::config::MysqlConfig;
use crate::connection::connect;
use crate::ddl::Schemas;
use crate::error::{is_privilege_code, query_error, MysqlError};
use crate::model::{ColumnDef, TableId};
use crate::registry::TableRegistry;
use crate::snapshot::{decode_text_values, quote};
use crate::table::{DecodedRow, TableSchema};
use crate::types::family::{classify, Family};

/// A chunk row, decoded, with the table it belongs to.
pub struct MysqlChunkRow {
    pub table: Arc<TableSchema>,
    pub row: DecodedRow,
}

/// The signalling table named by `signal.data.collection` (`database.table`).
pub fn signal_table_id(name: &str) -> Option<TableId> {
    let (database, table) = name.split_once('.')?;
    let (database, table) = (database.trim(), table.trim());
    (!database.is_empty() && !table.is_empty()).then(|| TableId::new(database, table))
}

pub fn table_sql(id: &TableId) -> String {
    format!("{}.{}", quote(&id.database), quote(&id.table))
}

/// The CREATE TABLE that makes a signalling table Debezium's way.
pub fn signal_table_ddl(id: &TableId) -> String {
    format!(
        "CREATE TABLE {} (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048))",
        table_sql(id)
    )
}

pub struct MysqlChunkReader<'a> {
    pub config: &'a MysqlConfig,
    /// Opened on first use: a connector that never snapshots incrementally needs none.
    pub conn: &'a mut Option<Conn>,
    pub schemas: &'a Schemas,
    pub registry: &'a mut TableRegistry,
    pub signal_table: Option<&'a TableId>,
}

/// How a key column's text goes back into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    /// Integers, decimals, floats, YEAR, BOOL: unquoted.
    Number,
    /// BIT(n): the server sends the bits as bytes; kept as their unsigned value.
    Bits,
    /// Character data: `_utf8mb4 X'…'`.
    Text,
    /// BINARY, VARBINARY, BLOB: kept as hex, written `X'…'`.
    Binary,
    /// Dates, times, UUIDs: quoted, from a small character set.
    Quoted,
}

struct KeyColumn {
    name: String,
    /// Position in the table's columns (and in a chunk row).
    index: usize,
    literal: Literal,
}

fn literal_kind(column: &ColumnDef) -> Result<Literal, String> {
    let unsigned = column.unsigned || column.zerofill;
    match classify(&column.type_name, unsigned, column.length, column.scale) {
        Family::Bool
        | Family::Int { .. }
        | Family::Float { .. }
        | Family::Decimal { .. }
        | Family::Year => Ok(Literal::Number),
        Family::Bit(_) => Ok(Literal::Bits),
        Family::Text { .. } => Ok(Literal::Text),
        Family::Binary { .. } => Ok(Literal::Binary),
        Family::Date
        | Family::DateTime { .. }
        | Family::Timestamp { .. }
        | Family::Time { .. }
        | Family::Uuid => Ok(Literal::Quoted),
        // ORDER BY sorts ENUM and SET by member index, but a comparison with a literal
        // compares text: chunks bounded that way would skip rows.
        Family::Enum | Family::Set => Err(format!(
            "the chunk key column '{}' is an {}, which sorts by member index but compares as text",
            column.name, column.type_name
        )),
        _ => Err(format!(
            "the chunk key column '{}' has type {}, which has no order to chunk by",
            column.name, column.type_name
        )),
    }
}

/// The key text of one cell as the text protocol returns it.
fn key_text(literal: Literal, value: &MyValue) -> Result<Option<String>, String> {
    let bytes = match value {
        MyValue::NULL => return Ok(None),
        MyValue::Bytes(b) => b.as_slice(),
        other => return Err(format!("unexpected value {other:?} from the text protocol")),
    };
    Ok(Some(match literal {
        Literal::Binary => hex(bytes),
        Literal::Bits => {
            if bytes.len() > 8 {
                return Err("a BIT value longer than 64 bits".into());
            }
            bytes
                .iter()
                .fold(0u64, |n, b| (n << 8) | u64::from(*b))
                .to_string()
        }
        Literal::Number | Literal::Text | Literal::Quoted => String::from_utf8(bytes.to_vec())
            .map_err(|_| "a key value that is not UTF-8 text".to_string())?,
    }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SQL literal of one key column's text, refusing text that cannot be its kind.
fn literal(column: &KeyColumn, text: Option<&str>) -> Result<String, String> {
    let Some(text) = text else {
        return Ok("NULL".into());
    };
    let fits = |allowed: &dyn Fn(char) -> bool| !text.is_empty() && text.chars().all(allowed);
    let ok = match column.literal {
        Literal::Number => fits(&|c| c.is_ascii_digit() || "+-.eE".contains(c)),
        Literal::Bits => fits(&|c| c.is_ascii_digit()),
        Literal::Binary => text.len() % 2 == 0 && text.chars().all(|c| c.is_ascii_hexdigit()),
        Literal::Quoted => fits(&|c| c.is_ascii_alphanumeric() || " -:.".contains(c)),
        Literal::Text => true,
    };
    if !ok {
        return Err(format!(
            "the key value {text:?} of column '{}' is not a valid {:?} key; reset the snapshot with a stop-snapshot signal",
            column.name, column.literal
        ));
    }
    Ok(match column.literal {
        Literal::Number | Literal::Bits => text.to_string(),
        Literal::Binary => format!("X'{text}'"),
        Literal::Quoted => format!("'{text}'"),
        Literal::Text if text.is_empty() => "_utf8mb4''".into(),
        Literal::Text => format!("_utf8mb4 X'{}'", hex(text.as_bytes())),
    })
}

/// `(a, b)` of quoted names.
fn row_of(key: &[KeyColumn]) -> String {
    let names: Vec<String> = key.iter().map(|k| quote(&k.name)).collect();
    format!("({})", names.join(", "))
}

fn literals(key: &[KeyColumn], text: &KeyText) -> Result<String, String> {
    if text.len() != key.len() {
        return Err(format!(
            "a stored key has {} values for the {} key columns; reset the snapshot with a stop-snapshot signal",
            text.len(),
            key.len()
        ));
    }
    let items: Result<Vec<String>, String> = key
        .iter()
        .zip(text)
        .map(|(k, t)| literal(k, t.as_deref()))
        .collect();
    Ok(format!("({})", items?.join(", ")))
}

/// `(k) <op> (literal)`; for a key of several columns also the same bound on its first
/// column alone, which is implied but lets the server use the key as a range.
fn bound(key: &[KeyColumn], op: &str, text: &KeyText) -> Result<String, String> {
    let mut sql = format!("{} {op} {}", row_of(key), literals(key, text)?);
    if key.len() > 1 {
        let first_op = if op.starts_with('>') { ">=" } else { "<=" };
        sql.push_str(&format!(
            " AND {} {first_op} {}",
            quote(&key[0].name),
            literal(&key[0], text[0].as_deref())?
        ));
    }
    Ok(sql)
}

/// A statement the server refuses (a bad filter, a missing privilege) is the table's
/// problem; a lost connection is the source's.
fn table_problem(context: &str, e: mysql_async::Error) -> ChunkError<MysqlError> {
    match e {
        mysql_async::Error::Server(e) => ChunkError::Table(format!(
            "{context} failed: {} (error {}); check the signal's additional-conditions",
            e.message, e.code
        )),
        other => ChunkError::Source(query_error(context, other)),
    }
}

impl MysqlChunkReader<'_> {
    async fn conn(&mut self) -> Result<&mut Conn, MysqlError> {
        if self.conn.is_none() {
            let mut conn = connect(self.config).await?;
            // Each watermark must be committed on its own, and each chunk read must see
            // everything committed before its open watermark.
            conn.query_drop("SET SESSION autocommit = 1")
                .await
                .map_err(|e| query_error("SET SESSION autocommit = 1", e))?;
            *self.conn = Some(conn);
        }
        self.conn.as_mut().ok_or_else(|| {
            MysqlError::ConnectionLost("the incremental snapshot connection is gone".into())
        })
    }

    fn captured(&self) -> impl Iterator<Item = &TableId> {
        let config = self.config;
        let signal = self.signal_table;
        self.schemas
            .tables()
            .map(|t| &t.id)
            .filter(move |id| config.filters.captures_table(&id.database, &id.table))
            .filter(move |id| Some(*id) != signal)
    }

    fn table(
        &mut self,
        wanted: &DataCollection,
    ) -> Result<Arc<TableSchema>, ChunkError<MysqlError>> {
        let id = self
            .captured()
            .find(|id| id.to_string() == wanted.id)
            .cloned()
            .ok_or_else(|| ChunkError::Table(format!("'{}' is no longer captured", wanted.id)))?;
        self.registry
            .get(self.config, self.schemas, &id)
            .map_err(ChunkError::Source)?
            .ok_or_else(|| ChunkError::Table(format!("the schema of '{}' is not known", wanted.id)))
    }

    /// The chunk key's columns: the surrogate key, or the primary key.
    fn key_columns(
        wanted: &DataCollection,
        table: &TableSchema,
    ) -> Result<Vec<KeyColumn>, ChunkError<MysqlError>> {
        let names: Vec<String> = match &wanted.surrogate_key {
            Some(column) => vec![column.clone()],
            None if table.def.primary_key.is_empty() => {
                return Err(ChunkError::Table(format!(
                "'{}' has no primary key; name a unique column as \"surrogate-key\" in the signal",
                wanted.id
            )))
            }
            None => table.def.primary_key.clone(),
        };
        names
            .iter()
            .map(|name| {
                let index = table
                    .def
                    .columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        ChunkError::Table(format!(
                            "surrogate-key '{name}' is not a column of '{}'",
                            wanted.id
                        ))
                    })?;
                let column = &table.def.columns[index];
                if wanted.surrogate_key.is_some() && table.value_slot_of(&column.name).is_none() {
                    return Err(ChunkError::Table(format!(
                        "surrogate-key '{name}' of '{}' is excluded by column.exclude.list/column.include.list; the stream could not recognise its rows",
                        wanted.id
                    )));
                }
                let literal = literal_kind(column).map_err(|problem| {
                    ChunkError::Table(format!(
                        "'{}': {problem}; name another unique column as \"surrogate-key\"",
                        wanted.id
                    ))
                })?;
                Ok(KeyColumn {
                    name: column.name.clone(),
                    index,
                    literal,
                })
            })
            .collect()
    }

    /// A surrogate key must be unique and never NULL, or chunks would skip rows.
    async fn check_surrogate(
        &mut self,
        wanted: &DataCollection,
        key: &KeyColumn,
        from: &str,
    ) -> Result<(), ChunkError<MysqlError>> {
        let column = quote(&key.name);
        let filter = wanted.and_filter();
        let duplicates = format!(
            "SELECT 1 FROM {from} WHERE {column} IS NOT NULL{filter} GROUP BY {column} HAVING COUNT(*) > 1 LIMIT 1"
        );
        let found: Option<Row> = self
            .conn()
            .await?
            .query_first(duplicates.as_str())
            .await
            .map_err(|e| table_problem("the surrogate-key check", e))?;
        if found.is_some() {
            return Err(ChunkError::Table(format!(
                "surrogate-key '{}' is not unique in '{}'",
                key.name, wanted.id
            )));
        }
        let nulls = format!("SELECT 1 FROM {from} WHERE {column} IS NULL{filter} LIMIT 1");
        let found: Option<Row> = self
            .conn()
            .await?
            .query_first(nulls.as_str())
            .await
            .map_err(|e| table_problem("the surrogate-key check", e))?;
        if found.is_some() {
            return Err(ChunkError::Table(format!(
                "surrogate-key '{}' of '{}' has NULL values, which no chunk can reach",
                key.name, wanted.id
            )));
        }
        Ok(())
    }

    fn signal_table(&self) -> Result<String, MysqlError> {
        self.signal_table.map(table_sql).ok_or_else(|| {
            MysqlError::Config(
                "incremental snapshots need 'signal.data.collection' (database.table)".into(),
            )
        })
    }

    async fn watermark_sql(&mut self, sql: &str, params: Vec<MyValue>) -> Result<(), MysqlError> {
        let table = self.signal_table()?;
        let user = self.config.user.clone();
        match self.conn().await?.exec_drop(sql, params).await {
            Ok(()) => Ok(()),
            Err(mysql_async::Error::Server(e)) if is_privilege_code(e.code) => {
                Err(MysqlError::Privilege {
                    user: user.clone(),
                    what: format!(
                        "INSERT and DELETE on the signalling table {table}, where incremental snapshot watermarks are written ({})",
                        e.message
                    ),
                    fix: format!("GRANT INSERT, DELETE ON {table} TO '{user}'"),
                })
            }
            Err(e) => Err(query_error(
                &format!("writing a watermark to the signalling table {table}"),
                e,
            )),
        }
    }
}

#[async_trait::async_trait]
impl ChunkReader for MysqlChunkReader<'_> {
    type Row = MysqlChunkRow;
    type Error = MysqlError;

    fn matching_tables(&self, pattern: &str) -> Vec<String> {
        let names: Vec<String> = self.captured().map(ToString::to_string).collect();
        ferrium_snapshot::action::matching_names(pattern, names.iter().map(String::as_str))
    }

    async fn estimate(&mut self, wanted: &DataCollection) -> Option<u64> {
        let id = self
            .captured()
            .find(|id| id.to_string() == wanted.id)?
            .clone();
        let conn = self.conn().await.ok()?;
        conn.exec_first::<Option<u64>, _, _>(
            "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
            (id.database, id.table),
        )
        .await
        .ok()
        .flatten()
        .flatten()
    }

    async fn max_key(
        &mut self,
        wanted: &DataCollection,
    ) -> Result<Option<KeyText>, ChunkError<MysqlError>> {
        let table = self.table(wanted)?;
        let key = Self::key_columns(wanted, &table)?;
        let from = table_sql(&table.def.id);
        if let (Some(_), Some(column)) = (&wanted.surrogate_key, key.first()) {
            self.check_surrogate(wanted, column, &from).await?;
        }
        let names: Vec<String> = key.iter().map(|k| quote(&k.name)).collect();
        let order: Vec<String> = names.iter().map(|n| format!("{n} DESC")).collect();
        let sql = format!(
            "SELECT {} FROM {from} WHERE 1 = 1{} ORDER BY {} LIMIT 1",
            names.join(", "),
            wanted.and_filter(),
            order.join(", ")
        );
        let row: Option<Row> = self
            .conn()
            .await?
            .query_first(sql.as_str())
            .await
            .map_err(|e| table_problem("the maximum key query", e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let values = row.unwrap();
        key.iter()
            .zip(&values)
            .map(|(k, v)| key_text(k.literal, v))
            .collect::<Result<KeyText, String>>()
            .map(Some)
            .map_err(|problem| ChunkError::Table(format!("'{}': {problem}", wanted.id)))
    }

    async fn read_chunk(
        &mut self,
        wanted: &DataCollection,
        after: Option<&KeyText>,
        max: &KeyText,
        limit: usize,
    ) -> Result<Vec<ChunkRow<MysqlChunkRow>>, ChunkError<MysqlError>> {
        let table = self.table(wanted)?;
        let key = Self::key_columns(wanted, &table)?;
        let surrogate_slot = wanted
            .surrogate_key
            .as_deref()
            .and_then(|k| table.value_slot_of(k));
        let columns: Vec<String> = table.def.columns.iter().map(|c| quote(&c.name)).collect();
        let problem = |p: String| ChunkError::Table(format!("'{}': {p}", wanted.id));
        let mut conditions = vec![bound(&key, "<=", max).map_err(problem)?];
        if let Some(after) = after {
            conditions.push(bound(&key, ">", after).map_err(problem)?);
        }
        let order: Vec<String> = key.iter().map(|k| quote(&k.name)).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {}{} ORDER BY {} LIMIT {limit}",
            columns.join(", "),
            table_sql(&table.def.id),
            conditions.join(" AND "),
            wanted.and_filter(),
            order.join(", ")
        );
        let rows: Vec<Row> = self
            .conn()
            .await?
            .query(sql.as_str())
            .await
            .map_err(|e| table_problem("the chunk query", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let values = row.unwrap();
            if values.len() != table.column_count() {
                return Err(ChunkError::Source(MysqlError::Schema(format!(
                    "a chunk of {} has {} columns, but the schema history knows {}; the table changed during its incremental snapshot",
                    table.def.id,
                    values.len(),
                    table.column_count()
                ))));
            }
            let key_text: KeyText = key
                .iter()
                .map(|k| key_text(k.literal, &values[k.index]))
                .collect::<Result<_, String>>()
                .map_err(problem)?;
            let decoded = decode_text_values(&table, &values).map_err(ChunkError::Source)?;
            let identity = stream_identity(&decoded, surrogate_slot).unwrap_or_default();
            out.push(ChunkRow {
                key: key_text,
                identity,
                row: MysqlChunkRow {
                    table: table.clone(),
                    row: decoded,
                },
            });
        }
        Ok(out)
    }

    async fn write_watermark(
        &mut self,
        id: &str,
        kind: &str,
        data: &str,
    ) -> Result<(), MysqlError> {
        let sql = format!(
            "INSERT INTO {} (id, type, data) VALUES (?, ?, ?)",
            self.signal_table()?
        );
        self.watermark_sql(&sql, vec![id.into(), kind.into(), data.into()])
            .await
    }

    async fn delete_watermark(&mut self, id: &str) -> Result<(), MysqlError> {
        let sql = format!("DELETE FROM {} WHERE id = ?", self.signal_table()?);
        self.watermark_sql(&sql, vec![id.into()]).await
    }
}

/// How the stream and a chunk name the same row: by its decoded key values, or by the
/// surrogate key column's value when the signal gave one.
pub fn stream_identity(row: &DecodedRow, surrogate_slot: Option<usize>) -> Option<String> {
    match surrogate_slot {
        Some(slot) => row.row.get(slot).map(|v| identity(std::slice::from_ref(v))),
        None => row.key.as_deref().map(identity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, literal: Literal) -> KeyColumn {
        KeyColumn {
            name: name.into(),
            index: 0,
            literal,
        }
    }

    #[test]
    fn keys_go_back_as_checked_literals() {
        let key = [column("id", Literal::Number), column("name", Literal::Text)];
        let text = vec![Some("42".to_string()), Some("o'k\\".to_string())];
        assert_eq!(
            bound(&key, ">", &text).unwrap(),
            "(`id`, `name`) > (42, _utf8mb4 X'6f276b5c') AND `id` >= 42"
        );
        let bad = vec![Some("1; DROP TABLE t".to_string()), None];
        assert!(bound(&key, ">", &bad).is_err());
        let bin = column("b", Literal::Binary);
        assert_eq!(literal(&bin, Some("00ff")).unwrap(), "X'00ff'");
        assert!(literal(&bin, Some("0g")).is_err());
        let when = column("t", Literal::Quoted);
        assert_eq!(
            literal(&when, Some("2024-01-02 03:04:05.5")).unwrap(),
            "'2024-01-02 03:04:05.5'"
        );
        assert!(literal(&when, Some("x' OR '1")).is_err());
    }

    #[test]
    fn key_text_from_the_text_protocol() {
        assert_eq!(
            key_text(Literal::Binary, &MyValue::Bytes(vec![0, 255])).unwrap(),
            Some("00ff".into())
        );
        assert_eq!(
            key_text(Literal::Bits, &MyValue::Bytes(vec![1, 2])).unwrap(),
            Some("258".into())
        );
        assert_eq!(key_text(Literal::Text, &MyValue::NULL).unwrap(), None);
    }

    #[test]
    fn signal_table_names_need_a_database() {
        assert_eq!(
            signal_table_id("inventory.debezium_signal"),
            Some(TableId::new("inventory", "debezium_signal"))
        );
        assert_eq!(signal_table_id("debezium_signal"), None);
    }
}
