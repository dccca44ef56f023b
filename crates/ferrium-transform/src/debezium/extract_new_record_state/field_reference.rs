//! The entries of `add.fields` and `add.headers`: `field`, `struct.field`, either with
//! `:newName`, parsed once at configuration and resolved once per envelope schema into
//! field positions, so a record is read by index rather than by name.

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType, Value};

use crate::debezium::connect_schema::copy_basics;
use crate::TransformError;

/// One configured entry, as Debezium's `FieldReference` reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FieldReference {
    /// The envelope field holding the field (`source`, `transaction`), or `None` for a
    /// top-level field (`op`, `ts_ms`, `ts_us`, `ts_ns`).
    parent: Option<String>,
    field: String,
    /// The name of the added field or header (prefix included).
    pub(super) output_name: String,
}

/// Java's `String.split` with no limit: no match gives the whole string; trailing empty
/// pieces are removed.
fn java_split(s: &str, separator: char) -> Vec<&str> {
    if !s.contains(separator) {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(separator).collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// Where Debezium looks for an unqualified name.
fn parent_of_unqualified(field: &str) -> Option<&'static str> {
    match field {
        "id" | "total_order" | "data_collection_order" => Some("transaction"),
        "op" | "ts_ms" | "ts_us" | "ts_ns" => None,
        // MongoDB's update description, as Debezium special-cases it.
        "updateDescription" => Some("updateDescription"),
        _ => Some("source"),
    }
}

impl FieldReference {
    /// Parses one entry (already trimmed, as Debezium trims list items; the parts around
    /// `.` and `:` are not trimmed, as in Debezium).
    pub(super) fn parse(prefix: &str, entry: &str) -> Result<Self, String> {
        let parts = java_split(entry, ':');
        let Some(path) = parts.first() else {
            return Err(format!("unexpected field name '{entry}'"));
        };
        let splits = java_split(path, '.');
        let (parent, field) = match splits.as_slice() {
            [] => return Err(format!("unexpected field name '{entry}'")),
            [field] => (parent_of_unqualified(field).map(str::to_string), *field),
            // Debezium reads `a.b` and ignores anything past the second part.
            [parent, field, ..] => (Some(parent.to_string()), *field),
        };
        let output_name = match parts.len() {
            1 if splits.len() == 1 => format!("{prefix}{field}"),
            1 => format!("{prefix}{}_{field}", splits[0]),
            2 => format!("{prefix}{}", parts[1]),
            _ => return Err(format!("unexpected field name '{entry}'")),
        };
        Ok(FieldReference {
            parent,
            field: field.to_string(),
            output_name,
        })
    }

    /// Whether this entry names the operation: the only one a tombstone gets (as `d`).
    /// Debezium compares the simple name, so `source.op` counts too.
    pub(super) fn is_op(&self) -> bool {
        self.field == "op"
    }

    /// Finds the field in an envelope schema. `None`: the schema has no such field, and
    /// nothing is added. A parent that the envelope lacks, or that is not a struct,
    /// makes Debezium fail on every record of that schema, and so it does here.
    pub(super) fn resolve(
        &self,
        envelope: &Schema,
    ) -> Result<Option<ResolvedField>, TransformError> {
        let top_level = envelope.field_index(&self.field);
        let source = match &self.parent {
            None => top_level.map(FieldSource::TopLevel),
            Some(parent_name) => {
                let parent = envelope.field_index(parent_name).ok_or_else(|| {
                    TransformError::new(format!(
                        "field '{}' of '{}' cannot be read: the envelope has no field '{parent_name}'",
                        self.field, self.output_name
                    ))
                })?;
                let parent_schema = &envelope.fields[parent].schema;
                if parent_schema.kind != SchemaType::Struct {
                    return Err(TransformError::new(format!(
                        "field '{}' of '{}' cannot be read: envelope field '{parent_name}' is not a struct",
                        self.field, self.output_name
                    )));
                }
                match parent_schema.field_index(&self.field) {
                    Some(field) => Some(FieldSource::Nested { parent, field }),
                    // Debezium falls back to a top-level field of that name (one a
                    // previous transform may have added).
                    None => top_level.map(|field| FieldSource::TopLevelIfParent { parent, field }),
                }
            }
        };
        Ok(source.map(|source| {
            let schema = match source {
                FieldSource::TopLevel(field) | FieldSource::TopLevelIfParent { field, .. } => {
                    &envelope.fields[field].schema
                }
                FieldSource::Nested { parent, field } => {
                    &envelope.fields[parent].schema.fields[field].schema
                }
            };
            ResolvedField {
                name: self.output_name.clone(),
                schema: Arc::new(copy_basics(schema).optional()),
                source,
                moves: false,
            }
        }))
    }
}

/// Where a resolved field's value sits in the envelope value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FieldSource {
    TopLevel(usize),
    Nested {
        parent: usize,
        field: usize,
    },
    /// A top-level field, read only when the named parent is not null.
    TopLevelIfParent {
        parent: usize,
        field: usize,
    },
}

/// An entry resolved against one envelope schema.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ResolvedField {
    pub(super) name: String,
    /// The source field's schema made optional (Kafka's `copySchemaBasics`).
    pub(super) schema: Arc<Schema>,
    source: FieldSource,
    /// Whether the value may be moved out of the envelope rather than copied: set when
    /// nothing read after this entry reads the same slot (the envelope is discarded).
    moves: bool,
}

/// The value slot an entry reads: a top-level field, or a field of a top-level struct.
type Slot = (usize, Option<usize>);

