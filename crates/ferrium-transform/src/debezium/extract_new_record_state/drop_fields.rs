//! `drop.fields.header.name`: a record header listing fields to remove from the value
//! (and, with `drop.fields.from.key`, from the key). Debezium delegates the removal to
//! Kafka's `ReplaceField` (`exclude`), whose rebuilt schema is a required copy and whose
//! values read nulls as the field defaults; both are reproduced here.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use crate::debezium::connect_schema::{fill_defaults, push_field, struct_basics};
use crate::{ConfigProblem, Props, TransformError};

pub(super) const HEADER: &str = "drop.fields.header.name";
pub(super) const FROM_KEY: &str = "drop.fields.from.key";
pub(super) const KEEP_SCHEMA_COMPATIBLE: &str = "drop.fields.keep.schema.compatible";

/// Bound on remembered (schema, field list) pairs; cleared when full.
const CAPACITY: usize = 1024;

/// A schema with some fields removed, and how to move a value over to it.
struct Reduced {
    /// Kept so its address, the cache key, is not reused.
    _input: Arc<Schema>,
    output: Arc<Schema>,
    /// Input positions of the kept fields, in order.
    kept: Vec<usize>,
    /// Output positions and the defaults `ReplaceField` reads in place of nulls.
    defaults: Vec<(usize, Value)>,
}

pub(super) struct DropFields {
    header: String,
    from_key: bool,
    keep_schema_compatible: bool,
    reduced: HashMap<(usize, Vec<String>), Reduced>,
}

impl DropFields {
    /// `None` when no header is named (Debezium's blank check).
    pub(super) fn from_props(props: &Props) -> Result<Option<Self>, ConfigProblem> {
        let from_key = props.bool(FROM_KEY, false)?;
        let keep_schema_compatible = props.bool(KEEP_SCHEMA_COMPATIBLE, true)?;
        Ok(props.is_set(HEADER).then(|| DropFields {
            header: props.string(HEADER, ""),
            from_key,
            keep_schema_compatible,
            reduced: HashMap::new(),
        }))
    }

    /// Removes the fields the header lists; no header, a null one or an empty list leave
    /// the record as it is.
    pub(super) fn apply(&mut self, record: &mut SourceRecord) -> Result<(), TransformError> {
        // Debezium reads the first header of that name.
        let Some(header) = record.headers.iter().find(|h| h.key == self.header) else {
            return Ok(());
        };
        let names: Vec<String> = match &header.value.value {
            Value::Null => return Ok(()),
            Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => {
                return Err(TransformError::new(format!(
                    "header '{}' must hold a list of field names",
                    self.header
                )))
            }
        };
        if names.is_empty() {
            return Ok(());
        }
        if self.from_key {
            if let Some(key) = record.key.as_mut() {
                self.drop_from(key, &names, "key")?;
            }
        }
        // A value-less record (`delete-to-tombstone`) has nothing to remove; Debezium
        // fails on it with a NullPointerException when schema compatibility is kept.
        if let Some(value) = record.value.as_mut() {
            self.drop_from(value, &names, "value")?;
        }
        Ok(())
    }

    fn drop_from(
        &mut self,
        data: &mut ConnectData,
        names: &[String],
        what: &str,
    ) -> Result<(), TransformError> {
        if data.value.is_null() {
            return Ok(());
        }
        if data.schema.kind != SchemaType::Struct {
            return Err(TransformError::new(format!(
                "fields cannot be dropped from a {what} that is not a struct"
            )));
        }
        let excluded: Vec<String> = if self.keep_schema_compatible {
            // Only optional fields go, so the schema stays compatible.
            data.schema
                .fields
                .iter()
                .filter(|f| f.schema.optional && names.contains(&f.name))
                .map(|f| f.name.clone())
                .collect()
        } else {
            names.to_vec()
        };
        if excluded.is_empty() {
            return Ok(());
        }
        let key = (Arc::as_ptr(&data.schema) as usize, excluded);
        if !self.reduced.contains_key(&key) {
            if self.reduced.len() >= CAPACITY {
                self.reduced.clear();
            }
            let reduced = reduce(&data.schema, &key.1)?;
            self.reduced.insert(key.clone(), reduced);
        }
        let Some(reduced) = self.reduced.get(&key) else {
            return Ok(());
        };
        let Value::Struct(values) = &mut data.value else {
            return Err(TransformError::new(format!(
                "fields cannot be dropped from a {what} that is not a struct"
            )));
        };
        let mut kept: Vec<Value> = reduced
            .kept
            .iter()
            .map(|&i| {
                values
                    .get_mut(i)
                    .map_or(Value::Null, |v| std::mem::replace(v, Value::Null))
            })
            .collect();
        fill_defaults(&mut kept, &reduced.defaults);
        data.schema = reduced.output.clone();
        data.value = Value::Struct(kept);
        Ok(())
    }
}

fn reduce(input: &Arc<Schema>, excluded: &[String]) -> Result<Reduced, TransformError> {
    let mut output = struct_basics(input);
    let mut kept = Vec::new();
    let mut defaults = Vec::new();
    for (index, field) in input.fields.iter().enumerate() {
        if excluded.contains(&field.name) {
            continue;
        }
        if let Some(default) = crate::debezium::connect_schema::default_value(&field.schema) {
            defaults.push((kept.len(), default));
        }
        push_field(&mut output, &field.name, field.schema.clone())?;
        kept.push(index);
    }
    Ok(Reduced {
        _input: input.clone(),
        output: Arc::new(output),
        kept,
        defaults,
    })
}
