//! What one consumed record asks of the target table, decided as Debezium's JDBC sink
//! decides it: a native change event (`….Envelope`, or an unnamed struct with an `op`)
//! writes its `after` image or deletes by key; any other struct value is a flattened row
//! (a null value deletes it); truncates, tombstones and deletes only act when enabled.

use std::sync::Arc;

use ferrium_event::{
    struct_field, ChangeEvent, ConnectData, Op, Schema, SchemaType, SourceRecord, Value,
};

use crate::config::{JdbcSinkConfig, PrimaryKeyMode};
use crate::naming::table_name;

/// One column value of a row: its field name, Connect schema and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub name: String,
    pub schema: Arc<Schema>,
    pub value: Value,
}

/// A record's place in Kafka, which the sink stores as its applied offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinates {
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
}

/// What a record does to its table.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Insert, upsert or update (by `insert.mode`) of `key` + `columns`.
    Write {
        table: String,
        key: Vec<Cell>,
        columns: Vec<Cell>,
    },
    Delete {
        table: String,
        key: Vec<Cell>,
    },
    /// A tombstone whose table name needs the change event's `source` block (which a
    /// tombstone has not): it deletes from the table its topic's last event named.
    DeleteInTopicTable {
        key: Vec<Cell>,
    },
    Truncate {
        table: String,
    },
    /// Nothing to apply; the offset still advances.
    Skip(&'static str),
}

/// Why a record cannot be applied: a configuration that does not fit the data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ChangeError(pub String);

const KAFKA_TOPIC: &str = "__connect_topic";
const KAFKA_PARTITION: &str = "__connect_partition";
const KAFKA_OFFSET: &str = "__connect_offset";

/// Whether a value is a native Debezium change event rather than a flattened row.
fn native(value: &ConnectData) -> bool {
    if ChangeEvent::of(value).is_some() {
        return true;
    }
    value.schema.kind == SchemaType::Struct
        && value.schema.name.is_none()
        && value.schema.field_index("op").is_some()
        && value.schema.field_index("after").is_some()
}

/// The fields of a struct value as cells, in schema order.
fn cells(schema: &Arc<Schema>, value: &Value) -> Vec<Cell> {
    let Value::Struct(values) = value else {
        return Vec::new();
    };
    schema
        .fields
        .iter()
        .zip(values)
        .map(|(f, v)| Cell {
            name: f.name.clone(),
            schema: f.schema.clone(),
            value: v.clone(),
        })
        .collect()
}

