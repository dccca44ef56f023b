//! The cases of Kafka's `CastTest` (the schema'd ones), plus tombstones and Decimal.

use super::*;
use serde_json::json;

fn props(spec: &str) -> Props {
    Props::of(&[("spec", spec)])
}

fn whole(spec: &str, schema: Schema, value: Value) -> ConnectData {
    let mut t = Cast::new(&props(spec), RecordPart::Value).unwrap();
    let record = SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(Arc::new(schema), value)),
    );
    t.apply(record).unwrap().unwrap().value.unwrap()
}

fn int32() -> Schema {
    Schema::of(SchemaType::Int32)
}

fn decimal(scale: i32) -> Schema {
    Schema::of(SchemaType::Bytes)
        .named(DECIMAL)
        .version(1)
        .param("scale", scale.to_string())
}

fn unscaled(v: i128) -> Value {
    // The shortest two's-complement form, as BigInteger.toByteArray writes it.
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15
        && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    Value::Bytes(bytes[start..].to_vec())
}

#[test]
fn bad_specs_are_refused() {
    for spec in [
        "",
        "foo:faketype",
        "foo:array",
        "array",
        "foo:bytes",
        "foo:int8:extra",
        "foo:int8,int32",
    ] {
        assert!(Cast::new(&props(spec), RecordPart::Key).is_err(), "{spec}");
    }
    assert!(Cast::new(&Props::of(&[]), RecordPart::Key).is_err());
    let err = Cast::new(
        &Props::new(
            "transforms.c.",
            [("spec".to_string(), "x:map".to_string())].into(),
        ),
        RecordPart::Value,
    )
    .err()
    .unwrap();
    assert!(
        err.0.contains("'transforms.c.spec'") && err.0.contains("MAP"),
        "{err}"
    );
}

#[test]
fn null_keys_values_and_tombstones_pass_unchanged() {
    let mut t = Cast::new(&props("foo:int64"), RecordPart::Value).unwrap();
    let tombstone = SourceRecord::new("t".into(), None, None);
    assert_eq!(t.apply(tombstone.clone()).unwrap().unwrap(), tombstone);
    let null_value = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::String)),
            Value::Null,
        )),
    );
    assert_eq!(t.apply(null_value.clone()).unwrap().unwrap(), null_value);
    let mut t = Cast::new(&props("foo:int64"), RecordPart::Key).unwrap();
    let no_key = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::String)),
            "value".into(),
        )),
    );
    assert_eq!(t.apply(no_key.clone()).unwrap().unwrap(), no_key);
}

#[test]
fn the_key_form_casts_the_key_only() {
    let mut t = Cast::new(&props("int8"), RecordPart::Key).unwrap();
    let string = Arc::new(Schema::of(SchemaType::String));
    let record = SourceRecord::new(
        "t".into(),
        Some(ConnectData::new(Arc::new(int32()), Value::Int32(42))),
        Some(ConnectData::new(string.clone(), "bogus".into())),
    );
    let out = t.apply(record).unwrap().unwrap();
    let key = out.key.unwrap();
    assert_eq!(
        (key.schema.kind, key.value),
        (SchemaType::Int8, Value::Int8(42))
    );
    assert_eq!(out.value.unwrap().value, Value::from("bogus"));
}

#[test]
fn whole_values_cast_to_every_target() {
    for (spec, kind, value) in [
        ("int8", SchemaType::Int8, Value::Int8(42)),
        ("int16", SchemaType::Int16, Value::Int16(42)),
        ("int32", SchemaType::Int32, Value::Int32(42)),
        ("int64", SchemaType::Int64, Value::Int64(42)),
        ("float32", SchemaType::Float32, Value::Float32(42.0)),
        ("float64", SchemaType::Float64, Value::Float64(42.0)),
        ("boolean", SchemaType::Boolean, Value::Boolean(true)),
        ("string", SchemaType::String, Value::from("42")),
    ] {
        let out = whole(spec, int32(), Value::Int32(42));
        assert_eq!((out.schema.kind, out.value), (kind, value), "{spec}");
    }
    assert_eq!(
        whole("boolean", int32(), Value::Int32(0)).value,
        Value::Boolean(false)
    );
}

