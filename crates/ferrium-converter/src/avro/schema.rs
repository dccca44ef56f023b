//! Connect schemas to Avro schemas, by the rules of Confluent's `AvroData.fromConnectSchema`,
//! so a consumer sees the same Avro schema whether Ferrium or Kafka Connect's
//! `AvroConverter` wrote the topic: record names and namespaces from the Connect name,
//! `connect.*` properties, `["null", T]` for optional values (`[T, "null"]` when the
//! Connect schema has a default, which becomes the field default), `int8`/`int16` as
//! `int` with `connect.type`, and logical types only for Connect's own `Decimal`, `Date`,
//! `Time` and `Timestamp`.

use std::collections::HashSet;

use base64::Engine as _;
use ferrium_event::{Schema, SchemaType};
use serde_json::{json, Map, Value as Json};

pub const NAMESPACE: &str = "io.confluent.connect.avro";
const DEFAULT_NAME: &str = "ConnectDefault";
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const PRECISION_PARAM: &str = "connect.decimal.precision";
const DEFAULT_PRECISION: u32 = 64;
const ENUM_PARAM: &str = "io.confluent.connect.avro.Enum";
const FIELD_DOC_PREFIX: &str = "io.confluent.connect.avro.field.doc.";
const RECORD_DOC_PARAM: &str = "io.confluent.connect.avro.record.doc";
const FIELD_DEFAULT_FLAG: &str = "io.confluent.connect.avro.field.default";
const FIXED_SIZE_PARAM: &str = "connect.fixed.size";

/// The `AvroData` options that shape schemas (`AvroDataConfig` names and defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvroDataOptions {
    /// `connect.meta.data` (true): the `connect.*` properties.
    pub connect_meta_data: bool,
    /// `enhanced.avro.schema.support` (false): enums from `io.confluent.connect.avro.Enum`.
    pub enhanced_schema_support: bool,
    /// `scrub.invalid.names` (false): names made valid for Avro.
    pub scrub_invalid_names: bool,
    /// `ignore.default.for.nullables` (false): a null in an optional field with a default
    /// stays null instead of being written as the default (Connect's `Struct.get`).
    pub ignore_default_for_nullables: bool,
}

impl Default for AvroDataOptions {
    fn default() -> Self {
        AvroDataOptions {
            connect_meta_data: true,
            enhanced_schema_support: false,
            scrub_invalid_names: false,
            ignore_default_for_nullables: false,
        }
    }
}

/// The Avro schema of a Connect schema, as JSON ready to register.
pub fn avro_schema(schema: &Schema, options: AvroDataOptions) -> Json {
    let mut builder = Builder {
        options,
        seen: HashSet::new(),
        unnamed: 0,
    };
    builder.schema(schema, false)
}

struct Builder {
    options: AvroDataOptions,
    /// Full names of the named types written so far: a repeated one is written by name,
    /// as Avro requires (a name may be defined once per schema).
    seen: HashSet<String>,
    /// Unnamed structs seen so far, for `ConnectDefault`, `ConnectDefault2`, ….
    unnamed: u32,
}

