//! `MaskField$Key` / `MaskField$Value`: replaces the values of the named top-level
//! fields with the empty value of their type (0, `""`, `false`, epoch, an empty array or
//! map), or with `replacement` read as the field's type.
//!
//! The schema is unchanged. A null field stays null. Unlike most Kafka transforms this
//! one has no pass-through for a null key or value: Kafka's fails on a tombstone, and
//! so does this one.

use std::collections::HashSet;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::java_decimal::JavaDecimal;
use super::record_part::{require_map_of_null, require_struct, RecordPart};
use super::struct_fields::{into_fields, or_default};
use crate::{ConfigProblem, Props, Transform, TransformError};

const PURPOSE: &str = "mask fields";
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
/// Connect's logical types whose Java values are `java.util.Date`s: masked to the epoch,
/// but never replaced (Kafka has no conversion from a string to a `Date`).
const DATE_LOGICAL: [&str; 3] = [
    "org.apache.kafka.connect.data.Date",
    "org.apache.kafka.connect.data.Time",
    "org.apache.kafka.connect.data.Timestamp",
];

/// The replacement text, read once as every number type it may be needed as.
struct Replacement {
    text: String,
    /// `None`: not a number, an error on the first numeric field masked.
    number: Option<JavaDecimal>,
    long: i64,
    double: f64,
}

impl Replacement {
    fn new(text: &str) -> Replacement {
        let number = JavaDecimal::parse(text);
        let (long, double) = number
            .as_ref()
            .map_or((0, 0.0), |n| (n.long_value(), n.double_value()));
        Replacement {
            text: text.to_string(),
            number,
            long,
            double,
        }
    }

    /// Kafka's words differ: `Values.convertTo…` says "to a number", its own
    /// `BigDecimal` parse for decimals "to number".
    fn not_a_number(&self, decimal: bool) -> TransformError {
        TransformError::new(format!(
            "Unable to convert {} (class java.lang.String) to {}number",
            self.text,
            if decimal { "" } else { "a " }
        ))
    }

    fn for_field(&self, schema: &Schema) -> Result<Value, TransformError> {
        let name = schema.name.as_deref();
        if name.is_some_and(|n| DATE_LOGICAL.contains(&n)) {
            return Err(cannot_replace("java.util.Date"));
        }
        let number = || self.number.as_ref().ok_or_else(|| self.not_a_number(false));
        // Java narrows the long with a cast: the low bits are kept.
        Ok(match schema.kind {
            SchemaType::Int8 => Value::Int8(number().map(|_| self.long as i8)?),
            SchemaType::Int16 => Value::Int16(number().map(|_| self.long as i16)?),
            SchemaType::Int32 => Value::Int32(number().map(|_| self.long as i32)?),
            SchemaType::Int64 => Value::Int64(number().map(|_| self.long)?),
            SchemaType::Float32 => Value::Float32(number().map(|_| self.double as f32)?),
            SchemaType::Float64 => Value::Float64(number().map(|_| self.double)?),
            SchemaType::String => Value::String(self.text.clone()),
            SchemaType::Bytes if name == Some(DECIMAL) => {
                let scale = decimal_scale(schema)?;
                let decimal = self
                    .number
                    .as_ref()
                    .ok_or_else(|| self.not_a_number(true))?;
                let unscaled = decimal.unscaled_at(scale).ok_or_else(|| {
                    TransformError::new(format!(
                        "replacement {} does not fit the scale {scale} of the decimal field",
                        self.text
                    ))
                })?;
                Value::Bytes(unscaled)
            }
            kind => return Err(cannot_replace(java_class(kind))),
        })
    }
}

fn cannot_replace(class: &str) -> TransformError {
    TransformError::new(format!(
        "Cannot mask value of type class {class} with custom replacement."
    ))
}

/// The Java class of a Connect value of `kind`, as Kafka's messages name it.
fn java_class(kind: SchemaType) -> &'static str {
    match kind {
        SchemaType::Boolean => "java.lang.Boolean",
        SchemaType::Bytes => "[B",
        SchemaType::Array => "java.util.ArrayList",
        SchemaType::Map => "java.util.HashMap",
        SchemaType::Struct => "org.apache.kafka.connect.data.Struct",
        _ => "java.lang.Number",
    }
}

fn decimal_scale(schema: &Schema) -> Result<i32, TransformError> {
    let scale = schema
        .parameter("scale")
        .ok_or_else(|| TransformError::new("Invalid Decimal schema: scale parameter not found."))?;
    scale
        .parse()
        .map_err(|_| TransformError::new("Invalid scale parameter found in Decimal schema: "))
}

