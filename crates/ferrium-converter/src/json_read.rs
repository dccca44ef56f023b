//! `JsonConverter` reading: the `{"schema": …, "payload": …}` envelope back to Connect
//! data, as Kafka's `JsonConverter.toConnectData` reads it, for sinks.
//!
//! The envelope is split without parsing the schema part: its text is looked up among
//! the schemas seen before (nearly every record of a topic carries the same one), so it
//! is parsed once and each record of it shares one `Arc<Schema>`. The payload is read
//! straight into a [`Value`] by a `serde` seed that walks a plan made from the schema,
//! with no intermediate JSON tree. Floats and decimals are read from their exact text
//! (Rust's float parsing rounds correctly; serde_json's default one may be an ulp off),
//! so every value the writer writes reads back equal. Measured by
//! `examples/json_read.rs` (`cargo run --release -p ferrium-converter --example
//! json_read 200000`): 7.3 µs per 2.5 KB PostgreSQL change event, 137k records/s on one
//! core, most of it spent scanning the schema part.
//!
//! Nulls: a null or missing value of a schema with a default is that default
//! (`replace.null.with.default=true`, Kafka's default), else `Null` when the schema is
//! optional, otherwise an error. With `replace.null.with.default=false` an optional
//! value's null stays null and a required one's is an error even with a default.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use ferrium_event::{ConnectData, Schema, SchemaType, Value};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::decimal_text::decimal_bytes;
use crate::json_schema_read::schema_from_json;
use crate::JsonConverter;

/// How many distinct schema texts are kept parsed (Kafka's `schemas.cache.size` default).
const SCHEMA_CACHE_SIZE: usize = 1000;
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";

/// Parsed schemas by their JSON text, the least recently used dropped past the limit.
#[derive(Default)]
pub(crate) struct ReadCache {
    by_text: HashMap<Box<str>, Slot>,
    /// The last schema used, compared first: cheaper than hashing a long text.
    last: Option<(Box<str>, Arc<Entry>)>,
    tick: u64,
}

struct Slot {
    entry: Arc<Entry>,
    used: u64,
}

struct Entry {
    schema: Arc<Schema>,
    plan: Plan,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(borrow)]
    schema: Option<&'a RawValue>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

impl JsonConverter {
    /// Reads key or value bytes; `None` (a tombstone or a null key) stays `None`.
    ///
    /// Only records with schemas can be read: a sink needs the schema, so with
    /// `schemas.enable=false`, or bytes that are not an envelope, this fails saying so.
    pub fn to_connect(&mut self, bytes: Option<&[u8]>) -> Result<Option<ConnectData>, String> {
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let role = &self.role;
        if !self.schemas_enable {
            return Err(format!(
                "{role}.schemas.enable=false: records read this way have no schema, and a sink needs one; set {role}.schemas.enable=true here, and on the source connector that writes the topic"
            ));
        }
        let no_schema = |why: &str| {
            format!(
                "the record has no schema ({why}); it was written with schemas.enable=false, but Kafka Connect sinks such as Debezium's JDBC sink need schemas: set {role}.schemas.enable=true on the source connector that writes the topic"
            )
        };
        // serde would take a two-element array for the envelope struct too.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return match serde_json::from_slice::<IgnoredAny>(bytes) {
                Ok(_) => Err(no_schema(
                    "it is JSON, but not a {\"schema\": …, \"payload\": …} object",
                )),
                Err(e) => Err(format!("the record is not valid JSON: {e}")),
            };
        }
        let envelope: Envelope = match serde_json::from_slice(bytes) {
            Ok(envelope) => envelope,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                return Err(no_schema(&format!(
                    "it is not a {{\"schema\": …, \"payload\": …}} envelope: {}",
                    without_position(&e.to_string())
                )))
            }
            Err(e) => return Err(format!("the record is not valid JSON: {e}")),
        };
        let Some(schema_text) = envelope.schema.map(RawValue::get) else {
            return Err(no_schema("its \"schema\" is null"));
        };
        let entry = self
            .read_cache
            .entry(schema_text, self.replace_null_with_default)?;
        let mut payload = serde_json::Deserializer::from_str(envelope.payload.get());
        let value = Read(&entry.plan).deserialize(&mut payload).map_err(|e| {
            format!(
                "the payload does not fit its schema: {}",
                without_position(&e.to_string())
            )
        })?;
        Ok(Some(ConnectData::new(entry.schema.clone(), value)))
    }
}

