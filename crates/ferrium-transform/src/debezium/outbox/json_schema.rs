//! A Connect schema inferred from a JSON document, as Debezium's
//! `JsonSchemaData.toConnectSchema` infers it: every schema optional; objects become
//! structs named by their path from the payload column (`payload`, `payload.address`);
//! an array's items are inferred from its first non-null element, and an array of
//! objects merges the distinct element schemas field by field.

use ferrium_event::{Field, Schema, SchemaType};
use serde_json::Value as Json;

/// The two inference options of the router.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct JsonInference {
    /// `table.json.payload.null.behavior=optional_bytes`: a null becomes an optional
    /// bytes field instead of no field.
    pub null_as_optional_bytes: bool,
    /// `table.json.payload.empty.array.behavior=optional_string`: an empty array becomes
    /// an array of optional strings instead of no field.
    pub empty_array_as_optional_strings: bool,
}

/// A document whose schema cannot be inferred (a mixed array); the payload stays text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct InferenceError(pub String);

/// How Jackson reads a JSON number, which decides its schema and its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum JsonNumber {
    Int(i32),
    Long(i64),
    Double(f64),
    /// Beyond `long`: Jackson's `BigInteger`, given a float64 schema but a value no
    /// Connect schema accepts.
    Big,
}

impl JsonNumber {
    pub fn of(n: &serde_json::Number) -> JsonNumber {
        match (n.as_i64(), n.is_u64(), n.as_f64()) {
            (Some(v), _, _) => i32::try_from(v).map_or(JsonNumber::Long(v), JsonNumber::Int),
            (None, true, _) => JsonNumber::Big,
            (None, false, f) => JsonNumber::Double(f.unwrap_or(f64::NAN)),
        }
    }

    fn schema_type(self) -> SchemaType {
        match self {
            JsonNumber::Int(_) => SchemaType::Int32,
            JsonNumber::Long(_) => SchemaType::Int64,
            JsonNumber::Double(_) | JsonNumber::Big => SchemaType::Float64,
        }
    }
}

/// Jackson's node types, to check that an array is homogeneous.
fn node_type(node: &Json) -> &'static str {
    match node {
        Json::Null => "NULL",
        Json::Bool(_) => "BOOLEAN",
        Json::Number(_) => "NUMBER",
        Json::String(_) => "STRING",
        Json::Array(_) => "ARRAY",
        Json::Object(_) => "OBJECT",
    }
}

fn optional(kind: SchemaType) -> Schema {
    Schema::of(kind).optional()
}

/// Java's `String.trim().isEmpty()`: blank means only characters up to U+0020.
fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c <= ' ')
}

impl JsonInference {
    /// The schema of `node` under the struct name `key`; `None` when the node adds no
    /// field (a null or an empty array under the default behaviours).
    pub fn schema_for(
        &self,
        key: Option<&str>,
        node: &Json,
    ) -> Result<Option<Schema>, InferenceError> {
        Ok(Some(match node {
            Json::String(_) => optional(SchemaType::String),
            Json::Bool(_) => optional(SchemaType::Boolean),
            Json::Number(n) => optional(JsonNumber::of(n).schema_type()),
            Json::Array(items) if items.is_empty() => {
                if !self.empty_array_as_optional_strings {
                    return Ok(None);
                }
                Schema::array(optional(SchemaType::String)).optional()
            }
            Json::Array(items) => Schema::array(self.items_schema(key, items)?).optional(),
            Json::Object(members) => {
                let mut schema = Schema::of(SchemaType::Struct).optional();
                schema.name = key.map(str::to_string);
                for (name, value) in members {
                    let field_key = match key {
                        Some(k) if !is_blank(k) => format!("{k}.{name}"),
                        _ => name.clone(),
                    };
                    if let Some(field_schema) = self.schema_for(Some(&field_key), value)? {
                        if schema.field_index(name).is_none() {
                            schema = schema.field(name.clone(), field_schema);
                        }
                    }
                }
                schema
            }
            Json::Null if self.null_as_optional_bytes => optional(SchemaType::Bytes),
            Json::Null => return Ok(None),
        }))
    }

    /// The items of a non-empty array: the schema of its first non-null element, or
    /// for objects the merge of every distinct object element's schema (in element
    /// order; Debezium merges in hash-set order, which varies from run to run).
    fn items_schema(&self, key: Option<&str>, items: &[Json]) -> Result<Schema, InferenceError> {
        let sample = first_element(items)?;
        if sample.is_object() {
            let mut distinct: Vec<Schema> = Vec::new();
            for element in items.iter().filter(|e| e.is_object()) {
                if let Some(schema) = self.schema_for(key, element)? {
                    if !distinct.contains(&schema) {
                        distinct.push(schema);
                    }
                }
            }
            let mut merged = distinct.into_iter();
            let first = merged
                .next()
                .ok_or_else(|| InferenceError("Array has no object element".into()))?;
            return Ok(merged.fold(first, merge));
        }
        self.schema_for(None, sample)?.ok_or_else(|| {
            InferenceError(format!("Array '{sample}' has unrecognized member schema."))
        })
    }
}

