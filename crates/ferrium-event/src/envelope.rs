//! Debezium's change event envelope (`io.debezium.data.Envelope`, schema version 2).
//!
//! Field order matters to consumers that read positional Avro or compare JSON, so the
//! schema is built in exactly Debezium's order: `before`, `after`, `source`, `op`,
//! `ts_ms`, `ts_us`, `ts_ns`, `transaction`.

use std::sync::Arc;

use crate::{Schema, SchemaType, Value};

/// The `op` code of a change event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Create,
    Update,
    Delete,
    Read,
    Truncate,
    Message,
}

impl Op {
    pub fn code(self) -> &'static str {
        match self {
            Op::Create => "c",
            Op::Update => "u",
            Op::Delete => "d",
            Op::Read => "r",
            Op::Truncate => "t",
            Op::Message => "m",
        }
    }

    /// Parses the one-letter code used by `skipped.operations`.
    pub fn from_code(code: &str) -> Option<Op> {
        Some(match code {
            "c" => Op::Create,
            "u" => Op::Update,
            "d" => Op::Delete,
            "r" => Op::Read,
            "t" => Op::Truncate,
            "m" => Op::Message,
            _ => return None,
        })
    }
}

/// The `transaction` block of a data event: which transaction, and the event's place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionBlock {
    pub id: String,
    pub total_order: i64,
    pub data_collection_order: i64,
}

/// The schema of the `transaction` block (`event.block`, version 1).
pub fn transaction_block_schema() -> Schema {
    Schema::record("event.block")
        .version(1)
        .field("id", Schema::of(SchemaType::String))
        .field("total_order", Schema::of(SchemaType::Int64))
        .field("data_collection_order", Schema::of(SchemaType::Int64))
        .optional()
}

/// Builds envelope schemas and values for one table.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub schema: Arc<Schema>,
}

/// Event time stamps: when the connector processed the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessingTime {
    pub ts_ms: i64,
    pub ts_us: i64,
    pub ts_ns: i64,
}

impl ProcessingTime {
    /// The current wall clock, as Debezium's `ts_ms`/`ts_us`/`ts_ns`.
    pub fn now() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        ProcessingTime {
            ts_ms: nanos / 1_000_000,
            ts_us: nanos / 1_000,
            ts_ns: nanos,
        }
    }
}

impl Envelope {
    /// `record_prefix` is `<topic.prefix>.<schema>.<table>`; `row` the `….Value` schema.
    pub fn new(record_prefix: &str, row: Arc<Schema>, source: Arc<Schema>) -> Self {
        let optional_i64 = || Arc::new(Schema::of(SchemaType::Int64).optional());
        let schema = Schema::record(format!("{record_prefix}.Envelope"))
            .version(2)
            .field("before", row.clone())
            .field("after", row)
            .field("source", source)
            .field("op", Schema::of(SchemaType::String))
            .field("ts_ms", optional_i64())
            .field("ts_us", optional_i64())
            .field("ts_ns", optional_i64())
            .field("transaction", transaction_block_schema());
        Envelope {
            schema: Arc::new(schema),
        }
    }

    /// The envelope value. `before`/`after` are row structs or `Value::Null`.
    pub fn value(
        before: Value,
        after: Value,
        source: Value,
        op: Op,
        at: ProcessingTime,
        transaction: Option<&TransactionBlock>,
    ) -> Value {
        let transaction = transaction.map_or(Value::Null, |t| {
            Value::Struct(vec![
                Value::String(t.id.clone()),
                Value::Int64(t.total_order),
                Value::Int64(t.data_collection_order),
            ])
        });
        Value::Struct(vec![
            before,
            after,
            source,
            Value::String(op.code().to_string()),
            Value::Int64(at.ts_ms),
            Value::Int64(at.ts_us),
            Value::Int64(at.ts_ns),
            transaction,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_fields_are_in_debezium_order() {
        let row = Arc::new(Schema::record("p.s.t.Value").optional());
        let source = Arc::new(Schema::record("io.debezium.connector.postgresql.Source"));
        let env = Envelope::new("p.s.t", row, source);
        let names: Vec<_> = env.schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "before",
                "after",
                "source",
                "op",
                "ts_ms",
                "ts_us",
                "ts_ns",
                "transaction"
            ]
        );
        assert_eq!(env.schema.name.as_deref(), Some("p.s.t.Envelope"));
        assert_eq!(env.schema.version, Some(2));
    }

    #[test]
    fn op_codes_round_trip() {
        for op in [
            Op::Create,
            Op::Update,
            Op::Delete,
            Op::Read,
            Op::Truncate,
            Op::Message,
        ] {
            assert_eq!(Op::from_code(op.code()), Some(op));
        }
        assert_eq!(Op::from_code("x"), None);
    }
}