impl Builder {
    fn schema(&mut self, schema: &Schema, ignore_optional: bool) -> Json {
        if schema.kind == SchemaType::Struct {
            return self.struct_schema(schema, ignore_optional);
        }
        let mut connect_type = None;
        let mut base = match schema.kind {
            SchemaType::Int8 => {
                connect_type = Some("int8");
                object("int")
            }
            SchemaType::Int16 => {
                connect_type = Some("int16");
                object("int")
            }
            SchemaType::Int32 => object("int"),
            SchemaType::Int64 => object("long"),
            SchemaType::Float32 => object("float"),
            SchemaType::Float64 => object("double"),
            SchemaType::Boolean => object("boolean"),
            SchemaType::String if self.options.enhanced_schema_support && is_enum(schema) => {
                // The enum's name is the parameter's value, not the Connect name.
                let named_by_param = schema
                    .clone()
                    .named(schema.parameter(ENUM_PARAM).unwrap_or_default());
                match self.named(&named_by_param, "enum") {
                    Ok(mut e) => {
                        let symbols: Vec<Json> = schema
                            .parameters
                            .iter()
                            .filter_map(|(k, _)| k.strip_prefix(ENUM_PARAM)?.strip_prefix('.'))
                            .map(|s| Json::String(s.to_string()))
                            .collect();
                        e.insert("symbols".into(), Json::Array(symbols));
                        e
                    }
                    Err(reference) => return self.optional(schema, reference, ignore_optional),
                }
            }
            SchemaType::String => object("string"),
            SchemaType::Bytes
                if schema.name.is_some() && schema.parameter(FIXED_SIZE_PARAM).is_some() =>
            {
                match self.named(schema, "fixed") {
                    Ok(mut f) => {
                        let size = schema
                            .parameter(FIXED_SIZE_PARAM)
                            .and_then(|s| s.parse::<u64>().ok())
                            .unwrap_or(0);
                        f.insert("size".into(), json!(size));
                        f
                    }
                    Err(reference) => return self.optional(schema, reference, ignore_optional),
                }
            }
            SchemaType::Bytes => object("bytes"),
            SchemaType::Array => {
                let items = schema
                    .items
                    .as_deref()
                    .map_or(json!("null"), |items| self.schema(items, false));
                let mut array = object("array");
                array.insert("items".into(), items);
                array
            }
            SchemaType::Map => self.map_schema(schema),
            SchemaType::Struct => unreachable!("structs are built by struct_schema"),
        };
        if schema.kind == SchemaType::Bytes && schema.name.as_deref() == Some(DECIMAL) {
            let scale = decimal_scale(schema);
            base.insert("scale".into(), json!(scale));
            base.insert("precision".into(), json!(decimal_precision(schema)));
        }
        self.annotate(&mut base, schema, connect_type);
        if let Some(name) = schema.name.as_deref() {
            let logical = match name {
                DECIMAL => Some("decimal"),
                TIME => Some("time-millis"),
                TIMESTAMP => Some("timestamp-millis"),
                DATE => Some("date"),
                _ => None,
            };
            if let Some(logical) = logical {
                base.insert("logicalType".into(), json!(logical));
            }
        }
        for (key, value) in &schema.parameters {
            if key.starts_with("avro") {
                base.insert(key.clone(), json!(value));
            }
        }
        self.optional(schema, Json::Object(base), ignore_optional)
    }

    fn struct_schema(&mut self, schema: &Schema, ignore_optional: bool) -> Json {
        if schema.optional {
            // A union cannot carry properties: they go on the record inside it, which is
            // always second, whatever the default.
            let record = self.struct_schema(&schema.clone().required(), true);
            if ignore_optional {
                return record;
            }
            return json!(["null", record]);
        }
        let mut record = match self.named(schema, "record") {
            Ok(record) => record,
            Err(reference) => return reference,
        };
        if let Some(doc) = schema.parameter(RECORD_DOC_PARAM) {
            record.insert("doc".into(), json!(doc));
        }
        let mut fields = Vec::with_capacity(schema.fields.len());
        for field in &schema.fields {
            let mut f = Map::new();
            f.insert("name".into(), json!(self.scrub(&field.name)));
            if let Some(doc) = schema.parameter(&format!("{FIELD_DOC_PREFIX}{}", field.name)) {
                f.insert("doc".into(), json!(doc));
            }
            f.insert("type".into(), self.schema(&field.schema, false));
            if let Some(default) = &field.schema.default {
                f.insert("default".into(), avro_default(&field.schema, default));
            } else if field.schema.optional {
                f.insert("default".into(), Json::Null);
            }
            fields.push(Json::Object(f));
        }
        record.insert("fields".into(), Json::Array(fields));
        self.annotate(&mut record, schema, None);
        Json::Object(record)
    }

    fn map_schema(&mut self, schema: &Schema) -> Map<String, Json> {
        let keys = schema.keys.as_deref();
        let values = schema.values.as_deref();
        let values_schema = |b: &mut Builder| values.map_or(json!("null"), |v| b.schema(v, false));
        if keys.is_some_and(|k| k.kind == SchemaType::String && !k.optional) {
            let mut map = object("map");
            map.insert("values".into(), values_schema(self));
            return map;
        }
        // Avro maps have string keys only; other maps are arrays of key/value records.
        let mut entry = match &schema.name {
            None => {
                let mut entry = Map::new();
                entry.insert("type".into(), json!("record"));
                entry.insert("name".into(), json!("MapEntry"));
                entry.insert("namespace".into(), json!(NAMESPACE));
                entry
            }
            Some(_) => match self.named(schema, "record") {
                Ok(mut entry) => {
                    entry.insert("connect.internal.type".into(), json!("MapEntry"));
                    entry
                }
                Err(reference) => {
                    let mut array = object("array");
                    array.insert("items".into(), reference);
                    return array;
                }
            },
        };
        let mut fields = Vec::new();
        for (name, part) in [("key", keys), ("value", values)] {
            let mut f = Map::new();
            f.insert("name".into(), json!(name));
            f.insert(
                "type".into(),
                part.map_or(json!("null"), |p| self.schema(p, false)),
            );
            if let Some(part) = part {
                if let Some(default) = &part.default {
                    f.insert("default".into(), avro_default(part, default));
                } else if part.optional {
                    f.insert("default".into(), Json::Null);
                }
            }
            fields.push(Json::Object(f));
        }
        entry.insert("fields".into(), Json::Array(fields));
        let mut array = object("array");
        array.insert("items".into(), Json::Object(entry));
        array
    }

