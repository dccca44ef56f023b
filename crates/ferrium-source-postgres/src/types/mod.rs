//! PostgreSQL types to Kafka Connect schemas and values, as Debezium maps them.
//!
//! Values arrive in PostgreSQL's text output format, both from pgoutput and from the
//! snapshot's `COPY … TO STDOUT`, with the session pinned to `DateStyle=ISO`,
//! `TimeZone=UTC`, `IntervalStyle=iso_8601`, `bytea_output=hex` and
//! `extra_float_digits=3`. One decoder therefore serves both paths, and a row read in
//! the snapshot is byte-identical to the same row read from the stream.
//!
//! A [`ColumnCodec`] is compiled once per column (when a relation is first seen or
//! changes) so the per-value work is a single match.

mod array;
mod bits;
mod codec;
mod defaults;
mod error;
mod geometric;
mod hstore;
mod interval;
mod name_uuid;
mod numeric;
mod options;
mod pg_type;
mod source_type;
mod temporal;

pub use codec::ColumnCodec;
pub use defaults::schema_default;
pub use error::{TypeError, EXCERPT_CHARS};
pub use options::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeOptions,
};
pub use pg_type::{oid, PgType, PgTypeKind};
pub use source_type::source_column;
