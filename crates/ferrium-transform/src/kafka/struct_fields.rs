//! What Kafka's `Struct` and `SchemaUtil` give the field transforms: a field's value
//! with or without its schema default (`Struct.get` / `getWithoutDefault`), the basics a
//! derived struct schema copies, and field lists that refuse duplicate names as
//! `SchemaBuilder` does.

use std::sync::Arc;

use ferrium_event::{Field, Schema, SchemaType, Value};

pub(super) use ferrium_event::default_json::{default_value, struct_member};

use crate::TransformError;

/// A null replaced by the schema default when `with_default` (Kafka's `Struct.get`),
/// kept as null otherwise (`Struct.getWithoutDefault`).
pub(super) fn or_default(value: Value, schema: &Schema, with_default: bool) -> Value {
    match value {
        Value::Null if with_default => default_value(schema).unwrap_or(Value::Null),
        v => v,
    }
}

/// A new required struct schema carrying the name, version, doc and parameters of
/// `source` (`SchemaUtil.copySchemaBasics`: optionality and default are not copied).
pub(super) fn struct_basics(source: &Schema) -> Schema {
    let mut schema = Schema::of(SchemaType::Struct);
    schema.name = source.name.clone();
    schema.version = source.version;
    schema.doc = source.doc.clone();
    schema.parameters = source.parameters.clone();
    schema
}

/// Appends a field, refusing a name already present as `SchemaBuilder.field` does.
pub(super) fn add_field(
    schema: &mut Schema,
    name: &str,
    field_schema: Arc<Schema>,
) -> Result<(), TransformError> {
    if schema.fields.iter().any(|f| f.name == name) {
        return Err(TransformError::new(format!(
            "Cannot create field because of field name duplication {name}"
        )));
    }
    schema.fields.push(Field {
        name: name.to_string(),
        schema: field_schema,
    });
    Ok(())
}

/// The positional values of a struct value (empty for anything else: callers check
/// with `require_struct` first).
pub(super) fn into_fields(value: Value) -> Vec<Value> {
    match value {
        Value::Struct(values) => values,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::default_json::from_json;
    use serde_json::json;

    #[test]
    fn defaults_are_read_in_their_json_form() {
        let int = Schema::of(SchemaType::Int32)
            .optional()
            .default_value(json!(42));
        assert_eq!(or_default(Value::Null, &int, true), Value::Int32(42));
        assert_eq!(or_default(Value::Null, &int, false), Value::Null);
        assert_eq!(or_default(Value::Int32(1), &int, true), Value::Int32(1));
        let bytes = Schema::of(SchemaType::Bytes).default_value(json!("AQI="));
        assert_eq!(default_value(&bytes), Some(Value::Bytes(vec![1, 2])));
        let row = Schema::record("r")
            .field("a", Schema::of(SchemaType::String))
            .field("b", Schema::of(SchemaType::Int64).optional());
        assert_eq!(
            from_json(&row, &json!({"a": "x"})),
            Some(Value::Struct(vec![Value::from("x"), Value::Null]))
        );
        assert_eq!(
            from_json(&row, &json!(["x", 3])),
            Some(Value::Struct(vec![Value::from("x"), Value::Int64(3)]))
        );
        // A default that does not fit its schema is no default.
        let bad = Schema::of(SchemaType::Int8).default_value(json!(1000));
        assert_eq!(default_value(&bad), None);
    }

    #[test]
    fn duplicate_field_names_are_refused() {
        let mut schema = Schema::record("r").field("a", Schema::of(SchemaType::Int32));
        let err = add_field(&mut schema, "a", Arc::new(Schema::of(SchemaType::Int32))).unwrap_err();
        assert_eq!(
            err.0,
            "Cannot create field because of field name duplication a"
        );
    }

    #[test]
    fn basics_drop_optionality_and_default() {
        let source = Schema::record("n")
            .version(3)
            .doc("d")
            .param("k", "v")
            .optional()
            .default_value(json!([]));
        let copy = struct_basics(&source);
        assert_eq!(copy.name.as_deref(), Some("n"));
        assert_eq!((copy.version, copy.doc.as_deref()), (Some(3), Some("d")));
        assert_eq!(copy.parameter("k"), Some("v"));
        assert!(!copy.optional && copy.default.is_none());
    }
}