#[test]
fn whole_value_strings_follow_java_to_string() {
    let out = whole("string", decimal(0), unscaled(42));
    assert_eq!(
        (out.schema.kind, out.value),
        (SchemaType::String, Value::from("42"))
    );
    let timestamp = Schema::of(SchemaType::Int64).named(TIMESTAMP).version(1);
    let out = whole("string", timestamp, Value::Int64(MILLIS_PER_DAY + 1));
    assert_eq!(out.value, Value::from("1970-01-02T00:00:00.001Z"));
    let out = whole(
        "string",
        Schema::of(SchemaType::Float64),
        Value::Float64(1.0),
    );
    assert_eq!(out.value, Value::from("1.0"));
    let out = whole(
        "string",
        Schema::of(SchemaType::Boolean),
        Value::Boolean(true),
    );
    assert_eq!(out.value, Value::from("true"));
}

#[test]
fn whole_value_default_is_cast_and_schema_basics_are_kept() {
    let schema = Schema::of(SchemaType::Float32)
        .named("my.Name")
        .doc("d")
        .default_value(json!(-42.125));
    let out = whole("int32", schema, Value::Float32(42.125));
    assert_eq!(out.value, Value::Int32(42));
    assert_eq!(out.schema.kind, SchemaType::Int32);
    assert_eq!(out.schema.default, Some(json!(-42)));
    assert_eq!(out.schema.name.as_deref(), Some("my.Name"));
    assert_eq!(out.schema.doc.as_deref(), Some("d"));
}

#[test]
fn an_unsupported_whole_value_is_an_error() {
    let list = Schema::array(Schema::of(SchemaType::String));
    let mut t = Cast::new(&props("int8"), RecordPart::Value).unwrap();
    let record = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(list),
            Value::Array(vec!["foo".into()]),
        )),
    );
    assert!(t.apply(record).is_err());
}

fn struct_record(schema: Schema, values: Vec<Value>) -> SourceRecord {
    SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(Arc::new(schema), Value::Struct(values))),
    )
}

fn field<'a>(data: &'a ConnectData, name: &str) -> (&'a Schema, &'a Value) {
    let i = data.schema.field_index(name).unwrap();
    let Value::Struct(values) = &data.value else {
        panic!("not a struct")
    };
    (&data.schema.fields[i].schema, &values[i])
}

#[test]
fn logical_values_cast_to_their_numbers() {
    let spec = "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32";
    let timestamp = || Schema::of(SchemaType::Int64).named(TIMESTAMP).version(1);
    let schema = Schema::of(SchemaType::Struct)
        .field(
            "date_to_int32",
            Schema::of(SchemaType::Int32).named(DATE).version(1),
        )
        .field("timestamp_to_int64", timestamp())
        .field(
            "time_to_int64",
            Schema::of(SchemaType::Int32).named(TIME).version(1),
        )
        .field("decimal_to_int32", decimal(0))
        .field("timestamp_to_float64", timestamp())
        .field("null_timestamp_to_int32", timestamp().optional());
    let values = vec![
        Value::Int32(1),
        Value::Int64(0),
        Value::Int32(1),
        unscaled(i128::from(i32::MAX) + 1),
        Value::Int64(i64::MAX),
        Value::Null,
    ];
    let mut t = Cast::new(&props(spec), RecordPart::Value).unwrap();
    let out = t
        .apply(struct_record(schema, values))
        .unwrap()
        .unwrap()
        .value
        .unwrap();
    let expect = [
        ("date_to_int32", SchemaType::Int32, Value::Int32(1)),
        ("timestamp_to_int64", SchemaType::Int64, Value::Int64(0)),
        ("time_to_int64", SchemaType::Int64, Value::Int64(1)),
        (
            "decimal_to_int32",
            SchemaType::Int32,
            Value::Int32(i32::MIN),
        ),
        (
            "timestamp_to_float64",
            SchemaType::Float64,
            Value::Float64(9.223372036854776E18),
        ),
        ("null_timestamp_to_int32", SchemaType::Int32, Value::Null),
    ];
    for (name, kind, value) in expect {
        let (schema, v) = field(&out, name);
        assert_eq!((schema.kind, v), (kind, &value), "{name}");
        assert!(schema.name.is_none(), "a cast field loses its logical name");
    }
}

