//! The contract between a source and the runtime that drives it.
//!
//! Records flow forward through a bounded channel (so a slow sink slows the source,
//! never grows memory). Durable offsets flow back through a watch channel: the runtime
//! publishes an offset only after every record before it is durable in the sink *and*
//! the offset itself is stored. Only then may a source release anything on the server
//! side (confirm a replication slot position, purge-able binlog).

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::signal::SignalInbox;
use crate::snapshot_status::SnapshotStatus;
use crate::{Offset, SourcePartition, SourceRecord};

/// What a source sends to the runtime, in source order.
#[derive(Debug)]
pub enum SourceMessage {
    Records(Vec<SourceRecord>),
    /// Everything sent before this is a complete unit (a transaction, a finished
    /// snapshot): once it is durable, streaming may resume from `offset`.
    Checkpoint(Offset),
    /// Everything sent before this may be made visible without an offset (a chunk of a
    /// snapshot, which cannot resume mid-way). Exactly-once sinks commit here so a
    /// transaction never has to hold a whole snapshot; others ignore it.
    Flush,
}

/// What the runtime gives a source when it starts it.
pub struct SourceContext {
    pub connector: String,
    pub partition: SourcePartition,
    /// The last offset the runtime stored for this connector, if any.
    pub stored_offset: Option<Offset>,
    pub messages: mpsc::Sender<SourceMessage>,
    /// The newest offset that is durable and stored.
    pub committed: watch::Receiver<Option<Offset>>,
    pub shutdown: CancellationToken,
    /// Signals from the channels outside the source (Kafka, REST).
    pub signals: SignalInbox,
    /// Where the source reports snapshot progress and signal problems.
    pub snapshot_status: SnapshotStatus,
}

/// How a source run ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceExit {
    /// Asked to stop.
    Shutdown,
    /// Nothing more to do (e.g. `snapshot.mode=initial_only` after the snapshot).
    Finished,
}

/// What the runtime should do about an error; decided where the error is understood,
/// acted on in one place (the runtime's error policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorAction {
    /// Transient (connection lost, broker restarting): restart from the stored offset
    /// after a backoff.
    Retry,
    /// Needs an operator (bad config, missing privilege, lost slot): fail the connector
    /// with the error and its hint.
    Fail,
}

/// An error a source or sink reports, with its classification.
pub trait Classified: std::error::Error + Send + Sync + 'static {
    fn action(&self) -> ErrorAction;
}

/// A change data source: runs until shutdown, an error, or its natural end.
#[async_trait::async_trait]
pub trait Source: Send {
    async fn run(&mut self, ctx: SourceContext) -> Result<SourceExit, Box<dyn Classified>>;
}
