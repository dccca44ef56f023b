//! The cases of Debezium's PartitionRoutingTest, and the record kinds that pass.

use std::sync::Arc;

use ferrium_event::envelope::{Envelope, ProcessingTime};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::{ConnectData, Op, Schema, SchemaType, SourceRecord, Value};

use super::PartitionRouting;
use crate::{ConfigProblem, Props, Transform};

fn routing(pairs: &[(&str, &str)]) -> PartitionRouting {
    PartitionRouting::new(&Props::of(pairs)).unwrap()
}

fn config_error(pairs: &[(&str, &str)]) -> ConfigProblem {
    match PartitionRouting::new(&Props::of(pairs)) {
        Ok(_) => panic!("configured"),
        Err(e) => e,
    }
}

fn row_schema() -> Arc<Schema> {
    Arc::new(
        Schema::record("server1.inventory.products.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("price", Schema::of(SchemaType::Float32))
            .field("product", Schema::of(SchemaType::String).optional())
            .optional(),
    )
}

fn product(id: i64, price: f32, name: Option<&str>) -> Value {
    Value::Struct(vec![Value::Int64(id), Value::Float32(price), name.into()])
}

/// A change event on `prefix.inventory.products`, as the upstream test builds it.
fn event_with(row_schema: Arc<Schema>, row: Value, op: Op) -> SourceRecord {
    let source = Arc::new(
        Schema::record("source")
            .field("connector", Schema::of(SchemaType::String))
            .field("db", Schema::of(SchemaType::String))
            .field("table", Schema::of(SchemaType::String)),
    );
    let envelope = Envelope::new("server1.inventory.product", row_schema, source);
    let (before, after) = match op {
        Op::Delete => (row, Value::Null),
        Op::Truncate => (Value::Null, Value::Null),
        _ => (Value::Null, row),
    };
    let source = Value::Struct(vec!["mysql".into(), "inventory".into(), "products".into()]);
    let value = Envelope::value(before, after, source, op, ProcessingTime::now(), None);
    SourceRecord::new(
        "prefix.inventory.products".into(),
        None,
        Some(ConnectData::new(envelope.schema, value)),
    )
}

fn event(row: Value, op: Op) -> SourceRecord {
    event_with(row_schema(), row, op)
}

fn partition(t: &mut PartitionRouting, record: SourceRecord) -> Option<i32> {
    t.apply(record).unwrap().unwrap().partition
}

#[test]
fn the_payload_fields_are_required() {
    let err = config_error(&[("partition.topic.num", "2")]);
    assert!(err.0.contains("'partition.payload.fields'") && err.0.contains("A value is required"));
}

#[test]
fn the_partition_count_is_required_and_positive() {
    let err = config_error(&[("partition.payload.fields", "2")]);
    assert!(err.0.contains("'partition.topic.num'") && err.0.contains("A value is required"));
    for bad in ["0", "-1", "two", "3000000000"] {
        let err = config_error(&[
            ("partition.payload.fields", "a"),
            ("partition.topic.num", bad),
        ]);
        assert!(err.0.contains("'partition.topic.num'"), "{bad}: {err}");
    }
}

#[test]
fn an_empty_payload_field_is_refused() {
    let err = config_error(&[
        ("partition.payload.fields", ",source.table"),
        ("partition.topic.num", "2"),
    ]);
    assert!(
        err.0.contains("Empty string element(s) not permitted"),
        "{err}"
    );
    let err = config_error(&[
        ("partition.payload.fields", "a, ,b"),
        ("partition.topic.num", "2"),
    ]);
    assert!(
        err.0.contains("Empty string element(s) not permitted"),
        "{err}"
    );
    // Java's split drops trailing empty items before the check.
    assert!(PartitionRouting::new(&Props::of(&[
        ("partition.payload.fields", "a,b,,"),
        ("partition.topic.num", "2"),
    ]))
    .is_ok());
}

#[test]
fn spaces_around_the_separators_are_trimmed() {
    let mut t = routing(&[
        ("partition.payload.fields", "change . product"),
        ("partition.topic.num", "2"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("APPLE")), Op::Create)),
        Some(0)
    );
}

