//! What a source tells the outside about its snapshots while they run: per table, the
//! chunks and rows done against the estimate, the rate and an ETA, and the last signal
//! problem (a bad payload, an unknown table). The REST status and the terminal read it;
//! the source writes it. A problem here never stops streaming — it is reported, and the
//! signal that caused it is dropped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// The progress of one table's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct TableProgress {
    pub table: String,
    /// `incremental`, `blocking` or `initial`.
    pub kind: &'static str,
    pub chunks: u64,
    pub rows: u64,
    /// The server's row estimate at the start, if it has one.
    pub estimate: Option<u64>,
    pub rows_per_second: f64,
    pub eta_seconds: Option<f64>,
    pub done: bool,
}

#[derive(Debug, Default, Clone)]
pub struct SnapshotReport {
    pub tables: Vec<TableProgress>,
    pub paused: bool,
    /// The latest problems with signals or snapshot chunks, newest last (bounded).
    pub problems: Vec<String>,
}

/// Kept per table to compute the rate.
#[derive(Debug)]
struct Started {
    table: String,
    at: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    report: SnapshotReport,
    started: Vec<Started>,
}

/// Shared between a connector's source runs and whoever reports on it.
#[derive(Debug, Clone, Default)]
pub struct SnapshotStatus(Arc<Mutex<Inner>>);

const MAX_PROBLEMS: usize = 10;

impl SnapshotStatus {
    pub fn report(&self) -> SnapshotReport {
        self.lock(|inner| inner.report.clone())
    }

    /// Records a problem; also logged by the caller with its context.
    pub fn problem(&self, message: impl Into<String>) {
        let message = message.into();
        self.lock(|inner| {
            let problems = &mut inner.report.problems;
            problems.push(message);
            if problems.len() > MAX_PROBLEMS {
                problems.remove(0);
            }
        });
    }

    pub fn set_paused(&self, paused: bool) {
        self.lock(|inner| inner.report.paused = paused);
    }

    /// A table's snapshot started (or restarted after a crash, with what was done).
    pub fn start_table(&self, table: &str, kind: &'static str, estimate: Option<u64>) {
        self.lock(|inner| {
            inner.started.retain(|s| s.table != table);
            inner.started.push(Started {
                table: table.to_string(),
                at: Instant::now(),
            });
            inner.report.tables.retain(|t| t.table != table);
            inner.report.tables.push(TableProgress {
                table: table.to_string(),
                kind,
                chunks: 0,
                rows: 0,
                estimate,
                rows_per_second: 0.0,
                eta_seconds: None,
                done: false,
            });
        });
    }

    /// A chunk of `rows` rows of `table` was emitted.
    pub fn chunk_done(&self, table: &str, rows: u64) {
        self.lock(|inner| {
            let elapsed = inner
                .started
                .iter()
                .find(|s| s.table == table)
                .map(|s| s.at.elapsed().as_secs_f64());
            if let Some(t) = inner.report.tables.iter_mut().find(|t| t.table == table) {
                t.chunks += 1;
                t.rows += rows;
                if let Some(secs) = elapsed.filter(|s| *s > 0.0) {
                    t.rows_per_second = t.rows as f64 / secs;
                }
                t.eta_seconds = match t.estimate {
                    Some(estimate) if t.rows_per_second > 0.0 => {
                        Some(estimate.saturating_sub(t.rows) as f64 / t.rows_per_second)
                    }
                    _ => None,
                };
            }
        });
    }

    /// The row estimate recorded when `table`'s snapshot started.
    pub fn estimate(&self, table: &str) -> Option<u64> {
        self.lock(|inner| {
            inner
                .report
                .tables
                .iter()
                .find(|t| t.table == table)
                .and_then(|t| t.estimate)
        })
    }

    pub fn table_done(&self, table: &str) {
        self.lock(|inner| {
            if let Some(t) = inner.report.tables.iter_mut().find(|t| t.table == table) {
                t.done = true;
                t.eta_seconds = Some(0.0);
            }
        });
    }

    /// Tables whose snapshot was stopped by a signal leave the report.
    pub fn remove_table(&self, table: &str) {
        self.lock(|inner| {
            inner.report.tables.retain(|t| t.table != table);
            inner.started.retain(|s| s.table != table);
        });
    }

    fn lock<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A panic elsewhere while holding the lock leaves plain counters behind; they
        // are still fine to read and update.
        let mut inner = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_chunks_and_rows_and_keeps_few_problems() {
        let status = SnapshotStatus::default();
        status.start_table("public.t", "incremental", Some(100));
        status.chunk_done("public.t", 40);
        status.chunk_done("public.t", 40);
        let report = status.report();
        assert_eq!(report.tables[0].chunks, 2);
        assert_eq!(report.tables[0].rows, 80);
        assert!(!report.tables[0].done);
        status.table_done("public.t");
        assert!(status.report().tables[0].done);
        for i in 0..15 {
            status.problem(format!("p{i}"));
        }
        let problems = status.report().problems;
        assert_eq!(problems.len(), MAX_PROBLEMS);
        assert_eq!(problems.last().map(String::as_str), Some("p14"));
    }
}
