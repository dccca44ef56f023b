//! A captured table's shape as events need it: per column its codec (or nothing when the
//! column is filtered out), and the Connect schemas of the key, the row and the envelope.
//! Built from the schema history's [`TableDef`] and rebuilt whenever DDL changes it.

use std::sync::Arc;

use ferrium_config::topic_naming::TableParts;
use ferrium_event::{Envelope, Schema, SourceColumn, Value};

use crate::config::MysqlConfig;
use crate::ddl::json::debezium_type_name;
use crate::error::MysqlError;
use crate::model::TableDef;
use crate::types::ColumnCodec;

#[derive(Debug)]
pub struct TableSchema {
    pub def: TableDef,
    pub topic: Arc<str>,
    /// Per column in binlog order: its codec, or `None` when it is not captured.
    codecs: Vec<Option<ColumnCodec>>,
    /// Per column: its position in the row struct, if in the value.
    value_slot: Vec<Option<usize>>,
    /// Column positions of the key, in key order.
    key_columns: Vec<usize>,
    pub key_schema: Option<Arc<Schema>>,
    pub row_schema: Arc<Schema>,
    pub envelope: Envelope,
    fallbacks: Vec<Value>,
}

/// A decoded row image: the row struct fields and the key fields.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRow {
    pub row: Vec<Value>,
    pub key: Option<Vec<Value>>,
}

impl TableSchema {
    pub fn build(
        config: &MysqlConfig,
        source_schema: &Arc<Schema>,
        def: &TableDef,
    ) -> Result<Self, MysqlError> {
        let db = &def.id.database;
        let table = &def.id.table;
        let record_prefix = config.common.naming.data_change_topic(TableParts {
            catalog: Some(db),
            schema: None,
            table,
        });
        let mut codecs = Vec::with_capacity(def.columns.len());
        let mut field_schemas: Vec<Option<Arc<Schema>>> = Vec::with_capacity(def.columns.len());
        let table_id = def.id.to_string();
        let mut value_slot = Vec::with_capacity(def.columns.len());
        let mut fallbacks = Vec::new();
        let mut row_schema = Schema::record(format!("{record_prefix}.Value")).optional();
        for column in &def.columns {
            let in_key = def
                .primary_key
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&column.name));
            let in_value = config.filters.captures_column(db, table, &column.name);
            if !in_key && !in_value {
                codecs.push(None);
                field_schemas.push(None);
                value_slot.push(None);
                continue;
            }
            let codec = ColumnCodec::compile(&def.id, column, &config.types)?;
            let type_name = debezium_type_name(column);
            let field_schema =
                if config
                    .common
                    .propagate
                    .applies(&table_id, &column.name, &type_name)
                {
                    Arc::new(
                        Schema::clone(codec.schema()).with_source_column(&SourceColumn {
                            name: &column.name,
                            type_name,
                            length: column.length.map(i64::from),
                            scale: column.scale.map(i64::from),
                        }),
                    )
                } else {
                    codec.schema().clone()
                };
            if in_value {
                value_slot.push(Some(row_schema.fields.len()));
                fallbacks.push(Value::required_fallback(codec.schema()));
                row_schema = row_schema.field(column.name.clone(), field_schema.clone());
            } else {
                value_slot.push(None);
            }
            field_schemas.push(Some(field_schema));
            codecs.push(Some(codec));
        }
        let mut key_schema = Schema::record(format!("{record_prefix}.Key"));
        let mut key_columns = Vec::with_capacity(def.primary_key.len());
        for key in &def.primary_key {
            let pos = def
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(key))
                .ok_or_else(|| {
                    MysqlError::Schema(format!(
                        "primary key column {key} of {} is not among its columns",
                        def.id
                    ))
                })?;
            let schema = field_schemas[pos].clone().ok_or_else(|| {
                MysqlError::Schema(format!("key column {key} of {} has no codec", def.id))
            })?;
            key_schema = key_schema.field(def.columns[pos].name.clone(), schema);
            key_columns.push(pos);
        }
        let row_schema = Arc::new(row_schema);
        Ok(TableSchema {
            topic: Arc::from(record_prefix.as_str()),
            envelope: Envelope::new(&record_prefix, row_schema.clone(), source_schema.clone()),
            key_schema: (!key_columns.is_empty()).then(|| Arc::new(key_schema)),
            row_schema,
            def: def.clone(),
            codecs,
            value_slot,
            key_columns,
            fallbacks,
        })
    }

    pub fn column_count(&self) -> usize {
        self.def.columns.len()
    }

    /// Where the named column sits in the row struct (`None`: not captured).
    pub fn value_slot_of(&self, name: &str) -> Option<usize> {
        let at = self
            .def
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))?;
        self.value_slot[at]
    }

    /// Whether `name` is this table's `database.table`.
    pub fn is_named(&self, name: &str) -> bool {
        let id = &self.def.id;
        name.len() == id.database.len() + 1 + id.table.len()
            && name.starts_with(id.database.as_str())
            && name[id.database.len()..].starts_with('.')
            && name.ends_with(id.table.as_str())
    }

    /// Decodes one row image; `decode(i)` decodes column `i` with its codec.
    pub fn decode_with(
        &self,
        mut decode: impl FnMut(usize, &ColumnCodec) -> Result<Value, MysqlError>,
    ) -> Result<DecodedRow, MysqlError> {
        let mut row = vec![Value::Null; self.fallbacks.len()];
        let need_key = !self.key_columns.is_empty();
        let mut key = vec![Value::Null; self.key_columns.len()];
        for (i, codec) in self.codecs.iter().enumerate() {
            let Some(codec) = codec else {
                continue;
            };
            let value = decode(i, codec)?;
            if need_key {
                if let Some(k) = self.key_columns.iter().position(|&c| c == i) {
                    key[k] = value.clone();
                }
            }
            if let Some(slot) = self.value_slot[i] {
                row[slot] = value;
            }
        }
        for (slot, value) in row.iter_mut().enumerate() {
            if value.is_null() && !self.row_schema.fields[slot].schema.optional {
                *value = self.fallbacks[slot].clone();
            }
        }
        Ok(DecodedRow {
            row,
            key: need_key.then_some(key),
        })
    }
}
