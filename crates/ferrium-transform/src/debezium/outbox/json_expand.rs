//! `table.expand.json.payload`: a string payload parsed as JSON and emitted as Connect
//! data with an inferred schema. Equal inferred schemas are shared as one `Arc`, so
//! events of one shape keep one schema identity for the caches downstream.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema};
use serde_json::Value as Json;

use super::json_data::struct_value;
use super::json_schema::JsonInference;

/// Distinct payload shapes remembered; cleared when full, as `SchemaCache` is.
const CAPACITY: usize = 1024;

pub(super) struct JsonExpander {
    inference: JsonInference,
    /// Inferred schemas by structural hash.
    shared: HashMap<u64, Vec<Arc<Schema>>>,
}

impl JsonExpander {
    pub fn new(inference: JsonInference) -> Self {
        JsonExpander {
            inference,
            shared: HashMap::new(),
        }
    }

    /// The payload as a struct, or why it stays a string. `column` names the payload
    /// column, which names the top-level struct schema.
    pub fn expand(&mut self, column: &str, text: &str) -> Result<ConnectData, String> {
        let document = parse(text)?;
        let schema = self
            .inference
            .schema_for(Some(column), &document)
            .map_err(|e| e.0)?
            .ok_or_else(|| "the document has no inferable schema".to_string())?;
        let value = struct_value(&document, &schema).map_err(|e| e.0)?;
        Ok(ConnectData::new(self.share(schema), value))
    }

    fn share(&mut self, schema: Schema) -> Arc<Schema> {
        let mut hasher = DefaultHasher::new();
        hash_schema(&schema, &mut hasher);
        let key = hasher.finish();
        if let Some(found) = self
            .shared
            .get(&key)
            .and_then(|same_hash| same_hash.iter().find(|s| ***s == schema))
        {
            return found.clone();
        }
        if self.shared.len() >= CAPACITY {
            self.shared.clear();
        }
        let schema = Arc::new(schema);
        self.shared.entry(key).or_default().push(schema.clone());
        schema
    }
}

/// Debezium parses only text that starts (untrimmed) with `{` or `[`, and Jackson's
/// `readTree` reads the first value, ignoring what follows it.
fn parse(text: &str) -> Result<Json, String> {
    match text.chars().next() {
        Some('{' | '[') => {}
        Some(c) => return Err(format!("Unable to parse payload starting with '{c}'")),
        None => return Err("Unable to parse an empty payload".into()),
    }
    match serde_json::Deserializer::from_str(text)
        .into_iter::<Json>()
        .next()
    {
        Some(Ok(document)) => Ok(document),
        Some(Err(e)) => Err(format!("the payload is not JSON: {e}")),
        None => Err("the payload holds no JSON value".into()),
    }
}

/// A hash over what `Schema`'s equality compares.
fn hash_schema(schema: &Schema, state: &mut DefaultHasher) {
    schema.kind.hash(state);
    schema.optional.hash(state);
    schema.name.hash(state);
    schema.version.hash(state);
    schema.doc.hash(state);
    schema.parameters.hash(state);
    schema.default.as_ref().map(|d| d.to_string()).hash(state);
    schema.fields.len().hash(state);
    for field in &schema.fields {
        field.name.hash(state);
        hash_schema(&field.schema, state);
    }
    for child in [&schema.items, &schema.keys, &schema.values] {
        child.is_some().hash(state);
        if let Some(child) = child {
            hash_schema(child, state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{SchemaType, Value};

    #[test]
    fn equal_shapes_share_one_schema() {
        let mut expander = JsonExpander::new(JsonInference::default());
        let a = expander
            .expand("payload", r#"{"id": 1, "eans": [{"code": "1"}]}"#)
            .unwrap();
        let b = expander
            .expand(
                "payload",
                r#"{"id": 2, "eans": [{"code": "2"}, {"code": "3"}]}"#,
            )
            .unwrap();
        assert!(Arc::ptr_eq(&a.schema, &b.schema));
        let c = expander.expand("payload", r#"{"id": "x"}"#).unwrap();
        assert!(!Arc::ptr_eq(&a.schema, &c.schema));
        assert_eq!(a.schema.name.as_deref(), Some("payload"));
        assert_eq!(a.schema.kind, SchemaType::Struct);
        assert_eq!(c.value, Value::Struct(vec![Value::from("x")]));
    }

    #[test]
    fn only_objects_are_expanded() {
        let mut expander = JsonExpander::new(JsonInference::default());
        for text in ["", " {}", "\"x\"", "42", "{not json", "[1, 2]", "[]"] {
            assert!(
                expander.expand("payload", text).is_err(),
                "{text:?} expanded"
            );
        }
        // Text after the first value is ignored, as Jackson's readTree ignores it.
        assert!(expander.expand("payload", "{} trailing").is_ok());
    }
}
