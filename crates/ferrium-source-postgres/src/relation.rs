//! A captured table's shape: its columns in tuple order, compiled value codecs, and the
//! Connect schemas of its key, row and envelope.
//!
//! Built from the snapshot's catalog read and rebuilt whenever pgoutput sends a Relation
//! message that differs (a column added or dropped mid-stream). Columns come from the
//! Relation message; nullability and the key come from the catalog, matched by name.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_config::topic_naming::TableParts;
use ferrium_event::default_json::default_json;
use ferrium_event::{Envelope, Schema, Value};

use crate::catalog::CatalogTable;
use crate::config::PostgresConfig;
use crate::error::PostgresError;
use crate::types::{schema_default, source_column, ColumnCodec, PgType};

/// A column as a tuple carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: String,
    pub type_oid: u32,
    pub typmod: i32,
}

/// One cell of a tuple, before decoding.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    Text(&'a str),
    /// An unchanged TOAST value pgoutput did not send.
    Unchanged,
}

#[derive(Debug)]
pub struct TableSchema {
    pub oid: u32,
    pub schema: String,
    pub table: String,
    pub topic: Arc<str>,
    pub columns: Vec<ColumnSpec>,
    /// Per tuple column: its codec, or `None` when the column is not captured at all.
    codecs: Vec<Option<ColumnCodec>>,
    /// Per tuple column: its position in the row struct, if in the value.
    value_slot: Vec<Option<usize>>,
    /// Tuple column positions of the key, in key order.
    key_columns: Vec<usize>,
    pub key_schema: Option<Arc<Schema>>,
    pub row_schema: Arc<Schema>,
    pub envelope: Envelope,
    /// Per row slot, Debezium's stand-in for a NULL in a `NOT NULL` column (a key-only
    /// before image, a snapshot override): the column's default, else a zero value.
    fallbacks: Vec<Option<Value>>,
}

/// A decoded tuple: the row struct fields and the key fields.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRow {
    pub row: Vec<Value>,
    pub key: Option<Vec<Value>>,
    /// Row slots holding the unavailable-value placeholder (unchanged TOAST).
    pub unavailable: Vec<usize>,
}

