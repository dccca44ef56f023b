//! What Kafka's `Struct` and `SchemaUtil` give the field transforms: a field's value
//! with or without its schema default (`Struct.get` / `getWithoutDefault`), the basics a
//! derived struct schema copies, and field lists that refuse duplicate names as
//! `SchemaBuilder` does.

use std::sync::Arc;

use base64::Engine;
use ferrium_event::{Field, Schema, SchemaType, Value};
use serde_json::Value as Json;

use crate::TransformError;

/// The schema's default as a value, if it has one that fits the schema. Defaults are kept
/// in their JSON form (bytes as base64, structs as arrays or objects).
pub(super) fn default_value(schema: &Schema) -> Option<Value> {
    schema.default.as_ref().and_then(|d| from_json(schema, d))
}

/// A null replaced by the schema default when `with_default` (Kafka's `Struct.get`),
/// kept as null otherwise (`Struct.getWithoutDefault`).
pub(super) fn or_default(value: Value, schema: &Schema, with_default: bool) -> Value {
    match value {
        Value::Null if with_default => default_value(schema).unwrap_or(Value::Null),
        v => v,
    }
}

/// A JSON default read as a value of `schema`; `None` when it does not fit.
pub(super) fn from_json(schema: &Schema, json: &Json) -> Option<Value> {
    if json.is_null() {
        return Some(Value::Null);
    }
    let value = match schema.kind {
        SchemaType::Int8 => Value::Int8(json.as_i64()?.try_into().ok()?),
        SchemaType::Int16 => Value::Int16(json.as_i64()?.try_into().ok()?),
        SchemaType::Int32 => Value::Int32(json.as_i64()?.try_into().ok()?),
        SchemaType::Int64 => Value::Int64(json.as_i64()?),
        SchemaType::Float32 => Value::Float32(json.as_f64()? as f32),
        SchemaType::Float64 => Value::Float64(json.as_f64()?),
        SchemaType::Boolean => Value::Boolean(json.as_bool()?),
        SchemaType::String => Value::String(json.as_str()?.to_string()),
        SchemaType::Bytes => Value::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(json.as_str()?)
                .ok()?,
        ),
        SchemaType::Array => {
            let items = schema.items.as_deref()?;
            Value::Array(
                json.as_array()?
                    .iter()
                    .map(|item| from_json(items, item))
                    .collect::<Option<_>>()?,
            )
        }
        SchemaType::Map => {
            let (keys, values) = (schema.keys.as_deref()?, schema.values.as_deref()?);
            let entries = match json {
                Json::Object(obj) => obj
                    .iter()
                    .map(|(k, v)| Some((Value::String(k.clone()), from_json(values, v)?)))
                    .collect::<Option<_>>()?,
                Json::Array(pairs) => pairs
                    .iter()
                    .map(|pair| match pair.as_array()?.as_slice() {
                        [k, v] => Some((from_json(keys, k)?, from_json(values, v)?)),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
                _ => return None,
            };
            Value::Map(entries)
        }
        SchemaType::Struct => Value::Struct(
            schema
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let member = struct_member(json, i, &f.name)?;
                    from_json(&f.schema, member)
                })
                .collect::<Option<_>>()?,
        ),
    };
    Some(value)
}

/// Member `index`/`name` of a struct default written as an array or as an object; a
/// missing object member is null.
pub(super) fn struct_member<'a>(json: &'a Json, index: usize, name: &str) -> Option<&'a Json> {
    match json {
        Json::Array(items) => items.get(index),
        Json::Object(obj) => Some(obj.get(name).unwrap_or(&Json::Null)),
        _ => None,
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
