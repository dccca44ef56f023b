//! Avro writer schemas to Connect schemas, by the rules of Confluent's
//! `AvroData.toConnectSchema`, the inverse of [`super::schema`]: `connect.name`,
//! `connect.version`, `connect.doc`, `connect.parameters`, `connect.default` and
//! `connect.type` (int8, int16) restore what Avro has no place for; a union with null is
//! an optional value; the logical types `decimal`, `date`, `time-millis` and
//! `timestamp-millis` are Connect's `Decimal`, `Date`, `Time` and `Timestamp`; enums are
//! strings with `io.confluent.connect.avro.Enum` parameters; arrays of `MapEntry`
//! records are maps; any other union is a struct named `io.confluent.connect.avro.Union`
//! with one optional field per branch.
//!
//! Derived from the schema's JSON rather than from `apache_avro::Schema`, which keeps no
//! properties of primitive types (where `connect.type` and `connect.name` live) and
//! keeps the others unordered, while `connect.parameters` are ordered.
//!
//! Differences from Confluent: the registry's subject version is not given to a top-level
//! schema without `connect.version` (it would take a lookup by subject per schema id),
//! and recursive records, which Connect schemas here cannot hold, are refused.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine as _;
use ferrium_event::{Field, Schema, SchemaType};
use serde_json::{Map, Value as Json};

use super::schema::{AvroDataOptions, NAMESPACE};

const DEFAULT_NAME_PREFIX: &str = "io.confluent.connect.avro.ConnectDefault";
const UNION_NAME: &str = "io.confluent.connect.avro.Union";
const ENUM_PARAM: &str = "io.confluent.connect.avro.Enum";
const ENUM_DOC_PREFIX: &str = "io.confluent.connect.avro.enum.doc.";
const ENUM_DEFAULT_PREFIX: &str = "io.confluent.connect.avro.enum.default.";
const RECORD_DOC_PARAM: &str = "io.confluent.connect.avro.record.doc";
const FIELD_DOC_PREFIX: &str = "io.confluent.connect.avro.field.doc.";
const FIELD_DEFAULT_FLAG: &str = "io.confluent.connect.avro.field.default";
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const PRECISION_PARAM: &str = "connect.decimal.precision";
const DEFAULT_PRECISION: i64 = 64;

/// A writer schema's Connect schema, with what reading its values needs besides.
#[derive(Debug)]
pub(crate) struct ReadSchema {
    pub schema: Arc<Schema>,
    pub shape: Shape,
}

/// The Avro side of a Connect schema where the Connect schema alone does not say how a
/// value was written: which branch of a union is which struct field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Leaf,
    Struct(Vec<Shape>),
    Array(Box<Shape>),
    Map(Box<Shape>, Box<Shape>),
    /// A general union: the position of its null branch, and each other branch's shape
    /// (the struct's fields, in order).
    Union {
        null_at: Option<u32>,
        members: Vec<Shape>,
    },
}

pub(crate) fn read_schema(avro: &Json, options: AvroDataOptions) -> Result<ReadSchema, String> {
    let mut deriver = Deriver {
        options,
        named: HashMap::new(),
        in_progress: HashSet::new(),
    };
    let (schema, shape) = deriver.derive(avro, None, false, None)?;
    Ok(ReadSchema {
        schema: Arc::new(schema),
        shape,
    })
}

struct Deriver {
    options: AvroDataOptions,
    /// Named types by full name, as defined: a reference derives the definition again
    /// (with the reference's optionality), as Confluent converts the same Avro schema.
    named: HashMap<String, Json>,
    /// Records being derived, to refuse a record that contains itself.
    in_progress: HashSet<String>,
}

const PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

fn full_name(props: &Map<String, Json>, enclosing: Option<&str>) -> Result<String, String> {
    let name = props
        .get("name")
        .and_then(Json::as_str)
        .ok_or("a named Avro type has no \"name\"")?;
    if name.contains('.') {
        return Ok(name.to_string());
    }
    let namespace = match props.get("namespace").and_then(Json::as_str) {
        Some(ns) => Some(ns),
        None => enclosing,
    };
    Ok(match namespace.filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_string(),
    })
}

fn namespace_of(full: &str) -> Option<&str> {
    full.rsplit_once('.').map(|(ns, _)| ns)
}

