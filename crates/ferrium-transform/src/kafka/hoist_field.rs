//! `HoistField$Key` / `HoistField$Value`: wraps the key or value, whatever its type, in
//! a new struct with one field, `field`.
//!
//! A part with no data at all (a tombstone, a record without a key) passes unchanged:
//! Kafka would make it a schemaless map `{field: null}`, which a record here, where
//! every part has a schema, cannot carry.

use ferrium_event::{ConnectData, Field, Schema, SchemaType, SourceRecord, Value};

use super::record_part::RecordPart;
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct HoistField {
    part: RecordPart,
    field: String,
    schemas: SchemaCache,
}

impl HoistField {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        // Required, but an empty name is a name (Kafka has no non-empty check).
        let field = props
            .get("field")
            .ok_or_else(|| props.problem("field", "is required and has no default"))?;
        Ok(HoistField {
            part,
            field: field.to_string(),
            schemas: SchemaCache::new(),
        })
    }
}

impl Transform for HoistField {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        // Kafka's `Struct.put` refuses a null for a required field without a default.
        if data.value.is_null() && !data.schema.optional && data.schema.default.is_none() {
            return Err(TransformError::new(format!(
                "Invalid value: null used for required field: \"{}\", schema type: {}",
                self.field,
                data.schema.kind.json_name().to_uppercase()
            )));
        }
        let name = &self.field;
        let inner = data.schema.clone();
        let schema = self.schemas.get_or_insert(&data.schema, |_| {
            let mut wrapper = Schema::of(SchemaType::Struct);
            wrapper.fields.push(Field {
                name: name.clone(),
                schema: inner,
            });
            Ok::<_, TransformError>(wrapper)
        })?;
        *self.part.slot(&mut record) =
            Some(ConnectData::new(schema, Value::Struct(vec![data.value])));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use std::sync::Arc;

    fn transform(part: RecordPart) -> HoistField {
        HoistField::new(&Props::of(&[("field", "magic")]), part).unwrap()
    }

    #[test]
    fn wraps_a_primitive_in_a_struct() {
        let mut t = transform(RecordPart::Key);
        let schema = Arc::new(Schema::of(SchemaType::Int32));
        let out = t
            .apply(with_key(ConnectData::new(schema.clone(), Value::Int32(42))))
            .unwrap()
            .unwrap();
        let key = out.key.unwrap();
        assert_eq!(key.schema.kind, SchemaType::Struct);
        assert_eq!(key.schema.name, None);
        assert_eq!(key.schema.fields[0].name, "magic");
        assert_eq!(*key.schema.fields[0].schema, *schema);
        assert_eq!(key.value, Value::Struct(vec![Value::Int32(42)]));
        // One derived schema per input schema.
        let again = t
            .apply(with_key(ConnectData::new(schema, Value::Int32(1))))
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(&key.schema, &again.key.unwrap().schema));
    }

    #[test]
    fn wraps_whole_change_events_and_other_records() {
        let mut t = transform(RecordPart::Value);
        for record in [
            change_event(1, "a"),
            truncate(),
            heartbeat(),
            transaction_end(),
            schema_change(),
        ] {
            let before = record.value.clone().unwrap();
            let out = t.apply(record).unwrap().unwrap().value.unwrap();
            assert_eq!(*out.schema.fields[0].schema, *before.schema);
            assert_eq!(out.value, Value::Struct(vec![before.value]));
        }
    }

    #[test]
    fn parts_without_data_pass_and_typed_nulls_are_wrapped() {
        let mut t = transform(RecordPart::Value);
        assert_eq!(t.apply(tombstone(1)).unwrap(), Some(tombstone(1)));
        let mut k = transform(RecordPart::Key);
        assert_eq!(k.apply(truncate()).unwrap(), Some(truncate()));
        // An optional schema with a null value: the field holds the null.
        let typed_null = with_value(ConnectData::new(row_schema(), Value::Null));
        let out = t.apply(typed_null).unwrap().unwrap().value.unwrap();
        assert_eq!(out.value, Value::Struct(vec![Value::Null]));
        // A required one cannot hold it.
        let required = with_value(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Null,
        ));
        let err = t.apply(required).unwrap_err();
        assert_eq!(
            err.0,
            "Invalid value: null used for required field: \"magic\", schema type: INT32"
        );
    }

    #[test]
    fn the_field_is_required() {
        assert!(HoistField::new(&Props::of(&[]), RecordPart::Value).is_err());
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.HoistField$Key",
                &[("field", "k")],
            ),
            ("v", "HoistField$Value", &[("field", "v")]),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().schema.fields[0].name, "k");
        assert_eq!(out.value.unwrap().schema.fields[0].name, "v");
    }
}
