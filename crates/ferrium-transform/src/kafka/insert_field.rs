//! `InsertField$Key` / `InsertField$Value`: appends fields from the record's metadata
//! (topic, partition, timestamp) or a static string to a struct key or value.
//!
//! A field spec ending in `!` makes the field required, `?` (the default) optional. A
//! null part passes unchanged. `offset.field` exists only for sink records: as in Kafka,
//! it is accepted, and every record with a non-null part then fails, because a source
//! record has no Kafka offset.

use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::record_part::{is_null, require_struct, RecordPart};
use super::struct_fields::{add_field, into_fields, or_default, struct_basics};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "field insertion";
const TIMESTAMP_LOGICAL: &str = "org.apache.kafka.connect.data.Timestamp";

/// A field to insert: its name and whether it is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldSpec {
    name: String,
    optional: bool,
}

impl FieldSpec {
    fn parse(spec: &str) -> FieldSpec {
        let (name, optional) = if let Some(name) = spec.strip_suffix('?') {
            (name, true)
        } else if let Some(name) = spec.strip_suffix('!') {
            (name, false)
        } else {
            (spec, true)
        };
        FieldSpec {
            name: name.to_string(),
            optional,
        }
    }

    fn from_props(props: &Props, option: &str) -> Option<FieldSpec> {
        props
            .is_set(option)
            .then(|| FieldSpec::parse(props.get(option).unwrap_or_default()))
    }
}

/// The configured fields, in the order Kafka appends them.
struct Insertions {
    topic: Option<FieldSpec>,
    partition: Option<FieldSpec>,
    offset: Option<FieldSpec>,
    timestamp: Option<FieldSpec>,
    static_field: Option<(FieldSpec, String)>,
}

pub struct InsertField {
    part: RecordPart,
    insert: Insertions,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

impl InsertField {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        let static_field = match FieldSpec::from_props(props, "static.field") {
            None => None,
            Some(spec) => {
                let value = props.get("static.value").ok_or_else(|| {
                    props.problem(
                        "static.value",
                        format!("no value specified for static field '{}'", spec.name),
                    )
                })?;
                Some((spec, value.to_string()))
            }
        };
        let insert = Insertions {
            topic: FieldSpec::from_props(props, "topic.field"),
            partition: FieldSpec::from_props(props, "partition.field"),
            offset: FieldSpec::from_props(props, "offset.field"),
            timestamp: FieldSpec::from_props(props, "timestamp.field"),
            static_field,
        };
        if insert.topic.is_none()
            && insert.partition.is_none()
            && insert.offset.is_none()
            && insert.timestamp.is_none()
            && insert.static_field.is_none()
        {
            return Err(ConfigProblem(format!(
                "no field insertion configured: set one of '{}', '{}', '{}', '{}', '{}'",
                props.key("topic.field"),
                props.key("partition.field"),
                props.key("offset.field"),
                props.key("timestamp.field"),
                props.key("static.field"),
            )));
        }
        if insert.offset.is_some() {
            tracing::warn!(
                option = %props.key("offset.field"),
                "offset.field applies to sink records only: every source record with a non-null {part:?} will fail this transform"
            );
        }
        Ok(InsertField {
            part,
            insert,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            schemas: SchemaCache::new(),
        })
    }
}

impl Insertions {
    /// The input fields, then topic, partition, offset, timestamp and static field.
    fn derive_schema(&self, input: &Schema) -> Result<Schema, TransformError> {
        let mut schema = struct_basics(input);
        for field in &input.fields {
            add_field(&mut schema, &field.name, field.schema.clone())?;
        }
        let inserted = [
            (&self.topic, SchemaType::String),
            (&self.partition, SchemaType::Int32),
            (&self.offset, SchemaType::Int64),
        ];
        for (spec, kind) in inserted {
            if let Some(spec) = spec {
                add_field(
                    &mut schema,
                    &spec.name,
                    Arc::new(Schema::of(kind).with_optional(spec.optional)),
                )?;
            }
        }
        if let Some(spec) = &self.timestamp {
            let timestamp = Schema::of(SchemaType::Int64)
                .named(TIMESTAMP_LOGICAL)
                .version(1)
                .with_optional(spec.optional);
            add_field(&mut schema, &spec.name, Arc::new(timestamp))?;
        }
        if let Some((spec, _)) = &self.static_field {
            let string = Schema::of(SchemaType::String).with_optional(spec.optional);
            add_field(&mut schema, &spec.name, Arc::new(string))?;
        }
        Ok(schema)
    }
}

