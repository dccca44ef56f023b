//! `ReplaceField$Key` / `ReplaceField$Value`: keeps, drops and renames the top-level
//! fields of a struct key or value (`exclude` wins over `include`; `renames` is
//! `old:new,…`). A null part passes unchanged.

use std::collections::{HashMap, HashSet};

use ferrium_event::{ConnectData, Schema, SourceRecord, Value};

use super::record_part::{is_null, require_struct, RecordPart};
use super::struct_fields::{add_field, into_fields, or_default, struct_basics};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "field replacement";

/// Which fields survive and under which name.
struct Selection {
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
}

impl Selection {
    fn keeps(&self, name: &str) -> bool {
        !self.exclude.contains(name) && (self.include.is_empty() || self.include.contains(name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    fn derive_schema(&self, input: &Schema) -> Result<Schema, TransformError> {
        let mut schema = struct_basics(input);
        for field in input.fields.iter().filter(|f| self.keeps(&f.name)) {
            add_field(&mut schema, self.renamed(&field.name), field.schema.clone())?;
        }
        Ok(schema)
    }
}

pub struct ReplaceField {
    part: RecordPart,
    selection: Selection,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

/// `old:new` pairs; Java's `split(":")` drops trailing empty parts, so `a:` is invalid.
fn parse_renames(props: &Props) -> Result<HashMap<String, String>, ConfigProblem> {
    props
        .list("renames")
        .into_iter()
        .map(|mapping| {
            let mut parts: Vec<&str> = mapping.split(':').collect();
            while parts.last() == Some(&"") {
                parts.pop();
            }
            match parts.as_slice() {
                [old, new] => Ok((old.to_string(), new.to_string())),
                _ => Err(props.problem("renames", format!("Invalid rename mapping: {mapping}"))),
            }
        })
        .collect()
}

impl ReplaceField {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        for (removed, replacement) in [("blacklist", "exclude"), ("whitelist", "include")] {
            if props.get(removed).is_some() {
                return Err(props.problem(
                    removed,
                    format!(
                        "was removed in Kafka 4.0; use '{}' instead",
                        props.key(replacement)
                    ),
                ));
            }
        }
        let selection = Selection {
            exclude: props.list("exclude").into_iter().collect(),
            include: props.list("include").into_iter().collect(),
            renames: parse_renames(props)?,
        };
        Ok(ReplaceField {
            part,
            selection,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            schemas: SchemaCache::new(),
        })
    }
}

impl Transform for ReplaceField {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        if is_null(slot) {
            return Ok(Some(record));
        }
        require_struct(slot.as_ref(), PURPOSE)?;
        let Some(data) = slot.take() else {
            return Ok(Some(record));
        };
        let selection = &self.selection;
        let schema = self
            .schemas
            .get_or_insert(&data.schema, |s| selection.derive_schema(s))?;
        let with_default = self.replace_null_with_default;
        let values = into_fields(data.value)
            .into_iter()
            .zip(&data.schema.fields)
            .filter(|(_, f)| selection.keeps(&f.name))
            .map(|(v, f)| or_default(v, &f.schema, with_default))
            .collect();
        *self.part.slot(&mut record) = Some(ConnectData::new(schema, Value::Struct(values)));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use ferrium_event::SchemaType;
    use serde_json::json;

    fn transform(pairs: &[(&str, &str)], part: RecordPart) -> ReplaceField {
        ReplaceField::new(&Props::of(pairs), part).unwrap()
    }

    fn four_fields() -> ConnectData {
        data(
            Schema::record("r")
                .field("dont", Schema::of(SchemaType::String))
                .field("abc", Schema::of(SchemaType::Int32))
                .field("foo", Schema::of(SchemaType::Boolean))
                .field("etc", Schema::of(SchemaType::String)),
            vec![
                Value::from("whatever"),
                Value::Int32(42),
                Value::Boolean(true),
                Value::from("etc"),
            ],
        )
    }

    #[test]
    fn includes_and_renames() {
        let mut t = transform(
            &[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
            RecordPart::Value,
        );
        let out = t.apply(with_value(four_fields())).unwrap().unwrap();
        let value = out.value.unwrap();
        assert_eq!(value.schema.name.as_deref(), Some("r"));
        let names: Vec<_> = value
            .schema
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["xyz", "bar"]);
        assert_eq!(
            value.value,
            Value::Struct(vec![Value::Int32(42), Value::Boolean(true)])
        );
    }

    #[test]
    fn exclude_wins_over_include() {
        let mut t = transform(
            &[("exclude", "dont,abc"), ("include", "abc,etc")],
            RecordPart::Value,
        );
        let out = t.apply(with_value(four_fields())).unwrap().unwrap();
        let value = out.value.unwrap();
        let names: Vec<_> = value
            .schema
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["etc"]);
        // Excluding only: the others stay, in order.
        let mut t = transform(
            &[("exclude", "dont"), ("renames", "abc:xyz")],
            RecordPart::Value,
        );
        let value = t
            .apply(with_value(four_fields()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        let names: Vec<_> = value
            .schema
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["xyz", "foo", "etc"]);
    }

    #[test]
    fn null_parts_pass_unchanged() {
        let mut t = transform(
            &[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
            RecordPart::Value,
        );
        let record = tombstone(3);
        assert_eq!(t.apply(record.clone()).unwrap(), Some(record));
        let typed_null = with_value(ConnectData::new(four_fields().schema, Value::Null));
        assert_eq!(t.apply(typed_null.clone()).unwrap(), Some(typed_null));
        let mut k = transform(&[("exclude", "id")], RecordPart::Key);
        assert_eq!(k.apply(truncate()).unwrap(), Some(truncate()));
    }

    #[test]
    fn replace_null_with_default_on_value_and_key() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let pairs = [
                ("include", "abc"),
                ("renames", "abc:optional_with_default"),
                ("replace.null.with.default", replace),
            ];
            let schema = Schema::record("r").field(
                "abc",
                Schema::of(SchemaType::Int32)
                    .optional()
                    .default_value(json!(42)),
            );
            let mut v = transform(&pairs, RecordPart::Value);
            let out = v
                .apply(with_value(data(schema.clone(), vec![Value::Null])))
                .unwrap()
                .unwrap();
            assert_eq!(
                field(&out.value.unwrap(), "optional_with_default"),
                &expected
            );
            let mut k = transform(&pairs, RecordPart::Key);
            let out = k
                .apply(with_key(data(schema, vec![Value::Null])))
                .unwrap()
                .unwrap();
            assert_eq!(field(&out.key.unwrap(), "optional_with_default"), &expected);
        }
    }

    #[test]
    fn envelopes_and_other_records_keep_their_schema_names() {
        let mut t = transform(&[("exclude", "ts_us,ts_ns,status")], RecordPart::Value);
        let out = t
            .apply(change_event(1, "a"))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(
            out.schema.name.as_deref(),
            Some("srv.inv.customers.Envelope")
        );
        assert!(out.schema.field_index("ts_us").is_none());
        assert_eq!(out.schema.fields.len(), 6);
        let tx = t.apply(transaction_end()).unwrap().unwrap().value.unwrap();
        assert!(tx.schema.field_index("status").is_none());
        for record in [heartbeat(), schema_change()] {
            let before = record.value.clone().unwrap();
            let after = t.apply(record).unwrap().unwrap().value.unwrap();
            assert_eq!(after.value, before.value);
        }
    }

    #[test]
    fn the_schema_is_derived_once_per_input_schema() {
        let mut t = transform(&[("exclude", "dont")], RecordPart::Value);
        let input = four_fields();
        let a = t
            .apply(with_value(input.clone()))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        let b = t.apply(with_value(input)).unwrap().unwrap().value.unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.schema, &b.schema));
    }

