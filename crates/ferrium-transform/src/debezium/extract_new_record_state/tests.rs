//! The behaviour Debezium's `ExtractNewRecordStateTest` asserts, on Ferrium's records,
//! plus the output shapes (schemas, field order) the converter depends on.

use std::sync::Arc;

use ferrium_event::envelope::{Envelope, ProcessingTime, TransactionBlock};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::{ConnectData, Header, Op, Schema, SchemaType, SourceRecord, Value};
use serde_json::json;

use super::ExtractNewRecordState;
use crate::{Props, Transform};

const MODE: &str = "delete.tombstone.handling.mode";

/// A table as Debezium's test base class defines it, with shared schemas so caches hit.
struct Table {
    key: Arc<Schema>,
    row: Arc<Schema>,
    envelope: Arc<Schema>,
}

fn source_schema() -> Arc<Schema> {
    let opt_i64 = || Schema::of(SchemaType::Int64).optional();
    let opt_str = || Schema::of(SchemaType::String).optional();
    Arc::new(
        Schema::record("io.debezium.connector.test.Source")
            .field("lsn", Schema::of(SchemaType::Int32))
            .field("ts_ms", opt_i64())
            .field("ts_us", opt_i64())
            .field("ts_ns", opt_i64())
            .field("db", opt_str())
            .field("table", opt_str()),
    )
}

fn source_value() -> Value {
    Value::Struct(vec![
        Value::Int32(1234),
        Value::Int64(1_588_252_618_953),
        Value::Int64(1_588_252_618_953_000),
        Value::Int64(1_588_252_618_953_000_000),
        Value::from("test_db"),
        Value::from("test_table"),
    ])
}

impl Table {
    /// `id` int8 and `name` string, both required (Debezium's `recordSchema`).
    fn new() -> Self {
        Table::with_row(
            Schema::record("dummy.Value")
                .field(
                    "id",
                    Schema::of(SchemaType::Int8)
                        .param("__debezium.source.column.name", "id")
                        .param("__debezium.source.column.type", "int"),
                )
                .field(
                    "name",
                    Schema::of(SchemaType::String).param("__debezium.source.column.length", "255"),
                ),
        )
    }

    /// `name` optional with default `default_str` (the `…WithOptionalNull` records).
    fn with_optional_name() -> Self {
        Table::with_row(
            Schema::record("dummy.Value")
                .field("id", Schema::of(SchemaType::Int8))
                .field(
                    "name",
                    Schema::of(SchemaType::String)
                        .optional()
                        .default_value(json!("default_str")),
                ),
        )
    }

    fn with_row(row: Schema) -> Self {
        let row = Arc::new(row.optional());
        let envelope = Envelope::new("dummy", row.clone(), source_schema()).schema;
        Table {
            key: Arc::new(Schema::record("dummy.Key").field("id", Schema::of(SchemaType::Int8))),
            row,
            envelope,
        }
    }

    fn event(
        &self,
        op: Op,
        before: Value,
        after: Value,
        tx: Option<&TransactionBlock>,
    ) -> SourceRecord {
        let at = ProcessingTime {
            ts_ms: 1_710_032_523_000,
            ts_us: 1_710_032_523_000_123,
            ts_ns: 1_710_032_523_000_123_456,
        };
        let value = Envelope::value(before, after, source_value(), op, at, tx);
        SourceRecord::new(
            "dummy".into(),
            None,
            Some(ConnectData::new(self.envelope.clone(), value)),
        )
    }

    fn keyed(&self, mut record: SourceRecord) -> SourceRecord {
        record.key = Some(ConnectData::new(
            self.key.clone(),
            Value::Struct(vec![Value::Int8(1)]),
        ));
        record
    }

    fn create(&self) -> SourceRecord {
        self.event(Op::Create, Value::Null, row(1, Some("myRecord")), None)
    }

    fn update(&self) -> SourceRecord {
        let tx = TransactionBlock {
            id: "571".into(),
            total_order: 42,
            data_collection_order: 42,
        };
        self.event(
            Op::Update,
            row(1, Some("myRecord")),
            row(1, Some("updatedRecord")),
            Some(&tx),
        )
    }

    fn delete(&self) -> SourceRecord {
        self.event(Op::Delete, row(1, Some("myRecord")), Value::Null, None)
    }

    fn truncate(&self) -> SourceRecord {
        self.event(Op::Truncate, Value::Null, Value::Null, None)
    }
}

fn row(id: i8, name: Option<&str>) -> Value {
    Value::Struct(vec![Value::Int8(id), name.into()])
}

fn tombstone() -> SourceRecord {
    SourceRecord::new("dummy".into(), None, None)
}

