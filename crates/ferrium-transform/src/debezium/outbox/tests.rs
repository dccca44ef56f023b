//! The behaviour Debezium's `EventRouterTest` asserts (one test per upstream case,
//! named after it), then the record kinds and options it leaves out.

use std::sync::Arc;

use ferrium_event::envelope::ProcessingTime;
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::{
    struct_field, ConnectData, Envelope, Header, Op, Schema, SchemaType, SourceRecord, Value,
};

use super::EventRouter;
use crate::{Props, Transform};

const TS_MS: i64 = 1_556_890_294_484;
const EVENT_ID: &str = "da8d6de6-3b77-45ff-8f44-57db55a7a06c";

fn router(pairs: &[(&str, &str)]) -> EventRouter {
    EventRouter::new(&Props::of(pairs)).unwrap()
}

fn string() -> Schema {
    Schema::of(SchemaType::String)
}

/// An outbox row, column by column, as the upstream test's `createEventRecord` builds it.
#[derive(Clone)]
struct Row {
    name: Option<String>,
    columns: Vec<(String, Schema, Value)>,
}

impl Row {
    fn new(
        id: &str,
        event_type: &str,
        aggregate_id: &str,
        aggregate_type: &str,
        payload: &str,
    ) -> Self {
        Row::empty()
            .set("id", string(), id.into())
            .set("aggregatetype", string(), aggregate_type.into())
            .set("aggregateid", string(), aggregate_id.into())
            .set("type", string(), event_type.into())
            .set("payload", string(), payload.into())
            .set(
                "is_deleted",
                Schema::of(SchemaType::Boolean).optional(),
                Value::Null,
            )
    }

    fn empty() -> Self {
        Row {
            name: None,
            columns: Vec::new(),
        }
    }

    fn user_created() -> Self {
        Row::new(EVENT_ID, "UserCreated", "10711fa5", "User", "{}")
    }

    /// Replaces a column (keeping its place) or appends one.
    fn set(mut self, name: &str, schema: Schema, value: Value) -> Self {
        match self.columns.iter_mut().find(|(n, _, _)| n == name) {
            Some(column) => *column = (name.to_string(), schema, value),
            None => self.columns.push((name.to_string(), schema, value)),
        }
        self
    }

    fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    fn schema(&self) -> Arc<Schema> {
        let mut schema = Schema::of(SchemaType::Struct).optional();
        schema.name = self.name.clone();
        let schema = self.columns.iter().fold(schema, |s, (name, column, _)| {
            s.field(name.clone(), column.clone())
        });
        Arc::new(schema)
    }

    fn record(&self) -> SourceRecord {
        self.record_with(Op::Create, self.schema())
    }

    fn record_with(&self, op: Op, schema: Arc<Schema>) -> SourceRecord {
        let source = Arc::new(Schema::record("source").field("connector", string()));
        let envelope = Envelope::new("event", schema, source);
        let image = Value::Struct(self.columns.iter().map(|(_, _, v)| v.clone()).collect());
        let (before, after) = match op {
            Op::Delete => (image, Value::Null),
            Op::Update => (image.clone(), image),
            Op::Truncate => (Value::Null, Value::Null),
            _ => (Value::Null, image),
        };
        let at = ProcessingTime {
            ts_ms: TS_MS,
            ts_us: TS_MS * 1_000,
            ts_ns: TS_MS * 1_000_000,
        };
        let value = Envelope::value(
            before,
            after,
            Value::Struct(vec!["postgresql".into()]),
            op,
            at,
            None,
        );
        SourceRecord::new(
            "db.outbox".into(),
            Some(ConnectData::new(Arc::new(string()), EVENT_ID.into())),
            Some(ConnectData::new(envelope.schema, value)),
        )
    }
}

fn routed(router: &mut EventRouter, record: SourceRecord) -> SourceRecord {
    router.apply(record).unwrap().expect("a routed record")
}

fn value(record: &SourceRecord) -> &ConnectData {
    record.value.as_ref().expect("a value")
}

fn key(record: &SourceRecord) -> &ConnectData {
    record.key.as_ref().expect("a key")
}

/// A field of a struct value.
fn get<'a>(data: &'a ConnectData, name: &str) -> &'a Value {
    struct_field(&data.schema, &data.value, name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .value
}

fn field_schema<'a>(schema: &'a Schema, name: &str) -> &'a Schema {
    &schema.fields[schema
        .field_index(name)
        .unwrap_or_else(|| panic!("no field {name}"))]
    .schema
}

fn last_header<'a>(record: &'a SourceRecord, key: &str) -> &'a Header {
    record
        .headers
        .iter()
        .rev()
        .find(|h| h.key == key)
        .expect("the header")
}

fn items(value: &Value) -> &[Value] {
    match value {
        Value::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

fn member<'a>(value: &'a Value, schema: &Schema, name: &str) -> &'a Value {
    match value {
        Value::Struct(values) => &values[schema.field_index(name).expect("the field")],
        other => panic!("not a struct: {other:?}"),
    }
}

#[test]
fn can_skip_tombstone() {
    let tombstone = SourceRecord::new(
        "db.outbox".into(),
        Some(ConnectData::new(Arc::new(string()), "123123".into())),
        None,
    );
    assert_eq!(router(&[]).apply(tombstone).unwrap(), None);
}

