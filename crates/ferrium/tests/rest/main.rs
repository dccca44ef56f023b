//! Integration tests of the Kafka Connect REST API: a real `ferrium serve` process,
//! driven over HTTP, against the PostgreSQL that `scripts/services.sh up` started. Each
//! test has its own database, slot, state folder and port (the worker binds port 0 and
//! logs the address). Nothing is mocked; a missing service fails the test.

#[path = "../e2e/support.rs"]
mod support;

mod http;
mod worker;

mod api;
mod lifecycle;
mod observe;
mod providers;
mod signals;
mod tls;
