//! Single message transforms (SMTs) and predicates, as Kafka Connect and Debezium
//! configure them: `transforms=a,b`, `transforms.a.type=<class>`, the other
//! `transforms.a.*` keys for the transform, `predicates=p`, `transforms.a.predicate`,
//! `transforms.a.negate`.
//!
//! A transform sees a [`SourceRecord`](ferrium_event::SourceRecord) before the converter
//! and returns the record to write, or nothing to drop it. Every class is found through
//! one [`registry`]; the runtime only ever sees a [`TransformChain`].

pub mod chain;
pub mod debezium;
pub mod java_regex;
pub mod kafka;
pub mod predicates;
pub mod props;
pub mod registry;
pub mod schema_cache;
pub mod transform;

pub use chain::{ChainError, TransformChain};
pub use props::{ConfigProblem, Props};
pub use transform::{Predicate, Transform, TransformError};
