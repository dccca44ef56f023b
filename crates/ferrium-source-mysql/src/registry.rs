//! The captured tables' event schemas, built lazily from the table model and dropped when
//! DDL changes a table, so the next row of it is decoded with the new columns.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::Schema;

use crate::config::MysqlConfig;
use crate::ddl::Schemas;
use crate::error::MysqlError;
use crate::model::TableId;
use crate::table::TableSchema;

pub struct TableRegistry {
    source_schema: Arc<Schema>,
    built: HashMap<TableId, Arc<TableSchema>>,
}

impl TableRegistry {
    pub fn new(source_schema: Arc<Schema>) -> Self {
        TableRegistry {
            source_schema,
            built: HashMap::new(),
        }
    }

    /// The event schema of a captured table, or `None` when the model does not know it.
    pub fn get(
        &mut self,
        config: &MysqlConfig,
        schemas: &Schemas,
        id: &TableId,
    ) -> Result<Option<Arc<TableSchema>>, MysqlError> {
        if let Some(table) = self.built.get(id) {
            return Ok(Some(table.clone()));
        }
        let Some(def) = schemas.table(id) else {
            return Ok(None);
        };
        let table = Arc::new(TableSchema::build(config, &self.source_schema, def)?);
        self.built.insert(id.clone(), table.clone());
        Ok(Some(table))
    }

    /// Forgets a table's event schema after its definition changed.
    pub fn invalidate(&mut self, id: &TableId) {
        self.built.remove(id);
    }
}
