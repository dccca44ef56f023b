//! Where `HeaderToValue` puts each header in the value: Debezium's
//! `ConnectRecordUtil.makeNewSchema` / `makeUpdatedValue`, including their quirks. A
//! name without dots is a top-level field; `a.b` goes into struct `a` (created, optional
//! and unnamed, when the value has no `a`); a struct on a dotted path is rebuilt as a
//! required copy (Kafka's `copySchemaBasics`); rebuilt structs read nulls as defaults.
//!
//! The matching is Debezium's own: a struct is rebuilt when any dotted name contains its
//! name followed by a dot, a child is matched by its immediate parent's name, and a new
//! parent below the top level gets no fields.

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType, Value};

use crate::debezium::connect_schema::{default_value, push_field, struct_basics};
use crate::TransformError;

/// The name Debezium gives the value itself when walking it.
const ROOT: &str = "payload";

/// A configured field name and its dot-separated parts (Java's `split("\\.")`).
#[derive(Debug, Clone)]
pub(super) struct FieldPath {
    pub(super) name: String,
    parts: Vec<String>,
}

impl FieldPath {
    pub(super) fn new(name: &str) -> Self {
        let mut parts: Vec<String> = if name.contains('.') {
            name.split('.').map(str::to_string).collect()
        } else {
            vec![name.to_string()]
        };
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if name.contains('.') && parts.iter().all(|p| p.is_empty()) {
            parts.clear();
        }
        FieldPath {
            name: name.to_string(),
            parts,
        }
    }

    fn is_nested(&self) -> bool {
        self.name.contains('.')
    }

    /// Whether the first `count` parts joined by dots equal `s`.
    fn prefix_equals(&self, count: usize, s: &str) -> bool {
        let mut rest = s;
        for (i, part) in self.parts.iter().take(count).enumerate() {
            if i > 0 {
                let Some(r) = rest.strip_prefix('.') else {
                    return false;
                };
                rest = r;
            }
            let Some(r) = rest.strip_prefix(part.as_str()) else {
                return false;
            };
            rest = r;
        }
        rest.is_empty()
    }
}

/// A header bound for the value: where it goes, its schema and its value.
pub(super) struct NewEntry<'a> {
    pub(super) path: &'a FieldPath,
    pub(super) schema: &'a Arc<Schema>,
    pub(super) value: &'a Value,
}

fn is_primitive(kind: SchemaType) -> bool {
    !matches!(
        kind,
        SchemaType::Struct | SchemaType::Array | SchemaType::Map
    )
}

/// `isContainedIn`: any dotted name contains `field` followed by a dot.
fn is_contained_in(field: &str, entries: &[NewEntry<'_>]) -> bool {
    entries.iter().filter(|e| e.path.is_nested()).any(|e| {
        e.path
            .name
            .match_indices(field)
            .any(|(at, _)| e.path.name[at + field.len()..].starts_with('.'))
    })
}

/// `getFieldName`: the entry's field name at this level, if it belongs here.
fn field_name<'a>(path: &'a FieldPath, current: &str, level: usize) -> Option<&'a str> {
    let parts = &path.parts;
    if parts.len() == 1 && current == ROOT {
        return Some(&parts[0]);
    }
    let parent = if level == 0 { 0 } else { level - 1 };
    (parts.len() == level + 1 && parts[parent] == current).then(|| parts[level].as_str())
}

fn should_process_at_level(current: &str, parts: &[String], level: usize) -> bool {
    (level == 0 && current == ROOT)
        || (level > 0 && level < parts.len() && parts[level - 1] == current)
}

/// `getNewParentFieldsAtLevel`: parents the dotted names need that `schema` lacks.
fn new_parents<'a>(
    current: &str,
    schema: &Schema,
    entries: &[NewEntry<'a>],
    level: usize,
) -> Vec<&'a str> {
    let mut parents: Vec<&str> = Vec::new();
    for entry in entries.iter().filter(|e| e.path.is_nested()) {
        let parts = &entry.path.parts;
        if should_process_at_level(current, parts, level) && level + 1 < parts.len() {
            let field = parts[level].as_str();
            if schema.field_index(field).is_none() && !parents.contains(&field) {
                parents.push(field);
            }
        }
    }
    parents
}

/// `getNestedFieldNameForParent`: the entry's field inside a new parent.
fn name_in_new_parent<'a>(
    path: &'a FieldPath,
    parent: &str,
    current: &str,
    level: usize,
) -> Option<&'a str> {
    let parts = &path.parts;
    if level == 0 {
        return (current == ROOT && parts.len() > 1 && parts[0] == parent)
            .then(|| parts[1].as_str());
    }
    (path.prefix_equals(level + 1, parent) && level + 1 < parts.len())
        .then(|| parts[level + 1].as_str())
}