impl ReadCache {
    /// The parsed schema for `text`; `replace` is the converter's fixed
    /// `replace.null.with.default`, so it is not part of the key.
    fn entry(&mut self, text: &str, replace: bool) -> Result<Arc<Entry>, String> {
        if let Some((last, entry)) = &self.last {
            if **last == *text {
                return Ok(entry.clone());
            }
        }
        self.tick += 1;
        let entry = match self.by_text.get_mut(text) {
            Some(slot) => {
                slot.used = self.tick;
                slot.entry.clone()
            }
            None => {
                let json: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| format!("the record's schema is not valid JSON: {e}"))?;
                let schema = schema_from_json(&json)
                    .map_err(|e| format!("the record's schema is not a Connect schema: {e}"))?;
                let plan = Plan::of(&schema, replace)
                    .map_err(|e| format!("the record's schema is not a Connect schema: {e}"))?;
                let entry = Arc::new(Entry {
                    schema: Arc::new(schema),
                    plan,
                });
                if self.by_text.len() >= SCHEMA_CACHE_SIZE {
                    let oldest = self
                        .by_text
                        .iter()
                        .min_by_key(|(_, slot)| slot.used)
                        .map(|(text, _)| text.clone());
                    if let Some(oldest) = oldest {
                        self.by_text.remove(&oldest);
                    }
                }
                self.by_text.insert(
                    text.into(),
                    Slot {
                        entry: entry.clone(),
                        used: self.tick,
                    },
                );
                entry
            }
        };
        self.last = Some((text.into(), entry.clone()));
        Ok(entry)
    }
}

/// serde_json appends " at line L column C" to its messages; the columns of the payload
/// alone would mislead, and nested fields would repeat them.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

/// What reading a value of one schema needs, worked out once per schema.
struct Plan {
    kind: SchemaType,
    /// For `Decimal`: its scale.
    decimal_scale: Option<i64>,
    /// What a null or missing value reads as; `None` when it is an error.
    null: Option<Value>,
    fields: Vec<(String, Plan)>,
    items: Option<Box<Plan>>,
    keys: Option<Box<Plan>>,
    values: Option<Box<Plan>>,
}

impl Plan {
    fn of(schema: &Schema, replace: bool) -> Result<Plan, String> {
        let child = |s: &Option<Arc<Schema>>| -> Result<Option<Box<Plan>>, String> {
            s.as_deref()
                .map(|s| Plan::of(s, replace).map(Box::new))
                .transpose()
        };
        let decimal_scale = match (schema.kind, schema.name.as_deref()) {
            (SchemaType::Bytes, Some(DECIMAL)) => Some(
                schema
                    .parameter("scale")
                    .unwrap_or("0")
                    .parse::<i64>()
                    .map_err(|_| "a Decimal schema's scale is not an integer".to_string())?,
            ),
            _ => None,
        };
        let mut plan = Plan {
            kind: schema.kind,
            decimal_scale,
            null: None,
            fields: schema
                .fields
                .iter()
                .map(|f| {
                    Ok((
                        f.name.clone(),
                        Plan::of(&f.schema, replace)
                            .map_err(|e| format!("field '{}': {e}", f.name))?,
                    ))
                })
                .collect::<Result<_, String>>()?,
            items: child(&schema.items)?,
            keys: child(&schema.keys)?,
            values: child(&schema.values)?,
        };
        if let Some(default) = &schema.default {
            let text = default.to_string();
            let mut de = serde_json::Deserializer::from_str(&text);
            let value = Read(&plan).deserialize(&mut de).map_err(|e| {
                format!(
                    "the default {text} does not fit its {} schema: {}",
                    schema.kind.json_name(),
                    without_position(&e.to_string())
                )
            })?;
            if replace {
                plan.null = Some(value);
            }
        }
        if schema.optional && plan.null.is_none() {
            plan.null = Some(Value::Null);
        }
        Ok(plan)
    }

    fn null<E: de::Error>(&self) -> Result<Value, E> {
        self.null.clone().ok_or_else(|| {
            E::custom(format!(
                "a null for a required {} value",
                self.kind.json_name()
            ))
        })
    }
}

/// Reads one value of a plan.
struct Read<'p>(&'p Plan);

