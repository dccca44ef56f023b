//! MariaDB and MySQL as a target: their column types, `information_schema`, and each
//! segment as multi-row statements (`INSERT … ON DUPLICATE KEY UPDATE`), all of one
//! flush and its Kafka offsets in one transaction. DDL commits implicitly here, so it
//! always runs before a flush's transaction opens, and a truncate is a `DELETE`.

use ferrium_config::JdbcDialect;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, TxOpts, Value as My};

use crate::batch::Segment;
use crate::column::ColumnKind;
use crate::config::{InsertMode, JdbcSinkConfig};
use crate::error::{from_mysql, SinkError};
use crate::render::SqlValue;
use crate::table::{quote_ident, Family, TableName, TargetColumn, TargetTable, WantedColumn};

use super::{AppliedOffset, StoredOffset};

const D: JdbcDialect = JdbcDialect::Mysql;
/// MariaDB and MySQL take at most 65,535 placeholders per statement.
const MAX_PARAMS: usize = 65_535;

pub struct MyTarget {
    conn: Conn,
    target: String,
    user: String,
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// The MariaDB/MySQL type of a new column; key columns need bounded types.
pub fn type_name(kind: &ColumnKind, key: bool) -> String {
    use ColumnKind as K;
    match kind {
        K::Boolean => "BOOLEAN".into(),
        K::Int16 => "SMALLINT".into(),
        K::Int32 => "INT".into(),
        K::Int64 | K::IntervalMicros => "BIGINT".into(),
        K::Float32 => "FLOAT".into(),
        K::Float64 => "DOUBLE".into(),
        K::Text | K::Xml if key => "VARCHAR(255)".into(),
        K::Text | K::Xml => "LONGTEXT".into(),
        K::Bytes if key => "VARBINARY(255)".into(),
        K::Bytes => "LONGBLOB".into(),
        K::Decimal { precision, scale } => {
            let scale = (*scale).clamp(0, 30) as u32;
            let precision = precision.unwrap_or(65).clamp(scale.max(1), 65);
            format!("DECIMAL({precision},{scale})")
        }
        K::VariableDecimal => "DECIMAL(65,30)".into(),
        K::Date => "DATE".into(),
        K::Time { unit } => format!("TIME({})", unit.precision()),
        K::Timestamp { unit } => format!("DATETIME({})", unit.precision()),
        K::TimestampTz => "DATETIME(6)".into(),
        K::TimeTz => "TIME(6)".into(),
        K::IntervalText => "VARCHAR(255)".into(),
        K::Json | K::Array(_) => "JSON".into(),
        K::Uuid => "CHAR(36)".into(),
        K::Enum(values) if !values.is_empty() => format!("ENUM({})", quoted_list(values)),
        K::Set(values) if !values.is_empty() => format!("SET({})", quoted_list(values)),
        K::Enum(_) | K::Set(_) => "VARCHAR(255)".into(),
        K::Bits(n) if *n <= 64 => format!("BIT({n})"),
        K::Bits(_) => "VARBINARY(255)".into(),
        K::Year => "YEAR".into(),
    }
}

/// The family of a column by its `DATA_TYPE`.
pub fn family(data_type: &str) -> Family {
    match data_type.to_ascii_lowercase().as_str() {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year" => {
            Family::Integer
        }
        "decimal" | "numeric" | "float" | "double" | "real" => Family::Number,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" => Family::Text,
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => Family::Bytes,
        "date" => Family::Date,
        "time" => Family::Time,
        "datetime" | "timestamp" => Family::Timestamp,
        "bit" => Family::Bits,
        _ => Family::Other,
    }
}

