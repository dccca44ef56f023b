//! The PostgreSQL source's metrics, with Debezium's meaning: snapshot running,
//! completed, aborted, rows scanned per table and duration; connected; and the slot's
//! lag in bytes (`pg_current_wal_lsn() - confirmed_flush_lsn`), sampled every few
//! seconds on a connection of its own while streaming. Recorded through the `metrics`
//! facade with a `connector` label; the worker exports them.

use std::time::{Duration, Instant};

use tokio_util::sync::{CancellationToken, DropGuard};

use crate::config::PostgresConfig;
use crate::connection::connect;

const LAG_EVERY: Duration = Duration::from_secs(2);

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

/// Marks the connector connected and samples the slot lag until the guard is dropped
/// (the stream ended), which marks it disconnected.
pub fn streaming(config: &PostgresConfig) -> DropGuard {
    let stop = CancellationToken::new();
    let config = config.clone();
    let token = stop.clone();
    tokio::spawn(async move {
        let name = config.name.clone();
        let connected = metrics::gauge!("ferrium_connected", "connector" => name.clone());
        let lag = metrics::gauge!("ferrium_source_lag_bytes", "connector" => name.clone());
        connected.set(1.0);
        let mut client = None;
        while !token.is_cancelled() {
            if client.is_none() {
                client = connect(&config, "metrics").await.ok();
            }
            if let Some(c) = &client {
                let row = c
                    .query_opt(
                        "SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::float8 FROM pg_replication_slots WHERE slot_name = $1",
                        &[&config.slot_name],
                    )
                    .await;
                match row {
                    Ok(Some(row)) => lag.set(row.get::<_, Option<f64>>(0).unwrap_or(0.0).max(0.0)),
                    Ok(None) => {}
                    // A broken connection is opened again on the next round.
                    Err(_) => client = None,
                }
            }
            tokio::select! {
                _ = token.cancelled() => break,
                _ = tokio::time::sleep(LAG_EVERY) => {}
            }
        }
        connected.set(0.0);
    });
    stop.drop_guard()
}
