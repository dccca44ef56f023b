//! `ExtractField$Key` / `ExtractField$Value`: replaces a struct key or value with one of
//! its fields, schema and value; with `field.syntax.version=V2` the field may be nested
//! (`after.id`). A null part keeps its null, under the field's schema when it has one.

use ferrium_event::{ConnectData, SourceRecord};

use super::record_part::{require_struct, RecordPart};
use super::single_field_path::{FieldSyntax, SingleFieldPath};
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "field extraction";

pub struct ExtractField {
    part: RecordPart,
    path: SingleFieldPath,
    /// The path as configured, for messages.
    written: String,
    replace_null_with_default: bool,
}

impl ExtractField {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        // Required, but an empty name is a name (Kafka has no non-empty check).
        let written = props
            .get("field")
            .ok_or_else(|| props.problem("field", "is required and has no default"))?;
        let syntax = match props.choice("field.syntax.version", &["V1", "V2"], "V1")? {
            "V2" => FieldSyntax::V2,
            _ => FieldSyntax::V1,
        };
        let path =
            SingleFieldPath::parse(written, syntax).map_err(|e| props.problem("field", e))?;
        if path.is_empty() {
            return Err(props.problem("field", "an empty V2 path names no field"));
        }
        Ok(ExtractField {
            part,
            path,
            written: written.to_string(),
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
        })
    }
}

impl Transform for ExtractField {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        if !data.value.is_null() {
            require_struct(Some(&data), PURPOSE)?;
        }
        let schema = self
            .path
            .field_schema(&data.schema)
            .map_err(TransformError::new)?
            .ok_or_else(|| TransformError::new(format!("Unknown field: {}", self.written)))?
            .clone();
        let value = self
            .path
            .take_value(&data.schema, data.value, self.replace_null_with_default);
        *self.part.slot(&mut record) = Some(ConnectData::new(schema, value));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use ferrium_event::{Schema, SchemaType, Value};
    use serde_json::json;
    use std::sync::Arc;

    fn key_transform(pairs: &[(&str, &str)]) -> ExtractField {
        ExtractField::new(&Props::of(pairs), RecordPart::Key).unwrap()
    }

    fn magic_key() -> ConnectData {
        data(
            Schema::record("k").field("magic", Schema::of(SchemaType::Int32)),
            vec![Value::Int32(42)],
        )
    }

    fn nested_key() -> ConnectData {
        let foo = Schema::record("foo").field("foo", Schema::of(SchemaType::Int32));
        data(
            Schema::record("k").field("magic", foo),
            vec![Value::Struct(vec![Value::Int32(42)])],
        )
    }

    #[test]
    fn extracts_a_field_with_its_schema() {
        let mut t = key_transform(&[("field", "magic")]);
        let input = magic_key();
        let field_schema = input.schema.fields[0].schema.clone();
        let out = t.apply(with_key(input)).unwrap().unwrap().key.unwrap();
        assert!(Arc::ptr_eq(&out.schema, &field_schema));
        assert_eq!(out.value, Value::Int32(42));
    }

    #[test]
    fn extracts_a_nested_field_with_v2() {
        let mut t = key_transform(&[("field", "magic.foo"), ("field.syntax.version", "V2")]);
        let out = t
            .apply(with_key(nested_key()))
            .unwrap()
            .unwrap()
            .key
            .unwrap();
        assert_eq!(*out.schema, Schema::of(SchemaType::Int32));
        assert_eq!(out.value, Value::Int32(42));
        // V1 takes the dotted name as one field name.
        let mut v1 = key_transform(&[("field", "magic.foo")]);
        assert_eq!(
            v1.apply(with_key(nested_key())).unwrap_err().0,
            "Unknown field: magic.foo"
        );
    }

    #[test]
    fn a_null_keeps_the_field_schema() {
        let mut t = key_transform(&[("field", "magic")]);
        let schema = Arc::new(
            Schema::record("k")
                .field("magic", Schema::of(SchemaType::Int32))
                .optional(),
        );
        let out = t
            .apply(with_key(ConnectData::new(schema, Value::Null)))
            .unwrap()
            .unwrap();
        let key = out.key.unwrap();
        assert_eq!(*key.schema, Schema::of(SchemaType::Int32));
        assert_eq!(key.value, Value::Null);
    }

