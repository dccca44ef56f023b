//! Bad input to the JDBC sink: each a clear error naming the fix, with nothing of the
//! failing batch applied.

use std::time::Duration;

use crate::harness::{pg_source, start, start_only, PgDb, Target};

fn wait_for_failure(ferrium: &crate::support::Ferrium) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let log = ferrium.log();
        if log.contains("ERROR ferrium: connector failed") {
            return log;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sink did not fail:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sink_options(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut options = vec![
        ("insert.mode", "upsert"),
        ("primary.key.mode", "record_key"),
        ("schema.evolution", "basic"),
        ("collection.name.format", "${source.table}"),
        ("flush.max.retries", "0"),
    ];
    options.extend_from_slice(extra);
    options
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_target_is_named() {
    let target = Target::postgres("sink_unreach").await;
    let mut sink = target.sink("unreachable-sink", "nothing.here", &sink_options(&[]));
    sink["config"]["connection.url"] = "jdbc:postgresql://127.0.0.1:1/nowhere".into();
    let dir = target.dir();
    let ferrium = start_only(&dir, "unreachable-sink", &[sink]);
    let log = wait_for_failure(&ferrium);
    assert!(
        log.contains("cannot reach the target database jdbc:postgresql://127.0.0.1:1/nowhere"),
        "{log}"
    );
    ferrium.stop();
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflicting_column_type_is_named_and_nothing_is_applied() {
    let source = PgDb::create("sink_conflict").await;
    source
        .exec("CREATE TABLE orders (id int PRIMARY KEY, name text)")
        .await;
    let mut target = Target::postgres("sink_conflict_rm").await;
    target
        .exec("CREATE TABLE orders (id int PRIMARY KEY, name integer)")
        .await;
    let prefix = source.name.clone();
    let sink = target.sink(
        &format!("{prefix}-sink"),
        &format!("{prefix}.public.orders"),
        &sink_options(&[]),
    );
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[]), sink],
    );
    source
        .exec("INSERT INTO orders VALUES (1, 'one'), (2, 'two')")
        .await;
    let log = wait_for_failure(&ferrium);
    assert!(
        log.contains("column name of table orders is integer") && log.contains("alter the column"),
        "{log}"
    );
    assert_eq!(
        target.rows("SELECT count(*)::text FROM orders").await,
        ["0"]
    );
    ferrium.stop();
    source.drop().await;
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_without_a_key_under_record_key_names_the_fix() {
    let source = PgDb::create("sink_nokey").await;
    source
        .exec("CREATE TABLE logs (msg text); ALTER TABLE logs REPLICA IDENTITY FULL")
        .await;
    let mut target = Target::postgres("sink_nokey_rm").await;
    let prefix = source.name.clone();
    let sink = target.sink(
        &format!("{prefix}-sink"),
        &format!("{prefix}.public.logs"),
        &sink_options(&[]),
    );
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[]), sink],
    );
    source.exec("INSERT INTO logs VALUES ('a')").await;
    let log = wait_for_failure(&ferrium);
    assert!(
        log.contains("has no key") && log.contains("primary.key.mode=record_value"),
        "{log}"
    );
    assert!(
        target
            .rows("SELECT count(*)::text FROM logs")
            .await
            .is_empty(),
        "no table was created"
    );
    ferrium.stop();
    source.drop().await;
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_privilege_names_the_grant() {
    let mut target = Target::postgres("sink_priv").await;
    let user = format!("{}_ro", target.name());
    target
        .exec(&format!(
            "CREATE ROLE {user} LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT CONNECT ON DATABASE {} TO {user}",
            target.name()
        ))
        .await;
    let mut sink = target.sink("priv-sink", "nothing.here", &sink_options(&[]));
    sink["config"]["connection.username"] = user.clone().into();
    let dir = target.dir();
    let ferrium = start_only(&dir, "priv-sink", &[sink]);
    let log = wait_for_failure(&ferrium);
    assert!(
        log.contains(&format!("the user '{user}' lacks a privilege")) && log.contains("GRANT"),
        "{log}"
    );
    ferrium.stop();
    target.drop().await;
}
