//! The JDBC sink end to end: the `ferrium` binary running a source connector into the
//! real Kafka and the JDBC sink from there into a real PostgreSQL or MariaDB, checked by
//! reading the target database.

#[path = "../e2e/support.rs"]
mod support;

// Both harnesses include the shared process and topic-reader files; the two copies are
// separate modules here, each used with its own harness.
#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

#[path = "../rest/http.rs"]
mod http;
#[path = "../rest/worker.rs"]
mod worker;

mod bad_input;
mod cross;
mod exactly_once;
mod harness;
mod pg_to_pg;
mod replay;
mod tls;
