//! Avro through the real schema registry, end to end: the `ferrium` binary writing with
//! the Avro converter to the real Kafka, read back by Confluent's own Python
//! `AvroDeserializer` (`tests/tools/avro_consume.py`), and the registry's subjects and
//! versions checked over its REST API.

#[path = "../e2e/support.rs"]
mod support;

// Both harnesses include the shared process and topic-reader files; the two copies are
// separate modules here, each used with its own harness.
#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

mod bad_input;
mod evolution;
mod registry;
mod secured_registry;
mod types;