#[test]
fn can_skip_deletion() {
    let delete = Row::user_created().record_with(Op::Delete, Row::user_created().schema());
    assert_eq!(router(&[]).apply(delete).unwrap(), None);
}

#[test]
fn can_skip_messages_without_debezium_cdc_envelope_due_to_missing_schema_name() {
    let schema =
        Arc::new(Schema::of(SchemaType::Struct).field("ts_ms", Schema::of(SchemaType::Int64)));
    let record = SourceRecord::new(
        "db.outbox".into(),
        None,
        Some(ConnectData::new(
            schema,
            Value::Struct(vec![Value::Int64(1)]),
        )),
    );
    assert_eq!(router(&[]).apply(record.clone()).unwrap(), Some(record));
}

#[test]
fn should_fail_when_the_schema_looks_valid_but_does_not_have_the_correct_fields() {
    let schema = Arc::new(
        Schema::record("io.debezium.connector.common.Heartbeat.Envelope")
            .field("ts_ms", Schema::of(SchemaType::Int64)),
    );
    let record = SourceRecord::new(
        "db.outbox".into(),
        None,
        Some(ConnectData::new(
            schema,
            Value::Struct(vec![Value::Int64(1)]),
        )),
    );
    let err = router(&[]).apply(record).unwrap_err();
    assert!(err.0.contains("op is not a valid field name"), "{err}");
}

#[test]
fn can_skip_messages_without_debezium_cdc_envelope_due_to_missing_schema_name_suffix() {
    let record =
        MetadataRecords::new("db", "db.transaction", "__debezium-heartbeat.db").heartbeat(TS_MS);
    assert_eq!(router(&[]).apply(record.clone()).unwrap(), Some(record));
}

// Upstream's third pass-through case has a value without a schema, which Ferrium's
// records cannot carry; transaction metadata is the other kind that must pass.
#[test]
fn can_skip_messages_without_debezium_cdc_envelope_due_to_missing_value_schema() {
    let records = MetadataRecords::new("db", "db.transaction", "__debezium-heartbeat.db");
    for record in [
        records.transaction("tx1", TS_MS, None),
        records.transaction("tx1", TS_MS, Some((1, &[("public.outbox".to_string(), 1)]))),
    ] {
        assert_eq!(router(&[]).apply(record.clone()).unwrap(), Some(record));
    }
}

#[test]
fn schema_change_events_pass() {
    let schema = Arc::new(
        Schema::record("io.debezium.connector.mysql.SchemaChangeValue")
            .field("databaseName", string())
            .field("ddl", string()),
    );
    let value = Value::Struct(vec![
        "inventory".into(),
        "ALTER TABLE outbox ADD x INT".into(),
    ]);
    let record = SourceRecord::new("db".into(), None, Some(ConnectData::new(schema, value)));
    assert_eq!(router(&[]).apply(record.clone()).unwrap(), Some(record));
}

#[test]
fn can_skip_updates() {
    let row = Row::user_created();
    for behaviour in ["warn", "error"] {
        let mut router = router(&[("table.op.invalid.behavior", behaviour)]);
        assert_eq!(
            router
                .apply(row.record_with(Op::Update, row.schema()))
                .unwrap(),
            None
        );
    }
    assert_eq!(
        router(&[])
            .apply(row.record_with(Op::Update, row.schema()))
            .unwrap(),
        None
    );
}

#[test]
fn can_fail_on_updates() {
    let row = Row::user_created();
    let mut router = router(&[("table.op.invalid.behavior", "fatal")]);
    let err = router
        .apply(row.record_with(Op::Update, row.schema()))
        .unwrap_err();
    assert!(err.0.contains("Unexpected update message"), "{err}");
}

#[test]
fn can_extract_table_fields() {
    let out = routed(&mut router(&[]), Row::user_created().record());
    assert_eq!(value(&out).value, Value::from("{}"));
    assert_eq!(value(&out).schema.version, None);
    assert_eq!(*value(&out).schema, string());
}

#[test]
fn can_set_default_message_key() {
    let out = routed(&mut router(&[]), Row::user_created().record());
    assert_eq!(key(&out).schema.kind, SchemaType::String);
    assert_eq!(key(&out).value, Value::from("10711fa5"));
}

#[test]
fn can_set_message_key() {
    let out = routed(
        &mut router(&[("table.field.event.key", "type")]),
        Row::user_created().record(),
    );
    assert_eq!(key(&out).schema.kind, SchemaType::String);
    assert_eq!(key(&out).value, Value::from("UserCreated"));
}

#[test]
fn fails_on_invalid_set_message_key() {
    let mut router = router(&[("table.field.event.key", "fakefield")]);
    let err = router.apply(Row::user_created().record()).unwrap_err();
    assert!(err.0.contains("fakefield"), "{err}");
}

#[test]
fn can_set_timestamp_from_debezium_envelope_by_default() {
    let record = Row::user_created().record();
    assert_eq!(record.timestamp, None);
    assert_eq!(routed(&mut router(&[]), record).timestamp, Some(TS_MS));
}

