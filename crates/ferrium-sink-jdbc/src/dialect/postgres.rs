//! PostgreSQL as a target: its column types, its catalog, and each segment written as
//! one statement over `unnest` of text arrays, every value cast to the column's own type
//! (so a column a user altered to a wider type still takes the values), all of one
//! flush and its Kafka offsets in one transaction.

use std::collections::HashMap;
use std::time::Duration;

use ferrium_config::JdbcDialect;
use ferrium_tls::{PgConnectError, PgTls};
use tokio_postgres::{Client, Statement};

use crate::batch::Segment;
use crate::column::ColumnKind;
use crate::config::{InsertMode, JdbcSinkConfig};
use crate::error::{from_postgres, SinkError};
use crate::render::SqlValue;
use crate::table::{quote_ident, Family, TableName, TargetColumn, TargetTable, WantedColumn};

use super::{AppliedOffset, StoredOffset};

const D: JdbcDialect = JdbcDialect::Postgres;

pub struct PgTarget {
    client: Client,
    connection: tokio::task::JoinHandle<()>,
    target: String,
    user: String,
    statements: HashMap<String, Statement>,
}

impl Drop for PgTarget {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

/// The PostgreSQL type of a new column.
pub fn type_name(kind: &ColumnKind) -> String {
    use ColumnKind as K;
    match kind {
        K::Boolean => "boolean".into(),
        K::Int16 => "smallint".into(),
        K::Int32 | K::Year => "integer".into(),
        K::Int64 => "bigint".into(),
        K::Float32 => "real".into(),
        K::Float64 => "double precision".into(),
        K::Text | K::Enum(_) | K::Set(_) => "text".into(),
        K::Bytes => "bytea".into(),
        K::Decimal {
            precision: Some(p),
            scale,
        } if *p >= 1 && *p <= 1000 && *scale >= 0 && (*scale as u32) <= *p => {
            format!("numeric({p},{scale})")
        }
        K::Decimal { .. } | K::VariableDecimal => "numeric".into(),
        K::Date => "date".into(),
        K::Time { unit } => format!("time({})", unit.precision()),
        K::Timestamp { unit } => format!("timestamp({})", unit.precision()),
        K::TimestampTz => "timestamptz".into(),
        K::TimeTz => "timetz".into(),
        K::IntervalMicros | K::IntervalText => "interval".into(),
        K::Json => "json".into(),
        K::Uuid => "uuid".into(),
        K::Xml => "xml".into(),
        K::Bits(n) => format!("bit({n})"),
        K::Array(item) => format!("{}[]", type_name(item)),
    }
}

/// The family of a type as `format_type` names it.
pub fn family(sql_type: &str) -> Family {
    let t = sql_type.trim_start_matches('"');
    if t.ends_with("[]") {
        return Family::Other;
    }
    // `timestamp(6) without time zone` → `timestamp without time zone`.
    let mut base = String::with_capacity(t.len());
    let mut depth = 0;
    for c in t.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => base.push(c),
            _ => {}
        }
    }
    match base.trim() {
        "smallint" | "integer" | "bigint" => Family::Integer,
        "numeric" | "real" | "double precision" => Family::Number,
        "boolean" => Family::Boolean,
        "text" | "character varying" | "character" | "name" | "citext" => Family::Text,
        "bytea" => Family::Bytes,
        "date" => Family::Date,
        "time without time zone" | "time with time zone" => Family::Time,
        "timestamp without time zone" | "timestamp with time zone" => Family::Timestamp,
        "interval" => Family::Interval,
        "bit" | "bit varying" => Family::Bits,
        _ => Family::Other,
    }
}

/// A JSON default as a SQL literal, for the simple types where its meaning is plain.
fn default_literal(column: &WantedColumn) -> Option<String> {
    use ColumnKind as K;
    let value = column.default.as_ref()?;
    match (&column.kind, value) {
        (K::Boolean, serde_json::Value::Bool(b)) => Some(b.to_string()),
        (
            K::Int16 | K::Int32 | K::Int64 | K::Float32 | K::Float64,
            serde_json::Value::Number(n),
        ) => Some(n.to_string()),
        (K::Text | K::Enum(_) | K::Json | K::Uuid, serde_json::Value::String(s)) => {
            Some(format!("'{}'", s.replace('\'', "''")))
        }
        _ => None,
    }
}

