//! `io.debezium.transforms.HeaderToValue`: copies (`operation=copy`) or moves
//! (`operation=move`, the headers are then removed) the record headers named in
//! `headers` into the value fields named at the same position in `fields`; a dotted
//! field goes into a nested struct (see [`nested_fields`]).
//!
//! Like Debezium, it works on any struct value, change event or not; a null value passes
//! unchanged, and so does a record carrying none of the headers.

mod nested_fields;

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use crate::{ConfigProblem, Props, Transform, TransformError};
use nested_fields::{build_schema, build_value, validate_paths, FieldPath, NewEntry};

const HEADERS: &str = "headers";
const FIELDS: &str = "fields";
const OPERATION: &str = "operation";
/// Bound on remembered derived schemas; cleared when full.
const CAPACITY: usize = 1024;

/// The value schema and, per header found, its configured position and its schema: the
/// derived schema depends on all of them.
type SchemaKey = (usize, Vec<(usize, usize)>);

/// The inputs of a derived schema (kept so their addresses are not reused) and the
/// schema.
struct Derived {
    _inputs: (Arc<Schema>, Vec<Arc<Schema>>),
    schema: Arc<Schema>,
}

pub struct HeaderToValue {
    headers: Vec<String>,
    fields: Vec<FieldPath>,
    moves: bool,
    schemas: HashMap<SchemaKey, Derived>,
}

/// A list option as Debezium reads it (split on commas, Java dropping trailing empty
/// pieces, each trimmed), required, with neither empty items nor spaces in an item.
fn list_option(props: &Props, name: &str) -> Result<Vec<String>, ConfigProblem> {
    let raw = props.required(name)?;
    let mut items: Vec<&str> = raw.split(',').collect();
    while items.len() > 1 && items.last().is_some_and(|i| i.is_empty()) {
        items.pop();
    }
    let items: Vec<String> = items.iter().map(|i| i.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(props.problem(
            name,
            format!("'{raw}': empty string element(s) not permitted"),
        ));
    }
    if items.iter().any(|i| i.contains(' ')) {
        return Err(props.problem(
            name,
            format!("'{raw}': element(s) containing space not permitted"),
        ));
    }
    Ok(items)
}

impl HeaderToValue {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let fields = list_option(props, FIELDS)?;
        let headers = list_option(props, HEADERS)?;
        props.required(OPERATION)?;
        let operation = props.choice(OPERATION, &["move", "copy"], "copy")?;
        if headers.len() != fields.len() {
            return Err(props.problem(
                FIELDS,
                format!("'{FIELDS}' config must have the same number of elements as '{HEADERS}' config."),
            ));
        }
        Ok(HeaderToValue {
            headers,
            fields: fields.iter().map(|f| FieldPath::new(f)).collect(),
            moves: operation == "move",
            schemas: HashMap::new(),
        })
    }
}

impl Transform for HeaderToValue {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        if record.value.as_ref().is_none_or(|v| v.value.is_null()) {
            return Ok(Some(record));
        }
        let Some(value) = record.value.take() else {
            return Ok(Some(record));
        };
        if value.schema.kind != SchemaType::Struct || !matches!(value.value, Value::Struct(_)) {
            return Err(TransformError::new(
                "Only Struct objects supported for [Header field insertion]",
            ));
        }
        // Debezium takes the headers in record order, each to the field at the position
        // of the first configured name it matches.
        let found: Vec<(usize, &ConnectData)> = record
            .headers
            .iter()
            .filter_map(|h| {
                let index = self.headers.iter().position(|name| *name == h.key)?;
                Some((index, &h.value))
            })
            .collect();
        if found.is_empty() {
            record.value = Some(value);
            return Ok(Some(record));
        }
        let entries: Vec<NewEntry<'_>> = found
            .iter()
            .map(|(index, data)| NewEntry {
                path: &self.fields[*index],
                schema: &data.schema,
                value: &data.value,
            })
            .collect();
        let key: SchemaKey = (
            Arc::as_ptr(&value.schema) as usize,
            found
                .iter()
                .map(|(index, data)| (*index, Arc::as_ptr(&data.schema) as usize))
                .collect(),
        );
        let schema = match self.schemas.get(&key) {
            Some(derived) => derived.schema.clone(),
            None => {
                validate_paths(&value.schema, &entries)?;
                let schema = build_schema("payload", &value.schema, &entries, 0)?;
                if self.schemas.len() >= CAPACITY {
                    self.schemas.clear();
                }
                let inputs = (
                    value.schema.clone(),
                    found.iter().map(|(_, d)| d.schema.clone()).collect(),
                );
                self.schemas.insert(
                    key,
                    Derived {
                        _inputs: inputs,
                        schema: schema.clone(),
                    },
                );
                schema
            }
        };
        let Value::Struct(values) = value.value else {
            return Err(TransformError::new(
                "Only Struct objects supported for [Header field insertion]",
            ));
        };
        let updated = build_value("payload", &value.schema, values, &entries, &schema, 0)?;
        drop(entries);
        drop(found);
        record.value = Some(ConnectData::new(schema, Value::Struct(updated)));
        if self.moves {
            record.headers.retain(|h| !self.headers.contains(&h.key));
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests;