/// The empty value of the field's type, as Kafka's table of "null values" has it.
fn empty_value(schema: &Schema) -> Result<Value, TransformError> {
    Ok(match schema.kind {
        SchemaType::Boolean => Value::Boolean(false),
        SchemaType::Int8 => Value::Int8(0),
        SchemaType::Int16 => Value::Int16(0),
        SchemaType::Int32 => Value::Int32(0),
        SchemaType::Int64 => Value::Int64(0),
        SchemaType::Float32 => Value::Float32(0.0),
        SchemaType::Float64 => Value::Float64(0.0),
        SchemaType::String => Value::String(String::new()),
        // Zero, here at the field's own scale (see the report on Kafka's scale 0).
        SchemaType::Bytes if schema.name.as_deref() == Some(DECIMAL) => Value::Bytes(vec![0]),
        SchemaType::Array => Value::Array(Vec::new()),
        SchemaType::Map => Value::Map(Vec::new()),
        kind => {
            return Err(TransformError::new(format!(
                "Cannot mask value of type: class {}",
                java_class(kind)
            )))
        }
    })
}

pub struct MaskField {
    part: RecordPart,
    fields: HashSet<String>,
    replacement: Option<Replacement>,
    replace_null_with_default: bool,
}

impl MaskField {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        let fields: HashSet<String> = props.list("fields").into_iter().collect();
        if fields.is_empty() {
            return Err(props.problem("fields", "is required and must name at least one field"));
        }
        let replacement = match props.get("replacement") {
            None => None,
            Some("") => return Err(props.problem("replacement", "String must be non-empty")),
            Some(text) => Some(Replacement::new(text)),
        };
        Ok(MaskField {
            part,
            fields,
            replacement,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
        })
    }

    fn masked(&self, value: Value, schema: &Schema) -> Result<Value, TransformError> {
        if value.is_null() {
            return Ok(value);
        }
        match &self.replacement {
            None => empty_value(schema),
            Some(r) => r.for_field(schema),
        }
    }
}

