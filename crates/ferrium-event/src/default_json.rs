//! Values written as schema defaults: Ferrium keeps a default in the JSON form
//! `JsonConverter` writes (bytes in base64, structs as objects), so sources (a column's
//! `DEFAULT`) and transforms (Cast's cast default, TimestampConverter's converted struct
//! default) write it in that form, and a converter passes it on as it is.

use crate::logical::binary::base64_standard;
use crate::{Schema, SchemaType, Value};
use serde_json::Value as Json;

/// A value in the JSON form of a schema default, as `JsonConverter` writes it: bytes in
/// base64, structs as objects by field name, maps with string keys as objects.
pub fn default_json(schema: &Schema, value: &Value) -> Json {
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
        Value::Bytes(b) => Json::String(base64_standard(b)),
        Value::Array(items) => match schema.items.as_deref() {
            Some(item_schema) => {
                Json::Array(items.iter().map(|v| default_json(item_schema, v)).collect())
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
                        .filter_map(|(k, v)| {
                            Some((k.as_str()?.to_string(), default_json(values, v)))
                        })
                        .collect(),
                )
            } else {
                Json::Array(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            Json::Array(vec![default_json(keys, k), default_json(values, v)])
                        })
                        .collect(),
                )
            }
        }
        Value::Struct(fields) => Json::Object(
            schema
                .fields
                .iter()
                .zip(fields)
                .map(|(f, v)| (f.name.clone(), default_json(&f.schema, v)))
                .collect(),
        ),
    }
}