impl<'de> DeserializeSeed<'de> for Read<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let plan = self.0;
        match plan.kind {
            SchemaType::Float32 | SchemaType::Float64 => {
                let text = <&RawValue>::deserialize(d)?.get();
                read_float(plan, text)
            }
            SchemaType::Bytes if plan.decimal_scale.is_some() => {
                let text = <&RawValue>::deserialize(d)?.get();
                read_decimal(plan, text)
            }
            _ => d.deserialize_any(Visit(plan)),
        }
    }
}

/// A float from its text: a number, or the strings Jackson writes for non-finite ones.
fn read_float<E: de::Error>(plan: &Plan, text: &str) -> Result<Value, E> {
    let wide = match text {
        "null" => return plan.null(),
        "\"NaN\"" => f64::NAN,
        "\"Infinity\"" => f64::INFINITY,
        "\"-Infinity\"" => f64::NEG_INFINITY,
        _ if plan.kind == SchemaType::Float32 => {
            return text
                .parse::<f32>()
                .map(Value::Float32)
                .map_err(|_| E::custom(format!("{text} is not a float")))
        }
        _ => {
            return text
                .parse::<f64>()
                .map(Value::Float64)
                .map_err(|_| E::custom(format!("{text} is not a double")))
        }
    };
    Ok(match plan.kind {
        SchemaType::Float32 => Value::Float32(wide as f32),
        _ => Value::Float64(wide),
    })
}

/// A `Decimal`: base64 of the unscaled two's-complement bytes, or (`decimal.format=NUMERIC`)
/// a number, which Kafka's reader accepts whatever the option.
fn read_decimal<E: de::Error>(plan: &Plan, text: &str) -> Result<Value, E> {
    if text == "null" {
        return plan.null();
    }
    if text.starts_with('"') {
        let encoded: String = serde_json::from_str(text).map_err(E::custom)?;
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map(Value::Bytes)
            .map_err(|e| E::custom(format!("a Decimal that is not base64: {e}")));
    }
    decimal_bytes(text, plan.decimal_scale.unwrap_or(0))
        .map(Value::Bytes)
        .map_err(E::custom)
}

struct Visit<'p>(&'p Plan);

impl Visit<'_> {
    fn int<E: de::Error>(&self, v: i128) -> Result<Value, E> {
        let out_of_range = || {
            E::custom(format!(
                "{v} is out of range for {}",
                self.0.kind.json_name()
            ))
        };
        Ok(match self.0.kind {
            SchemaType::Int8 => Value::Int8(i8::try_from(v).map_err(|_| out_of_range())?),
            SchemaType::Int16 => Value::Int16(i16::try_from(v).map_err(|_| out_of_range())?),
            SchemaType::Int32 => Value::Int32(i32::try_from(v).map_err(|_| out_of_range())?),
            SchemaType::Int64 => Value::Int64(i64::try_from(v).map_err(|_| out_of_range())?),
            _ => {
                return Err(E::invalid_type(
                    de::Unexpected::Other(&format!("the number {v}")),
                    self,
                ))
            }
        })
    }
}

