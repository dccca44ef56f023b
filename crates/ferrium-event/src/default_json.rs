//! Values written as schema defaults: Ferrium keeps a default in the JSON form
//! `JsonConverter` writes (bytes in base64, structs as objects), so sources (a column's
//! `DEFAULT`) and transforms (Cast's cast default, TimestampConverter's converted struct
//! default) write it in that form, a converter passes it on as it is, and whatever needs
//! the default as a value (`Struct.get`'s null replacement) reads it back here.

use base64::Engine;

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
        // Kafka writes a float default as Java's Float.toString does: its shortest form
        // (1.1, not the 1.100000023841858 of widening to double).
        Value::Float32(f) => Json::from(f.to_string().parse::<f64>().unwrap_or(f64::from(*f))),
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

/// The schema's default as a value, if it has one that fits the schema. Defaults are kept
/// in their JSON form (bytes as base64, structs as arrays or objects).
pub fn default_value(schema: &Schema) -> Option<Value> {
    schema.default.as_ref().and_then(|d| from_json(schema, d))
}

/// A JSON default read as a value of `schema`; `None` when it does not fit.
pub fn from_json(schema: &Schema, json: &Json) -> Option<Value> {
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
pub fn struct_member<'a>(json: &'a Json, index: usize, name: &str) -> Option<&'a Json> {
    match json {
        Json::Array(items) => items.get(index),
        Json::Object(obj) => Some(obj.get(name).unwrap_or(&Json::Null)),
        _ => None,
    }
}
