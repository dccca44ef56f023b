//! Connect schemas as `JsonConverter` writes them: `type`, then `fields`/`items`/`keys`
//! and `values`, then `optional`, `name`, `version`, `parameters`, `default`, and for a
//! struct member `field` last.

use ferrium_event::Schema;
use serde_json::{Map, Value as Json};

pub(crate) fn schema_json(schema: &Schema) -> Json {
    Json::Object(schema_object(schema))
}

fn schema_object(schema: &Schema) -> Map<String, Json> {
    let mut obj = Map::new();
    obj.insert("type".into(), Json::String(schema.kind.json_name().into()));
    if !schema.fields.is_empty() || schema.kind == ferrium_event::SchemaType::Struct {
        let fields = schema
            .fields
            .iter()
            .map(|field| {
                let mut f = schema_object(&field.schema);
                f.insert("field".into(), Json::String(field.name.clone()));
                Json::Object(f)
            })
            .collect();
        obj.insert("fields".into(), Json::Array(fields));
    }
    if let Some(items) = &schema.items {
        obj.insert("items".into(), schema_json(items));
    }
    if let Some(keys) = &schema.keys {
        obj.insert("keys".into(), schema_json(keys));
    }
    if let Some(values) = &schema.values {
        obj.insert("values".into(), schema_json(values));
    }
    obj.insert("optional".into(), Json::Bool(schema.optional));
    if let Some(name) = &schema.name {
        obj.insert("name".into(), Json::String(name.clone()));
    }
    if let Some(version) = schema.version {
        obj.insert("version".into(), Json::from(version));
    }
    if let Some(doc) = &schema.doc {
        obj.insert("doc".into(), Json::String(doc.clone()));
    }
    if !schema.parameters.is_empty() {
        let params = schema
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        obj.insert("parameters".into(), Json::Object(params));
    }
    if let Some(default) = &schema.default {
        obj.insert("default".into(), default.clone());
    }
    obj
}