#[test]
fn can_set_timestamp_by_user_defined_configuration() {
    let mut router = router(&[("table.field.event.timestamp", "event_timestamp")]);
    let row = Row::new("166080d9", "UserCreated", "420b186d", "User", "{}").set(
        "event_timestamp",
        Schema::of(SchemaType::Int64).named("io.debezium.time.Timestamp"),
        Value::Int64(14_222_264_625_338),
    );
    assert_eq!(
        routed(&mut router, row.record()).timestamp,
        Some(14_222_264_625_338)
    );
}

#[test]
fn can_route_based_on_field() {
    let mut router = router(&[("route.by.field", "aggregatetype")]);
    assert_eq!(
        &*routed(&mut router, Row::user_created().record()).topic,
        "outbox.event.User"
    );
    let update = Row::new("ab720dd3", "UserUpdate", "10711fa5", "User", "{}");
    assert_eq!(
        &*routed(&mut router, update.record()).topic,
        "outbox.event.User"
    );
    let address = Row::new("ab720dd3", "AddressCreated", "10711fa5", "Address", "{}");
    assert_eq!(
        &*routed(&mut router, address.record()).topic,
        "outbox.event.Address"
    );
}

#[test]
fn can_configure_every_table_field() {
    let mut router = router(&[
        ("table.field.event.id", "event_id"),
        ("table.field.event.key", "payload_id"),
        ("table.field.event.type", "event_type"),
        ("table.field.event.payload", "payload_body"),
        ("route.by.field", "payload_id"),
    ]);
    let row = Row::empty()
        .set("event_id", string(), EVENT_ID.into())
        .set("payload_id", string(), "10711fa5".into())
        .set("event_type", string(), "UserCreated".into())
        .set("payload_body", string(), "{}".into());
    let out = routed(&mut router, row.record());
    assert_eq!(value(&out).value, Value::from("{}"));
    assert_eq!(&*out.topic, "outbox.event.10711fa5");
    assert_eq!(out.headers.len(), 1);
    assert_eq!(out.headers[0].key, "id");
    assert_eq!(out.headers[0].value.value, Value::from(EVENT_ID));
}

/// The row of `canInfluenceTableColumnTypes` and `canSetPartitionWithAdditionalFields`.
fn typed_row() -> Row {
    Row::empty()
        .set("event_id", Schema::of(SchemaType::Int32), Value::Int32(2))
        .set(
            "payload_id",
            Schema::of(SchemaType::Int32),
            Value::Int32(1232),
        )
        .set("my_route_field", string(), "routename".into())
        .set(
            "event_type",
            Schema::of(SchemaType::Bytes),
            Value::Bytes(b"CoolSchemaCreated".to_vec()),
        )
        .set(
            "payload_body",
            Schema::of(SchemaType::Bytes),
            Value::Bytes(b"{}".to_vec()),
        )
}

const TYPED_OPTIONS: [(&str, &str); 5] = [
    ("table.field.event.id", "event_id"),
    ("table.field.event.key", "payload_id"),
    ("table.field.event.type", "event_type"),
    ("table.field.event.payload", "payload_body"),
    ("route.by.field", "my_route_field"),
];

#[test]
fn can_influence_table_column_types() {
    let mut options = TYPED_OPTIONS.to_vec();
    options.push((
        "table.fields.additional.placement",
        "some_boolean:envelope:bool",
    ));
    let row = typed_row().set(
        "some_boolean",
        Schema::of(SchemaType::Boolean),
        Value::Boolean(true),
    );
    let out = routed(&mut router(&options), row.record());
    assert_eq!(&*out.topic, "outbox.event.routename");
    let value = value(&out);
    assert_eq!(
        field_schema(&value.schema, "payload").kind,
        SchemaType::Bytes
    );
    assert_eq!(
        field_schema(&value.schema, "bool").kind,
        SchemaType::Boolean
    );
    assert_eq!(get(value, "payload"), &Value::Bytes(b"{}".to_vec()));
    assert_eq!(get(value, "bool"), &Value::Boolean(true));
    assert_eq!(key(&out).value, Value::Int32(1232));
    assert_eq!(out.headers.len(), 1);
    assert_eq!(out.headers[0].key, "id");
    assert_eq!(out.headers[0].value.value, Value::Int32(2));
    assert_eq!(out.headers[0].value.schema.kind, SchemaType::Int32);
}

fn versioned(version: i32, id: &str) -> SourceRecord {
    Row::new(id, "UserCreated", "420b186d", "User", "{}")
        .set(
            "version",
            Schema::of(SchemaType::Int32),
            Value::Int32(version),
        )
        .record()
}

#[test]
fn can_set_schema_version_when_more_than_payload_is_in_envelope() {
    let mut router = router(&[
        ("table.field.event.schema.version", "version"),
        (
            "table.fields.additional.placement",
            "type:envelope:eventType",
        ),
    ]);
    let v1 = routed(&mut router, versioned(1, "166080d9"));
    assert_eq!(value(&v1).schema.version, Some(1));
    let v3 = routed(&mut router, versioned(3, "166080d9"));
    assert_eq!(value(&v3).schema.version, Some(3));
    let v1_again = routed(&mut router, versioned(1, "18f94a39"));
    assert_eq!(value(&v1_again).schema.version, Some(1));
    assert!(Arc::ptr_eq(&value(&v1).schema, &value(&v1_again).schema));
}

