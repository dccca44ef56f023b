//! The value schema when `envelope` placements exist: a struct of `payload` and the
//! placed columns, named after the row schema with the routed value inserted before
//! its last segment (`server.public.outbox.Value` → `server.public.outbox.User.Value`).
//!
//! Cached as Debezium caches it: by payload schema, or with
//! `table.field.event.schema.version` by version alone. So the first routed value seen
//! for a payload schema (or version) names the schema of all later ones.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{Schema, SchemaType};

use super::options::{AdditionalField, Placement};
use crate::schema_cache::SchemaCache;
use crate::TransformError;

pub(super) const PAYLOAD_FIELD: &str = "payload";

#[derive(Default)]
pub(super) struct ValueSchemas {
    by_payload: SchemaCache,
    by_version: HashMap<Option<i32>, Arc<Schema>>,
}

/// What a value schema is derived from.
pub(super) struct SchemaInputs<'a> {
    pub payload: &'a Arc<Schema>,
    pub row: &'a Schema,
    pub routed: &'a str,
    pub additional: &'a [AdditionalField],
    pub ignore_missing: bool,
}

impl ValueSchemas {
    /// `version` is `None` without `table.field.event.schema.version`, else the
    /// column's value (itself possibly null).
    pub fn get(
        &mut self,
        inputs: &SchemaInputs<'_>,
        version: Option<Option<i32>>,
    ) -> Result<Arc<Schema>, TransformError> {
        match version {
            None => self
                .by_payload
                .get_or_insert(inputs.payload, |_| build(inputs, None)),
            Some(version) => {
                if let Some(schema) = self.by_version.get(&version) {
                    return Ok(schema.clone());
                }
                let schema = Arc::new(build(inputs, version)?);
                self.by_version.insert(version, schema.clone());
                Ok(schema)
            }
        }
    }
}

fn build(inputs: &SchemaInputs<'_>, version: Option<i32>) -> Result<Schema, TransformError> {
    let mut schema = Schema::of(SchemaType::Struct)
        .named(schema_name(inputs.row.name.as_deref(), inputs.routed))
        .field(PAYLOAD_FIELD, inputs.payload.clone());
    schema.version = version;
    for placed in inputs
        .additional
        .iter()
        .filter(|f| f.placement == Placement::Envelope)
    {
        let Some(index) = inputs.row.field_index(&placed.column) else {
            if inputs.ignore_missing {
                continue;
            }
            return Err(TransformError::new(format!(
                "Unable to find field {} in event",
                placed.column
            )));
        };
        if schema.field_index(&placed.alias).is_some() {
            return Err(TransformError::new(format!(
                "Cannot create field because of field name duplication {}",
                placed.alias
            )));
        }
        schema = schema.field(
            placed.alias.clone(),
            inputs.row.fields[index].schema.clone(),
        );
    }
    Ok(schema)
}

/// Debezium's `getSchemaName`.
pub(super) fn schema_name(row: Option<&str>, routed: &str) -> String {
    match row {
        Some(name) => match name.rfind('.') {
            Some(dot) => format!("{}{routed}.{}", &name[..=dot], &name[dot + 1..]),
            None => format!("{routed}.{name}"),
        },
        None => routed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routed_value_goes_before_the_last_segment() {
        assert_eq!(
            schema_name(Some("dbserver1.public.outbox.Value"), "User"),
            "dbserver1.public.outbox.User.Value"
        );
        assert_eq!(schema_name(Some("Value"), "User"), "User.Value");
        assert_eq!(schema_name(None, "User"), "User");
    }

    fn placed(column: &str, alias: &str) -> AdditionalField {
        AdditionalField {
            column: column.into(),
            placement: Placement::Envelope,
            alias: alias.into(),
        }
    }

    #[test]
    fn cached_by_payload_schema_or_by_version() {
        let payload = Arc::new(Schema::of(SchemaType::String).optional());
        let row = Schema::record("s.t.Value")
            .field("payload", payload.clone())
            .field("type", Schema::of(SchemaType::String));
        let additional = [placed("type", "eventType")];
        let inputs = |routed| SchemaInputs {
            payload: &payload,
            row: &row,
            routed,
            additional: &additional,
            ignore_missing: false,
        };
        let mut schemas = ValueSchemas::default();
        let user = schemas.get(&inputs("User"), None).unwrap();
        assert_eq!(user.name.as_deref(), Some("s.t.User.Value"));
        let names: Vec<_> = user.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["payload", "eventType"]);
        // Debezium's cache ignores the routed value.
        assert!(Arc::ptr_eq(
            &user,
            &schemas.get(&inputs("Order"), None).unwrap()
        ));

        let v1 = schemas.get(&inputs("User"), Some(Some(1))).unwrap();
        assert_eq!(v1.version, Some(1));
        assert!(Arc::ptr_eq(
            &v1,
            &schemas.get(&inputs("User"), Some(Some(1))).unwrap()
        ));
        assert_eq!(
            schemas.get(&inputs("User"), Some(Some(3))).unwrap().version,
            Some(3)
        );
    }

    #[test]
    fn missing_and_duplicate_fields() {
        let payload = Arc::new(Schema::of(SchemaType::String));
        let row = Schema::record("s.t.Value").field("payload", payload.clone());
        let missing = [placed("nope", "alias")];
        let mut inputs = SchemaInputs {
            payload: &payload,
            row: &row,
            routed: "User",
            additional: &missing,
            ignore_missing: false,
        };
        assert!(build(&inputs, None)
            .unwrap_err()
            .0
            .contains("Unable to find field nope"));
        inputs.ignore_missing = true;
        assert_eq!(build(&inputs, None).unwrap().fields.len(), 1);
        let duplicate = [placed("payload", "payload")];
        inputs.additional = &duplicate;
        assert!(build(&inputs, None).is_err());
    }
}
