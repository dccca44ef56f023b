//! `TimestampConverter$Key` / `TimestampConverter$Value`: converts the whole key or value,
//! or one top-level struct `field`, between Kafka's timestamp forms: `string` (a Java
//! `SimpleDateFormat` pattern in UTC), `unix` (an int64 in `unix.precision` units), and
//! the logical types `Date` (int32 days), `Time` (int32 ms of the day) and `Timestamp`
//! (int64 ms). The input form comes from the schema: a Kafka logical name, else a string
//! is `string` and an int64 is `unix`.
//!
//! Debezium's temporal types are plain numbers and strings to Kafka, and are treated as
//! Kafka treats them: `io.debezium.time.Timestamp`, `MicroTimestamp`, `NanoTimestamp`
//! (int64) are `unix` numbers in `unix.precision` (set it to match), `ZonedTimestamp` is a
//! `string` to parse with `format`, and the int32 `io.debezium.time.Date` / `Time` are
//! refused, as Kafka refuses any int32 without a Kafka logical name.

mod java_date_format;

use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use self::java_date_format::JavaDateFormat;
use super::java_to_string::MILLIS_PER_DAY;
use super::record_part::{require_struct, RecordPart};
use super::struct_fields::{default_value, into_fields, or_default, struct_basics};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};
use ferrium_event::default_json::default_json as to_json;

const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

const PURPOSE: &str = "converting timestamp formats";

