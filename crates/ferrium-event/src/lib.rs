//! The change event model shared by every stage of Ferrium.
//!
//! A source turns database changes into [`SourceRecord`]s whose key and value are
//! Kafka Connect data ([`Schema`] + [`Value`]), exactly the shape Debezium hands to
//! Kafka Connect. Transforms and converters work on that generic shape, so a new
//! source or a new wire format never needs to know about the other.

pub mod change;
pub mod default_json;
pub mod emitter;
pub mod envelope;
pub mod history;
pub mod logical;
pub mod metadata;
pub mod offset;
pub mod record;
pub mod schema;
pub mod signal;
pub mod snapshot_rows;
pub mod snapshot_status;
pub mod source;
pub mod source_info;
pub mod source_metrics;
pub mod value;

pub use change::{is_envelope, struct_field, take_field, ChangeEvent, FieldRef};
pub use envelope::{Envelope, Op};
pub use offset::{Offset, SourcePartition};
pub use record::{ConnectData, Header, SerializedRecord, SourceRecord};
pub use schema::{Field, Schema, SchemaType, SourceColumn};
pub use source::{Classified, ErrorAction, Source, SourceContext, SourceExit, SourceMessage};
pub use value::Value;
