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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::encode::encode;
    use crate::avro::schema::{avro_schema, AvroDataOptions};
    use crate::avro::AvroSettings;
    use crate::test_events::{envelope, event, row};
    use serde_json::json;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Writes with the writer's schema and encoder, reads with apache-avro and this
    /// module, as a sink would read what a Ferrium source wrote.
    fn round_trip(data: &ConnectData, options: AvroDataOptions) -> ConnectData {
        let avro_json = avro_schema(&data.schema, options);
        let avro = apache_avro::Schema::parse(&avro_json).unwrap();
        let mut bytes = Vec::new();
        encode(&data.schema, &data.value, &options, &mut bytes).unwrap();
        let decoded = GenericDatumReader::builder(&avro)
            .build()
            .unwrap()
            .read_value(&mut bytes.as_slice())
            .unwrap();
        let read = read_schema(&avro_json, options).unwrap();
        let value = connect_value(&read, decoded).unwrap_or_else(|e| panic!("{e}"));
        ConnectData::new(read.schema.clone(), value)
    }

    #[test]
    fn debezium_events_read_back_equal_to_what_was_written() {
        for data in [
            event(Value::Null, row(1), "c"),
            event(row(1), row(2), "u"),
            event(row(2), Value::Null, "d"),
        ] {
            assert_eq!(round_trip(&data, AvroDataOptions::default()), data);
        }
    }

    #[test]
    fn enums_maps_and_nulls_read_back() {
        let enhanced = AvroDataOptions {
            enhanced_schema_support: true,
            ..AvroDataOptions::default()
        };
        let colour = Schema::of(SchemaType::String)
            .named("shop.Colour")
            .param("io.confluent.connect.avro.Enum", "shop.Colour")
            .param("io.confluent.connect.avro.Enum.RED", "RED")
            .param("io.confluent.connect.avro.Enum.BLUE", "BLUE");
        let schema = Arc::new(
            Schema::record("shop.Row")
                .field("colour", colour.optional())
                .field(
                    "named_map",
                    Schema::map(
                        Schema::of(SchemaType::Int64),
                        Schema::of(SchemaType::String),
                    )
                    .named("shop.ById"),
                )
                .field(
                    "optional_keys",
                    Schema::map(
                        Schema::of(SchemaType::String).optional(),
                        Schema::of(SchemaType::Int8),
                    ),
                ),
        );
        let value = Value::Struct(vec![
            Value::from("BLUE"),
            Value::Map(vec![(Value::Int64(9), Value::from("nine"))]),
            Value::Map(vec![
                (Value::Null, Value::Int8(0)),
                (Value::from("k"), Value::Int8(1)),
            ]),
        ]);
        let data = ConnectData::new(schema, value);
        assert_eq!(round_trip(&data, enhanced), data);
        assert_eq!(round_trip(&data, AvroDataOptions::default()), data);
        let optional = ConnectData::new(
            Arc::new(
                Schema::record("r")
                    .field("a", Schema::of(SchemaType::Int32))
                    .optional(),
            ),
            Value::Null,
        );
        assert_eq!(round_trip(&optional, AvroDataOptions::default()), optional);
    }

    #[test]
    fn general_unions_are_structs_with_the_written_branch_set() {
        let avro_json = json!({"type": "record", "name": "R", "fields": [
            {"name": "u", "type": ["int", "null", "string"]}
        ]});
        let avro = apache_avro::Schema::parse(&avro_json).unwrap();
        let read = read_schema(&avro_json, AvroDataOptions::default()).unwrap();
        let union =
            |branch, inner| Avro::Record(vec![("u".into(), Avro::Union(branch, Box::new(inner)))]);
        for (written, expected) in [
            (
                union(2, Avro::String("s".into())),
                Value::Struct(vec![Value::Null, Value::from("s")]),
            ),
            (
                union(0, Avro::Int(4)),
                Value::Struct(vec![Value::Int32(4), Value::Null]),
            ),
            (union(1, Avro::Null), Value::Null),
        ] {
            // Through the bytes, so the branch indexes are apache-avro's.
            let bytes = apache_avro::writer::datum::GenericDatumWriter::builder(&avro)
                .build()
                .unwrap()
                .write_value_to_vec(written)
                .unwrap();
            let decoded = GenericDatumReader::builder(&avro)
                .build()
                .unwrap()
                .read_value(&mut bytes.as_slice())
                .unwrap();
            assert_eq!(
                connect_value(&read, decoded).unwrap(),
                Value::Struct(vec![expected])
            );
        }
    }

    #[test]
    fn values_that_do_not_fit_are_named() {
        let read = read_schema(
            &json!({"type": "record", "name": "R", "fields": [{"name": "t", "type": {"type": "int", "connect.type": "int8"}}]}),
            AvroDataOptions::default(),
        )
        .unwrap();
        let e = connect_value(&read, Avro::Record(vec![("t".into(), Avro::Int(300))])).unwrap_err();
        assert!(
            e.contains("field 't'") && e.contains("300 is out of range for int8"),
            "{e}"
        );
        let e = connect_value(&read, Avro::String("x".into())).unwrap_err();
        assert!(e.contains("an Avro string for a Connect struct"), "{e}");
    }

    /// A schema registry answering `GET /schemas/ids/7` with `schema`, 404 for others,
    /// counting the requests.
    async fn registry(schema: String) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let (status, body) = if request.starts_with(b"GET /schemas/ids/7 ") {
                    ("200 OK", json!({ "schema": schema }).to_string())
                } else {
                    (
                        "404 Not Found",
                        json!({"error_code": 40403, "message": "Schema not found"}).to_string(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            }
        });
        (url, calls)
    }

    fn converter(url: &str) -> AvroConverter {
        let options = BTreeMap::from([
            ("schema.registry.url".to_string(), url.to_string()),
            ("retries.wait.ms".to_string(), "1".to_string()),
        ]);
        let mut problems = Vec::new();
        let settings =
            AvroSettings::parse("value.converter", false, false, &options, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        AvroConverter::new("value.converter", false, settings).unwrap()
    }

    fn framed(id: u32, data: &ConnectData) -> Vec<u8> {
        let mut bytes = vec![0];
        bytes.extend_from_slice(&id.to_be_bytes());
        encode(
            &data.schema,
            &data.value,
            &AvroDataOptions::default(),
            &mut bytes,
        )
        .unwrap();
        bytes
    }

    #[tokio::test]
    async fn framed_records_are_read_with_the_registered_schema_fetched_once() {
        let data = event(Value::Null, row(1), "c");
        let text = avro_schema(&data.schema, AvroDataOptions::default()).to_string();
        let (url, calls) = registry(text).await;
        let mut conv = converter(&url);
        let stop = CancellationToken::new();
        let first = conv
            .to_connect("t", Some(&framed(7, &data)), &stop)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, data);
        let other = event(row(1), row(2), "u");
        let second = conv
            .to_connect("t", Some(&framed(7, &other)), &stop)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second, other);
        assert!(Arc::ptr_eq(&first.schema, &second.schema));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(conv.to_connect("t", None, &stop).await.unwrap(), None);
        assert_eq!(*envelope(), *first.schema);

        let e = conv
            .to_connect("t", Some(&framed(8, &data)), &stop)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ConvertFailure::Record(m) if m.contains("schema id 8 is not in the schema registry")),
            "{e}"
        );
        let e = conv
            .to_connect("t", Some(b"{\"id\":1}"), &stop)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ConvertFailure::Record(m) if m.contains("magic byte")),
            "{e}"
        );
        let mut truncated = framed(7, &data);
        truncated.truncate(12);
        let e = conv
            .to_connect("t", Some(&truncated), &stop)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ConvertFailure::Record(m) if m.contains("does not decode with schema id 7")),
            "{e}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_registry_is_waited_for_until_stopped() {
        // A port nobody listens on.
        let url = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let mut conv = converter(&url);
        let stop = CancellationToken::new();
        stop.cancel();
        let data = event(Value::Null, row(1), "c");
        let e = conv
            .to_connect("t", Some(&framed(7, &data)), &stop)
            .await
            .unwrap_err();
        assert!(matches!(e, ConvertFailure::Stopped(_)), "{e}");
    }
}