    /// A named type's opening (`type`, `name`, `namespace`), or, when the name was
    /// defined earlier in this schema, a reference to it.
    fn named(&mut self, schema: &Schema, kind: &str) -> Result<Map<String, Json>, Json> {
        let (namespace, name) = match schema.name.as_deref() {
            Some(full) => {
                let parts: Vec<String> = full.split('.').map(|p| self.scrub(p)).collect();
                let (name, namespace) = parts.split_last().expect("split yields one part");
                (
                    (!namespace.is_empty()).then(|| namespace.join(".")),
                    name.clone(),
                )
            }
            None => {
                self.unnamed += 1;
                let suffix = if self.unnamed > 1 {
                    self.unnamed.to_string()
                } else {
                    String::new()
                };
                (
                    Some(NAMESPACE.to_string()),
                    format!("{DEFAULT_NAME}{suffix}"),
                )
            }
        };
        let full = match &namespace {
            Some(ns) => format!("{ns}.{name}"),
            None => name.clone(),
        };
        if !self.seen.insert(full.clone()) {
            return Err(Json::String(full));
        }
        let mut named = Map::new();
        named.insert("type".into(), json!(kind));
        named.insert("name".into(), json!(name));
        if let Some(ns) = namespace {
            named.insert("namespace".into(), json!(ns));
        }
        Ok(named)
    }

    /// The `connect.*` properties `connect.meta.data` adds.
    fn annotate(&self, base: &mut Map<String, Json>, schema: &Schema, connect_type: Option<&str>) {
        if !self.options.connect_meta_data {
            return;
        }
        if let Some(doc) = &schema.doc {
            base.insert("connect.doc".into(), json!(doc));
        }
        if let Some(version) = schema.version {
            base.insert("connect.version".into(), json!(version));
        }
        let parameters: Map<String, Json> = schema
            .parameters
            .iter()
            .filter(|(k, _)| k != FIELD_DEFAULT_FLAG)
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if !parameters.is_empty() {
            base.insert("connect.parameters".into(), Json::Object(parameters));
        }
        if let Some(default) = &schema.default {
            if schema.parameter(FIELD_DEFAULT_FLAG).is_none() {
                base.insert("connect.default".into(), avro_default(schema, default));
            }
        }
        if let Some(name) = &schema.name {
            base.insert("connect.name".into(), json!(name));
        }
        if let Some(connect_type) = connect_type {
            base.insert("connect.type".into(), json!(connect_type));
        }
    }

    /// An optional value as a union with null: null first, unless a default is there,
    /// which must then match the first branch.
    fn optional(&self, schema: &Schema, base: Json, ignore_optional: bool) -> Json {
        if !schema.optional || ignore_optional {
            return simplify(base);
        }
        let base = simplify(base);
        if schema.default.is_some() {
            json!([base, "null"])
        } else {
            json!(["null", base])
        }
    }

    fn scrub(&self, name: &str) -> String {
        if self.options.scrub_invalid_names {
            scrub_name(name)
        } else {
            name.to_string()
        }
    }
}

fn object(kind: &str) -> Map<String, Json> {
    let mut map = Map::new();
    map.insert("type".into(), json!(kind));
    map
}

/// `{"type": "int"}` is written `"int"`, as Avro's own schema printer does.
fn simplify(schema: Json) -> Json {
    match schema {
        Json::Object(map) if map.len() == 1 && map.get("type").is_some_and(Json::is_string) => {
            map.into_iter().next().map(|(_, v)| v).unwrap_or(Json::Null)
        }
        other => other,
    }
}