/// One of Kafka's five timestamp forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl Form {
    /// Kafka's `timestampTypeFromSchema`.
    fn of_schema(schema: &Schema) -> Result<Form, TransformError> {
        Ok(match (schema.name.as_deref(), schema.kind) {
            (Some(TIMESTAMP), _) => Form::Timestamp,
            (Some(DATE), _) => Form::Date,
            (Some(TIME), _) => Form::Time,
            (_, SchemaType::String) => Form::String,
            (_, SchemaType::Int64) => Form::Unix,
            _ => {
                return Err(TransformError::new(format!(
                    "Schema {}{} does not correspond to a known timestamp type format",
                    schema.kind.json_name(),
                    schema
                        .name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                )))
            }
        })
    }

    /// Kafka's `typeSchema`.
    fn schema(self, optional: bool) -> Schema {
        let logical = |kind, name: &str| Schema::of(kind).named(name).version(1);
        match self {
            Form::String => Schema::of(SchemaType::String),
            Form::Unix => Schema::of(SchemaType::Int64),
            Form::Date => logical(SchemaType::Int32, DATE),
            Form::Time => logical(SchemaType::Int32, TIME),
            Form::Timestamp => logical(SchemaType::Int64, TIMESTAMP),
        }
        .with_optional(optional)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

pub struct TimestampConverter {
    part: RecordPart,
    /// Empty: the whole key or value is the timestamp.
    field: String,
    target: Form,
    /// The target's schema, required and optional: one `Arc` each for every record.
    target_schemas: [Arc<Schema>; 2],
    format: Option<JavaDateFormat>,
    precision: Precision,
    replace_null_with_default: bool,
    struct_schemas: SchemaCache,
}

impl TimestampConverter {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        // Kafka's `ValidString.in` is case-sensitive.
        let target = match props.get("target.type") {
            Some("string") => Form::String,
            Some("unix") => Form::Unix,
            Some("Date") => Form::Date,
            Some("Time") => Form::Time,
            Some("Timestamp") => Form::Timestamp,
            Some(other) => {
                return Err(props.problem(
                    "target.type",
                    format!("'{other}' is not one of: string, unix, Date, Time, Timestamp"),
                ))
            }
            None => return Err(props.problem("target.type", "is required and has no default")),
        };
        let precision = match props.get("unix.precision").unwrap_or("milliseconds") {
            "seconds" => Precision::Seconds,
            "milliseconds" => Precision::Milliseconds,
            "microseconds" => Precision::Microseconds,
            "nanoseconds" => Precision::Nanoseconds,
            other => {
                return Err(props.problem(
                    "unix.precision",
                    format!(
                        "'{other}' is not one of: nanoseconds, microseconds, milliseconds, seconds"
                    ),
                ))
            }
        };
        let format = match props.get("format").filter(|f| !f.is_empty()) {
            Some(pattern) => Some(JavaDateFormat::compile(pattern).map_err(|e| {
                props.problem(
                    "format",
                    format!("is not a SimpleDateFormat pattern Ferrium can use: {e}"),
                )
            })?),
            None if target == Form::String => {
                return Err(props.problem("format", "must be set when 'target.type' is string"))
            }
            None => None,
        };
        Ok(TimestampConverter {
            part,
            field: props.string("field", ""),
            target,
            target_schemas: [
                Arc::new(target.schema(false)),
                Arc::new(target.schema(true)),
            ],
            format,
            precision,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            struct_schemas: SchemaCache::new(),
        })
    }

    fn target_schema(&self, optional: bool) -> &Arc<Schema> {
        &self.target_schemas[usize::from(optional)]
    }

    /// A timestamp in `from` form to epoch milliseconds (Kafka's `toRaw`).
    fn to_millis(&self, from: Form, value: Value) -> Result<i64, TransformError> {
        let wrong = |expected: &str, value: &Value| {
            TransformError::new(format!("Expected {expected}, but found {value:?}"))
        };
        Ok(match (from, value) {
            (Form::String, Value::String(text)) => {
                let format = self.format.as_ref().ok_or_else(|| {
                    TransformError::new("a string timestamp needs the 'format' option to be parsed")
                })?;
                format.parse(&text).map_err(TransformError::new)?
            }
            (Form::Unix, Value::Int64(n)) => match self.precision {
                Precision::Seconds => n.saturating_mul(1000),
                Precision::Milliseconds => n,
                Precision::Microseconds => n / 1000,
                Precision::Nanoseconds => n / 1_000_000,
            },
            (Form::Date, Value::Int32(days)) => i64::from(days) * MILLIS_PER_DAY,
            (Form::Time, Value::Int32(ms)) => i64::from(ms),
            (Form::Timestamp, Value::Int64(ms)) => ms,
            (Form::String, v) => return Err(wrong("string timestamp to be a String", &v)),
            (Form::Unix, v) => return Err(wrong("Unix timestamp to be a Long", &v)),
            (Form::Date | Form::Time, v) => return Err(wrong("an int32 Date or Time", &v)),
            (Form::Timestamp, v) => return Err(wrong("an int64 Timestamp", &v)),
        })
    }

    /// Epoch milliseconds to the target form (Kafka's `toType`).
    fn millis_to_target(&self, ms: i64) -> Result<Value, TransformError> {
        Ok(match self.target {
            Form::String => match &self.format {
                Some(format) => Value::String(format.format(ms).map_err(TransformError::new)?),
                None => return Err(TransformError::new("no 'format' for a string timestamp")),
            },
            Form::Unix => Value::Int64(match self.precision {
                // TimeUnit conversions: truncating down, saturating up.
                Precision::Seconds => ms / 1000,
                Precision::Milliseconds => ms,
                Precision::Microseconds => ms.saturating_mul(1000),
                Precision::Nanoseconds => ms.saturating_mul(1_000_000),
            }),
            // Midnight of the UTC day, and the time within it, as Kafka's Calendar gives.
            Form::Date => Value::Int32(ms.div_euclid(MILLIS_PER_DAY) as i32),
            Form::Time => Value::Int32(ms.rem_euclid(MILLIS_PER_DAY) as i32),
            Form::Timestamp => Value::Int64(ms),
        })
    }

    fn convert(&self, from: Form, value: Value) -> Result<Value, TransformError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        self.millis_to_target(self.to_millis(from, value)?)
    }

    /// The struct's values with the field converted (Kafka's `applyValueWithSchema`).
    fn convert_struct(
        &self,
        schema: &Schema,
        values: Vec<Value>,
    ) -> Result<Vec<Value>, TransformError> {
        schema
            .fields
            .iter()
            .zip(values)
            .map(|(f, v)| {
                let v = or_default(v, &f.schema, self.replace_null_with_default);
                if f.name == self.field {
                    self.convert(Form::of_schema(&f.schema)?, v)
                } else {
                    Ok(v)
                }
            })
            .collect()
    }

    fn derive_struct_schema(&self, input: &Schema) -> Result<Schema, TransformError> {
        // Kafka lists the fields of the schema, which fails for any other type, null or not.
        if input.kind != SchemaType::Struct {
            return Err(TransformError::new(format!(
                "Cannot list fields on non-struct type {} to convert field '{}'",
                input.kind.json_name(),
                self.field
            )));
        }
        let mut output = struct_basics(input).with_optional(input.optional);
        for f in &input.fields {
            let schema = if f.name == self.field {
                self.target_schema(f.schema.optional).clone()
            } else {
                f.schema.clone()
            };
            output = output.field(f.name.clone(), schema);
        }
        if let Some(Value::Struct(values)) = default_value(input) {
            let converted = Value::Struct(self.convert_struct(input, values)?);
            output.default = Some(to_json(&output, &converted));
        }
        Ok(output)
    }

    fn transform(&mut self, data: ConnectData) -> Result<ConnectData, TransformError> {
        if self.field.is_empty() {
            let from = Form::of_schema(&data.schema)?;
            let schema = self.target_schema(data.schema.optional).clone();
            return Ok(ConnectData::new(schema, self.convert(from, data.value)?));
        }
        // Kafka's `requireStructOrNull`.
        if !data.value.is_null() {
            require_struct(Some(&data), PURPOSE)?;
        }
        let ConnectData { schema, value } = data;
        // The cache is taken out while the closure reads the rest of `self` (a map move,
        // no allocation).
        let mut cache = std::mem::take(&mut self.struct_schemas);
        let derived = cache.get_or_insert(&schema, |s| self.derive_struct_schema(s));
        self.struct_schemas = cache;
        let output = derived?;
        let value = match value {
            Value::Null => Value::Null,
            value => Value::Struct(self.convert_struct(&schema, into_fields(value))?),
        };
        Ok(ConnectData::new(output, value))
    }
}

impl Transform for TimestampConverter {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        // Without a key or value (a tombstone) Kafka's schemaless path returns null again.
        if let Some(data) = self.part.slot(&mut record).take() {
            let data = self.transform(data)?;
            *self.part.slot(&mut record) = Some(data);
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
