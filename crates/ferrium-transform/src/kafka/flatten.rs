//! `Flatten$Key` / `Flatten$Value`: lifts the fields of nested structs to the top level,
//! named by their path joined with `delimiter` (default `.`): a change event's
//! `after.id`, `source.db`, …. Arrays are kept as they are; a map field is an error.
//!
//! A child of an optional struct becomes optional, and takes its default from the
//! parent's default when it has none of its own. A null part passes unchanged.
//!
//! Kafka's `Flatten` has no `replace.null.with.default`: it always reads nulls with
//! their defaults, as this does; the option is ignored as Kafka ignores it.

use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
use serde_json::Value as Json;

use super::record_part::{is_null, require_struct, RecordPart};
use super::struct_fields::{add_field, into_fields, or_default, struct_basics, struct_member};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "flattening";

pub struct Flatten {
    part: RecordPart,
    delimiter: String,
    schemas: SchemaCache,
}

impl Flatten {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        if props.get("replace.null.with.default").is_some() {
            tracing::warn!(
                option = %props.key("replace.null.with.default"),
                "Kafka's Flatten has no such option and ignores it; so does Ferrium"
            );
        }
        Ok(Flatten {
            part,
            delimiter: props.string("delimiter", "."),
            schemas: SchemaCache::new(),
        })
    }
}

fn joined(prefix: &str, delimiter: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}{delimiter}{name}")
    }
}

/// A leaf field's schema in the flat struct: the original's basics, optional when it or
/// an ancestor is, with its own default or the one its ancestors' default gives it.
fn leaf_schema(orig: &Schema, optional: bool, default: Option<Json>) -> Schema {
    let mut schema = Schema::of(orig.kind);
    schema.items = orig.items.clone();
    schema.name = orig.name.clone();
    schema.version = orig.version;
    schema.doc = orig.doc.clone();
    schema.parameters = orig.parameters.clone();
    schema.optional = optional;
    schema.default = default;
    schema
}

fn unsupported(kind: SchemaType, field: &str) -> TransformError {
    TransformError::new(format!(
        "Flatten transformation does not support {} for record with schemas (for field {field}).",
        kind.json_name().to_uppercase()
    ))
}

struct SchemaFlattener<'a> {
    delimiter: &'a str,
    out: Schema,
}

impl SchemaFlattener<'_> {
    fn add(
        &mut self,
        schema: &Schema,
        prefix: &str,
        optional: bool,
        parent_default: Option<&Json>,
    ) -> Result<(), TransformError> {
        for (index, field) in schema.fields.iter().enumerate() {
            let name = joined(prefix, self.delimiter, &field.name);
            let optional = optional || field.schema.optional;
            let default = match &field.schema.default {
                Some(own) => Some(own.clone()),
                None => parent_default
                    .and_then(|d| struct_member(d, index, &field.name))
                    .filter(|d| !d.is_null())
                    .cloned(),
            };
            match field.schema.kind {
                SchemaType::Struct => self.add(&field.schema, &name, optional, default.as_ref())?,
                SchemaType::Map => return Err(unsupported(SchemaType::Map, &name)),
                _ => add_field(
                    &mut self.out,
                    &name,
                    Arc::new(leaf_schema(&field.schema, optional, default)),
                )?,
            }
        }
        Ok(())
    }
}

fn derive_schema(input: &Schema, delimiter: &str) -> Result<Schema, TransformError> {
    let mut flattener = SchemaFlattener {
        delimiter,
        out: struct_basics(input),
    };
    flattener.add(input, "", input.optional, input.default.as_ref())?;
    Ok(flattener.out)
}

/// The leaves of a struct value in schema order, read with their defaults; a null
/// nested struct (with no default) leaves all its leaves null.
fn push_leaves(schema: &Schema, values: Vec<Value>, out: &mut Vec<Value>) {
    let mut values = values.into_iter();
    for field in &schema.fields {
        let value = or_default(values.next().unwrap_or(Value::Null), &field.schema, true);
        match field.schema.kind {
            SchemaType::Struct => match value {
                Value::Struct(nested) => push_leaves(&field.schema, nested, out),
                _ => push_nulls(&field.schema, out),
            },
            _ => out.push(value),
        }
    }
}

fn push_nulls(schema: &Schema, out: &mut Vec<Value>) {
    for field in &schema.fields {
        match field.schema.kind {
            SchemaType::Struct => push_nulls(&field.schema, out),
            _ => out.push(Value::Null),
        }
    }
}

impl Transform for Flatten {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        if is_null(slot) {
            return Ok(Some(record));
        }
        require_struct(slot.as_ref(), PURPOSE)?;
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        let delimiter = &self.delimiter;
        let schema = self
            .schemas
            .get_or_insert(&data.schema, |s| derive_schema(s, delimiter))?;
        let mut leaves = Vec::with_capacity(schema.fields.len());
        push_leaves(&data.schema, into_fields(data.value), &mut leaves);
        *self.part.slot(&mut record) = Some(ConnectData::new(schema, Value::Struct(leaves)));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use serde_json::json;

