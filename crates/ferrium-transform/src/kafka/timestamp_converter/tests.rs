//! The cases of Kafka's `TimestampConverterTest` (the schema'd ones), plus tombstones,
//! the key form and Debezium's temporal types.

use super::*;
use serde_json::json;

const DATE: i32 = 1; // 1970-01-02
const TIME: i32 = 1234; // 00:00:01.234
const DATE_PLUS_TIME: i64 = MILLIS_PER_DAY + 1234;
const DATE_PLUS_TIME_MICROS: i64 = DATE_PLUS_TIME * 1000 + 123;
const DATE_PLUS_TIME_NANOS: i64 = DATE_PLUS_TIME_MICROS * 1000 + 456;
const DATE_PLUS_TIME_SECONDS: i64 = DATE_PLUS_TIME / 1000;
const FORMAT: &str = "yyyy MM dd HH mm ss SSS z";
const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";

fn converter(pairs: &[(&str, &str)]) -> TimestampConverter {
    TimestampConverter::new(&Props::of(pairs), RecordPart::Value).unwrap()
}

fn to(target: &str) -> TimestampConverter {
    converter(&[("target.type", target), ("format", FORMAT)])
}

fn kafka_date() -> Schema {
    Form::Date.schema(false)
}
fn kafka_time() -> Schema {
    Form::Time.schema(false)
}
fn kafka_timestamp() -> Schema {
    Form::Timestamp.schema(false)
}

fn apply(t: &mut TimestampConverter, schema: Schema, value: Value) -> ConnectData {
    let record = SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(Arc::new(schema), value)),
    );
    t.apply(record).unwrap().unwrap().value.unwrap()
}

#[test]
fn configuration_is_checked_as_kafka_does() {
    let bad = |pairs: &[(&str, &str)]| {
        TimestampConverter::new(&Props::of(pairs), RecordPart::Value).is_err()
    };
    assert!(bad(&[]));
    assert!(bad(&[("target.type", "invalid")]));
    assert!(
        bad(&[("target.type", "timestamp")]),
        "target.type is case-sensitive"
    );
    assert!(bad(&[
        ("target.type", "unix"),
        ("unix.precision", "invalid")
    ]));
    assert!(!bad(&[
        ("target.type", "unix"),
        ("unix.precision", "seconds")
    ]));
    assert!(bad(&[("target.type", "string")]));
    assert!(bad(&[("target.type", "string"), ("format", "bad-format")]));
    assert!(!bad(&[("target.type", "string"), ("format", FORMAT)]));
}

#[test]
fn whole_timestamp_values_convert_to_every_form() {
    let out = apply(
        &mut to("Timestamp"),
        kafka_timestamp(),
        Value::Int64(DATE_PLUS_TIME),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (&kafka_timestamp(), Value::Int64(DATE_PLUS_TIME))
    );
    let out = apply(
        &mut to("Date"),
        kafka_timestamp(),
        Value::Int64(DATE_PLUS_TIME),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (&kafka_date(), Value::Int32(DATE))
    );
    let out = apply(
        &mut to("Time"),
        kafka_timestamp(),
        Value::Int64(DATE_PLUS_TIME),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (&kafka_time(), Value::Int32(TIME))
    );
    let out = apply(
        &mut to("unix"),
        kafka_timestamp(),
        Value::Int64(DATE_PLUS_TIME),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (&Schema::of(SchemaType::Int64), Value::Int64(DATE_PLUS_TIME))
    );
    let out = apply(
        &mut to("string"),
        kafka_timestamp(),
        Value::Int64(DATE_PLUS_TIME),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (
            &Schema::of(SchemaType::String),
            Value::from(DATE_PLUS_TIME_STRING)
        )
    );
}

#[test]
fn every_form_converts_to_a_timestamp() {
    let mut t = to("Timestamp");
    for (schema, value, millis) in [
        (kafka_date(), Value::Int32(DATE), MILLIS_PER_DAY),
        (kafka_time(), Value::Int32(TIME), i64::from(TIME)),
        (
            Schema::of(SchemaType::Int64),
            Value::Int64(DATE_PLUS_TIME),
            DATE_PLUS_TIME,
        ),
        (
            Schema::of(SchemaType::String),
            Value::from(DATE_PLUS_TIME_STRING),
            DATE_PLUS_TIME,
        ),
    ] {
        let out = apply(&mut t, schema, value);
        assert_eq!(
            (&*out.schema, out.value),
            (&kafka_timestamp(), Value::Int64(millis))
        );
    }
}

#[test]
fn null_whole_values_give_the_optional_target_schema() {
    let inputs = || {
        [
            Schema::of(SchemaType::Int64).optional(),
            kafka_time().optional(),
            kafka_date().optional(),
            Schema::of(SchemaType::String).optional(),
            kafka_timestamp().optional(),
        ]
    };
    for (target, form) in [
        ("Timestamp", Form::Timestamp),
        ("unix", Form::Unix),
        ("Time", Form::Time),
        ("Date", Form::Date),
        ("string", Form::String),
    ] {
        let mut t = to(target);
        for input in inputs() {
            let out = apply(&mut t, input, Value::Null);
            assert_eq!(
                (&*out.schema, &out.value),
                (&form.schema(true), &Value::Null),
                "{target}"
            );
        }
    }
}