fn unwrap(pairs: &[(&str, &str)]) -> ExtractNewRecordState {
    ExtractNewRecordState::new(&Props::of(pairs)).unwrap()
}

fn apply(t: &mut ExtractNewRecordState, record: SourceRecord) -> Option<SourceRecord> {
    t.apply(record).unwrap()
}

fn value(record: &SourceRecord) -> &ConnectData {
    record.value.as_ref().expect("a value")
}

/// A field of the record value by name.
fn get<'a>(record: &'a SourceRecord, name: &str) -> Option<&'a Value> {
    let data = value(record);
    let index = data.schema.field_index(name)?;
    match &data.value {
        Value::Struct(values) => values.get(index),
        _ => None,
    }
}

fn field_names(record: &SourceRecord) -> Vec<&str> {
    value(record)
        .schema
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect()
}

fn header<'a>(record: &'a SourceRecord, key: &str) -> Option<&'a Header> {
    record.headers.iter().find(|h| h.key == key)
}

fn header_value<'a>(record: &'a SourceRecord, key: &str) -> Option<&'a Value> {
    header(record, key).map(|h| &h.value.value)
}

#[test]
fn tombstones_pass_only_in_rewrite_with_tombstone() {
    for mode in ["drop", "tombstone", "rewrite", "delete-to-tombstone"] {
        assert_eq!(
            apply(&mut unwrap(&[(MODE, mode)]), tombstone()),
            None,
            "{mode}"
        );
    }
    assert_eq!(apply(&mut unwrap(&[]), tombstone()), None, "the default");
    let kept = apply(
        &mut unwrap(&[(MODE, "rewrite-with-tombstone")]),
        tombstone(),
    );
    assert_eq!(kept, Some(tombstone()));
}

#[test]
fn truncates_are_dropped_in_every_mode() {
    let table = Table::new();
    for mode in [
        "drop",
        "tombstone",
        "rewrite",
        "rewrite-with-tombstone",
        "delete-to-tombstone",
    ] {
        assert_eq!(
            apply(&mut unwrap(&[(MODE, mode)]), table.truncate()),
            None,
            "{mode}"
        );
    }
}

#[test]
fn delete_in_drop_mode_is_dropped() {
    let table = Table::new();
    assert_eq!(apply(&mut unwrap(&[(MODE, "drop")]), table.delete()), None);
}

#[test]
fn delete_in_tombstone_mode_keeps_a_null_value_with_the_after_schema() {
    let table = Table::new();
    for mut t in [unwrap(&[(MODE, "tombstone")]), unwrap(&[])] {
        let out = apply(&mut t, table.keyed(table.delete())).unwrap();
        let data = value(&out);
        assert_eq!(data.value, Value::Null);
        assert!(
            Arc::ptr_eq(&data.schema, &table.row),
            "the `after` field's own schema"
        );
        assert_eq!(out.key, table.keyed(table.delete()).key);
    }
}

#[test]
fn delete_to_tombstone_gives_a_kafka_tombstone_and_drops_debeziums() {
    let table = Table::new();
    let mut t = unwrap(&[(MODE, "delete-to-tombstone")]);
    let out = apply(&mut t, table.keyed(table.delete())).unwrap();
    assert_eq!(out.value, None);
    assert!(out.key.is_some(), "the key stays, for compaction");
    assert_eq!(apply(&mut t, tombstone()), None);
}

#[test]
fn delete_in_rewrite_mode_is_the_before_image_marked_deleted() {
    let table = Table::new();
    let out = apply(&mut unwrap(&[(MODE, "rewrite")]), table.delete()).unwrap();
    assert_eq!(get(&out, "__deleted"), Some(&Value::from("true")));
    assert_eq!(get(&out, "name"), Some(&Value::from("myRecord")));
    assert_eq!(field_names(&out), ["id", "name", "__deleted"]);
    let deleted = &value(&out).schema.fields[2].schema;
    assert_eq!((deleted.kind, deleted.optional), (SchemaType::String, true));
}

#[test]
fn create_in_rewrite_mode_is_marked_not_deleted_and_gets_the_op_header() {
    let table = Table::new();
    let mut t = unwrap(&[(MODE, "rewrite"), ("add.headers", "op")]);
    let out = apply(&mut t, table.create()).unwrap();
    assert_eq!(get(&out, "__deleted"), Some(&Value::from("false")));
    assert_eq!(out.headers.len(), 1);
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("c")));
}

