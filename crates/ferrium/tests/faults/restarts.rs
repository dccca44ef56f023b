//! A database restarted (`scripts/services.sh restart`) under a continuous writer, with
//! the connector streaming into Kafka with exactly-once: streaming recovers by itself
//! and a `read_committed` consumer gets every change exactly once, in commit order per
//! key — none lost while the server was down, none repeated after the reconnect.

use std::time::{Duration, Instant};

use crate::support::{kafka_bootstrap, Ferrium};
use crate::workload::{Db, Kind, Reader, Writer};
use crate::{restart, wait_for_log, ONE_AT_A_TIME};

/// How long after the restart every change written before it may take to arrive.
const RECOVERY_BOUND: Duration = Duration::from_secs(90);

/// Waits until the writer has committed `rounds` rounds (it reconnects by itself after a
/// restart).
async fn wait_for_rounds(writer: &Writer, rounds: i64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while writer.rounds() < rounds {
        assert!(
            Instant::now() < deadline,
            "{what}: the writer reached {} of {rounds} rounds",
            writer.rounds()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn restart_under_a_writer(kind: Kind, service: &str, tag: &str, streaming: &str) {
    let db = Db::create(kind, tag).await;
    let connector = db.connector(&[("retriable.restart.connector.wait.ms", "500")]);
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
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
    wait_for_rounds(&writer, 20, "before the restart").await;
    assert!(
        reader.wait_for_round(10, RECOVERY_BOUND).is_some(),
        "nothing streamed before the restart; log:\n{}",
        ferrium.log()
    );

    restart(service);
    let restarted = Instant::now();
    // The writer goes on after the restart: changes keep coming while Ferrium reconnects.
    let after = writer.rounds() + 20;
    wait_for_rounds(&writer, after, "after the restart").await;
    let rounds = writer.finish().await;
    let Some(caught_up) = reader.wait_for_round(rounds, RECOVERY_BOUND) else {
        panic!(
            "{kind:?} restart: round {rounds} did not arrive within {RECOVERY_BOUND:?}; log:\n{}",
            ferrium.log()
        );
    };
    wait_for_log(&ferrium, streaming, 2);
    assert!(
        ferrium.log().contains("retriable error"),
        "the restart was not seen as a retriable error:\n{}",
        ferrium.log()
    );
    let (status, log) = ferrium.stop_and_log();
    assert!(
        status.success(),
        "ferrium exited with {status}; log:\n{log}"
    );
    // Nothing writes to the topic any more: a late duplicate would be there by now.
    reader.drain(RECOVERY_BOUND);
    let what = format!("{kind:?} restarted under a writer");
    let changes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.assert_exactly_once(rounds, &what)
    }))
    .unwrap_or_else(|panic| {
        eprintln!("log:\n{log}");
        std::panic::resume_unwind(panic)
    });
    eprintln!(
        "{what}: {changes} changes exactly once ({rounds} rounds); caught up {:.1} s after the restart",
        caught_up.saturating_duration_since(restarted).as_secs_f64()
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restart_under_a_writer_loses_and_repeats_nothing() {
    let _serial = ONE_AT_A_TIME.lock().await;
    restart_under_a_writer(Kind::Postgres, "postgres", "pgrestart", "streaming started").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_restart_under_a_writer_loses_and_repeats_nothing() {
    let _serial = ONE_AT_A_TIME.lock().await;
    restart_under_a_writer(
        Kind::Mariadb,
        "mariadb",
        "myrestart",
        "streaming the binlog",
    )
    .await;
}