impl Transform for InsertField {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        if is_null(slot) {
            return Ok(Some(record));
        }
        require_struct(slot.as_ref(), PURPOSE)?;
        if self.insert.offset.is_some() {
            return Err(TransformError::new(format!(
                "Only SinkRecord supported for [{PURPOSE}], found: SourceRecord (a source record has no Kafka offset; remove offset.field)"
            )));
        }
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        let insert = &self.insert;
        let schema = self
            .schemas
            .get_or_insert(&data.schema, |s| insert.derive_schema(s))?;
        let mut values: Vec<Value> = into_fields(data.value)
            .into_iter()
            .zip(&data.schema.fields)
            .map(|(v, f)| or_default(v, &f.schema, self.replace_null_with_default))
            .collect();
        values.reserve(schema.fields.len().saturating_sub(values.len()));
        if insert.topic.is_some() {
            values.push(Value::String(record.topic.to_string()));
        }
        if insert.partition.is_some() {
            values.push(record.partition.map_or(Value::Null, Value::Int32));
        }
        if insert.timestamp.is_some() {
            values.push(record.timestamp.map_or(Value::Null, Value::Int64));
        }
        if let Some((_, value)) = &insert.static_field {
            values.push(Value::String(value.clone()));
        }
        *self.part.slot(&mut record) = Some(ConnectData::new(schema, Value::Struct(values)));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use serde_json::json;

    fn all_fields() -> Vec<(&'static str, &'static str)> {
        vec![
            ("topic.field", "topic_field!"),
            ("partition.field", "partition_field"),
            ("timestamp.field", "timestamp_field?"),
            ("static.field", "instance_id"),
            ("static.value", "my-instance-id"),
        ]
    }

    fn value_transform(pairs: &[(&str, &str)]) -> InsertField {
        InsertField::new(&Props::of(pairs), RecordPart::Value).unwrap()
    }

    fn simple() -> ConnectData {
        data(
            Schema::record("name")
                .version(1)
                .doc("doc")
                .field("magic", Schema::of(SchemaType::Int64).optional()),
            vec![Value::Int64(42)],
        )
    }