#[test]
fn should_not_set_schema_version_by_default() {
    // Without envelope placements the value is the bare payload, which has no version.
    let mut router = router(&[("table.field.event.schema.version", "version")]);
    for (version, id) in [(1, "166080d9"), (3, "166080d9"), (1, "18f94a39")] {
        assert_eq!(
            value(&routed(&mut router, versioned(version, id)))
                .schema
                .version,
            None
        );
    }
}

#[test]
fn can_set_payload_type_into_the_envelope() {
    let out = routed(
        &mut router(&[("table.fields.additional.placement", "type:envelope")]),
        Row::user_created().record(),
    );
    assert_eq!(get(value(&out), "type"), &Value::from("UserCreated"));
}

#[test]
fn can_set_payload_type_into_the_envelope_with_alias() {
    let out = routed(
        &mut router(&[(
            "table.fields.additional.placement",
            "type:envelope:aggregateType",
        )]),
        Row::user_created().record(),
    );
    assert_eq!(
        get(value(&out), "aggregateType"),
        &Value::from("UserCreated")
    );
}

#[test]
fn can_set_multiple_fields_into_the_envelope() {
    let out = routed(
        &mut router(&[(
            "table.fields.additional.placement",
            "type:envelope:payloadType, aggregateid:envelope:payloadId,type:header:payloadType",
        )]),
        Row::user_created().record(),
    );
    assert_eq!(get(value(&out), "payloadType"), &Value::from("UserCreated"));
    assert_eq!(get(value(&out), "payloadId"), &Value::from("10711fa5"));
    assert_eq!(
        last_header(&out, "payloadType").value.value,
        Value::from("UserCreated")
    );
}

#[test]
fn can_set_partition_with_additional_fields() {
    let mut options = TYPED_OPTIONS.to_vec();
    options.push(("table.fields.additional.placement", "p:partition"));
    let row = typed_row().set("p", Schema::of(SchemaType::Int32), Value::Int32(123));
    assert_eq!(
        routed(&mut router(&options), row.record()).partition,
        Some(123)
    );
}

fn refused(pairs: &[(&str, &str)]) -> String {
    match EventRouter::new(&Props::new(
        "transforms.outbox.",
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )) {
        Ok(_) => panic!("{pairs:?} accepted"),
        Err(problem) => problem.0,
    }
}

#[test]
fn should_fail_on_invalid_configuration_for_topic_regex() {
    assert!(refused(&[("route.topic.regex", " [[a-z]")])
        .contains("'transforms.outbox.route.topic.regex'"));
}

#[test]
fn a_replacement_without_its_group_is_refused() {
    assert!(refused(&[("route.topic.regex", "(.*)")])
        .contains("'transforms.outbox.route.topic.replacement'"));
}

#[test]
fn should_fail_on_invalid_configuration_for_additional_fields() {
    assert!(refused(&[("table.fields.additional.placement", "type")])
        .contains("'transforms.outbox.table.fields.additional.placement'"));
}

#[test]
fn should_fail_on_invalid_configuration_for_additional_fields_empty() {
    assert!(refused(&[("table.fields.additional.placement", "")])
        .contains("table.fields.additional.placement"));
}

#[test]
fn should_fail_on_invalid_configuration_for_operation_behavior() {
    assert!(refused(&[("table.op.invalid.behavior", "invalidOption")])
        .contains("table.op.invalid.behavior"));
}

#[test]
fn can_pass_string_key() {
    let out = routed(&mut router(&[]), Row::user_created().record());
    assert_eq!(key(&out).schema.kind, SchemaType::String);
}

#[test]
fn can_set_binary_message_key() {
    let event_type = b"a UserCreated".to_vec();
    let row = Row::user_created()
        .set(
            "type",
            Schema::of(SchemaType::Bytes),
            Value::Bytes(event_type.clone()),
        )
        .set("aggregateid", string(), "Some other payload id".into());
    let out = routed(
        &mut router(&[("table.field.event.key", "type")]),
        row.record(),
    );
    assert_eq!(key(&out).schema.kind, SchemaType::Bytes);
    assert_eq!(key(&out).value, Value::Bytes(event_type));
}

fn can_pass_key_by_type(schema: Schema, key_value: Value) {
    let row = Row::user_created().set("aggregateid", schema.clone(), key_value.clone());
    let out = routed(&mut router(&[]), row.record());
    assert_eq!(*key(&out).schema, schema);
    assert_eq!(key(&out).value, key_value);
}

#[test]
fn can_pass_binary_key() {
    can_pass_key_by_type(
        Schema::of(SchemaType::Bytes),
        Value::Bytes(b"a binary key".to_vec()),
    );
}

#[test]
fn can_pass_int_key() {
    can_pass_key_by_type(Schema::of(SchemaType::Int32), Value::Int32(54321));
}

#[test]
fn can_pass_binary_message() {
    let payload = b"a binary message".to_vec();
    let row = Row::user_created()
        .set("aggregateid", string(), "a key".into())
        .set(
            "payload",
            Schema::of(SchemaType::Bytes),
            Value::Bytes(payload.clone()),
        );
    let out = routed(&mut router(&[]), row.record());
    assert_eq!(key(&out).value, Value::from("a key"));
    assert_eq!(value(&out).schema.kind, SchemaType::Bytes);
    assert_eq!(value(&out).value, Value::Bytes(payload));
}

