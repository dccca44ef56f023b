//! End-to-end tests of the MySQL/MariaDB source against the real MariaDB started by
//! `scripts/services.sh up`, with the real `ferrium` binary.

mod support;

mod bad_input;
mod ddl;
mod incremental;
mod kafka;
mod observe;
mod recovery;
mod snapshot;
mod streaming;
mod tls;
mod types;
mod types_conformance;