#[test]
fn create_is_unwrapped_to_its_after_image() {
    let table = Table::new();
    let mut record = table.keyed(table.create());
    record.partition = Some(3);
    record.timestamp = Some(99);
    let out = apply(&mut unwrap(&[(MODE, "tombstone")]), record.clone()).unwrap();
    assert_eq!(get(&out, "id"), Some(&Value::Int8(1)));
    assert_eq!(get(&out, "name"), Some(&Value::from("myRecord")));
    let schema = &value(&out).schema;
    assert_eq!(schema.name.as_deref(), Some("dummy.Value"));
    // Debezium rebuilds the value schema with Kafka's copySchemaBasics: required.
    assert!(!schema.optional);
    assert_eq!(schema.fields, table.row.fields);
    assert_eq!(
        (out.key, out.partition, out.timestamp),
        (record.key, Some(3), Some(99))
    );
    assert_eq!(out.topic.as_ref(), "dummy");
    assert!(out.headers.is_empty());
}

#[test]
fn the_same_envelope_schema_always_gives_the_same_value_schema() {
    let table = Table::new();
    for mode in ["tombstone", "rewrite"] {
        let mut t = unwrap(&[(MODE, mode), ("add.fields", "op,source.ts_ms")]);
        let a = apply(&mut t, table.create()).unwrap();
        let b = apply(&mut t, table.update()).unwrap();
        assert!(Arc::ptr_eq(&value(&a).schema, &value(&b).schema), "{mode}");
    }
    let mut t = unwrap(&[(MODE, "rewrite")]);
    let a = apply(&mut t, table.delete()).unwrap();
    let b = apply(&mut t, table.delete()).unwrap();
    assert!(Arc::ptr_eq(&value(&a).schema, &value(&b).schema));
}

#[test]
fn a_null_with_a_default_stays_null_outside_the_rewrite_modes() {
    let table = Table::with_optional_name();
    let create = table.event(Op::Create, Value::Null, row(1, None), None);
    let out = apply(&mut unwrap(&[(MODE, "tombstone")]), create).unwrap();
    assert_eq!(get(&out, "id"), Some(&Value::Int8(1)));
    assert_eq!(get(&out, "name"), Some(&Value::Null));
}

#[test]
fn rewrite_modes_read_nulls_as_defaults_unless_told_not_to() {
    let table = Table::with_optional_name();
    let create = || table.event(Op::Create, Value::Null, row(1, None), None);
    let out = apply(&mut unwrap(&[(MODE, "rewrite")]), create()).unwrap();
    assert_eq!(get(&out, "name"), Some(&Value::from("default_str")));
    let mut t = unwrap(&[(MODE, "rewrite"), ("replace.null.with.default", "false")]);
    let out = apply(&mut t, create()).unwrap();
    assert_eq!(get(&out, "name"), Some(&Value::Null));
    let delete = table.event(Op::Delete, row(1, None), Value::Null, None);
    let out = apply(&mut unwrap(&[(MODE, "rewrite")]), delete).unwrap();
    assert_eq!(get(&out, "name"), Some(&Value::from("default_str")));
}

fn other_records() -> Vec<SourceRecord> {
    let meta = MetadataRecords::new("srv", "srv.transaction", "__debezium-heartbeat.srv");
    let named = |name: &str| {
        let schema = Schema::record(name).field("id", Schema::of(SchemaType::Int8));
        SourceRecord::new(
            "dummy".into(),
            None,
            Some(ConnectData::new(
                Arc::new(schema),
                Value::Struct(vec![Value::Int8(1)]),
            )),
        )
    };
    let unnamed = SourceRecord::new(
        "dummy".into(),
        None,
        Some(ConnectData::new(
            Arc::new(Schema::of(SchemaType::Struct).field("id", Schema::of(SchemaType::Int8))),
            Value::Struct(vec![Value::Int8(1)]),
        )),
    );
    vec![
        meta.heartbeat(1),
        meta.transaction("571", 1, None),
        named("io.debezium.connector.mysql.SchemaChangeValue"),
        named("io.debezium.connector.postgresql.MessageValue"),
        named("unknown"),
        unnamed,
    ]
}

#[test]
fn records_that_are_not_change_events_pass_unchanged_without_headers() {
    let mut t = unwrap(&[
        (MODE, "rewrite"),
        ("add.headers", "op,source.lsn"),
        ("add.fields", "op"),
        ("route.by.field", "name"),
    ]);
    for record in other_records() {
        assert_eq!(apply(&mut t, record.clone()), Some(record));
    }
}

#[test]
fn existing_headers_are_kept() {
    let table = Table::new();
    let mut record = table.create();
    record.headers.push(Header {
        key: "application/debezium-test-header".into(),
        value: ConnectData::new(
            Arc::new(Schema::of(SchemaType::String)),
            Value::from("keep"),
        ),
    });
    let out = apply(&mut unwrap(&[]), record).unwrap();
    assert_eq!(out.headers.len(), 1);
    assert_eq!(
        header_value(&out, "application/debezium-test-header"),
        Some(&Value::from("keep"))
    );
}