fn ts_struct(ts: Schema) -> Schema {
    Schema::of(SchemaType::Struct)
        .field("ts", ts)
        .field("other", Schema::of(SchemaType::String).optional())
}

#[test]
fn null_fields_and_null_structs_keep_their_nulls() {
    for (target, form) in [
        ("Timestamp", Form::Timestamp),
        ("unix", Form::Unix),
        ("Time", Form::Time),
        ("Date", Form::Date),
        ("string", Form::String),
    ] {
        let mut t = converter(&[("target.type", target), ("format", FORMAT), ("field", "ts")]);
        for input in [
            Schema::of(SchemaType::Int64).optional(),
            kafka_time().optional(),
            kafka_date().optional(),
            Schema::of(SchemaType::String).optional(),
            kafka_timestamp().optional(),
        ] {
            let expected = ts_struct(form.schema(true));
            let out = apply(
                &mut t,
                ts_struct(input.clone()),
                Value::Struct(vec![Value::Null, "test".into()]),
            );
            assert_eq!(&*out.schema, &expected);
            assert_eq!(out.value, Value::Struct(vec![Value::Null, "test".into()]));
            let out = apply(&mut t, ts_struct(input).optional(), Value::Null);
            assert_eq!(
                (&*out.schema, &out.value),
                (&expected.optional(), &Value::Null)
            );
        }
    }
}

#[test]
fn a_field_converts_and_the_derived_schema_is_cached() {
    let mut t = converter(&[("target.type", "Timestamp"), ("field", "ts")]);
    let input = Arc::new(ts_struct(Schema::of(SchemaType::Int64)).named("p.s.t.Value"));
    let record = SourceRecord::new(
        "topic".into(),
        None,
        Some(ConnectData::new(
            input,
            Value::Struct(vec![Value::Int64(DATE_PLUS_TIME), "test".into()]),
        )),
    );
    let out = t.apply(record.clone()).unwrap().unwrap().value.unwrap();
    assert_eq!(
        &*out.schema,
        &ts_struct(kafka_timestamp()).named("p.s.t.Value")
    );
    assert_eq!(
        out.value,
        Value::Struct(vec![Value::Int64(DATE_PLUS_TIME), "test".into()])
    );
    let again = t.apply(record).unwrap().unwrap().value.unwrap();
    assert!(Arc::ptr_eq(&out.schema, &again.schema));
}

#[test]
fn a_null_field_takes_its_default_only_when_asked() {
    let input = || {
        ts_struct(
            Schema::of(SchemaType::Int64)
                .optional()
                .default_value(json!(0)),
        )
    };
    for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(0))] {
        let mut t = converter(&[
            ("target.type", "Timestamp"),
            ("field", "ts"),
            ("replace.null.with.default", replace),
        ]);
        let out = apply(
            &mut t,
            input(),
            Value::Struct(vec![Value::Null, "test".into()]),
        );
        assert_eq!(&*out.schema, &ts_struct(kafka_timestamp().optional()));
        assert_eq!(
            out.value,
            Value::Struct(vec![expected, "test".into()]),
            "replace={replace}"
        );
    }
}

#[test]
fn unix_precision_reads_and_writes_the_unit() {
    for (precision, input, millis) in [
        ("microseconds", DATE_PLUS_TIME_MICROS, DATE_PLUS_TIME),
        ("nanoseconds", DATE_PLUS_TIME_NANOS, DATE_PLUS_TIME),
        (
            "seconds",
            DATE_PLUS_TIME_SECONDS,
            DATE_PLUS_TIME_SECONDS * 1000,
        ),
    ] {
        let mut t = converter(&[
            ("target.type", "Timestamp"),
            ("field", "ts"),
            ("unix.precision", precision),
        ]);
        let out = apply(
            &mut t,
            ts_struct(Schema::of(SchemaType::Int64)),
            Value::Struct(vec![Value::Int64(input), Value::Null]),
        );
        assert_eq!(
            out.value,
            Value::Struct(vec![Value::Int64(millis), Value::Null]),
            "{precision}"
        );
    }
    for (precision, expected) in [
        ("microseconds", 86_401_234_000),
        ("nanoseconds", 86_401_234_000_000),
        ("seconds", DATE_PLUS_TIME_SECONDS),
    ] {
        let mut t = converter(&[
            ("target.type", "unix"),
            ("unix.precision", precision),
            ("format", FORMAT),
        ]);
        let out = apply(
            &mut t,
            Schema::of(SchemaType::String),
            DATE_PLUS_TIME_STRING.into(),
        );
        assert_eq!(out.value, Value::Int64(expected), "{precision}");
    }
}

