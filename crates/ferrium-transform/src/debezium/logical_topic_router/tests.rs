//! The cases of Debezium's ToLogicalTopicRouterTest and ByLogicalTableRouterTest, and
//! the record kinds that pass.

use super::*;
use ferrium_event::envelope::{Envelope, ProcessingTime};
use ferrium_event::metadata::MetadataRecords;
use ferrium_event::{ChangeEvent, Op};

fn router(pairs: &[(&str, &str)]) -> LogicalTopicRouter {
    LogicalTopicRouter::to_logical_topic(&Props::of(pairs)).unwrap()
}

fn key(schema: &Arc<Schema>, id: i64) -> Option<ConnectData> {
    Some(ConnectData::new(
        schema.clone(),
        Value::Struct(vec![Value::Int64(id)]),
    ))
}

fn id_key_schema(name: &str) -> Arc<Schema> {
    Arc::new(Schema::record(name).field("id", Schema::of(SchemaType::Int64)))
}

fn shard_props(mode: &str) -> Vec<(&'static str, String)> {
    vec![
        ("topic.regex", "(.*)customers_shard(.*)".into()),
        ("topic.replacement", "$1customers_all_shards".into()),
        ("key.field.name", "shard_id".into()),
        ("key.field.regex", "(.*)customers_shard_(.*)".into()),
        ("key.field.replacement", "$2".into()),
        ("schema.name.adjustment.mode", mode.into()),
    ]
}

