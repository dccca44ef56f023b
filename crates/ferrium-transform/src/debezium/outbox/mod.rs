//! `io.debezium.transforms.outbox.EventRouter`: turns the change events of an outbox
//! table into the events the application wrote there. Inserts (and snapshot reads)
//! become a record on `outbox.event.<aggregatetype>` keyed by `aggregateid`, whose
//! value is the `payload` column (or a struct of it and the `envelope` placements),
//! with the event `id` and any `header` placements as headers, and the envelope's
//! `ts_ms` (or a timestamp column) as the record timestamp. Deletes are dropped,
//! updates dropped with a log line or refused, tombstones dropped, and records that
//! are not change events (heartbeats, transaction metadata, schema changes) pass.

mod json_data;
mod json_expand;
mod json_schema;
mod options;
mod routing;
mod row;
#[cfg(test)]
mod tests;
mod timestamp;
mod value_schema;

use std::sync::Arc;

use ferrium_event::change::ENVELOPE_SUFFIX;
use ferrium_event::{
    struct_field, take_field, ConnectData, Header, Schema, SchemaType, SourceRecord, Value,
};

use crate::{ConfigProblem, Props, Transform, TransformError};

use json_expand::JsonExpander;
use options::{InvalidOpBehavior, Options, Placement};
use routing::TopicRouter;
use row::OutboxRow;
use value_schema::{SchemaInputs, ValueSchemas, PAYLOAD_FIELD};

pub struct EventRouter {
    options: Options,
    router: TopicRouter,
    value_schemas: ValueSchemas,
    /// Present with `table.expand.json.payload=true`.
    expander: Option<JsonExpander>,
    envelope_fields: bool,
}

impl EventRouter {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let options = Options::from_props(props)?;
        let router = TopicRouter::new(props, &options.route_regex, &options.route_replacement)?;
        Ok(EventRouter {
            expander: options.expand_json.then(|| JsonExpander::new(options.json)),
            envelope_fields: options.has_envelope_fields(),
            router,
            value_schemas: ValueSchemas::default(),
            options,
        })
    }

    fn unexpected_update(
        &self,
        record: &SourceRecord,
    ) -> Result<Option<SourceRecord>, TransformError> {
        match self.options.invalid_op {
            InvalidOpBehavior::Warn => {
                tracing::warn!(topic = %record.topic, "Unexpected update message received and ignored")
            }
            InvalidOpBehavior::Error => {
                tracing::error!(topic = %record.topic, "Unexpected update message received and ignored")
            }
            InvalidOpBehavior::Fatal => {
                return Err(TransformError::new(format!(
                    "Unexpected update message received on '{}', fail.",
                    record.topic
                )))
            }
        }
        Ok(None)
    }

    /// An insert or read of an outbox row, as the event it carries.
    fn route(
        &mut self,
        mut record: SourceRecord,
        mut envelope: ConnectData,
    ) -> Result<SourceRecord, TransformError> {
        let mut after = take_field(&mut envelope, "after")
            .ok_or_else(|| TransformError::new("Unknown field: after"))?;
        let Value::Struct(values) = &after.value else {
            return Err(TransformError::new(
                "Only Struct objects supported for [Read Outbox Event], found: null",
            ));
        };
        let row = OutboxRow {
            schema: &after.schema,
            values,
        };
        let o = &self.options;
        let payload_index = after.schema.field_index(&o.payload).ok_or_else(|| {
            TransformError::new(format!(
                "Unable to find payload field {} in event",
                o.payload
            ))
        })?;
        let column_payload_schema = &after.schema.fields[payload_index].schema;
        let timestamp = timestamp::event_timestamp(o.timestamp.as_deref(), &row, &envelope)?;

        let (id_schema, id) = row.require(&o.event_id)?;
        record.headers.push(Header {
            key: "id".to_string(),
            value: ConnectData::new(id_schema.clone(), id.clone()),
        });

        let expanded = values.get(payload_index).and_then(|payload| {
            expand_payload(self.expander.as_mut(), &o.payload, &record.topic, payload)
        });
        let payload_schema = expanded
            .as_ref()
            .map_or_else(|| column_payload_schema.clone(), |d| d.schema.clone());

        let routed = row.require_string(&o.route_by)?;
        let value_schema = if self.envelope_fields {
            let version = o
                .schema_version
                .as_deref()
                .map(|column| row.optional_int32(column))
                .transpose()?;
            let inputs = SchemaInputs {
                payload: &payload_schema,
                row: &after.schema,
                routed,
                additional: &o.additional,
                ignore_missing: o.ignore_missing_additional,
            };
            Some(self.value_schemas.get(&inputs, version)?)
        } else {
            None
        };

        let mut partition = None;
        let mut placed_in_envelope = Vec::new();
        for placed in &o.additional {
            let Some((schema, value)) = row.column(&placed.column) else {
                if o.ignore_missing_additional {
                    continue;
                }
                return Err(TransformError::new(format!(
                    "{} is not a valid field name",
                    placed.column
                )));
            };
            match placed.placement {
                Placement::Envelope => {
                    placed_in_envelope.push((&placed.alias, schema.clone(), value.clone()))
                }
                Placement::Header => record.headers.push(Header {
                    key: placed.alias.clone(),
                    value: ConnectData::new(schema.clone(), value.clone()),
                }),
                Placement::Partition => partition = row.optional_int32(&placed.column)?,
            }
        }

        let (key_schema, key) = row.require(&o.event_key)?;
        let key = ConnectData::new(key_schema.clone(), key.clone());
        let topic = self.router.topic(routed);

        // Everything else is copied out, so the payload, the big column, can move.
        let payload = match expanded {
            Some(data) => data.value,
            None => match &mut after.value {
                Value::Struct(values) => values
                    .get_mut(payload_index)
                    .map_or(Value::Null, |v| std::mem::replace(v, Value::Null)),
                _ => Value::Null,
            },
        };
        let is_empty = match &payload {
            Value::Null => true,
            // Only a string can print as blank in Java (`toString().trim()`).
            Value::String(s) => s.chars().all(|c| c <= ' '),
            _ => false,
        };
        let value = match value_schema {
            None => ConnectData::new(payload_schema, payload),
            Some(schema) => envelope_value(schema, &payload_schema, payload, placed_in_envelope)?,
        };

        record.topic = topic;
        record.partition = partition;
        record.key = Some(key);
        record.value = (!(is_empty && o.tombstone_on_empty_payload)).then_some(value);
        record.timestamp = timestamp;
        Ok(record)
    }
}

