//! What a soak run applied and measured, printed at the end and, when
//! `FERRIUM_SOAK_RESULTS` names a folder, written there as `soak.md` and `soak.json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::deck::Action;

/// One fault: when it began (seconds into the run), how long it lasted, and how long
/// after it was lifted every change written before then had arrived on both connectors.
pub struct Applied {
    pub action: Action,
    pub at: Duration,
    pub lasted: Duration,
    pub recovery: Duration,
}

pub struct Summary {
    pub seed: u64,
    pub ran: Duration,
    pub applied: Vec<Applied>,
    /// Changes each connector delivered, every one exactly once.
    pub changes: BTreeMap<&'static str, usize>,
    pub retry_warnings: usize,
}

/// The `q` quantile (nearest rank) of sorted durations.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// Recovery quantiles (p50, p99, max) of the faults `pick` selects.
fn recoveries(applied: &[Applied], pick: impl Fn(&Applied) -> bool) -> (usize, [f64; 3]) {
    let mut times: Vec<Duration> = applied
        .iter()
        .filter(|a| pick(a))
        .map(|a| a.recovery)
        .collect();
    times.sort();
    let max = times.last().copied().unwrap_or_default();
    (
        times.len(),
        [
            secs(quantile(&times, 0.5)),
            secs(quantile(&times, 0.99)),
            secs(max),
        ],
    )
}

impl Summary {
    /// The fault kinds applied, each with its count and recovery quantiles.
    fn by_kind(&self) -> Vec<(String, usize, [f64; 3])> {
        let mut kinds: Vec<String> = self.applied.iter().map(|a| a.action.name()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
            .into_iter()
            .map(|kind| {
                let (n, q) = recoveries(&self.applied, |a| a.action.name() == kind);
                (kind, n, q)
            })
            .collect()
    }

    pub fn print(&self) {
        let (n, [p50, p99, max]) = recoveries(&self.applied, |_| true);
        eprintln!(
            "soak: seed {}, {n} faults in {:.1} min, changes {:?} (each exactly once), {} retry warnings; recovery p50 {p50} s, p99 {p99} s, max {max} s",
            self.seed,
            self.ran.as_secs_f64() / 60.0,
            self.changes,
            self.retry_warnings
        );
        for (kind, n, [p50, p99, max]) in self.by_kind() {
            eprintln!("  {kind}: {n}× p50 {p50} s, p99 {p99} s, max {max} s");
        }
    }

    pub fn write(&self, folder: &Path, command: &str) {
        std::fs::create_dir_all(folder).expect("the results folder can be made");
        let (n, [p50, p99, max]) = recoveries(&self.applied, |_| true);
        let by_kind = self.by_kind();
        let json = json!({
            "command": command,
            "seed": self.seed,
            "minutes": secs(self.ran) / 60.0,
            "faults": n,
            "changes": self.changes,
            "lost": 0,
            "duplicated": 0,
            "retry_warnings": self.retry_warnings,
            "recovery_s": {"p50": p50, "p99": p99, "max": max},
            "by_kind": by_kind.iter().map(|(kind, n, [p50, p99, max])| json!({
                "fault": kind, "count": n, "p50_s": p50, "p99_s": p99, "max_s": max,
            })).collect::<Vec<_>>(),
            "applied": self.applied.iter().map(|a| json!({
                "fault": a.action.name(),
                "at_s": secs(a.at),
                "lasted_s": secs(a.lasted),
                "recovery_s": secs(a.recovery),
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&json).expect("JSON");
        std::fs::write(folder.join("soak.json"), text + "\n").expect("soak.json is written");

        let mut md = format!(
            "# Soak run\n\n\
             `{command}` (seed {seed}; reproduce the order with `FERRIUM_SOAK_SEED={seed}`)\n\n\
             A PostgreSQL and a MariaDB connector streamed a continuous writer's changes (one \
             20-row transaction every 25 ms each) into Kafka with exactly-once for {minutes:.1} \
             minutes while {n} faults were applied one after another. A `read_committed` \
             consumer per topic then had every change exactly once, in commit order per key:\n\n\
             | connector | changes | lost | duplicated |\n| --- | --- | --- | --- |\n",
            seed = self.seed,
            minutes = self.ran.as_secs_f64() / 60.0,
        );
        for (connector, changes) in &self.changes {
            md += &format!("| {connector} | {changes} | 0 | 0 |\n");
        }
        md += &format!(
            "\nRecovery is the time from lifting a fault until every change written before \
             then had arrived on both connectors: **p50 {p50} s, p99 {p99} s, max {max} s**. \
             Ferrium logged {} retry warnings.\n\n\
             | fault | applied | p50 (s) | p99 (s) | max (s) |\n| --- | --- | --- | --- | --- |\n",
            self.retry_warnings
        );
        for (kind, n, [p50, p99, max]) in &by_kind {
            md += &format!("| {kind} | {n} | {p50} | {p99} | {max} |\n");
        }
        md += "\n## Every fault\n\n| # | at (s) | fault | lasted (s) | recovery (s) |\n| --- | --- | --- | --- | --- |\n";
        for (i, a) in self.applied.iter().enumerate() {
            md += &format!(
                "| {} | {} | {} | {} | {} |\n",
                i + 1,
                secs(a.at),
                a.action.name(),
                secs(a.lasted),
                secs(a.recovery)
            );
        }
        std::fs::write(folder.join("soak.md"), md).expect("soak.md is written");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let times = ms(&[100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
        assert_eq!(quantile(&times, 0.5), Duration::from_millis(500));
        assert_eq!(quantile(&times, 0.99), Duration::from_millis(1000));
        assert_eq!(quantile(&ms(&[42]), 0.5), Duration::from_millis(42));
        assert_eq!(quantile(&[], 0.99), Duration::ZERO);
    }
}
