//! A chunk of an incremental snapshot never brings back a row the stream already
//! deleted, even while the deleting transaction is still running in PostgreSQL's eyes.
//!
//! PostgreSQL writes a commit record before the transaction leaves the proc array, and
//! logical decoding delivers it from the record: in between, the change is streamed
//! but a new snapshot does not see it. A commit waiting for a synchronous standby stays
//! in between until the wait ends, so a standby that does not exist holds it there for
//! as long as the test needs. Everyone else commits with `synchronous_commit = local`
//! meanwhile, which is what they get without a standby anyway.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::incremental::fold::Fold;
use crate::incremental::{items_db, signal, start, WAIT};
use crate::support::TestDb;

/// Sets the server up to wait for a standby that never connects, for sessions that ask
/// for it (`synchronous_commit = on`); the defaults come back when it is dropped, also
/// when the test fails.
struct AbsentStandby;

const WAIT_FOR_ABSENT_STANDBY: &[&str] = &[
    "ALTER SYSTEM SET synchronous_commit = 'local'",
    "ALTER SYSTEM SET synchronous_standby_names = 'ferrium_absent_standby'",
];
const DEFAULTS: &[&str] = &[
    "ALTER SYSTEM RESET synchronous_standby_names",
    "ALTER SYSTEM RESET synchronous_commit",
];

impl AbsentStandby {
    async fn configure(admin: &Client) -> AbsentStandby {
        apply(admin, WAIT_FOR_ABSENT_STANDBY).await;
        AbsentStandby
    }
}

impl Drop for AbsentStandby {
    fn drop(&mut self) {
        // Drop cannot wait on the test's runtime: a thread with a runtime of its own.
        let restored = std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| {
                    rt.block_on(async {
                        apply(&crate::support::connect("postgres").await, DEFAULTS).await
                    })
                })
        })
        .join();
        if !matches!(restored, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("synchronous_standby_names was not reset: run ALTER SYSTEM RESET synchronous_standby_names");
        }
    }
}

/// `ALTER SYSTEM` refuses to run in a transaction block, so one statement at a time.
async fn apply(admin: &Client, statements: &[&str]) {
    for statement in statements.iter().chain(&["SELECT pg_reload_conf()"]) {
        admin.batch_execute(statement).await.unwrap();
    }
}

/// A delete whose commit waits for the standby.
struct HeldDelete {
    pid: i32,
    task: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
    /// Deletes of the row run so far, this one included.
    deletes: usize,
}

/// Runs `DELETE … WHERE id = 2` in its own session and returns once its commit waits
/// for the standby. The configuration reaches each server process on its own time: a
/// delete that committed without waiting is undone (the row inserted again) and tried
/// again.
async fn delete_held_at_commit(db: &TestDb) -> HeldDelete {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut deletes = 0;
    loop {
        deletes += 1;
        let session = crate::support::connect(&db.name).await;
        let pid: i32 = session
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
        let delete = tokio::spawn(async move {
            session
                .batch_execute("SET synchronous_commit = on; DELETE FROM items WHERE id = 2")
                .await
        });
        loop {
            let waiting: bool = db
                .client
                .query_one(
                    "SELECT coalesce((SELECT wait_event = 'SyncRep' FROM pg_stat_activity WHERE pid = $1), false)",
                    &[&pid],
                )
                .await
                .unwrap()
                .get(0);
            if waiting {
                return HeldDelete {
                    pid,
                    task: delete,
                    deletes,
                };
            }
            if delete.is_finished() {
                break;
            }
            tokio::task::yield_now().await;
        }
        delete.await.unwrap().unwrap();
        assert!(
            Instant::now() < deadline,
            "commits never waited for the absent standby: synchronous_standby_names did not take effect"
        );
        db.exec("INSERT INTO items VALUES (2, 0)").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_never_reads_a_row_whose_delete_was_streamed_but_is_still_committing() {
    let db = items_db("incrvis", 3).await;
    let ferrium = start(&db, &[]);
    let standby = AbsentStandby::configure(&db.client).await;
    let held = delete_held_at_commit(&db).await;

    // The stream delivers the delete while its transaction still runs.
    let mut fold = Fold::new("test.public.items");
    ferrium.collect_until(WAIT, |lines| {
        fold.apply(lines);
        lines.iter().filter(|l| l.op() == Some("d")).count() == held.deletes
    });
    assert!(
        !held.task.is_finished(),
        "the delete stopped waiting on its own"
    );

    signal(
        &db,
        "snap-1",
        "execute-snapshot",
        r#"{"data-collections": ["public.items"], "type": "incremental"}"#,
    )
    .await;
    // A chunk read now would bring key 2 back (the fold fails on it); Ferrium waits.
    fold.next_collection();
    ferrium.collect_until(WAIT, |lines| {
        fold.apply(lines);
        fold.reads >= 2
            || ferrium
                .log()
                .contains("still running in the chunk's snapshot")
    });
    assert_eq!(
        fold.reads, 0,
        "the chunk did not wait for the delete to finish"
    );
    // Ends the wait; the transaction had committed and now leaves the proc array.
    db.client
        .execute("SELECT pg_cancel_backend($1)", &[&held.pid])
        .await
        .unwrap();
    held.task.await.unwrap().unwrap();
    drop(standby);

    fold.next_collection();
    ferrium.collect_until(WAIT, |lines| {
        fold.apply(lines);
        fold.reads == 2
    });
    ferrium.wait_for_log("incremental snapshot finished");
    assert_eq!(fold.state, BTreeMap::from([(1, 0), (3, 0)]));
    ferrium.stop();
    db.drop().await;
}
