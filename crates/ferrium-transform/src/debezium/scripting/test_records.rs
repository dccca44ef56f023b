//! The records of Debezium's `TransformsUtils`, for the tests of both transforms: delete
//! events of a `dummy.Envelope` (topic `dummy<id>`, header `idh` = id), the same for
//! topic `customer` without headers, and a tombstone.

use std::sync::Arc;

use ferrium_event::{ConnectData, Header, Schema, SchemaType, SourceRecord, Value};

pub fn row_schema() -> Schema {
    Schema::record("dummy.Value")
        .field("id", Schema::of(SchemaType::Int8))
        .field("name", Schema::of(SchemaType::String))
        .optional()
}

pub fn envelope_schema(name: &str) -> Arc<Schema> {
    let source = Schema::record("io.debezium.connector.dummy.Source")
        .field("lsn", Schema::of(SchemaType::Int32))
        .field("version", Schema::of(SchemaType::String));
    Arc::new(
        Schema::record(name)
            .field("before", row_schema())
            .field("after", row_schema())
            .field("source", source)
            .field("op", Schema::of(SchemaType::String))
            .field("ts_ms", Schema::of(SchemaType::Int64).optional()),
    )
}

/// A delete of row `id`, as `createDeleteRecord` / `createDeleteCustomerRecord` build it.
pub fn delete_event(schema: &Arc<Schema>, id: i8) -> ConnectData {
    ConnectData::new(
        schema.clone(),
        Value::Struct(vec![
            Value::Struct(vec![Value::Int8(id), "myRecord".into()]),
            Value::Null,
            Value::Struct(vec![Value::Int32(1234), "version!".into()]),
            "d".into(),
            Value::Int64(1_700_000_000_000),
        ]),
    )
}

pub fn delete_record(id: i8) -> SourceRecord {
    let mut record = SourceRecord::new(
        format!("dummy{id}").into(),
        None,
        Some(delete_event(&envelope_schema("dummy.Envelope"), id)),
    );
    record.partition = Some(0);
    record.timestamp = Some(id.into());
    record.headers.push(Header {
        key: "idh".into(),
        value: ConnectData::new(
            Arc::new(Schema::of(SchemaType::Int32)),
            Value::Int32(id.into()),
        ),
    });
    record
}

pub fn delete_customer_record(id: i8) -> SourceRecord {
    SourceRecord::new(
        "customer".into(),
        None,
        Some(delete_event(&envelope_schema("customer.Envelope"), id)),
    )
}

pub fn tombstone() -> SourceRecord {
    SourceRecord::new("dummy".into(), None, None)
}