fn is_enum(schema: &Schema) -> bool {
    schema.parameter(ENUM_PARAM).is_some()
}

pub(crate) fn decimal_scale(schema: &Schema) -> i64 {
    schema
        .parameter("scale")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn decimal_precision(schema: &Schema) -> u32 {
    schema
        .parameter(PRECISION_PARAM)
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_PRECISION)
}

/// A Connect default (kept in JsonConverter's form, bytes in base64) in Avro's JSON
/// form: bytes as a string of ISO-8859-1 characters, one per byte.
fn avro_default(schema: &Schema, default: &Json) -> Json {
    match (schema.kind, default) {
        (SchemaType::Bytes, Json::String(text)) => {
            match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(bytes) => Json::String(bytes.iter().map(|&b| char::from(b)).collect()),
                Err(_) => default.clone(),
            }
        }
        (SchemaType::Array, Json::Array(items)) => match schema.items.as_deref() {
            Some(item) => Json::Array(items.iter().map(|v| avro_default(item, v)).collect()),
            None => default.clone(),
        },
        (SchemaType::Struct, Json::Object(values)) => Json::Object(
            schema
                .fields
                .iter()
                .filter_map(|f| {
                    let v = values.get(&f.name)?;
                    Some((f.name.clone(), avro_default(&f.schema, v)))
                })
                .collect(),
        ),
        _ => default.clone(),
    }
}

