//! Avro reading, for sinks: Confluent-framed bytes to Connect data, as
//! `AvroConverter.toConnectData` does: the writer schema is fetched by the frame's id
//! (once per id), the body decoded by `apache-avro`, and the Avro value converted by the
//! Connect schema [`super::connect_schema`] derives from the writer schema (once per id,
//! so all records of an id share one `Arc<Schema>`).
//!
//! Avro maps come back with their entries sorted by key: `apache-avro` decodes them into
//! a hash map, whose order is not the written one (Confluent's Java map has none either).

use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as Avro;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};
use tokio_util::sync::CancellationToken;

use super::connect_schema::{read_schema, ReadSchema, Shape};
use super::writer_schemas::unframe;
use super::AvroConverter;
use crate::ConvertFailure;

impl AvroConverter {
    /// The Connect data of framed Avro bytes read from `topic`; `None` (a tombstone or
    /// a null key) stays `None`. A registry that does not answer is waited for, as
    /// writing waits, until it answers or `stop` ([`ConvertFailure::Stopped`]).
    pub async fn to_connect(
        &mut self,
        topic: &str,
        bytes: Option<&[u8]>,
        stop: &CancellationToken,
    ) -> Result<Option<ConnectData>, ConvertFailure> {
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let part = if self.is_key { "key" } else { "value" };
        let (id, mut body) = unframe(bytes)
            .map_err(|e| ConvertFailure::Record(format!("a {part} of topic {topic}: {e}")))?;
        let pauses = self.pauses();
        let writer = self.writer_schemas.get(id, Some((pauses, stop))).await?;
        let options = self.settings.data;
        let read = writer
            .connect
            .get_or_init(|| read_schema(&writer.json, options).map(Arc::new))
            .clone()
            .map_err(|e| {
                ConvertFailure::Record(format!("schema id {id} has no Connect form: {e}"))
            })?;
        let avro = GenericDatumReader::builder(&writer.avro)
            .build()
            .and_then(|reader| reader.read_value(&mut body))
            .map_err(|e| {
                ConvertFailure::Record(format!(
                    "a {part} of topic {topic} does not decode with schema id {id}: {e}"
                ))
            })?;
        let value = connect_value(&read, avro).map_err(|e| {
            ConvertFailure::Record(format!(
                "a {part} of topic {topic} (schema id {id}) does not fit its Connect schema: {e}"
            ))
        })?;
        Ok(Some(ConnectData::new(read.schema.clone(), value)))
    }
}

/// An Avro value of a writer schema in its Connect form.
pub(crate) fn connect_value(read: &ReadSchema, avro: Avro) -> Result<Value, String> {
    value(&read.schema, &read.shape, avro)
}