impl<'de> Visitor<'de> for Visit<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0.kind {
            SchemaType::Struct => f.write_str("a struct (a JSON object)"),
            SchemaType::Map
                if self
                    .0
                    .keys
                    .as_ref()
                    .is_some_and(|k| k.kind == SchemaType::String) =>
            {
                f.write_str("a map (a JSON object)")
            }
            SchemaType::Map => f.write_str("a map (a JSON array of [key, value] pairs)"),
            SchemaType::Bytes => f.write_str("bytes (a base64 string)"),
            kind => write!(f, "a value of type {}", kind.json_name()),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.null()
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.0.null()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        match self.0.kind {
            SchemaType::Boolean => Ok(Value::Boolean(v)),
            _ => Err(E::invalid_type(de::Unexpected::Bool(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.int(i128::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.int(i128::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Err(E::invalid_type(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        match self.0.kind {
            SchemaType::String => Ok(Value::String(v.to_string())),
            SchemaType::Bytes => base64::engine::general_purpose::STANDARD
                .decode(v)
                .map(Value::Bytes)
                .map_err(|e| E::custom(format!("bytes that are not base64: {e}"))),
            _ => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        match self.0.kind {
            SchemaType::String => Ok(Value::String(v)),
            _ => self.visit_str(&v),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let plan = self.0;
        match (plan.kind, &plan.items, &plan.keys, &plan.values) {
            (SchemaType::Array, Some(items), _, _) => {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element_seed(Read(items))? {
                    out.push(item);
                }
                Ok(Value::Array(out))
            }
            (SchemaType::Map, _, Some(keys), Some(values)) if keys.kind != SchemaType::String => {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(pair) = seq.next_element_seed(Pair(keys, values))? {
                    out.push(pair);
                }
                Ok(Value::Map(out))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let plan = self.0;
        match (plan.kind, &plan.keys, &plan.values) {
            (SchemaType::Struct, _, _) => {
                let mut values: Vec<Option<Value>> = vec![None; plan.fields.len()];
                let mut next = 0;
                while let Some(found) = map.next_key_seed(FieldKey { plan, next })? {
                    let Some(index) = found else {
                        // Kafka reads the schema's fields and ignores any other.
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    let (name, field) = &plan.fields[index];
                    let value = map.next_value_seed(Read(field)).map_err(|e| {
                        de::Error::custom(format!(
                            "field '{name}': {}",
                            without_position(&e.to_string())
                        ))
                    })?;
                    values[index] = Some(value);
                    next = index + 1;
                }
                values
                    .into_iter()
                    .zip(&plan.fields)
                    .map(|(value, (name, field))| match value {
                        Some(value) => Ok(value),
                        None => field.null().map_err(|e: A::Error| {
                            de::Error::custom(format!("field '{name}' is missing: {e}"))
                        }),
                    })
                    .collect::<Result<_, _>>()
                    .map(Value::Struct)
            }
            (SchemaType::Map, Some(keys), Some(values)) if keys.kind == SchemaType::String => {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(Read(values))?;
                    out.push((Value::String(key), value));
                }
                Ok(Value::Map(out))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// A struct's key: the index of its field, `None` for a key the schema does not have.
/// Fields usually come in schema order, so the expected one is tried first.
struct FieldKey<'p> {
    plan: &'p Plan,
    next: usize,
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        let fields = &self.plan.fields;
        if fields.get(self.next).is_some_and(|(name, _)| name == key) {
            return Ok(Some(self.next));
        }
        Ok(fields.iter().position(|(name, _)| name == key))
    }
}

/// One `[key, value]` pair of a map whose keys are not strings.
struct Pair<'p>(&'p Plan, &'p Plan);

impl<'de> DeserializeSeed<'de> for Pair<'_> {
    type Value = (Value, Value);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(Value, Value), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Pair<'_> {
    type Value = (Value, Value);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map entry as a [key, value] array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(Value, Value), A::Error> {
        let key = seq
            .next_element_seed(Read(self.0))?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let value = seq
            .next_element_seed(Read(self.1))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok((key, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_events::{event, row};
    use serde_json::json;

    fn round_trip(conv: &mut JsonConverter, data: &ConnectData) -> ConnectData {
        let bytes = conv.to_bytes(Some(data)).unwrap().unwrap();
        conv.to_connect(Some(&bytes))
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
            .unwrap()
    }

    #[test]
    fn debezium_events_read_back_equal_to_what_was_written() {
        let mut conv = JsonConverter::new(true);
        for data in [
            event(Value::Null, row(1), "c"),
            event(row(1), row(2), "u"),
            event(row(2), Value::Null, "d"),
        ] {
            assert_eq!(round_trip(&mut conv, &data), data);
        }
        let key = ConnectData::new(
            Arc::new(
                Schema::record("server.public.t.Key").field("id", Schema::of(SchemaType::Int64)),
            ),
            Value::Struct(vec![Value::Int64(42)]),
        );
        assert_eq!(round_trip(&mut conv, &key), key);
        assert_eq!(conv.to_connect(None).unwrap(), None);
    }

    #[test]
    fn records_of_one_schema_share_one_arc() {
        let mut conv = JsonConverter::new(true);
        let a = round_trip(&mut conv, &event(Value::Null, row(1), "c"));
        let key = ConnectData::new(Arc::new(Schema::of(SchemaType::Int64)), Value::Int64(1));
        round_trip(&mut conv, &key);
        let b = round_trip(&mut conv, &event(Value::Null, row(2), "c"));
        assert!(Arc::ptr_eq(&a.schema, &b.schema));
        assert_eq!(conv.read_cache.by_text.len(), 2);
    }

    #[test]
    fn the_least_recently_used_schema_is_dropped_past_the_limit() {
        let mut conv = JsonConverter::new(true);
        let first = round_trip(
            &mut conv,
            &ConnectData::new(Arc::new(Schema::of(SchemaType::Int64)), Value::Int64(0)),
        );
        for i in 0..SCHEMA_CACHE_SIZE {
            let schema = Schema::record(format!("r{i}")).field("x", Schema::of(SchemaType::Int8));
            let data = ConnectData::new(Arc::new(schema), Value::Struct(vec![Value::Int8(1)]));
            round_trip(&mut conv, &data);
            if i % 2 == 0 {
                // Used again: stays.
                round_trip(
                    &mut conv,
                    &ConnectData::new(Arc::new(Schema::of(SchemaType::Int64)), Value::Int64(0)),
                );
            }
        }
        assert_eq!(conv.read_cache.by_text.len(), SCHEMA_CACHE_SIZE);
        let again = round_trip(
            &mut conv,
            &ConnectData::new(Arc::new(Schema::of(SchemaType::Int64)), Value::Int64(0)),
        );
        assert!(Arc::ptr_eq(&first.schema, &again.schema));
        assert!(!conv.read_cache.by_text.contains_key(r#"{"type":"struct","fields":[{"type":"int8","optional":false,"field":"x"}],"optional":false,"name":"r0"}"#));
    }

    #[test]
    fn floats_read_back_bit_for_bit() {
        let schema = Arc::new(
            Schema::record("r")
                .field("f", Schema::of(SchemaType::Float32))
                .field("d", Schema::of(SchemaType::Float64)),
        );
        let mut conv = JsonConverter::new(true);
        // A spread of bit patterns (an LCG), subnormals and extremes among them.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut specials = vec![
            (f32::MIN_POSITIVE, f64::MIN_POSITIVE),
            (f32::MAX, f64::MAX),
            (1e-45, 5e-324),
            (0.1, 0.1),
            (16_777_217.0, 9_007_199_254_740_993.0),
        ];
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let f = f32::from_bits((seed >> 32) as u32);
            let d = f64::from_bits(seed);
            if f.is_finite() && d.is_finite() {
                specials.push((f, d));
            }
        }
        for (f, d) in specials {
            let data = ConnectData::new(
                schema.clone(),
                Value::Struct(vec![Value::Float32(f), Value::Float64(d)]),
            );
            let back = round_trip(&mut conv, &data);
            let Value::Struct(values) = back.value else {
                panic!()
            };
            assert!(
                matches!(values[0], Value::Float32(x) if x.to_bits() == f.to_bits()),
                "{f}"
            );
            assert!(
                matches!(values[1], Value::Float64(x) if x.to_bits() == d.to_bits()),
                "{d}"
            );
        }
        let data = ConnectData::new(
            schema.clone(),
            Value::Struct(vec![
                Value::Float32(f32::NAN),
                Value::Float64(f64::NEG_INFINITY),
            ]),
        );
        let Value::Struct(values) = round_trip(&mut conv, &data).value else {
            panic!()
        };
        assert!(matches!(values[0], Value::Float32(x) if x.is_nan()));
        assert_eq!(values[1], Value::Float64(f64::NEG_INFINITY));
    }

    fn read(text: &str) -> Result<Option<ConnectData>, String> {
        JsonConverter::new(true).to_connect(Some(text.as_bytes()))
    }

    #[test]
    fn what_kafka_writes_otherwise_is_read_as_kafka_reads_it() {
        let schema = r#"{"type":"struct","fields":[
            {"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"d"},
            {"type":"string","optional":true,"field":"s"},
            {"type":"int32","optional":false,"default":7,"field":"n"},
            {"type":"map","keys":{"type":"int64"},"values":{"type":"string"},"field":"m"}
        ],"optional":false}"#;
        // Fields in another order, one unknown, two missing; a NUMERIC decimal.
        let text = format!(
            r#"{{"payload":{{"m":[[5,"five"]],"extra":{{"x":[1]}},"d":12.3}},"schema":{schema}}}"#
        );
        let data = read(&text).unwrap().unwrap();
        assert_eq!(
            data.value,
            Value::Struct(vec![
                Value::Bytes(vec![0x04, 0xCE]),
                Value::Null,
                Value::Int32(7),
                Value::Map(vec![(Value::Int64(5), Value::from("five"))]),
            ])
        );
        assert_eq!(data.schema.fields[2].schema.default, Some(json!(7)));
        // A null payload of an optional schema.
        let data = read(r#"{"schema":{"type":"string","optional":true},"payload":null}"#)
            .unwrap()
            .unwrap();
        assert_eq!(data.value, Value::Null);
        assert!(data.schema.optional);
    }

    #[test]
    fn a_null_reads_as_the_schema_default_unless_replacement_is_off() {
        let text = r#"{"schema":{"type":"struct","fields":[
            {"type":"string","optional":true,"default":"new","field":"s"},
            {"type":"int32","optional":false,"default":7,"field":"n"}
        ],"optional":false},"payload":{"s":null,"n":null}}"#;
        let data = read(text).unwrap().unwrap();
        assert_eq!(
            data.value,
            Value::Struct(vec![Value::from("new"), Value::Int32(7)])
        );
        let mut off = JsonConverter::new(true).replace_null_with_default(false);
        let e = off.to_connect(Some(text.as_bytes())).unwrap_err();
        assert!(e.contains("a null for a required int32"), "{e}");
        let optional_only = text.replace(r#","n":null"#, r#","n":1"#);
        let data = off
            .to_connect(Some(optional_only.as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(
            data.value,
            Value::Struct(vec![Value::Null, Value::Int32(1)])
        );
    }

    #[test]
    fn records_without_schemas_are_refused_saying_what_to_set() {
        let e = read(r#"{"id": 1}"#).unwrap_err();
        assert!(
            e.contains("no schema") && e.contains("value.converter.schemas.enable=true"),
            "{e}"
        );
        let e = read(r#"{"schema": null, "payload": 1}"#).unwrap_err();
        assert!(e.contains("no schema"), "{e}");
        let e = read(r#"[1, 2]"#).unwrap_err();
        assert!(e.contains("no schema"), "{e}");
        let e = JsonConverter::new(false)
            .for_role("key.converter")
            .to_connect(Some(b"{}"))
            .unwrap_err();
        assert!(e.contains("key.converter.schemas.enable=true"), "{e}");
    }

    #[test]
    fn bad_records_are_refused_naming_the_problem() {
        let e = read(r#"{"schema": {"type":"int32"}, "payload": 1"#).unwrap_err();
        assert!(e.contains("not valid JSON"), "{e}");
        let schema = r#"{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int64","field":"id"}],"field":"after"}]}"#;
        let e = read(&format!(
            r#"{{"schema":{schema},"payload":{{"after":{{"id":"x"}}}}}}"#
        ))
        .unwrap_err();
        assert!(
            e.contains("field 'after': field 'id'") && e.contains("int64"),
            "{e}"
        );
        assert!(!e.contains("line 1"), "{e}");
        let e = read(&format!(
            r#"{{"schema":{schema},"payload":{{"after":{{}}}}}}"#
        ))
        .unwrap_err();
        assert!(
            e.contains("'id' is missing") && e.contains("required int64"),
            "{e}"
        );
        let e = read(r#"{"schema":{"type":"int8"},"payload":300}"#).unwrap_err();
        assert!(e.contains("300 is out of range for int8"), "{e}");
        let e = read(r#"{"schema":{"type":"bytes"},"payload":"***"}"#).unwrap_err();
        assert!(e.contains("base64"), "{e}");
        let e = read(r#"{"schema":{"type":"int32","default":"x"},"payload":1}"#).unwrap_err();
        assert!(e.contains("default \"x\" does not fit"), "{e}");
        let e = read(r#"{"schema":{"type":"nope"},"payload":1}"#).unwrap_err();
        assert!(e.contains("unknown schema type 'nope'"), "{e}");
        let e = read(r#"{"schema":{"type":"int32"},"payload":1,"extra":2}"#).unwrap_err();
        assert!(e.contains("unknown field `extra`"), "{e}");
        let e = read(&format!(
            r#"{{"schema":{{"type":"bytes","name":"{DECIMAL}","parameters":{{"scale":"1"}}}},"payload":1.25}}"#
        ))
        .unwrap_err();
        assert!(e.contains("scale 1"), "{e}");
    }
}
