//! The real `ferrium` binary as a child process, for the integration test binaries: its
//! stdout records parsed line by line, its log kept for failure messages, and helpers to
//! stop it gracefully, crash it, or run it to completion.

#![allow(dead_code)]

#[path = "transcript.rs"]
pub mod transcript;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One record as the embedded default prints it.
#[derive(Debug, Clone)]
pub struct Line {
    pub topic: String,
    pub key: Value,
    pub value: Value,
    /// The record's headers as the stdout sink shows them (`{name: text}`), or null.
    pub headers: Value,
}

impl Line {
    /// The payload of the value (schemas enabled or not).
    pub fn payload(&self) -> &Value {
        self.value.get("payload").unwrap_or(&self.value)
    }

    pub fn op(&self) -> Option<&str> {
        self.payload().get("op").and_then(Value::as_str)
    }

    pub fn after(&self) -> &Value {
        &self.payload()["after"]
    }

    pub fn before(&self) -> &Value {
        &self.payload()["before"]
    }

    pub fn source(&self) -> &Value {
        &self.payload()["source"]
    }

    pub fn key_payload(&self) -> &Value {
        self.key.get("payload").unwrap_or(&self.key)
    }
}

/// A running `ferrium run` process, its stdout parsed line by line.
pub struct Ferrium {
    pub child: Child,
    lines: mpsc::Receiver<Line>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// Ends at the stderr pipe's end of file; joined once the process exited, so the
    /// log is complete when a test reads it.
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

pub fn ferrium_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ferrium"))
}

impl Ferrium {
    pub fn start(connector: &Path, worker: &Path) -> Ferrium {
        let mut child = Command::new(ferrium_binary())
            .arg("run")
            .arg(connector)
            .arg("--worker")
            .arg(worker)
            // FERRIUM_TEST_LOG (e.g. `info,ferrium_sink=debug`) for a closer look at a run.
            .env(
                "FERRIUM_LOG",
                std::env::var("FERRIUM_TEST_LOG").unwrap_or("info".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("the ferrium binary starts");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // A process killed in the middle of a write leaves a last line without its
                // newline: that record was never flushed whole, so never delivered (its
                // offset was not stored), and the restart sends it again.
                let Some(line) = line.strip_suffix('\n') else {
                    break;
                };
                let json: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
                let parsed = Line {
                    topic: json["topic"].as_str().unwrap().to_string(),
                    key: json["key"].clone(),
                    value: json["value"].clone(),
                    headers: json["headers"].clone(),
                };
                if tx.send(parsed).is_err() {
                    break;
                }
            }
        });
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let log_writer = log.clone();
        let stderr_reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if std::env::var_os("FERRIUM_TEST_VERBOSE").is_some() {
                    eprintln!("[ferrium] {line}");
                }
                transcript::keep("ferrium log", &line);
                log_writer.lock().unwrap().push_str(&line);
                log_writer.lock().unwrap().push('\n');
            }
        });
        Ferrium {
            child,
            lines: rx,
            stderr: log,
            stderr_reader: Some(stderr_reader),
        }
    }

    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the log has `needle` (stderr is read on its own thread, so a line may
    /// arrive after the records that followed it on stdout).
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "'{needle}' never appeared in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Collects lines until `done` says so, failing after `timeout` with what arrived.
    pub fn collect_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[Line]) -> bool,
    ) -> Vec<Line> {
        let deadline = Instant::now() + timeout;
        let mut lines = Vec::new();
        loop {
            if done(&lines) {
                return lines;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) => {
                    // Take everything already waiting before asking `done` again.
                    lines.push(line);
                    lines.extend(self.lines.try_iter());
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(_) => panic!(
                    "timed out after {timeout:?} with {} records; last: {:?}\nferrium log:\n{}",
                    lines.len(),
                    lines.last(),
                    self.log()
                ),
            }
        }
    }

    /// Collects data records (not heartbeats) until `count` arrived.
    pub fn collect(&self, topic_prefix: &str, count: usize, timeout: Duration) -> Vec<Line> {
        let lines = self.collect_until(timeout, |l| {
            l.iter()
                .filter(|x| x.topic.starts_with(topic_prefix))
                .count()
                >= count
        });
        lines
            .into_iter()
            .filter(|x| x.topic.starts_with(topic_prefix))
            .collect()
    }

    /// Lines that arrive within `wait`, without expecting any.
    pub fn drain(&self, wait: Duration) -> Vec<Line> {
        let deadline = Instant::now() + wait;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            lines.push(line);
        }
        lines
    }

    /// SIGTERM and wait: a graceful stop.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.wait_exit(Duration::from_secs(30))
    }

    /// SIGTERM and wait; the exit status and the whole log.
    pub fn stop_and_log(mut self) -> (std::process::ExitStatus, String) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let status = self.wait_exit(Duration::from_secs(30));
        (status, self.log())
    }

    /// SIGKILL: a crash.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGKILL, then everything the process logged before it died.
    pub fn kill9_and_log(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        self.log()
    }

    /// SIGKILL, then the lines the process wrote before it died that were not read yet.
    /// They were delivered (stdout is the embedded default's sink), so a test counting
    /// what a consumer saw must count them: the restart resumes after them.
    pub fn kill9_and_read_rest(mut self) -> Vec<Line> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = Vec::new();
        // The reader thread ends at the pipe's end of file, closing the channel.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        rest
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.stderr_reader.take() {
                    let _ = reader.join();
                }
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "ferrium did not exit within {timeout:?}; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Ferrium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `ferrium run` to completion and returns (exit status, stderr).
pub fn run_to_exit(
    connector: &Path,
    worker: Option<&Path>,
    timeout: Duration,
) -> (std::process::ExitStatus, String) {
    let mut cmd = Command::new(ferrium_binary());
    cmd.arg("run").arg(connector);
    if let Some(worker) = worker {
        cmd.arg("--worker").arg(worker);
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let log = reader.join().unwrap_or_default();
            transcript::keep("ferrium log", &log);
            panic!("ferrium did not exit within {timeout:?}; log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = reader.join().unwrap();
    transcript::keep("ferrium log", &log);
    (status, log)
}

/// At-least-once check of per-key counters 1..=`rounds`: every value present, values rise
/// by one within a run, and a replay after a crash may repeat values but never skip one.
/// Returns how many values were repeated.
pub fn assert_every_change_in_order(
    per_key: &BTreeMap<i64, Vec<i64>>,
    keys: i64,
    rounds: i64,
) -> usize {
    let mut duplicates = 0;
    for id in 1..=keys {
        let values = per_key
            .get(&id)
            .unwrap_or_else(|| panic!("key {id} has no changes"));
        let mut max = 0;
        for &v in values {
            assert!(
                v <= max + 1,
                "key {id}: change {v} arrived before {}: {values:?}",
                max + 1
            );
            if v <= max {
                duplicates += 1;
            }
            max = max.max(v);
        }
        assert_eq!(max, rounds, "key {id} is missing changes");
    }
    duplicates
}

/// A moment between `lo` and `hi` ms that differs from run to run (for fault timing).
pub fn pseudo_random_ms(seed: u64, lo: u64, hi: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    lo + (nanos ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % (hi - lo)
}