#[test]
fn add_field_op_follows_each_row_schema() {
    let table = Table::new();
    let mut t = unwrap(&[(MODE, "tombstone"), ("add.fields", "op")]);
    let out = apply(&mut t, table.create()).unwrap();
    assert_eq!(get(&out, "__op"), Some(&Value::from("c")));
    assert_eq!(field_names(&out), ["id", "name", "__op"]);

    // A row schema with a new column: its own derived schema.
    let wider = Table::with_row(
        Schema::record("dummy.Value")
            .field("id", Schema::of(SchemaType::Int8))
            .field("name", Schema::of(SchemaType::String))
            .field("started_at", Schema::of(SchemaType::Int64).optional()),
    );
    for started in [1_694_587_158_123, 1_694_587_158_789] {
        let after = Value::Struct(vec![
            Value::Int8(1),
            Value::from("myRecord"),
            Value::Int64(started),
        ]);
        let out = apply(&mut t, wider.event(Op::Create, Value::Null, after, None)).unwrap();
        assert_eq!(get(&out, "started_at"), Some(&Value::Int64(started)));
        assert_eq!(field_names(&out), ["id", "name", "started_at", "__op"]);
    }
}

#[test]
fn add_timestamps_from_the_top_level_or_the_source() {
    let table = Table::new();
    let out = apply(&mut unwrap(&[("add.fields", "ts_ms")]), table.create()).unwrap();
    assert_eq!(get(&out, "__ts_ms"), Some(&Value::Int64(1_710_032_523_000)));
    let out = apply(
        &mut unwrap(&[("add.fields", "source.ts_ms")]),
        table.create(),
    )
    .unwrap();
    assert_eq!(
        get(&out, "__source_ts_ms"),
        Some(&Value::Int64(1_588_252_618_953))
    );
    let added = &value(&out).schema.fields[2].schema;
    assert_eq!((added.kind, added.optional), (SchemaType::Int64, true));
}

#[test]
fn add_fields_with_a_prefix() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "tombstone"),
        ("add.fields", "op , lsn,id"),
        ("add.fields.prefix", "prefix."),
    ]);
    let out = apply(&mut t, table.update()).unwrap();
    assert_eq!(get(&out, "prefix.op"), Some(&Value::from("u")));
    assert_eq!(get(&out, "prefix.lsn"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "prefix.id"), Some(&Value::from("571")));
    assert_eq!(
        field_names(&out),
        ["id", "name", "prefix.op", "prefix.lsn", "prefix.id"]
    );
}

#[test]
fn renamed_fields_and_headers() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "tombstone"),
        (
            "add.fields",
            "op:OP, lsn:LSN, id:ID, source.lsn:source_lsn, transaction.total_order:TOTAL_ORDER",
        ),
        ("add.fields.prefix", ""),
        (
            "add.headers",
            "op, source.lsn:source_lsn, transaction.id:TXN_ID, transaction.total_order:TOTAL_ORDER",
        ),
        ("add.headers.prefix", "prefix."),
    ]);
    let out = apply(&mut t, table.update()).unwrap();
    assert_eq!(get(&out, "OP"), Some(&Value::from("u")));
    assert_eq!(get(&out, "LSN"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "ID"), Some(&Value::from("571")));
    assert_eq!(get(&out, "source_lsn"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "TOTAL_ORDER"), Some(&Value::Int64(42)));
    assert_eq!(out.headers.len(), 4);
    assert_eq!(header_value(&out, "prefix.op"), Some(&Value::from("u")));
    assert_eq!(
        header_value(&out, "prefix.source_lsn"),
        Some(&Value::Int32(1234))
    );
    assert_eq!(
        header_value(&out, "prefix.TXN_ID"),
        Some(&Value::from("571"))
    );
    assert_eq!(
        header_value(&out, "prefix.TOTAL_ORDER"),
        Some(&Value::Int64(42))
    );
    // Header schemas are the source fields' schemas made optional.
    let lsn = &header(&out, "prefix.source_lsn").unwrap().value.schema;
    assert_eq!((lsn.kind, lsn.optional), (SchemaType::Int32, true));
}

#[test]
fn a_field_of_a_null_transaction_is_added_as_null() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "tombstone"),
        ("add.fields", "op,lsn,id"),
        ("add.headers", "op,lsn,id"),
    ]);
    let out = apply(&mut t, table.create()).unwrap();
    assert_eq!(get(&out, "__op"), Some(&Value::from("c")));
    assert_eq!(get(&out, "__lsn"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "__id"), Some(&Value::Null));
    assert_eq!(out.headers.len(), 3);
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("c")));
    assert_eq!(header_value(&out, "__lsn"), Some(&Value::Int32(1234)));
    assert_eq!(header_value(&out, "__id"), Some(&Value::Null));
}

