//! The behaviour Debezium's `HeaderToValueTest` asserts, on Ferrium's records.

use std::sync::Arc;

use ferrium_event::envelope::{Envelope, ProcessingTime};
use ferrium_event::{ConnectData, Header, Op, Schema, SchemaType, SourceRecord, Value};

use super::HeaderToValue;
use crate::{Props, Transform};

fn row_schema() -> Arc<Schema> {
    Arc::new(
        Schema::record("mysql-server-1.inventory.products.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("price", Schema::of(SchemaType::Float32))
            .field("product", Schema::of(SchemaType::String))
            .optional(),
    )
}

fn envelope_schema() -> Arc<Schema> {
    Envelope::new(
        "mysql-server-1.inventory.product",
        row_schema(),
        Arc::new(Schema::of(SchemaType::String)),
    )
    .schema
}

fn row() -> Value {
    Value::Struct(vec![
        Value::Int64(101),
        Value::Float32(20.0),
        Value::from("a product"),
    ])
}

fn event(schema: &Arc<Schema>, op: Op) -> SourceRecord {
    let value = Envelope::value(
        Value::Null,
        row(),
        Value::Null,
        op,
        ProcessingTime::now(),
        None,
    );
    SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(schema.clone(), value)),
    )
}

fn string_header(key: &str, value: &str) -> Header {
    Header {
        key: key.into(),
        value: ConnectData::new(Arc::new(Schema::of(SchemaType::String)), Value::from(value)),
    }
}

fn list_header(key: &str, schema: &Arc<Schema>) -> Header {
    Header {
        key: key.into(),
        value: ConnectData::new(
            schema.clone(),
            Value::Array(vec![Value::from("v1"), Value::from("v2")]),
        ),
    }
}

fn list_schema() -> Arc<Schema> {
    Arc::new(
        Schema::array(Schema::of(SchemaType::String).optional())
            .optional()
            .named("h1"),
    )
}

fn transform(pairs: &[(&str, &str)]) -> HeaderToValue {
    HeaderToValue::new(&Props::of(pairs)).unwrap()
}

fn config_error(pairs: &[(&str, &str)]) -> String {
    HeaderToValue::new(&Props::of(pairs)).err().unwrap().0
}

/// A field of a struct value by name.
fn get<'a>(
    schema: &'a Schema,
    value: &'a Value,
    name: &str,
) -> Option<(&'a Arc<Schema>, &'a Value)> {
    let index = schema.field_index(name)?;
    match value {
        Value::Struct(values) => Some((&schema.fields[index].schema, &values[index])),
        _ => None,
    }
}

fn top<'a>(record: &'a SourceRecord, name: &str) -> Option<&'a Value> {
    let data = record.value.as_ref().unwrap();
    get(&data.schema, &data.value, name).map(|(_, v)| v)
}

#[test]
fn options_are_validated_as_debezium_does() {
    let err = config_error(&[
        ("headers", "h1"),
        ("fields", "f1"),
        ("operation", "invalidOp"),
    ]);
    assert!(
        err.contains("'operation'") && err.contains("move, copy"),
        "{err}"
    );
    let err = config_error(&[("headers", "h1"), ("operation", "copy")]);
    assert!(
        err.contains("'fields'") && err.contains("required"),
        "{err}"
    );
    let err = config_error(&[("fields", "f1"), ("operation", "copy")]);
    assert!(
        err.contains("'headers'") && err.contains("required"),
        "{err}"
    );
    let err = config_error(&[("headers", "h1"), ("fields", "f1")]);
    assert!(err.contains("'operation'"), "{err}");
    let err = config_error(&[
        ("headers", "h1,h2"),
        ("fields", "f1"),
        ("operation", "copy"),
    ]);
    assert!(err.contains("same number of elements"), "{err}");
    let err = config_error(&[
        ("headers", "h1,h2"),
        ("fields", ",f2"),
        ("operation", "copy"),
    ]);
    assert!(err.contains("'fields'") && err.contains("empty"), "{err}");
    for (headers, fields) in [
        ("header one", "f1"),
        ("headerOne", "after.field one"),
        ("headerOne", "after. fieldOne"),
    ] {
        let err = config_error(&[
            ("headers", headers),
            ("fields", fields),
            ("operation", "copy"),
        ]);
        assert!(err.contains("space"), "{err}");
    }
}