#[test]
fn a_nested_after_field_picks_the_partition() {
    let mut t = routing(&[
        ("partition.payload.fields", "after.product"),
        ("partition.topic.num", "2"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("APPLE")), Op::Create)),
        Some(0)
    );
}

#[test]
fn change_means_after_for_creates_and_before_for_deletes() {
    let mut t = routing(&[
        ("partition.payload.fields", "change.product"),
        ("partition.topic.num", "2"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("APPLE")), Op::Create)),
        Some(0)
    );
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("APPLE")), Op::Delete)),
        Some(0)
    );
    // "orange".hashCode() is -1008851410: masked 1138632238, even.
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Update)),
        Some(0)
    );
    let mut t = routing(&[
        ("partition.payload.fields", "change.product"),
        ("partition.topic.num", "3"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Delete)),
        Some(1)
    );
}

#[test]
fn a_missing_field_leaves_the_record_unchanged() {
    let mut t = routing(&[
        ("partition.payload.fields", "after.not_existing"),
        ("partition.topic.num", "2"),
    ]);
    let record = event(product(1, 1.0, Some("APPLE")), Op::Create);
    assert_eq!(t.apply(record.clone()).unwrap().unwrap(), record);
}

#[test]
fn a_null_optional_field_leaves_the_record_unchanged() {
    let mut t = routing(&[
        ("partition.payload.fields", "change.product"),
        ("partition.topic.num", "2"),
    ]);
    let record = event(product(1, 1.0, None), Op::Create);
    assert_eq!(t.apply(record.clone()).unwrap().unwrap(), record);
}

#[test]
fn only_the_fields_found_are_summed() {
    let mut t = routing(&[
        (
            "partition.payload.fields",
            "after.not_existing,change.product",
        ),
        ("partition.topic.num", "3"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Create)),
        Some(1)
    );
}

#[test]
fn truncates_messages_tombstones_and_other_records_pass_unchanged() {
    let mut t = routing(&[
        ("partition.payload.fields", "change.product,op"),
        ("partition.topic.num", "2"),
    ]);
    let truncate = event(Value::Null, Op::Truncate);
    assert_eq!(t.apply(truncate.clone()).unwrap().unwrap(), truncate);
    let message = event(product(1, 1.0, Some("APPLE")), Op::Message);
    assert_eq!(t.apply(message.clone()).unwrap().unwrap(), message);
    let tombstone = SourceRecord::new("prefix.inventory.products".into(), None, None);
    assert_eq!(t.apply(tombstone.clone()).unwrap().unwrap(), tombstone);
    let metadata = MetadataRecords::new(
        "server1",
        "server1.transaction",
        "__debezium-heartbeat.server1",
    );
    let heartbeat = metadata.heartbeat(1);
    assert_eq!(t.apply(heartbeat.clone()).unwrap().unwrap(), heartbeat);
    let begin = metadata.transaction("tx", 1, None);
    assert_eq!(t.apply(begin.clone()).unwrap().unwrap(), begin);
}

#[test]
fn a_top_level_field_is_read_from_the_envelope() {
    let mut t = routing(&[
        ("partition.payload.fields", "op"),
        ("partition.topic.num", "2"),
    ]);
    let apple = partition(&mut t, event(product(1, 1.0, Some("APPLE")), Op::Create));
    let orange = partition(&mut t, event(product(1, 1.0, Some("ORANGE")), Op::Create));
    assert_eq!(apple, orange);
    // "u".hashCode() is 117.
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("ORANGE")), Op::Update)),
        Some(1)
    );
}

#[test]
fn java_hash_is_the_default() {
    let mut t = routing(&[
        ("partition.payload.fields", "change.id, change.product"),
        ("partition.topic.num", "100"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Create)),
        Some(39)
    );
    // Anything but `murmur` is `java`, as in Debezium.
    let mut t = routing(&[
        ("partition.payload.fields", "change.id, change.product"),
        ("partition.topic.num", "100"),
        ("partition.hash.function", "sha1"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Create)),
        Some(39)
    );
}