#[test]
fn add_fields_naming_their_struct() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "tombstone"),
        (
            "add.fields",
            "op,source.lsn,transaction.id,transaction.total_order",
        ),
    ]);
    let out = apply(&mut t, table.update()).unwrap();
    assert_eq!(get(&out, "__op"), Some(&Value::from("u")));
    assert_eq!(get(&out, "__source_lsn"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "__transaction_id"), Some(&Value::from("571")));
    assert_eq!(
        get(&out, "__transaction_total_order"),
        Some(&Value::Int64(42))
    );
}

#[test]
fn add_headers_unqualified_and_qualified() {
    let table = Table::new();
    let out = apply(&mut unwrap(&[("add.headers", "op")]), table.create()).unwrap();
    assert_eq!(out.headers.len(), 1);
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("c")));
    let op = &header(&out, "__op").unwrap().value.schema;
    assert_eq!((op.kind, op.optional), (SchemaType::String, true));

    let out = apply(
        &mut unwrap(&[("add.headers", "op , lsn,id")]),
        table.update(),
    )
    .unwrap();
    assert_eq!(out.headers.len(), 3);
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("u")));
    assert_eq!(header_value(&out, "__lsn"), Some(&Value::Int32(1234)));
    assert_eq!(header_value(&out, "__id"), Some(&Value::from("571")));

    let mut t = unwrap(&[
        (
            "add.headers",
            "op,source.lsn,transaction.id,transaction.total_order",
        ),
        ("add.headers.prefix", "prefix."),
    ]);
    let out = apply(&mut t, table.update()).unwrap();
    assert_eq!(out.headers.len(), 4);
    assert_eq!(header_value(&out, "prefix.op"), Some(&Value::from("u")));
    assert_eq!(
        header_value(&out, "prefix.source_lsn"),
        Some(&Value::Int32(1234))
    );
    assert_eq!(
        header_value(&out, "prefix.transaction_id"),
        Some(&Value::from("571"))
    );
    assert_eq!(
        header_value(&out, "prefix.transaction_total_order"),
        Some(&Value::Int64(42))
    );
}

#[test]
fn route_by_field_uses_after_or_before() {
    let table = Table::new();
    let mut t = unwrap(&[(MODE, "tombstone"), ("route.by.field", "name")]);
    assert_eq!(
        apply(&mut t, table.create()).unwrap().topic.as_ref(),
        "myRecord"
    );
    assert_eq!(
        apply(&mut t, table.update()).unwrap().topic.as_ref(),
        "updatedRecord"
    );
    assert_eq!(
        apply(&mut t, table.delete()).unwrap().topic.as_ref(),
        "myRecord"
    );
    // A null or blank column leaves the topic alone.
    let blank = table.event(Op::Create, Value::Null, row(1, Some(" ")), None);
    assert_eq!(apply(&mut t, blank).unwrap().topic.as_ref(), "dummy");
    // A column that is not there fails the record, as in Debezium.
    let mut t = unwrap(&[("route.by.field", "missing")]);
    assert!(t.apply(table.create()).is_err());
}

#[test]
fn rewrite_with_tombstone_gives_headers_and_a_tombstone_only_op() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "rewrite-with-tombstone"),
        ("add.headers", "op,source.lsn"),
    ]);
    let out = apply(&mut t, table.delete()).unwrap();
    assert_eq!(get(&out, "__deleted"), Some(&Value::from("true")));
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("d")));
    assert_eq!(
        header_value(&out, "__source_lsn"),
        Some(&Value::Int32(1234))
    );

    let out = apply(&mut t, tombstone()).unwrap();
    assert_eq!(out.value, None);
    assert_eq!(out.headers.len(), 1);
    let op = header(&out, "__op").unwrap();
    assert_eq!(op.value.value, Value::from("d"));
    // `Headers.addString`: a required string schema.
    assert_eq!(
        (op.value.schema.kind, op.value.schema.optional),
        (SchemaType::String, false)
    );
}