impl Transform for MaskField {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        let Some(data) = slot.take() else {
            return Err(require_map_of_null(PURPOSE));
        };
        require_struct(Some(&data), PURPOSE)?;
        let values = into_fields(data.value)
            .into_iter()
            .zip(&data.schema.fields)
            .map(|(v, f)| {
                let v = or_default(v, &f.schema, self.replace_null_with_default);
                if self.fields.contains(&f.name) {
                    self.masked(v, &f.schema)
                } else {
                    Ok(v)
                }
            })
            .collect::<Result<_, _>>()?;
        *self.part.slot(&mut record) = Some(ConnectData::new(data.schema, Value::Struct(values)));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record_fixtures::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::record("r")
            .field("magic", Schema::of(SchemaType::Int32))
            .field("bool", Schema::of(SchemaType::Boolean))
            .field("byte", Schema::of(SchemaType::Int8))
            .field("short", Schema::of(SchemaType::Int16))
            .field("int", Schema::of(SchemaType::Int32))
            .field("long", Schema::of(SchemaType::Int64))
            .field("float", Schema::of(SchemaType::Float32))
            .field("double", Schema::of(SchemaType::Float64))
            .field("string", Schema::of(SchemaType::String))
            .field(
                "date",
                Schema::of(SchemaType::Int32)
                    .named(DATE_LOGICAL[0])
                    .version(1),
            )
            .field(
                "time",
                Schema::of(SchemaType::Int32)
                    .named(DATE_LOGICAL[1])
                    .version(1),
            )
            .field(
                "timestamp",
                Schema::of(SchemaType::Int64)
                    .named(DATE_LOGICAL[2])
                    .version(1),
            )
            .field(
                "decimal",
                Schema::of(SchemaType::Bytes)
                    .named(DECIMAL)
                    .version(1)
                    .param("scale", "0"),
            )
            .field("array", Schema::array(Schema::of(SchemaType::Int32)))
            .field(
                "map",
                Schema::map(
                    Schema::of(SchemaType::String),
                    Schema::of(SchemaType::String),
                ),
            )
            .field(
                "withDefault",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(json!("default")),
            )
            .field(
                "money",
                Schema::of(SchemaType::Bytes)
                    .named(DECIMAL)
                    .version(1)
                    .param("scale", "2"),
            )
    }

    fn record() -> SourceRecord {
        with_value(data(
            schema(),
            vec![
                Value::Int32(42),
                Value::Boolean(true),
                Value::Int8(42),
                Value::Int16(42),
                Value::Int32(42),
                Value::Int64(42),
                Value::Float32(42.0),
                Value::Float64(42.0),
                Value::from("hmm"),
                Value::Int32(19_000),
                Value::Int32(3_600_000),
                Value::Int64(1_700_000_000_000),
                Value::Bytes(vec![42]),
                Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
                Value::Map(vec![(Value::from("what"), Value::from("what"))]),
                Value::Null,
                Value::Bytes(vec![0x10, 0x68]),
            ],
        ))
    }

    fn transform(fields: &str, replacement: Option<&str>) -> MaskField {
        let mut pairs = vec![("fields", fields), ("replace.null.with.default", "false")];
        if let Some(r) = replacement {
            pairs.push(("replacement", r));
        }
        MaskField::new(&Props::of(&pairs), RecordPart::Value).unwrap()
    }

    fn masked(fields: &str, replacement: Option<&str>) -> Result<ConnectData, TransformError> {
        transform(fields, replacement)
            .apply(record())
            .map(|r| r.unwrap().value.unwrap())
    }

    #[test]
    fn masks_every_type_with_its_empty_value() {
        let all: Vec<_> = schema()
            .fields
            .iter()
            .skip(1)
            .map(|f| f.name.clone())
            .collect();
        let out = masked(&all.join(","), None).unwrap();
        assert_eq!(field(&out, "magic"), &Value::Int32(42));
        assert_eq!(field(&out, "bool"), &Value::Boolean(false));
        assert_eq!(field(&out, "byte"), &Value::Int8(0));
        assert_eq!(field(&out, "short"), &Value::Int16(0));
        assert_eq!(field(&out, "int"), &Value::Int32(0));
        assert_eq!(field(&out, "long"), &Value::Int64(0));
        assert_eq!(field(&out, "float"), &Value::Float32(0.0));
        assert_eq!(field(&out, "double"), &Value::Float64(0.0));
        assert_eq!(field(&out, "string"), &Value::from(""));
        assert_eq!(field(&out, "date"), &Value::Int32(0));
        assert_eq!(field(&out, "time"), &Value::Int32(0));
        assert_eq!(field(&out, "timestamp"), &Value::Int64(0));
        assert_eq!(field(&out, "decimal"), &Value::Bytes(vec![0]));
        assert_eq!(field(&out, "money"), &Value::Bytes(vec![0]));
        assert_eq!(field(&out, "array"), &Value::Array(vec![]));
        assert_eq!(field(&out, "map"), &Value::Map(vec![]));
        // Null stays null (without the default, as configured).
        assert_eq!(field(&out, "withDefault"), &Value::Null);
        // The schema is the input's.
        assert_eq!(*out.schema, schema());
    }

    #[test]
    fn replacements_are_read_as_the_field_type() {
        let cases = [
            ("short", Value::Int16(123)),
            ("byte", Value::Int8(123)),
            ("int", Value::Int32(123)),
            ("long", Value::Int64(123)),
            ("float", Value::Float32(123.0)),
            ("double", Value::Float64(123.0)),
            ("string", Value::from("123")),
            ("decimal", Value::Bytes(vec![123])),
        ];
        for (name, expected) in cases {
            let out = masked(name, Some("123")).unwrap();
            assert_eq!(field(&out, name), &expected, "{name}");
        }
        let out = masked("decimal", Some("123.0")).unwrap();
        assert_eq!(field(&out, "decimal"), &Value::Bytes(vec![123]));
        // 1.5 at scale 2 is 150.
        let out = masked("money", Some("1.5")).unwrap();
        assert_eq!(field(&out, "money"), &Value::Bytes(vec![0, 150]));
        assert!(masked("decimal", Some("1.5")).is_err());
    }

    #[test]
    fn types_without_a_replacement_conversion_are_errors() {
        for name in ["time", "timestamp", "date", "array", "bool", "map"] {
            let err = masked(name, Some("123")).unwrap_err();
            assert!(
                err.0.starts_with("Cannot mask value of type"),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn a_replacement_that_is_not_a_number_fails_on_numeric_fields_only() {
        for name in ["byte", "short", "int", "long", "float", "double"] {
            let err = masked(name, Some("foo")).unwrap_err();
            assert_eq!(
                err.0, "Unable to convert foo (class java.lang.String) to a number",
                "{name}"
            );
        }
        let err = masked("decimal", Some("foo")).unwrap_err();
        assert_eq!(
            err.0,
            "Unable to convert foo (class java.lang.String) to number"
        );
        assert!(masked("string,int", Some("foo")).is_err());
        assert_eq!(
            field(&masked("string", Some("foo")).unwrap(), "string"),
            &Value::from("foo")
        );
    }

    #[test]
    fn an_empty_replacement_or_no_fields_is_refused() {
        let err = MaskField::new(
            &Props::of(&[("fields", "a"), ("replacement", "")]),
            RecordPart::Value,
        )
        .err()
        .unwrap();
        assert!(
            err.0.contains("'replacement'") && err.0.contains("non-empty"),
            "{err}"
        );
        assert!(MaskField::new(&Props::of(&[]), RecordPart::Value).is_err());
    }

    #[test]
    fn structs_and_plain_bytes_cannot_be_masked() {
        let mut t = MaskField::new(&Props::of(&[("fields", "source")]), RecordPart::Value).unwrap();
        let err = t.apply(change_event(1, "a")).unwrap_err();
        assert!(err.0.starts_with("Cannot mask value of type"), "{err}");
        let bytes = data(
            Schema::record("b").field("b", Schema::of(SchemaType::Bytes)),
            vec![Value::Bytes(vec![1])],
        );
        let mut t = MaskField::new(&Props::of(&[("fields", "b")]), RecordPart::Value).unwrap();
        assert!(t.apply(with_value(bytes)).is_err());
    }

    #[test]
    fn replace_null_with_default_applies_to_every_field() {
        let mut t = MaskField::new(&Props::of(&[("fields", "int")]), RecordPart::Value).unwrap();
        let out = t.apply(record()).unwrap().unwrap().value.unwrap();
        assert_eq!(field(&out, "withDefault"), &Value::from("default"));
        // A null masked field takes its default, which is then masked.
        let with_default = data(
            Schema::record("d").field(
                "n",
                Schema::of(SchemaType::Int32)
                    .optional()
                    .default_value(json!(7)),
            ),
            vec![Value::Null],
        );
        let mut t = MaskField::new(&Props::of(&[("fields", "n")]), RecordPart::Value).unwrap();
        let out = t
            .apply(with_value(with_default))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&out, "n"), &Value::Int32(0));
    }

    #[test]
    fn null_parts_fail_as_in_kafka() {
        let mut t = MaskField::new(&Props::of(&[("fields", "name")]), RecordPart::Value).unwrap();
        let err = t.apply(tombstone(1)).unwrap_err();
        assert!(err.0.contains("found: null"), "{err}");
        let typed_null = with_value(ConnectData::new(row_schema(), Value::Null));
        assert!(t.apply(typed_null).unwrap_err().0.contains("found: null"));
        let mut k = MaskField::new(&Props::of(&[("fields", "id")]), RecordPart::Key).unwrap();
        assert!(k.apply(truncate()).is_err());
    }

    #[test]
    fn masks_the_key_form_and_other_record_kinds() {
        let mut k = MaskField::new(&Props::of(&[("fields", "id")]), RecordPart::Key).unwrap();
        let out = k.apply(change_event(5, "a")).unwrap().unwrap();
        assert_eq!(out.key.unwrap().value, Value::Struct(vec![Value::Int32(0)]));
        let mut v =
            MaskField::new(&Props::of(&[("fields", "ts_ms,op")]), RecordPart::Value).unwrap();
        let hb = v.apply(heartbeat()).unwrap().unwrap().value.unwrap();
        assert_eq!(field(&hb, "ts_ms"), &Value::Int64(0));
        let ev = v
            .apply(change_event(1, "a"))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&ev, "op"), &Value::from(""));
        assert_eq!(field(&ev, "ts_ms"), &Value::Int64(0));
    }

    #[test]
    fn both_forms_are_registered() {
        let mut chain = chain(&[
            (
                "k",
                "org.apache.kafka.connect.transforms.MaskField$Key",
                &[("fields", "id"), ("replacement", "-1")],
            ),
            ("v", "MaskField$Value", &[("fields", "op")]),
        ]);
        let out = chain.apply(change_event(1, "a")).unwrap().unwrap();
        assert_eq!(
            out.key.unwrap().value,
            Value::Struct(vec![Value::Int32(-1)])
        );
        assert_eq!(field(out.value.as_ref().unwrap(), "op"), &Value::from(""));
    }
}
