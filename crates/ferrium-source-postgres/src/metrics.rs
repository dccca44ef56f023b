//! The PostgreSQL source's own metrics: connected, and the slot's lag in bytes
//! (`pg_current_wal_lsn() - confirmed_flush_lsn`), sampled every few seconds on a
//! connection of its own while streaming. Snapshot metrics are the shared ones
//! (`ferrium_event::source_metrics`).

use std::time::Duration;

use tokio_util::sync::{CancellationToken, DropGuard};

use crate::config::PostgresConfig;
use crate::connection::connect;

const LAG_EVERY: Duration = Duration::from_secs(2);

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
