//! A Debezium change event read by field name rather than by position: the operation,
//! the `before`/`after` images and the `source` block, from any envelope schema. This is
//! what transforms work with, so they never depend on the envelope's field order.

use std::sync::Arc;

use crate::{ConnectData, Op, Schema, SchemaType, Value};

/// Debezium marks change event values by this schema-name suffix (`SmtManager.isValidEnvelope`).
pub const ENVELOPE_SUFFIX: &str = ".Envelope";

/// Whether a value schema is a Debezium change event envelope.
pub fn is_envelope(schema: &Schema) -> bool {
    schema.kind == SchemaType::Struct
        && schema
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with(ENVELOPE_SUFFIX))
}

/// One field of a struct value: its schema and its value.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a> {
    pub schema: &'a Arc<Schema>,
    pub value: &'a Value,
}

impl FieldRef<'_> {
    pub fn to_data(self) -> ConnectData {
        ConnectData::new(self.schema.clone(), self.value.clone())
    }
}

/// The field `name` of a struct value, if the schema has it.
pub fn struct_field<'a>(schema: &'a Schema, value: &'a Value, name: &str) -> Option<FieldRef<'a>> {
    let index = schema.field_index(name)?;
    let field_schema = &schema.fields[index].schema;
    let value = match value {
        Value::Struct(values) => values.get(index)?,
        _ => return None,
    };
    Some(FieldRef {
        schema: field_schema,
        value,
    })
}

/// Moves the field `name` out of a struct value (leaving a null in its place).
pub fn take_field(data: &mut ConnectData, name: &str) -> Option<ConnectData> {
    let index = data.schema.field_index(name)?;
    let schema = data.schema.fields[index].schema.clone();
    match &mut data.value {
        Value::Struct(values) => {
            let value = std::mem::replace(values.get_mut(index)?, Value::Null);
            Some(ConnectData::new(schema, value))
        }
        _ => None,
    }
}

/// A change event value (`….Envelope`), read by name.
#[derive(Debug, Clone, Copy)]
pub struct ChangeEvent<'a> {
    schema: &'a Arc<Schema>,
    value: &'a Value,
}

impl<'a> ChangeEvent<'a> {
    /// The record value as a change event, if it is one (heartbeats, transaction
    /// metadata, schema changes and tombstones are not).
    pub fn of(data: &'a ConnectData) -> Option<Self> {
        (is_envelope(&data.schema) && matches!(data.value, Value::Struct(_))).then_some(
            ChangeEvent {
                schema: &data.schema,
                value: &data.value,
            },
        )
    }

    pub fn schema(&self) -> &'a Arc<Schema> {
        self.schema
    }

    pub fn field(&self, name: &str) -> Option<FieldRef<'a>> {
        struct_field(self.schema, self.value, name)
    }

    /// The `op` code as written (`c`, `u`, `d`, `r`, `t`, `m`).
    pub fn op_code(&self) -> Option<&'a str> {
        self.field("op").and_then(|f| f.value.as_str())
    }

    pub fn op(&self) -> Option<Op> {
        self.op_code().and_then(Op::from_code)
    }

    /// The row image before the change (a null value for inserts and reads).
    pub fn before(&self) -> Option<FieldRef<'a>> {
        self.field("before")
    }

    /// The row image after the change (a null value for deletes).
    pub fn after(&self) -> Option<FieldRef<'a>> {
        self.field("after")
    }

    pub fn source(&self) -> Option<FieldRef<'a>> {
        self.field("source")
    }

    /// The image that describes the row as it now stands: `before` for a delete,
    /// `after` otherwise (Debezium's `change.` prefix in routing options).
    pub fn current_image(&self) -> Option<FieldRef<'a>> {
        match self.op() {
            Some(Op::Delete) => self.before(),
            _ => self.after(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{Envelope, ProcessingTime};

    fn event(op: Op) -> ConnectData {
        let row = Arc::new(
            Schema::record("p.s.t.Value")
                .field("id", Schema::of(SchemaType::Int32))
                .optional(),
        );
        let source = Arc::new(Schema::record("src").field("db", Schema::of(SchemaType::String)));
        let envelope = Envelope::new("p.s.t", row, source);
        let image = Value::Struct(vec![Value::Int32(7)]);
        let (before, after) = match op {
            Op::Delete => (image, Value::Null),
            _ => (Value::Null, image),
        };
        let value = Envelope::value(
            before,
            after,
            Value::Struct(vec![Value::from("db1")]),
            op,
            ProcessingTime::now(),
            None,
        );
        ConnectData::new(envelope.schema, value)
    }

    #[test]
    fn reads_the_envelope_by_name() {
        let data = event(Op::Update);
        let change = ChangeEvent::of(&data).expect("an envelope");
        assert_eq!(change.op(), Some(Op::Update));
        assert_eq!(change.before().unwrap().value, &Value::Null);
        assert_eq!(
            change.current_image().unwrap().value,
            &Value::Struct(vec![Value::Int32(7)])
        );
        let source = change.source().unwrap();
        assert_eq!(
            struct_field(source.schema, source.value, "db")
                .unwrap()
                .value,
            &Value::from("db1")
        );
    }

    #[test]
    fn a_delete_describes_the_row_by_its_before_image() {
        let data = event(Op::Delete);
        let change = ChangeEvent::of(&data).unwrap();
        assert_eq!(
            change.current_image().unwrap().value,
            &Value::Struct(vec![Value::Int32(7)])
        );
    }

    #[test]
    fn other_records_are_not_change_events() {
        let heartbeat = ConnectData::new(
            Arc::new(
                Schema::record("io.debezium.connector.common.Heartbeat")
                    .field("ts_ms", Schema::of(SchemaType::Int64)),
            ),
            Value::Struct(vec![Value::Int64(1)]),
        );
        assert!(ChangeEvent::of(&heartbeat).is_none());
    }

    #[test]
    fn take_field_moves_the_image_out() {
        let mut data = event(Op::Create);
        let after = take_field(&mut data, "after").unwrap();
        assert_eq!(after.value, Value::Struct(vec![Value::Int32(7)]));
        assert_eq!(after.schema.name.as_deref(), Some("p.s.t.Value"));
        assert!(ChangeEvent::of(&data)
            .unwrap()
            .after()
            .unwrap()
            .value
            .is_null());
    }
}
