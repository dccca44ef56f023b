//! Transforms and predicates end to end: the `ferrium` binary with a transform chain,
//! against the real PostgreSQL, MariaDB and Kafka that `scripts/services.sh up` starts,
//! read back by plain consumers.

#[path = "../e2e/support.rs"]
mod support;

// Both harnesses include the shared process and topic-reader files; the two copies are
// separate modules here, each used with its own harness.
#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

mod chain;
mod exactly_once;
mod outbox;
mod records;
mod refusal;
mod scripting;
mod unwrap;
