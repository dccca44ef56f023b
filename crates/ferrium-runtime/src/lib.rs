//! The runtime: builds a connector from its config, runs its source and its pipeline
//! (converter, sink), stores offsets once records are durable, and applies the one
//! error policy (retry transient failures from the stored offset, fail on the rest), and
//! the worker that runs many connectors under the REST API's control.

mod avro_shown;
mod connector;
mod delivery;
mod error_policy;
mod flow_metrics;
mod history;
mod history_file;
mod intake;
mod metrics;
pub mod offsets;
mod pipeline;
mod pipeline_exactly_once;
mod reset;
mod signal_channels;
mod sink_metrics;
mod sink_task;
pub mod worker;

pub use connector::{run_connector, ConnectorHandles, ConnectorOutcome, SUPPORTED_CONNECTORS};
pub use delivery::Delivery;
pub use error_policy::{is_retriable, Backoff, ConnectorError};
pub use ferrium_sink_jdbc::CONNECTOR_CLASS as JDBC_SINK_CLASS;
pub use flow_metrics::{active_topics, reset_active_topics};
pub use intake::Intake;
pub use pipeline::{run_pipeline, PipelineSettings};
pub use reset::reset_offsets;
pub use signal_channels::signal_from_json;
pub use sink_task::replay::{replay_sink, ReplayFrom, ReplayProgress, ReplaySummary};
pub use worker::{connector_type, Worker};