    #[test]
    fn copies_the_schema_and_appends_the_configured_fields() {
        let mut t = value_transform(&all_fields());
        let mut record = with_value(simple());
        record.partition = Some(0);
        record.timestamp = Some(789);
        let out = t.apply(record).unwrap().unwrap();
        let value = out.value.as_ref().unwrap();
        let schema = &value.schema;
        assert_eq!(
            (
                schema.name.as_deref(),
                schema.version,
                schema.doc.as_deref()
            ),
            (Some("name"), Some(1), Some("doc"))
        );
        assert_eq!(field(value, "magic"), &Value::Int64(42));
        assert_eq!(
            field_schema(value, "topic_field"),
            &Schema::of(SchemaType::String)
        );
        assert_eq!(field(value, "topic_field"), &Value::from("test"));
        assert_eq!(
            field_schema(value, "partition_field"),
            &Schema::of(SchemaType::Int32).optional()
        );
        assert_eq!(field(value, "partition_field"), &Value::Int32(0));
        assert_eq!(
            field_schema(value, "timestamp_field"),
            &Schema::of(SchemaType::Int64)
                .named(TIMESTAMP_LOGICAL)
                .version(1)
                .optional()
        );
        assert_eq!(field(value, "timestamp_field"), &Value::Int64(789));
        assert_eq!(
            field_schema(value, "instance_id"),
            &Schema::of(SchemaType::String).optional()
        );
        assert_eq!(field(value, "instance_id"), &Value::from("my-instance-id"));
        let names: Vec<_> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "magic",
                "topic_field",
                "partition_field",
                "timestamp_field",
                "instance_id"
            ]
        );

        // The same input schema gives the same output schema.
        let input = simple();
        let again = t
            .apply(with_value(ConnectData::new(
                input.schema.clone(),
                Value::Struct(vec![Value::Null]),
            )))
            .unwrap()
            .unwrap();
        let first = t.apply(with_value(input)).unwrap().unwrap();
        assert!(Arc::ptr_eq(
            &again.value.unwrap().schema,
            &first.value.unwrap().schema
        ));
    }

    #[test]
    fn a_source_record_without_partition_or_timestamp_gets_nulls() {
        let mut t = value_transform(&all_fields());
        let out = t.apply(with_value(simple())).unwrap().unwrap();
        let value = out.value.unwrap();
        assert_eq!(field(&value, "partition_field"), &Value::Null);
        assert_eq!(field(&value, "timestamp_field"), &Value::Null);
    }

    #[test]
    fn a_non_struct_part_is_an_error() {
        let mut t = value_transform(&[("topic.field", "topic_field")]);
        let record = with_value(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Int32(42),
        ));
        let err = t.apply(record).unwrap_err();
        assert_eq!(
            err.0,
            "Only Struct objects supported for [field insertion], found: int32"
        );
    }

    #[test]
    fn null_parts_pass_unchanged() {
        let mut t = value_transform(&all_fields());
        let record = tombstone(1);
        assert_eq!(t.apply(record.clone()).unwrap(), Some(record));
        // A null value under a schema keeps its schema.
        let typed_null = with_value(ConnectData::new(simple().schema, Value::Null));
        assert_eq!(t.apply(typed_null.clone()).unwrap(), Some(typed_null));
        // The key of a record without a key.
        let mut k = InsertField::new(&Props::of(&all_fields()), RecordPart::Key).unwrap();
        let keyless = truncate();
        assert_eq!(k.apply(keyless.clone()).unwrap(), Some(keyless));
    }

    #[test]
    fn the_key_form_rewrites_the_key_only() {
        let mut t = InsertField::new(&Props::of(&[("topic.field", "t")]), RecordPart::Key).unwrap();
        let record = change_event(7, "a");
        let out = t.apply(record.clone()).unwrap().unwrap();
        assert_eq!(out.value, record.value);
        let key = out.key.unwrap();
        assert_eq!(key.schema.name.as_deref(), Some("srv.inv.customers.Key"));
        assert_eq!(
            key.value,
            Value::Struct(vec![Value::Int32(7), Value::from(TOPIC)])
        );
    }

    #[test]
    fn the_key_of_a_tombstone_gets_the_fields() {
        let mut t = InsertField::new(&Props::of(&all_fields()), RecordPart::Key).unwrap();
        let out = t.apply(tombstone(9)).unwrap().unwrap();
        assert!(out.value.is_none());
        let key = out.key.unwrap();
        assert_eq!(field(&key, "id"), &Value::Int32(9));
        assert_eq!(field(&key, "topic_field"), &Value::from(TOPIC));
        assert_eq!(field(&key, "timestamp_field"), &Value::Null);
        assert_eq!(field(&key, "instance_id"), &Value::from("my-instance-id"));
    }

    #[test]
    fn every_debezium_record_kind_with_a_struct_value_gets_the_field() {
        let mut t = value_transform(&[("static.field", "origin"), ("static.value", "eu")]);
        for record in [
            change_event(1, "a"),
            truncate(),
            heartbeat(),
            transaction_end(),
            schema_change(),
        ] {
            let before = record.value.clone().unwrap();
            let out = t.apply(record).unwrap().unwrap();
            let value = out.value.unwrap();
            assert_eq!(value.schema.name, before.schema.name);
            assert_eq!(value.schema.fields.len(), before.schema.fields.len() + 1);
            assert_eq!(field(&value, "origin"), &Value::from("eu"));
        }
    }

    #[test]
    fn replace_null_with_default_decides_what_a_null_with_a_default_becomes() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(42))] {
            let mut pairs = all_fields();
            pairs.push(("replace.null.with.default", replace));
            let mut t = value_transform(&pairs);
            let magic = Schema::of(SchemaType::Int64)
                .optional()
                .default_value(json!(42));
            let input = data(
                Schema::record("name").field("magic_with_default", magic.clone()),
                vec![Value::Null],
            );
            let out = t.apply(with_value(input)).unwrap().unwrap();
            let value = out.value.unwrap();
            assert_eq!(field_schema(&value, "magic_with_default"), &magic);
            assert_eq!(field(&value, "magic_with_default"), &expected);
        }
    }

    #[test]
    fn the_offset_field_fails_on_source_records_but_not_on_null_parts() {
        let mut t = value_transform(&[("offset.field", "offset")]);
        let err = t.apply(change_event(1, "a")).unwrap_err();
        assert!(
            err.0
                .starts_with("Only SinkRecord supported for [field insertion]"),
            "{err}"
        );
        assert!(t.apply(tombstone(1)).unwrap().is_some());
    }

    #[test]
    fn configuration_problems() {
        let none = InsertField::new(&Props::of(&[]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(none.0.contains("no field insertion configured"), "{none}");
        let no_value = InsertField::new(&Props::of(&[("static.field", "s")]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(no_value.0.contains("'static.value'"), "{no_value}");
        // An empty static value is a value.
        assert!(InsertField::new(
            &Props::of(&[("static.field", "s"), ("static.value", "")]),
            RecordPart::Value
        )
        .is_ok());
    }

    #[test]
    fn a_name_that_exists_already_is_an_error() {
        let mut t = value_transform(&[("topic.field", "magic")]);
        let err = t.apply(with_value(simple())).unwrap_err();
        assert_eq!(
            err.0,
            "Cannot create field because of field name duplication magic"
        );
    }

    #[test]
    fn specs_parse_their_suffix() {
        assert_eq!(
            FieldSpec::parse("a!"),
            FieldSpec {
                name: "a".into(),
                optional: false
            }
        );
        assert_eq!(
            FieldSpec::parse("a?"),
            FieldSpec {
                name: "a".into(),
                optional: true
            }
        );
        assert_eq!(
            FieldSpec::parse("a"),
            FieldSpec {
                name: "a".into(),
                optional: true
            }
        );
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.InsertField$Key",
                &[("topic.field", "t")],
            ),
            (
                "v",
                "InsertField$Value",
                &[("static.field", "s"), ("static.value", "x")],
            ),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(field(out.key.as_ref().unwrap(), "t"), &Value::from(TOPIC));
        assert_eq!(field(out.value.as_ref().unwrap(), "s"), &Value::from("x"));
    }
}
