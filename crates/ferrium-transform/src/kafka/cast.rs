//! `Cast$Key` / `Cast$Value`: casts the whole key or value (`spec=int32`) or top-level
//! struct fields (`spec=a:int32,b:string`) to another primitive type, as Kafka's `Cast`:
//! Java's narrowing for numbers, `parseXxx` for strings, `!= 0` for booleans, `toString`
//! for strings (bytes as base64, Date/Time/Timestamp in ISO form, Decimal as
//! `BigDecimal.toString`). A null key or value (a tombstone) passes unchanged.

use std::sync::Arc;

use base64::Engine;
use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};

use super::java_to_string::{self, ConnectDecimal, MILLIS_PER_DAY};
use super::record_part::{require_struct, RecordPart};
use super::struct_fields::{default_value, into_fields, or_default, struct_basics};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};
use ferrium_event::default_json::default_json as to_json;

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

const OUTPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
const INPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";

/// A type Kafka's `Cast` can cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
}

impl Target {
    /// `Schema.Type.valueOf(name.toUpperCase())`, then the output check.
    fn parse(name: &str) -> Result<Target, String> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "INT8" => Target::Int8,
            "INT16" => Target::Int16,
            "INT32" => Target::Int32,
            "INT64" => Target::Int64,
            "FLOAT32" => Target::Float32,
            "FLOAT64" => Target::Float64,
            "BOOLEAN" => Target::Boolean,
            "STRING" => Target::String,
            known @ ("BYTES" | "ARRAY" | "MAP" | "STRUCT") => {
                return Err(format!(
                    "Cast transformation does not support casting to {known}; supported types are {OUTPUT_TYPES}"
                ))
            }
            _ => return Err(format!("Invalid type found in casting spec: {name}")),
        })
    }

    fn schema_type(self) -> SchemaType {
        match self {
            Target::Int8 => SchemaType::Int8,
            Target::Int16 => SchemaType::Int16,
            Target::Int32 => SchemaType::Int32,
            Target::Int64 => SchemaType::Int64,
            Target::Float32 => SchemaType::Float32,
            Target::Float64 => SchemaType::Float64,
            Target::Boolean => SchemaType::Boolean,
            Target::String => SchemaType::String,
        }
    }
}

enum Spec {
    WholeValue(Target),
    /// `(field, target)`; a field named twice keeps its last target, as Kafka's map does.
    Fields(Vec<(String, Target)>),
}

impl Spec {
    fn parse(text: &str) -> Result<Spec, String> {
        if text.is_empty() {
            return Err("Must specify at least one field to cast.".into());
        }
        let mappings: Vec<&str> = text.split(',').map(str::trim).collect();
        let mut fields: Vec<(String, Target)> = Vec::new();
        let mut whole = None;
        for mapping in &mappings {
            // Java's `split(":")` drops trailing empty parts.
            let mut parts: Vec<&str> = mapping.split(':').collect();
            while parts.len() > 1 && parts.last() == Some(&"") {
                parts.pop();
            }
            match parts.as_slice() {
                [target] => whole = Some(Target::parse(target.trim())?),
                [field, target] => {
                    let target = Target::parse(target.trim())?;
                    let field = field.trim().to_string();
                    fields.retain(|(f, _)| *f != field);
                    fields.push((field, target));
                }
                _ => return Err(format!("Invalid rename mapping: {mapping}")),
            }
        }
        match whole {
            Some(_) if mappings.len() > 1 => Err("Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec".into()),
            Some(target) => Ok(Spec::WholeValue(target)),
            None => Ok(Spec::Fields(fields)),
        }
    }

    fn target_of(&self, field: &str) -> Option<Target> {
        match self {
            Spec::WholeValue(_) => None,
            Spec::Fields(fields) => fields.iter().find(|(f, _)| f == field).map(|(_, t)| *t),
        }
    }
}

pub struct Cast {
    part: RecordPart,
    spec: Spec,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

impl Cast {
    pub fn new(props: &Props, part: RecordPart) -> Result<Self, ConfigProblem> {
        let text = props
            .get("spec")
            .ok_or_else(|| props.problem("spec", "is required and has no default"))?;
        let spec = Spec::parse(text).map_err(|e| props.problem("spec", e))?;
        Ok(Cast {
            part,
            spec,
            replace_null_with_default: props.bool("replace.null.with.default", true)?,
            schemas: SchemaCache::new(),
        })
    }

