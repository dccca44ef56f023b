//! A workload for fault runs: a table of counters in a throwaway PostgreSQL or MariaDB
//! database, a writer that bumps every counter in one transaction after another, and a
//! `read_committed` reader that records each change as it arrives, so a run can tell how
//! long a fault held streaming up and whether every change came exactly once, in order.
//!
//! Every transaction adds one to every key, so after `n` committed rounds each key's
//! changes are exactly 0 (the snapshot), 1, …, n.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;

use crate::mysql_support;
use crate::support::{self, json_value, TopicReader};

/// Rows the writer updates in each transaction.
pub const KEYS: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Postgres,
    Mariadb,
}

pub enum Db {
    Pg(support::TestDb),
    My(mysql_support::TestDb),
}

impl Db {
    /// A new database with the `counters` table, every key at 0.
    pub async fn create(kind: Kind, tag: &str) -> Db {
        let table = format!(
            "CREATE TABLE counters (id int PRIMARY KEY, v int NOT NULL); INSERT INTO counters (id, v) SELECT seq, 0 FROM {}",
            match kind {
                Kind::Postgres => format!("generate_series(1, {KEYS}) AS seq"),
                Kind::Mariadb => format!("seq_1_to_{KEYS}"),
            }
        );
        match kind {
            Kind::Postgres => {
                let db = support::TestDb::create(tag).await;
                db.exec(&table).await;
                Db::Pg(db)
            }
            Kind::Mariadb => {
                let mut db = mysql_support::TestDb::create(tag).await;
                db.exec(&table).await;
                Db::My(db)
            }
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Db::Pg(_) => Kind::Postgres,
            Db::My(_) => Kind::Mariadb,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Db::Pg(db) => &db.name,
            Db::My(db) => &db.name,
        }
    }

    /// The server's own port (a proxy goes in front of it).
    pub fn port(&self) -> u16 {
        match self {
            Db::Pg(_) => support::pg_port(),
            Db::My(_) => mysql_support::mariadb_port(),
        }
    }

    /// The counters' topic under `topic.prefix` = the database's name.
    pub fn topic(&self) -> String {
        match self {
            Db::Pg(db) => format!("{}.public.counters", db.name),
            Db::My(db) => format!("{0}.{0}.counters", db.name),
        }
    }

    /// The connector file: the test harness's config with `extra`; `topic.prefix` is
    /// the database's name, and a MariaDB connector keeps its schema history in Kafka.
    pub fn connector(&self, extra: &[(&str, &str)]) -> PathBuf {
        let history = format!("{}.history", self.name());
        let mut extra = extra.to_vec();
        extra.push(("topic.prefix", self.name()));
        match self {
            Db::Pg(db) => db.write_connector(&db.connector(&extra)),
            Db::My(db) => {
                extra.push(("schema.history.internal.kafka.topic", &history));
                db.write_connector(&db.connector(&extra))
            }
        }
    }

    pub fn worker(&self, extra: &[&str]) -> PathBuf {
        match self {
            Db::Pg(db) => db.worker(extra),
            Db::My(db) => db.worker(extra),
        }
    }

    pub async fn drop(self) {
        match self {
            Db::Pg(db) => db.drop().await,
            Db::My(db) => db.drop().await,
        }
    }
}

/// One writer session; a lost one is opened again (the server may be restarted under it).
enum Session {
    Pg(tokio_postgres::Client),
    My(mysql_async::Conn),
}

impl Session {
    async fn open(kind: Kind, db: &str) -> Session {
        match kind {
            Kind::Postgres => Session::Pg(support::connect(db).await),
            Kind::Mariadb => Session::My(mysql_support::connect(Some(db)).await),
        }
    }

    async fn round(&mut self) -> Result<(), String> {
        const ROUND: &str = "UPDATE counters SET v = v + 1";
        match self {
            Session::Pg(client) => client.batch_execute(ROUND).await.map_err(|e| e.to_string()),
            Session::My(conn) => conn.query_drop(ROUND).await.map_err(|e| e.to_string()),
        }
    }

    /// The rounds committed so far: a round cut off by a server restart may or may not
    /// have committed, and the table is the one that knows.
    async fn committed(&mut self) -> Result<i64, String> {
        const READ: &str = "SELECT v FROM counters WHERE id = 1";
        match self {
            Session::Pg(client) => client
                .query_one(READ, &[])
                .await
                .map(|row| i64::from(row.get::<_, i32>(0)))
                .map_err(|e| e.to_string()),
            Session::My(conn) => conn
                .query_first::<i64, _>(READ)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "no row 1".to_string()),
        }
    }
}

