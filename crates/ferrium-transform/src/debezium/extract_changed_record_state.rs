//! `io.debezium.transforms.ExtractChangedRecordState`: adds headers naming the columns
//! an update changed (`header.changed.name`) and those it left alone
//! (`header.unchanged.name`). The record is otherwise unchanged.
//!
//! Every change event gets the configured headers, as empty lists when there is no
//! `before` or no `after` image (inserts, reads, deletes), so that chains with
//! `HeaderToValue` see a consistent shape. Tombstones and records that are not change
//! events pass without headers.

use std::sync::Arc;

use ferrium_event::change::is_envelope;
use ferrium_event::{ConnectData, Header, Schema, SchemaType, SourceRecord, Value};

use crate::debezium::connect_schema::is_blank;
use crate::{ConfigProblem, Props, Transform, TransformError};

const CHANGED: &str = "header.changed.name";
const UNCHANGED: &str = "header.unchanged.name";

/// A header to add: its name and its schema (an optional array of optional strings,
/// named after the header, as Debezium builds it).
struct ListHeader {
    name: String,
    schema: Arc<Schema>,
}

impl ListHeader {
    fn from_props(props: &Props, option: &str) -> Option<Self> {
        let name = props.get(option)?;
        // Debezium builds the schema for any given name but adds the header only when
        // the name is not blank.
        (!is_blank(name)).then(|| ListHeader {
            name: name.to_string(),
            schema: Arc::new(
                Schema::array(Schema::of(SchemaType::String).optional())
                    .optional()
                    .named(name),
            ),
        })
    }

    fn header(&self, names: Vec<Value>) -> Header {
        Header {
            key: self.name.clone(),
            value: ConnectData::new(self.schema.clone(), Value::Array(names)),
        }
    }
}

pub struct ExtractChangedRecordState {
    changed: Option<ListHeader>,
    unchanged: Option<ListHeader>,
}

impl ExtractChangedRecordState {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        Ok(ExtractChangedRecordState {
            changed: ListHeader::from_props(props, CHANGED),
            unchanged: ListHeader::from_props(props, UNCHANGED),
        })
    }
}

/// `Objects.equals` on Connect values: floats compare as Java's boxed `equals` does
/// (NaN equals NaN, 0.0 differs from -0.0) and maps ignore entry order.
fn java_equals(a: &Value, b: &Value) -> bool {
    fn f32_bits(v: f32) -> u32 {
        if v.is_nan() {
            f32::NAN.to_bits()
        } else {
            v.to_bits()
        }
    }
    fn f64_bits(v: f64) -> u64 {
        if v.is_nan() {
            f64::NAN.to_bits()
        } else {
            v.to_bits()
        }
    }
    match (a, b) {
        (Value::Float32(x), Value::Float32(y)) => f32_bits(*x) == f32_bits(*y),
        (Value::Float64(x), Value::Float64(y)) => f64_bits(*x) == f64_bits(*y),
        (Value::Array(x), Value::Array(y)) | (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| java_equals(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| java_equals(k, k2) && java_equals(v, v2))
                })
        }
        _ => a == b,
    }
}

/// The names of the `after` columns whose value differs from `before`, and the others.
fn compare(
    after: (&Schema, &[Value]),
    before: (&Schema, &[Value]),
) -> Result<(Vec<Value>, Vec<Value>), TransformError> {
    let (after_schema, after_values) = after;
    let (before_schema, before_values) = before;
    let mut changed = Vec::new();
    let mut unchanged = Vec::new();
    for (index, field) in after_schema.fields.iter().enumerate() {
        // The images normally share one schema; otherwise the column is found by name.
        let before_index = if std::ptr::eq(after_schema, before_schema) {
            index
        } else {
            before_schema.field_index(&field.name).ok_or_else(|| {
                TransformError::new(format!(
                    "{} is not a valid field name in the before image",
                    field.name
                ))
            })?
        };
        let null = Value::Null;
        let a = after_values.get(index).unwrap_or(&null);
        let b = before_values.get(before_index).unwrap_or(&null);
        let list = if java_equals(a, b) {
            &mut unchanged
        } else {
            &mut changed
        };
        list.push(Value::String(field.name.clone()));
    }
    Ok((changed, unchanged))
}

