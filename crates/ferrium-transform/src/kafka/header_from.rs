//! `HeaderFrom$Key` / `HeaderFrom$Value`: copies or moves struct fields (`fields`) into
//! headers (`headers`, pairwise), each header carrying the field's own schema. `move`
//! also removes the fields from the struct schema and value.
//!
//! As in Kafka, the key or value must be a struct: a tombstone (or a record without a
//! key, for `$Key`) is an error, not a pass-through, because Kafka's `requireMap` /
//! `requireStruct` reject a null. Pair the transform with a `RecordIsTombstone`
//! predicate (`negate=true`) where deletes emit tombstones.

use ferrium_event::{ConnectData, Header, Schema, SourceRecord, Value};

use super::record_part::{require_map_of_null, require_struct, RecordPart};
use super::struct_fields::{into_fields, or_default, struct_basics};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Move,
    Copy,
}

pub struct HeaderFrom {
    part: RecordPart,
    /// `(field, header)` pairs in configuration order.
    pairs: Vec<(String, String)>,
    operation: Operation,
    replace_null_with_default: bool,
    moved_schemas: SchemaCache,
}

impl HeaderFrom {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        let fields = props.list("fields");
        if fields.is_empty() {
            return Err(props.problem("fields", "must name at least one field"));
        }
        let headers = props.list("headers");
        if headers.is_empty() {
            return Err(props.problem("headers", "must name at least one header"));
        }
        if fields.len() != headers.len() {
            return Err(props.problem(
                "headers",
                "must have the same number of elements as 'fields'",
            ));
        }
        // Kafka's `ValidString.in` is case-sensitive.
        let operation = match props.get("operation") {
            Some("move") => Operation::Move,
            Some("copy") => Operation::Copy,
            Some(other) => {
                return Err(
                    props.problem("operation", format!("'{other}' is not one of: move, copy"))
                )
            }
            None => return Err(props.problem("operation", "is required and has no default")),
        };
        Ok(HeaderFrom {
            part,
            pairs: fields.into_iter().zip(headers).collect(),
            operation,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            moved_schemas: SchemaCache::new(),
        })
    }

    fn purpose(&self) -> &'static str {
        match self.operation {
            Operation::Move => "header move",
            Operation::Copy => "header copy",
        }
    }

    fn field_index(schema: &Schema, name: &str) -> Result<usize, TransformError> {
        schema
            .field_index(name)
            .ok_or_else(|| TransformError::new(format!("field '{name}' is not in the schema")))
    }

    /// The struct without the moved fields: Kafka copies only the name, version, doc and
    /// parameters, so the result is required and has no default, whatever the input.
    fn moved_schema(pairs: &[(String, String)], schema: &Schema) -> Schema {
        let mut moved = struct_basics(schema);
        moved.fields = schema
            .fields
            .iter()
            .filter(|f| !pairs.iter().any(|(name, _)| *name == f.name))
            .cloned()
            .collect();
        moved
    }

    fn transform(
        &mut self,
        data: ConnectData,
    ) -> Result<(ConnectData, Vec<Header>), TransformError> {
        require_struct(Some(&data), self.purpose())?;
        let ConnectData { schema, value } = data;
        let mut values = into_fields(value);
        let indexes = self
            .pairs
            .iter()
            .map(|(field, _)| Self::field_index(&schema, field))
            .collect::<Result<Vec<_>, _>>()?;
        let mut headers = Vec::with_capacity(self.pairs.len());
        for (i, ((_, header), &index)) in self.pairs.iter().zip(&indexes).enumerate() {
            let field_schema = &schema.fields[index].schema;
            // A moved field's value is taken out at its last use; copies leave it in place.
            let last_use = !indexes[i + 1..].contains(&index);
            let raw = match (self.operation, last_use) {
                (Operation::Move, true) => std::mem::replace(&mut values[index], Value::Null),
                _ => values[index].clone(),
            };
            let value = or_default(raw, field_schema, self.replace_null_with_default);
            headers.push(Header {
                key: header.clone(),
                value: ConnectData::new(field_schema.clone(), value),
            });
        }
        let data = match self.operation {
            Operation::Copy => ConnectData::new(schema, Value::Struct(values)),
            Operation::Move => {
                let pairs = &self.pairs;
                let moved = self.moved_schemas.get_or_insert(&schema, |s| {
                    Ok::<_, TransformError>(Self::moved_schema(pairs, s))
                })?;
                let kept = schema
                    .fields
                    .iter()
                    .zip(values)
                    .filter(|(f, _)| moved.field_index(&f.name).is_some())
                    .map(|(f, v)| or_default(v, &f.schema, self.replace_null_with_default))
                    .collect();
                ConnectData::new(moved, Value::Struct(kept))
            }
        };
        Ok((data, headers))
    }
}

