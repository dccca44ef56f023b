//! What the catalog says about the server, the captured tables and their types.

use std::collections::HashMap;
use std::sync::Arc;

use tokio_postgres::Client;

use crate::config::PostgresConfig;
use crate::connection::sql_error;
use crate::error::PostgresError;
use crate::types::{PgType, PgTypeKind};

/// A captured table as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub oid: u32,
    pub schema: String,
    pub table: String,
    /// `pg_class.reltuples`: the planner's row estimate, for snapshot progress.
    pub estimated_rows: i64,
}

impl TableRef {
    pub fn qualified(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }
}

/// A column as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    pub name: String,
    pub type_oid: u32,
    pub typmod: i32,
    pub not_null: bool,
    /// `pg_get_expr(adbin)`: the column's default expression, if it has one.
    pub default_expr: Option<String>,
}

/// Columns and key of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTable {
    pub columns: Vec<CatalogColumn>,
    /// Primary key columns, or the replica identity index's when there is no primary key.
    pub key: Vec<String>,
}

pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Checks what logical replication needs before anything is created.
pub async fn check_server(client: &Client, config: &PostgresConfig) -> Result<(), PostgresError> {
    let wal_level: String = client
        .query_one("SELECT current_setting('wal_level')", &[])
        .await
        .map_err(|e| sql_error(config, e))?
        .get(0);
    if wal_level != "logical" {
        return Err(PostgresError::WalLevel { actual: wal_level });
    }
    let row = client
        .query_one(
            "SELECT rolreplication OR rolsuper, rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    let can_replicate: bool = row.get(0);
    if !can_replicate {
        return Err(PostgresError::Privilege {
            user: config.user.clone(),
            what: "the REPLICATION attribute".into(),
            fix: format!(
                "run ALTER ROLE {} WITH REPLICATION LOGIN as a superuser",
                quote_ident(&config.user)
            ),
        });
    }
    Ok(())
}

/// Checks that the role may read every captured table, before a snapshot (or anything
/// else) starts: a table it cannot read would otherwise fail the snapshot midway.
pub async fn check_select_privilege(
    client: &Client,
    config: &PostgresConfig,
    tables: &[TableRef],
) -> Result<(), PostgresError> {
    let oids: Vec<u32> = tables.iter().map(|t| t.oid).collect();
    let refused: Vec<u32> = client
        .query(
            "SELECT t.oid FROM unnest($1::oid[]) AS t(oid) WHERE NOT has_table_privilege(t.oid, 'SELECT')",
            &[&oids],
        )
        .await
        .map_err(|e| sql_error(config, e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    let unreadable: Vec<&TableRef> = tables.iter().filter(|t| refused.contains(&t.oid)).collect();
    let names: Vec<String> = unreadable
        .iter()
        .map(|t| format!("{}.{}", t.schema, t.table))
        .collect();
    let quoted: Vec<String> = unreadable.iter().map(|t| t.qualified()).collect();
    Err(PostgresError::Privilege {
        user: config.user.clone(),
        what: format!("SELECT on {}, which the snapshot reads", names.join(", ")),
        fix: format!(
            "GRANT SELECT ON {} TO {}, or leave the table out of table.include.list",
            quoted.join(", "),
            quote_ident(&config.user)
        ),
    })
}

/// The ordinary tables the filters capture, in a stable order.
pub async fn captured_tables(
    client: &Client,
    config: &PostgresConfig,
) -> Result<Vec<TableRef>, PostgresError> {
    let rows = client
        .query(
            "SELECT c.oid, n.nspname, c.relname, GREATEST(c.reltuples, 0)::bigint \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND NOT c.relispartition \
             ORDER BY n.nspname, c.relname",
            &[],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    Ok(rows
        .iter()
        .map(|r| TableRef {
            oid: r.get(0),
            schema: r.get(1),
            table: r.get(2),
            estimated_rows: r.get(3),
        })
        .filter(|t| config.filters.captures_table(&t.schema, &t.table))
        .collect())
}

/// Columns (without generated ones, which pgoutput leaves out too) and the key.
/// Waits until transaction `xid` is visible to this session's new snapshots.
///
/// The walsender decodes a transaction once its commit record is flushed, which is a
/// moment before the committing backend leaves the proc array; a catalog query in that
/// window still sees the table as it was before the transaction's DDL (seen: a column an
/// `ALTER TABLE … ADD COLUMN` added was missing from `pg_attribute`). The 32-bit `xid` of
/// the Begin message is widened with the epoch of the current snapshot's xmax.
pub async fn wait_until_visible(
    client: &Client,
    config: &PostgresConfig,
    xid: u32,
) -> Result<(), PostgresError> {
    const VISIBLE: &str = "WITH s AS (SELECT txid_current_snapshot() AS snap, \
         txid_snapshot_xmax(txid_current_snapshot()) AS next) \
         SELECT txid_visible_in_snapshot( \
           (((next >> 32) - CASE WHEN $1::int8 > (next & 4294967295) THEN 1 ELSE 0 END) << 32) | $1::int8, \
           snap) FROM s";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let row = client
            .query_one(VISIBLE, &[&i64::from(xid)])
            .await
            .map_err(|e| sql_error(config, e))?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            // Never expected: a decoded transaction is committed. Go on with what the
            // catalog shows rather than stop the stream.
            tracing::warn!(xid, "a decoded transaction is still not visible after 30 s; reading the catalog as it is");
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

pub async fn describe_table(
    client: &Client,
    config: &PostgresConfig,
    oid: u32,
) -> Result<CatalogTable, PostgresError> {
    let columns = client
        .query(
            "SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) \
             FROM pg_attribute a \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' \
             ORDER BY a.attnum",
            &[&oid],
        )
        .await
        .map_err(|e| sql_error(config, e))?
        .iter()
        .map(|r| CatalogColumn {
            name: r.get(0),
            type_oid: r.get(1),
            typmod: r.get(2),
            not_null: r.get(3),
            default_expr: r.get(4),
        })
        .collect();
    let key_rows = client
        .query(
            "SELECT a.attname FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = $1 AND (i.indisprimary OR i.indisreplident) \
             ORDER BY i.indisprimary DESC, array_position(i.indkey::int2[], a.attnum)",
            &[&oid],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    let mut key: Vec<String> = Vec::new();
    for row in &key_rows {
        let name: String = row.get(0);
        if !key.contains(&name) {
            key.push(name);
        }
    }
    Ok(CatalogTable { columns, key })
}

/// Looks up and caches type descriptions (enum labels, array elements, domain bases).
#[derive(Default)]
pub struct TypeCache {
    types: HashMap<u32, Arc<PgType>>,
}

impl TypeCache {
    pub async fn resolve(
        &mut self,
        client: &Client,
        config: &PostgresConfig,
        oid: u32,
    ) -> Result<Arc<PgType>, PostgresError> {
        if let Some(t) = self.types.get(&oid) {
            return Ok(t.clone());
        }
        let resolved = Box::pin(self.load(client, config, oid)).await?;
        self.types.insert(oid, resolved.clone());
        Ok(resolved)
    }

    async fn load(
        &mut self,
        client: &Client,
        config: &PostgresConfig,
        oid: u32,
    ) -> Result<Arc<PgType>, PostgresError> {
        let row = client
            .query_opt(
                "SELECT typname::text, typtype::text, typelem, typbasetype, typtypmod, typcategory::text \
                 FROM pg_type WHERE oid = $1",
                &[&oid],
            )
            .await
            .map_err(|e| sql_error(config, e))?
            .ok_or_else(|| PostgresError::Protocol(format!("type oid {oid} is not in pg_type")))?;
        let name: String = row.get(0);
        let typtype: String = row.get(1);
        let elem: u32 = row.get(2);
        let base: u32 = row.get(3);
        let base_typmod: i32 = row.get(4);
        let category: String = row.get(5);
        let kind = match typtype.as_str() {
            "e" => {
                let labels = client
                    .query(
                        "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder",
                        &[&oid],
                    )
                    .await
                    .map_err(|e| sql_error(config, e))?
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect();
                PgTypeKind::Enum { labels }
            }
            "d" => PgTypeKind::Domain {
                base: self.resolve(client, config, base).await?,
                base_typmod,
            },
            "c" => PgTypeKind::Composite,
            "r" | "m" => PgTypeKind::Range,
            "p" => PgTypeKind::Pseudo,
            "b" if category == "A" && elem != 0 => PgTypeKind::Array {
                element: self.resolve(client, config, elem).await?,
            },
            "b" => PgTypeKind::Base,
            _ => PgTypeKind::Other,
        };
        Ok(Arc::new(PgType { oid, name, kind }))
    }
}