/// The first non-null element (a null when there is none), after checking that every
/// non-null element has its node type, and for numbers its schema type.
fn first_element(items: &[Json]) -> Result<&Json, InferenceError> {
    let mut reference: Option<&Json> = None;
    for element in items.iter().filter(|e| !e.is_null()) {
        let first = *reference.get_or_insert(element);
        if node_type(element) != node_type(first) {
            return Err(InferenceError(format!(
                "Field is not a homogenous array ({first} x {}).",
                node_type(element)
            )));
        }
        if let (Json::Number(a), Json::Number(b)) = (first, element) {
            let (a_type, b_type) = (
                JsonNumber::of(a).schema_type(),
                JsonNumber::of(b).schema_type(),
            );
            if a_type != b_type {
                return Err(InferenceError(format!(
                    "Field is not a homogenous array ({first} x {element}), different number types ({} x {})",
                    a_type.json_name(),
                    b_type.json_name()
                )));
            }
        }
    }
    Ok(reference.unwrap_or(&Json::Null))
}

/// Debezium's `mergeSchema`: the left fields, then the right's new ones; a field only
/// known as bytes (a null) takes the right's type. The result copies the left's name
/// but, being rebuilt, is no longer optional.
fn merge(left: Schema, right: Schema) -> Schema {
    let mut fields: Vec<Field> = left.fields;
    for field in right.fields {
        match fields.iter().position(|f| f.name == field.name) {
            None => fields.push(field),
            Some(i) => {
                let old = &fields[i].schema;
                if old != &field.schema
                    && old.kind == SchemaType::Bytes
                    && field.schema.kind != SchemaType::Bytes
                {
                    fields[i] = field;
                }
            }
        }
    }
    let mut merged = Schema::of(SchemaType::Struct);
    merged.name = left.name;
    merged.version = left.version;
    merged.doc = left.doc;
    merged.parameters = left.parameters;
    merged.fields = fields;
    merged
}