impl Transform for HeaderFrom {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(data) = self.part.slot(&mut record).take() else {
            return Err(require_map_of_null(self.purpose()));
        };
        let (data, headers) = self.transform(data)?;
        *self.part.slot(&mut record) = Some(data);
        record.headers.extend(headers);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::SchemaType;
    use serde_json::json;
    use std::sync::Arc;

    fn string() -> Arc<Schema> {
        Arc::new(Schema::of(SchemaType::String))
    }

    fn header(key: &str, schema: Arc<Schema>, value: Value) -> Header {
        Header {
            key: key.into(),
            value: ConnectData::new(schema, value),
        }
    }

    fn two_fields(field1: (Arc<Schema>, Value), field2: (Arc<Schema>, Value)) -> ConnectData {
        let schema = Schema::of(SchemaType::Struct)
            .field("field1", field1.0)
            .field("field2", field2.0);
        ConnectData::new(Arc::new(schema), Value::Struct(vec![field1.1, field2.1]))
    }

    fn record(part: RecordPart, data: ConnectData) -> SourceRecord {
        let other = Some(ConnectData::new(string(), "other".into()));
        let (key, value) = match part {
            RecordPart::Key => (Some(data), other),
            RecordPart::Value => (other, Some(data)),
        };
        let mut r = SourceRecord::new("topic".into(), key, value);
        r.headers = vec![header("header1", string(), "existing-value".into())];
        r
    }

    fn transform(part: RecordPart, pairs: &[(&str, &str)], op: &str, replace: bool) -> HeaderFrom {
        let fields: Vec<_> = pairs.iter().map(|p| p.0).collect();
        let headers: Vec<_> = pairs.iter().map(|p| p.1).collect();
        let (fields, headers) = (fields.join(","), headers.join(","));
        let replace = replace.to_string();
        let props = Props::of(&[
            ("fields", &fields),
            ("headers", &headers),
            ("operation", op),
            ("replace.null.with.default", &replace),
        ]);
        HeaderFrom::new(&props, part).unwrap()
    }

    fn part_of(part: RecordPart, r: &SourceRecord) -> &ConnectData {
        match part {
            RecordPart::Key => r.key.as_ref().unwrap(),
            RecordPart::Value => r.value.as_ref().unwrap(),
        }
    }

    fn basic() -> ConnectData {
        two_fields(
            (string(), "field1-value".into()),
            (string(), "field2-value".into()),
        )
    }

    // The cases of Kafka's HeaderFromTest, for both the key and the value form.
    #[test]
    fn copy_adds_a_header_and_leaves_the_struct() {
        for part in [RecordPart::Key, RecordPart::Value] {
            let input = basic();
            let mut t = transform(part, &[("field1", "inserted1")], "copy", true);
            let out = t.apply(record(part, input.clone())).unwrap().unwrap();
            assert_eq!(part_of(part, &out), &input);
            assert!(Arc::ptr_eq(&part_of(part, &out).schema, &input.schema));
            assert_eq!(
                out.headers,
                vec![
                    header("header1", string(), "existing-value".into()),
                    header("inserted1", string(), "field1-value".into()),
                ]
            );
        }
    }

    #[test]
    fn move_removes_the_field_and_caches_the_schema() {
        for part in [RecordPart::Key, RecordPart::Value] {
            let input = basic();
            let mut t = transform(part, &[("field1", "inserted1")], "move", true);
            let out = t.apply(record(part, input.clone())).unwrap().unwrap();
            let moved = part_of(part, &out);
            assert_eq!(moved.schema.fields.len(), 1);
            assert_eq!(moved.schema.fields[0].name, "field2");
            assert_eq!(moved.value, Value::Struct(vec!["field2-value".into()]));
            assert_eq!(
                out.headers[1],
                header("inserted1", string(), "field1-value".into())
            );
            let again = t.apply(record(part, input)).unwrap().unwrap();
            assert!(Arc::ptr_eq(&part_of(part, &again).schema, &moved.schema));
        }
    }

