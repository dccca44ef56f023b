//! `ValueToKey`: replaces the record key with a struct of the named fields of the
//! struct value, in the order listed. The value is unchanged.
//!
//! Kafka's has no pass-through for a null value: a tombstone fails, as here.

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::record_part::{require_map_of_null, require_struct};
use super::struct_fields::{add_field, or_default};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "copying fields from value to key";

pub struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
    /// Key schemas by value schema.
    schemas: SchemaCache,
}

fn derive_key_schema(fields: &[String], value: &Schema) -> Result<Schema, TransformError> {
    let mut key = Schema::of(SchemaType::Struct);
    for name in fields {
        let index = value
            .field_index(name)
            .ok_or_else(|| TransformError::new(format!("Field does not exist: {name}")))?;
        add_field(&mut key, name, value.fields[index].schema.clone())?;
    }
    Ok(key)
}

impl ValueToKey {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let fields = props.list("fields");
        if fields.is_empty() {
            return Err(props.problem("fields", "is required and must name at least one field"));
        }
        Ok(ValueToKey {
            fields,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            schemas: SchemaCache::new(),
        })
    }
}

impl Transform for ValueToKey {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(value) = &record.value else {
            return Err(require_map_of_null(PURPOSE));
        };
        require_struct(Some(value), PURPOSE)?;
        let fields = &self.fields;
        let key_schema = self
            .schemas
            .get_or_insert(&value.schema, |s| derive_key_schema(fields, s))?;
        let Value::Struct(values) = &value.value else {
            return Ok(Some(record));
        };
        // Every name was found when the key schema was derived for this value schema.
        let key_values = fields
            .iter()
            .filter_map(|name| value.schema.field_index(name))
            .map(|i| {
                let v = values.get(i).cloned().unwrap_or(Value::Null);
                or_default(
                    v,
                    &value.schema.fields[i].schema,
                    self.replace_null_with_default,
                )
            })
            .collect();
        record.key = Some(ConnectData::new(key_schema, Value::Struct(key_values)));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use serde_json::json;

    fn abc() -> ConnectData {
        data(
            Schema::record("v")
                .field("a", Schema::of(SchemaType::Int32))
                .field("b", Schema::of(SchemaType::Int32))
                .field("c", Schema::of(SchemaType::Int32)),
            vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)],
        )
    }

    fn transform(pairs: &[(&str, &str)]) -> ValueToKey {
        ValueToKey::new(&Props::of(pairs)).unwrap()
    }

    #[test]
    fn the_key_is_a_struct_of_the_listed_fields() {
        let mut t = transform(&[("fields", "a,b")]);
        let value = abc();
        let out = t.apply(with_value(value.clone())).unwrap().unwrap();
        let key = out.key.unwrap();
        let expected = Schema::of(SchemaType::Struct)
            .field("a", Schema::of(SchemaType::Int32))
            .field("b", Schema::of(SchemaType::Int32));
        assert_eq!(*key.schema, expected);
        assert_eq!(
            key.value,
            Value::Struct(vec![Value::Int32(1), Value::Int32(2)])
        );
        assert_eq!(out.value, Some(value));
    }

    #[test]
    fn listed_order_wins_and_schemas_are_cached() {
        let mut t = transform(&[("fields", "c,a")]);
        let input = abc();
        let a = t
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .key
            .unwrap();
        let b = t.apply(with_value(input)).unwrap().unwrap().key.unwrap();
        assert_eq!(
            a.value,
            Value::Struct(vec![Value::Int32(3), Value::Int32(1)])
        );
        assert!(std::sync::Arc::ptr_eq(&a.schema, &b.schema));
    }

    #[test]
    fn a_missing_field_is_an_error() {
        let mut t = transform(&[("fields", "not_exist")]);
        let err = t.apply(with_value(abc())).unwrap_err();
        assert_eq!(err.0, "Field does not exist: not_exist");
    }

    #[test]
    fn replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut t = transform(&[
                ("fields", "optional_with_default"),
                ("replace.null.with.default", replace),
            ]);
            let value = data(
                Schema::record("v").field(
                    "optional_with_default",
                    Schema::of(SchemaType::Int32)
                        .optional()
                        .default_value(json!(42)),
                ),
                vec![Value::Null],
            );
            let key = t.apply(with_value(value)).unwrap().unwrap().key.unwrap();
            assert_eq!(key.value, Value::Struct(vec![expected]));
        }
    }

    #[test]
    fn null_values_fail_as_in_kafka() {
        let mut t = transform(&[("fields", "id")]);
        assert!(t.apply(tombstone(1)).unwrap_err().0.contains("found: null"));
        let typed_null = with_value(ConnectData::new(row_schema(), Value::Null));
        assert!(t.apply(typed_null).unwrap_err().0.contains("found: null"));
    }

    #[test]
    fn debezium_records_need_the_fields_at_the_top_level() {
        // A change event's columns are inside `after`: `op` is a top-level field.
        let mut t = transform(&[("fields", "op")]);
        let key = t.apply(change_event(1, "a")).unwrap().unwrap().key.unwrap();
        assert_eq!(key.value, Value::Struct(vec![Value::from("c")]));
        let mut t = transform(&[("fields", "id")]);
        assert_eq!(
            t.apply(change_event(1, "a")).unwrap_err().0,
            "Field does not exist: id"
        );
        let key = t.apply(transaction_end()).unwrap().unwrap().key.unwrap();
        assert_eq!(key.value, Value::Struct(vec![Value::from("tx-1")]));
    }

    #[test]
    fn no_fields_is_refused() {
        assert!(ValueToKey::new(&Props::of(&[("fields", "")])).is_err());
    }

    #[test]
    fn is_registered() {
        let mut chain = chain(&[
            ("after", "ExtractField$Value", &[("field", "after")]),
            (
                "key",
                "org.apache.kafka.connect.transforms.ValueToKey",
                &[("fields", "name")],
            ),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(
            out.key.unwrap().value,
            Value::Struct(vec![Value::from("a")])
        );
    }
}