#[test]
fn add_fields_on_rewritten_deletes() {
    let table = Table::new();
    let out = apply(
        &mut unwrap(&[(MODE, "rewrite"), ("add.fields", "op")]),
        table.delete(),
    )
    .unwrap();
    assert_eq!(get(&out, "__deleted"), Some(&Value::from("true")));
    assert_eq!(get(&out, "__op"), Some(&Value::from("d")));
    assert_eq!(field_names(&out), ["id", "name", "__deleted", "__op"]);

    let out = apply(
        &mut unwrap(&[(MODE, "rewrite"), ("add.fields", "op,lsn")]),
        table.delete(),
    )
    .unwrap();
    assert_eq!(get(&out, "__lsn"), Some(&Value::Int32(1234)));

    let out = apply(
        &mut unwrap(&[(MODE, "rewrite"), ("add.fields", "op,source.lsn")]),
        table.delete(),
    )
    .unwrap();
    assert_eq!(get(&out, "__source_lsn"), Some(&Value::Int32(1234)));

    let mut t = unwrap(&[(MODE, "rewrite-with-tombstone"), ("add.fields", "op,lsn")]);
    let out = apply(&mut t, table.delete()).unwrap();
    assert_eq!(get(&out, "__op"), Some(&Value::from("d")));
    assert_eq!(get(&out, "__lsn"), Some(&Value::Int32(1234)));
    assert_eq!(apply(&mut t, tombstone()).unwrap().value, None);
}

#[test]
fn add_fields_are_not_added_to_a_null_delete_value() {
    let table = Table::new();
    let out = apply(&mut unwrap(&[("add.fields", "op")]), table.delete()).unwrap();
    assert_eq!(value(&out).value, Value::Null);
    assert!(Arc::ptr_eq(&value(&out).schema, &table.row));
}

/// An envelope with an extra top-level `changes` array, as `ExtractChangedRecordState`
/// and `HeaderToValue` leave it.
fn with_changes(table: &Table, record: SourceRecord) -> SourceRecord {
    let mut data = record.value.clone().unwrap();
    let schema = (*table.envelope)
        .clone()
        .field("changes", Schema::array(Schema::of(SchemaType::String)));
    data.schema = Arc::new(schema);
    if let Value::Struct(values) = &mut data.value {
        values.push(Value::Array(vec![Value::from("name")]));
    }
    SourceRecord {
        value: Some(data),
        ..record
    }
}

#[test]
fn fields_missing_from_the_schema_are_not_added() {
    let table = Table::new();
    let mut t = unwrap(&[
        (MODE, "tombstone"),
        (
            "add.fields",
            "notExisting,op:OP, lsn:LSN, id:ID, source.lsn:source_lsn, transaction.total_order:TOTAL_ORDER, changes:META_SRC_CHANGED",
        ),
        ("add.fields.prefix", ""),
    ]);
    let out = apply(&mut t, with_changes(&table, table.update())).unwrap();
    assert_eq!(get(&out, "OP"), Some(&Value::from("u")));
    assert_eq!(get(&out, "LSN"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "ID"), Some(&Value::from("571")));
    assert_eq!(get(&out, "source_lsn"), Some(&Value::Int32(1234)));
    assert_eq!(get(&out, "TOTAL_ORDER"), Some(&Value::Int64(42)));
    assert_eq!(
        get(&out, "META_SRC_CHANGED"),
        Some(&Value::Array(vec![Value::from("name")]))
    );
    assert_eq!(get(&out, "notExisting"), None);
    assert_eq!(
        field_names(&out),
        [
            "id",
            "name",
            "OP",
            "LSN",
            "ID",
            "source_lsn",
            "TOTAL_ORDER",
            "META_SRC_CHANGED"
        ]
    );

    let mut t = unwrap(&[
        ("add.fields", "op:OP, notExist:META_SRC_CHANGED"),
        ("add.fields.prefix", ""),
    ]);
    let out = apply(&mut t, with_changes(&table, table.update())).unwrap();
    assert_eq!(field_names(&out), ["id", "name", "OP"]);
}

#[test]
fn envelope_and_source_timestamps_are_told_apart() {
    let table = Table::with_optional_name();
    let mut t = unwrap(&[
        (
            "add.fields",
            "source.table:META_SRC_TABLENAME,source.ts_ms:META_SRC_TS_MS,source.ts_us:META_SRC_TS_US,source.ts_ns:META_SRC_TS_NS,ts_ms:META_TS_MS,ts_us:META_TS_US,ts_ns:META_TS_NS,op:META_SRC_OP,source.scn:META_SRC_SCN,source.snapshot:META_SRC_SNAPSHOT,source.user_name:META_SRC_USER,changes:META_SRC_CHANGES",
        ),
        (MODE, "rewrite"),
    ]);
    let out = apply(
        &mut t,
        table.keyed(table.event(Op::Create, Value::Null, row(1, None), None)),
    )
    .unwrap();
    assert_eq!(
        get(&out, "__META_SRC_TS_MS"),
        Some(&Value::Int64(1_588_252_618_953))
    );
    assert_eq!(
        get(&out, "__META_SRC_TS_US"),
        Some(&Value::Int64(1_588_252_618_953_000))
    );
    assert_eq!(
        get(&out, "__META_SRC_TS_NS"),
        Some(&Value::Int64(1_588_252_618_953_000_000))
    );
    assert_eq!(
        get(&out, "__META_TS_MS"),
        Some(&Value::Int64(1_710_032_523_000))
    );
    assert_eq!(
        get(&out, "__META_TS_US"),
        Some(&Value::Int64(1_710_032_523_000_123))
    );
    assert_eq!(
        get(&out, "__META_TS_NS"),
        Some(&Value::Int64(1_710_032_523_000_123_456))
    );
    assert_eq!(get(&out, "__META_SRC_SCN"), None);
    assert_eq!(
        field_names(&out),
        [
            "id",
            "name",
            "__deleted",
            "__META_SRC_TABLENAME",
            "__META_SRC_TS_MS",
            "__META_SRC_TS_US",
            "__META_SRC_TS_NS",
            "__META_TS_MS",
            "__META_TS_US",
            "__META_TS_NS",
            "__META_SRC_OP"
        ]
    );
}