    #[test]
    fn a_preexisting_header_of_the_same_name_is_kept() {
        let mut t = transform(RecordPart::Value, &[("field1", "header1")], "move", true);
        let out = t
            .apply(record(RecordPart::Value, basic()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers,
            vec![
                header("header1", string(), "existing-value".into()),
                header("header1", string(), "field1-value".into()),
            ]
        );
    }

    #[test]
    fn a_struct_field_becomes_a_struct_header() {
        let inner = Arc::new(Schema::of(SchemaType::Struct).field("foo", string()));
        let inner_value = Value::Struct(vec!["foo-value".into()]);
        let input = two_fields((inner.clone(), inner_value.clone()), (string(), "x".into()));
        let mut t = transform(RecordPart::Value, &[("field1", "inserted1")], "move", true);
        let out = t.apply(record(RecordPart::Value, input)).unwrap().unwrap();
        assert_eq!(out.headers[1], header("inserted1", inner, inner_value));
    }

    #[test]
    fn one_field_to_two_headers_and_two_fields_to_one_header() {
        let mut t = transform(
            RecordPart::Value,
            &[("field1", "inserted1"), ("field1", "inserted2")],
            "move",
            true,
        );
        let out = t
            .apply(record(RecordPart::Value, basic()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers[1],
            header("inserted1", string(), "field1-value".into())
        );
        assert_eq!(
            out.headers[2],
            header("inserted2", string(), "field1-value".into())
        );
        assert_eq!(part_of(RecordPart::Value, &out).schema.fields.len(), 1);

        let mut t = transform(
            RecordPart::Value,
            &[("field1", "inserted1"), ("field2", "inserted1")],
            "move",
            true,
        );
        let out = t
            .apply(record(RecordPart::Value, basic()))
            .unwrap()
            .unwrap();
        assert!(part_of(RecordPart::Value, &out).schema.fields.is_empty());
        assert_eq!(
            out.headers[1],
            header("inserted1", string(), "field1-value".into())
        );
        assert_eq!(
            out.headers[2],
            header("inserted1", string(), "field2-value".into())
        );
    }

    #[test]
    fn null_fields_take_their_default_only_when_asked() {
        let with_default = Arc::new(
            Schema::of(SchemaType::String)
                .optional()
                .default_value(json!("default")),
        );
        let input = two_fields(
            (with_default.clone(), "field1-value".into()),
            (with_default.clone(), Value::Null),
        );
        let pairs = [("field1", "inserted1"), ("field2", "inserted2")];
        for (op, replace, expected) in [
            ("copy", false, Value::Null),
            ("move", false, Value::Null),
            ("copy", true, Value::from("default")),
            ("move", true, Value::from("default")),
        ] {
            let mut t = transform(RecordPart::Value, &pairs, op, replace);
            let out = t
                .apply(record(RecordPart::Value, input.clone()))
                .unwrap()
                .unwrap();
            assert_eq!(
                out.headers[2],
                header("inserted2", with_default.clone(), expected)
            );
            if op == "copy" {
                // A copy leaves the struct itself as it was, null included.
                assert_eq!(part_of(RecordPart::Value, &out), &input);
            }
        }
    }

    #[test]
    fn tombstones_and_missing_fields_are_errors_as_in_kafka() {
        let mut t = transform(RecordPart::Value, &[("field1", "inserted1")], "copy", true);
        assert!(t.apply(SourceRecord::new("t".into(), None, None)).is_err());
        let mut t = transform(RecordPart::Value, &[("absent", "inserted1")], "copy", true);
        assert!(t.apply(record(RecordPart::Value, basic())).is_err());
    }

    #[test]
    fn configuration_is_checked() {
        let bad =
            |pairs: &[(&str, &str)]| HeaderFrom::new(&Props::of(pairs), RecordPart::Value).is_err();
        assert!(bad(&[("fields", "a"), ("headers", "b")]));
        assert!(bad(&[
            ("fields", "a"),
            ("headers", "b"),
            ("operation", "Move")
        ]));
        assert!(bad(&[
            ("fields", "a,c"),
            ("headers", "b"),
            ("operation", "move")
        ]));
        assert!(bad(&[
            ("fields", ""),
            ("headers", ""),
            ("operation", "move")
        ]));
        assert!(!bad(&[
            ("fields", "a"),
            ("headers", "b"),
            ("operation", "copy")
        ]));
    }
}