/// With `table.expand.json.payload`, a string payload as a struct; `None` keeps the
/// payload as it is (expansion off, a null, or a payload that cannot be expanded).
fn expand_payload(
    expander: Option<&mut JsonExpander>,
    column: &str,
    topic: &str,
    payload: &Value,
) -> Option<ConnectData> {
    let expander = expander?;
    match payload {
        Value::String(text) => match expander.expand(column, text) {
            Ok(data) => Some(data),
            Err(reason) => {
                tracing::warn!(
                    topic,
                    "JSON expansion failed, the payload stays a string: {reason}"
                );
                None
            }
        },
        // A null payload is a potential tombstone, not a reason to warn.
        Value::Null => None,
        _ => {
            tracing::warn!(
                topic,
                "Expand JSON payload is turned on but payload is not a string"
            );
            None
        }
    }
}

/// The struct value of `payload` and the `envelope` placements.
fn envelope_value(
    schema: Arc<Schema>,
    payload_schema: &Arc<Schema>,
    payload: Value,
    placed: Vec<(&String, Arc<Schema>, Value)>,
) -> Result<ConnectData, TransformError> {
    let mut fields = vec![Value::Null; schema.fields.len()];
    put(&schema, &mut fields, PAYLOAD_FIELD, payload_schema, payload)?;
    for (alias, column_schema, value) in placed {
        put(&schema, &mut fields, alias, &column_schema, value)?;
    }
    Ok(ConnectData::new(schema, Value::Struct(fields)))
}

/// `Struct.put` into a cached value schema, which (cached by payload schema or
/// version alone) may come from another row shape: the field must exist and the value
/// must fit it.
fn put(
    schema: &Schema,
    fields: &mut [Value],
    name: &str,
    value_schema: &Arc<Schema>,
    value: Value,
) -> Result<(), TransformError> {
    let index = schema
        .field_index(name)
        .ok_or_else(|| TransformError::new(format!("{name} is not a valid field name")))?;
    let target = &schema.fields[index].schema;
    let fits = Arc::ptr_eq(value_schema, target)
        || **value_schema == **target
        || if value.is_null() {
            target.optional
        } else {
            value_schema.kind == target.kind
                && !matches!(
                    target.kind,
                    SchemaType::Struct | SchemaType::Array | SchemaType::Map
                )
        };
    if !fits {
        return Err(TransformError::new(format!(
            "the value of '{name}' does not fit the cached value schema {}",
            schema.name.as_deref().unwrap_or("")
        )));
    }
    fields[index] = value;
    Ok(())
}

/// The `op` of an envelope (`Struct.getString("op")`).
fn op_code(envelope: &ConnectData) -> Result<&str, TransformError> {
    if !matches!(envelope.value, Value::Struct(_)) {
        return Err(TransformError::new(
            "Only Struct objects supported for [Detect Debezium Operation]",
        ));
    }
    let op = struct_field(&envelope.schema, &envelope.value, "op")
        .ok_or_else(|| TransformError::new("op is not a valid field name"))?;
    match op.value {
        Value::String(code) if op.schema.kind == SchemaType::String => Ok(code),
        _ => Err(TransformError::new("the envelope's op is not a string")),
    }
}

impl Transform for EventRouter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(value) = record.value.take() else {
            tracing::debug!(topic = %record.topic, "Tombstone message ignored");
            return Ok(None);
        };
        // Debezium tells change events by the schema name alone (`SmtManager.isValidEnvelope`).
        if !value
            .schema
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with(ENVELOPE_SUFFIX))
        {
            record.value = Some(value);
            return Ok(Some(record));
        }
        match op_code(&value)? {
            "d" => {
                tracing::debug!(topic = %record.topic, "Delete message ignored");
                Ok(None)
            }
            "u" => self.unexpected_update(&record),
            _ => self.route(record, value).map(Some),
        }
    }
}
