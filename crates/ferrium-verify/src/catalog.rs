//! A table as its database's catalog describes it: its exact name, its columns with
//! their types (and type families), and its primary key.

use mysql_async::prelude::Queryable;
use serde::Serialize;

use crate::db::{pg_message, Conn, Database};
use crate::error::VerifyError;
use crate::family::Family;

#[derive(Debug, Clone, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    /// As the catalog prints it: `numeric(10,2)`, `tinyint(1)`…
    #[serde(rename = "type")]
    pub type_name: String,
    pub family: Family,
}

#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Schema (PostgreSQL) or database (MySQL).
    pub schema: String,
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    pub primary_key: Vec<String>,
}

impl TableInfo {
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// Reads the table `name` (`schema.table`, `database.table` or bare) from the catalog.
/// An exact name wins; otherwise the case-insensitive match, if there is only one.
pub(crate) async fn describe(db: &mut Database, name: &str) -> Result<TableInfo, VerifyError> {
    let (schema, table) = match name.split_once('.') {
        Some((schema, table)) => (schema.to_string(), table.to_string()),
        None => {
            let default = match &db.conn {
                Conn::Pg(_) => db
                    .url
                    .params
                    .get("currentSchema")
                    .cloned()
                    .unwrap_or_else(|| "public".into()),
                Conn::My(_) => db.url.database.clone(),
            };
            (default, name.to_string())
        }
    };
    let side = db.side;
    let url = db.url.display();
    let not_found = || VerifyError::TableNotFound {
        side,
        table: name.to_string(),
        url: url.clone(),
    };
    let candidates = tables(db, &schema, &table).await?;
    let exact = candidates
        .iter()
        .find(|(s, t, _)| *s == schema && *t == table);
    let (schema, table, oid) = match (exact, candidates.len()) {
        (Some(found), _) => found.clone(),
        (None, 1) => candidates[0].clone(),
        (None, 0) => return Err(not_found()),
        (None, _) => {
            let matches: Vec<String> = candidates
                .iter()
                .map(|(s, t, _)| format!("{s}.{t}"))
                .collect();
            return Err(VerifyError::AmbiguousTable {
                side,
                table: name.to_string(),
                matches: matches.join(", "),
            });
        }
    };
    let (columns, primary_key) = match &mut db.conn {
        Conn::Pg(client) => {
            let err = |e: tokio_postgres::Error| VerifyError::Query {
                side,
                message: pg_message(&e),
            };
            let rows = client
                .query(
                    "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), bt.typname::text, \
                            bt.typtype::text, bt.typcategory::text \
                     FROM pg_attribute a \
                     JOIN pg_type t ON t.oid = a.atttypid \
                     JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END \
                     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped \
                     ORDER BY a.attnum",
                    &[&oid],
                )
                .await
                .map_err(err)?;
            let mut columns = Vec::new();
            for row in rows {
                let (name, formatted, typname, typtype, category): (
                    String,
                    String,
                    String,
                    String,
                    String,
                ) = (
                    row.try_get(0).map_err(err)?,
                    row.try_get(1).map_err(err)?,
                    row.try_get(2).map_err(err)?,
                    row.try_get(3).map_err(err)?,
                    row.try_get(4).map_err(err)?,
                );
                let family = Family::of_postgres(&typname, &typtype, &category, &formatted);
                columns.push(ColumnInfo {
                    name,
                    type_name: formatted,
                    family,
                });
            }
            let rows = client
                .query(
                    "SELECT a.attname::text \
                     FROM pg_index i \
                     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                     WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord",
                    &[&oid],
                )
                .await
                .map_err(err)?;
            let key = rows
                .iter()
                .map(|r| r.try_get::<_, String>(0))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            (columns, key)
        }
        Conn::My(conn) => {
            let err = |e: mysql_async::Error| VerifyError::Query {
                side,
                message: e.to_string(),
            };
            let rows: Vec<(String, String, String)> = conn
                .exec(
                    "SELECT column_name, data_type, column_type FROM information_schema.columns \
                     WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    (&schema, &table),
                )
                .await
                .map_err(err)?;
            let columns = rows
                .into_iter()
                .map(|(name, data_type, column_type)| ColumnInfo {
                    family: Family::of_mysql(&data_type, &column_type),
                    name,
                    type_name: column_type,
                })
                .collect();
            let key: Vec<String> = conn
                .exec(
                    "SELECT column_name FROM information_schema.key_column_usage \
                     WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY' \
                     ORDER BY ordinal_position",
                    (&schema, &table),
                )
                .await
                .map_err(err)?;
            (columns, key)
        }
    };
    Ok(TableInfo {
        schema,
        name: table,
        columns,
        primary_key,
    })
}

/// Tables (and views) whose schema and name match case-insensitively, with the
/// PostgreSQL oid (0 on MySQL).
async fn tables(
    db: &mut Database,
    schema: &str,
    table: &str,
) -> Result<Vec<(String, String, u32)>, VerifyError> {
    let side = db.side;
    match &mut db.conn {
        Conn::Pg(client) => {
            let rows = client
                .query(
                    "SELECT n.nspname::text, c.relname::text, c.oid \
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE lower(n.nspname) = lower($1) AND lower(c.relname) = lower($2) \
                       AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                    &[&schema, &table],
                )
                .await
                .map_err(|e| VerifyError::Query {
                    side,
                    message: pg_message(&e),
                })?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
                .map_err(|e| VerifyError::Query {
                    side,
                    message: pg_message(&e),
                })
        }
        Conn::My(conn) => {
            let rows: Vec<(String, String)> = conn
                .exec(
                    "SELECT table_schema, table_name FROM information_schema.tables \
                     WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
                    (schema, table),
                )
                .await
                .map_err(|e| VerifyError::Query {
                    side,
                    message: e.to_string(),
                })?;
            Ok(rows.into_iter().map(|(s, t)| (s, t, 0)).collect())
        }
    }
}