impl TableSchema {
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        config: &PostgresConfig,
        source_schema: &Arc<Schema>,
        oid: u32,
        schema: &str,
        table: &str,
        columns: Vec<ColumnSpec>,
        catalog: &CatalogTable,
        types: &HashMap<u32, Arc<PgType>>,
    ) -> Result<Self, PostgresError> {
        let qualified = format!("{schema}.{table}");
        let record_prefix = config.common.naming.data_change_topic(TableParts {
            catalog: None,
            schema: Some(schema),
            table,
        });
        let mut codecs = Vec::with_capacity(columns.len());
        let mut field_schemas: Vec<Option<Arc<Schema>>> = Vec::with_capacity(columns.len());
        let mut value_slot = Vec::with_capacity(columns.len());
        let mut row_schema = Schema::record(format!("{record_prefix}.Value")).optional();
        let mut fallbacks = Vec::new();
        let mut key_columns = Vec::new();
        for column in &columns {
            let in_key = catalog.key.iter().any(|k| k == &column.name);
            let in_value = config.filters.captures_column(schema, table, &column.name);
            if !in_key && !in_value {
                codecs.push(None);
                field_schemas.push(None);
                value_slot.push(None);
                continue;
            }
            let described = catalog.columns.iter().find(|c| c.name == column.name);
            let not_null = described.is_some_and(|c| c.not_null);
            let ty = types.get(&column.type_oid).ok_or_else(|| {
                PostgresError::Protocol(format!(
                    "type {} of {qualified}.{} was not resolved",
                    column.type_oid, column.name
                ))
            })?;
            let Some(codec) = ColumnCodec::compile(
                &qualified,
                &column.name,
                ty,
                column.typmod,
                !(not_null || in_key),
                &config.types,
            )?
            else {
                if in_key {
                    return Err(PostgresError::Config(format!(
                        "key column {qualified}.{} has type {}, which Debezium leaves out of its events, so the table's rows would have no key; give the table a primary key (or replica identity index) of other columns, or exclude it with table.exclude.list",
                        column.name, ty.name
                    )));
                }
                codecs.push(None);
                field_schemas.push(None);
                value_slot.push(None);
                continue;
            };
            let default_expr = described.and_then(|c| c.default_expr.as_deref());
            let source = source_column(&column.name, ty, column.typmod, default_expr);
            let default = default_expr.and_then(|expr| {
                schema_default(expr, &source.type_name, ty, column.typmod, &codec)
            });
            let mut field_schema = Schema::clone(codec.schema());
            if let Some(value) = &default {
                field_schema.default = Some(default_json(&field_schema, value));
            }
            if config
                .common
                .propagate
                .applies(&qualified, &column.name, &source.type_name)
            {
                field_schema = field_schema.with_source_column(&source);
            }
            let field_schema = Arc::new(field_schema);
            if in_value {
                value_slot.push(Some(row_schema.fields.len()));
                // Debezium's stand-in for a NULL in a NOT NULL column is its default, if any.
                fallbacks.push(
                    (!codec.is_nullable()).then(|| default.unwrap_or_else(|| codec.fallback())),
                );
                row_schema = row_schema.field(column.name.clone(), field_schema.clone());
            } else {
                value_slot.push(None);
            }
            field_schemas.push(Some(field_schema));
            codecs.push(Some(codec));
        }
        let mut key_schema = Schema::record(format!("{record_prefix}.Key"));
        for key in &catalog.key {
            let Some(pos) = columns.iter().position(|c| &c.name == key) else {
                return Err(PostgresError::Protocol(format!(
                    "key column {key} of {qualified} is missing from the relation"
                )));
            };
            let schema = field_schemas[pos].clone().ok_or_else(|| {
                PostgresError::Protocol(format!("key column {key} of {qualified} has no codec"))
            })?;
            key_schema = key_schema.field(key.clone(), schema);
            key_columns.push(pos);
        }
        let row_schema = Arc::new(row_schema);
        Ok(TableSchema {
            oid,
            schema: schema.to_string(),
            table: table.to_string(),
            topic: Arc::from(record_prefix.as_str()),
            envelope: Envelope::new(&record_prefix, row_schema.clone(), source_schema.clone()),
            key_schema: (!key_columns.is_empty()).then(|| Arc::new(key_schema)),
            row_schema,
            columns,
            codecs,
            value_slot,
            key_columns,
            fallbacks,
        })
    }

    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    /// Whether `name` is this table's `schema.table`, without building that string (the
    /// stream asks this for every event while an incremental snapshot runs).
    pub fn is_named(&self, name: &str) -> bool {
        name.strip_prefix(self.schema.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| rest == self.table)
    }

    /// The names of the key columns, in key order (empty without a key).
    pub fn key_column_names(&self) -> Vec<&str> {
        self.key_columns
            .iter()
            .map(|&i| self.columns[i].name.as_str())
            .collect()
    }

    /// The tuple positions of the key columns, in key order.
    pub fn key_positions(&self) -> &[usize] {
        &self.key_columns
    }

    /// The row slot of a captured column, by name.
    pub fn value_slot_of(&self, column: &str) -> Option<usize> {
        let i = self.columns.iter().position(|c| c.name == column)?;
        self.value_slot[i]
    }

    /// Decodes one tuple. `cells` must have one entry per column, in column order.
    pub fn decode<'a>(
        &self,
        cells: impl ExactSizeIterator<Item = Cell<'a>>,
    ) -> Result<DecodedRow, PostgresError> {
        if cells.len() != self.columns.len() {
            return Err(PostgresError::Protocol(format!(
                "a tuple of {} has {} columns, but its relation has {}",
                self.qualified(),
                cells.len(),
                self.columns.len()
            )));
        }
        let mut row = vec![Value::Null; self.fallbacks.len()];
        let mut unavailable = Vec::new();
        let mut decoded: Vec<Option<Value>> = Vec::new();
        let need_key = !self.key_columns.is_empty();
        if need_key {
            decoded.resize(self.columns.len(), None);
        }
        for (i, cell) in cells.enumerate() {
            let Some(codec) = &self.codecs[i] else {
                continue;
            };
            let value = match cell {
                Cell::Null => Value::Null,
                Cell::Text(text) => codec.decode(text)?,
                Cell::Unchanged => {
                    if let Some(slot) = self.value_slot[i] {
                        unavailable.push(slot);
                    }
                    codec.unavailable()
                }
            };
            if need_key && self.key_columns.contains(&i) {
                decoded[i] = Some(value.clone());
            }
            if let Some(slot) = self.value_slot[i] {
                row[slot] = value;
            }
        }
        for (value, fallback) in row.iter_mut().zip(&self.fallbacks) {
            if let (Value::Null, Some(fallback)) = (&value, fallback) {
                *value = fallback.clone();
            }
        }
        let key = need_key.then(|| {
            self.key_columns
                .iter()
                .map(|&i| decoded[i].take().unwrap_or(Value::Null))
                .collect()
        });
        Ok(DecodedRow {
            row,
            key,
            unavailable,
        })
    }

    /// Whether a decoded key is complete (a key-only old tuple always is).
    pub fn key_is_complete(key: &[Value]) -> bool {
        key.iter().all(|v| !v.is_null())
    }
}