    /// Kafka's `getOrBuildSchema`.
    fn derive_schema(spec: &Spec, input: &Schema) -> Result<Schema, TransformError> {
        // `SchemaUtil.copySchemaBasics`: name, version, doc and parameters, in either form.
        let mut output = struct_basics(input);
        match spec {
            Spec::WholeValue(target) => output.kind = target.schema_type(),
            Spec::Fields(_) => {
                for field in &input.fields {
                    let schema = match spec.target_of(&field.name) {
                        Some(target) => Arc::new(Self::field_schema(&field.schema, target)?),
                        None => field.schema.clone(),
                    };
                    output = output.field(field.name.clone(), schema);
                }
            }
        }
        output.optional = input.optional;
        if let Some(default) = default_value(input).filter(|d| !d.is_null()) {
            // For a struct this fails as Kafka's does: a struct cannot be cast.
            let cast = cast_value(input, default, output_target(&output))?;
            output.default = Some(to_json(&output, &cast));
        }
        Ok(output)
    }

    /// A cast field: a fresh primitive schema that keeps only optionality and the default.
    fn field_schema(input: &Schema, target: Target) -> Result<Schema, TransformError> {
        let mut schema = Schema::of(target.schema_type()).with_optional(input.optional);
        if let Some(default) = default_value(input).filter(|d| !d.is_null()) {
            let cast = cast_value(input, default, Some(target))?;
            schema.default = Some(to_json(&schema, &cast));
        }
        Ok(schema)
    }

