//! `PartitionRouting` (`io.debezium.transforms.partitions`): the Kafka partition of a
//! change event from fields of its payload. Each `partition.payload.fields` entry is a
//! dotted path into the envelope (`source.table`, `after.id`; `change.` stands for
//! `before` in a delete and `after` otherwise); the hashes of the values found are summed
//! and the partition is `(sum & Integer.MAX_VALUE) % partition.topic.num`. Tombstones,
//! records that are not change events, truncates and messages pass unchanged, and so
//! does an event in which none of the paths leads to a value.

mod java_hash;
mod murmur3;

use ferrium_event::{Schema, SchemaType, SourceRecord, Value};

use crate::{ConfigProblem, Props, Transform, TransformError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HashFunction {
    /// `Object.hashCode` of the Java value.
    Java,
    /// Debezium's MurmurHash3 of the string's or bytes' content, or of the `hashCode`.
    Murmur,
}

impl HashFunction {
    /// Debezium does not validate this option: anything but `murmur` is `java`.
    fn parse(props: &Props) -> HashFunction {
        match props.get("partition.hash.function") {
            None => HashFunction::Java,
            Some(v) if v.eq_ignore_ascii_case("murmur") => HashFunction::Murmur,
            Some(v) => {
                if !v.eq_ignore_ascii_case("java") {
                    tracing::warn!(
                        option = %props.key("partition.hash.function"),
                        value = v,
                        "not 'java' or 'murmur'; Debezium then uses 'java', and so does Ferrium"
                    );
                }
                HashFunction::Java
            }
        }
    }

    fn hash(self, schema: &Schema, value: &Value) -> i32 {
        match self {
            HashFunction::Java => java_hash::hash(schema, value),
            HashFunction::Murmur => match (schema.name.as_deref(), value) {
                (_, Value::String(s)) => murmur3::hash_string(s),
                // A Decimal's Java value is a BigDecimal, hashed by its hashCode.
                (Some("org.apache.kafka.connect.data.Decimal"), _) => {
                    murmur3::hash_int(java_hash::hash(schema, value))
                }
                (_, Value::Bytes(bytes)) => murmur3::hash_bytes(bytes),
                _ => murmur3::hash_int(java_hash::hash(schema, value)),
            },
        }
    }
}

/// One `partition.payload.fields` entry, split as Java's `split("\\.")` splits it.
struct FieldPath {
    text: String,
    /// The structs to descend through; `change` is resolved by the operation.
    parents: Vec<String>,
    name: String,
}

pub struct PartitionRouting {
    paths: Vec<FieldPath>,
    partitions: i32,
    hash: HashFunction,
}

impl PartitionRouting {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        const FIELDS: &str = "partition.payload.fields";
        const PARTITIONS: &str = "partition.topic.num";
        let fields = props
            .get(FIELDS)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| props.problem(FIELDS, "A value is required"))?;
        let paths = java_split(fields, ',')
            .into_iter()
            .map(|entry| {
                let entry = entry.trim();
                if entry.is_empty() {
                    return Err(props.problem(FIELDS, "Empty string element(s) not permitted"));
                }
                FieldPath::parse(entry)
                    .ok_or_else(|| props.problem(FIELDS, format!("'{entry}' names no field")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let partitions = props
            .get(PARTITIONS)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| props.problem(PARTITIONS, "A value is required"))?;
        let partitions = partitions
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                props.problem(
                    PARTITIONS,
                    format!("'{partitions}' is not a positive integer"),
                )
            })?;
        Ok(PartitionRouting {
            paths,
            partitions,
            hash: HashFunction::parse(props),
        })
    }

    /// The partition for these summed hashes; Debezium maps `Integer.MAX_VALUE` to 0.
    fn partition_of(&self, total: i32) -> i32 {
        let normalized = match total & i32::MAX {
            i32::MAX => 0,
            n => n,
        };
        normalized % self.partitions
    }
}

impl FieldPath {
    fn parse(text: &str) -> Option<FieldPath> {
        let mut parts: Vec<String> = java_split(text, '.')
            .into_iter()
            .map(|p| p.trim().to_string())
            .collect();
        // Java would fail on every record for a path such as `..`; refuse it up front.
        let name = parts.pop()?;
        Some(FieldPath {
            text: text.to_string(),
            parents: parts,
            name,
        })
    }
}

/// Java's `String.split` with a literal separator: trailing empty parts are dropped.
fn java_split(text: &str, separator: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(separator).collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts == [""] && text.contains(separator) {
        parts.clear();
    }
    parts
}

/// A struct schema and its value, as Kafka's `Struct`.
#[derive(Clone, Copy)]
struct StructRef<'a> {
    schema: &'a Schema,
    values: &'a [Value],
}

