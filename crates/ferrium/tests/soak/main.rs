//! The soak (issue #13): a PostgreSQL and a MariaDB connector, each its own `ferrium run`
//! process, stream a continuous writer's changes into Kafka with exactly-once while faults
//! drawn at random are applied one after another — reset connections, 30 s blackholes,
//! added latency and throttled bandwidth between Ferrium and each of PostgreSQL, MariaDB
//! and Kafka; `kill -9` of either Ferrium; restarts of PostgreSQL, MariaDB and the broker.
//! After each fault both connectors must catch up within [`RECOVERY_BOUND`]; at the end a
//! `read_committed` consumer per topic must have every change exactly once, in commit
//! order per key.
//!
//! CI runs ten faults. `bench/soak.sh` runs at least 100 over 30 minutes and keeps the
//! results. Settings: `FERRIUM_SOAK_FAULTS` (10), `FERRIUM_SOAK_MINUTES` (0: stop after the
//! faults), `FERRIUM_SOAK_SEED` (from the clock; printed, so a run's order can be
//! replayed), `FERRIUM_SOAK_ONLY` (comma-separated words: only the faults whose names
//! contain one), `FERRIUM_SOAK_RESULTS` (a folder for `soak.md` and `soak.json`).
//!
//! It restarts shared services, so it is a test binary of its own: cargo runs binaries
//! one after another, and nothing else is connected meanwhile.

#[path = "../e2e/support.rs"]
mod support;

#[allow(clippy::duplicate_mod)]
#[path = "../mysql/support.rs"]
mod mysql_support;

#[path = "../rest/http.rs"]
mod http;

#[path = "../common/toxiproxy.rs"]
mod toxiproxy;
#[path = "../common/workload.rs"]
mod workload;

mod deck;
mod pipeline;
mod results;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use deck::{Action, Deck, Service};
use pipeline::Pipeline;
use results::{Applied, Summary};
use toxiproxy::Proxy;
use workload::Kind;

/// How long after a fault is lifted every change written before it may take to arrive
/// (README, "Network faults").
const RECOVERY_BOUND: Duration = Duration::from_secs(60);

fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a whole number")),
        Err(_) => default,
    }
}

async fn restart(service: Service) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/services.sh");
    let status = tokio::process::Command::new("bash")
        .arg(script)
        .args(["restart", service.name()])
        .status()
        .await
        .expect("bash runs");
    assert!(
        status.success(),
        "scripts/services.sh restart {} failed",
        service.name()
    );
}

/// Both connectors' whole logs into `FERRIUM_SOAK_RESULTS/tmp/`, when it is set; says where.
fn keep_logs(pipelines: &[&Pipeline]) -> String {
    let Ok(folder) = std::env::var("FERRIUM_SOAK_RESULTS") else {
        return String::new();
    };
    let folder = std::path::Path::new(&folder).join("tmp");
    let _ = std::fs::create_dir_all(&folder);
    let mut kept = Vec::new();
    for pipeline in pipelines {
        let path = folder.join(format!("soak-{:?}.log", pipeline.kind).to_lowercase());
        if std::fs::write(&path, pipeline.log()).is_ok() {
            kept.push(path.display().to_string());
        }
    }
    format!("the whole logs are in {}; ", kept.join(" and "))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_arrives_exactly_once_through_random_faults() {
    let faults = setting("FERRIUM_SOAK_FAULTS", 10) as usize;
    let minutes = Duration::from_secs(60 * setting("FERRIUM_SOAK_MINUTES", 0));
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let seed = setting("FERRIUM_SOAK_SEED", clock);
    eprintln!(
        "soak: seed {seed}, {faults} faults, at least {} min (FERRIUM_SOAK_SEED={seed} replays this order)",
        minutes.as_secs() / 60
    );

    let only: Vec<String> = std::env::var("FERRIUM_SOAK_ONLY")
        .unwrap_or_default()
        .split(',')
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let mut deck = Deck::new(seed, &only);

    let kafka = Proxy::kafka();
    let mut pg = Pipeline::start(Kind::Postgres, "soak_pg", &kafka).await;
    let mut my = Pipeline::start(Kind::Mariadb, "soak_my", &kafka).await;
    let started = Instant::now();
    let mut applied: Vec<Applied> = Vec::new();
    while applied.len() < faults || started.elapsed() < minutes {
        tokio::time::sleep(Duration::from_millis(deck.pause_ms())).await;
        let action = deck.draw();
        let at = started.elapsed();
        let begun = Instant::now();
        match action {
            Action::Network(Service::Postgres, fault) => fault.apply(&pg.proxy).await,
            Action::Network(Service::Mariadb, fault) => fault.apply(&my.proxy).await,
            Action::Network(Service::Kafka, fault) => fault.apply(&kafka).await,
            Action::Kill9(Kind::Postgres) => pg.kill9_and_restart(),
            Action::Kill9(Kind::Mariadb) => my.kill9_and_restart(),
            Action::Restart(service) => restart(service).await,
        }
        let lifted = Instant::now();
        let mut recovery = Duration::ZERO;
        for pipeline in [&pg, &my] {
            let caught_up = tokio::task::block_in_place(|| pipeline.caught_up(RECOVERY_BOUND));
            let Some(at) = caught_up else {
                let kept = keep_logs(&[&pg, &my]);
                panic!(
                    "soak (seed {seed}): after fault #{} ({}), the {:?} connector did not catch up within {RECOVERY_BOUND:?}; {kept}its log's end:\n{}",
                    applied.len() + 1,
                    action.name(),
                    pipeline.kind,
                    pipeline.log_tail(300)
                );
            };
            recovery = recovery.max(at.saturating_duration_since(lifted));
        }
        eprintln!(
            "soak: #{} {} at {:.0} s, lasted {:.1} s, caught up {:.1} s after",
            applied.len() + 1,
            action.name(),
            at.as_secs_f64(),
            (lifted - begun).as_secs_f64(),
            recovery.as_secs_f64()
        );
        applied.push(Applied {
            action,
            at,
            lasted: lifted - begun,
            recovery,
        });
    }
    let ran = started.elapsed();

    let (pg_changes, pg_log) = pg.finish(RECOVERY_BOUND).await;
    let (my_changes, my_log) = my.finish(RECOVERY_BOUND).await;
    let summary = Summary {
        seed,
        ran,
        applied,
        changes: BTreeMap::from([("PostgreSQL", pg_changes), ("MariaDB", my_changes)]),
        retry_warnings: workload::retry_warnings(&pg_log).len()
            + workload::retry_warnings(&my_log).len(),
    };
    summary.print();
    if let Ok(folder) = std::env::var("FERRIUM_SOAK_RESULTS") {
        let narrowed = if only.is_empty() {
            String::new()
        } else {
            format!("FERRIUM_SOAK_ONLY=\"{}\" ", only.join(","))
        };
        let command = format!(
            "{narrowed}FERRIUM_SOAK_FAULTS={faults} FERRIUM_SOAK_MINUTES={} bench/soak.sh",
            minutes.as_secs() / 60
        );
        summary.write(std::path::Path::new(&folder), &command);
        eprintln!("soak: results in {folder}/soak.md and soak.json");
    }
}
