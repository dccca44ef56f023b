//! The MySQL source's own metrics: connected, and the binlog distance in bytes between
//! the server's current end and the last durable offset (Debezium's `MilliSecondsBehind`
//! has a byte twin here, as the PostgreSQL source reports its slot lag), sampled every
//! few seconds on a connection of its own while streaming. Snapshot metrics are the
//! shared ones (`ferrium_event::source_metrics`).

use std::time::Duration;

use ferrium_event::Offset;
use tokio::sync::watch;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::config::MysqlConfig;
use crate::connection::{binlog_files, connect, current_position, Flavor};
use crate::offset::MysqlOffset;
use crate::position::BinlogPosition;

const LAG_EVERY: Duration = Duration::from_secs(2);

/// Bytes from `from` to `to` across the server's binlog files (sizes from `SHOW BINARY
/// LOGS`), or `None` when `from` is in a file the server no longer lists.
pub fn binlog_distance(
    files: &[(String, u64)],
    from: &BinlogPosition,
    to: &BinlogPosition,
) -> Option<u64> {
    if from.file == to.file {
        return Some(to.pos.saturating_sub(from.pos));
    }
    let start = files.iter().position(|(name, _)| name == &from.file)?;
    let mut bytes = files[start].1.saturating_sub(from.pos);
    for (name, size) in &files[start + 1..] {
        if name == &to.file {
            return Some(bytes + to.pos);
        }
        bytes += size;
    }
    Some(bytes)
}

/// Marks the connector connected and samples the binlog distance until the guard is
/// dropped (the stream ended), which marks it disconnected.
pub fn streaming(
    config: &MysqlConfig,
    flavor: Flavor,
    committed: watch::Receiver<Option<Offset>>,
) -> DropGuard {
    let stop = CancellationToken::new();
    let config = config.clone();
    let token = stop.clone();
    tokio::spawn(async move {
        let name = config.name.clone();
        let connected = metrics::gauge!("ferrium_connected", "connector" => name.clone());
        let lag = metrics::gauge!("ferrium_source_lag_bytes", "connector" => name.clone());
        connected.set(1.0);
        let mut conn = None;
        while !token.is_cancelled() {
            if conn.is_none() {
                conn = connect(&config).await.ok();
            }
            let durable = committed
                .borrow()
                .as_ref()
                .and_then(|o| MysqlOffset::from_offset(o).ok().flatten());
            if let (Some(c), Some(durable)) = (conn.as_mut(), durable) {
                let sample = async {
                    let (end, _) = current_position(c, flavor, &config).await.ok()?;
                    let files = binlog_files(c).await.ok()?;
                    binlog_distance(&files, &durable.position, &end)
                };
                match sample.await {
                    Some(bytes) => lag.set(bytes as f64),
                    // A broken connection is opened again on the next round.
                    None => conn = None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_spans_rotated_files() {
        let files = vec![
            ("binlog.000001".to_string(), 1000),
            ("binlog.000002".to_string(), 500),
            ("binlog.000003".to_string(), 300),
        ];
        let at = |f: &str, p| BinlogPosition::new(f, p);
        assert_eq!(
            binlog_distance(&files, &at("binlog.000003", 100), &at("binlog.000003", 300)),
            Some(200)
        );
        // 1000-900 left in the first file, all 500 of the second, 250 of the third.
        assert_eq!(
            binlog_distance(&files, &at("binlog.000001", 900), &at("binlog.000003", 250)),
            Some(850)
        );
        assert_eq!(
            binlog_distance(&files, &at("binlog.000000", 4), &at("binlog.000003", 250)),
            None
        );
    }
}