fn props_of(pairs: &[(&'static str, String)]) -> Props {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Props::of(&pairs)
}

fn key_field(record: &SourceRecord, name: &str) -> Value {
    let key = record.key.as_ref().unwrap();
    let index = key.schema.field_index(name).unwrap();
    match &key.value {
        Value::Struct(values) => values[index].clone(),
        other => panic!("not a struct: {other:?}"),
    }
}

fn field_names(schema: &Schema) -> Vec<&str> {
    schema.fields.iter().map(|f| f.name.as_str()).collect()
}

fn configure_error(pairs: &[(&str, &str)]) -> ConfigProblem {
    match LogicalTopicRouter::to_logical_topic(&Props::of(pairs)) {
        Ok(_) => panic!("configured"),
        Err(e) => e,
    }
}

#[test]
fn a_key_field_regex_needs_a_non_empty_replacement() {
    let base = [
        ("topic.regex", "someValidRegex(.*)"),
        ("topic.replacement", "$1"),
        (
            "key.field.regex",
            "If this is set, key.field.replacement must be non-empty",
        ),
    ];
    assert!(configure_error(&base).0.contains("'key.field.replacement'"));
    let mut empty = base.to_vec();
    empty.push(("key.field.replacement", ""));
    assert!(configure_error(&empty)
        .0
        .contains("'key.field.replacement'"));
}

#[test]
fn the_topic_replacement_is_required_and_non_empty() {
    let err = configure_error(&[("topic.regex", "someValidRegex(.*)")]);
    assert!(err.0.contains("'topic.replacement'"), "{err}");
    let err = configure_error(&[("topic.regex", "x(.*)"), ("topic.replacement", "")]);
    assert!(err.0.contains("'topic.replacement'"), "{err}");
    let err = configure_error(&[("topic.replacement", "x")]);
    assert!(err.0.contains("'topic.regex'"), "{err}");
    let err = configure_error(&[("topic.regex", "(unclosed"), ("topic.replacement", "x")]);
    assert!(err.0.contains("'topic.regex'"), "{err}");
    let err = configure_error(&[
        ("topic.regex", "(.*)"),
        ("topic.replacement", "x"),
        ("schema.name.adjustment.mode", "other"),
    ]);
    assert!(err.0.contains("'schema.name.adjustment.mode'"), "{err}");
    let err = configure_error(&[
        ("topic.regex", "(.*)"),
        ("topic.replacement", "x"),
        ("key.enforce.uniqueness", "yes"),
    ]);
    assert!(err.0.contains("'key.enforce.uniqueness'"), "{err}");
}

fn check_shards(mode: &str, expected_key_schema: &str) {
    check_shards_with(
        LogicalTopicRouter::to_logical_topic,
        mode,
        expected_key_schema,
    );
    check_shards_with(
        LogicalTopicRouter::by_logical_table,
        mode,
        expected_key_schema,
    );
}

fn check_shards_with(
    build: fn(&Props) -> Result<LogicalTopicRouter, ConfigProblem>,
    mode: &str,
    expected_key_schema: &str,
) {
    let mut router = build(&props_of(&shard_props(mode))).unwrap();
    let schema = id_key_schema("mysql-server-1.inventory.customers_shard_1.Key");
    let cases = [
        ("mysql-server-1.inventory.customers_shard_1", 123, "1"),
        ("mysql-server-1.inventory.customers_shard_2", 123, "2"),
        ("mysql-server-1.inventory.customers_shard_2", 456, "2"),
    ];
    let mut key_schemas = Vec::new();
    for (topic, id, shard) in cases {
        let record = SourceRecord::new(topic.into(), key(&schema, id), None);
        let out = router.apply(record).unwrap().unwrap();
        assert_eq!(&*out.topic, "mysql-server-1.inventory.customers_all_shards");
        let key_schema = out.key.as_ref().unwrap().schema.clone();
        assert_eq!(key_schema.name.as_deref(), Some(expected_key_schema));
        assert_eq!(field_names(&key_schema), ["id", "shard_id"]);
        assert!(!key_schema.fields[1].schema.optional);
        assert_eq!(key_field(&out, "id"), Value::Int64(id));
        assert_eq!(key_field(&out, "shard_id"), Value::from(shard));
        assert!(out.value.is_none());
        key_schemas.push(key_schema);
    }
    // One derived schema per input schema.
    assert!(Arc::ptr_eq(&key_schemas[0], &key_schemas[2]));
}

#[test]
fn shards_share_a_topic_with_the_shard_in_the_key_avro_names() {
    check_shards("avro", "mysql_server_1.inventory.customers_all_shards.Key");
}

#[test]
fn shards_share_a_topic_with_the_shard_in_the_key_names_as_given() {
    check_shards("none", "mysql-server-1.inventory.customers_all_shards.Key");
}

#[test]
fn heartbeats_get_the_new_topic_and_key_only() {
    let mut router = router(&[
        ("topic.regex", "__debezium-heartbeat(.*)"),
        ("topic.replacement", "debezium_heartbeat_central"),
        ("key.field.name", "originalTopic"),
    ]);
    for server in ["test_server_name_db", "test_server_name_db_2"] {
        let topic = format!("__debezium-heartbeat.{server}");
        let heartbeat = MetadataRecords::new(server, "t", &topic).heartbeat(5);
        let value = heartbeat.value.clone();
        let out = router.apply(heartbeat).unwrap().unwrap();
        assert_eq!(&*out.topic, "debezium_heartbeat_central");
        let key_schema = &out.key.as_ref().unwrap().schema;
        assert_eq!(
            key_schema.name.as_deref(),
            Some("debezium_heartbeat_central.Key")
        );
        assert_eq!(field_names(key_schema), ["serverName", "originalTopic"]);
        assert_eq!(key_field(&out, "serverName"), Value::from(server));
        assert_eq!(
            key_field(&out, "originalTopic"),
            Value::from(topic.as_str())
        );
        assert_eq!(out.value, value);
    }
}

#[test]
fn a_record_without_key_keeps_no_key() {
    let mut router = LogicalTopicRouter::to_logical_topic(&props_of(&shard_props("none"))).unwrap();
    let record = SourceRecord::new(
        "mysql-server-1.inventory.customers_shard_1".into(),
        None,
        None,
    );
    let out = router.apply(record).unwrap().unwrap();
    assert_eq!(&*out.topic, "mysql-server-1.inventory.customers_all_shards");
    assert!(out.key.is_none());
}

#[test]
fn without_uniqueness_only_the_key_schema_name_changes() {
    let mut router = router(&[
        ("topic.regex", "(.*).dbz_shard_\\d+.(.*)"),
        ("topic.replacement", "dbz_core.$2"),
        ("key.enforce.uniqueness", "false"),
    ]);
    for (topic, key_name) in [
        ("s21.dbz_shard_21.address", "s21.dbz_shard_21.address.Key"),
        ("s22.dbz_shard_22.address", "s22.dbz_shard_22.address.Key"),
    ] {
        let record = SourceRecord::new(topic.into(), key(&id_key_schema(key_name), 123), None);
        let out = router.apply(record).unwrap().unwrap();
        assert_eq!(&*out.topic, "dbz_core.address");
        let key_schema = &out.key.as_ref().unwrap().schema;
        assert_eq!(key_schema.name.as_deref(), Some("dbz_core.address.Key"));
        assert_eq!(field_names(key_schema), ["id"]);
        assert_eq!(key_field(&out, "id"), Value::Int64(123));
    }
}

#[test]
fn schema_change_values_pass_unchanged() {
    let mut router = router(&[
        ("topic.regex", "(.*)"),
        ("topic.replacement", "$1_rerouted"),
    ]);
    let key_schema = Arc::new(
        Schema::record("io.debezium.connector.mysql.SchemaChangeKey")
            .field("databaseName", Schema::of(SchemaType::String)),
    );
    let value_schema = Arc::new(
        Schema::record("io.debezium.connector.mysql.SchemaChangeValue")
            .field("databaseName", Schema::of(SchemaType::String).optional()),
    );
    let value = ConnectData::new(
        value_schema.clone(),
        Value::Struct(vec![Value::from("my-db")]),
    );
    let mut record = SourceRecord::new(
        "schema_changes".into(),
        Some(ConnectData::new(
            key_schema,
            Value::Struct(vec![Value::from("my-db")]),
        )),
        Some(value.clone()),
    );
    record.partition = Some(0);
    record.timestamp = Some(42);
    let out = router.apply(record).unwrap().unwrap();
    assert_eq!(&*out.topic, "schema_changes_rerouted");
    assert_eq!(out.value.as_ref(), Some(&value));
    assert!(Arc::ptr_eq(&out.value.unwrap().schema, &value_schema));
    assert_eq!((out.partition, out.timestamp), (Some(0), Some(42)));
    assert_eq!(
        out.key.unwrap().schema.name.as_deref(),
        Some("schema_changes_rerouted.Key")
    );
}

fn customers_event(op: Op) -> (Arc<Schema>, SourceRecord) {
    let flag = Schema::of(SchemaType::Int16)
        .optional()
        .default_value(serde_json::json!(0));
    let key_schema = Arc::new(
        Schema::record("shard_1.inventory.customers.Key")
            .field("id", Schema::of(SchemaType::Int64))
            .field("flag", flag.clone()),
    );
    let row = Arc::new(
        Schema::record("shard_1.inventory.customers.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("flag", flag)
            .doc("a row")
            .optional(),
    );
    let source = Arc::new(Schema::record("source").field("table", Schema::of(SchemaType::String)));
    let envelope = Envelope::new("shard_1.inventory.customers", row, source);
    let image = Value::Struct(vec![Value::Int64(1), Value::Null]);
    let (before, after) = match op {
        Op::Create => (Value::Null, image),
        Op::Delete => (image, Value::Null),
        _ => (image.clone(), image),
    };
    let value = Envelope::value(
        before,
        after,
        Value::Struct(vec![Value::from("customers")]),
        op,
        ProcessingTime::now(),
        None,
    );
    let record = SourceRecord::new(
        "shard_1.inventory.customers".into(),
        Some(ConnectData::new(
            key_schema,
            Value::Struct(vec![Value::Int64(1), Value::Null]),
        )),
        Some(ConnectData::new(envelope.schema.clone(), value)),
    );
    (envelope.schema, record)
}

#[test]
fn change_events_get_renamed_envelope_and_row_schemas_and_keep_nulls() {
    let mut router = router(&[
        ("topic.regex", "(.+)\\.(.+)\\.(.+)"),
        ("topic.replacement", "$1.$3"),
        ("key.enforce.uniqueness", "false"),
    ]);
    let (envelope_schema, record) = customers_event(Op::Update);
    let original_value = record.value.clone().unwrap().value;
    let out = router.apply(record).unwrap().unwrap();
    assert_eq!(&*out.topic, "shard_1.customers");
    let key = out.key.as_ref().unwrap();
    assert_eq!(key.value, Value::Struct(vec![Value::Int64(1), Value::Null]));
    assert!(key.schema.default.is_none());
    let value = out.value.as_ref().unwrap();
    assert_eq!(value.value, original_value);
    let schema = &value.schema;
    assert_eq!(schema.name.as_deref(), Some("shard_1.customers.Envelope"));
    assert_eq!(schema.version, envelope_schema.version);
    assert_eq!(field_names(schema), field_names(&envelope_schema));
    let change = ChangeEvent::of(value).unwrap();
    for image in [change.before().unwrap(), change.after().unwrap()] {
        assert_eq!(
            image.schema.name.as_deref(),
            Some("shard_1.customers.Value")
        );
        assert!(image.schema.optional);
        assert_eq!(image.schema.doc.as_deref(), Some("a row"));
        assert_eq!(field_names(image.schema), ["id", "flag"]);
        assert_eq!(
            image.value,
            &Value::Struct(vec![Value::Int64(1), Value::Null])
        );
    }
    // `source` and the rest keep their schemas.
    assert!(Arc::ptr_eq(
        &schema.fields[2].schema,
        &envelope_schema.fields[2].schema
    ));
}

#[test]
fn tombstones_and_truncates_get_topic_and_key_only() {
    let mut router = router(&[
        ("topic.regex", "shard_1\\.(.*)"),
        ("topic.replacement", "all.$1"),
    ]);
    let (_, event) = customers_event(Op::Delete);
    let tombstone = SourceRecord::new(event.topic.clone(), event.key.clone(), None);
    let out = router.apply(tombstone).unwrap().unwrap();
    assert_eq!(&*out.topic, "all.inventory.customers");
    assert!(out.value.is_none());
    assert_eq!(
        key_field(&out, SOURCE_IDENTIFIER_FIELD),
        Value::from("shard_1.inventory.customers")
    );

    // A truncate is an envelope with null images and no key: renamed, values kept.
    let (_, mut truncate) = customers_event(Op::Truncate);
    truncate.key = None;
    if let Some(ConnectData {
        value: Value::Struct(values),
        ..
    }) = &mut truncate.value
    {
        values[0] = Value::Null;
        values[1] = Value::Null;
    }
    let out = router.apply(truncate).unwrap().unwrap();
    assert!(out.key.is_none());
    let value = out.value.unwrap();
    assert_eq!(
        value.schema.name.as_deref(),
        Some("all.inventory.customers.Envelope")
    );
    assert_eq!(ChangeEvent::of(&value).unwrap().op(), Some(Op::Truncate));
}

#[test]
fn the_default_key_field_name_differs_by_class() {
    let props = [
        ("topic.regex", "(.*)customers_shard(.*)"),
        ("topic.replacement", "$1customers_all_shards"),
    ];
    let run = |mut router: LogicalTopicRouter| {
        let schema = id_key_schema("server1.inventory.customers_shard_1.Key");
        let record = SourceRecord::new(
            "server1.inventory.customers_shard_1".into(),
            key(&schema, 1),
            None,
        );
        router.apply(record).unwrap().unwrap()
    };
    let out = run(LogicalTopicRouter::to_logical_topic(&Props::of(&props)).unwrap());
    assert_eq!(
        field_names(&out.key.as_ref().unwrap().schema)[1],
        SOURCE_IDENTIFIER_FIELD
    );
    assert_eq!(
        key_field(&out, SOURCE_IDENTIFIER_FIELD),
        Value::from("server1.inventory.customers_shard_1")
    );
    let out = run(LogicalTopicRouter::by_logical_table(&Props::of(&props)).unwrap());
    assert_eq!(
        key_field(&out, PHYSICAL_TABLE_IDENTIFIER_FIELD),
        Value::from("server1.inventory.customers_shard_1")
    );
    let mut explicit = props.to_vec();
    explicit.push(("key.field.name", "custom_source_id"));
    let out = run(LogicalTopicRouter::by_logical_table(&Props::of(&explicit)).unwrap());
    assert_eq!(
        key_field(&out, "custom_source_id"),
        Value::from("server1.inventory.customers_shard_1")
    );
}

#[test]
fn a_mongodb_envelope_without_before_takes_its_row_schema_from_after() {
    let mut router = router(&[
        ("topic.regex", "(.*)shard(.*)"),
        ("topic.replacement", "$1all_shards$2"),
        ("key.enforce.uniqueness", "false"),
    ]);
    let after = Arc::new(
        Schema::record("mongo.mydb.mycollection_shard1.Value")
            .optional()
            .field("_id", Schema::of(SchemaType::String))
            .field("field1", Schema::of(SchemaType::String).optional()),
    );
    let envelope = Arc::new(
        Schema::record("mongo.mydb.mycollection_shard1.Envelope")
            .field("after", after)
            .field("op", Schema::of(SchemaType::String).optional())
            .field("ts_ms", Schema::of(SchemaType::Int64).optional()),
    );
    let key_schema = Arc::new(
        Schema::record("mongo.mydb.mycollection_shard1.Key")
            .field("id", Schema::of(SchemaType::String)),
    );
    let row = Value::Struct(vec![Value::from("abc123"), Value::from("hello")]);
    let record = SourceRecord::new(
        "mongo.mydb.mycollection_shard1".into(),
        Some(ConnectData::new(
            key_schema,
            Value::Struct(vec![Value::from("abc123")]),
        )),
        Some(ConnectData::new(
            envelope,
            Value::Struct(vec![row.clone(), Value::from("c"), Value::Int64(1)]),
        )),
    );
    let out = router.apply(record).unwrap().unwrap();
    assert_eq!(&*out.topic, "mongo.mydb.mycollection_all_shards1");
    let value = out.value.unwrap();
    assert_eq!(
        value.schema.name.as_deref(),
        Some("mongo.mydb.mycollection_all_shards1.Envelope")
    );
    assert!(value.schema.field_index("before").is_none());
    let after = ferrium_event::struct_field(&value.schema, &value.value, "after").unwrap();
    assert_eq!(
        after.schema.name.as_deref(),
        Some("mongo.mydb.mycollection_all_shards1.Value")
    );
    assert_eq!(after.value, &row);
}

#[test]
fn unmatched_topics_and_empty_routes_pass_unchanged() {
    let mut unmatched = router(&[("topic.regex", "other_(.*)"), ("topic.replacement", "$1")]);
    let (_, event) = customers_event(Op::Create);
    let out = unmatched.apply(event.clone()).unwrap().unwrap();
    assert_eq!(out, event);
    // A route to the empty topic name is not taken.
    let mut to_empty = router(&[("topic.regex", "shard_(.*)"), ("topic.replacement", "$1")]);
    let record = SourceRecord::new("shard_".into(), key(&id_key_schema("k"), 1), None);
    assert_eq!(to_empty.apply(record.clone()).unwrap().unwrap(), record);
}

#[test]
fn a_replacement_java_would_fail_on_is_refused() {
    let err = configure_error(&[("topic.regex", "shard_(.*)"), ("topic.replacement", "$2")]);
    assert!(
        err.0.contains("'topic.replacement'") && err.0.contains("No group 2"),
        "{err}"
    );
    let err = configure_error(&[
        ("topic.regex", "(.*)"),
        ("topic.replacement", "x"),
        ("key.field.regex", "(.*)"),
        ("key.field.replacement", "$x"),
    ]);
    assert!(err.0.contains("'key.field.replacement'"), "{err}");
}

#[test]
fn the_replacement_applies_to_the_first_match_as_java_replace_first_does() {
    // `a|ab` matches "ab" as a whole, but replaceFirst replaces only the "a".
    let mut router = router(&[("topic.regex", "a|ab"), ("topic.replacement", "x")]);
    let out = router
        .apply(SourceRecord::new("ab".into(), None, None))
        .unwrap()
        .unwrap();
    assert_eq!(&*out.topic, "xb");
}

#[test]
fn the_legacy_cache_size_is_read_by_the_old_class_only() {
    let base = [("topic.regex", "(.*)"), ("topic.replacement", "x")];
    let mut legacy = base.to_vec();
    legacy.push(("logical.table.cache.size", "many"));
    let err = match LogicalTopicRouter::by_logical_table(&Props::of(&legacy)) {
        Ok(_) => panic!("configured"),
        Err(e) => e,
    };
    assert!(err.0.contains("'logical.table.cache.size'"), "{err}");
    assert!(LogicalTopicRouter::to_logical_topic(&Props::of(&legacy)).is_ok());
    legacy.push(("logical.destination.cache.size", "4"));
    assert!(LogicalTopicRouter::by_logical_table(&Props::of(&legacy)).is_ok());
    let mut zero = base.to_vec();
    zero.push(("logical.destination.cache.size", "0"));
    let mut router = LogicalTopicRouter::to_logical_topic(&Props::of(&zero)).unwrap();
    let out = router
        .apply(SourceRecord::new("t".into(), None, None))
        .unwrap()
        .unwrap();
    assert_eq!(&*out.topic, "x");
}

#[test]
fn both_class_names_are_registered() {
    let props = Props::of(&[("topic.regex", "(.*)"), ("topic.replacement", "x")]);
    for name in [
        "io.debezium.transforms.ToLogicalTopicRouter",
        "io.debezium.transforms.ByLogicalTableRouter",
        "ByLogicalTableRouter",
    ] {
        let class = crate::registry::transform(name).unwrap();
        let mut transform = (class.build)(&props).unwrap();
        let out = transform
            .apply(SourceRecord::new("t".into(), None, None))
            .unwrap();
        assert_eq!(&*out.unwrap().topic, "x");
    }
}

#[test]
fn a_key_that_already_has_the_identifier_field_is_an_error() {
    let mut router = router(&[
        ("topic.regex", "(.*)"),
        ("topic.replacement", "all"),
        ("key.field.name", "id"),
    ]);
    let record = SourceRecord::new("t".into(), key(&id_key_schema("t.Key"), 1), None);
    let err = router.apply(record).unwrap_err();
    assert!(err.0.contains("'id'"), "{err}");
}

#[test]
fn avro_unicode_names_escape_underscores() {
    let mut router = router(&[
        ("topic.regex", "(.*)_shard_\\d+"),
        ("topic.replacement", "$1_all"),
        ("schema.name.adjustment.mode", "avro_unicode"),
    ]);
    let record = SourceRecord::new(
        "db.customers_shard_1".into(),
        key(&id_key_schema("k"), 1),
        None,
    );
    let out = router.apply(record).unwrap().unwrap();
    assert_eq!(&*out.topic, "db.customers_all");
    assert_eq!(
        out.key.unwrap().schema.name.as_deref(),
        Some("db.customers_u005fall.Key")
    );
}