fn short_name(full: &str) -> &str {
    full.rsplit_once('.').map_or(full, |(_, name)| name)
}

/// Adds a parameter, or replaces its value where it is (a Java `LinkedHashMap` put).
fn set_param(schema: &mut Schema, key: &str, value: String) {
    match schema.parameters.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => schema.parameters.push((key.to_string(), value)),
    }
}

impl Deriver {
    fn derive(
        &mut self,
        avro: &Json,
        ns: Option<&str>,
        force_optional: bool,
        field_default: Option<&Json>,
    ) -> Result<(Schema, Shape), String> {
        match avro {
            Json::String(name) if PRIMITIVES.contains(&name.as_str()) => {
                self.typed(name, &Map::new(), ns, force_optional, field_default)
            }
            Json::String(name) => {
                let (full, definition) = self.resolve(name, ns)?;
                if self.in_progress.contains(&full) {
                    return Err(format!(
                        "record {full} contains itself; recursive schemas have no Connect form here"
                    ));
                }
                self.derive(
                    &definition,
                    namespace_of(&full),
                    force_optional,
                    field_default,
                )
            }
            Json::Array(members) => self.union(members, ns),
            Json::Object(props) => match props.get("type") {
                Some(Json::String(kind)) => {
                    self.typed(kind, props, ns, force_optional, field_default)
                }
                Some(inner @ (Json::Array(_) | Json::Object(_))) => {
                    self.derive(inner, ns, force_optional, field_default)
                }
                _ => Err("an Avro schema object has no \"type\"".into()),
            },
            other => Err(format!("{other} is not an Avro schema")),
        }
    }

    fn resolve(&self, name: &str, ns: Option<&str>) -> Result<(String, Json), String> {
        let candidates = match ns.filter(|_| !name.contains('.')) {
            Some(ns) => vec![format!("{ns}.{name}"), name.to_string()],
            None => vec![name.to_string()],
        };
        candidates
            .into_iter()
            .find_map(|full| self.named.get(&full).map(|d| (full, d.clone())))
            .ok_or_else(|| format!("the Avro schema refers to {name}, which it does not define"))
    }

    /// The definition a schema names or is, for looking into it (MapEntry, union names).
    fn definition(&self, avro: &Json, ns: Option<&str>) -> Option<Json> {
        match avro {
            Json::String(name) if !PRIMITIVES.contains(&name.as_str()) => {
                self.resolve(name, ns).ok().map(|(_, d)| d)
            }
            other => Some(other.clone()),
        }
    }

