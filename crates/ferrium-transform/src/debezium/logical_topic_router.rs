//! `ToLogicalTopicRouter` and its deprecated name `ByLogicalTableRouter`: send the
//! events of several physical tables (shards) to one logical topic. A topic that fully
//! matches `topic.regex` becomes `topic.replacement`; the key schema is renamed to
//! `<topic>.Key` and, with `key.enforce.uniqueness`, gains a string field naming the
//! physical source (the old topic, or `key.field.regex`/`key.field.replacement` of it);
//! a change event's envelope becomes `<topic>.Envelope` with `before`/`after` as
//! `<topic>.Value`. Tombstones and other records (heartbeats, schema changes,
//! transaction metadata) get the new topic and key only.

mod java_replacement;
mod schema_name_adjuster;

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
use regex::Regex;

use crate::schema_cache::SchemaCache;
use crate::{java_regex, ConfigProblem, Props, Transform, TransformError};
use schema_name_adjuster::{SchemaNameAdjuster, MODES};

/// The key field name of `ToLogicalTopicRouter`.
pub const SOURCE_IDENTIFIER_FIELD: &str = "__dbz__sourceIdentifier";
/// The key field name the deprecated `ByLogicalTableRouter` keeps by default.
pub const PHYSICAL_TABLE_IDENTIFIER_FIELD: &str = "__dbz__physicalTableIdentifier";

/// A pattern as Java's `Matcher.matches()` then `replaceFirst` use it: the whole input
/// must match, but the replacement applies to the first match found from the start,
/// which for an alternation such as `a|ab` is not the whole input.
struct JavaPattern {
    whole: Regex,
    first: Regex,
    replacement: String,
}

impl JavaPattern {
    /// `option` names the pattern, `replacement_option` the replacement.
    fn new(
        props: &Props,
        (option, pattern): (&str, &str),
        (replacement_option, replacement): (&str, &str),
    ) -> Result<Self, ConfigProblem> {
        let compile = |p: Result<Regex, String>| p.map_err(|e| props.problem(option, e));
        let first = compile(java_regex::compile(pattern))?;
        let replacement = java_replacement::translate(replacement, &first).map_err(|e| {
            props.problem(
                replacement_option,
                format!("'{replacement}' cannot be used with '{pattern}': {e}"),
            )
        })?;
        Ok(JavaPattern {
            whole: compile(java_regex::compile_full(pattern))?,
            first,
            replacement,
        })
    }

    fn replace_if_matches(&self, input: &str) -> Option<String> {
        self.whole.is_match(input).then(|| {
            self.first
                .replacen(input, 1, self.replacement.as_str())
                .into_owned()
        })
    }
}

/// Where one physical topic goes: the logical topic, and the identifier its keys carry.
#[derive(Clone)]
struct Route {
    topic: Arc<str>,
    identifier: String,
}

pub struct LogicalTopicRouter {
    topic: JavaPattern,
    key_field: Option<JavaPattern>,
    enforce_uniqueness: bool,
    key_field_name: String,
    adjuster: SchemaNameAdjuster,
    /// Routes by physical topic (`None`: the topic is not routed), bounded by
    /// `logical.destination.cache.size` as Debezium's LRU caches are.
    routes: HashMap<Arc<str>, Option<Route>>,
    route_capacity: usize,
    key_schemas: SchemaCache,
    envelope_schemas: SchemaCache,
}

impl LogicalTopicRouter {
    /// `io.debezium.transforms.ToLogicalTopicRouter`.
    pub fn to_logical_topic(props: &Props) -> Result<Self, ConfigProblem> {
        let cache_size = cache_size(props, "logical.destination.cache.size")?;
        LogicalTopicRouter::new(props, SOURCE_IDENTIFIER_FIELD, cache_size)
    }

