//! The metrics every source reports, with Debezium's meaning, recorded through the
//! `metrics` facade with a `connector` label (the worker exports them): snapshot running,
//! completed, aborted, duration, rows scanned per table, and committed transactions.

use std::time::Instant;

/// A running snapshot: counted as aborted if dropped before [`Snapshot::completed`].
pub struct Snapshot {
    connector: String,
    started: Instant,
    done: bool,
}

impl Snapshot {
    pub fn start(connector: &str) -> Snapshot {
        let c = connector.to_string();
        metrics::gauge!("ferrium_snapshot_running", "connector" => c.clone()).set(1.0);
        metrics::gauge!("ferrium_snapshot_completed", "connector" => c.clone()).set(0.0);
        metrics::gauge!("ferrium_snapshot_aborted", "connector" => c).set(0.0);
        Snapshot {
            connector: connector.to_string(),
            started: Instant::now(),
            done: false,
        }
    }

    pub fn completed(mut self) {
        self.done = true;
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let c = self.connector.clone();
        metrics::gauge!("ferrium_snapshot_running", "connector" => c.clone()).set(0.0);
        let outcome = if self.done {
            "ferrium_snapshot_completed"
        } else {
            "ferrium_snapshot_aborted"
        };
        metrics::gauge!(outcome, "connector" => c.clone()).set(1.0);
        metrics::gauge!("ferrium_snapshot_duration_seconds", "connector" => c)
            .set(self.started.elapsed().as_secs_f64());
    }
}

/// Rows of `table` read so far by the current snapshot.
pub fn rows_scanned(connector: &str, table: &str, rows: u64) {
    metrics::gauge!("ferrium_snapshot_rows_scanned", "connector" => connector.to_string(), "table" => table.to_string())
        .set(rows as f64);
}

/// Transactions the stream read up to their commit (Debezium's
/// `NumberOfCommittedTransactions`). Counted by the source, which alone knows a commit
/// from the other positions it reports (keepalives, points inside a large transaction).
#[derive(Clone)]
pub struct CommittedTransactions(metrics::Counter);

impl CommittedTransactions {
    pub fn new(connector: &str) -> Self {
        CommittedTransactions(metrics::counter!(
            "ferrium_committed_transactions_total",
            "connector" => connector.to_string()
        ))
    }

    pub fn committed(&self) {
        self.0.increment(1);
    }
}