    fn typed(
        &mut self,
        kind: &str,
        props: &Map<String, Json>,
        ns: Option<&str>,
        force_optional: bool,
        field_default: Option<&Json>,
    ) -> Result<(Schema, Shape), String> {
        let meta = self.options.connect_meta_data;
        let connect_type = props.get("connect.type").and_then(Json::as_str);
        let logical = props.get("logicalType").and_then(Json::as_str);
        let is_logical = |name: &str| logical.is_some_and(|l| l.eq_ignore_ascii_case(name));
        let mut shape = Shape::Leaf;
        let mut full = None;
        let mut schema = match kind {
            "boolean" => Schema::of(SchemaType::Boolean),
            "bytes" | "fixed" => {
                if kind == "fixed" {
                    full = Some(self.define(props, ns)?);
                }
                let mut schema = if is_logical("decimal") {
                    let scale = props.get("scale").and_then(Json::as_i64).unwrap_or(0);
                    let mut decimal = Schema::of(SchemaType::Bytes)
                        .named(DECIMAL)
                        .version(1)
                        .param("scale", scale.to_string());
                    match props.get("precision") {
                        None => {}
                        Some(Json::Number(p)) => {
                            let precision = p
                                .as_i64()
                                .ok_or("a decimal's precision is not an integer")?;
                            if precision != DEFAULT_PRECISION {
                                decimal = decimal.param(PRECISION_PARAM, precision.to_string());
                            }
                        }
                        Some(_) => return Err("a decimal's precision is not a JSON integer".into()),
                    }
                    decimal
                } else {
                    Schema::of(SchemaType::Bytes)
                };
                if kind == "fixed" {
                    let size = props
                        .get("size")
                        .and_then(Json::as_u64)
                        .ok_or("a fixed has no \"size\"")?;
                    schema = schema.param("connect.fixed.size", size.to_string());
                }
                schema
            }
            "double" => Schema::of(SchemaType::Float64),
            "float" => Schema::of(SchemaType::Float32),
            "int" => match (logical, connect_type) {
                (None, None) => Schema::of(SchemaType::Int32),
                (Some(_), _) if is_logical("date") => {
                    Schema::of(SchemaType::Int32).named(DATE).version(1)
                }
                (Some(_), _) if is_logical("time-millis") => {
                    Schema::of(SchemaType::Int32).named(TIME).version(1)
                }
                (Some(_), _) => Schema::of(SchemaType::Int32),
                (None, Some("int8")) => Schema::of(SchemaType::Int8),
                (None, Some("int16")) => Schema::of(SchemaType::Int16),
                (None, Some(other)) => {
                    return Err(format!(
                        "connect.type '{other}' of an Avro int is not int8 or int16"
                    ))
                }
            },
            "long" if is_logical("timestamp-millis") => {
                Schema::of(SchemaType::Int64).named(TIMESTAMP).version(1)
            }
            "long" => Schema::of(SchemaType::Int64),
            "string" => Schema::of(SchemaType::String),
            "array" => {
                let items = props.get("items").ok_or("an Avro array has no \"items\"")?;
                let entry = self
                    .definition(items, ns)
                    .filter(|d| self.is_map_entry(d, ns));
                match entry {
                    Some(entry) => {
                        let (map, map_shape) = self.map_entries(items, &entry, ns)?;
                        shape = map_shape;
                        map
                    }
                    None => {
                        let (items, items_shape) = self.derive(items, ns, false, None)?;
                        shape = Shape::Array(Box::new(items_shape));
                        Schema::array(items)
                    }
                }
            }
            "map" => {
                let values = props.get("values").ok_or("an Avro map has no \"values\"")?;
                let (values, values_shape) = self.derive(values, ns, false, None)?;
                shape = Shape::Map(Box::new(Shape::Leaf), Box::new(values_shape));
                Schema::map(Schema::of(SchemaType::String), values)
            }
            "record" => {
                let name = self.define(props, ns)?;
                let (record, record_shape) = self.record(&name, props)?;
                full = Some(name);
                shape = record_shape;
                record
            }
            "enum" => {
                let name = self.define(props, ns)?;
                let mut schema = Schema::of(SchemaType::String);
                if meta {
                    if let Some(doc) = props.get("doc").and_then(Json::as_str) {
                        schema =
                            schema.param(format!("{ENUM_DOC_PREFIX}{}", short_name(&name)), doc);
                    }
                    if let Some(default) = props.get("default").and_then(Json::as_str) {
                        schema = schema.param(
                            format!("{ENUM_DEFAULT_PREFIX}{}", short_name(&name)),
                            default,
                        );
                    }
                }
                schema = schema.param(ENUM_PARAM, name.clone());
                let symbols = props
                    .get("symbols")
                    .and_then(Json::as_array)
                    .ok_or("an Avro enum has no \"symbols\"")?;
                for symbol in symbols.iter().filter_map(Json::as_str) {
                    schema = schema.param(format!("{ENUM_PARAM}.{symbol}"), symbol);
                }
                full = Some(name);
                schema
            }
            "null" => {
                return Err(
                    "a standalone null schema has no Connect form (only a union with null has)"
                        .into(),
                )
            }
            reference => {
                // `{"type": "com.example.Name"}`: a reference in object form.
                return self.derive(
                    &Json::String(reference.to_string()),
                    ns,
                    force_optional,
                    field_default,
                );
            }
        };

        if meta {
            if let Some(doc) = props.get("connect.doc").and_then(Json::as_str) {
                schema.doc = Some(doc.to_string());
            }
        }
        if let Some(version) = props.get("connect.version") {
            let version = version
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| format!("connect.version {version} is not an integer"))?;
            if version >= 0 {
                match schema.version {
                    Some(existing) if existing != version => {
                        return Err(format!(
                            "connect.version {version} differs from the version {existing} of {}",
                            schema.name.as_deref().unwrap_or("the logical type")
                        ))
                    }
                    _ => schema.version = Some(version),
                }
            }
        }
        if let (true, Some(params)) = (meta, props.get("connect.parameters")) {
            let Json::Object(params) = params else {
                return Err(format!("connect.parameters is {params}, not an object"));
            };
            for (key, value) in params {
                let Json::String(value) = value else {
                    return Err(format!(
                        "connect.parameters '{key}' is {value}, not a string"
                    ));
                };
                set_param(&mut schema, key, value.clone());
            }
        }
        for (key, value) in props.iter().filter(|(k, _)| k.starts_with("avro")) {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            set_param(&mut schema, key, text);
        }
        let connect_default = props.get("connect.default");
        let default = match field_default {
            None => connect_default,
            Some(field_default) => {
                if meta && connect_default.is_none() {
                    set_param(&mut schema, FIELD_DEFAULT_FLAG, "true".into());
                }
                Some(field_default)
            }
        };
        if let Some(default) = default {
            match default_json(&schema, &shape, default) {
                Ok(Json::Null) => {}
                Ok(json) => schema.default = Some(json),
                // As Confluent: a default that does not fit is dropped, with a warning.
                Err(e) => {
                    tracing::warn!(schema = ?schema.name, error = %e, "ignoring an Avro default that does not fit its schema")
                }
            }
        }
        let name = match props.get("connect.name") {
            Some(Json::String(name)) => Some(name.clone()),
            Some(other) => return Err(format!("connect.name {other} is not a string")),
            None if kind == "fixed" && schema.name.as_deref() == Some(DECIMAL) => None,
            None => full,
        };
        if let Some(name) = name.filter(|n| !n.starts_with(DEFAULT_NAME_PREFIX)) {
            match &schema.name {
                Some(existing) if *existing != name => {
                    return Err(format!(
                        "connect.name {name} differs from the logical type {existing}"
                    ))
                }
                _ => schema.name = Some(name),
            }
        }
        if force_optional {
            schema.optional = true;
        }
        Ok((schema, shape))
    }

    /// Records a named type's definition; its full name.
    fn define(&mut self, props: &Map<String, Json>, ns: Option<&str>) -> Result<String, String> {
        let full = full_name(props, ns)?;
        self.named.insert(full.clone(), Json::Object(props.clone()));
        Ok(full)
    }

    fn record(&mut self, full: &str, props: &Map<String, Json>) -> Result<(Schema, Shape), String> {
        let meta = self.options.connect_meta_data;
        let ns = namespace_of(full).map(str::to_string);
        let mut schema = Schema::of(SchemaType::Struct);
        if meta {
            if let Some(doc) = props.get("doc").and_then(Json::as_str) {
                schema = schema.param(RECORD_DOC_PARAM, doc);
            }
        }
        let fields = props
            .get("fields")
            .and_then(Json::as_array)
            .ok_or_else(|| format!("record {full} has no \"fields\" array"))?;
        self.in_progress.insert(full.to_string());
        let mut shapes = Vec::with_capacity(fields.len());
        for field in fields {
            let name = field
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| format!("a field of record {full} has no \"name\""))?;
            if meta {
                if let Some(doc) = field.get("doc").and_then(Json::as_str) {
                    schema = schema.param(format!("{FIELD_DOC_PREFIX}{name}"), doc);
                }
            }
            let field_type = field
                .get("type")
                .ok_or_else(|| format!("field '{name}' of record {full} has no \"type\""))?;
            let (mut field_schema, field_shape) = self
                .derive(field_type, ns.as_deref(), false, field.get("default"))
                .map_err(|e| format!("field '{name}': {e}"))?;
            if let (true, Some(Json::Object(params))) = (meta, field.get("connect.parameters")) {
                for (key, value) in params {
                    if let Some(value) = value.as_str() {
                        set_param(&mut field_schema, key, value.to_string());
                    }
                }
            }
            schema.fields.push(Field {
                name: name.to_string(),
                schema: Arc::new(field_schema),
            });
            shapes.push(field_shape);
        }
        self.in_progress.remove(full);
        Ok((schema, Shape::Struct(shapes)))
    }

    fn is_map_entry(&self, definition: &Json, ns: Option<&str>) -> bool {
        let Some(props) = definition.as_object() else {
            return false;
        };
        if props.get("type").and_then(Json::as_str) != Some("record") {
            return false;
        }
        let full = full_name(props, ns).unwrap_or_default();
        full == format!("{NAMESPACE}.MapEntry")
            || props.get("connect.internal.type").and_then(Json::as_str) == Some("MapEntry")
    }

    /// A map written as an array of key/value records.
    fn map_entries(
        &mut self,
        items: &Json,
        entry: &Json,
        ns: Option<&str>,
    ) -> Result<(Schema, Shape), String> {
        let props = entry.as_object().ok_or("a MapEntry is not a record")?;
        let full = full_name(props, ns)?;
        if items.is_object() {
            self.named.insert(full.clone(), entry.clone());
        }
        let fields = props
            .get("fields")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let part = |name: &str| {
            fields
                .iter()
                .find(|f| f.get("name").and_then(Json::as_str) == Some(name))
                .and_then(|f| f.get("type"))
        };
        let (Some(key), Some(value), 2) = (part("key"), part("value"), fields.len()) else {
            return Err(format!("{full} is a map as an array of key/value records, but its fields are not exactly key and value"));
        };
        let entry_ns = namespace_of(&full).map(str::to_string);
        let (key, key_shape) = self.derive(key, entry_ns.as_deref(), false, None)?;
        let (value, value_shape) = self.derive(value, entry_ns.as_deref(), false, None)?;
        Ok((
            Schema::map(key, value),
            Shape::Map(Box::new(key_shape), Box::new(value_shape)),
        ))
    }

    fn union(&mut self, members: &[Json], ns: Option<&str>) -> Result<(Schema, Shape), String> {
        let is_null = |m: &Json| m == "null" || m.get("type").is_some_and(|t| t == "null");
        match members {
            [only] => return self.derive(only, ns, false, None),
            [a, b] if is_null(a) || is_null(b) => {
                let other = if is_null(a) { b } else { a };
                return self.derive(other, ns, true, None);
            }
            _ => {}
        }
        let mut schema = Schema::record(UNION_NAME);
        let mut null_at = None;
        let mut shapes = Vec::new();
        for (index, member) in members.iter().enumerate() {
            if is_null(member) {
                schema.optional = true;
                null_at = Some(index as u32);
                continue;
            }
            let name = self.member_name(member, ns)?;
            if schema.field_index(&name).is_some() {
                return Err(format!(
                    "two branches of a union have the Connect field name '{name}'"
                ));
            }
            let (member_schema, member_shape) = self.derive(member, ns, true, None)?;
            schema = schema.field(name, member_schema);
            shapes.push(member_shape);
        }
        Ok((
            schema,
            Shape::Union {
                null_at,
                members: shapes,
            },
        ))
    }

    /// `AvroData.unionMemberFieldName`: a named type's name (the full one with
    /// `enhanced.avro.schema.support`), else the Avro type name.
    fn member_name(&self, member: &Json, ns: Option<&str>) -> Result<String, String> {
        let definition = self
            .definition(member, ns)
            .ok_or("a union branch refers to an undefined type")?;
        let kind = match &definition {
            Json::String(kind) => kind.clone(),
            Json::Object(props) => props
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => return Err("a union inside a union".into()),
        };
        if matches!(kind.as_str(), "record" | "enum" | "fixed") {
            let props = definition
                .as_object()
                .ok_or("a named type is not an object")?;
            let full = match member {
                Json::String(name) => self.resolve(name, ns)?.0,
                _ => full_name(props, ns)?,
            };
            return Ok(if self.options.enhanced_schema_support {
                full
            } else {
                short_name(&full).to_string()
            });
        }
        Ok(kind)
    }
}