    /// `io.debezium.transforms.ByLogicalTableRouter`: its own key field name, and the
    /// legacy `logical.table.cache.size` when the new option is not given.
    pub fn by_logical_table(props: &Props) -> Result<Self, ConfigProblem> {
        tracing::warn!(
            "io.debezium.transforms.ByLogicalTableRouter is deprecated; Debezium asks for io.debezium.transforms.ToLogicalTopicRouter instead"
        );
        let cache_size = match props.get("logical.destination.cache.size") {
            None if props.get("logical.table.cache.size").is_some() => {
                cache_size(props, "logical.table.cache.size")?
            }
            _ => cache_size(props, "logical.destination.cache.size")?,
        };
        LogicalTopicRouter::new(props, PHYSICAL_TABLE_IDENTIFIER_FIELD, cache_size)
    }

    fn new(props: &Props, default_key_field: &str, cache_size: i32) -> Result<Self, ConfigProblem> {
        let topic = JavaPattern::new(
            props,
            ("topic.regex", props.required("topic.regex")?),
            ("topic.replacement", props.required("topic.replacement")?),
        )?;
        let key_field = match props.get("key.field.regex").filter(|r| !r.is_empty()) {
            None => None,
            Some(regex) => {
                let replacement = props
                    .get("key.field.replacement")
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| {
                        props.problem(
                            "key.field.replacement",
                            "must be non-empty if key.field.regex is set",
                        )
                    })?;
                Some(JavaPattern::new(
                    props,
                    ("key.field.regex", regex),
                    ("key.field.replacement", replacement),
                )?)
            }
        };
        let mode = props.choice("schema.name.adjustment.mode", MODES, "none")?;
        Ok(LogicalTopicRouter {
            topic,
            key_field,
            enforce_uniqueness: props.bool("key.enforce.uniqueness", true)?,
            key_field_name: props.string("key.field.name", default_key_field),
            adjuster: SchemaNameAdjuster::new(mode),
            routes: HashMap::new(),
            route_capacity: usize::try_from(cache_size).unwrap_or(0),
            key_schemas: SchemaCache::new(),
            envelope_schemas: SchemaCache::new(),
        })
    }

    fn route(&mut self, topic: &Arc<str>) -> Option<Route> {
        if let Some(route) = self.routes.get(topic) {
            return route.clone();
        }
        let route = self.compute_route(topic);
        if self.route_capacity > 0 {
            if self.routes.len() >= self.route_capacity {
                self.routes.clear();
            }
            self.routes.insert(topic.clone(), route.clone());
        }
        route
    }

    fn compute_route(&self, topic: &str) -> Option<Route> {
        let new_topic = self.topic.replace_if_matches(topic)?;
        if new_topic.is_empty() {
            tracing::warn!(
                topic,
                "topic.regex/topic.replacement give an empty topic name; the record keeps its topic"
            );
            return None;
        }
        let identifier = self
            .key_field
            .as_ref()
            .and_then(|p| p.replace_if_matches(topic))
            .unwrap_or_else(|| topic.to_string());
        Some(Route {
            topic: new_topic.into(),
            identifier,
        })
    }

    fn rewrite_key(
        &mut self,
        key: ConnectData,
        topic: &str,
        identifier: String,
    ) -> Result<ConnectData, TransformError> {
        let Value::Struct(mut values) = key.value else {
            return Err(not_a_struct("key", &key.schema));
        };
        let (adjuster, field_name, enforce) = (
            &mut self.adjuster,
            &self.key_field_name,
            self.enforce_uniqueness,
        );
        // Cached by the old schema alone, as Debezium's cache is.
        let schema = self.key_schemas.get_or_insert(&key.schema, |old| {
            let mut schema = renamed_copy(old, adjuster.adjust(&format!("{topic}.Key"))?);
            if enforce {
                if old.field_index(field_name).is_some() {
                    return Err(format!(
                        "the key already has a field '{field_name}'; set key.field.name to another name"
                    ));
                }
                schema = schema.field(field_name.as_str(), Schema::of(SchemaType::String));
            }
            Ok(schema)
        });
        let schema = schema.map_err(TransformError::new)?;
        if self.enforce_uniqueness {
            values.push(Value::String(identifier));
        }
        Ok(ConnectData::new(schema, Value::Struct(values)))
    }

    fn rewrite_envelope(
        &mut self,
        envelope: ConnectData,
        topic: &str,
    ) -> Result<ConnectData, TransformError> {
        let Value::Struct(values) = &envelope.value else {
            return Err(not_a_struct("value", &envelope.schema));
        };
        // The rows keep their values: only the schema of `before`/`after` is renamed.
        for image in ["before", "after"] {
            if let Some(index) = envelope.schema.field_index(image) {
                if !matches!(
                    values.get(index),
                    None | Some(Value::Null | Value::Struct(_))
                ) {
                    return Err(TransformError::new(format!(
                        "the envelope's '{image}' is not a struct"
                    )));
                }
            }
        }
        let adjuster = &mut self.adjuster;
        let schema = self
            .envelope_schemas
            .get_or_insert(&envelope.schema, |old| {
                renamed_envelope(old, topic, adjuster)
            })
            .map_err(TransformError::new)?;
        Ok(ConnectData::new(schema, envelope.value))
    }
}