/// The items schema of an array schema, for tests and callers that walk a result.
#[cfg(test)]
pub(super) fn items(schema: &Schema) -> &std::sync::Arc<Schema> {
    schema.items.as_ref().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(
        inference: JsonInference,
        key: Option<&str>,
        json: &str,
    ) -> Result<Option<Schema>, InferenceError> {
        inference.schema_for(key, &serde_json::from_str(json).unwrap())
    }

    fn field<'a>(schema: &'a Schema, name: &str) -> &'a Schema {
        &schema.fields[schema
            .field_index(name)
            .unwrap_or_else(|| panic!("no field {name}"))]
        .schema
    }

    fn s(kind: SchemaType) -> Schema {
        optional(kind)
    }

    fn record(name: &str) -> Schema {
        Schema::record(name).optional()
    }

    // JsonSchemaDataTest.shouldCreateCorrectSchemaFromInsertJson, on a document of the
    // same shape.
    #[test]
    fn names_structs_by_their_path_and_keeps_field_order() {
        let json = r#"{"address": {"building": "1007", "floor": {"level": 3, "description": "first"},
            "coord": [-73.856077, 40.848447], "street": "Morris Park Ave", "zipcode": "10462"},
            "borough": "Bronx", "cuisine": "Bakery",
            "grades": [{"date": {"$date": 1393804800000}, "grade": "A", "score": 2},
                       {"date": {"$date": 1378857600000}, "grade": "A", "score": 6}],
            "name": "Morris Park Bake Shop", "restaurant_id": "30075445"}"#;
        let schema = infer(JsonInference::default(), Some("pub"), json)
            .unwrap()
            .unwrap();
        let expected = record("pub")
            .field(
                "address",
                record("pub.address")
                    .field("building", s(SchemaType::String))
                    .field(
                        "floor",
                        record("pub.address.floor")
                            .field("level", s(SchemaType::Int32))
                            .field("description", s(SchemaType::String)),
                    )
                    .field("coord", Schema::array(s(SchemaType::Float64)).optional())
                    .field("street", s(SchemaType::String))
                    .field("zipcode", s(SchemaType::String)),
            )
            .field("borough", s(SchemaType::String))
            .field("cuisine", s(SchemaType::String))
            .field(
                "grades",
                Schema::array(
                    record("pub.grades")
                        .field(
                            "date",
                            record("pub.grades.date").field("$date", s(SchemaType::Int64)),
                        )
                        .field("grade", s(SchemaType::String))
                        .field("score", s(SchemaType::Int32)),
                )
                .optional(),
            )
            .field("name", s(SchemaType::String))
            .field("restaurant_id", s(SchemaType::String));
        assert_eq!(schema, expected);
    }

    // JsonSchemaDataTest.shouldCreateCorrectSchemaFromArrayJson
    #[test]
    fn merges_the_fields_of_object_elements() {
        let plain = JsonInference::default();
        let bytes = JsonInference {
            null_as_optional_bytes: true,
            ..JsonInference::default()
        };
        let cases = [
            (
                plain,
                r#"[{"code":"100","description":"some"},{"code":"200","description":"other"},{"code":"300"}]"#,
                SchemaType::String,
            ),
            (
                plain,
                r#"[{"code":"100","description":null},{"code":"200","description":"other"},{"code":"300"}]"#,
                SchemaType::String,
            ),
            (
                bytes,
                r#"[{"code":"100","description":null},{"code":"200","description":null},{"code":"300"}]"#,
                SchemaType::Bytes,
            ),
            (
                bytes,
                r#"[{"code":"100","description":null},{"code":"200","description":"other"},{"code":"300"}]"#,
                SchemaType::String,
            ),
        ];
        for (inference, json, description) in cases {
            let schema = infer(inference, Some("test_arr"), json).unwrap().unwrap();
            let element = items(&schema);
            assert_eq!(field(element, "code").kind, SchemaType::String, "{json}");
            assert_eq!(field(element, "description").kind, description, "{json}");
            // Rebuilt by the merge, so required, as Debezium's copy of the basics is.
            assert!(!element.optional);
            assert_eq!(element.name.as_deref(), Some("test_arr"));
        }
    }

    #[test]
    fn equal_element_schemas_are_not_merged_and_stay_optional() {
        let schema = infer(JsonInference::default(), Some("k"), r#"[{"a":1},{"a":2}]"#)
            .unwrap()
            .unwrap();
        assert!(items(&schema).optional);
    }

    // JsonSchemaDataTest.failSchemaCheckForArrayWithDifferentNumberTypes
    #[test]
    fn an_array_of_mixed_numbers_is_refused() {
        let err = infer(JsonInference::default(), None, r#"{"test": [1, 2.0, 3.0]}"#).unwrap_err();
        assert!(
            err.0.contains("different number types (int32 x double)"),
            "{}",
            err.0
        );
        assert!(infer(JsonInference::default(), None, r#"{"t": [1, 10000000000]}"#).is_err());
        assert!(infer(JsonInference::default(), None, r#"{"t": [1, "a"]}"#).is_err());
    }

    #[test]
    fn an_array_without_a_recognisable_member_is_refused() {
        assert!(infer(JsonInference::default(), None, r#"{"t": [null, null]}"#).is_err());
        assert!(infer(JsonInference::default(), None, r#"{"t": [[], [1]]}"#).is_err());
        let bytes = JsonInference {
            null_as_optional_bytes: true,
            ..JsonInference::default()
        };
        let schema = infer(bytes, None, r#"{"t": [null]}"#).unwrap().unwrap();
        assert_eq!(items(field(&schema, "t")).kind, SchemaType::Bytes);
    }

    // JsonSchemaDataTest.shouldConvertNullNodeToOptionalBytes and the empty-array cases.
    #[test]
    fn nulls_and_empty_arrays_follow_their_behaviours() {
        let plain = JsonInference::default();
        let schema = infer(
            plain,
            Some("payload"),
            r#"{"heartbeat": 1, "email": null, "tags": []}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(schema.fields.len(), 1);
        assert_eq!(field(&schema, "heartbeat").kind, SchemaType::Int32);

        let keep = JsonInference {
            null_as_optional_bytes: true,
            empty_array_as_optional_strings: true,
        };
        let schema = infer(
            keep,
            Some("payload"),
            r#"{"email": null, "nested": {"tags": []}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(field(&schema, "email"), &s(SchemaType::Bytes));
        let tags = field(field(&schema, "nested"), "tags");
        assert_eq!(tags, &Schema::array(s(SchemaType::String)).optional());
        assert_eq!(infer(plain, Some("payload"), "[]").unwrap(), None);
    }

    #[test]
    fn numbers_are_typed_as_jackson_reads_them() {
        let schema = infer(
            JsonInference::default(),
            None,
            r#"{"i": 42, "l": 4200000000, "d": 4.9, "e": 1e3, "big": 18446744073709551615}"#,
        )
        .unwrap()
        .unwrap();
        let kinds: Vec<_> = schema.fields.iter().map(|f| f.schema.kind).collect();
        assert_eq!(
            kinds,
            [
                SchemaType::Int32,
                SchemaType::Int64,
                SchemaType::Float64,
                SchemaType::Float64,
                SchemaType::Float64
            ]
        );
        // Without a key, nested structs are named by the field alone.
        let nested = infer(JsonInference::default(), None, r#"{"a": {"b": {"c": 1}}}"#)
            .unwrap()
            .unwrap();
        assert_eq!(nested.name, None);
        assert_eq!(field(field(&nested, "a"), "b").name.as_deref(), Some("a.b"));
    }
}