#[test]
fn the_key_form_converts_the_key_and_tombstones_pass() {
    let mut t =
        TimestampConverter::new(&Props::of(&[("target.type", "Timestamp")]), RecordPart::Key)
            .unwrap();
    let record = SourceRecord::new(
        "t".into(),
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int64)),
            Value::Int64(DATE_PLUS_TIME),
        )),
        None,
    );
    let out = t.apply(record).unwrap().unwrap();
    let key = out.key.unwrap();
    assert_eq!(
        (&*key.schema, key.value),
        (&kafka_timestamp(), Value::Int64(DATE_PLUS_TIME))
    );
    assert!(out.value.is_none());
    let mut t = to("Date");
    let tombstone = SourceRecord::new("t".into(), None, None);
    assert_eq!(t.apply(tombstone.clone()).unwrap().unwrap(), tombstone);
}

#[test]
fn the_target_schema_is_one_arc_for_every_record() {
    let mut t = to("Date");
    let a = apply(&mut t, kafka_timestamp(), Value::Int64(1));
    let b = apply(&mut t, kafka_timestamp(), Value::Int64(2));
    assert!(Arc::ptr_eq(&a.schema, &b.schema));
}

#[test]
fn negative_instants_floor_to_their_day() {
    let out = apply(&mut to("Date"), kafka_timestamp(), Value::Int64(-1));
    assert_eq!(out.value, Value::Int32(-1));
    let out = apply(&mut to("Time"), kafka_timestamp(), Value::Int64(-1));
    assert_eq!(out.value, Value::Int32(86_399_999));
}

#[test]
fn debezium_temporal_types_are_what_kafka_sees_in_them() {
    // io.debezium.time.MicroTimestamp is an int64 to Kafka: a unix number.
    let micro = Schema::of(SchemaType::Int64)
        .named("io.debezium.time.MicroTimestamp")
        .version(1);
    let mut t = converter(&[
        ("target.type", "Timestamp"),
        ("unix.precision", "microseconds"),
    ]);
    assert_eq!(
        apply(&mut t, micro, Value::Int64(DATE_PLUS_TIME_MICROS)).value,
        Value::Int64(DATE_PLUS_TIME)
    );
    // ZonedTimestamp is a string, parsed with `format`.
    let zoned = Schema::of(SchemaType::String)
        .named("io.debezium.time.ZonedTimestamp")
        .version(1);
    let mut t = converter(&[
        ("target.type", "Timestamp"),
        ("format", "yyyy-MM-dd'T'HH:mm:ssXXX"),
    ]);
    assert_eq!(
        apply(&mut t, zoned, "1970-01-02T02:00:00+02:00".into()).value,
        Value::Int64(MILLIS_PER_DAY)
    );
    // io.debezium.time.Date is an int32 without a Kafka logical name: refused, as in Kafka.
    let dbz_date = Schema::of(SchemaType::Int32)
        .named("io.debezium.time.Date")
        .version(1);
    let record = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(Arc::new(dbz_date), Value::Int32(1))),
    );
    assert!(t.apply(record).is_err());
}

#[test]
fn a_string_input_without_format_or_a_mismatched_text_is_an_error() {
    let mut t = converter(&[("target.type", "unix")]);
    let record = |s: &str| {
        SourceRecord::new(
            "t".into(),
            None,
            Some(ConnectData::new(
                Arc::new(Schema::of(SchemaType::String)),
                s.into(),
            )),
        )
    };
    assert!(t.apply(record("1970")).is_err());
    let mut t = converter(&[("target.type", "unix"), ("format", "yyyy-MM-dd")]);
    assert!(t.apply(record("not a date")).is_err());
}

#[test]
fn field_mode_needs_a_struct_schema_even_for_a_null() {
    let mut t = converter(&[("target.type", "Timestamp"), ("field", "ts")]);
    let record = SourceRecord::new(
        "t".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int64).optional()),
            Value::Null,
        )),
    );
    assert!(t.apply(record).is_err());
}

#[test]
fn envelopes_and_heartbeats_are_structs_like_any_other() {
    // Kafka knows nothing of Debezium: `ts_ms` is a top-level int64, so a unix number.
    let mut t = converter(&[("target.type", "Timestamp"), ("field", "ts_ms")]);
    let envelope = Schema::record("p.s.t.Envelope")
        .field("op", Schema::of(SchemaType::String))
        .field("ts_ms", Schema::of(SchemaType::Int64).optional());
    let out = apply(
        &mut t,
        envelope,
        Value::Struct(vec!["c".into(), Value::Int64(5)]),
    );
    assert_eq!(out.schema.name.as_deref(), Some("p.s.t.Envelope"));
    assert_eq!(&*out.schema.fields[1].schema, &kafka_timestamp().optional());
    assert_eq!(out.value, Value::Struct(vec!["c".into(), Value::Int64(5)]));
    // A struct without the field (transaction metadata, say) keeps its fields and values.
    let metadata = Schema::record("io.debezium.connector.common.TransactionMetadataValue")
        .field("status", Schema::of(SchemaType::String));
    let out = apply(
        &mut t,
        metadata.clone(),
        Value::Struct(vec!["BEGIN".into()]),
    );
    assert_eq!(
        (&*out.schema, out.value),
        (&metadata, Value::Struct(vec!["BEGIN".into()]))
    );
}