fn default_literal(column: &WantedColumn) -> Option<String> {
    use ColumnKind as K;
    let value = column.default.as_ref()?;
    match (&column.kind, value) {
        (K::Boolean, serde_json::Value::Bool(b)) => Some(if *b { "1" } else { "0" }.into()),
        (
            K::Int16 | K::Int32 | K::Int64 | K::Float32 | K::Float64,
            serde_json::Value::Number(n),
        ) => Some(n.to_string()),
        (K::Enum(_) | K::Uuid, serde_json::Value::String(s)) => {
            Some(format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")))
        }
        _ => None,
    }
}

fn column_ddl(column: &WantedColumn, key: bool, required_allowed: bool) -> String {
    let mut ddl = format!(
        "{} {}",
        quote_ident(&column.name, D),
        type_name(&column.kind, key)
    );
    let default = default_literal(column);
    if !column.optional && (required_allowed || default.is_some()) {
        ddl.push_str(" NOT NULL");
    } else {
        ddl.push_str(" NULL");
    }
    if let Some(d) = default {
        ddl.push_str(&format!(" DEFAULT {d}"));
    }
    ddl
}

fn param(value: &SqlValue) -> My {
    match value {
        SqlValue::Null => My::NULL,
        SqlValue::Text(t) => My::Bytes(t.clone().into_bytes()),
        SqlValue::Bytes(b) => My::Bytes(b.clone()),
        SqlValue::UInt(n) => My::UInt(*n),
    }
}

impl MyTarget {
    pub async fn connect(config: &JdbcSinkConfig) -> Result<MyTarget, SinkError> {
        let url = &config.url;
        let target = url.display();
        let tls = ferrium_tls::MysqlTls::from_url(|k| url.params.get(k).cloned())
            .map_err(|e| SinkError::fail(format!("connection.url: {e}")))?;
        let opts = OptsBuilder::default()
            .ip_or_hostname(url.host.clone())
            .tcp_port(url.port)
            .db_name(Some(url.database.clone()))
            .user(Some(config.username.clone()))
            .pass(config.password.clone())
            .prefer_socket(false)
            .init(vec!["SET time_zone = '+00:00'", "SET NAMES utf8mb4"]);
        let conn = tokio::time::timeout(config.connect_timeout, tls.connect(opts))
            .await
            .map_err(|_| {
                SinkError::retry(format!(
                    "cannot reach the target database {target}: no answer within {:?}",
                    config.connect_timeout
                ))
            })?
            .map_err(|e| from_mysql(e, &target, &config.username))?;
        Ok(MyTarget {
            conn,
            target,
            user: config.username.clone(),
        })
    }

    fn error(&self, e: mysql_async::Error) -> SinkError {
        from_mysql(e, &self.target, &self.user)
    }

    fn schema_expr(name: &TableName) -> (String, Option<String>) {
        (name.table.clone(), name.schema.clone())
    }

    pub async fn describe(&mut self, name: &TableName) -> Result<Option<TargetTable>, SinkError> {
        let (table, schema) = Self::schema_expr(name);
        let rows: Vec<(String, String, String)> = self
            .conn
            .exec(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_KEY FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                (schema, table),
            )
            .await
            .map_err(|e| self.error(e))?;
        if rows.is_empty() {
            return Ok(None);
        }
        let primary_key = rows
            .iter()
            .filter(|(_, _, key)| key == "PRI")
            .map(|(n, _, _)| n.clone())
            .collect();
        Ok(Some(TargetTable {
            name: name.clone(),
            columns: rows
                .into_iter()
                .map(|(name, sql_type, _)| TargetColumn { name, sql_type })
                .collect(),
            primary_key,
        }))
    }

    pub async fn create(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
        key: &[String],
    ) -> Result<(), SinkError> {
        let mut parts: Vec<String> = columns
            .iter()
            .map(|c| column_ddl(c, key.contains(&c.name), true))
            .collect();
        if !key.is_empty() {
            let key: Vec<String> = key.iter().map(|k| quote_ident(k, D)).collect();
            parts.push(format!("PRIMARY KEY ({})", key.join(", ")));
        }
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            name.sql(D),
            parts.join(", ")
        );
        self.conn.query_drop(sql).await.map_err(|e| self.error(e))
    }

    pub async fn add(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
    ) -> Result<(), SinkError> {
        let adds: Vec<String> = columns
            .iter()
            .map(|c| format!("ADD COLUMN IF NOT EXISTS {}", column_ddl(c, false, false)))
            .collect();
        let sql = format!("ALTER TABLE {} {}", name.sql(D), adds.join(", "));
        self.conn.query_drop(sql).await.map_err(|e| self.error(e))
    }

    pub async fn ensure_offsets(&mut self, table: &str) -> Result<(), SinkError> {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} (connector VARCHAR(255) NOT NULL, topic VARCHAR(255) NOT NULL, kafka_partition INT NOT NULL, \
             kafka_offset BIGINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (connector, topic, kafka_partition))",
            quote_ident(table, D)
        );
        self.conn.query_drop(sql).await.map_err(|e| self.error(e))
    }

    pub async fn read_offsets(
        &mut self,
        table: &str,
        connector: &str,
    ) -> Result<Vec<StoredOffset>, SinkError> {
        let sql = format!(
            "SELECT topic, kafka_partition, kafka_offset FROM {} WHERE connector = ? ORDER BY topic, kafka_partition",
            quote_ident(table, D)
        );
        let rows: Vec<(String, i32, i64)> = self
            .conn
            .exec(sql, (connector,))
            .await
            .map_err(|e| self.error(e))?;
        Ok(rows
            .into_iter()
            .map(|(topic, partition, offset)| StoredOffset {
                topic,
                partition,
                offset,
            })
            .collect())
    }

    pub async fn alter_offsets(
        &mut self,
        table: &str,
        connector: &str,
        changes: &[(String, i32, Option<i64>)],
        reset_all: bool,
    ) -> Result<(), SinkError> {
        let table = quote_ident(table, D);
        let (target, user) = (self.target.clone(), self.user.clone());
        let err = |e| from_mysql(e, &target, &user);
        let mut tx = self
            .conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(err)?;
        if reset_all {
            tx.exec_drop(
                format!("DELETE FROM {table} WHERE connector = ?"),
                (connector,),
            )
            .await
            .map_err(err)?;
        }
        for (topic, partition, offset) in changes {
            match offset {
                Some(o) => tx
                    .exec_drop(
                        format!(
                            "INSERT INTO {table} (connector, topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?) \
                             ON DUPLICATE KEY UPDATE kafka_offset = VALUES(kafka_offset)"
                        ),
                        (connector, topic, partition, o),
                    )
                    .await,
                None => tx
                    .exec_drop(
                        format!("DELETE FROM {table} WHERE connector = ? AND topic = ? AND kafka_partition = ?"),
                        (connector, topic, partition),
                    )
                    .await,
            }
            .map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }

    pub async fn apply(
        &mut self,
        segments: &[Segment],
        mode: InsertMode,
        guard: Option<&str>,
        offsets_table: &str,
        connector: &str,
        offsets: &[AppliedOffset],
    ) -> Result<(), SinkError> {
        let (target, user) = (self.target.clone(), self.user.clone());
        let err = |e| from_mysql(e, &target, &user);
        let mut tx = self
            .conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(err)?;
        for segment in segments {
            match segment {
                Segment::Truncate { table } => {
                    // TRUNCATE would commit the open transaction.
                    tx.query_drop(format!("DELETE FROM {}", table.name.sql(D)))
                        .await
                        .map_err(err)?;
                }
                Segment::Delete { table, key, rows } => {
                    let per = (MAX_PARAMS / key.len().max(1)).max(1);
                    for chunk in rows.chunks(per) {
                        let (sql, params) = delete_sql(table, key, chunk);
                        tx.exec_drop(sql, params).await.map_err(err)?;
                    }
                }
                Segment::Write {
                    table,
                    columns,
                    key_len,
                    rows,
                } if mode == InsertMode::Update => {
                    let sql = update_sql(table, columns, *key_len, guard);
                    let params = rows.iter().map(|row| {
                        // SET values, then the key for WHERE, then the guard value.
                        let mut p: Vec<My> = row[*key_len..].iter().map(param).collect();
                        p.extend(row[..*key_len].iter().map(param));
                        if let Some(i) = guard.and_then(|g| columns.iter().position(|c| c == g)) {
                            p.push(param(&row[i]));
                        }
                        p
                    });
                    tx.exec_batch(sql, params).await.map_err(err)?;
                }
                Segment::Write {
                    table,
                    columns,
                    key_len,
                    rows,
                } => {
                    let per = (MAX_PARAMS / columns.len().max(1)).max(1);
                    for chunk in rows.chunks(per) {
                        let sql = insert_sql(table, columns, *key_len, chunk.len(), mode, guard);
                        let params: Vec<My> = chunk.iter().flatten().map(param).collect();
                        tx.exec_drop(sql, params).await.map_err(err)?;
                    }
                }
            }
        }
        if !offsets.is_empty() {
            let values = vec!["(?, ?, ?, ?)"; offsets.len()].join(", ");
            let sql = format!(
                "INSERT INTO {} (connector, topic, kafka_partition, kafka_offset) VALUES {values} \
                 ON DUPLICATE KEY UPDATE kafka_offset = VALUES(kafka_offset)",
                quote_ident(offsets_table, D)
            );
            let params: Vec<My> = offsets
                .iter()
                .flat_map(|o| {
                    [
                        My::from(connector),
                        My::from(o.topic.as_ref()),
                        My::from(o.partition),
                        My::from(o.next_offset),
                    ]
                })
                .collect();
            tx.exec_drop(sql, params).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }
}

fn insert_sql(
    table: &TargetTable,
    columns: &[String],
    key_len: usize,
    rows: usize,
    mode: InsertMode,
    guard: Option<&str>,
) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c, D)).collect();
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        table.name.sql(D),
        quoted.join(", "),
        vec![one.as_str(); rows].join(", ")
    );
    if mode == InsertMode::Upsert {
        let guard = guard
            .filter(|g| columns.iter().any(|c| c == g))
            .map(|g| quote_ident(g, D));
        let mut sets: Vec<String> = quoted[key_len..]
            .iter()
            .filter(|c| Some(*c) != guard.as_ref())
            .map(|c| match &guard {
                // Assignments run left to right, so the guard column is set last.
                Some(g) => format!("{c} = IF({g} IS NULL OR VALUES({g}) >= {g}, VALUES({c}), {c})"),
                None => format!("{c} = VALUES({c})"),
            })
            .collect();
        if let Some(g) = &guard {
            sets.push(format!(
                "{g} = IF({g} IS NULL OR VALUES({g}) >= {g}, VALUES({g}), {g})"
            ));
        }
        if sets.is_empty() {
            // Nothing but the key: an existing row stays as it is.
            sets.push(format!("{0} = {0}", quoted[0]));
        }
        sql.push_str(&format!(" ON DUPLICATE KEY UPDATE {}", sets.join(", ")));
    }
    sql
}

