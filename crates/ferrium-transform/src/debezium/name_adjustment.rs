//! The connector options `schema.name.adjustment.mode` and `field.name.adjustment.mode`
//! (Debezium's `SchemaNameAdjuster` and `FieldNameAdjuster`, default `none`): the names of
//! key and value schemas and of their fields made valid for Avro before any transform
//! sees the record, as Debezium's connectors build them. Values are positional, so only
//! the schemas change, once per schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SourceRecord};

use super::schema_name_adjuster::{SchemaNameAdjuster, MODES};
use crate::schema_cache::SchemaCache;

pub struct NameAdjustment {
    schemas: SchemaNameAdjuster,
    fields: SchemaNameAdjuster,
    keys: SchemaCache,
    values: SchemaCache,
}

impl NameAdjustment {
    /// The adjustment a connector asks for, `None` when both modes are `none`; a bad
    /// mode is reported naming its key.
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<Option<NameAdjustment>, String> {
        let mode = |key: &str| -> Result<String, String> {
            let value = props
                .get(key)
                .map_or("none", |v| v.trim())
                .to_ascii_lowercase();
            if MODES.contains(&value.as_str()) {
                Ok(value)
            } else {
                Err(format!(
                    "invalid value '{value}' for option '{key}': expected one of {}",
                    MODES.join(", ")
                ))
            }
        };
        let schemas = SchemaNameAdjuster::new(&mode("schema.name.adjustment.mode")?);
        let fields = SchemaNameAdjuster::for_fields(&mode("field.name.adjustment.mode")?);
        if schemas.is_none() && fields.is_none() {
            return Ok(None);
        }
        Ok(Some(NameAdjustment {
            schemas,
            fields,
            keys: SchemaCache::new(),
            values: SchemaCache::new(),
        }))
    }

    pub fn apply(&mut self, record: &mut SourceRecord) -> Result<(), String> {
        let NameAdjustment {
            schemas,
            fields,
            keys,
            values,
        } = self;
        for (data, cache) in [(&mut record.key, keys), (&mut record.value, values)] {
            if let Some(ConnectData { schema, .. }) = data.as_mut() {
                *schema = cache.get_or_insert(schema, |s| adjust(s, schemas, fields))?;
            }
        }
        Ok(())
    }
}

fn adjust(
    schema: &Schema,
    schemas: &mut SchemaNameAdjuster,
    fields: &mut SchemaNameAdjuster,
) -> Result<Schema, String> {
    let mut out = schema.clone();
    if let Some(name) = &schema.name {
        out.name = Some(schemas.adjust(name)?);
    }
    for field in &mut out.fields {
        field.name = fields.adjust(&field.name)?;
        field.schema = Arc::new(adjust(&field.schema, schemas, fields)?);
    }
    for part in [&mut out.items, &mut out.keys, &mut out.values] {
        if let Some(inner) = part.as_mut() {
            *inner = Arc::new(adjust(inner, schemas, fields)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{SchemaType, Value};

    #[test]
    fn record_and_field_names_become_valid_avro_names() {
        let props: BTreeMap<String, String> = [
            ("schema.name.adjustment.mode", "avro"),
            ("field.name.adjustment.mode", "avro"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut adjustment = NameAdjustment::from_props(&props).unwrap().unwrap();
        let row = Schema::record("my-server.public.t.Value")
            .field("first-name", Schema::of(SchemaType::String));
        let mut record = SourceRecord::new(
            "my-server.public.t".into(),
            None,
            Some(ConnectData::new(
                Arc::new(row),
                Value::Struct(vec![Value::String("x".into())]),
            )),
        );
        adjustment.apply(&mut record).unwrap();
        let schema = &record.value.as_ref().unwrap().schema;
        assert_eq!(schema.name.as_deref(), Some("my_server.public.t.Value"));
        assert_eq!(schema.fields[0].name, "first_name");
        assert!(NameAdjustment::from_props(&BTreeMap::new())
            .unwrap()
            .is_none());
        let bad = [("schema.name.adjustment.mode".to_string(), "x".to_string())].into();
        assert!(NameAdjustment::from_props(&bad)
            .err()
            .unwrap()
            .contains("'schema.name.adjustment.mode'"));
    }
}
