//! Which part of a record a `$Key`/`$Value` transform works on, and the messages Kafka's
//! `Requirements` gives when that part is not a struct.

use ferrium_event::{ConnectData, SourceRecord, Value};

use crate::TransformError;

/// The record key (`…$Key`) or the record value (`…$Value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPart {
    Key,
    Value,
}

impl RecordPart {
    /// The part, for the transform to take out and put back.
    pub(super) fn slot(self, record: &mut SourceRecord) -> &mut Option<ConnectData> {
        match self {
            RecordPart::Key => &mut record.key,
            RecordPart::Value => &mut record.value,
        }
    }
}

/// Whether Kafka sees a null here: no data (a tombstone, a record without a key) or a
/// null under a schema (`ExtractNewRecordState`'s delete tombstone).
pub(super) fn is_null(data: &Option<ConnectData>) -> bool {
    data.as_ref().is_none_or(|d| d.value.is_null())
}

/// What Kafka's message names as the class it found, in Connect terms.
fn found(data: Option<&ConnectData>) -> String {
    match data {
        None => "null".to_string(),
        Some(d) if d.value.is_null() => "null".to_string(),
        Some(d) => match &d.schema.name {
            Some(name) => format!("{} ({name})", d.schema.kind.json_name()),
            None => d.schema.kind.json_name().to_string(),
        },
    }
}

/// `Requirements.requireStruct`: the part must hold a struct value.
pub(super) fn require_struct(
    data: Option<&ConnectData>,
    purpose: &str,
) -> Result<(), TransformError> {
    match data {
        Some(d) if matches!(d.value, Value::Struct(_)) => Ok(()),
        other => Err(TransformError::new(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            found(other)
        ))),
    }
}

/// `Requirements.requireMap` on a part without a schema: every record here has one, so
/// this is only reached by a null without a schema (a tombstone, a record without a key).
pub(super) fn require_map_of_null(purpose: &str) -> TransformError {
    TransformError::new(format!(
        "Only Map objects supported in absence of schema for [{purpose}], found: null"
    ))
}
