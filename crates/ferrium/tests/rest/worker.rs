//! A `ferrium serve` process: its REST address (read from its log), its stdout events
//! (the embedded default prints them as JSON lines) and its log.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::Http;
use crate::support::{ferrium_binary, Line};

pub struct Worker {
    pub child: Child,
    pub http: Http,
    lines: mpsc::Receiver<Line>,
    log: Arc<Mutex<String>>,
}

impl Worker {
    /// Starts `ferrium serve worker.properties` and waits until its API listens.
    pub fn start(worker: &Path) -> Worker {
        Worker::start_with(&["serve".as_ref(), worker.as_os_str()])
    }

    pub fn start_with(args: &[&std::ffi::OsStr]) -> Worker {
        Worker::start_with_env(args, &[])
    }

    /// As [`Worker::start_with`], with extra environment variables for the process.
    pub fn start_with_env(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Worker {
        let mut child = Command::new(ferrium_binary())
            .args(args)
            .envs(env.iter().copied())
            .env("FERRIUM_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("the ferrium binary starts");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let json: Value = serde_json::from_str(&line)
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
        let log = Arc::new(Mutex::new(String::new()));
        let writer = log.clone();
        let (addr_tx, addr_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if std::env::var_os("FERRIUM_TEST_VERBOSE").is_some() {
                    eprintln!("[ferrium] {line}");
                }
                crate::support::transcript::keep("ferrium log", &line);
                {
                    let mut log = writer.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
                // After the log has the line, so a test that reads the log sees it.
                if let Some(at) = line.find("REST API listening on ") {
                    if let Some((_, addr)) = line[at..].split_once("://") {
                        let _ = addr_tx.send(addr.trim().to_string());
                    }
                }
            }
        });
        let addr: SocketAddr = match addr_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr.parse().expect("a socket address"),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the worker did not start listening; log:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        Worker {
            child,
            http: Http::new(addr),
            lines,
            log,
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log has `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "'{needle}' never appeared in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Data records (topics starting with `prefix`) until `count` arrived.
    pub fn collect(&self, prefix: &str, count: usize, timeout: Duration) -> Vec<Line> {
        let deadline = Instant::now() + timeout;
        let mut lines = Vec::new();
        while lines.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.topic.starts_with(prefix) => lines.push(line),
                Ok(_) => {}
                Err(_) => panic!(
                    "timed out with {} of {count} records on {prefix}*; log:\n{}",
                    lines.len(),
                    self.log()
                ),
            }
        }
        lines
    }

    /// Records that arrive within `wait`.
    pub fn drain(&self, prefix: &str, wait: Duration) -> Vec<Line> {
        let deadline = Instant::now() + wait;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if line.topic.starts_with(prefix) {
                lines.push(line);
            }
        }
        lines
    }

    /// Polls `GET /connectors/{name}/status` until `check` holds.
    pub fn wait_status(
        &self,
        name: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let reply = self.http.get(&format!("/connectors/{name}/status"));
            if reply.status == 200 && check(&reply.json()) {
                return reply.json();
            }
            if Instant::now() > deadline {
                panic!(
                    "status of {name} never matched; last: {}\nlog:\n{}",
                    reply.body,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM and wait: a graceful stop.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "worker exited with {status}; log:\n{}",
                    self.log()
                );
                return;
            }
            if Instant::now() > deadline {
                panic!("the worker did not stop; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn task_state(status: &Value) -> &str {
    status["tasks"][0]["state"].as_str().unwrap_or("")
}