#[test]
fn murmur_hash_when_asked() {
    let mut t = routing(&[
        ("partition.payload.fields", "change.id, change.product"),
        ("partition.topic.num", "100"),
        ("partition.hash.function", "Murmur"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("orange")), Op::Create)),
        Some(65)
    );
}

#[test]
fn source_fields_and_the_known_string_hash() {
    // "hello".hashCode() == 99162322 → partition 99162322 % 1000 = 322.
    let mut t = routing(&[
        ("partition.payload.fields", "after.product"),
        ("partition.topic.num", "1000"),
    ]);
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, Some("hello")), Op::Read)),
        Some(322)
    );
    // "products".hashCode() masked, mod 7.
    let mut t = routing(&[
        ("partition.payload.fields", "source.table"),
        ("partition.topic.num", "7"),
    ]);
    let expected = (super::java_hash::string("products") & i32::MAX) % 7;
    assert_eq!(
        partition(&mut t, event(product(1, 1.0, None), Op::Create)),
        Some(expected)
    );
    assert_eq!(super::java_hash::string("products"), -1003761308);
}

#[test]
fn a_path_through_a_null_image_fails_as_in_debezium() {
    // Debezium reads `after` of a delete as a null struct and fails on it.
    let mut t = routing(&[
        ("partition.payload.fields", "after.product"),
        ("partition.topic.num", "2"),
    ]);
    let err = t
        .apply(event(product(1, 1.0, Some("x")), Op::Delete))
        .unwrap_err();
    assert!(err.0.contains("after.product"), "{err}");
}

#[test]
fn a_path_through_a_field_that_is_not_a_struct_is_skipped() {
    let mut t = routing(&[
        ("partition.payload.fields", "op.x,after.id.y"),
        ("partition.topic.num", "2"),
    ]);
    let record = event(product(1, 1.0, Some("x")), Op::Create);
    assert_eq!(t.apply(record.clone()).unwrap().unwrap(), record);
}

#[test]
fn the_sum_is_masked_and_max_value_maps_to_zero() {
    let t = routing(&[
        ("partition.payload.fields", "a"),
        ("partition.topic.num", "10"),
    ]);
    assert_eq!(t.partition_of(i32::MAX), 0);
    assert_eq!(t.partition_of(-1), 0);
    assert_eq!(t.partition_of(i32::MIN + 5), 5);
}

#[test]
fn a_null_field_with_a_default_counts_as_its_default() {
    let schema = Arc::new(
        Schema::record("server1.inventory.products.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("price", Schema::of(SchemaType::Float32))
            .field(
                "product",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(serde_json::json!("hello")),
            )
            .optional(),
    );
    let mut t = routing(&[
        ("partition.payload.fields", "after.product"),
        ("partition.topic.num", "1000"),
    ]);
    let record = event_with(schema, product(1, 1.0, None), Op::Create);
    assert_eq!(partition(&mut t, record), Some(322));
}

#[test]
fn the_partition_is_all_that_changes() {
    let mut t = routing(&[
        ("partition.payload.fields", "after.id"),
        ("partition.topic.num", "4"),
    ]);
    let mut record = event(product(6, 1.0, Some("x")), Op::Create);
    record.timestamp = Some(9);
    let out = t.apply(record.clone()).unwrap().unwrap();
    assert_eq!(out.partition, Some(2));
    record.partition = Some(2);
    assert_eq!(out, record);
}

#[test]
fn the_class_is_registered() {
    let class =
        crate::registry::transform("io.debezium.transforms.partitions.PartitionRouting").unwrap();
    let props = Props::of(&[
        ("partition.payload.fields", "after.id"),
        ("partition.topic.num", "4"),
    ]);
    let mut t = (class.build)(&props).unwrap();
    let out = t
        .apply(event(product(5, 1.0, None), Op::Create))
        .unwrap()
        .unwrap();
    assert_eq!(out.partition, Some(1));
}