#[test]
fn logical_values_cast_to_strings() {
    let schema = Schema::of(SchemaType::Struct)
        .field("date", Schema::of(SchemaType::Int32).named(DATE).version(1))
        .field("decimal", decimal(0))
        .field("time", Schema::of(SchemaType::Int32).named(TIME).version(1))
        .field(
            "timestamp",
            Schema::of(SchemaType::Int64).named(TIMESTAMP).version(1),
        )
        .field("scaled", decimal(2));
    let values = vec![
        Value::Int32(1),
        unscaled(1982),
        Value::Int32(3_600_000),
        Value::Int64(1_700_000_000_123),
        unscaled(-12345),
    ];
    let mut t = Cast::new(
        &props("date:string,decimal:string,time:string,timestamp:string,scaled:string"),
        RecordPart::Value,
    )
    .unwrap();
    let out = t
        .apply(struct_record(schema, values))
        .unwrap()
        .unwrap()
        .value
        .unwrap();
    assert_eq!(field(&out, "date").1, &Value::from("1970-01-02"));
    assert_eq!(field(&out, "decimal").1, &Value::from("1982"));
    assert_eq!(field(&out, "time").1, &Value::from("01:00:00.000Z"));
    assert_eq!(
        field(&out, "timestamp").1,
        &Value::from("2023-11-14T22:13:20.123Z")
    );
    assert_eq!(field(&out, "scaled").1, &Value::from("-123.45"));
}

#[test]
fn fields_cast_with_optionality_and_defaults() {
    let spec = "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string";
    let schema = Schema::of(SchemaType::Struct)
        .field("int8", Schema::of(SchemaType::Int8))
        .field("int16", Schema::of(SchemaType::Int16).optional())
        .field(
            "int32",
            Schema::of(SchemaType::Int32).default_value(json!(2)),
        )
        .field("int64", Schema::of(SchemaType::Int64))
        .field("float32", Schema::of(SchemaType::Float32))
        .field(
            "float64",
            Schema::of(SchemaType::Float64).default_value(json!(-1.125)),
        )
        .field("boolean", Schema::of(SchemaType::Boolean))
        .field("string", Schema::of(SchemaType::String))
        .field("bigdecimal", decimal(0))
        .field("date", Schema::of(SchemaType::Int32).named(DATE).version(1))
        .field("optional", Schema::of(SchemaType::Float32).optional())
        .field(
            "timestamp",
            Schema::of(SchemaType::Int64).named(TIMESTAMP).version(1),
        )
        .field("bytes", Schema::of(SchemaType::Bytes));
    let values = vec![
        Value::Int8(8),
        Value::Int16(16),
        Value::Int32(32),
        Value::Int64(64),
        Value::Float32(32.0),
        Value::Float64(-64.0),
        Value::Boolean(true),
        "42".into(),
        unscaled(42),
        Value::Int32(1),
        Value::Null,
        Value::Int64(0),
        Value::Bytes(vec![0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]),
    ];
    let input = Arc::new(schema);
    let mut t = Cast::new(&props(spec), RecordPart::Value).unwrap();
    let record = SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(
            input.clone(),
            Value::Struct(values.clone()),
        )),
    );
    let out = t.apply(record.clone()).unwrap().unwrap().value.unwrap();
    let expect = [
        ("int8", SchemaType::Int16, Value::Int16(8)),
        ("int16", SchemaType::Int32, Value::Int32(16)),
        ("int32", SchemaType::Int64, Value::Int64(32)),
        ("int64", SchemaType::Boolean, Value::Boolean(true)),
        ("float32", SchemaType::Float64, Value::Float64(32.0)),
        ("float64", SchemaType::Boolean, Value::Boolean(true)),
        ("boolean", SchemaType::Int8, Value::Int8(1)),
        ("string", SchemaType::Int32, Value::Int32(42)),
        ("bigdecimal", SchemaType::String, Value::from("42")),
        ("date", SchemaType::String, Value::from("1970-01-02")),
        ("optional", SchemaType::Int32, Value::Null),
        ("timestamp", SchemaType::Int64, Value::Int64(0)),
        ("bytes", SchemaType::String, Value::from("/ty6mHZUMhA=")),
    ];
    for (name, kind, value) in expect {
        let (schema, v) = field(&out, name);
        assert_eq!((schema.kind, v), (kind, &value), "{name}");
    }
    assert!(field(&out, "int16").0.optional);
    assert_eq!(field(&out, "int32").0.default, Some(json!(2)));
    assert_eq!(field(&out, "float64").0.default, Some(json!(true)));
    // An uncast field keeps its schema (the same Arc), logical name included.
    assert!(Arc::ptr_eq(
        &out.schema.fields[11].schema,
        &input.fields[11].schema
    ));
    // The same input schema gives the same output schema.
    let again = t.apply(record).unwrap().unwrap().value.unwrap();
    assert!(Arc::ptr_eq(&again.schema, &out.schema));
}