/// `AvroData.doScrubName`: a name made of `[A-Za-z0-9_]` not starting with a digit is
/// kept; any other is URL-encoded, prefixed with `x` if it starts with a digit, and
/// every character outside that set becomes `_`.
pub fn scrub_name(name: &str) -> String {
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if name.is_empty()
        || (name.chars().all(valid) && !name.starts_with(|c: char| c.is_ascii_digit()))
    {
        return name.to_string();
    }
    // Java's URLEncoder: unreserved `[A-Za-z0-9.*_-]` stay, a space is `+`, the rest
    // `%XX` per UTF-8 byte. Only the length and the digits survive the scrub below,
    // so the exact escape characters matter only through their count.
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'*' | b'_' | b'-' => {
                encoded.push(byte as char)
            }
            b' ' => encoded.push('+'),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    if encoded.starts_with(|c: char| c.is_ascii_digit()) {
        encoded.insert(0, 'x');
    }
    encoded
        .chars()
        .map(|c| if valid(c) { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn derive(schema: &Schema) -> Json {
        let avro = avro_schema(schema, AvroDataOptions::default());
        apache_avro::Schema::parse(&avro).unwrap_or_else(|e| panic!("{e}: {avro}"));
        avro
    }

    fn row() -> Schema {
        Schema::record("server.inventory.customers.Value")
            .field("id", Schema::of(SchemaType::Int32))
            .field("small", Schema::of(SchemaType::Int16).optional())
            .field(
                "status",
                Schema::of(SchemaType::String)
                    .optional()
                    .default_value(json!("new")),
            )
    }

    #[test]
    fn optional_fields_are_unions_with_null_first_unless_they_have_a_default() {
        let avro = derive(&row());
        assert_eq!(
            avro,
            json!({
                "type": "record", "name": "Value", "namespace": "server.inventory.customers",
                "fields": [
                    {"name": "id", "type": "int"},
                    {"name": "small", "type": ["null", {"type": "int", "connect.type": "int16"}], "default": null},
                    {"name": "status", "type": [{"type": "string", "connect.default": "new"}, "null"], "default": "new"}
                ],
                "connect.name": "server.inventory.customers.Value"
            })
        );
    }

    #[test]
    fn an_envelope_defines_its_row_once_and_refers_to_it_after() {
        let value = Arc::new(row().optional());
        let envelope = Schema::record("server.inventory.customers.Envelope")
            .version(2)
            .field("before", value.clone())
            .field("after", value)
            .field("op", Schema::of(SchemaType::String));
        let avro = derive(&envelope);
        assert_eq!(avro["fields"][0]["type"][0], json!("null"));
        assert_eq!(avro["fields"][0]["type"][1]["name"], json!("Value"));
        assert_eq!(avro["fields"][0]["default"], Json::Null);
        assert_eq!(
            avro["fields"][1]["type"],
            json!(["null", "server.inventory.customers.Value"])
        );
        assert_eq!(avro["connect.version"], json!(2));
    }

    #[test]
    fn decimals_dates_and_times_are_logical_types_and_debezium_types_are_not() {
        let decimal = Schema::of(SchemaType::Bytes)
            .named(DECIMAL)
            .version(1)
            .param("scale", "2")
            .param(PRECISION_PARAM, "10");
        assert_eq!(
            derive(&decimal),
            json!({"type": "bytes", "scale": 2, "precision": 10, "connect.version": 1,
                   "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"},
                   "connect.name": DECIMAL, "logicalType": "decimal"})
        );
        let unbounded = Schema::of(SchemaType::Bytes)
            .named(DECIMAL)
            .param("scale", "0");
        assert_eq!(derive(&unbounded)["precision"], json!(64));
        let date = Schema::of(SchemaType::Int32).named(DATE).version(1);
        assert_eq!(derive(&date)["logicalType"], json!("date"));
        let micro = Schema::of(SchemaType::Int64)
            .named("io.debezium.time.MicroTimestamp")
            .version(1);
        assert_eq!(
            derive(&micro),
            json!({"type": "long", "connect.version": 1, "connect.name": "io.debezium.time.MicroTimestamp"})
        );
    }

    #[test]
    fn unnamed_structs_are_connect_defaults_numbered_from_the_second() {
        let inner = Schema::of(SchemaType::Struct).field("a", Schema::of(SchemaType::Int8));
        let outer = Schema::of(SchemaType::Struct)
            .field("x", inner.clone())
            .field("y", inner);
        let avro = derive(&outer);
        assert_eq!(avro["name"], json!("ConnectDefault"));
        assert_eq!(avro["namespace"], json!(NAMESPACE));
        assert_eq!(avro["fields"][0]["type"]["name"], json!("ConnectDefault2"));
        assert_eq!(avro["fields"][1]["type"]["name"], json!("ConnectDefault3"));
    }

    #[test]
    fn maps_with_other_keys_are_arrays_of_entries() {
        let strings = Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::Int64),
        );
        assert_eq!(derive(&strings), json!({"type": "map", "values": "long"}));
        let ints = Schema::map(
            Schema::of(SchemaType::Int32),
            Schema::of(SchemaType::String),
        );
        let avro = derive(&ints);
        assert_eq!(avro["type"], json!("array"));
        assert_eq!(avro["items"]["name"], json!("MapEntry"));
    }

    #[test]
    fn bytes_defaults_are_latin1_strings() {
        let bytes = Schema::of(SchemaType::Bytes)
            .optional()
            .default_value(json!("AP8="));
        let record = Schema::record("r").field("b", bytes);
        assert_eq!(
            derive(&record)["fields"][0]["default"],
            json!("\u{0}\u{ff}")
        );
    }

    #[test]
    fn invalid_names_are_scrubbed_only_when_asked() {
        assert_eq!(scrub_name("valid_Name1"), "valid_Name1");
        assert_eq!(scrub_name("my-server"), "my_server");
        assert_eq!(scrub_name("1abc"), "x1abc");
        assert_eq!(scrub_name("a b"), "a_b");
        assert_eq!(scrub_name("é"), "_C3_A9");
        let record =
            Schema::record("my-server.public.t.Value").field("a-b", Schema::of(SchemaType::Int32));
        let unscrubbed = avro_schema(&record, AvroDataOptions::default());
        assert!(apache_avro::Schema::parse(&unscrubbed).is_err());
        let options = AvroDataOptions {
            scrub_invalid_names: true,
            ..AvroDataOptions::default()
        };
        let scrubbed = avro_schema(&record, options);
        assert_eq!(scrubbed["namespace"], json!("my_server.public.t"));
        assert_eq!(scrubbed["fields"][0]["name"], json!("a_b"));
        apache_avro::Schema::parse(&scrubbed).unwrap();
    }

    #[test]
    fn enums_need_enhanced_support() {
        let e = Schema::of(SchemaType::String)
            .named("Color")
            .param(ENUM_PARAM, "Color")
            .param(format!("{ENUM_PARAM}.RED"), "0")
            .param(format!("{ENUM_PARAM}.BLUE"), "1");
        assert_eq!(derive(&e)["type"], json!("string"));
        let options = AvroDataOptions {
            enhanced_schema_support: true,
            ..AvroDataOptions::default()
        };
        let avro = avro_schema(&e, options);
        assert_eq!(avro["type"], json!("enum"));
        assert_eq!(avro["symbols"], json!(["RED", "BLUE"]));
    }
}