/// Runs one transaction after another on its own connection (never through a proxy)
/// until stopped; `rounds` counts the committed ones.
pub struct Writer {
    rounds: Arc<AtomicI64>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Writer {
    pub async fn start(db: &Db) -> Writer {
        let rounds = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (committed, stopping) = (rounds.clone(), stop.clone());
        let (kind, name) = (db.kind(), db.name().to_string());
        let mut session = Session::open(kind, &name).await;
        let task = tokio::spawn(async move {
            while !stopping.load(Ordering::SeqCst) {
                match session.round().await {
                    Ok(()) => {
                        committed.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(error) => {
                        eprintln!("[writer] {kind:?}: {error}; reconnecting");
                        session = reopen(kind, &name).await;
                        let count = loop {
                            match session.committed().await {
                                Ok(count) => break count,
                                Err(_) => session = reopen(kind, &name).await,
                            }
                        };
                        committed.store(count, Ordering::SeqCst);
                    }
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        });
        Writer { rounds, stop, task }
    }

    pub fn rounds(&self) -> i64 {
        self.rounds.load(Ordering::SeqCst)
    }

    pub async fn finish(self) -> i64 {
        self.stop.store(true, Ordering::SeqCst);
        let rounds = self.rounds.clone();
        self.task.await.expect("the writer ran to its end");
        rounds.load(Ordering::SeqCst)
    }
}

/// A session again once the server answers (within two minutes).
async fn reopen(kind: Kind, db: &str) -> Session {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let attempt = tokio::spawn({
            let db = db.to_string();
            async move { Session::open(kind, &db).await }
        });
        match attempt.await {
            Ok(session) => return session,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(e) => panic!("the {kind:?} writer could not reconnect for 2 minutes: {e}"),
        }
    }
}

/// Each key's values in arrival order, and when the newest one arrived.
#[derive(Default)]
struct Seen {
    values: BTreeMap<i64, Vec<i64>>,
    ops: BTreeMap<char, usize>,
    newest: BTreeMap<i64, (i64, Instant)>,
}

/// A `read_committed` consumer on its own thread (straight to the broker, never through
/// a proxy).
pub struct Reader {
    seen: Arc<Mutex<Seen>>,
    /// How many times the reader, idle, found it had read everything the topic held.
    at_end: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    pub fn start(topic: &str, group: &str) -> Reader {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let at_end = Arc::new(AtomicU64::new(0));
        let (out, done, ended) = (seen.clone(), stop.clone(), at_end.clone());
        let reader = TopicReader::subscribe(group, &[topic]);
        let thread = std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                let Some(message) = reader.next(Duration::from_millis(200)) else {
                    if reader.at_end() {
                        ended.fetch_add(1, Ordering::SeqCst);
                    }
                    continue;
                };
                let Some(value) = json_value(&message) else {
                    continue;
                };
                let (id, v) = (
                    value["after"]["id"].as_i64().unwrap_or(-1),
                    value["after"]["v"].as_i64().unwrap_or(-1),
                );
                let op = value["op"]
                    .as_str()
                    .and_then(|o| o.chars().next())
                    .unwrap_or('?');
                let mut seen = out.lock().unwrap();
                seen.values.entry(id).or_default().push(v);
                *seen.ops.entry(op).or_default() += 1;
                let newest = seen.newest.entry(id).or_insert((v, Instant::now()));
                if v >= newest.0 {
                    *newest = (v, Instant::now());
                }
            }
        });
        Reader {
            seen,
            at_end,
            stop,
            thread: Some(thread),
        }
    }

    /// When every key had reached `round`, or `None` if that did not happen within `bound`.
    pub fn wait_for_round(&self, round: i64, bound: Duration) -> Option<Instant> {
        let deadline = Instant::now() + bound;
        loop {
            {
                let seen = self.seen.lock().unwrap();
                let complete = (1..=KEYS)
                    .map(|id| seen.newest.get(&id))
                    .collect::<Option<Vec<_>>>();
                if let Some(newest) = complete {
                    if newest.iter().all(|(v, _)| *v >= round) {
                        return newest.iter().map(|(_, at)| *at).max();
                    }
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the reader has read everything the topic holds now (call it once no
    /// producer writes to it any more, so a late duplicate would already be there);
    /// panics after `bound`.
    pub fn drain(&self, bound: Duration) {
        // A check that began before this call may have looked at an older end.
        let before = self.at_end.load(Ordering::SeqCst);
        let deadline = Instant::now() + bound;
        while self.at_end.load(Ordering::SeqCst) < before + 2 {
            assert!(
                Instant::now() < deadline,
                "the reader did not reach the end of its topic within {bound:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops reading; panics unless each key's changes are exactly 0..=`rounds`, in order.
    /// Returns how many changes were read.
    pub fn assert_exactly_once(mut self, rounds: i64, what: &str) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the reader thread");
        }
        let seen = self.seen.lock().unwrap();
        let unexpected: Vec<_> = seen
            .ops
            .keys()
            .filter(|op| !matches!(op, 'r' | 'u'))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{what}: unexpected ops {unexpected:?}"
        );
        let expected: Vec<i64> = (0..=rounds).collect();
        for id in 1..=KEYS {
            let got = seen.values.get(&id).map(Vec::as_slice).unwrap_or_default();
            if got != expected.as_slice() {
                let at = got
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.len().min(expected.len()));
                panic!(
                    "{what}: key {id} does not have every change exactly once in order: {} values for {} changes, first difference at {at}: {:?}",
                    got.len(),
                    expected.len(),
                    &got[at.saturating_sub(2)..(at + 3).min(got.len())]
                );
            }
        }
        seen.values.values().map(Vec::len).sum()
    }
}

/// Retry warnings in a log: one per attempt, each naming the error and the next delay.
pub fn retry_warnings(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("WARN") && l.contains("retriable error") && l.contains("retry_in_ms")
        })
        .collect()
}