fn value(schema: &Schema, shape: &Shape, avro: Avro) -> Result<Value, String> {
    let mismatch = |found: &str| {
        format!(
            "an Avro {found} for a Connect {} schema{}",
            schema.kind.json_name(),
            schema
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )
    };
    let kind = schema.kind;
    Ok(match avro {
        Avro::Union(branch, inner) => {
            let Shape::Union { null_at, members } = shape else {
                // A union with null: the value itself, or the null.
                return value(schema, shape, *inner);
            };
            if matches!(*inner, Avro::Null) {
                return Ok(Value::Null);
            }
            let index = (branch - u32::from(null_at.is_some_and(|at| at < branch))) as usize;
            let (Some(field), Some(member)) = (schema.fields.get(index), members.get(index)) else {
                return Err(format!("union branch {branch} is not in the schema"));
            };
            let mut values = vec![Value::Null; schema.fields.len()];
            values[index] =
                value(&field.schema, member, *inner).map_err(|e| format!("{}: {e}", field.name))?;
            Value::Struct(values)
        }
        Avro::Null if schema.optional => Value::Null,
        Avro::Null => return Err(mismatch("null")),
        Avro::Boolean(b) if kind == SchemaType::Boolean => Value::Boolean(b),
        Avro::Int(v) | Avro::Date(v) | Avro::TimeMillis(v) => {
            let out_of_range = || format!("{v} is out of range for {}", kind.json_name());
            match kind {
                SchemaType::Int8 => Value::Int8(i8::try_from(v).map_err(|_| out_of_range())?),
                SchemaType::Int16 => Value::Int16(i16::try_from(v).map_err(|_| out_of_range())?),
                SchemaType::Int32 => Value::Int32(v),
                _ => return Err(mismatch("int")),
            }
        }
        Avro::Long(v)
        | Avro::TimeMicros(v)
        | Avro::TimestampMillis(v)
        | Avro::TimestampMicros(v)
        | Avro::TimestampNanos(v)
        | Avro::LocalTimestampMillis(v)
        | Avro::LocalTimestampMicros(v)
        | Avro::LocalTimestampNanos(v)
            if kind == SchemaType::Int64 =>
        {
            Value::Int64(v)
        }
        Avro::Float(v) if kind == SchemaType::Float32 => Value::Float32(v),
        Avro::Double(v) if kind == SchemaType::Float64 => Value::Float64(v),
        Avro::Bytes(b) | Avro::Fixed(_, b) if kind == SchemaType::Bytes => Value::Bytes(b),
        Avro::Decimal(d) if kind == SchemaType::Bytes => Value::Bytes(
            Vec::<u8>::try_from(d).map_err(|e| format!("a decimal without its bytes: {e}"))?,
        ),
        Avro::Duration(d) if kind == SchemaType::Bytes => {
            Value::Bytes(<[u8; 12]>::from(d).to_vec())
        }
        Avro::Uuid(u) if kind == SchemaType::Bytes => Value::Bytes(u.as_bytes().to_vec()),
        Avro::Uuid(u) if kind == SchemaType::String => Value::String(u.to_string()),
        Avro::String(s) | Avro::Enum(_, s) if kind == SchemaType::String => Value::String(s),
        Avro::Array(items) if kind == SchemaType::Map => {
            let (Some(keys), Some(values), Shape::Map(key_shape, value_shape)) =
                (schema.keys.as_deref(), schema.values.as_deref(), shape)
            else {
                return Err(mismatch("array"));
            };
            let mut entries = Vec::with_capacity(items.len());
            for item in items {
                let Avro::Record(mut parts) = item else {
                    return Err("a map entry that is not a key/value record".into());
                };
                let mut take = |name: &str| {
                    parts
                        .iter()
                        .position(|(n, _)| n == name)
                        .map(|at| parts.swap_remove(at).1)
                        .ok_or_else(|| format!("a map entry without its {name}"))
                };
                let (k, v) = (take("key")?, take("value")?);
                entries.push((value(keys, key_shape, k)?, value(values, value_shape, v)?));
            }
            Value::Map(entries)
        }
        Avro::Array(items) if kind == SchemaType::Array => {
            let (Some(item_schema), Shape::Array(item_shape)) = (schema.items.as_deref(), shape)
            else {
                return Err(mismatch("array"));
            };
            Value::Array(
                items
                    .into_iter()
                    .map(|item| value(item_schema, item_shape, item))
                    .collect::<Result<_, _>>()?,
            )
        }
        Avro::Map(entries) if kind == SchemaType::Map => {
            let (Some(values), Shape::Map(_, value_shape)) = (schema.values.as_deref(), shape)
            else {
                return Err(mismatch("map"));
            };
            let mut entries: Vec<_> = entries.into_iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Ok((Value::String(k), value(values, value_shape, v)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        Avro::Record(fields) if kind == SchemaType::Struct => {
            let Shape::Struct(shapes) = shape else {
                return Err(mismatch("record"));
            };
            if fields.len() != schema.fields.len() {
                return Err(format!(
                    "a record of {} fields for a struct of {}",
                    fields.len(),
                    schema.fields.len()
                ));
            }
            // The Connect schema is derived from this writer schema: the same fields in
            // the same order.
            Value::Struct(
                fields
                    .into_iter()
                    .zip(&schema.fields)
                    .zip(shapes)
                    .map(|(((_, v), field), s)| {
                        value(&field.schema, s, v)
                            .map_err(|e| format!("field '{}': {e}", field.name))
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        other => return Err(mismatch(avro_kind(&other))),
    })
}

fn avro_kind(avro: &Avro) -> &'static str {
    match avro {
        Avro::Null => "null",
        Avro::Boolean(_) => "boolean",
        Avro::Int(_) => "int",
        Avro::Long(_) => "long",
        Avro::Float(_) => "float",
        Avro::Double(_) => "double",
        Avro::Bytes(_) => "bytes",
        Avro::String(_) => "string",
        Avro::Fixed(..) => "fixed",
        Avro::Enum(..) => "enum",
        Avro::Union(..) => "union",
        Avro::Array(_) => "array",
        Avro::Map(_) => "map",
        Avro::Record(_) => "record",
        Avro::Date(_) => "date",
        Avro::Decimal(_) => "decimal",
        Avro::BigDecimal(_) => "big-decimal",
        Avro::TimeMillis(_) => "time-millis",
        Avro::Duration(_) => "duration",
        Avro::Uuid(_) => "uuid",
        _ => "timestamp",
    }
}
