//! The target database, by the dialect its JDBC URL names: one interface for what the
//! writer needs (describe, create and alter tables, apply a flush with its offsets in
//! one transaction, read and alter the stored offsets).

mod mysql;
mod postgres;

use std::sync::Arc;

use ferrium_config::JdbcDialect;

use crate::batch::Segment;
use crate::config::{InsertMode, JdbcSinkConfig};
use crate::error::SinkError;
use crate::table::{Family, TableName, TargetTable, WantedColumn};

/// An offset stored in the target: the next offset to read from a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The next offset of a partition after a flush, written with its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedOffset {
    pub topic: Arc<str>,
    pub partition: i32,
    pub next_offset: i64,
}

pub enum Target {
    Postgres(Box<postgres::PgTarget>),
    Mysql(Box<mysql::MyTarget>),
}

impl Target {
    pub async fn connect(config: &JdbcSinkConfig) -> Result<Target, SinkError> {
        Ok(match config.url.dialect {
            JdbcDialect::Postgres => {
                Target::Postgres(Box::new(postgres::PgTarget::connect(config).await?))
            }
            JdbcDialect::Mysql => Target::Mysql(Box::new(mysql::MyTarget::connect(config).await?)),
        })
    }

    pub fn dialect(&self) -> JdbcDialect {
        match self {
            Target::Postgres(_) => JdbcDialect::Postgres,
            Target::Mysql(_) => JdbcDialect::Mysql,
        }
    }

    pub fn family(&self, sql_type: &str) -> Family {
        match self {
            Target::Postgres(_) => postgres::family(sql_type),
            Target::Mysql(_) => mysql::family(sql_type),
        }
    }

    pub async fn describe(&mut self, name: &TableName) -> Result<Option<TargetTable>, SinkError> {
        match self {
            Target::Postgres(t) => t.describe(name).await,
            Target::Mysql(t) => t.describe(name).await,
        }
    }

    pub async fn create(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
        key: &[String],
    ) -> Result<(), SinkError> {
        match self {
            Target::Postgres(t) => t.create(name, columns, key).await,
            Target::Mysql(t) => t.create(name, columns, key).await,
        }
    }

    pub async fn add(
        &mut self,
        name: &TableName,
        columns: &[WantedColumn],
    ) -> Result<(), SinkError> {
        match self {
            Target::Postgres(t) => t.add(name, columns).await,
            Target::Mysql(t) => t.add(name, columns).await,
        }
    }

    pub async fn ensure_offsets(&mut self, table: &str) -> Result<(), SinkError> {
        match self {
            Target::Postgres(t) => t.ensure_offsets(table).await,
            Target::Mysql(t) => t.ensure_offsets(table).await,
        }
    }

    pub async fn read_offsets(
        &mut self,
        table: &str,
        connector: &str,
    ) -> Result<Vec<StoredOffset>, SinkError> {
        match self {
            Target::Postgres(t) => t.read_offsets(table, connector).await,
            Target::Mysql(t) => t.read_offsets(table, connector).await,
        }
    }

    /// KIP-875: sets (`Some`) or removes (`None`) partitions' offsets; `reset_all`
    /// first removes every offset of the connector.
    pub async fn alter_offsets(
        &mut self,
        table: &str,
        connector: &str,
        changes: &[(String, i32, Option<i64>)],
        reset_all: bool,
    ) -> Result<(), SinkError> {
        match self {
            Target::Postgres(t) => t.alter_offsets(table, connector, changes, reset_all).await,
            Target::Mysql(t) => t.alter_offsets(table, connector, changes, reset_all).await,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn apply(
        &mut self,
        segments: &[Segment],
        mode: InsertMode,
        guard: Option<&str>,
        offsets_table: &str,
        connector: &str,
        offsets: &[AppliedOffset],
    ) -> Result<(), SinkError> {
        match self {
            Target::Postgres(t) => {
                t.apply(segments, mode, guard, offsets_table, connector, offsets)
                    .await
            }
            Target::Mysql(t) => {
                t.apply(segments, mode, guard, offsets_table, connector, offsets)
                    .await
            }
        }
    }
}