fn with_drop_header(mut record: SourceRecord, names: &[&str]) -> SourceRecord {
    let schema = Schema::array(Schema::of(SchemaType::String).optional())
        .optional()
        .named("drop-fields");
    record.headers.push(Header {
        key: "drop-fields".into(),
        value: ConnectData::new(
            Arc::new(schema),
            Value::Array(names.iter().map(|n| Value::from(*n)).collect()),
        ),
    });
    record
}

/// The four `dropFieldsFromValue…` cases: (options, value fields left, key fields left).
fn drop_fields_case(extra: &[(&str, &str)], value_left: &[&str], key_left: &[&str]) {
    let table = Table::with_optional_name();
    let mut options = vec![(MODE, "drop"), ("drop.fields.header.name", "drop-fields")];
    options.extend_from_slice(extra);
    let mut t = unwrap(&options);
    let create = table.event(Op::Create, Value::Null, row(1, None), None);
    let update = table.event(
        Op::Update,
        row(1, None),
        row(1, Some("updatedRecord")),
        None,
    );
    for (record, keyed) in [
        (create.clone(), false),
        (table.keyed(create), true),
        (update.clone(), false),
        (table.keyed(update), true),
    ] {
        let out = apply(&mut t, with_drop_header(record, &["id", "name"])).unwrap();
        assert_eq!(field_names(&out), value_left);
        if value_left.contains(&"id") {
            assert_eq!(get(&out, "id"), Some(&Value::Int8(1)));
        } else {
            assert_eq!(value(&out).value, Value::Struct(vec![]));
        }
        match (&out.key, keyed) {
            (None, false) => {}
            (Some(key), true) => {
                let names: Vec<_> = key.schema.fields.iter().map(|f| f.name.as_str()).collect();
                assert_eq!(names, key_left);
                assert_eq!(
                    key.value,
                    Value::Struct(key_left.iter().map(|_| Value::Int8(1)).collect())
                );
            }
            other => panic!("unexpected key {other:?}"),
        }
    }
    let delete = table.event(Op::Delete, row(1, None), Value::Null, None);
    assert_eq!(
        apply(&mut t, with_drop_header(delete, &["id", "name"])),
        None
    );
    assert_eq!(
        apply(&mut t, with_drop_header(tombstone(), &["id", "name"])),
        None
    );
}

#[test]
fn drop_fields_keeping_schema_compatibility_drops_only_optional_fields() {
    drop_fields_case(&[], &["id"], &["id"]);
}

#[test]
fn drop_fields_without_schema_compatibility_drops_all_listed() {
    drop_fields_case(
        &[("drop.fields.keep.schema.compatible", "false")],
        &[],
        &["id"],
    );
}

#[test]
fn drop_fields_from_the_key_keeping_compatibility_keeps_required_key_fields() {
    drop_fields_case(&[("drop.fields.from.key", "true")], &["id"], &["id"]);
}

#[test]
fn drop_fields_from_the_key_without_compatibility() {
    drop_fields_case(
        &[
            ("drop.fields.keep.schema.compatible", "false"),
            ("drop.fields.from.key", "true"),
        ],
        &[],
        &[],
    );
}

