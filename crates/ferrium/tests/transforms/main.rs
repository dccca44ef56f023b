//! Transforms and predicates end to end: the `ferrium` binary with a transform chain,
//! against the real PostgreSQL, MariaDB and Kafka that `scripts/services.sh up` starts,
//! read back by plain consumers.

#[path = "../e2e/support.rs"]
mod support;

#[path = "../mysql/support.rs"]
mod mysql_support;

mod chain;
mod exactly_once;
mod outbox;
mod records;
mod refusal;
mod scripting;
mod unwrap;