impl ResolvedField {
    fn slot(&self) -> Slot {
        match self.source {
            FieldSource::TopLevel(field) | FieldSource::TopLevelIfParent { field, .. } => {
                (field, None)
            }
            FieldSource::Nested { parent, field } => (parent, Some(field)),
        }
    }

    /// Marks the entries whose value can be moved: each one not a struct or map (those
    /// are never moved, so a parent is never emptied) and the last in `reads` (in
    /// reading order) to read its slot.
    pub(super) fn mark_moves(reads: &mut [&mut ResolvedField]) {
        for i in 0..reads.len() {
            let slot = reads[i].slot();
            let read_later = reads[i + 1..].iter().any(|r| r.slot() == slot);
            let container = matches!(reads[i].schema.kind, SchemaType::Struct | SchemaType::Map);
            reads[i].moves = !read_later && !container;
        }
    }

    /// The field's value in an envelope value (its fields by position); a null parent
    /// (`transaction` outside a transaction) gives null.
    pub(super) fn value(&self, envelope: &mut [Value]) -> Result<Value, TransformError> {
        let value = match self.source {
            FieldSource::TopLevel(field) => envelope.get_mut(field),
            FieldSource::Nested { parent, field } => match envelope.get_mut(parent) {
                Some(Value::Struct(values)) => values.get_mut(field),
                Some(Value::Null) | None => return Ok(Value::Null),
                Some(_) => return Err(self.not_a_struct()),
            },
            FieldSource::TopLevelIfParent { parent, field } => match envelope.get(parent) {
                Some(Value::Null) | None => return Ok(Value::Null),
                Some(_) => envelope.get_mut(field),
            },
        };
        let value = match value {
            Some(v) if self.moves => std::mem::replace(v, Value::Null),
            Some(v) => v.clone(),
            None => Value::Null,
        };
        // Kafka checks a struct or map value against the copied schema, which has no
        // fields or entry schemas, and rejects it.
        match (&value, self.schema.kind) {
            (Value::Null, _) => Ok(value),
            (_, SchemaType::Struct | SchemaType::Map) => Err(TransformError::new(format!(
                "'{}' cannot be added: Kafka Connect rejects a {} value under the copied schema",
                self.name,
                self.schema.kind.json_name()
            ))),
            _ => Ok(value),
        }
    }

    fn not_a_struct(&self) -> TransformError {
        TransformError::new(format!(
            "'{}' cannot be read: its parent value is not a struct",
            self.name
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entry: &str) -> FieldReference {
        FieldReference::parse("__", entry).unwrap()
    }

    #[test]
    fn unqualified_names_are_found_where_debezium_looks() {
        assert_eq!(parse("op").parent, None);
        assert_eq!(parse("ts_ns").parent, None);
        assert_eq!(parse("id").parent.as_deref(), Some("transaction"));
        assert_eq!(parse("total_order").parent.as_deref(), Some("transaction"));
        assert_eq!(parse("lsn").parent.as_deref(), Some("source"));
        assert_eq!(parse("lsn").output_name, "__lsn");
    }

    #[test]
    fn qualified_and_renamed_names() {
        let r = parse("source.ts_ms");
        assert_eq!(
            (r.parent.as_deref(), r.field.as_str()),
            (Some("source"), "ts_ms")
        );
        assert_eq!(r.output_name, "__source_ts_ms");
        assert_eq!(parse("source.ts_ms:EVENT_TS").output_name, "__EVENT_TS");
        assert_eq!(parse("op:OP").output_name, "__OP");
        // A trailing colon is no rename (Java's split drops the empty piece).
        assert_eq!(parse("op:").output_name, "__op");
        assert_eq!(parse("a.b.c").output_name, "__a_b");
        assert!(FieldReference::parse("__", "a:b:c").is_err());
        assert!(FieldReference::parse("__", ".").is_err());
        assert!(parse("source.op").is_op());
    }

    #[test]
    fn resolves_by_position_and_falls_back_to_the_top_level() {
        let source = Schema::record("src").field("lsn", Schema::of(SchemaType::Int32));
        let envelope = Schema::record("x.Envelope")
            .field("source", source)
            .field("op", Schema::of(SchemaType::String));
        let mut values = [Value::Struct(vec![Value::Int32(7)]), Value::from("c")];
        let lsn = parse("lsn").resolve(&envelope).unwrap().unwrap();
        assert_eq!(lsn.value(&mut values).unwrap(), Value::Int32(7));
        assert!(lsn.schema.optional);
        let op = parse("source.op").resolve(&envelope).unwrap().unwrap();
        assert_eq!(op.value(&mut values).unwrap(), Value::from("c"));
        assert_eq!(parse("version").resolve(&envelope).unwrap(), None);
        assert!(parse("transaction.id").resolve(&envelope).is_err());
    }

    #[test]
    fn only_the_last_reader_of_a_slot_moves_the_value() {
        let envelope = Schema::record("x.Envelope").field("op", Schema::of(SchemaType::String));
        let mut values = [Value::from("c")];
        let mut first = parse("op").resolve(&envelope).unwrap().unwrap();
        let mut second = parse("op:OP").resolve(&envelope).unwrap().unwrap();
        ResolvedField::mark_moves(&mut [&mut first, &mut second]);
        assert!(!first.moves && second.moves);
        assert_eq!(first.value(&mut values).unwrap(), Value::from("c"));
        assert_eq!(second.value(&mut values).unwrap(), Value::from("c"));
        assert_eq!(
            values[0],
            Value::Null,
            "moved out of the discarded envelope"
        );
    }
}
