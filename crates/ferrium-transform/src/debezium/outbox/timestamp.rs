//! The record timestamp of an outbox event: the envelope's `ts_ms`, or with
//! `table.field.event.timestamp` that column, which must be an int64 Debezium
//! timestamp (`Timestamp`, `MicroTimestamp`, `NanoTimestamp`) and is converted to
//! milliseconds; a null there falls back to `ts_ms`.

use ferrium_event::{ConnectData, SchemaType, Value};

use super::row::OutboxRow;
use crate::TransformError;

const MILLIS: &str = "io.debezium.time.Timestamp";
const MICROS: &str = "io.debezium.time.MicroTimestamp";
const NANOS: &str = "io.debezium.time.NanoTimestamp";

pub(super) fn event_timestamp(
    column: Option<&str>,
    row: &OutboxRow<'_>,
    envelope: &ConnectData,
) -> Result<Option<i64>, TransformError> {
    let Some(column) = column else {
        return envelope_ts_ms(envelope);
    };
    let (schema, _) = row.column(column).ok_or_else(|| {
        TransformError::new(format!("Unable to find timestamp field {column} in event"))
    })?;
    let raw = match row.require_typed(column, SchemaType::Int64)? {
        Value::Int64(v) => *v,
        _ => return envelope_ts_ms(envelope),
    };
    match schema.name.as_deref() {
        Some(MILLIS) => Ok(Some(raw)),
        Some(MICROS) => Ok(Some(raw / 1_000)),
        Some(NANOS) => Ok(Some(raw / 1_000_000)),
        Some(other) => Err(TransformError::new(format!(
            "Unsupported field type {other} for event timestamp"
        ))),
        None => Err(TransformError::new(
            "Unsupported field type INT64 (without logical schema name) for event timestamp",
        )),
    }
}

/// The envelope's `ts_ms` (`Struct.getInt64`): it must exist, and may be null.
fn envelope_ts_ms(envelope: &ConnectData) -> Result<Option<i64>, TransformError> {
    let field = ferrium_event::struct_field(&envelope.schema, &envelope.value, "ts_ms")
        .ok_or_else(|| TransformError::new("ts_ms is not a valid field name"))?;
    if field.schema.kind != SchemaType::Int64 {
        return Err(TransformError::new("Field 'ts_ms' is not of type int64"));
    }
    Ok(match field.value {
        Value::Int64(v) => Some(*v),
        _ => None,
    })
}