impl Transform for ExtractChangedRecordState {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(data) = record.value.as_ref().filter(|v| !v.value.is_null()) else {
            return Ok(Some(record));
        };
        if !is_envelope(&data.schema) || (self.changed.is_none() && self.unchanged.is_none()) {
            return Ok(Some(record));
        }
        let image = |name: &str| -> Result<(&Arc<Schema>, &Value), TransformError> {
            let index = data
                .schema
                .field_index(name)
                .ok_or_else(|| TransformError::new(format!("{name} is not a valid field name")))?;
            let value = match &data.value {
                Value::Struct(values) => values.get(index).unwrap_or(&Value::Null),
                _ => {
                    return Err(TransformError::new(
                        "the change event value is not a struct",
                    ))
                }
            };
            Ok((&data.schema.fields[index].schema, value))
        };
        let (after_schema, after) = image("after")?;
        let (before_schema, before) = image("before")?;
        let (changed, unchanged) = match (after, before) {
            (Value::Struct(after), Value::Struct(before)) => {
                compare((after_schema, after), (before_schema, before))?
            }
            (Value::Null, _) | (_, Value::Null) => (Vec::new(), Vec::new()),
            _ => return Err(TransformError::new("the row images are not structs")),
        };
        if let Some(header) = &self.changed {
            record.headers.push(header.header(changed));
        }
        if let Some(header) = &self.unchanged {
            record.headers.push(header.header(unchanged));
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::envelope::{Envelope, ProcessingTime};
    use ferrium_event::metadata::MetadataRecords;
    use ferrium_event::Op;
    use serde_json::json;

    fn table() -> (Arc<Schema>, Arc<Schema>) {
        let row = Arc::new(
            Schema::record("dummy.Value")
                .field("id", Schema::of(SchemaType::Int8))
                .field(
                    "name",
                    Schema::of(SchemaType::String)
                        .optional()
                        .default_value(json!("default_str")),
                )
                .optional(),
        );
        let source = Arc::new(Schema::record("src").field("lsn", Schema::of(SchemaType::Int32)));
        let envelope = Envelope::new("dummy", row.clone(), source).schema;
        (row, envelope)
    }

    fn event(op: Op, before: Value, after: Value) -> SourceRecord {
        let (_, envelope) = table();
        let value = Envelope::value(
            before,
            after,
            Value::Struct(vec![Value::Int32(1234)]),
            op,
            ProcessingTime::now(),
            None,
        );
        SourceRecord::new(
            "dummy".into(),
            None,
            Some(ConnectData::new(envelope, value)),
        )
    }

    fn row(name: Option<&str>) -> Value {
        Value::Struct(vec![Value::Int8(1), name.into()])
    }

    fn transform(pairs: &[(&str, &str)]) -> ExtractChangedRecordState {
        ExtractChangedRecordState::new(&Props::of(pairs)).unwrap()
    }

    fn header<'a>(record: &'a SourceRecord, name: &str) -> Option<&'a ConnectData> {
        record
            .headers
            .iter()
            .find(|h| h.key == name)
            .map(|h| &h.value)
    }

    fn names(values: &[&str]) -> Value {
        Value::Array(values.iter().map(|n| Value::from(*n)).collect())
    }

    #[test]
    fn an_update_from_null_to_the_default_is_a_change() {
        let mut t = transform(&[(CHANGED, "Changed")]);
        let update = event(Op::Update, row(None), row(Some("default_str")));
        let out = t.apply(update).unwrap().unwrap();
        assert_eq!(header(&out, "Changed").unwrap().value, names(&["name"]));
    }

    #[test]
    fn an_update_names_changed_and_unchanged_columns() {
        let mut t = transform(&[(CHANGED, "Changed"), (UNCHANGED, "Unchanged")]);
        let update = event(
            Op::Update,
            row(Some("myRecord")),
            row(Some("updatedRecord")),
        );
        let out = t.apply(update.clone()).unwrap().unwrap();
        assert_eq!(out.headers.len(), 2);
        let changed = header(&out, "Changed").unwrap();
        assert_eq!(changed.value, names(&["name"]));
        assert_eq!(changed.schema.name.as_deref(), Some("Changed"));
        assert!(changed.schema.optional);
        assert_eq!(
            changed
                .schema
                .items
                .as_deref()
                .map(|s| (s.kind, s.optional)),
            Some((SchemaType::String, true))
        );
        assert_eq!(header(&out, "Unchanged").unwrap().value, names(&["id"]));
        assert_eq!(out.value, update.value, "the value is untouched");

        let mut t = transform(&[(CHANGED, "Changed")]);
        let out = t.apply(update).unwrap().unwrap();
        assert_eq!(out.headers.len(), 1);
        assert!(header(&out, "Unchanged").is_none());
    }

    #[test]
    fn creates_and_deletes_get_empty_lists() {
        let mut t = transform(&[(CHANGED, "Changed"), (UNCHANGED, "Unchanged")]);
        for record in [
            event(Op::Create, Value::Null, row(Some("a"))),
            event(Op::Delete, row(Some("a")), Value::Null),
        ] {
            let out = t.apply(record).unwrap().unwrap();
            assert_eq!(out.headers.len(), 2);
            assert_eq!(header(&out, "Changed").unwrap().value, Value::Array(vec![]));
            assert_eq!(
                header(&out, "Unchanged").unwrap().value,
                Value::Array(vec![])
            );
        }
    }

    #[test]
    fn no_headers_unless_configured() {
        let mut t = transform(&[]);
        for record in [
            event(Op::Create, Value::Null, row(Some("a"))),
            event(Op::Update, row(Some("a")), row(Some("b"))),
            event(Op::Delete, row(Some("a")), Value::Null),
        ] {
            assert!(t.apply(record).unwrap().unwrap().headers.is_empty());
        }
        let mut t = transform(&[(CHANGED, " ")]);
        let out = t.apply(event(Op::Update, row(Some("a")), row(Some("b"))));
        assert!(out.unwrap().unwrap().headers.is_empty());
    }

    #[test]
    fn tombstones_and_other_records_pass_without_headers() {
        let mut t = transform(&[(CHANGED, "Changed"), (UNCHANGED, "Unchanged")]);
        let meta = MetadataRecords::new("srv", "srv.transaction", "__debezium-heartbeat.srv");
        let tombstone = SourceRecord::new("dummy".into(), None, None);
        for record in [tombstone, meta.heartbeat(1), meta.transaction("1", 1, None)] {
            assert_eq!(t.apply(record.clone()).unwrap(), Some(record));
        }
    }

    #[test]
    fn floats_compare_as_java_does() {
        assert!(java_equals(
            &Value::Float64(f64::NAN),
            &Value::Float64(f64::NAN)
        ));
        assert!(!java_equals(&Value::Float64(0.0), &Value::Float64(-0.0)));
        let map = |entries: &[(&str, i64)]| {
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (Value::from(*k), Value::Int64(*v)))
                    .collect(),
            )
        };
        assert!(java_equals(
            &map(&[("a", 1), ("b", 2)]),
            &map(&[("b", 2), ("a", 1)])
        ));
        assert!(!java_equals(&map(&[("a", 1)]), &map(&[("a", 2)])));
    }

    #[test]
    fn registered() {
        assert!(
            crate::registry::transform("io.debezium.transforms.ExtractChangedRecordState").is_ok()
        );
    }
}