/// An Avro default (JSON, bytes as ISO-8859-1 text) in the JSON form Connect schemas
/// here keep defaults in (bytes in base64, as JsonConverter writes them).
fn default_json(schema: &Schema, shape: &Shape, default: &Json) -> Result<Json, String> {
    if default.is_null() {
        return Ok(Json::Null);
    }
    let mismatch = || format!("{default} is not a {} value", schema.kind.json_name());
    Ok(match schema.kind {
        SchemaType::Int8 | SchemaType::Int16 | SchemaType::Int32 | SchemaType::Int64 => {
            default.as_i64().map(Json::from).ok_or_else(mismatch)?
        }
        SchemaType::Float32 | SchemaType::Float64 if default.is_number() => default.clone(),
        SchemaType::Boolean if default.is_boolean() => default.clone(),
        SchemaType::String if default.is_string() => default.clone(),
        SchemaType::Bytes => {
            let text = default.as_str().ok_or_else(mismatch)?;
            let bytes = text
                .chars()
                .map(|c| {
                    u8::try_from(u32::from(c)).map_err(|_| {
                        format!("the bytes default {default} has a character above U+00FF")
                    })
                })
                .collect::<Result<Vec<u8>, String>>()?;
            Json::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        SchemaType::Array => {
            let (Some(items), Shape::Array(item_shape)) = (schema.items.as_deref(), shape) else {
                return Err(mismatch());
            };
            let values = default.as_array().ok_or_else(mismatch)?;
            Json::Array(
                values
                    .iter()
                    .map(|v| default_json(items, item_shape, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        SchemaType::Map => {
            let (Some(keys), Some(values), Shape::Map(key_shape, value_shape)) =
                (schema.keys.as_deref(), schema.values.as_deref(), shape)
            else {
                return Err(mismatch());
            };
            match default {
                Json::Object(entries) => Json::Object(
                    entries
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), default_json(values, value_shape, v)?)))
                        .collect::<Result<_, String>>()?,
                ),
                Json::Array(entries) => Json::Array(
                    entries
                        .iter()
                        .map(|entry| {
                            let part = |name| entry.get(name).unwrap_or(&Json::Null);
                            Ok(Json::Array(vec![
                                default_json(keys, key_shape, part("key"))?,
                                default_json(values, value_shape, part("value"))?,
                            ]))
                        })
                        .collect::<Result<_, String>>()?,
                ),
                _ => return Err(mismatch()),
            }
        }
        SchemaType::Struct => {
            let (Shape::Struct(shapes), Json::Object(values)) = (shape, default) else {
                return Err(format!(
                    "{default} is not a default Connect can keep for this struct"
                ));
            };
            Json::Object(
                schema
                    .fields
                    .iter()
                    .zip(shapes)
                    .map(|(f, s)| {
                        let v = values.get(&f.name).unwrap_or(&Json::Null);
                        Ok((f.name.clone(), default_json(&f.schema, s, v)?))
                    })
                    .collect::<Result<_, String>>()?,
            )
        }
        _ => return Err(mismatch()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::schema::avro_schema;
    use crate::test_events::envelope;
    use serde_json::json;

    fn read(avro: Json) -> Schema {
        apache_avro::Schema::parse(&avro).unwrap_or_else(|e| panic!("{e}: {avro}"));
        let read = read_schema(&avro, AvroDataOptions::default())
            .unwrap_or_else(|e| panic!("{e}: {avro}"));
        Arc::try_unwrap(read.schema).unwrap()
    }

    #[test]
    fn the_writer_s_schemas_read_back_equal() {
        let schema = envelope();
        let avro = avro_schema(&schema, AvroDataOptions::default());
        assert_eq!(read(avro), *schema);
        let key = Schema::record("server.public.t.Key").field("id", Schema::of(SchemaType::Int64));
        assert_eq!(read(avro_schema(&key, AvroDataOptions::default())), key);
        // Top-level optional primitives, and structs without a name.
        for schema in [
            Schema::of(SchemaType::String).optional(),
            Schema::of(SchemaType::Int16),
            Schema::of(SchemaType::Struct).field(
                "a",
                Schema::of(SchemaType::Struct)
                    .field("b", Schema::of(SchemaType::Int8))
                    .optional(),
            ),
            Schema::map(
                Schema::of(SchemaType::String).optional(),
                Schema::of(SchemaType::Int64),
            )
            .named("my.Map"),
            Schema::of(SchemaType::Bytes)
                .named("my.Hash")
                .param("connect.fixed.size", "4"),
        ] {
            assert_eq!(
                read(avro_schema(&schema, AvroDataOptions::default())),
                schema
            );
        }
    }

    #[test]
    fn enums_are_strings_with_their_symbols_as_parameters() {
        let enhanced = AvroDataOptions {
            enhanced_schema_support: true,
            ..AvroDataOptions::default()
        };
        let colour = Schema::of(SchemaType::String)
            .named("shop.Colour")
            .param(ENUM_PARAM, "shop.Colour")
            .param(format!("{ENUM_PARAM}.RED"), "RED")
            .param(format!("{ENUM_PARAM}.BLUE"), "BLUE");
        let avro = avro_schema(&colour, enhanced);
        assert_eq!(avro["type"], json!("enum"));
        let back = read_schema(&avro, enhanced).unwrap();
        assert_eq!(*back.schema, colour);
        // Without connect.* properties: the enum's own name and symbols.
        let plain = read(
            json!({"type": "enum", "name": "Size", "namespace": "shop", "symbols": ["S", "M"], "doc": "sizes"}),
        );
        assert_eq!(plain.name.as_deref(), Some("shop.Size"));
        assert_eq!(
            plain.parameters,
            vec![
                (
                    "io.confluent.connect.avro.enum.doc.Size".to_string(),
                    "sizes".to_string()
                ),
                (ENUM_PARAM.to_string(), "shop.Size".to_string()),
                (format!("{ENUM_PARAM}.S"), "S".to_string()),
                (format!("{ENUM_PARAM}.M"), "M".to_string()),
            ]
        );
    }

    #[test]
    fn schemas_of_other_writers_read_as_confluent_reads_them() {
        let schema = read(json!({
            "type": "record", "name": "Row", "namespace": "x", "doc": "a row",
            "fields": [
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                {"name": "d", "type": {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}},
                {"name": "raw", "type": "bytes", "default": "\u{ff}\u{0}", "doc": "raw bytes"},
                {"name": "n", "type": "int", "default": 5},
                {"name": "next", "type": ["null", {"type": "record", "name": "Row2", "fields": [{"name": "v", "type": "int"}]}]},
                {"name": "either", "type": ["null", "int", "string", "Row2"], "default": null},
                {"name": "list", "type": {"type": "array", "items": {"type": "record", "name": "MapEntry", "namespace": "io.confluent.connect.avro",
                    "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": "string"}]}}},
                {"name": "single", "type": ["long"]}
            ]
        }));
        assert_eq!(schema.name.as_deref(), Some("x.Row"));
        assert_eq!(schema.parameter(RECORD_DOC_PARAM), Some("a row"));
        assert_eq!(
            schema.parameter("io.confluent.connect.avro.field.doc.raw"),
            Some("raw bytes")
        );
        let field = |name: &str| {
            schema.fields[schema.field_index(name).unwrap()]
                .schema
                .clone()
        };
        assert_eq!(*field("id"), Schema::of(SchemaType::String));
        assert_eq!(*field("at"), Schema::of(SchemaType::Int64));
        let d = field("d");
        assert_eq!(d.name.as_deref(), Some(DECIMAL));
        assert_eq!(
            d.parameters,
            vec![
                ("scale".to_string(), "4".to_string()),
                (PRECISION_PARAM.to_string(), "18".to_string()),
                ("connect.fixed.size".to_string(), "8".to_string()),
            ]
        );
        // An Avro field default: flagged, and bytes in base64 as Connect keeps them.
        let raw = field("raw");
        assert_eq!(raw.default, Some(json!("/wA=")));
        assert_eq!(raw.parameter(FIELD_DEFAULT_FLAG), Some("true"));
        assert_eq!(field("n").default, Some(json!(5)));
        let either = field("either");
        assert_eq!(either.name.as_deref(), Some(UNION_NAME));
        assert!(either.optional);
        let names: Vec<_> = either.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["int", "string", "Row2"]);
        assert!(either.fields.iter().all(|f| f.schema.optional));
        assert_eq!(field("next").name.as_deref(), Some("x.Row2"));
        let list = field("list");
        assert_eq!(list.kind, SchemaType::Map);
        assert_eq!(
            list.keys.as_deref().map(|k| k.kind),
            Some(SchemaType::Int32)
        );
        assert_eq!(*field("single"), Schema::of(SchemaType::Int64));
    }

    #[test]
    fn schemas_without_a_connect_form_are_refused_by_name() {
        let options = AvroDataOptions::default();
        let e = read_schema(
            &json!({"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}),
            options,
        )
        .unwrap_err();
        assert!(e.contains("Node contains itself"), "{e}");
        let e =
            read_schema(&json!({"type": "int", "connect.type": "int128"}), options).unwrap_err();
        assert!(e.contains("int128"), "{e}");
        let e = read_schema(
            &json!({"type": "int", "logicalType": "date", "connect.version": 2}),
            options,
        )
        .unwrap_err();
        assert!(e.contains("connect.version 2"), "{e}");
        let e = read_schema(&json!("null"), options).unwrap_err();
        assert!(e.contains("standalone null"), "{e}");
    }
}