    fn transform(pairs: &[(&str, &str)]) -> Flatten {
        Flatten::new(&Props::of(pairs), RecordPart::Value).unwrap()
    }

    fn supported_types() -> (Schema, Vec<Value>) {
        let schema = Schema::record("types")
            .field("int8", Schema::of(SchemaType::Int8))
            .field("int16", Schema::of(SchemaType::Int16))
            .field("int32", Schema::of(SchemaType::Int32))
            .field("int64", Schema::of(SchemaType::Int64))
            .field("float32", Schema::of(SchemaType::Float32))
            .field("float64", Schema::of(SchemaType::Float64))
            .field("boolean", Schema::of(SchemaType::Boolean))
            .field("string", Schema::of(SchemaType::String))
            .field("bytes", Schema::of(SchemaType::Bytes));
        let values = vec![
            Value::Int8(8),
            Value::Int16(16),
            Value::Int32(32),
            Value::Int64(64),
            Value::Float32(32.0),
            Value::Float64(64.0),
            Value::Boolean(true),
            Value::from("stringy"),
            Value::Bytes(b"bytes".to_vec()),
        ];
        (schema, values)
    }

    #[test]
    fn nested_structs_become_dotted_fields() {
        let (types, values) = supported_types();
        let one = Schema::record("one").field("B", types);
        let two = Schema::record("two").field("A", one);
        let input = data(
            two,
            vec![Value::Struct(vec![Value::Struct(values.clone())])],
        );
        let out = transform(&[])
            .apply(with_value(input))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.schema.name.as_deref(), Some("two"));
        let names: Vec<_> = out.schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "A.B.int8",
                "A.B.int16",
                "A.B.int32",
                "A.B.int64",
                "A.B.float32",
                "A.B.float64",
                "A.B.boolean",
                "A.B.string",
                "A.B.bytes"
            ]
        );
        assert_eq!(out.value, Value::Struct(values));
    }

    #[test]
    fn the_delimiter_joins_the_names() {
        let (types, values) = supported_types();
        let input = data(
            Schema::record("one").field("B", types),
            vec![Value::Struct(values)],
        );
        let out = transform(&[("delimiter", "#")])
            .apply(with_value(input))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.schema.fields[0].name, "B#int8");
    }

    #[test]
    fn optional_fields_and_structs() {
        let inner =
            Schema::record("inner").field("opt_int32", Schema::of(SchemaType::Int32).optional());
        let input = data(
            Schema::record("outer").field("B", inner.clone()),
            vec![Value::Struct(vec![Value::Null])],
        );
        let out = transform(&[])
            .apply(with_value(input))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&out, "B.opt_int32"), &Value::Null);
        // A null optional nested struct gives null leaves.
        let input = data(
            Schema::record("outer").field("B", inner.optional()),
            vec![Value::Null],
        );
        let out = transform(&[])
            .apply(with_value(input))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&out, "B.opt_int32"), &Value::Null);
        // A null optional top-level struct passes unchanged.
        let schema = Arc::new(
            Schema::record("o")
                .field("opt_int32", Schema::of(SchemaType::Int32).optional())
                .optional(),
        );
        let typed_null = with_value(ConnectData::new(schema, Value::Null));
        assert_eq!(
            transform(&[]).apply(typed_null.clone()).unwrap(),
            Some(typed_null)
        );
    }

    #[test]
    fn optional_parents_make_children_optional_and_lend_their_defaults() {
        let child = Schema::record("child")
            .field("req_field", Schema::of(SchemaType::String))
            .field(
                "opt_field",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(json!("child_default")),
            )
            .optional()
            .default_value(json!({"req_field": "req_default", "opt_field": null}));
        let input = data(child, vec![Value::Null, Value::Null]);
        let out = transform(&[])
            .apply(with_value(input))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.schema.fields.len(), 2);
        assert_eq!(
            field_schema(&out, "req_field"),
            &Schema::of(SchemaType::String)
                .optional()
                .default_value(json!("req_default"))
        );
        assert_eq!(
            field_schema(&out, "opt_field"),
            &Schema::of(SchemaType::String)
                .optional()
                .default_value(json!("child_default"))
        );
        // A change event: `before`/`after` are optional, so their columns become optional.
        let out = transform(&[])
            .apply(change_event(1, "a"))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert!(field_schema(&out, "after.id").optional);
        assert!(!field_schema(&out, "source.db").optional);
        assert!(field_schema(&out, "transaction.id").optional);
        assert_eq!(field(&out, "after.id"), &Value::Int32(1));
        assert_eq!(field(&out, "before.id"), &Value::Null);
        assert_eq!(field(&out, "op"), &Value::from("c"));
        assert_eq!(
            out.schema.name.as_deref(),
            Some("srv.inv.customers.Envelope")
        );
    }

    #[test]
    fn arrays_are_kept_as_they_are() {
        let lfg = Schema::record("n").field("lfg", Schema::of(SchemaType::String));
        let inner = Schema::record("i").field("baz", lfg);
        let array = Schema::array(inner).doc("durk");
        let input = data(
            Schema::record("s").field("foo", array),
            vec![Value::Array(vec![Value::Struct(vec![Value::Struct(
                vec![Value::from("lfg")],
            )])])],
        );
        let out = transform(&[])
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out, input);
        // The MySQL schema change event's `tableChanges` array too.
        let before = schema_change().value.unwrap();
        let out = transform(&[])
            .apply(schema_change())
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&out, "tableChanges"), field(&before, "tableChanges"));
        assert_eq!(field(&out, "source.db"), &Value::from("inv"));
    }

    #[test]
    fn null_fields_stay_in_place_and_nothing_else_changes() {
        let s = || Schema::of(SchemaType::String).optional();
        let schema = Schema::record("s")
            .field("firstNull", s())
            .field("firstNonNull", s())
            .field("secondNull", s())
            .field("secondNonNull", s())
            .field("thirdNonNull", s());
        let input = data(
            schema,
            vec![
                Value::Null,
                Value::from("nonNull"),
                Value::Null,
                Value::from("alsoNonNull"),
                Value::Null,
            ],
        );
        let out = transform(&[])
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out, input);
    }

    #[test]
    fn nulls_and_non_structs() {
        let mut t = transform(&[]);
        assert_eq!(t.apply(tombstone(1)).unwrap(), Some(tombstone(1)));
        let mut k = Flatten::new(&Props::of(&[]), RecordPart::Key).unwrap();
        assert_eq!(k.apply(truncate()).unwrap(), Some(truncate()));
        let int = with_value(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Int32(42),
        ));
        assert!(t.apply(int).unwrap_err().0.contains("[flattening]"));
        let map = data(
            Schema::record("m").field(
                "m",
                Schema::map(
                    Schema::of(SchemaType::String),
                    Schema::of(SchemaType::String),
                ),
            ),
            vec![Value::Map(vec![])],
        );
        assert_eq!(
            t.apply(with_value(map)).unwrap_err().0,
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
    }

    #[test]
    fn defaults_fill_nulls_and_schemas_are_cached() {
        let schema = Schema::record("d").field(
            "n",
            Schema::of(SchemaType::Int32)
                .optional()
                .default_value(json!(5)),
        );
        let input = data(schema, vec![Value::Null]);
        let mut t = transform(&[("replace.null.with.default", "false")]);
        let a = t
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        let b = t.apply(with_value(input)).unwrap().unwrap().value.unwrap();
        assert_eq!(field(&a, "n"), &Value::Int32(5));
        assert!(Arc::ptr_eq(&a.schema, &b.schema));
    }

    #[test]
    fn colliding_names_are_an_error() {
        let nested = Schema::record("n").field("b", Schema::of(SchemaType::Int32));
        let input = data(
            Schema::record("s")
                .field("a.b", Schema::of(SchemaType::Int32))
                .field("a", nested),
            vec![Value::Int32(1), Value::Struct(vec![Value::Int32(2)])],
        );
        let err = transform(&[]).apply(with_value(input)).unwrap_err();
        assert_eq!(
            err.0,
            "Cannot create field because of field name duplication a.b"
        );
    }

    #[test]
    fn flattens_keys() {
        let nested = Schema::record("n").field("B", Schema::of(SchemaType::Int32));
        let key = data(
            Schema::record("k").field("A", nested),
            vec![Value::Struct(vec![Value::Int32(12)])],
        );
        let mut k = Flatten::new(&Props::of(&[]), RecordPart::Key).unwrap();
        let out = k.apply(with_key(key)).unwrap().unwrap().key.unwrap();
        assert_eq!(field(&out, "A.B"), &Value::Int32(12));
    }

    #[test]
    fn runs_in_a_chain_by_class_name() {
        let mut chain = chain(&[
            (
                "after",
                "org.apache.kafka.connect.transforms.ExtractField$Value",
                &[("field", "after")],
            ),
            ("flat", "Flatten$Value", &[("delimiter", "_")]),
            (
                "key",
                "org.apache.kafka.connect.transforms.Flatten$Key",
                &[],
            ),
        ]);
        let out = chain.apply(change_event(4, "d")).unwrap().unwrap();
        let value = out.value.unwrap();
        assert_eq!(field(&value, "name"), &Value::from("d"));
        assert_eq!(out.key.unwrap().value, Value::Struct(vec![Value::Int32(4)]));
    }
}