/// `validateNestedFieldsExist`: a dotted path may not run through a primitive field.
pub(super) fn validate_paths(
    schema: &Schema,
    entries: &[NewEntry<'_>],
) -> Result<(), TransformError> {
    for entry in entries.iter().filter(|e| e.path.is_nested()) {
        let parts = &entry.path.parts;
        let mut current = schema;
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            if current.kind != SchemaType::Struct {
                return Err(TransformError::new(
                    "Cannot look up fields on non-struct type",
                ));
            }
            let Some(index) = current.field_index(part) else {
                break;
            };
            let field_schema = &current.fields[index].schema;
            if is_primitive(field_schema.kind) {
                return Err(TransformError::new(format!(
                    "Field '{part}' is a primitive type, not a struct. Cannot add nested field '{}'.",
                    entry.path.name
                )));
            }
            current = field_schema;
        }
    }
    Ok(())
}

/// `buildNewSchema`: the value schema with the entries' fields.
pub(super) fn build_schema(
    current: &str,
    old: &Arc<Schema>,
    entries: &[NewEntry<'_>],
    level: usize,
) -> Result<Arc<Schema>, TransformError> {
    if is_primitive(old.kind) {
        return Ok(old.clone());
    }
    if old.kind != SchemaType::Struct {
        return Err(TransformError::new("Cannot list fields on non-struct type"));
    }
    let mut schema = struct_basics(old);
    for field in &old.fields {
        let field_schema = if is_contained_in(&field.name, entries) {
            build_schema(&field.name, &field.schema, entries, level + 1)?
        } else {
            field.schema.clone()
        };
        push_field(&mut schema, &field.name, field_schema)?;
    }
    for entry in entries {
        if let Some(name) = field_name(entry.path, current, level) {
            if schema.field_index(name).is_none() {
                push_field(&mut schema, name, entry.schema.clone())?;
            }
        }
    }
    for parent in new_parents(current, old, entries, level) {
        let mut parent_schema = Schema::of(SchemaType::Struct).optional();
        for entry in entries {
            if let Some(name) = name_in_new_parent(entry.path, parent, current, level) {
                push_field(&mut parent_schema, name, entry.schema.clone())?;
            }
        }
        push_field(&mut schema, parent, Arc::new(parent_schema))?;
    }
    Ok(Arc::new(schema))
}

fn not_a_field(name: &str) -> TransformError {
    TransformError::new(format!("{name} is not a valid field name"))
}

/// `buildUpdatedValue`: the value (its fields by position under `old`) moved into the
/// positions of `updated`, with the entries' values.
pub(super) fn build_value(
    current: &str,
    old: &Schema,
    mut values: Vec<Value>,
    entries: &[NewEntry<'_>],
    updated: &Schema,
    level: usize,
) -> Result<Vec<Value>, TransformError> {
    let mut out = vec![Value::Null; updated.fields.len()];
    // `updated` starts with the fields of `old`, in order.
    for (index, field) in old.fields.iter().enumerate() {
        let mut value = values
            .get_mut(index)
            .map_or(Value::Null, |v| std::mem::replace(v, Value::Null));
        if value.is_null() {
            match default_value(&field.schema) {
                Some(default) => value = default,
                None => continue,
            }
        }
        let Some(slot) = out.get_mut(index) else {
            return Err(not_a_field(&field.name));
        };
        if is_contained_in(&field.name, entries) {
            let Value::Struct(inner) = value else {
                return Err(TransformError::new(format!(
                    "Only Struct objects supported for [Nested field], found: {}",
                    field.name
                )));
            };
            let inner_updated = &updated.fields[index].schema;
            *slot = Value::Struct(build_value(
                &field.name,
                &field.schema,
                inner,
                entries,
                inner_updated,
                level + 1,
            )?);
        } else {
            *slot = value;
        }
    }
    for entry in entries {
        if let Some(name) = field_name(entry.path, current, level) {
            let index = updated.field_index(name).ok_or_else(|| not_a_field(name))?;
            out[index] = entry.value.clone();
        }
    }
    for parent in new_parents(current, old, entries, level) {
        let Some(index) = updated.field_index(parent) else {
            continue;
        };
        let parent_schema = &updated.fields[index].schema;
        let mut parent_values = vec![Value::Null; parent_schema.fields.len()];
        for entry in entries {
            if let Some(name) = name_in_new_parent(entry.path, parent, current, level) {
                let child = parent_schema
                    .field_index(name)
                    .ok_or_else(|| not_a_field(name))?;
                parent_values[child] = entry.value.clone();
            }
        }
        out[index] = Value::Struct(parent_values);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_as_java_does() {
        assert_eq!(FieldPath::new("a.b").parts, ["a", "b"]);
        assert_eq!(FieldPath::new("a").parts, ["a"]);
        assert_eq!(FieldPath::new("a.").parts, ["a"]);
        assert!(FieldPath::new(".").parts.is_empty());
        assert!(FieldPath::new("a.b.c").prefix_equals(2, "a.b"));
        assert!(!FieldPath::new("a.b.c").prefix_equals(2, "b"));
    }

    #[test]
    fn containment_is_by_substring_as_in_debezium() {
        let path = FieldPath::new("after.f2");
        let schema = Arc::new(Schema::of(SchemaType::String));
        let value = Value::Null;
        let entries = [NewEntry {
            path: &path,
            schema: &schema,
            value: &value,
        }];
        assert!(is_contained_in("after", &entries));
        assert!(is_contained_in("ter", &entries));
        assert!(!is_contained_in("before", &entries));
    }
}