    #[test]
    fn missing_fields_are_errors() {
        let mut t = key_transform(&[("field", "nonexistent")]);
        assert_eq!(
            t.apply(with_key(magic_key())).unwrap_err().0,
            "Unknown field: nonexistent"
        );
        let mut t = key_transform(&[
            ("field", "magic.nonexistent"),
            ("field.syntax.version", "v2"),
        ]);
        assert_eq!(
            t.apply(with_key(nested_key())).unwrap_err().0,
            "Unknown field: magic.nonexistent"
        );
    }

    #[test]
    fn replace_null_with_default_on_key_and_value() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let pairs = [
                ("field", "optional_with_default"),
                ("replace.null.with.default", replace),
            ];
            let input = data(
                Schema::record("s").field(
                    "optional_with_default",
                    Schema::of(SchemaType::Int32)
                        .optional()
                        .default_value(json!(42)),
                ),
                vec![Value::Null],
            );
            let mut k = key_transform(&pairs);
            assert_eq!(
                k.apply(with_key(input.clone()))
                    .unwrap()
                    .unwrap()
                    .key
                    .unwrap()
                    .value,
                expected
            );
            let mut v = ExtractField::new(&Props::of(&pairs), RecordPart::Value).unwrap();
            assert_eq!(
                v.apply(with_value(input))
                    .unwrap()
                    .unwrap()
                    .value
                    .unwrap()
                    .value,
                expected
            );
        }
    }

    #[test]
    fn debezium_records() {
        let mut after =
            ExtractField::new(&Props::of(&[("field", "after")]), RecordPart::Value).unwrap();
        let out = after
            .apply(change_event(3, "x"))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.schema, row_schema());
        assert_eq!(
            out.value,
            Value::Struct(vec![Value::Int32(3), Value::from("x")])
        );
        // A truncate has no after image: a null under the row schema.
        let out = after.apply(truncate()).unwrap().unwrap().value.unwrap();
        assert!(out.value.is_null());
        // Tombstones pass; records without the field fail.
        assert_eq!(after.apply(tombstone(1)).unwrap(), Some(tombstone(1)));
        assert_eq!(
            after.apply(heartbeat()).unwrap_err().0,
            "Unknown field: after"
        );
        let mut id = ExtractField::new(
            &Props::of(&[("field", "after.id"), ("field.syntax.version", "V2")]),
            RecordPart::Value,
        )
        .unwrap();
        let out = id
            .apply(change_event(3, "x"))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(out.value, Value::Int32(3));
        let mut key = key_transform(&[("field", "id")]);
        let out = key.apply(change_event(3, "x")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().value, Value::Int32(3));
        assert_eq!(key.apply(truncate()).unwrap(), Some(truncate()));
    }

    #[test]
    fn a_non_struct_part_is_an_error() {
        let mut t = key_transform(&[("field", "a")]);
        let record = with_key(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Int32(1),
        ));
        assert!(t
            .apply(record)
            .unwrap_err()
            .0
            .contains("[field extraction]"));
    }

    #[test]
    fn configuration_problems() {
        assert!(ExtractField::new(&Props::of(&[]), RecordPart::Key).is_err());
        let bad = ExtractField::new(
            &Props::of(&[("field", "a"), ("field.syntax.version", "V3")]),
            RecordPart::Key,
        );
        assert!(bad.err().unwrap().0.contains("'field.syntax.version'"));
        let unclosed = ExtractField::new(
            &Props::of(&[("field", "`a.b"), ("field.syntax.version", "V2")]),
            RecordPart::Key,
        );
        assert!(unclosed
            .err()
            .unwrap()
            .0
            .contains("Incomplete backtick pair"));
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.ExtractField$Key",
                &[("field", "id")],
            ),
            ("v", "ExtractField$Value", &[("field", "op")]),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().value, Value::Int32(1));
        assert_eq!(out.value.unwrap().value, Value::from("c"));
    }
}
