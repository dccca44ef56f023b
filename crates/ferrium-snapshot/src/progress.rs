//! Snapshot progress for people, for initial and incremental snapshots alike: on a
//! terminal a live line per table (rows done of the estimate, rate, ETA); otherwise a log
//! line every few seconds.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const LOG_EVERY: Duration = Duration::from_secs(10);
const DRAW_EVERY: Duration = Duration::from_millis(250);

pub struct Progress {
    /// `initial` or `incremental`.
    kind: &'static str,
    table: String,
    estimate: i64,
    done: u64,
    started: Instant,
    last_report: Instant,
    terminal: bool,
}

impl Progress {
    pub fn start(kind: &'static str, table: String, estimate: i64) -> Self {
        let now = Instant::now();
        Progress {
            kind,
            table,
            estimate,
            done: 0,
            started: now,
            last_report: now,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn add(&mut self, rows: u64) {
        self.done += rows;
        let every = if self.terminal { DRAW_EVERY } else { LOG_EVERY };
        if self.last_report.elapsed() >= every {
            self.last_report = Instant::now();
            self.report(false);
        }
    }

    pub fn finish(&mut self) {
        self.report(true);
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn rows(&self) -> u64 {
        self.done
    }

    fn report(&self, finished: bool) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = self.done as f64 / secs;
        let estimate = self.estimate.max(self.done as i64) as u64;
        let eta = if rate > 0.0 && estimate > self.done {
            format!("{:.0}s", (estimate - self.done) as f64 / rate)
        } else {
            "-".to_string()
        };
        if self.terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{} snapshot {}: {} of ~{} rows, {:.0} rows/s, ETA {}",
                self.kind, self.table, self.done, estimate, rate, eta
            );
            if finished {
                let _ = writeln!(err);
            }
        } else if finished {
            tracing::info!(kind = self.kind, table = %self.table, rows = self.done, seconds = format!("{secs:.1}"), "snapshot of table finished");
        } else {
            tracing::info!(kind = self.kind, table = %self.table, rows = self.done, estimate, rate = format!("{rate:.0}"), eta = %eta, "snapshot progress");
        }
    }
}
