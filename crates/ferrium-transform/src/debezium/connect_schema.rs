//! The few pieces of Kafka Connect's schema and struct behaviour that Debezium's
//! transforms lean on through Kafka's own SMTs: `SchemaUtil.copySchemaBasics`, the
//! duplicate-name check of `SchemaBuilder.field`, and `Struct.get`'s substitution of a
//! field's default for a null.

use std::sync::Arc;

pub(crate) use ferrium_event::default_json::default_value;
use ferrium_event::{Field, Schema, SchemaType, Value};

use crate::TransformError;

/// `copySchemaBasics(source, SchemaBuilder.struct())`: a required struct with the
/// source's name, version, doc and parameters, and no fields. Optionality and the
/// default are not copied, which is why Debezium's rebuilt value schemas are required.
pub(crate) fn struct_basics(source: &Schema) -> Schema {
    let mut schema = Schema::of(SchemaType::Struct);
    schema.name = source.name.clone();
    schema.version = source.version;
    schema.doc = source.doc.clone();
    schema.parameters = source.parameters.clone();
    schema
}

/// `copySchemaBasics(source)`: the source's type, name, version, doc and parameters (an
/// array keeps its item schema); no fields, no default, required.
///
/// Kafka also drops a map's key and value schemas here; they are kept so the converter
/// can still describe the schema (only the schema text of a null map differs).
pub(crate) fn copy_basics(source: &Schema) -> Schema {
    let mut schema = Schema::of(source.kind);
    schema.name = source.name.clone();
    schema.version = source.version;
    schema.doc = source.doc.clone();
    schema.parameters = source.parameters.clone();
    schema.items = source.items.clone();
    schema.keys = source.keys.clone();
    schema.values = source.values.clone();
    schema
}

/// `SchemaBuilder.field`: appends a field, refusing a name already present.
pub(crate) fn push_field(
    schema: &mut Schema,
    name: &str,
    field_schema: Arc<Schema>,
) -> Result<(), TransformError> {
    if schema.field_index(name).is_some() {
        return Err(TransformError::new(format!(
            "cannot create field '{name}' in schema {}: a field of that name exists",
            schema.name.as_deref().unwrap_or("(unnamed)")
        )));
    }
    schema.fields.push(Field {
        name: name.to_string(),
        schema: field_schema,
    });
    Ok(())
}

/// The field defaults `Struct.get` would put in place of a null, by field position; only
/// fields whose default can be read back as a value are listed.
pub(crate) fn field_defaults(schema: &Schema) -> Vec<(usize, Value)> {
    schema
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| default_value(&f.schema).map(|v| (i, v)))
        .collect()
}

/// Puts each default in place of a null, as reading the struct with `Struct.get` does.
pub(crate) fn fill_defaults(values: &mut [Value], defaults: &[(usize, Value)]) {
    for (index, default) in defaults {
        if let Some(slot) = values.get_mut(*index) {
            if slot.is_null() {
                *slot = default.clone();
            }
        }
    }
}

/// Java's `String.isBlank`-style check Debezium applies to routed topic names.
pub(crate) fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c <= ' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn basics_drop_optionality_default_and_fields() {
        let source = Schema::record("a.b.Value")
            .version(3)
            .doc("d")
            .param("k", "v")
            .field("id", Schema::of(SchemaType::Int32))
            .optional();
        let copy = struct_basics(&source);
        assert_eq!(copy.name.as_deref(), Some("a.b.Value"));
        assert_eq!(copy.version, Some(3));
        assert_eq!(copy.parameter("k"), Some("v"));
        assert!(!copy.optional);
        assert!(copy.fields.is_empty());
    }

    #[test]
    fn defaults_read_back_from_their_json_form() {
        let s = |kind, default| Schema::of(kind).default_value(default);
        assert_eq!(
            default_value(&s(SchemaType::Int8, json!(5))),
            Some(Value::Int8(5))
        );
        assert_eq!(
            default_value(&s(SchemaType::String, json!("x"))),
            Some(Value::from("x"))
        );
        assert_eq!(
            default_value(&s(SchemaType::Bytes, json!("AQI="))),
            Some(Value::Bytes(vec![1, 2]))
        );
        assert_eq!(default_value(&Schema::of(SchemaType::Int8)), None);
        let mut values = vec![Value::Null, Value::Int8(1)];
        fill_defaults(&mut values, &[(0, Value::from("d")), (1, Value::Int8(9))]);
        assert_eq!(values, [Value::from("d"), Value::Int8(1)]);
    }

    #[test]
    fn duplicate_field_names_are_refused() {
        let mut schema = Schema::record("r").field("a", Schema::of(SchemaType::Int8));
        assert!(push_field(&mut schema, "a", Arc::new(Schema::of(SchemaType::Int8))).is_err());
        assert!(push_field(&mut schema, "b", Arc::new(Schema::of(SchemaType::Int8))).is_ok());
        assert!(is_blank(" \t") && !is_blank(" a"));
    }
}
