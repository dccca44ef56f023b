//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: sets the name, the version or
//! both of the key or value schema; everything else about the schema stays. A part
//! without data passes unchanged.

use ferrium_event::{ConnectData, Schema, SourceRecord, Value};

use super::record_part::RecordPart;
use super::struct_fields::or_default;
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct SetSchemaMetadata {
    part: RecordPart,
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

impl SetSchemaMetadata {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        let name = props
            .is_set("schema.name")
            .then(|| props.string("schema.name", ""));
        let version = match props.is_set("schema.version") {
            false => None,
            true => {
                let v = props.int("schema.version", 0)?;
                Some(i32::try_from(v).map_err(|_| {
                    props.problem(
                        "schema.version",
                        format!("{v} is out of the range of an int"),
                    )
                })?)
            }
        };
        if name.is_none() && version.is_none() {
            return Err(ConfigProblem(format!(
                "neither schema name nor version configured: set '{}' or '{}'",
                props.key("schema.name"),
                props.key("schema.version")
            )));
        }
        Ok(SetSchemaMetadata {
            part,
            name,
            version,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            schemas: SchemaCache::new(),
        })
    }

    fn derive_schema(name: &Option<String>, version: Option<i32>, input: &Schema) -> Schema {
        let mut schema = input.clone();
        if let Some(name) = name {
            schema.name = Some(name.clone());
        }
        if let Some(version) = version {
            schema.version = Some(version);
        }
        schema
    }
}

impl Transform for SetSchemaMetadata {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        let (name, version) = (&self.name, self.version);
        let schema = self.schemas.get_or_insert(&data.schema, |s| {
            Ok::<_, TransformError>(Self::derive_schema(name, version, s))
        })?;
        // Kafka copies a struct into one of the new schema, reading each field as
        // `replace.null.with.default` says; other values are kept as they are.
        let value = match data.value {
            Value::Struct(values) => Value::Struct(
                values
                    .into_iter()
                    .zip(&data.schema.fields)
                    .map(|(v, f)| or_default(v, &f.schema, self.replace_null_with_default))
                    .collect(),
            ),
            other => other,
        };
        *self.part.slot(&mut record) = Some(ConnectData::new(schema, value));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use ferrium_event::SchemaType;
    use serde_json::json;
    use std::sync::Arc;

    fn transform(pairs: &[(&str, &str)]) -> SetSchemaMetadata {
        SetSchemaMetadata::new(&Props::of(pairs), RecordPart::Value).unwrap()
    }

    fn empty_struct_null() -> SourceRecord {
        with_value(ConnectData::new(
            Arc::new(Schema::record("orig").optional()),
            Value::Null,
        ))
    }

    #[test]
    fn sets_the_name_the_version_or_both() {
        let out = transform(&[("schema.name", "foo")])
            .apply(empty_struct_null())
            .unwrap()
            .unwrap();
        let schema = out.value.unwrap().schema;
        assert_eq!(
            (schema.name.as_deref(), schema.version),
            (Some("foo"), None)
        );
        let out = transform(&[("schema.version", "42")])
            .apply(empty_struct_null())
            .unwrap()
            .unwrap();
        let schema = out.value.unwrap().schema;
        assert_eq!(
            (schema.name.as_deref(), schema.version),
            (Some("orig"), Some(42))
        );
        let out = transform(&[("schema.name", "foo"), ("schema.version", "42")])
            .apply(empty_struct_null())
            .unwrap()
            .unwrap();
        let value = out.value.unwrap();
        assert_eq!(
            (value.schema.name.as_deref(), value.schema.version),
            (Some("foo"), Some(42))
        );
        assert!(value.schema.optional);
        assert!(value.value.is_null());
    }

    #[test]
    fn a_struct_keeps_its_values_under_the_new_schema() {
        let schema = Schema::record("my.orig.SchemaDefn")
            .field("f1", Schema::of(SchemaType::String))
            .field("f2", Schema::of(SchemaType::Int32));
        let input = data(schema, vec![Value::from("value1"), Value::Int32(1)]);
        let mut t = transform(&[("schema.name", "foo"), ("schema.version", "42")]);
        let out = t
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.schema.name.as_deref(), Some("foo"));
        assert_eq!(out.schema.fields, input.schema.fields);
        assert!(Arc::ptr_eq(
            &out.schema.fields[0].schema,
            &input.schema.fields[0].schema
        ));
        assert_eq!(out.value, input.value);
        let again = t.apply(with_value(input)).unwrap().unwrap().value.unwrap();
        assert!(Arc::ptr_eq(&out.schema, &again.schema));
    }

    #[test]
    fn replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::from("default"))] {
            let schema = Schema::record("my.orig.SchemaDefn")
                .field(
                    "f1",
                    Schema::of(SchemaType::String)
                        .optional()
                        .default_value(json!("default")),
                )
                .field("f2", Schema::of(SchemaType::Int32));
            let input = data(schema, vec![Value::Null, Value::Int32(1)]);
            let mut t = transform(&[
                ("schema.name", "foo"),
                ("schema.version", "42"),
                ("replace.null.with.default", replace),
            ]);
            let out = t.apply(with_value(input)).unwrap().unwrap().value.unwrap();
            assert_eq!(field(&out, "f1"), &expected);
        }
    }

    #[test]
    fn non_structs_keep_their_value() {
        let mut t = transform(&[("schema.name", "foo")]);
        let int = with_value(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Int32(1),
        ));
        let out = t.apply(int).unwrap().unwrap().value.unwrap();
        assert_eq!(out.value, Value::Int32(1));
        assert_eq!(out.schema.name.as_deref(), Some("foo"));
    }

    #[test]
    fn records_without_data_pass_and_debezium_records_are_renamed() {
        let mut t = transform(&[("schema.name", "renamed")]);
        assert_eq!(t.apply(tombstone(1)).unwrap(), Some(tombstone(1)));
        let mut k =
            SetSchemaMetadata::new(&Props::of(&[("schema.name", "k")]), RecordPart::Key).unwrap();
        assert_eq!(k.apply(truncate()).unwrap(), Some(truncate()));
        let out = k.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().schema.name.as_deref(), Some("k"));
        for record in [
            change_event(1, "a"),
            heartbeat(),
            transaction_end(),
            schema_change(),
        ] {
            let before = record.value.clone().unwrap();
            let out = t.apply(record).unwrap().unwrap().value.unwrap();
            assert_eq!(out.schema.name.as_deref(), Some("renamed"));
            assert_eq!(out.value, before.value);
        }
    }

    #[test]
    fn configuration_problems() {
        let err = SetSchemaMetadata::new(&Props::of(&[]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(err.0.contains("neither schema name nor version"), "{err}");
        let err = SetSchemaMetadata::new(&Props::of(&[("schema.version", "x")]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(err.0.contains("'schema.version'"), "{err}");
        assert!(SetSchemaMetadata::new(
            &Props::of(&[("schema.version", "4294967296")]),
            RecordPart::Value
        )
        .is_err());
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
                &[("schema.name", "k")],
            ),
            ("v", "SetSchemaMetadata$Value", &[("schema.version", "7")]),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().schema.name.as_deref(), Some("k"));
        assert_eq!(out.value.unwrap().schema.version, Some(7));
    }
}
