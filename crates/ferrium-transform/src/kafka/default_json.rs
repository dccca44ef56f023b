//! Values written as schema defaults: Ferrium keeps a default in the JSON form
//! `JsonConverter` writes (bytes in base64, structs as objects), so a transform that
//! derives a default (Cast's cast default, TimestampConverter's converted struct
//! default) writes it back in that form. `struct_fields::from_json` reads it.

use base64::Engine;
use ferrium_event::{Schema, SchemaType, Value};
use serde_json::Value as Json;

/// A value in the JSON form of a schema default, as `JsonConverter` writes it: bytes in
/// base64, structs as objects by field name, maps with string keys as objects.
pub(super) fn to_json(schema: &Schema, value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int8(i) => Json::from(*i),
        Value::Int16(i) => Json::from(*i),
        Value::Int32(i) => Json::from(*i),
        Value::Int64(i) => Json::from(*i),
        Value::Float32(f) => Json::from(f64::from(*f)),
        Value::Float64(f) => Json::from(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Array(items) => match schema.items.as_deref() {
            Some(item_schema) => {
                Json::Array(items.iter().map(|v| to_json(item_schema, v)).collect())
            }
            None => Json::Null,
        },
        Value::Map(entries) => {
            let (Some(keys), Some(values)) = (schema.keys.as_deref(), schema.values.as_deref())
            else {
                return Json::Null;
            };
            if keys.kind == SchemaType::String {
                Json::Object(
                    entries
                        .iter()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), to_json(values, v))))
                        .collect(),
                )
            } else {
                Json::Array(
                    entries
                        .iter()
                        .map(|(k, v)| Json::Array(vec![to_json(keys, k), to_json(values, v)]))
                        .collect(),
                )
            }
        }
        Value::Struct(fields) => Json::Object(
            schema
                .fields
                .iter()
                .zip(fields)
                .map(|(f, v)| (f.name.clone(), to_json(&f.schema, v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::struct_fields::default_value;
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_round_trip_through_their_json_form() {
        let bytes = Schema::of(SchemaType::Bytes).default_value(json!("AQI="));
        let value = default_value(&bytes).unwrap();
        assert_eq!(value, Value::Bytes(vec![1, 2]));
        assert_eq!(to_json(&bytes, &value), json!("AQI="));
        let record = Schema::of(SchemaType::Struct)
            .field("a", Schema::of(SchemaType::Int32))
            .field("b", Schema::of(SchemaType::String).optional());
        let value = Value::Struct(vec![Value::Int32(1), Value::Null]);
        let json = to_json(&record, &value);
        assert_eq!(json, json!({"a": 1, "b": null}));
        assert_eq!(
            default_value(&record.clone().default_value(json)),
            Some(value)
        );
    }
}
