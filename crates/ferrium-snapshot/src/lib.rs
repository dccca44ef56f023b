//! Signals and incremental snapshots, shared by every source.
//!
//! A signal (from the signalling table, Kafka or REST) is parsed into an [`Action`]. An
//! `execute-snapshot` of kind `incremental` starts Debezium's incremental snapshot, the
//! DBLog algorithm: each table is read in primary-key chunks; each chunk is bracketed by
//! two watermarks written to the signalling table, so both appear in the change stream;
//! a key the stream changes after the chunk is read, up to the closing watermark, is
//! dropped from the chunk (the stream carries a state at least as new), and what is left
//! is emitted when the closing watermark arrives. The source does the database work through [`ChunkReader`]; this
//! crate keeps the algorithm and its resumable state.

pub mod action;
pub mod context;
pub mod engine;
#[cfg(test)]
mod engine_tests;
pub mod progress;
pub mod select_override;
pub mod window;

pub use action::{parse, Action, DataCollection, SignalError, SnapshotKind};
pub use context::IncrementalContext;
pub use engine::{ChunkReader, ChunkRow, IncrementalSnapshot, KeyText, Watermark};
pub use progress::Progress;
