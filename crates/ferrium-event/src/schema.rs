//! Kafka Connect schemas: the type description that travels with every key and value.
//!
//! The field set mirrors `org.apache.kafka.connect.data.Schema` because the JSON
//! converter must reproduce Kafka's `JsonConverter` output byte for byte in shape.

use std::sync::Arc;

/// The Connect primitive and container types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaType {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl SchemaType {
    /// The name Kafka's `JsonConverter` writes in `"type"`.
    pub fn json_name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }
}

/// A named field of a struct schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub schema: Arc<Schema>,
}

/// A Connect schema. Struct schemas carry `fields`, arrays `items`, maps `keys`/`values`.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub kind: SchemaType,
    pub optional: bool,
    /// Logical type or record name, e.g. `io.debezium.time.Date` or `shop.public.t.Value`.
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    /// Ordered, because the converter writes them in insertion order.
    pub parameters: Vec<(String, String)>,
    /// The default value, already in its JSON form.
    pub default: Option<serde_json::Value>,
    pub fields: Vec<Field>,
    pub items: Option<Arc<Schema>>,
    pub keys: Option<Arc<Schema>>,
    pub values: Option<Arc<Schema>>,
}

impl Schema {
    /// A required schema of the given primitive type.
    pub fn of(kind: SchemaType) -> Self {
        Schema {
            kind,
            optional: false,
            name: None,
            version: None,
            doc: None,
            parameters: Vec::new(),
            default: None,
            fields: Vec::new(),
            items: None,
            keys: None,
            values: None,
        }
    }

    /// An empty struct schema with a record name.
    pub fn record(name: impl Into<String>) -> Self {
        Schema::of(SchemaType::Struct).named(name)
    }

    /// An array schema of `items`.
    pub fn array(items: Schema) -> Self {
        let mut schema = Schema::of(SchemaType::Array);
        schema.items = Some(Arc::new(items));
        schema
    }

    /// A map schema.
    pub fn map(keys: Schema, values: Schema) -> Self {
        let mut schema = Schema::of(SchemaType::Map);
        schema.keys = Some(Arc::new(keys));
        schema.values = Some(Arc::new(values));
        schema
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn required(mut self) -> Self {
        self.optional = false;
        self
    }

    pub fn with_optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn version(mut self, version: i32) -> Self {
        self.version = Some(version);
        self
    }

    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.doc = Some(doc.into());
        self
    }

    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((key.into(), value.into()));
        self
    }

    pub fn default_value(mut self, value: serde_json::Value) -> Self {
        self.default = Some(value);
        self
    }

    /// Appends a field; for struct schemas only.
    pub fn field(mut self, name: impl Into<String>, schema: impl Into<Arc<Schema>>) -> Self {
        self.fields.push(Field {
            name: name.into(),
            schema: schema.into(),
        });
        self
    }

    /// Position of a field by name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Debezium's `PropagateSourceMetadataToSchemaParameter` (`column.propagate.source.type`):
    /// the column's source type upper-cased, its length and scale when the source knows
    /// them, and its name, after the parameters the type mapping set.
    pub fn with_source_column(self, column: &SourceColumn<'_>) -> Self {
        let mut schema = self.param(
            "__debezium.source.column.type",
            column.type_name.to_uppercase(),
        );
        if let Some(length) = column.length {
            schema = schema.param("__debezium.source.column.length", length.to_string());
        }
        if let Some(scale) = column.scale {
            schema = schema.param("__debezium.source.column.scale", scale.to_string());
        }
        schema.param("__debezium.source.column.name", column.name)
    }

    /// The value of a schema parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a source knows about a column's declared type, for
/// [`Schema::with_source_column`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceColumn<'a> {
    pub name: &'a str,
    /// As the source's JDBC driver names it (`varchar`, `serial`, `INT UNSIGNED`, …).
    pub type_name: String,
    pub length: Option<i64>,
    pub scale: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_keeps_field_order_and_parameters() {
        let schema = Schema::record("p.s.t.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field(
                "amount",
                Schema::of(SchemaType::Bytes)
                    .named("org.apache.kafka.connect.data.Decimal")
                    .version(1)
                    .param("scale", "2")
                    .param("connect.decimal.precision", "12")
                    .optional(),
            );
        assert_eq!(schema.field_index("amount"), Some(1));
        assert_eq!(schema.fields[1].schema.parameter("scale"), Some("2"));
        assert!(schema.fields[1].schema.optional);
        assert!(!schema.fields[0].schema.optional);
    }
}