fn deleted_row(payload: &str) -> Row {
    Row::new(EVENT_ID, "UserCreated", "10711fa5", "User", payload)
        .set(
            "is_deleted",
            Schema::of(SchemaType::Boolean).optional(),
            Value::Boolean(true),
        )
        .set(
            "deleted",
            Schema::of(SchemaType::Boolean).optional(),
            Value::Null,
        )
}

#[test]
fn can_mark_an_event_as_deleted() {
    let mut router = router(&[
        (
            "table.fields.additional.placement",
            "is_deleted:envelope:deleted",
        ),
        ("route.tombstone.on.empty.payload", "true"),
    ]);
    let out = routed(&mut router, deleted_row("{}").record());
    assert_eq!(get(value(&out), "deleted"), &Value::Boolean(true));
    let tombstone = routed(&mut router, deleted_row("").record());
    assert_eq!(tombstone.value, None);
    assert_eq!(key(&tombstone).value, Value::from("10711fa5"));
    assert_eq!(&*tombstone.topic, "outbox.event.User");
}

#[test]
fn no_tombstone_if_not_configured() {
    let mut router = router(&[(
        "table.fields.additional.placement",
        "is_deleted:envelope:deleted",
    )]);
    let out = routed(&mut router, deleted_row("{}").record());
    assert_eq!(get(value(&out), "deleted"), &Value::Boolean(true));
    let not_tombstone = routed(&mut router, deleted_row("").record());
    assert!(not_tombstone.key.is_some());
    assert_eq!(get(value(&not_tombstone), "deleted"), &Value::Boolean(true));
    assert_eq!(get(value(&not_tombstone), "payload"), &Value::from(""));
}

fn expanding() -> EventRouter {
    router(&[("table.expand.json.payload", "true")])
}

fn with_payload(payload: &str) -> SourceRecord {
    Row::new(EVENT_ID, "UserCreated", "10711fa5", "User", payload).record()
}

#[test]
fn can_expand_json_payload_if_configured() {
    let out = routed(
        &mut expanding(),
        with_payload(
            r#"{"fullName": "John Doe", "enabled": true, "rating": 4.9, "age": 42, "pets": ["dog", "cat"], "petObjects": [{"type": "dog"}, {"type": "cat"}]}"#,
        ),
    );
    let value = value(&out);
    let schema = &value.schema;
    assert_eq!(schema.kind, SchemaType::Struct);
    assert_eq!(schema.name.as_deref(), Some("payload"));
    assert_eq!(schema.fields.len(), 6);
    let kinds: Vec<_> = schema
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.schema.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("fullName", SchemaType::String),
            ("enabled", SchemaType::Boolean),
            ("rating", SchemaType::Float64),
            ("age", SchemaType::Int32),
            ("pets", SchemaType::Array),
            ("petObjects", SchemaType::Array),
        ]
    );
    assert_eq!(get(value, "fullName"), &Value::from("John Doe"));
    assert_eq!(get(value, "enabled"), &Value::Boolean(true));
    assert_eq!(get(value, "rating"), &Value::Float64(4.9));
    assert_eq!(get(value, "age"), &Value::Int32(42));
    assert_eq!(
        items(get(value, "pets")),
        [Value::from("dog"), Value::from("cat")]
    );
    let pet = field_schema(schema, "petObjects").items.as_ref().unwrap();
    assert_eq!(pet.name.as_deref(), Some("payload.petObjects"));
    let pets = items(get(value, "petObjects"));
    assert_eq!(member(&pets[0], pet, "type"), &Value::from("dog"));
    assert_eq!(member(&pets[1], pet, "type"), &Value::from("cat"));
}

#[test]
fn should_not_warn_on_null_payload_when_expand_json_payload_enabled() {
    let mut router = router(&[
        ("table.expand.json.payload", "true"),
        ("route.tombstone.on.empty.payload", "true"),
    ]);
    let row = Row::user_created().set("payload", string().optional(), Value::Null);
    let out = routed(&mut router, row.record());
    assert_eq!(out.value, None);
    assert!(out.key.is_some());
}

#[test]
fn can_expand_json_with_nested_arrays_where_first_array_is_empty() {
    let out = routed(
        &mut expanding(),
        with_payload(
            r#"{"fullName": "John Doe", "petObjects": [{"type": "dog", "colors": []}, {"type": "cat", "colors": [{"name": "white"}]}]}"#,
        ),
    );
    let value = value(&out);
    assert_eq!(value.schema.fields.len(), 2);
    let pet = field_schema(&value.schema, "petObjects")
        .items
        .as_ref()
        .unwrap();
    assert_eq!(pet.kind, SchemaType::Struct);
    assert_eq!(pet.fields.len(), 2);
    assert_eq!(field_schema(pet, "type").kind, SchemaType::String);
    let colors = field_schema(pet, "colors");
    assert_eq!(colors.kind, SchemaType::Array);
    let color = colors.items.as_ref().unwrap();
    assert_eq!(color.kind, SchemaType::Struct);
    assert_eq!(color.fields.len(), 1);
    assert_eq!(field_schema(color, "name").kind, SchemaType::String);

    assert_eq!(get(value, "fullName"), &Value::from("John Doe"));
    let pets = items(get(value, "petObjects"));
    assert_eq!(pets.len(), 2);
    assert_eq!(member(&pets[0], pet, "type"), &Value::from("dog"));
    assert!(items(member(&pets[0], pet, "colors")).is_empty());
    assert_eq!(member(&pets[1], pet, "type"), &Value::from("cat"));
    let colors = items(member(&pets[1], pet, "colors"));
    assert_eq!(colors.len(), 1);
    assert_eq!(member(&colors[0], color, "name"), &Value::from("white"));
}

