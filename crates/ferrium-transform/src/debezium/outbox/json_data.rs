//! The value of an expanded JSON payload under its inferred schema, as Debezium's
//! `JsonSchemaData.toConnectData` builds it: struct fields are taken by name from the
//! document (absent ones stay null), and every value must satisfy its schema the way
//! Kafka's `Struct.put` checks it, so a document that does not fit fails as a whole.

use ferrium_event::{Schema, SchemaType, Value};
use serde_json::{Map, Value as Json};

use super::json_schema::JsonNumber;

/// A document that does not fit the schema inferred for it (a field whose type
/// differs between array elements, an integer beyond `long`, a top-level array).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ConversionError(pub String);

/// The struct of a top-level JSON object.
pub(super) fn struct_value(document: &Json, schema: &Schema) -> Result<Value, ConversionError> {
    if schema.kind != SchemaType::Struct {
        return Err(ConversionError(format!(
            "Not a struct schema: {}",
            schema.kind.json_name()
        )));
    }
    let empty = Map::new();
    let members = document.as_object().unwrap_or(&empty);
    schema
        .fields
        .iter()
        .map(|field| match members.get(&field.name) {
            Some(node) => field_value(node, &field.schema)
                .map_err(|e| ConversionError(format!("field '{}': {}", field.name, e.0))),
            None => Ok(Value::Null),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Struct)
}

fn mismatch(node: &Json, schema: &Schema) -> ConversionError {
    ConversionError(format!(
        "the value {node} does not fit the schema type {}",
        schema.kind.json_name()
    ))
}

fn field_value(node: &Json, schema: &Schema) -> Result<Value, ConversionError> {
    let fits = |kind: SchemaType| schema.kind == kind;
    match node {
        Json::Null if schema.optional => Ok(Value::Null),
        Json::Null => Err(ConversionError("null used for a required value".into())),
        Json::String(s) if fits(SchemaType::String) => Ok(Value::String(s.clone())),
        Json::Bool(b) if fits(SchemaType::Boolean) => Ok(Value::Boolean(*b)),
        Json::Number(n) => match JsonNumber::of(n) {
            JsonNumber::Int(v) if fits(SchemaType::Int32) => Ok(Value::Int32(v)),
            JsonNumber::Long(v) if fits(SchemaType::Int64) => Ok(Value::Int64(v)),
            JsonNumber::Double(v) if fits(SchemaType::Float64) => Ok(Value::Float64(v)),
            _ => Err(mismatch(node, schema)),
        },
        Json::Array(elements) if fits(SchemaType::Array) => {
            let items = schema
                .items
                .as_deref()
                .ok_or_else(|| ConversionError("array schema without items".into()))?;
            elements
                .iter()
                .map(|e| field_value(e, items))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Json::Object(_) if fits(SchemaType::Struct) => struct_value(node, schema),
        _ => Err(mismatch(node, schema)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::json_schema::JsonInference;
    use super::*;

    fn convert(json: &str) -> Result<Value, ConversionError> {
        let document: Json = serde_json::from_str(json).unwrap();
        let schema = JsonInference::default()
            .schema_for(Some("payload"), &document)
            .unwrap()
            .unwrap();
        struct_value(&document, &schema)
    }

    #[test]
    fn values_follow_the_schema_order() {
        assert_eq!(
            convert(
                r#"{"name": "John", "age": 42, "rating": 4.9, "ok": true, "tags": ["a"], "gone": null}"#
            ),
            Ok(Value::Struct(vec![
                Value::from("John"),
                Value::Int32(42),
                Value::Float64(4.9),
                Value::Boolean(true),
                Value::Array(vec![Value::from("a")]),
            ]))
        );
    }

    #[test]
    fn elements_missing_a_merged_field_hold_null() {
        assert_eq!(
            convert(r#"{"pets": [{"type": "dog"}, {"type": "cat", "age": 3}]}"#),
            Ok(Value::Struct(vec![Value::Array(vec![
                Value::Struct(vec![Value::from("dog"), Value::Null]),
                Value::Struct(vec![Value::from("cat"), Value::Int32(3)]),
            ])]))
        );
    }

    #[test]
    fn documents_that_do_not_fit_fail() {
        // The first element's type wins the merge; the second does not fit it.
        assert!(convert(r#"{"a": [{"x": 1}, {"x": "one"}]}"#).is_err());
        // A Java Integer is no INT64 value, even where the merge chose int64.
        assert!(convert(r#"{"a": [{"x": 10000000000}, {"x": 1}]}"#).is_err());
        // Jackson reads this as a BigInteger, which no Connect schema accepts.
        assert!(convert(r#"{"n": 9223372036854775808}"#).is_err());
        // Merged element schemas are required, so a null element no longer fits.
        assert!(convert(r#"{"a": [{"x": 1}, {"y": 2}, null]}"#).is_err());
        assert!(convert(r#"{"a": [[1], ["x"]]}"#).is_err());
        let document: Json = serde_json::from_str("[1, 2]").unwrap();
        let schema = JsonInference::default()
            .schema_for(Some("payload"), &document)
            .unwrap()
            .unwrap();
        assert!(struct_value(&document, &schema).is_err());
    }
}
