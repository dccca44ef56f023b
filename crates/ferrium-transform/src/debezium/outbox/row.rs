//! The outbox row (the `after` image) read by column name, with the errors Kafka's
//! `Struct` getters raise for a missing column or one of the wrong type.

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType, Value};

use crate::TransformError;

/// One column: its schema and its value.
pub(super) type Column<'a> = (&'a Arc<Schema>, &'a Value);

#[derive(Clone, Copy)]
pub(super) struct OutboxRow<'a> {
    pub schema: &'a Arc<Schema>,
    pub values: &'a [Value],
}

impl<'a> OutboxRow<'a> {
    pub fn column(&self, name: &str) -> Option<Column<'a>> {
        let index = self.schema.field_index(name)?;
        Some((&self.schema.fields[index].schema, self.values.get(index)?))
    }

    /// A column that must exist (`Struct.get`).
    pub fn require(&self, name: &str) -> Result<Column<'a>, TransformError> {
        self.column(name)
            .ok_or_else(|| TransformError::new(format!("{name} is not a valid field name")))
    }

    /// A column that must exist and be of `kind` (`Struct.getString`, `getInt32`, …).
    pub fn require_typed(&self, name: &str, kind: SchemaType) -> Result<&'a Value, TransformError> {
        let (schema, value) = self.require(name)?;
        if schema.kind != kind {
            return Err(TransformError::new(format!(
                "Field '{name}' is not of type {}",
                kind.json_name()
            )));
        }
        Ok(value)
    }

    /// A non-null string column (`route.by.field`): Kafka cannot route to a null topic.
    pub fn require_string(&self, name: &str) -> Result<&'a str, TransformError> {
        match self.require_typed(name, SchemaType::String)? {
            Value::String(s) => Ok(s),
            _ => Err(TransformError::new(format!(
                "the column '{name}' is null, so the outbox event has no topic"
            ))),
        }
    }

    /// A nullable int32 column (a partition or a schema version).
    pub fn optional_int32(&self, name: &str) -> Result<Option<i32>, TransformError> {
        match self.require_typed(name, SchemaType::Int32)? {
            Value::Int32(v) => Ok(Some(*v)),
            _ => Ok(None),
        }
    }
}