    fn transform(&mut self, data: ConnectData) -> Result<ConnectData, TransformError> {
        if matches!(self.spec, Spec::Fields(_)) {
            require_struct(Some(&data), "cast types")?;
        }
        let ConnectData { schema, value } = data;
        let spec = &self.spec;
        let output = self
            .schemas
            .get_or_insert(&schema, |s| Self::derive_schema(spec, s))?;
        let value = match &self.spec {
            Spec::WholeValue(target) => cast_value(&schema, value, Some(*target))?,
            Spec::Fields(_) => Value::Struct(
                schema
                    .fields
                    .iter()
                    .zip(&output.fields)
                    .zip(into_fields(value))
                    .map(|((field, cast_field), v)| {
                        let v = or_default(v, &field.schema, self.replace_null_with_default);
                        // An uncast field keeps its input schema (the same `Arc`); a cast
                        // one has a fresh schema of the target type.
                        if Arc::ptr_eq(&field.schema, &cast_field.schema) {
                            Ok(v)
                        } else {
                            cast_value(&field.schema, v, output_target(&cast_field.schema))
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(ConnectData::new(output, value))
    }
}

/// The target a derived schema's default is cast to: its own type (a struct has none).
fn output_target(schema: &Schema) -> Option<Target> {
    Some(match schema.kind {
        SchemaType::Int8 => Target::Int8,
        SchemaType::Int16 => Target::Int16,
        SchemaType::Int32 => Target::Int32,
        SchemaType::Int64 => Target::Int64,
        SchemaType::Float32 => Target::Float32,
        SchemaType::Float64 => Target::Float64,
        SchemaType::Boolean => Target::Boolean,
        SchemaType::String => Target::String,
        _ => return None,
    })
}

impl Transform for Cast {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let slot = self.part.slot(&mut record);
        match slot.take() {
            // Kafka returns the record untouched when the key or value is null.
            None => {}
            Some(data) if data.value.is_null() => *slot = Some(data),
            Some(data) => {
                let data = self.transform(data)?;
                *self.part.slot(&mut record) = Some(data);
            }
        }
        Ok(Some(record))
    }
}

/// A value as Kafka's `castValueToType` sees it once logical types are encoded.
enum Source {
    Integer(i64),
    Float32(f32),
    Float64(f64),
    Boolean(bool),
    Text(String),
    Decimal(ConnectDecimal),
    Bytes(Vec<u8>),
    /// A Date/Time/Timestamp cast to a string: epoch milliseconds.
    Instant(i64),
}

/// Kafka's `castValueToType`. `target: None` is a cast to a non-primitive (a struct
/// default), which fails the input check as in Kafka.
fn cast_value(
    schema: &Schema,
    value: Value,
    target: Option<Target>,
) -> Result<Value, TransformError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let supported_input = matches!(
        schema.kind,
        SchemaType::Int8
            | SchemaType::Int16
            | SchemaType::Int32
            | SchemaType::Int64
            | SchemaType::Float32
            | SchemaType::Float64
            | SchemaType::Boolean
            | SchemaType::String
            | SchemaType::Bytes
    );
    let target = match target {
        Some(t) if supported_input => t,
        _ => {
            return Err(TransformError::new(format!(
                "Cast transformation does not support casting from {}; supported types are {INPUT_TYPES}",
                schema.kind.json_name().to_ascii_uppercase()
            )))
        }
    };
    let name = schema.name.as_deref();
    let source = match (value, name) {
        (Value::Int32(days), Some(DATE)) if target == Target::String => {
            Source::Instant(i64::from(days) * MILLIS_PER_DAY)
        }
        (Value::Int32(ms), Some(TIME)) if target == Target::String => {
            Source::Instant(i64::from(ms))
        }
        (Value::Int64(ms), Some(TIMESTAMP)) if target == Target::String => Source::Instant(ms),
        (Value::Bytes(bytes), Some(DECIMAL)) => {
            let scale = schema
                .parameter("scale")
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    TransformError::new("Decimal schema without an integer 'scale' parameter")
                })?;
            Source::Decimal(
                ConnectDecimal::from_unscaled(&bytes, scale).map_err(TransformError::new)?,
            )
        }
        (Value::Int8(v), _) => Source::Integer(i64::from(v)),
        (Value::Int16(v), _) => Source::Integer(i64::from(v)),
        (Value::Int32(v), _) => Source::Integer(i64::from(v)),
        (Value::Int64(v), _) => Source::Integer(v),
        (Value::Float32(v), _) => Source::Float32(v),
        (Value::Float64(v), _) => Source::Float64(v),
        (Value::Boolean(v), _) => Source::Boolean(v),
        (Value::String(v), _) => Source::Text(v),
        (Value::Bytes(v), _) => Source::Bytes(v),
        (other, _) => {
            return Err(TransformError::new(format!(
            "Cast transformation was passed a value that does not match its {} schema: {other:?}",
            schema.kind.json_name()
        )))
        }
    };
    cast_source(source, target)
}

fn cast_source(source: Source, target: Target) -> Result<Value, TransformError> {
    if target == Target::String {
        return Ok(Value::String(match source {
            Source::Integer(v) => v.to_string(),
            Source::Float32(v) => java_to_string::float_to_string(v),
            Source::Float64(v) => java_to_string::double_to_string(v),
            Source::Boolean(v) => v.to_string(),
            Source::Text(v) => v,
            Source::Decimal(d) => d.to_java_string(),
            Source::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
            Source::Instant(ms) => java_to_string::java_date_text(ms),
        }));
    }
    let number = match source {
        Source::Text(text) => return parse_text(&text, target),
        Source::Boolean(b) => return Ok(from_boolean(b, target)),
        Source::Bytes(_) | Source::Instant(_) => {
            return Err(TransformError::new(
                "Unexpected type in Cast transformation: bytes can only be cast to a string",
            ))
        }
        Source::Integer(v) => Number::Integer(v),
        Source::Float32(v) => Number::Float(f64::from(v), v),
        Source::Float64(v) => Number::Float(v, v as f32),
        Source::Decimal(d) => Number::Decimal(d),
    };
    Ok(number.narrow(target))
}

/// A Java `Number` and its `xxxValue()` conversions.
enum Number {
    Integer(i64),
    /// The double value and Java's `floatValue()` of it.
    Float(f64, f32),
    Decimal(ConnectDecimal),
}

impl Number {
    fn narrow(self, target: Target) -> Value {
        // Java narrows a floating value to int (saturating) before byte/short; `as` does too.
        let long = || match &self {
            Number::Integer(v) => *v,
            Number::Float(d, _) => *d as i64,
            Number::Decimal(d) => d.low_bits(),
        };
        let int = || match &self {
            Number::Float(d, _) => *d as i32,
            _ => long() as i32,
        };
        match target {
            Target::Int8 => Value::Int8(int() as i8),
            Target::Int16 => Value::Int16(int() as i16),
            Target::Int32 => Value::Int32(int()),
            Target::Int64 => Value::Int64(long()),
            Target::Float32 => Value::Float32(match &self {
                Number::Integer(v) => *v as f32,
                Number::Float(_, f) => *f,
                Number::Decimal(d) => d.to_f32(),
            }),
            Target::Float64 => Value::Float64(match &self {
                Number::Integer(v) => *v as f64,
                Number::Float(d, _) => *d,
                Number::Decimal(d) => d.to_f64(),
            }),
            Target::Boolean => Value::Boolean(long() != 0),
            // `cast_source` formats strings itself; this is the same text.
            Target::String => Value::String(match &self {
                Number::Integer(v) => v.to_string(),
                Number::Float(d, _) => java_to_string::double_to_string(*d),
                Number::Decimal(d) => d.to_java_string(),
            }),
        }
    }
}

fn from_boolean(b: bool, target: Target) -> Value {
    let n = i64::from(b);
    match target {
        Target::Int8 => Value::Int8(n as i8),
        Target::Int16 => Value::Int16(n as i16),
        Target::Int32 => Value::Int32(n as i32),
        Target::Int64 => Value::Int64(n),
        Target::Float32 => Value::Float32(n as f32),
        Target::Float64 => Value::Float64(n as f64),
        Target::Boolean => Value::Boolean(b),
        Target::String => Value::String(b.to_string()),
    }
}

/// Java's `Byte.parseByte` … `Double.parseDouble` and `Boolean.parseBoolean`.
fn parse_text(text: &str, target: Target) -> Result<Value, TransformError> {
    let out_of_range = || {
        TransformError::new(format!(
            "Value ({text}) was out of range for requested data type"
        ))
    };
    Ok(match target {
        Target::Int8 => Value::Int8(text.parse().map_err(|_| out_of_range())?),
        Target::Int16 => Value::Int16(text.parse().map_err(|_| out_of_range())?),
        Target::Int32 => Value::Int32(text.parse().map_err(|_| out_of_range())?),
        Target::Int64 => Value::Int64(text.parse().map_err(|_| out_of_range())?),
        Target::Float32 => Value::Float32(java_parse_float(text).ok_or_else(out_of_range)?),
        Target::Float64 => Value::Float64(java_parse_double(text).ok_or_else(out_of_range)?),
        Target::Boolean => Value::Boolean(text.eq_ignore_ascii_case("true")),
        Target::String => Value::String(text.to_string()),
    })
}

/// `Double.parseDouble`: surrounding whitespace trimmed, `NaN` / `Infinity` spelled as
/// Java spells them, an optional `d`/`f` suffix. Hexadecimal floats are not accepted.
fn java_parse_double(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c <= ' ');
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "NaN" || unsigned == "Infinity" {
        return t.replace("Infinity", "inf").parse().ok();
    }
    let body = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    // Rust also reads `inf`, `nan` and `infinity`, which Java refuses.
    let numeric = body
        .strip_prefix(['+', '-'])
        .unwrap_or(body)
        .starts_with(|c: char| c.is_ascii_digit() || c == '.');
    if !numeric {
        return None;
    }
    body.parse().ok()
}

fn java_parse_float(text: &str) -> Option<f32> {
    // Parsed as a float directly: rounding through a double could round twice.
    let t = text.trim_matches(|c: char| c <= ' ');
    java_parse_double(t)?;
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "NaN" || unsigned == "Infinity" {
        return t.replace("Infinity", "inf").parse().ok();
    }
    t.strip_suffix(['d', 'D', 'f', 'F'])
        .unwrap_or(t)
        .parse()
        .ok()
}

#[cfg(test)]
#[path = "cast_tests.rs"]
mod tests;
