//! One connector streaming the workload's changes into Kafka with exactly-once while
//! network faults are applied in turn: after each fault, streaming must catch up by
//! itself within [`RECOVERY_BOUND`]; at the end a `read_committed` consumer must have
//! every change exactly once, in commit order per key.

use std::time::{Duration, Instant};

use crate::support::{kafka_bootstrap, Ferrium};
use crate::toxiproxy::{Fault, Proxy};
use crate::workload::{Db, Kind, Reader, Writer};

/// How long after a fault is lifted every change written before it may take to arrive
/// (README, "Network faults").
pub const RECOVERY_BOUND: Duration = Duration::from_secs(60);

/// Where the faults go: between Ferrium and the database, or between Ferrium and Kafka.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Database,
    Kafka,
}

/// What each fault cost: the time from lifting it until every change written before then
/// had arrived.
pub struct Report {
    pub recoveries: Vec<(Fault, Duration)>,
    pub changes: usize,
    pub log: String,
}

/// Streams `kind`'s changes into Kafka with exactly-once while `faults` are applied one
/// after another to `target`'s connections, and checks the outcome.
pub async fn stream_through(kind: Kind, target: Target, faults: &[Fault], tag: &str) -> Report {
    let db = Db::create(kind, tag).await;
    let proxy = match target {
        Target::Database => Proxy::create(tag, db.port()),
        Target::Kafka => Proxy::kafka(),
    };
    let bootstrap = match target {
        Target::Database => kafka_bootstrap(),
        Target::Kafka => proxy.address(),
    };
    let proxy_port = proxy.port.to_string();
    let mut extra = vec![("retriable.restart.connector.wait.ms", "1000")];
    if target == Target::Database {
        extra.push(("database.port", proxy_port.as_str()));
    }
    let connector = db.connector(&extra);
    let worker = db.worker(&[
        &format!("bootstrap.servers={bootstrap}"),
        "exactly.once.source.support=enabled",
        &format!("offset.storage.topic={}-offsets", db.name()),
        "value.converter.schemas.enable=false",
        "key.converter.schemas.enable=false",
    ]);
    let ferrium = Ferrium::start(&connector, &worker);
    let reader = Reader::start(&db.topic(), &format!("{}-check", db.name()));
    assert!(
        reader.wait_for_round(0, Duration::from_secs(60)).is_some(),
        "the snapshot never arrived; log:\n{}",
        ferrium.log()
    );
    let writer = Writer::start(&db).await;
    let mut recoveries = Vec::new();
    for &fault in faults {
        tokio::time::sleep(Duration::from_secs(1)).await;
        fault.apply(&proxy).await;
        let lifted = Instant::now();
        let written = writer.rounds();
        let Some(at) = reader.wait_for_round(written, RECOVERY_BOUND) else {
            panic!(
                "{kind:?} through {target:?} faults: after {fault:?} was lifted, round {written} did not arrive within {RECOVERY_BOUND:?}; log:\n{}",
                ferrium.log()
            );
        };
        recoveries.push((fault, at.saturating_duration_since(lifted)));
    }
    let rounds = writer.finish().await;
    assert!(
        reader.wait_for_round(rounds, RECOVERY_BOUND).is_some(),
        "round {rounds} never arrived; log:\n{}",
        ferrium.log()
    );
    let (status, log) = ferrium.stop_and_log();
    assert!(
        status.success(),
        "ferrium exited with {status}; log:\n{log}"
    );
    reader.drain(RECOVERY_BOUND);
    let what = format!("{kind:?} through {target:?} faults");
    let changes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.assert_exactly_once(rounds, &what)
    }))
    .unwrap_or_else(|panic| {
        eprintln!("log:\n{log}");
        std::panic::resume_unwind(panic)
    });
    drop(proxy);
    db.drop().await;
    Report {
        recoveries,
        changes,
        log,
    }
}
