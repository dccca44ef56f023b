//! The `"schema"` part of a `JsonConverter` envelope back to a Connect schema, by the
//! rules of Kafka's `JsonConverter.asConnectSchema`: `type` names the kind, structs
//! list `fields` (each a schema with its `field` name), arrays `items`, maps `keys` and
//! `values`; `optional`, `name`, `version`, `doc`, `parameters` (strings, in order) and
//! `default` apply to any kind. The inverse of [`crate::json_schema`].
//!
//! The default is kept in its JSON form, as [`Schema::default`] holds it; whether it fits
//! the schema is checked where values are read ([`crate::json_read`]).

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType};
use serde_json::Value as Json;

pub(crate) fn schema_from_json(json: &Json) -> Result<Schema, String> {
    let Json::Object(obj) = json else {
        return Err(format!(
            "a schema must be a JSON object, found {}",
            kind_of(json)
        ));
    };
    let kind_name = obj
        .get("type")
        .and_then(Json::as_str)
        .ok_or("a schema has no \"type\" (a string)")?;
    let child = |key: &str| -> Result<Arc<Schema>, String> {
        match obj.get(key) {
            None | Some(Json::Null) => Err(format!("a {kind_name} schema has no \"{key}\"")),
            Some(part) => schema_from_json(part)
                .map(Arc::new)
                .map_err(|e| format!("{kind_name} {key}: {e}")),
        }
    };
    let mut schema = match kind_name {
        "boolean" => Schema::of(SchemaType::Boolean),
        "int8" => Schema::of(SchemaType::Int8),
        "int16" => Schema::of(SchemaType::Int16),
        "int32" => Schema::of(SchemaType::Int32),
        "int64" => Schema::of(SchemaType::Int64),
        "float" => Schema::of(SchemaType::Float32),
        "double" => Schema::of(SchemaType::Float64),
        "bytes" => Schema::of(SchemaType::Bytes),
        "string" => Schema::of(SchemaType::String),
        "array" => {
            let mut array = Schema::of(SchemaType::Array);
            array.items = Some(child("items")?);
            array
        }
        "map" => {
            let mut map = Schema::of(SchemaType::Map);
            map.keys = Some(child("keys")?);
            map.values = Some(child("values")?);
            map
        }
        "struct" => {
            let Some(Json::Array(fields)) = obj.get("fields") else {
                return Err("a struct schema's \"fields\" is not an array".into());
            };
            let mut schema = Schema::of(SchemaType::Struct);
            for field in fields {
                let Some(name) = field.get("field").and_then(Json::as_str) else {
                    return Err("a struct field has no \"field\" name (a string)".into());
                };
                let field_schema =
                    schema_from_json(field).map_err(|e| format!("field '{name}': {e}"))?;
                schema = schema.field(name, field_schema);
            }
            schema
        }
        other => return Err(format!("unknown schema type '{other}'")),
    };
    schema.optional = obj.get("optional").and_then(Json::as_bool) == Some(true);
    schema.name = obj.get("name").and_then(Json::as_str).map(str::to_string);
    if let Some(version) = obj.get("version").filter(|v| v.is_i64() || v.is_u64()) {
        let version = version
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| format!("schema version {version} is not a 32-bit integer"))?;
        schema.version = Some(version);
    }
    schema.doc = obj.get("doc").and_then(Json::as_str).map(str::to_string);
    if let Some(Json::Object(params)) = obj.get("parameters") {
        for (key, value) in params {
            let Json::String(value) = value else {
                return Err(format!(
                    "schema parameter '{key}' is {}, but parameters are strings",
                    kind_of(value)
                ));
            };
            schema.parameters.push((key.clone(), value.clone()));
        }
    }
    // Kafka reads `"default": null` as no default.
    schema.default = obj.get("default").filter(|d| !d.is_null()).cloned();
    Ok(schema)
}

pub(crate) fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_schema::schema_json;
    use serde_json::json;

    #[test]
    fn what_the_writer_writes_reads_back_equal() {
        let schema = Schema::record("s.t.Value")
            .version(3)
            .doc("a row")
            .field(
                "amount",
                Schema::of(SchemaType::Bytes)
                    .named("org.apache.kafka.connect.data.Decimal")
                    .version(1)
                    .param("scale", "2")
                    .param("connect.decimal.precision", "10")
                    .optional(),
            )
            .field(
                "tags",
                Schema::map(
                    Schema::of(SchemaType::Int32),
                    Schema::array(Schema::of(SchemaType::String).optional()),
                ),
            )
            .field(
                "status",
                Schema::of(SchemaType::String).default_value(json!("new")),
            );
        assert_eq!(schema_from_json(&schema_json(&schema)).unwrap(), schema);
    }

    #[test]
    fn problems_are_named() {
        let e = schema_from_json(&json!({"type": "struct", "fields": [{"type": "int32"}]}))
            .unwrap_err();
        assert!(e.contains("\"field\" name"), "{e}");
        let e = schema_from_json(&json!({"type": "uuid"})).unwrap_err();
        assert!(e.contains("unknown schema type 'uuid'"), "{e}");
        let e = schema_from_json(&json!({"type": "array"})).unwrap_err();
        assert!(e.contains("no \"items\""), "{e}");
        let e = schema_from_json(&json!({"type": "string", "parameters": {"a": 1}})).unwrap_err();
        assert!(e.contains("parameter 'a'"), "{e}");
        let e = schema_from_json(&json!({"optional": true})).unwrap_err();
        assert!(e.contains("no \"type\""), "{e}");
    }
}