#[test]
fn headers_are_copied_into_the_named_fields() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", "h1,h2"),
        ("fields", "f1, f2"),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record
        .headers
        .push(string_header("h1", "this is a value from h1 header"));
    record
        .headers
        .push(string_header("h2", "this is a value from h2 header"));
    let out = t.apply(record.clone()).unwrap().unwrap();
    assert_eq!(
        top(&out, "f1"),
        Some(&Value::from("this is a value from h1 header"))
    );
    assert_eq!(
        top(&out, "f2"),
        Some(&Value::from("this is a value from h2 header"))
    );
    assert_eq!(out.headers, record.headers, "copy keeps the headers");
    let value_schema = &out.value.as_ref().unwrap().schema;
    assert_eq!(value_schema.name, schema.name);
    assert_eq!(
        &value_schema.fields[..schema.fields.len()],
        &schema.fields[..]
    );
    assert!(Arc::ptr_eq(
        &value_schema.fields[8].schema,
        &record.headers[0].value.schema
    ));
    // The envelope fields keep their values.
    assert_eq!(top(&out, "after"), Some(&row()));
    assert_eq!(top(&out, "op"), Some(&Value::from("c")));
}

#[test]
fn list_items_are_trimmed_and_list_headers_copied() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", " h1 , h2"),
        ("fields", " f1, f2 "),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record.headers.push(list_header("h1", &list_schema()));
    record.headers.push(list_header("h2", &list_schema()));
    let out = t.apply(record).unwrap().unwrap();
    let list = Value::Array(vec![Value::from("v1"), Value::from("v2")]);
    assert_eq!(top(&out, "f1"), Some(&list));
    assert_eq!(top(&out, "f2"), Some(&list));
}

#[test]
fn move_removes_the_moved_headers() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", "h1,h2,h3"),
        ("fields", "f1,f2,f3"),
        ("operation", "move"),
    ]);
    let mut record = event(&schema, Op::Create);
    for name in ["h1", "h2", "h3", "h4"] {
        record.headers.push(list_header(name, &list_schema()));
    }
    let out = t.apply(record).unwrap().unwrap();
    for field in ["f1", "f2", "f3"] {
        assert!(matches!(top(&out, field), Some(Value::Array(items)) if items.len() == 2));
    }
    let keys: Vec<_> = out.headers.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(keys, ["h4"]);
}

#[test]
fn a_dotted_field_goes_into_its_struct() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", "h1,h2,h3"),
        ("fields", "f1,after.f2,source.f3"),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record
        .headers
        .push(string_header("h1", "this is a value from h1 header"));
    record
        .headers
        .push(string_header("h2", "this is a value from h2 header"));
    let out = t.apply(record).unwrap().unwrap();
    assert_eq!(
        top(&out, "f1"),
        Some(&Value::from("this is a value from h1 header"))
    );
    let data = out.value.as_ref().unwrap();
    let (after_schema, after) = get(&data.schema, &data.value, "after").unwrap();
    assert_eq!(
        get(after_schema, after, "f2").map(|(_, v)| v),
        Some(&Value::from("this is a value from h2 header"))
    );
    assert_eq!(
        get(after_schema, after, "product").map(|(_, v)| v),
        Some(&Value::from("a product"))
    );
    // Rebuilt with Kafka's copySchemaBasics: same name, now required.
    assert_eq!(after_schema.name, row_schema().name);
    assert!(!after_schema.optional);
}

#[test]
fn a_path_through_a_primitive_fails() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", "h3"),
        ("fields", "source.f3"),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record.headers.push(string_header("h3", "x"));
    let err = t.apply(record).unwrap_err();
    assert!(err.0.contains("primitive"), "{err}");
}

#[test]
fn records_without_the_headers_pass_unchanged() {
    let schema = envelope_schema();
    for (headers, fields) in [("h1,", "f1"), ("h1,", "parent.f1")] {
        let mut t = transform(&[
            ("headers", headers),
            ("fields", fields),
            ("operation", "copy"),
        ]);
        let mut record = event(&schema, Op::Create);
        record
            .headers
            .push(string_header("h2", "this is a value from h2 header"));
        assert_eq!(t.apply(record.clone()).unwrap(), Some(record));
    }
    let mut t = transform(&[("headers", "h1"), ("fields", "f1"), ("operation", "copy")]);
    let read = event(&schema, Op::Read);
    assert_eq!(t.apply(read.clone()).unwrap(), Some(read));
    let mut create = event(&schema, Op::Create);
    create.headers.push(list_header("h1", &list_schema()));
    let out = t.apply(create).unwrap().unwrap();
    assert!(top(&out, "f1").is_some());
}