#[test]
fn null_fields_take_their_default_unless_told_not_to() {
    for (replace, expected) in [("true", Value::from("10")), ("false", Value::Null)] {
        let schema = Schema::of(SchemaType::Struct).field(
            "magic",
            Schema::of(SchemaType::Int32)
                .optional()
                .default_value(json!(10)),
        );
        let mut t = Cast::new(
            &Props::of(&[
                ("spec", "magic:string"),
                ("replace.null.with.default", replace),
            ]),
            RecordPart::Value,
        )
        .unwrap();
        let out = t
            .apply(struct_record(schema, vec![Value::Null]))
            .unwrap()
            .unwrap()
            .value
            .unwrap();
        assert_eq!(field(&out, "magic").0.kind, SchemaType::String);
        assert_eq!(field(&out, "magic").1, &expected, "replace={replace}");
    }
}

#[test]
fn strings_parse_as_java_parses_them() {
    let string = || Schema::of(SchemaType::String);
    assert_eq!(
        whole("int8", string(), "-128".into()).value,
        Value::Int8(-128)
    );
    assert_eq!(
        whole("float64", string(), "1.5e3".into()).value,
        Value::Float64(1500.0)
    );
    assert_eq!(
        whole("float32", string(), "2.5f".into()).value,
        Value::Float32(2.5)
    );
    assert_eq!(
        whole("boolean", string(), "TRUE".into()).value,
        Value::Boolean(true)
    );
    assert_eq!(
        whole("boolean", string(), "yes".into()).value,
        Value::Boolean(false)
    );
    let mut t = Cast::new(&props("int8"), RecordPart::Value).unwrap();
    let record = |s: &str| {
        SourceRecord::new(
            "t".into(),
            None,
            Some(ConnectData::new(Arc::new(string()), s.into())),
        )
    };
    assert!(t.apply(record("128")).is_err());
    assert!(t.apply(record("1.0")).is_err());
    let mut t = Cast::new(&props("float64"), RecordPart::Value).unwrap();
    assert!(t.apply(record("inf")).is_err());
}

#[test]
fn numbers_narrow_as_java_narrows_them() {
    assert_eq!(
        whole("int8", int32(), Value::Int32(300)).value,
        Value::Int8(44)
    );
    let double = || Schema::of(SchemaType::Float64);
    assert_eq!(
        whole("int32", double(), Value::Float64(1e20)).value,
        Value::Int32(i32::MAX)
    );
    assert_eq!(
        whole("int8", double(), Value::Float64(1e20)).value,
        Value::Int8(-1)
    );
    assert_eq!(
        whole("int64", double(), Value::Float64(f64::NAN)).value,
        Value::Int64(0)
    );
    assert_eq!(
        whole("boolean", double(), Value::Float64(0.5)).value,
        Value::Boolean(false)
    );
    assert_eq!(
        whole("float64", decimal(2), unscaled(-12345)).value,
        Value::Float64(-123.45)
    );
}

#[test]
fn bytes_cast_to_anything_but_a_string_is_an_error() {
    let mut t = Cast::new(&props("int32"), RecordPart::Value).unwrap();
    let record = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Bytes)),
            Value::Bytes(vec![1]),
        )),
    );
    assert!(t.apply(record).is_err());
}

#[test]
fn envelopes_and_heartbeats_are_structs_like_any_other() {
    // Kafka's Cast knows nothing of Debezium: `op` in an envelope is a top-level field.
    let envelope = Schema::record("p.s.t.Envelope")
        .field("op", Schema::of(SchemaType::String))
        .field("ts_ms", Schema::of(SchemaType::Int64).optional());
    let mut t = Cast::new(&props("ts_ms:string"), RecordPart::Value).unwrap();
    let out = t
        .apply(struct_record(envelope, vec!["c".into(), Value::Int64(5)]))
        .unwrap()
        .unwrap()
        .value
        .unwrap();
    assert_eq!(out.schema.name.as_deref(), Some("p.s.t.Envelope"));
    assert_eq!(field(&out, "ts_ms").1, &Value::from("5"));
    let heartbeat = Schema::record("io.debezium.connector.common.Heartbeat")
        .field("ts_ms", Schema::of(SchemaType::Int64));
    let out = t
        .apply(struct_record(heartbeat, vec![Value::Int64(7)]))
        .unwrap()
        .unwrap()
        .value
        .unwrap();
    assert_eq!(field(&out, "ts_ms").1, &Value::from("7"));
}
