//! End-to-end tests: the `ferrium` binary against the real PostgreSQL (and Kafka, and the
//! schema registry) that `scripts/services.sh up` starts. One test binary, one database per test.

mod support;

mod avro_tools;
mod bad_input;
mod conformance;
mod incremental;
mod incremental_visibility;
mod kafka;
mod kafka_security;
mod providers;
mod recovery;
mod snapshot;
mod streaming;
mod tls;
mod types;
