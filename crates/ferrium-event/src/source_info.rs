//! The part of the `source` block every Debezium connector writes first
//! (`AbstractSourceInfoStructMaker.commonSchemaBuilder`): version, connector, name,
//! ts_ms, snapshot, db, sequence, ts_us, ts_ns. Each connector appends its own fields.

use crate::{Schema, SchemaType};

/// `source.version`: identifies Ferrium rather than pretending to be a Debezium release.
pub const VERSION: &str = concat!("ferrium-", env!("CARGO_PKG_VERSION"));

/// `source.snapshot` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMarker {
    False,
    True,
    First,
    FirstInDataCollection,
    LastInDataCollection,
    Last,
    /// A row read by an incremental snapshot chunk.
    Incremental,
}

impl SnapshotMarker {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotMarker::False => "false",
            SnapshotMarker::True => "true",
            SnapshotMarker::First => "first",
            SnapshotMarker::FirstInDataCollection => "first_in_data_collection",
            SnapshotMarker::LastInDataCollection => "last_in_data_collection",
            SnapshotMarker::Last => "last",
            SnapshotMarker::Incremental => "incremental",
        }
    }
}

impl SnapshotMarker {
    /// The marker of a snapshot row, given its place: the very first row is `first`, the
    /// very last `last`, and the first and last rows of each table in between say so.
    pub fn for_row(index: u64, first_in_table: bool, last_in_table: bool, last: bool) -> Self {
        if index == 0 {
            SnapshotMarker::First
        } else if last {
            SnapshotMarker::Last
        } else if first_in_table {
            SnapshotMarker::FirstInDataCollection
        } else if last_in_table {
            SnapshotMarker::LastInDataCollection
        } else {
            SnapshotMarker::True
        }
    }
}

/// The common fields, under the connector's record name (`io.debezium.connector.mysql.Source`).
pub fn common_source_schema(record_name: &str) -> Schema {
    let s = || Schema::of(SchemaType::String);
    let opt_s = || Schema::of(SchemaType::String).optional();
    let opt_i64 = || Schema::of(SchemaType::Int64).optional();
    Schema::record(record_name)
        .version(1)
        .field("version", s())
        .field("connector", s())
        .field("name", s())
        .field("ts_ms", Schema::of(SchemaType::Int64))
        .field(
            "snapshot",
            opt_s()
                .named("io.debezium.data.Enum")
                .version(1)
                .param(
                    "allowed",
                    "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental",
                )
                .default_value(serde_json::json!("false")),
        )
        .field("db", s())
        .field("sequence", opt_s())
        .field("ts_us", opt_i64())
        .field("ts_ns", opt_i64())
}