#[test]
fn tombstones_pass_unchanged() {
    let mut t = transform(&[("headers", "h1"), ("fields", "f1"), ("operation", "copy")]);
    let mut tombstone = SourceRecord::new("topic".into(), None, None);
    tombstone.headers.push(string_header("h1", "x"));
    assert_eq!(t.apply(tombstone.clone()).unwrap(), Some(tombstone));
    let mut null_value = SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(envelope_schema(), Value::Null)),
    );
    null_value.headers.push(string_header("h1", "x"));
    assert_eq!(t.apply(null_value.clone()).unwrap(), Some(null_value));
}

#[test]
fn a_missing_parent_struct_is_created() {
    let schema = envelope_schema();
    let mut t = transform(&[
        ("headers", "Event_Type,ce_type,X-B3-TraceId"),
        ("fields", "headers.h1,headers.h2,headers.h3"),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record
        .headers
        .push(string_header("Event_Type", "event_type_value"));
    record
        .headers
        .push(string_header("ce_type", "ce_type_value"));
    record
        .headers
        .push(string_header("X-B3-TraceId", "trace_id_value"));
    let out = t.apply(record).unwrap().unwrap();
    let data = out.value.as_ref().unwrap();
    let (headers_schema, headers) = get(&data.schema, &data.value, "headers").unwrap();
    assert!(headers_schema.optional && headers_schema.name.is_none());
    assert_eq!(
        get(headers_schema, headers, "h1").map(|(_, v)| v),
        Some(&Value::from("event_type_value"))
    );
    assert_eq!(
        get(headers_schema, headers, "h2").map(|(_, v)| v),
        Some(&Value::from("ce_type_value"))
    );
    assert_eq!(
        get(headers_schema, headers, "h3").map(|(_, v)| v),
        Some(&Value::from("trace_id_value"))
    );

    let mut t = transform(&[
        ("headers", "h1"),
        ("fields", "newParent.newField"),
        ("operation", "copy"),
    ]);
    let mut record = event(&schema, Op::Create);
    record.headers.push(string_header("h1", "header value"));
    let out = t.apply(record).unwrap().unwrap();
    let data = out.value.as_ref().unwrap();
    let (parent_schema, parent) = get(&data.schema, &data.value, "newParent").unwrap();
    assert_eq!(
        get(parent_schema, parent, "newField").map(|(_, v)| v),
        Some(&Value::from("header value"))
    );
}

#[test]
fn the_same_inputs_give_the_same_schema_and_other_header_sets_their_own() {
    let schema = envelope_schema();
    let h1 = string_header("h1", "a");
    let h2 = string_header("h2", "b");
    let mut t = transform(&[
        ("headers", "h1,h2"),
        ("fields", "f1,f2"),
        ("operation", "copy"),
    ]);
    let with = |headers: &[&Header]| {
        let mut record = event(&schema, Op::Create);
        record.headers.extend(headers.iter().map(|h| (*h).clone()));
        record
    };
    let a = t.apply(with(&[&h1, &h2])).unwrap().unwrap();
    let b = t.apply(with(&[&h1, &h2])).unwrap().unwrap();
    assert!(Arc::ptr_eq(
        &a.value.as_ref().unwrap().schema,
        &b.value.as_ref().unwrap().schema
    ));
    let c = t.apply(with(&[&h1])).unwrap().unwrap();
    assert_eq!(top(&c, "f1"), Some(&Value::from("a")));
    assert_eq!(top(&c, "f2"), None);
}

#[test]
fn any_struct_value_gets_the_fields_and_others_fail() {
    let mut t = transform(&[("headers", "h1"), ("fields", "f1"), ("operation", "copy")]);
    let heartbeat_schema = Arc::new(
        Schema::record("io.debezium.connector.common.Heartbeat")
            .field("ts_ms", Schema::of(SchemaType::Int64)),
    );
    let mut heartbeat = SourceRecord::new(
        "hb".into(),
        None,
        Some(ConnectData::new(
            heartbeat_schema,
            Value::Struct(vec![Value::Int64(1)]),
        )),
    );
    heartbeat.headers.push(string_header("h1", "x"));
    let out = t.apply(heartbeat).unwrap().unwrap();
    assert_eq!(top(&out, "f1"), Some(&Value::from("x")));

    let text = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::String)),
            Value::from("x"),
        )),
    );
    assert!(t.apply(text).is_err());
}

#[test]
fn registered() {
    assert!(crate::registry::transform("io.debezium.transforms.HeaderToValue").is_ok());
}