#[test]
fn drop_fields_on_rewritten_deletes_come_before_added_fields() {
    let table = Table::with_optional_name();
    let mut t = unwrap(&[
        (MODE, "rewrite"),
        ("drop.fields.header.name", "drop-fields"),
        ("add.fields", "op"),
    ]);
    let delete = table.event(Op::Delete, row(1, Some("x")), Value::Null, None);
    let out = apply(&mut t, with_drop_header(delete.clone(), &["name", "__op"])).unwrap();
    // `__op` is added after the drop on deletes, so it stays.
    assert_eq!(field_names(&out), ["id", "__deleted", "__op"]);
    assert_eq!(get(&out, "__op"), Some(&Value::from("d")));
    let again = apply(&mut t, with_drop_header(delete, &["name", "__op"])).unwrap();
    assert!(Arc::ptr_eq(&value(&out).schema, &value(&again).schema));
    // On creates the fields are added first, so an optional added field can be dropped.
    let create = table.event(Op::Create, Value::Null, row(1, Some("x")), None);
    let out = apply(&mut t, with_drop_header(create, &["name", "__op"])).unwrap();
    assert_eq!(field_names(&out), ["id", "__deleted"]);
}

#[test]
fn the_mode_is_validated() {
    let err = ExtractNewRecordState::new(&Props::of(&[(MODE, "jbsdfkjsd")]))
        .err()
        .unwrap();
    assert!(err.0.contains(MODE), "{err}");
    assert!(ExtractNewRecordState::new(&Props::of(&[(MODE, "drop")])).is_ok());
    let err = ExtractNewRecordState::new(&Props::of(&[("add.fields", "a:b:c")]))
        .err()
        .unwrap();
    assert!(err.0.contains("add.fields"), "{err}");
}

#[test]
fn the_old_delete_options_apply_when_the_mode_is_not_set() {
    let table = Table::new();
    let mut t = unwrap(&[
        ("delete.handling.mode", "rewrite"),
        ("drop.tombstones", "false"),
    ]);
    assert_eq!(
        get(&apply(&mut t, table.delete()).unwrap(), "__deleted"),
        Some(&Value::from("true"))
    );
    assert_eq!(
        get(&apply(&mut t, table.create()).unwrap(), "__deleted"),
        Some(&Value::from("false"))
    );
    assert_eq!(apply(&mut t, tombstone()), Some(tombstone()));

    let mut t = unwrap(&[("delete.handling.mode", "none")]);
    assert_eq!(
        value(&apply(&mut t, table.delete()).unwrap()).value,
        Value::Null
    );
    assert_eq!(apply(&mut t, tombstone()), None);

    // The old defaults: deletes dropped, tombstones dropped unless told otherwise.
    let mut t = unwrap(&[("drop.tombstones", "false")]);
    assert_eq!(apply(&mut t, table.delete()), None);
    assert_eq!(apply(&mut t, tombstone()), Some(tombstone()));

    // The new option wins.
    let mut t = unwrap(&[(MODE, "drop"), ("delete.handling.mode", "rewrite")]);
    assert_eq!(apply(&mut t, table.delete()), None);
}

#[test]
fn a_struct_field_cannot_be_added() {
    let table = Table::new();
    // `source` is found at the top level and is a struct: Kafka rejects its value under
    // the copied schema, which has no fields.
    let mut t = unwrap(&[("add.fields", "source")]);
    assert!(t.apply(table.create()).is_err());
}

#[test]
fn registered_by_full_and_simple_name() {
    for name in [
        "io.debezium.transforms.ExtractNewRecordState",
        "ExtractNewRecordState",
    ] {
        let class = crate::registry::transform(name).expect("registered");
        assert!((class.build)(&Props::of(&[])).is_ok());
    }
}

#[test]
fn a_value_read_by_a_header_and_fields_reaches_each() {
    let table = Table::new();
    let mut t = unwrap(&[
        ("add.headers", "op,source.table"),
        ("add.fields", "op,table,source.table:T,op:OP"),
    ]);
    for _ in 0..2 {
        let out = apply(&mut t, table.create()).unwrap();
        assert_eq!(header_value(&out, "__op"), Some(&Value::from("c")));
        assert_eq!(
            header_value(&out, "__source_table"),
            Some(&Value::from("test_table"))
        );
        assert_eq!(get(&out, "__op"), Some(&Value::from("c")));
        assert_eq!(get(&out, "__OP"), Some(&Value::from("c")));
        assert_eq!(get(&out, "__table"), Some(&Value::from("test_table")));
        assert_eq!(get(&out, "__T"), Some(&Value::from("test_table")));
    }
}

#[test]
fn a_null_value_with_a_schema_is_a_tombstone_too() {
    let table = Table::new();
    let record = SourceRecord::new(
        "dummy".into(),
        None,
        Some(ConnectData::new(table.envelope.clone(), Value::Null)),
    );
    assert_eq!(apply(&mut unwrap(&[]), record.clone()), None);
    let mut t = unwrap(&[(MODE, "rewrite-with-tombstone"), ("add.headers", "op")]);
    let out = apply(&mut t, record.clone()).unwrap();
    assert_eq!(out.value, record.value, "passed as it came");
    assert_eq!(header_value(&out, "__op"), Some(&Value::from("d")));
}
