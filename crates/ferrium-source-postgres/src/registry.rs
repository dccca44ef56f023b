//! The schemas of captured tables, by relation OID, shared by the snapshot and the stream.
//!
//! A table's schema is rebuilt only when its columns change, so the `Arc<Schema>`s stay
//! the same between events and the converter's schema cache keeps hitting.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ferrium_event::Schema;
use tokio_postgres::Client;

use crate::catalog::{describe_table, wait_until_visible, TableRef, TypeCache};
use crate::config::PostgresConfig;
use crate::error::PostgresError;
use crate::relation::{ColumnSpec, TableSchema};

pub struct TableRegistry {
    source_schema: Arc<Schema>,
    types: TypeCache,
    tables: HashMap<u32, Arc<TableSchema>>,
    /// Relations seen in the stream that the filters do not capture.
    ignored: HashSet<u32>,
}

impl TableRegistry {
    pub fn new(source_schema: Arc<Schema>) -> Self {
        TableRegistry {
            source_schema,
            types: TypeCache::default(),
            tables: HashMap::new(),
            ignored: HashSet::new(),
        }
    }

    pub fn get(&self, oid: u32) -> Option<&Arc<TableSchema>> {
        self.tables.get(&oid)
    }

    /// The schema of a table from the catalog (the snapshot's view of it).
    pub async fn load_from_catalog(
        &mut self,
        client: &Client,
        config: &PostgresConfig,
        table: &TableRef,
    ) -> Result<Arc<TableSchema>, PostgresError> {
        let catalog = describe_table(client, config, table.oid).await?;
        let columns = catalog
            .columns
            .iter()
            .map(|c| ColumnSpec {
                name: c.name.clone(),
                type_oid: c.type_oid,
                typmod: c.typmod,
            })
            .collect();
        self.build(
            client,
            config,
            table.oid,
            &table.schema,
            &table.table,
            columns,
            &catalog,
        )
        .await
    }

    /// Handles a pgoutput Relation message of transaction `xid`; returns `None` for
    /// tables not captured.
    #[allow(clippy::too_many_arguments)]
    pub async fn on_relation(
        &mut self,
        client: &Client,
        config: &PostgresConfig,
        xid: Option<u32>,
        oid: u32,
        schema: &str,
        table: &str,
        columns: Vec<ColumnSpec>,
    ) -> Result<Option<Arc<TableSchema>>, PostgresError> {
        if !config.filters.captures_table(schema, table) {
            self.ignored.insert(oid);
            return Ok(None);
        }
        self.ignored.remove(&oid);
        if let Some(existing) = self.tables.get(&oid) {
            if existing.columns == columns && existing.schema == schema && existing.table == table {
                return Ok(Some(existing.clone()));
            }
            tracing::info!(table = %format!("{schema}.{table}"), "table structure changed; rebuilding its schema");
        }
        // The catalog must show the transaction whose change carried this Relation.
        if let Some(xid) = xid {
            wait_until_visible(client, config, xid).await?;
        }
        let catalog = describe_table(client, config, oid).await?;
        self.build(client, config, oid, schema, table, columns, &catalog)
            .await
            .map(Some)
    }

    #[allow(clippy::too_many_arguments)]
    async fn build(
        &mut self,
        client: &Client,
        config: &PostgresConfig,
        oid: u32,
        schema: &str,
        table: &str,
        columns: Vec<ColumnSpec>,
        catalog: &crate::catalog::CatalogTable,
    ) -> Result<Arc<TableSchema>, PostgresError> {
        let mut types = HashMap::new();
        for column in &columns {
            let ty = self.types.resolve(client, config, column.type_oid).await?;
            types.insert(column.type_oid, ty);
        }
        let built = Arc::new(TableSchema::build(
            config,
            &self.source_schema,
            oid,
            schema,
            table,
            columns,
            catalog,
            &types,
        )?);
        self.tables.insert(oid, built.clone());
        Ok(built)
    }
}
