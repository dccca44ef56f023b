//! One connector of the soak: a database with the counters workload behind a proxy of its
//! own, a `ferrium run` process writing to Kafka through the broker's proxy with
//! exactly-once, the writer, and a `read_committed` reader checking what arrives.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::Ferrium;
use crate::toxiproxy::Proxy;
use crate::workload::{Db, Kind, Reader, Writer};

pub struct Pipeline {
    pub kind: Kind,
    db: Db,
    pub proxy: Proxy,
    connector: PathBuf,
    worker: PathBuf,
    ferrium: Option<Ferrium>,
    /// What the processes killed so far logged.
    earlier_logs: String,
    writer: Writer,
    reader: Reader,
}

impl Pipeline {
    /// Creates the database and its proxy, starts Ferrium, waits for the snapshot and
    /// starts the writer.
    pub async fn start(kind: Kind, tag: &str, kafka: &Proxy) -> Pipeline {
        let db = Db::create(kind, tag).await;
        let proxy = Proxy::create(tag, db.port());
        let port = proxy.port.to_string();
        let connector = db.connector(&[
            ("database.port", &port),
            ("retriable.restart.connector.wait.ms", "1000"),
        ]);
        let worker = db.worker(&[
            &format!("bootstrap.servers={}", kafka.address()),
            "exactly.once.source.support=enabled",
            &format!("offset.storage.topic={}-offsets", db.name()),
            "value.converter.schemas.enable=false",
            "key.converter.schemas.enable=false",
        ]);
        let ferrium = Ferrium::start(&connector, &worker);
        let reader = Reader::start(&db.topic(), &format!("{}-check", db.name()));
        assert!(
            reader.wait_for_round(0, Duration::from_secs(60)).is_some(),
            "{kind:?}: the snapshot never arrived; log:\n{}",
            ferrium.log()
        );
        let writer = Writer::start(&db).await;
        Pipeline {
            kind,
            db,
            proxy,
            connector,
            worker,
            ferrium: Some(ferrium),
            earlier_logs: String::new(),
            writer,
            reader,
        }
    }

    /// A crash: SIGKILL, then a new process with the same files.
    pub fn kill9_and_restart(&mut self) {
        if let Some(ferrium) = self.ferrium.take() {
            self.earlier_logs.push_str(&ferrium.kill9_and_log());
            self.earlier_logs.push_str("---- kill -9 ----\n");
        }
        self.ferrium = Some(Ferrium::start(&self.connector, &self.worker));
    }

    /// When every change written before now had arrived, or `None` after `bound`.
    pub fn caught_up(&self, bound: Duration) -> Option<Instant> {
        self.reader.wait_for_round(self.writer.rounds(), bound)
    }

    /// Every log line so far, the killed processes' included.
    pub fn log(&self) -> String {
        let current = self.ferrium.as_ref().map(Ferrium::log).unwrap_or_default();
        format!("{}{current}", self.earlier_logs)
    }

    /// The last `lines` lines of the log, for a failure message.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the writer, waits for its last change, stops Ferrium and checks that every
    /// change arrived exactly once in commit order per key. Returns (changes, whole log).
    pub async fn finish(self, bound: Duration) -> (usize, String) {
        let Pipeline {
            kind,
            db,
            proxy,
            ferrium,
            earlier_logs,
            writer,
            reader,
            ..
        } = self;
        let ferrium = ferrium.expect("a running process");
        let rounds = writer.finish().await;
        if reader.wait_for_round(rounds, bound).is_none() {
            let log = format!("{earlier_logs}{}", ferrium.log());
            panic!("{kind:?}: round {rounds} never arrived; log:\n{log}");
        }
        let (status, last) = ferrium.stop_and_log();
        let log = format!("{earlier_logs}{last}");
        assert!(
            status.success(),
            "{kind:?}: ferrium exited with {status}; log:\n{log}"
        );
        reader.drain(bound);
        let what = format!("{kind:?}");
        let changes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.assert_exactly_once(rounds, &what)
        }))
        .unwrap_or_else(|panic| {
            eprintln!("{what} log:\n{log}");
            std::panic::resume_unwind(panic)
        });
        drop(proxy);
        db.drop().await;
        (changes, log)
    }
}