    #[test]
    fn renaming_onto_an_existing_name_is_an_error() {
        let mut t = transform(&[("renames", "abc:foo")], RecordPart::Value);
        let err = t.apply(with_value(four_fields())).unwrap_err();
        assert_eq!(
            err.0,
            "Cannot create field because of field name duplication foo"
        );
    }

    #[test]
    fn options_removed_in_kafka_4_are_refused_with_their_replacement() {
        let err = ReplaceField::new(&Props::of(&[("blacklist", "a")]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(
            err.0.contains("'blacklist'") && err.0.contains("'exclude'"),
            "{err}"
        );
        let err = ReplaceField::new(&Props::of(&[("whitelist", "a")]), RecordPart::Value)
            .err()
            .unwrap();
        assert!(
            err.0.contains("'whitelist'") && err.0.contains("'include'"),
            "{err}"
        );
    }

    #[test]
    fn bad_rename_mappings_are_refused() {
        for bad in ["abc", "a:b:c", "a:"] {
            let err = ReplaceField::new(&Props::of(&[("renames", bad)]), RecordPart::Value)
                .err()
                .unwrap();
            assert!(err.0.contains("Invalid rename mapping"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_non_struct_part_is_an_error() {
        let mut t = transform(&[("exclude", "a")], RecordPart::Value);
        let record = with_value(ConnectData::new(
            std::sync::Arc::new(Schema::of(SchemaType::String)),
            Value::from("x"),
        ));
        assert!(t
            .apply(record)
            .unwrap_err()
            .0
            .contains("[field replacement]"));
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.ReplaceField$Key",
                &[("renames", "id:key_id")],
            ),
            ("v", "ReplaceField$Value", &[("include", "after,op")]),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().schema.fields[0].name, "key_id");
        assert_eq!(out.value.unwrap().schema.fields.len(), 2);
    }
}
