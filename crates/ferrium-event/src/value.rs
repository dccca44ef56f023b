//! Kafka Connect values. A value is only meaningful together with its [`Schema`](crate::Schema):
//! structs are positional, in the order of the schema's fields.

use crate::{Schema, SchemaType};

/// One Connect value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// Map entries in their source order.
    Map(Vec<(Value, Value)>),
    /// Struct fields by position, matching the schema's `fields`.
    Struct(Vec<Value>),
}

impl Value {
    /// Debezium's stand-in for a null in a required column: zero, empty, false.
    pub fn required_fallback(schema: &Schema) -> Value {
        match schema.kind {
            SchemaType::Int8 => Value::Int8(0),
            SchemaType::Int16 => Value::Int16(0),
            SchemaType::Int32 => Value::Int32(0),
            SchemaType::Int64 => Value::Int64(0),
            SchemaType::Float32 => Value::Float32(0.0),
            SchemaType::Float64 => Value::Float64(0.0),
            SchemaType::Boolean => Value::Boolean(false),
            SchemaType::String => Value::String(String::new()),
            // A Decimal zero is one zero byte; other bytes are empty.
            SchemaType::Bytes
                if schema.name.as_deref() == Some("org.apache.kafka.connect.data.Decimal") =>
            {
                Value::Bytes(vec![0])
            }
            SchemaType::Bytes => Value::Bytes(Vec::new()),
            SchemaType::Array => Value::Array(Vec::new()),
            SchemaType::Map => Value::Map(Vec::new()),
            SchemaType::Struct => Value::Struct(
                schema
                    .fields
                    .iter()
                    .map(|f| Value::required_fallback(&f.schema))
                    .collect(),
            ),
        }
    }

    /// The Connect type name of the value, for messages about a value that does not fit.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "boolean",
            Value::Int8(_) => "int8",
            Value::Int16(_) => "int16",
            Value::Int32(_) => "int32",
            Value::Int64(_) => "int64",
            Value::Float32(_) => "float",
            Value::Float64(_) => "double",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Struct(_) => "struct",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int64(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