#[test]
fn should_expand_json_payload_with_empty_array_and_remove_that_array() {
    let out = routed(
        &mut expanding(),
        with_payload(r#"{"fullName": "John Doe", "petObjects": [{"type": "dog", "colors": []}]}"#),
    );
    let value = value(&out);
    assert_eq!(value.schema.fields.len(), 2);
    let pet = field_schema(&value.schema, "petObjects")
        .items
        .as_ref()
        .unwrap();
    assert_eq!(pet.fields.len(), 1);
    assert_eq!(field_schema(pet, "type").kind, SchemaType::String);
    let pets = items(get(value, "petObjects"));
    assert_eq!(pets, [Value::Struct(vec![Value::from("dog")])]);
}

#[test]
fn should_not_expand_json_payload_if_not_configured() {
    let json = r#"{"fullName": "John Doe", "rating": 4.9, "age": 42}"#;
    let out = routed(&mut router(&[]), with_payload(json));
    assert_eq!(value(&out).schema.kind, SchemaType::String);
    assert_eq!(value(&out).value, Value::from(json));
}

#[test]
fn can_expand_json_payload_with_additional_field_in_envelope() {
    let mut router = router(&[
        ("table.expand.json.payload", "true"),
        ("table.fields.additional.placement", "type:envelope"),
    ]);
    let out = routed(&mut router, with_payload(r#"{"fullName": "John Doe"}"#));
    let value = value(&out);
    assert_eq!(value.schema.kind, SchemaType::Struct);
    assert_eq!(value.schema.fields.len(), 2);
    assert_eq!(field_schema(&value.schema, "type").kind, SchemaType::String);
    let payload_schema = field_schema(&value.schema, "payload");
    assert_eq!(payload_schema.kind, SchemaType::Struct);
    assert_eq!(payload_schema.fields.len(), 1);
    assert_eq!(
        field_schema(payload_schema, "fullName").kind,
        SchemaType::String
    );
    assert_eq!(get(value, "type"), &Value::from("UserCreated"));
    assert_eq!(
        get(value, "payload"),
        &Value::Struct(vec![Value::from("John Doe")])
    );
}

#[test]
fn can_expand_json_array_with_first_element_null() {
    let out = routed(
        &mut expanding(),
        with_payload(r#"{"fullName": "John Doe", "numbers": [null, 2, 3]}"#),
    );
    let value = value(&out);
    assert_eq!(value.schema.fields.len(), 2);
    let numbers = field_schema(&value.schema, "numbers");
    assert_eq!(numbers.kind, SchemaType::Array);
    assert_eq!(numbers.items.as_ref().unwrap().kind, SchemaType::Int32);
    assert_eq!(
        items(get(value, "numbers")),
        [Value::Null, Value::Int32(2), Value::Int32(3)]
    );
}

#[test]
fn can_expand_json_array_with_complex_elements() {
    let mut router = expanding();
    let first = routed(
        &mut router,
        with_payload(
            r#"{"id":"1028cbab","attributes":[{"id":"10911586","adr":null,"eans":[{"code":"2007000013656","createdAt":"2022-06-08T11:33:16.465Z"}],"purchaseBusinessStatus":"BLOCOM","isCanBeReturnToSupplier":false,"purchaseWarehouseStatus":"NONAUT"}]}"#,
        ),
    );
    let second = routed(
        &mut router,
        with_payload(
            r#"{"id":"1028cbab","attributes":[{"id":"10911586","adr":null,"eans":[{"code":"2007000013656","createdAt":"2022-06-08T11:33:16.465Z"},{"code":"2000630108556","createdAt":"2022-06-23T07:57:54.717Z"}],"purchaseBusinessStatus":"BLOCOM","isCanBeReturnToSupplier":false,"purchaseWarehouseStatus":"NONAUT"}]}"#,
        ),
    );
    let eans = |record: &SourceRecord| {
        let value = value(record);
        let attribute = field_schema(&value.schema, "attributes")
            .items
            .as_ref()
            .unwrap();
        items(member(
            &items(get(value, "attributes"))[0],
            attribute,
            "eans",
        ))
        .len()
    };
    assert_eq!(eans(&first), 1);
    assert_eq!(eans(&second), 2);
    assert!(Arc::ptr_eq(&value(&first).schema, &value(&second).schema));
}

#[test]
fn can_set_field_into_the_envelope_with_missing_field() {
    let mut router = router(&[
        (
            "table.fields.additional.placement",
            "nonExistingField:envelope:alias",
        ),
        ("table.field.additional.missing", "ignore"),
    ]);
    let out = routed(&mut router, Row::user_created().record());
    assert_eq!(value(&out).schema.field_index("alias"), None);
    assert_eq!(value(&out).schema.fields.len(), 1);
}

#[test]
fn should_fail_on_missing_field() {
    let mut router = router(&[(
        "table.fields.additional.placement",
        "nonExistingField:envelope:alias",
    )]);
    assert!(router.apply(Row::user_created().record()).is_err());
}

// ---- Beyond the upstream cases ----

#[test]
fn registered_under_its_class_name() {
    assert!(crate::registry::transform("io.debezium.transforms.outbox.EventRouter").is_ok());
    assert!(crate::registry::transform("EventRouter").is_ok());
}

#[test]
fn snapshot_reads_are_routed_and_truncates_fail() {
    let row = Row::user_created();
    let out = routed(&mut router(&[]), row.record_with(Op::Read, row.schema()));
    assert_eq!(&*out.topic, "outbox.event.User");
    assert!(router(&[])
        .apply(row.record_with(Op::Truncate, row.schema()))
        .is_err());
}

#[test]
fn headers_keep_the_existing_ones_then_id_then_placements() {
    let mut record = Row::user_created().record();
    let existing = Header {
        key: "trace".into(),
        value: ConnectData::new(Arc::new(string()), "t-1".into()),
    };
    record.headers.push(existing.clone());
    let mut router = router(&[(
        "table.fields.additional.placement",
        "type:header:eventType,aggregateid:header",
    )]);
    let out = routed(&mut router, record);
    let keys: Vec<_> = out.headers.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(keys, ["trace", "id", "eventType", "aggregateid"]);
    assert_eq!(out.headers[0], existing);
    assert_eq!(out.headers[2].value.value, Value::from("UserCreated"));
    assert_eq!(*out.headers[2].value.schema, string());
}

#[test]
fn a_missing_header_column_fails_unless_ignored() {
    let placement = (
        "table.fields.additional.placement",
        "nope:header,type:header",
    );
    assert!(router(&[placement])
        .apply(Row::user_created().record())
        .is_err());
    for ignore in [
        ("table.field.additional.missing", "ignore"),
        ("table.fields.additional.error.on.missing", "false"),
    ] {
        let out = routed(
            &mut router(&[placement, ignore]),
            Row::user_created().record(),
        );
        let keys: Vec<_> = out.headers.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["id", "type"]);
    }
}

#[test]
fn timestamps_are_converted_to_milliseconds_or_refused() {
    let mut router = router(&[("table.field.event.timestamp", "ts")]);
    let int64 = |name: &str| Schema::of(SchemaType::Int64).named(name).optional();
    let cases = [
        (
            int64("io.debezium.time.MicroTimestamp"),
            Value::Int64(1_700_000_000_123_456),
            Some(1_700_000_000_123),
        ),
        (
            int64("io.debezium.time.NanoTimestamp"),
            Value::Int64(1_700_000_000_123_456_789),
            Some(1_700_000_000_123),
        ),
        (
            int64("io.debezium.time.Timestamp"),
            Value::Null,
            Some(TS_MS),
        ),
        // A null falls back before the type name is looked at.
        (
            Schema::of(SchemaType::Int64).optional(),
            Value::Null,
            Some(TS_MS),
        ),
    ];
    for (schema, ts, expected) in cases {
        let record = Row::user_created().set("ts", schema, ts).record();
        assert_eq!(routed(&mut router, record).timestamp, expected);
    }
    let refused = [
        (Schema::of(SchemaType::Int64), Value::Int64(1)),
        (
            int64("org.apache.kafka.connect.data.Timestamp"),
            Value::Int64(1),
        ),
        (
            string().named("io.debezium.time.ZonedTimestamp"),
            "2026-01-01T00:00:00Z".into(),
        ),
        (string().optional(), Value::Null),
    ];
    for (schema, ts) in refused {
        let record = Row::user_created().set("ts", schema.clone(), ts).record();
        assert!(router.apply(record).is_err(), "{schema:?} accepted");
    }
    assert!(router
        .apply(Row::user_created().record())
        .unwrap_err()
        .0
        .contains("Unable to find timestamp field ts"));
}

#[test]
fn the_partition_column_must_be_int32_and_may_be_null() {
    let mut router = router(&[("table.fields.additional.placement", "p:partition")]);
    let null = Row::user_created().set("p", Schema::of(SchemaType::Int32).optional(), Value::Null);
    assert_eq!(routed(&mut router, null.record()).partition, None);
    let long = Row::user_created().set("p", Schema::of(SchemaType::Int64), Value::Int64(1));
    assert!(router.apply(long.record()).is_err());
}

#[test]
fn the_topic_follows_a_custom_regex_and_the_raw_value_when_unmatched() {
    let mut router = router(&[
        ("route.topic.regex", "(?<type>[A-Z][a-z]+)"),
        ("route.topic.replacement", "events.${type}s"),
    ]);
    assert_eq!(
        &*routed(&mut router, Row::user_created().record()).topic,
        "events.Users"
    );
    let other = Row::new(EVENT_ID, "X", "1", "order-line", "{}");
    assert_eq!(&*routed(&mut router, other.record()).topic, "order-line");
    let null_route = Row::user_created().set("aggregatetype", string().optional(), Value::Null);
    assert!(router.apply(null_route.record()).is_err());
}

#[test]
fn blank_strings_are_empty_payloads_but_empty_bytes_are_not() {
    let mut router = router(&[("route.tombstone.on.empty.payload", "true")]);
    assert_eq!(routed(&mut router, with_payload(" \t\n")).value, None);
    let bytes = Row::user_created().set(
        "payload",
        Schema::of(SchemaType::Bytes),
        Value::Bytes(Vec::new()),
    );
    assert!(routed(&mut router, bytes.record()).value.is_some());
}

#[test]
fn a_payload_that_cannot_be_expanded_stays_a_string_with_its_schema() {
    let mut router = expanding();
    for text in [
        "not json",
        " {\"a\": 1}",
        "{\"a\": ",
        "[1, 2]",
        "{\"a\": [1, \"x\"]}",
    ] {
        let out = routed(&mut router, with_payload(text));
        assert_eq!(*value(&out).schema, string(), "{text}");
        assert_eq!(value(&out).value, Value::from(text));
    }
    let bytes = Row::user_created().set(
        "payload",
        Schema::of(SchemaType::Bytes),
        Value::Bytes(b"{}".to_vec()),
    );
    assert_eq!(
        value(&routed(&mut router, bytes.record())).schema.kind,
        SchemaType::Bytes
    );
}

#[test]
fn the_same_input_schema_gives_the_same_value_schema() {
    let mut router = router(&[(
        "table.fields.additional.placement",
        "type:envelope:eventType",
    )]);
    let row = Row::user_created().named("dbserver1.public.outbox.Value");
    let schema = row.schema();
    let first = routed(&mut router, row.record_with(Op::Create, schema.clone()));
    let second = routed(&mut router, row.record_with(Op::Create, schema.clone()));
    assert!(Arc::ptr_eq(&value(&first).schema, &value(&second).schema));
    assert_eq!(
        value(&first).schema.name.as_deref(),
        Some("dbserver1.public.outbox.User.Value")
    );
    assert!(!value(&first).schema.optional);
    // Debezium caches by payload schema alone, so the first routed value names it.
    let order = Row::new(EVENT_ID, "OrderCreated", "1", "Order", "{}")
        .named("dbserver1.public.outbox.Value");
    let third = routed(&mut router, order.record_with(Op::Create, schema));
    assert_eq!(&*third.topic, "outbox.event.Order");
    assert!(Arc::ptr_eq(&value(&first).schema, &value(&third).schema));
}

/// The PostgreSQL outbox table of Debezium's documentation, as Ferrium's PostgreSQL
/// source emits it: `id uuid`, `aggregatetype`, `aggregateid`, `type` varchar not
/// null, `payload jsonb`, with `type` placed in a header.
#[test]
fn postgres_outbox_example() {
    let uuid = Schema::of(SchemaType::String)
        .named("io.debezium.data.Uuid")
        .version(1);
    let json = Schema::of(SchemaType::String)
        .named("io.debezium.data.Json")
        .version(1)
        .optional();
    let payload = r#"{"id": 1, "customerId": 123}"#;
    let row = Row::empty()
        .named("dbserver1.public.outbox.Value")
        .set(
            "id",
            uuid.clone(),
            "406c07f3-26f0-4eea-a50c-109940064b8f".into(),
        )
        .set("aggregatetype", string(), "Order".into())
        .set("aggregateid", string(), "1".into())
        .set("type", string(), "OrderCreated".into())
        .set("payload", json.clone(), payload.into());
    let mut router = router(&[("table.fields.additional.placement", "type:header:eventType")]);
    let out = routed(&mut router, row.record());
    assert_eq!(&*out.topic, "outbox.event.Order");
    assert_eq!(out.partition, None);
    assert_eq!(
        out.key,
        Some(ConnectData::new(Arc::new(string()), "1".into()))
    );
    assert_eq!(
        out.value,
        Some(ConnectData::new(Arc::new(json), payload.into()))
    );
    assert_eq!(out.timestamp, Some(TS_MS));
    assert_eq!(
        out.headers,
        [
            Header {
                key: "id".into(),
                value: ConnectData::new(
                    Arc::new(uuid),
                    "406c07f3-26f0-4eea-a50c-109940064b8f".into()
                ),
            },
            Header {
                key: "eventType".into(),
                value: ConnectData::new(Arc::new(string()), "OrderCreated".into()),
            },
        ]
    );
}

#[test]
fn a_version_cached_for_another_payload_shape_does_not_fit() {
    // Debezium caches versioned value schemas by version alone, so a second payload
    // shape under the same version fails Struct.put.
    let mut router = router(&[
        ("table.expand.json.payload", "true"),
        ("table.field.event.schema.version", "version"),
        ("table.fields.additional.placement", "type:envelope"),
    ]);
    let event = |payload: &str| {
        Row::new(EVENT_ID, "UserCreated", "1", "User", payload)
            .set("version", Schema::of(SchemaType::Int32), Value::Int32(1))
            .record()
    };
    routed(&mut router, event(r#"{"a": 1}"#));
    routed(&mut router, event(r#"{"a": 2}"#));
    assert!(router.apply(event(r#"{"b": "x"}"#)).is_err());
}