fn column_ddl(column: &WantedColumn, required_allowed: bool) -> String {
    let mut ddl = format!(
        "{} {}",
        quote_ident(&column.name, D),
        type_name(&column.kind)
    );
    let default = default_literal(column);
    if let Some(d) = &default {
        ddl.push_str(&format!(" DEFAULT {d}"));
    }
    // A required column added to a table with rows needs a default; without one it is
    // added as nullable rather than failing the ALTER (a known Debezium pain).
    if !column.optional && (required_allowed || default.is_some()) {
        ddl.push_str(" NOT NULL");
    }
    ddl
}

impl PgTarget {
    pub async fn connect(config: &JdbcSinkConfig) -> Result<PgTarget, SinkError> {
        let url = &config.url;
        let target = url.display();
        let tls = PgTls::from_keys(
            |key| url.params.get(key).cloned(),
            |key| format!("connection.url parameter {key}"),
        )
        .map_err(|e| SinkError::fail(e.to_string()))?;
        let mut pg = tokio_postgres::Config::new();
        pg.host(&url.host)
            .port(url.port)
            .dbname(&url.database)
            .user(&config.username)
            .application_name("ferrium-jdbc-sink")
            .connect_timeout(config.connect_timeout.max(Duration::from_secs(1)));
        if let Some(password) = &config.password {
            pg.password(password);
        }
        if let Some(schema) = url.params.get("currentSchema") {
            pg.options(format!("-c search_path={schema}"));
        }
        let (client, connection) =
            tls.connect(&pg, "jdbc-sink")
                .await
                .map_err(|e| match e {
                    PgConnectError::Postgres(e) => from_postgres(e, &target, &config.username),
                    PgConnectError::Tls(e) => SinkError::fail(e.to_string()),
                    PgConnectError::Handshake(message) => SinkError::fail(format!(
                        "cannot open a TLS session with the target database {target}: {message} (the sslmode, sslrootcert, sslcert and sslkey parameters of connection.url)"
                    )),
                })?;
        let me = PgTarget {
            client,
            connection,
            target,
            user: config.username.clone(),
            statements: HashMap::new(),
        };
        me.client
            .batch_execute("SET TIME ZONE 'UTC'")
            .await
            .map_err(|e| me.error(e))?;
        Ok(me)
    }

    fn error(&self, e: tokio_postgres::Error) -> SinkError {
        from_postgres(e, &self.target, &self.user)
    }

