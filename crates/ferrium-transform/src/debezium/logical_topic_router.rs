//! `ToLogicalTopicRouter` and its deprecated name `ByLogicalTableRouter`: send the
//! events of several physical tables (shards) to one logical topic. A topic that fully
//! matches `topic.regex` becomes `topic.replacement`; the key schema is renamed to
//! `<topic>.Key` and, with `key.enforce.uniqueness`, gains a string field naming the
//! physical source (the old topic, or `key.field.regex`/`key.field.replacement` of it);
//! a change event's envelope becomes `<topic>.Envelope` with `before`/`after` as
//! `<topic>.Value`. Tombstones and other records (heartbeats, schema changes,
//! transaction metadata) get the new topic and key only.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::schema_name_adjuster::{SchemaNameAdjuster, MODES};
use crate::java_regex::JavaPattern;
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};

/// The key field name of `ToLogicalTopicRouter`.
pub const SOURCE_IDENTIFIER_FIELD: &str = "__dbz__sourceIdentifier";
/// The key field name the deprecated `ByLogicalTableRouter` keeps by default.
pub const PHYSICAL_TABLE_IDENTIFIER_FIELD: &str = "__dbz__physicalTableIdentifier";

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
mod tests;