impl<'a> StructRef<'a> {
    fn field(&self, name: &str) -> Option<(&'a Schema, &'a Value)> {
        let index = self.schema.field_index(name)?;
        Some((&self.schema.fields[index].schema, self.values.get(index)?))
    }
}

/// Why a path gives no value: Debezium skips the first kind and fails on the second.
enum Miss {
    /// No such field, or not a struct where one is needed (Kafka's `DataException`).
    Skip,
    /// A null struct on the way (a `NullPointerException` in Debezium).
    Fail,
}

impl PartitionRouting {
    /// The hash of the value `path` leads to, `Struct.get` style: a null field with a
    /// schema default counts as its default.
    fn hash_at(&self, envelope: StructRef<'_>, path: &FieldPath) -> Result<Option<i32>, Miss> {
        let mut current = Some(envelope);
        for parent in &path.parents {
            let name = if parent == "change" {
                change_image(envelope)?
            } else {
                parent.as_str()
            };
            let here = current.ok_or(Miss::Fail)?;
            let (schema, value) = here.field(name).ok_or(Miss::Skip)?;
            if schema.kind != SchemaType::Struct {
                return Err(Miss::Skip);
            }
            current = match value {
                Value::Struct(values) => Some(StructRef { schema, values }),
                _ => None,
            };
        }
        let (schema, value) = current
            .ok_or(Miss::Fail)?
            .field(&path.name)
            .ok_or(Miss::Skip)?;
        if !value.is_null() {
            return Ok(Some(self.hash.hash(schema, value)));
        }
        Ok(default_of(schema).map(|default| self.hash.hash(schema, &default)))
    }
}

/// `before` for a delete, `after` for anything else (an unknown op included).
fn change_image(envelope: StructRef<'_>) -> Result<&'static str, Miss> {
    let (schema, op) = envelope.field("op").ok_or(Miss::Skip)?;
    if schema.kind != SchemaType::String {
        return Err(Miss::Skip);
    }
    Ok(if op.as_str() == Some("d") {
        "before"
    } else {
        "after"
    })
}

/// A field's default as its value, from the JSON form the schema carries.
fn default_of(schema: &Schema) -> Option<Value> {
    use base64::Engine;
    let json = schema.default.as_ref()?;
    Some(match schema.kind {
        SchemaType::Boolean => Value::Boolean(json.as_bool()?),
        SchemaType::Int8 => Value::Int8(i8::try_from(json.as_i64()?).ok()?),
        SchemaType::Int16 => Value::Int16(i16::try_from(json.as_i64()?).ok()?),
        SchemaType::Int32 => Value::Int32(i32::try_from(json.as_i64()?).ok()?),
        SchemaType::Int64 => Value::Int64(json.as_i64()?),
        SchemaType::Float32 => Value::Float32(json.as_f64()? as f32),
        SchemaType::Float64 => Value::Float64(json.as_f64()?),
        SchemaType::String => Value::String(json.as_str()?.to_string()),
        SchemaType::Bytes => Value::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(json.as_str()?)
                .ok()?,
        ),
        // Structured defaults do not occur in Debezium's row schemas.
        SchemaType::Array | SchemaType::Map | SchemaType::Struct => return None,
    })
}

impl Transform for PartitionRouting {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        let Some(data) = &record.value else {
            return Ok(Some(record));
        };
        let is_envelope = data
            .schema
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with(ferrium_event::change::ENVELOPE_SUFFIX));
        if !is_envelope || data.value.is_null() {
            return Ok(Some(record));
        }
        let Value::Struct(values) = &data.value else {
            return Err(TransformError::new("the envelope value is not a struct"));
        };
        let envelope = StructRef {
            schema: &data.schema,
            values,
        };
        if let Some((schema, op)) = envelope.field("op") {
            if schema.kind != SchemaType::String {
                return Err(TransformError::new("the envelope's 'op' is not a string"));
            }
            if matches!(op.as_str(), Some("t" | "m")) {
                return Ok(Some(record));
            }
        }
        let mut found = false;
        let mut total = 0i32;
        for path in &self.paths {
            match self.hash_at(envelope, path) {
                Ok(Some(hash)) => {
                    found = true;
                    total = total.wrapping_add(hash);
                }
                Ok(None) | Err(Miss::Skip) => {}
                Err(Miss::Fail) => {
                    return Err(TransformError::new(format!(
                        "unprocessable message: partition.payload.fields entry '{}' passes through a null struct",
                        path.text
                    )))
                }
            }
        }
        if found {
            record.partition = Some(self.partition_of(total));
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests;