    pub async fn describe(&mut self, name: &TableName) -> Result<Option<TargetTable>, SinkError> {
        let regclass = name.sql(D);
        let rows = self
            .client
            .query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) \
                 FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attnum",
                &[&regclass],
            )
            .await
            .map_err(|e| self.error(e))?;
        if rows.is_empty() {
            return Ok(None);
        }
        let columns = rows
            .iter()
            .map(|r| TargetColumn {
                name: r.get(0),
                sql_type: r.get(1),
            })
            .collect();
        let key_rows = self
            .client
            .query(
                "SELECT a.attname::text FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
                &[&regclass],
            )
            .await
            .map_err(|e| self.error(e))?;
        Ok(Some(TargetTable {
            name: name.clone(),
            columns,
            primary_key: key_rows.iter().map(|r| r.get(0)).collect(),
        }))
    }

    pub async fn create(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
        key: &[String],
    ) -> Result<(), SinkError> {
        let mut parts: Vec<String> = columns.iter().map(|c| column_ddl(c, true)).collect();
        if !key.is_empty() {
            let key: Vec<String> = key.iter().map(|k| quote_ident(k, D)).collect();
            parts.push(format!("PRIMARY KEY ({})", key.join(", ")));
        }
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            name.sql(D),
            parts.join(", ")
        );
        self.client
            .batch_execute(&sql)
            .await
            .map_err(|e| self.error(e))
    }

    pub async fn add(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
    ) -> Result<(), SinkError> {
        let adds: Vec<String> = columns
            .iter()
            .map(|c| format!("ADD COLUMN IF NOT EXISTS {}", column_ddl(c, false)))
            .collect();
        let sql = format!("ALTER TABLE {} {}", name.sql(D), adds.join(", "));
        self.client
            .batch_execute(&sql)
            .await
            .map_err(|e| self.error(e))
    }

    pub async fn ensure_offsets(&mut self, table: &str) -> Result<(), SinkError> {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} (connector text NOT NULL, topic text NOT NULL, kafka_partition integer NOT NULL, \
             kafka_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connector, topic, kafka_partition))",
            quote_ident(table, D)
        );
        self.client
            .batch_execute(&sql)
            .await
            .map_err(|e| self.error(e))
    }

    pub async fn read_offsets(
        &mut self,
        table: &str,
        connector: &str,
    ) -> Result<Vec<StoredOffset>, SinkError> {
        let sql = format!(
            "SELECT topic, kafka_partition, kafka_offset FROM {} WHERE connector = $1 ORDER BY topic, kafka_partition",
            quote_ident(table, D)
        );
        let rows = self
            .client
            .query(&sql, &[&connector])
            .await
            .map_err(|e| self.error(e))?;
        Ok(rows
            .iter()
            .map(|r| StoredOffset {
                topic: r.get(0),
                partition: r.get(1),
                offset: r.get(2),
            })
            .collect())
    }

    /// Replaces the connector's offsets (KIP-875 alter/reset): `None` removes a partition's.
    pub async fn alter_offsets(
        &mut self,
        table: &str,
        connector: &str,
        changes: &[(String, i32, Option<i64>)],
        reset_all: bool,
    ) -> Result<(), SinkError> {
        let table = quote_ident(table, D);
        let tx = self
            .client
            .transaction()
            .await
            .map_err(|e| from_postgres(e, &self.target, &self.user))?;
        if reset_all {
            tx.execute(
                &format!("DELETE FROM {table} WHERE connector = $1"),
                &[&connector],
            )
            .await
            .map_err(|e| from_postgres(e, &self.target, &self.user))?;
        }
        for (topic, partition, offset) in changes {
            let result = match offset {
                Some(o) => tx
                    .execute(
                        &format!(
                            "INSERT INTO {table} (connector, topic, kafka_partition, kafka_offset) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (connector, topic, kafka_partition) DO UPDATE SET kafka_offset = EXCLUDED.kafka_offset, updated_at = now()"
                        ),
                        &[&connector, topic, partition, o],
                    )
                    .await,
                None => tx
                    .execute(
                        &format!("DELETE FROM {table} WHERE connector = $1 AND topic = $2 AND kafka_partition = $3"),
                        &[&connector, topic, partition],
                    )
                    .await,
            };
            result.map_err(|e| from_postgres(e, &self.target, &self.user))?;
        }
        tx.commit()
            .await
            .map_err(|e| from_postgres(e, &self.target, &self.user))
    }

    async fn statement(&mut self, sql: String) -> Result<Statement, SinkError> {
        if let Some(s) = self.statements.get(&sql) {
            return Ok(s.clone());
        }
        let statement = self
            .client
            .prepare(&sql)
            .await
            .map_err(|e| from_postgres(e, &self.target, &self.user))?;
        // Statement shapes are few (one per table and column list); bound the cache anyway.
        if self.statements.len() > 512 {
            self.statements.clear();
        }
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Applies the segments and stores the offsets in one transaction.
    pub async fn apply(
        &mut self,
        segments: &[Segment],
        mode: InsertMode,
        guard: Option<&str>,
        offsets_table: &str,
        connector: &str,
        offsets: &[AppliedOffset],
    ) -> Result<(), SinkError> {
        let mut prepared = Vec::with_capacity(segments.len() + 1);
        for segment in segments {
            let sql = segment_sql(segment, mode, guard);
            prepared.push(self.statement(sql).await?);
        }
        let offsets_sql = format!(
            "INSERT INTO {} (connector, topic, kafka_partition, kafka_offset) \
             SELECT $1, u.t, u.p, u.o FROM unnest($2::text[], $3::int4[], $4::int8[]) AS u(t, p, o) \
             ON CONFLICT (connector, topic, kafka_partition) DO UPDATE SET kafka_offset = EXCLUDED.kafka_offset, updated_at = now()",
            quote_ident(offsets_table, D)
        );
        let offsets_statement = self.statement(offsets_sql).await?;
        let (target, user) = (self.target.clone(), self.user.clone());
        let err = |e| from_postgres(e, &target, &user);
        let tx = self.client.transaction().await.map_err(err)?;
        for (segment, statement) in segments.iter().zip(&prepared) {
            let columns = match segment {
                Segment::Write { rows, .. } | Segment::Delete { rows, .. } => column_arrays(rows),
                Segment::Truncate { .. } => Vec::new(),
            };
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = columns
                .iter()
                .map(|c| c as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            tx.execute(statement, &params).await.map_err(err)?;
        }
        let topics: Vec<&str> = offsets.iter().map(|o| o.topic.as_ref()).collect();
        let partitions: Vec<i32> = offsets.iter().map(|o| o.partition).collect();
        let next: Vec<i64> = offsets.iter().map(|o| o.next_offset).collect();
        tx.execute(
            &offsets_statement,
            &[&connector, &topics, &partitions, &next],
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)
    }
}

/// Rows to one text array per column.
fn column_arrays(rows: &[Vec<SqlValue>]) -> Vec<Vec<Option<String>>> {
    let width = rows.first().map_or(0, Vec::len);
    let mut columns: Vec<Vec<Option<String>>> =
        (0..width).map(|_| Vec::with_capacity(rows.len())).collect();
    for row in rows {
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(match value {
                SqlValue::Null => None,
                SqlValue::Text(t) => Some(t.clone()),
                SqlValue::UInt(n) => Some(n.to_string()),
                SqlValue::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            });
        }
    }
    columns
}