impl Transform for LogicalTopicRouter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(Route { topic, identifier }) = self.route(&record.topic) else {
            return Ok(Some(record));
        };
        record.key = match record.key.take() {
            // A key whose value is null is no key (a table without a primary key).
            Some(key) if !key.value.is_null() => Some(self.rewrite_key(key, &topic, identifier)?),
            _ => None,
        };
        record.value = match record.value.take() {
            Some(value) if is_envelope_name(&value.schema) && !value.value.is_null() => {
                Some(self.rewrite_envelope(value, &topic)?)
            }
            other => other,
        };
        record.topic = topic;
        Ok(Some(record))
    }
}

/// Debezium's envelope test here is by name alone (`SmtManager.isValidEnvelope`).
fn is_envelope_name(schema: &Schema) -> bool {
    schema
        .name
        .as_deref()
        .is_some_and(|n| n.ends_with(ferrium_event::change::ENVELOPE_SUFFIX))
}

fn cache_size(props: &Props, option: &str) -> Result<i32, ConfigProblem> {
    let size = props.int(option, 16)?;
    i32::try_from(size).map_err(|_| props.problem(option, format!("'{size}' is not an integer")))
}

fn not_a_struct(what: &str, schema: &Schema) -> TransformError {
    TransformError::new(format!(
        "only struct {what}s can be rerouted, found a {}",
        schema.kind.json_name()
    ))
}

/// A struct schema with the version, doc, parameters, optionality and fields of `old`
/// under a new name; like Debezium's copy, it drops any default.
fn renamed_copy(old: &Schema, name: String) -> Schema {
    let mut schema = Schema::record(name).with_optional(old.optional);
    schema.version = old.version;
    schema.doc = old.doc.clone();
    schema.parameters = old.parameters.clone();
    schema.fields = old.fields.clone();
    schema
}

fn renamed_envelope(
    old: &Schema,
    topic: &str,
    adjuster: &mut SchemaNameAdjuster,
) -> Result<Schema, String> {
    // `before` gives the row schema; MongoDB's envelope has only `after`.
    let row = old
        .fields
        .iter()
        .find(|f| f.name == "before")
        .or_else(|| old.fields.iter().find(|f| f.name == "after"));
    let row = match row {
        Some(field) if field.schema.kind != SchemaType::Struct => {
            return Err(format!(
                "the envelope's '{}' schema is not a struct",
                field.name
            ));
        }
        Some(field) => Some(Arc::new(renamed_copy(
            &field.schema,
            adjuster.adjust(&format!("{topic}.Value"))?,
        ))),
        None => None,
    };
    let mut envelope = renamed_copy(old, adjuster.adjust(&format!("{topic}.Envelope"))?);
    if let Some(row) = row {
        for field in &mut envelope.fields {
            if field.name == "before" || field.name == "after" {
                field.schema = row.clone();
            }
        }
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
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
        let mut router =
            LogicalTopicRouter::to_logical_topic(&props_of(&shard_props("none"))).unwrap();
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
        let source =
            Arc::new(Schema::record("source").field("table", Schema::of(SchemaType::String)));
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
}