fn update_sql(
    table: &TargetTable,
    columns: &[String],
    key_len: usize,
    guard: Option<&str>,
) -> String {
    let sets: Vec<String> = columns[key_len..]
        .iter()
        .map(|c| format!("{} = ?", quote_ident(c, D)))
        .collect();
    let mut cond: Vec<String> = columns[..key_len]
        .iter()
        .map(|c| format!("{} = ?", quote_ident(c, D)))
        .collect();
    if let Some(g) = guard.filter(|g| columns.iter().any(|c| c == g)) {
        let g = quote_ident(g, D);
        cond.push(format!("({g} IS NULL OR ? >= {g})"));
    }
    format!(
        "UPDATE {} SET {} WHERE {}",
        table.name.sql(D),
        sets.join(", "),
        cond.join(" AND ")
    )
}

fn delete_sql(table: &TargetTable, key: &[String], rows: &[Vec<SqlValue>]) -> (String, Vec<My>) {
    let quoted: Vec<String> = key.iter().map(|c| quote_ident(c, D)).collect();
    let one = if key.len() == 1 {
        "?".to_string()
    } else {
        format!("({})", vec!["?"; key.len()].join(", "))
    };
    let lhs = if key.len() == 1 {
        quoted[0].clone()
    } else {
        format!("({})", quoted.join(", "))
    };
    let sql = format!(
        "DELETE FROM {} WHERE {lhs} IN ({})",
        table.name.sql(D),
        vec![one.as_str(); rows.len()].join(", ")
    );
    (sql, rows.iter().flatten().map(param).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_parser_accepts_the_tls_parameters_the_tls_setting_reads() {
        assert_eq!(
            ferrium_config::jdbc_url::MYSQL_TLS_PARAMS,
            ferrium_tls::MYSQL_URL_TLS_PARAMS
        );
    }

    fn table() -> TargetTable {
        TargetTable {
            name: TableName {
                schema: None,
                table: "orders".into(),
            },
            columns: Vec::new(),
            primary_key: vec!["id".into()],
        }
    }

    #[test]
    fn statements_for_each_mode() {
        let cols: Vec<String> = ["id", "total", "v"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            insert_sql(&table(), &cols, 1, 2, InsertMode::Upsert, None),
            "INSERT INTO `orders` (`id`, `total`, `v`) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE `total` = VALUES(`total`), `v` = VALUES(`v`)"
        );
        let guarded = insert_sql(&table(), &cols, 1, 1, InsertMode::Upsert, Some("v"));
        assert!(
            guarded.ends_with("`v` = IF(`v` IS NULL OR VALUES(`v`) >= `v`, VALUES(`v`), `v`)"),
            "{guarded}"
        );
        assert_eq!(
            update_sql(&table(), &cols, 1, None),
            "UPDATE `orders` SET `total` = ?, `v` = ? WHERE `id` = ?"
        );
        let (sql, params) = delete_sql(
            &table(),
            &["a".into(), "b".into()],
            &[vec![SqlValue::UInt(1), SqlValue::Null]],
        );
        assert_eq!(sql, "DELETE FROM `orders` WHERE (`a`, `b`) IN ((?, ?))");
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn types_fit_keys_and_ranges() {
        assert_eq!(type_name(&ColumnKind::Text, true), "VARCHAR(255)");
        assert_eq!(
            type_name(
                &ColumnKind::Decimal {
                    precision: None,
                    scale: 2
                },
                false
            ),
            "DECIMAL(65,2)"
        );
        assert_eq!(
            type_name(&ColumnKind::Enum(vec!["a".into(), "it's".into()]), false),
            "ENUM('a','it''s')"
        );
        assert_eq!(type_name(&ColumnKind::Bits(8), false), "BIT(8)");
        assert_eq!(family("longtext"), Family::Text);
    }
}
