//! Network faults injected for real (issue #13): toxiproxy between Ferrium and
//! PostgreSQL, MariaDB or Kafka resets connections mid-transaction, adds 2 s of latency
//! and throttles to 100 KB/s; iptables drops the proxy's packets for a 30 s blackhole.
//! Under a continuous writer, each run checks that streaming recovers by itself within
//! the bound the README states, and that a `read_committed` consumer gets every change
//! exactly once, in commit order per key.
//!
//! Each database test has a proxy of its own; the Kafka test uses the one proxy the
//! broker advertises, so it is the only test here that touches it.

#[path = "../e2e/support.rs"]
mod support;

#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

#[path = "../rest/http.rs"]
mod http;

#[path = "../rest/worker.rs"]
mod worker;

#[path = "../common/toxiproxy.rs"]
mod toxiproxy;
#[path = "../common/workload.rs"]
mod workload;

mod run;
mod status;

use run::{stream_through, Report, Target};
use toxiproxy::ALL_FAULTS;
use workload::Kind;

fn print(what: &str, report: &Report) {
    let times: Vec<String> = report
        .recoveries
        .iter()
        .map(|(fault, took)| format!("{fault:?} {:.1} s", took.as_secs_f64()))
        .collect();
    eprintln!(
        "{what}: {} changes exactly once; caught up after: {}; {} retry warnings",
        report.changes,
        times.join(", "),
        workload::retry_warnings(&report.log).len()
    );
    for warning in workload::retry_warnings(&report.log) {
        eprintln!("  {warning}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_connections_reset_blackholed_slowed_and_throttled() {
    let report = stream_through(Kind::Postgres, Target::Database, &ALL_FAULTS, "nf_pg").await;
    print("PostgreSQL", &report);
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_connections_reset_blackholed_slowed_and_throttled() {
    let report = stream_through(Kind::Mariadb, Target::Database, &ALL_FAULTS, "nf_my").await;
    print("MariaDB", &report);
}

#[tokio::test(flavor = "multi_thread")]
async fn kafka_connections_reset_blackholed_slowed_and_throttled() {
    let report = stream_through(Kind::Postgres, Target::Kafka, &ALL_FAULTS, "nf_kafka").await;
    print("Kafka", &report);
}