fn pick(all: Vec<Cell>, wanted: &[String], what: &str) -> Result<Vec<Cell>, ChangeError> {
    if wanted.is_empty() {
        return Ok(all);
    }
    wanted
        .iter()
        .map(|name| {
            all.iter().find(|c| &c.name == name).cloned().ok_or_else(|| {
                ChangeError(format!(
                    "primary.key.fields names '{name}', which the record's {what} does not have (it has: {})",
                    all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}

/// The key cells of a record under `primary.key.mode`; `row` is the row image (the
/// value's `after`/`before`, or the flattened value).
fn key_cells(
    config: &JdbcSinkConfig,
    record: &SourceRecord,
    at: &Coordinates,
    row: Option<(&Arc<Schema>, &Value)>,
) -> Result<Vec<Cell>, ChangeError> {
    let fields = &config.primary_key_fields;
    match config.primary_key_mode {
        PrimaryKeyMode::None => Ok(Vec::new()),
        PrimaryKeyMode::Kafka => Ok(vec![
            Cell {
                name: KAFKA_TOPIC.into(),
                schema: Arc::new(Schema::of(SchemaType::String)),
                value: Value::String(at.topic.to_string()),
            },
            Cell {
                name: KAFKA_PARTITION.into(),
                schema: Arc::new(Schema::of(SchemaType::Int32)),
                value: Value::Int32(at.partition),
            },
            Cell {
                name: KAFKA_OFFSET.into(),
                schema: Arc::new(Schema::of(SchemaType::Int64)),
                value: Value::Int64(at.offset),
            },
        ]),
        PrimaryKeyMode::RecordKey => {
            let Some(key) = &record.key else {
                return Err(ChangeError(format!(
                    "a record of topic {} at partition {} offset {} has no key, but primary.key.mode is record_key: key the topic by primary key, or use primary.key.mode=record_value with primary.key.fields",
                    at.topic, at.partition, at.offset
                )));
            };
            if key.schema.kind == SchemaType::Struct {
                return pick(cells(&key.schema, &key.value), fields, "key");
            }
            match fields.as_slice() {
                [name] => Ok(vec![Cell {
                    name: name.clone(),
                    schema: key.schema.clone(),
                    value: key.value.clone(),
                }]),
                _ => Err(ChangeError(format!(
                    "the key of topic {} is a {} rather than a struct: name its column with exactly one primary.key.fields entry",
                    at.topic,
                    key.schema.kind.json_name()
                ))),
            }
        }
        PrimaryKeyMode::RecordValue => match row {
            Some((schema, value)) => pick(cells(schema, value), fields, "value"),
            None => Err(ChangeError(format!(
                "a record of topic {} at offset {} has no value to take the key from under primary.key.mode=record_value",
                at.topic, at.offset
            ))),
        },
        PrimaryKeyMode::RecordHeader => {
            let all = record
                .headers
                .iter()
                .map(|h| Cell {
                    name: h.key.clone(),
                    schema: h.value.schema.clone(),
                    value: h.value.value.clone(),
                })
                .collect();
            pick(all, fields, "headers")
        }
    }
}

/// The columns to write: the row's fields that the field filter keeps, without the
/// key columns (which are written from the key).
fn row_columns(config: &JdbcSinkConfig, topic: &str, row: Vec<Cell>, key: &[Cell]) -> Vec<Cell> {
    row.into_iter()
        .filter(|c| !key.iter().any(|k| k.name == c.name))
        .filter(|c| {
            config
                .field_filter
                .as_ref()
                .is_none_or(|f| f.keeps(topic, &c.name))
        })
        .collect()
}

/// Decides what `record` (after the transforms) does to its table.
pub fn classify(
    config: &JdbcSinkConfig,
    record: &SourceRecord,
    at: &Coordinates,
) -> Result<Change, ChangeError> {
    // A null value is a tombstone even when it carries a schema (as JsonConverter
    // writes `{"schema": …, "payload": null}`).
    let Some(value) = record.value.as_ref().filter(|v| !v.value.is_null()) else {
        // A tombstone: Debezium's delete marker, or a flattened delete.
        if !config.delete_enabled {
            return Ok(Change::Skip("tombstone with delete.enabled=false"));
        }
        if config.primary_key_mode != PrimaryKeyMode::RecordKey {
            return Ok(Change::Skip("tombstone without a record key"));
        }
        let key = key_cells(config, record, at, None)?;
        return Ok(match table_name(config, &record.topic, None) {
            Ok(table) => Change::Delete { table, key },
            Err(_) => Change::DeleteInTopicTable { key },
        });
    };
    if value.schema.kind != SchemaType::Struct {
        return Ok(Change::Skip("value is not a struct"));
    }
    if value
        .schema
        .name
        .as_deref()
        .is_some_and(|n| n.ends_with(".SchemaChangeValue"))
    {
        tracing::warn!(topic = %record.topic, "skipping a schema change event: the JDBC sink applies row changes only");
        return Ok(Change::Skip("schema change event"));
    }
    if !native(value) {
        let table = table_name(config, &record.topic, None)?;
        let key = key_cells(config, record, at, Some((&value.schema, &value.value)))?;
        let columns = row_columns(
            config,
            &record.topic,
            cells(&value.schema, &value.value),
            &key,
        );
        return Ok(Change::Write {
            table,
            key,
            columns,
        });
    }
    let field = |name: &str| struct_field(&value.schema, &value.value, name);
    let op = field("op")
        .and_then(|f| f.value.as_str())
        .and_then(Op::from_code);
    let source = field("source").map(|f| (f.schema, f.value));
    let table = || table_name(config, &record.topic, source);
    match op {
        Some(Op::Create | Op::Read | Op::Update) => {
            let Some(after) = field("after").filter(|f| !f.value.is_null()) else {
                return Ok(Change::Skip("change event without an after image"));
            };
            let key = key_cells(config, record, at, Some((after.schema, after.value)))?;
            let columns = row_columns(
                config,
                &record.topic,
                cells(after.schema, after.value),
                &key,
            );
            Ok(Change::Write {
                table: table()?,
                key,
                columns,
            })
        }
        Some(Op::Delete) => {
            if !config.delete_enabled {
                return Ok(Change::Skip("delete with delete.enabled=false"));
            }
            let before = field("before").filter(|f| !f.value.is_null());
            let key = key_cells(config, record, at, before.map(|b| (b.schema, b.value)))?;
            Ok(Change::Delete {
                table: table()?,
                key,
            })
        }
        Some(Op::Truncate) if config.truncate_enabled => Ok(Change::Truncate { table: table()? }),
        Some(Op::Truncate) => Ok(Change::Skip("truncate with truncate.enabled=false")),
        Some(Op::Message) | None => Ok(Change::Skip("not a row change")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_config::ConnectorConfig;

    fn config(pairs: &[(&str, &str)]) -> JdbcSinkConfig {
        let mut props: std::collections::BTreeMap<String, String> = [
            ("connector.class", crate::config::CONNECTOR_CLASS),
            ("connection.url", "jdbc:postgresql://127.0.0.1:5432/reads"),
            ("connection.username", "postgres"),
            ("topics", "shop.public.orders"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        JdbcSinkConfig::from_connector(&ConnectorConfig {
            name: "s".into(),
            props,
        })
        .unwrap()
    }

    fn row_schema() -> Arc<Schema> {
        Arc::new(
            Schema::record("shop.public.orders.Value")
                .field("id", Schema::of(SchemaType::Int32))
                .field("note", Schema::of(SchemaType::String).optional())
                .optional(),
        )
    }

    fn key() -> ConnectData {
        let schema = Arc::new(
            Schema::record("shop.public.orders.Key").field("id", Schema::of(SchemaType::Int32)),
        );
        ConnectData::new(schema, Value::Struct(vec![Value::Int32(7)]))
    }

    fn envelope(op: &str, before: Value, after: Value) -> ConnectData {
        let source = Arc::new(
            Schema::record("io.debezium.connector.postgresql.Source")
                .field("table", Schema::of(SchemaType::String)),
        );
        let schema = Arc::new(
            Schema::record("shop.public.orders.Envelope")
                .field("before", row_schema().as_ref().clone())
                .field("after", row_schema().as_ref().clone())
                .field("source", source.as_ref().clone())
                .field("op", Schema::of(SchemaType::String)),
        );
        ConnectData::new(
            schema,
            Value::Struct(vec![
                before,
                after,
                Value::Struct(vec![Value::String("orders".into())]),
                Value::String(op.into()),
            ]),
        )
    }

    fn row(note: &str) -> Value {
        Value::Struct(vec![Value::Int32(7), Value::String(note.into())])
    }

    fn at() -> Coordinates {
        Coordinates {
            topic: "shop.public.orders".into(),
            partition: 0,
            offset: 41,
        }
    }

    fn record(value: Option<ConnectData>) -> SourceRecord {
        SourceRecord::new("shop.public.orders".into(), Some(key()), value)
    }

    #[test]
    fn native_events_write_after_and_delete_by_key() {
        let c = config(&[
            ("primary.key.mode", "record_key"),
            ("delete.enabled", "true"),
            ("insert.mode", "upsert"),
        ]);
        let change = classify(
            &c,
            &record(Some(envelope("u", Value::Null, row("x")))),
            &at(),
        )
        .unwrap();
        let Change::Write {
            table,
            key,
            columns,
        } = change
        else {
            panic!("{change:?}")
        };
        assert_eq!(table, "shop_public_orders");
        assert_eq!(key[0].value, Value::Int32(7));
        assert_eq!(
            columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["note"]
        );
        let change = classify(
            &c,
            &record(Some(envelope("d", row("x"), Value::Null))),
            &at(),
        )
        .unwrap();
        assert!(
            matches!(change, Change::Delete { ref key, .. } if key[0].value == Value::Int32(7)),
            "{change:?}"
        );
        // The tombstone after a delete is a second delete (DBZ-8287).
        assert!(matches!(
            classify(&c, &record(None), &at()).unwrap(),
            Change::Delete { .. }
        ));
    }

    #[test]
    fn deletes_and_truncates_are_skipped_unless_enabled() {
        let c = config(&[("primary.key.mode", "record_key")]);
        let change = classify(
            &c,
            &record(Some(envelope("d", row("x"), Value::Null))),
            &at(),
        )
        .unwrap();
        assert!(matches!(change, Change::Skip(_)));
        assert!(matches!(
            classify(&c, &record(None), &at()).unwrap(),
            Change::Skip(_)
        ));
        let change = classify(
            &c,
            &record(Some(envelope("t", Value::Null, Value::Null))),
            &at(),
        )
        .unwrap();
        assert!(matches!(change, Change::Skip(_)));
    }

    #[test]
    fn flattened_rows_write_the_whole_value() {
        let c = config(&[
            ("primary.key.mode", "record_value"),
            ("primary.key.fields", "id"),
        ]);
        let flat = ConnectData::new(row_schema(), row("y"));
        let change = classify(&c, &record(Some(flat)), &at()).unwrap();
        let Change::Write { key, columns, .. } = change else {
            panic!()
        };
        assert_eq!((key.len(), columns.len()), (1, 1));
    }

    #[test]
    fn missing_keys_name_the_fix() {
        let c = config(&[("primary.key.mode", "record_key")]);
        let mut r = record(Some(envelope("c", Value::Null, row("x"))));
        r.key = None;
        let e = classify(&c, &r, &at()).unwrap_err().0;
        assert!(e.contains("has no key") && e.contains("offset 41"), "{e}");
        let c = config(&[
            ("primary.key.mode", "record_value"),
            ("primary.key.fields", "nope"),
        ]);
        let e = classify(
            &c,
            &record(Some(envelope("c", Value::Null, row("x")))),
            &at(),
        )
        .unwrap_err()
        .0;
        assert!(e.contains("'nope'") && e.contains("id, note"), "{e}");
    }

    #[test]
    fn kafka_mode_keys_by_coordinates() {
        let c = config(&[("primary.key.mode", "kafka")]);
        let change = classify(
            &c,
            &record(Some(envelope("c", Value::Null, row("x")))),
            &at(),
        )
        .unwrap();
        let Change::Write { key, columns, .. } = change else {
            panic!()
        };
        assert_eq!(
            key.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
            [KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET]
        );
        assert_eq!(key[2].value, Value::Int64(41));
        assert_eq!(columns.len(), 2);
    }
}