fn cast_type<'a>(table: &'a TargetTable, column: &str) -> &'a str {
    table.column(column).map_or("text", |c| c.sql_type.as_str())
}

/// `u.pN::type` for the N-th parameter array.
fn casted(table: &TargetTable, columns: &[String], i: usize) -> String {
    format!("u.p{}::{}", i + 1, cast_type(table, &columns[i]))
}

fn unnest(count: usize) -> String {
    let arrays: Vec<String> = (1..=count).map(|i| format!("${i}::text[]")).collect();
    let names: Vec<String> = (1..=count).map(|i| format!("p{i}")).collect();
    format!("unnest({}) AS u({})", arrays.join(", "), names.join(", "))
}

fn segment_sql(segment: &Segment, mode: InsertMode, guard: Option<&str>) -> String {
    match segment {
        Segment::Truncate { table } => format!("TRUNCATE TABLE {}", table.name.sql(D)),
        Segment::Delete { table, key, .. } => {
            let cond: Vec<String> = (0..key.len())
                .map(|i| {
                    format!(
                        "tgt.{} = {}",
                        quote_ident(&key[i], D),
                        casted(table, key, i)
                    )
                })
                .collect();
            format!(
                "DELETE FROM {} AS tgt USING {} WHERE {}",
                table.name.sql(D),
                unnest(key.len()),
                cond.join(" AND ")
            )
        }
        Segment::Write {
            table,
            columns,
            key_len,
            ..
        } => {
            let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c, D)).collect();
            let guard_cond = guard.filter(|g| columns.iter().any(|c| c == g)).map(|g| {
                let g = quote_ident(g, D);
                format!("tgt.{g} IS NULL OR EXCLUDED.{g} >= tgt.{g}")
            });
            if mode == InsertMode::Update {
                let sets: Vec<String> = (*key_len..columns.len())
                    .map(|i| format!("{} = {}", quoted[i], casted(table, columns, i)))
                    .collect();
                let mut cond: Vec<String> = (0..*key_len)
                    .map(|i| format!("tgt.{} = {}", quoted[i], casted(table, columns, i)))
                    .collect();
                if let Some(g) = guard.filter(|g| columns.iter().any(|c| c == g)) {
                    let i = columns.iter().position(|c| c == g).unwrap_or(0);
                    let q = quote_ident(g, D);
                    cond.push(format!(
                        "(tgt.{q} IS NULL OR {} >= tgt.{q})",
                        casted(table, columns, i)
                    ));
                }
                return format!(
                    "UPDATE {} AS tgt SET {} FROM {} WHERE {}",
                    table.name.sql(D),
                    sets.join(", "),
                    unnest(columns.len()),
                    cond.join(" AND ")
                );
            }
            let select: Vec<String> = (0..columns.len())
                .map(|i| casted(table, columns, i))
                .collect();
            let mut sql = format!(
                "INSERT INTO {} AS tgt ({}) SELECT {} FROM {}",
                table.name.sql(D),
                quoted.join(", "),
                select.join(", "),
                unnest(columns.len())
            );
            if mode == InsertMode::Upsert {
                let key = quoted[..*key_len].join(", ");
                let sets: Vec<String> = quoted[*key_len..]
                    .iter()
                    .map(|c| format!("{c} = EXCLUDED.{c}"))
                    .collect();
                if sets.is_empty() {
                    sql.push_str(&format!(" ON CONFLICT ({key}) DO NOTHING"));
                } else {
                    sql.push_str(&format!(
                        " ON CONFLICT ({key}) DO UPDATE SET {}",
                        sets.join(", ")
                    ));
                    if let Some(cond) = guard_cond {
                        sql.push_str(&format!(" WHERE {cond}"));
                    }
                }
            }
            sql
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn table() -> Arc<TargetTable> {
        Arc::new(TargetTable {
            name: TableName {
                schema: None,
                table: "orders".into(),
            },
            columns: vec![
                TargetColumn {
                    name: "id".into(),
                    sql_type: "integer".into(),
                },
                TargetColumn {
                    name: "total".into(),
                    sql_type: "numeric(10,2)".into(),
                },
                TargetColumn {
                    name: "v".into(),
                    sql_type: "bigint".into(),
                },
            ],
            primary_key: vec!["id".into()],
        })
    }

    fn write() -> Segment {
        Segment::Write {
            table: table(),
            columns: vec!["id".into(), "total".into(), "v".into()],
            key_len: 1,
            rows: Vec::new(),
        }
    }

    #[test]
    fn upserts_cast_to_the_columns_types_and_honour_the_guard() {
        let sql = segment_sql(&write(), InsertMode::Upsert, Some("v"));
        assert_eq!(
            sql,
            "INSERT INTO \"orders\" AS tgt (\"id\", \"total\", \"v\") SELECT u.p1::integer, u.p2::numeric(10,2), u.p3::bigint \
             FROM unnest($1::text[], $2::text[], $3::text[]) AS u(p1, p2, p3) ON CONFLICT (\"id\") DO UPDATE SET \"total\" = EXCLUDED.\"total\", \
             \"v\" = EXCLUDED.\"v\" WHERE tgt.\"v\" IS NULL OR EXCLUDED.\"v\" >= tgt.\"v\""
        );
        let sql = segment_sql(&write(), InsertMode::Update, None);
        assert!(
            sql.starts_with("UPDATE \"orders\" AS tgt SET \"total\" = u.p2::numeric(10,2)"),
            "{sql}"
        );
        assert!(sql.ends_with("WHERE tgt.\"id\" = u.p1::integer"), "{sql}");
        let del = Segment::Delete {
            table: table(),
            key: vec!["id".into()],
            rows: Vec::new(),
        };
        assert_eq!(
            segment_sql(&del, InsertMode::Upsert, None),
            "DELETE FROM \"orders\" AS tgt USING unnest($1::text[]) AS u(p1) WHERE tgt.\"id\" = u.p1::integer"
        );
    }

    #[test]
    fn types_keep_precision() {
        assert_eq!(
            type_name(&ColumnKind::Decimal {
                precision: Some(12),
                scale: 3
            }),
            "numeric(12,3)"
        );
        assert_eq!(type_name(&ColumnKind::VariableDecimal), "numeric");
        assert_eq!(
            type_name(&ColumnKind::Array(Box::new(ColumnKind::Uuid))),
            "uuid[]"
        );
        assert_eq!(family("numeric(10,2)"), Family::Number);
        assert_eq!(family("timestamp(6) without time zone"), Family::Timestamp);
        assert_eq!(family("integer[]"), Family::Other);
    }
}
