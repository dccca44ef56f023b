//! Network faults between Ferrium and a server: a toxiproxy proxy (from
//! `scripts/services.sh up toxiproxy`) for resets, latency and throttling, and iptables
//! rules on the proxy's port for a blackhole.
//!
//! A blackhole is not one of toxiproxy's toxics: its `timeout` toxic throws bytes away
//! inside a live TCP stream, which no network does (TCP retransmits what it lost), so it
//! would test a corruption that cannot happen. Dropping the port's packets in the
//! kernel is what a dead link or a silent firewall does.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::http::Http;
use crate::support::service_env;

fn api() -> Http {
    let url = service_env("FERRIUM_TOXIPROXY_URL");
    let addr = url.trim_start_matches("http://");
    let addr: SocketAddr = addr
        .parse()
        .unwrap_or_else(|e| panic!("FERRIUM_TOXIPROXY_URL {url}: {e}"));
    Http::new(addr)
}

/// One proxy. Made by a test (deleted when dropped), or the shared `kafka` proxy the
/// broker advertises (its toxics are removed when dropped).
pub struct Proxy {
    name: String,
    pub port: u16,
    owned: bool,
    api: Http,
}

impl Proxy {
    /// A new proxy on a free port in front of `127.0.0.1:upstream_port`.
    pub fn create(tag: &str, upstream_port: u16) -> Proxy {
        let api = api();
        let name = format!(
            "{tag}-{}-{}",
            std::process::id(),
            crate::support::pseudo_random_ms(0, 0, 1_000_000)
        );
        let body = json!({"name": name, "listen": "127.0.0.1:0", "upstream": format!("127.0.0.1:{upstream_port}"), "enabled": true});
        let reply = api.post("/proxies", &body.to_string());
        assert_eq!(
            reply.status, 201,
            "toxiproxy refused the proxy: {}",
            reply.body
        );
        let port = listen_port(&reply.json());
        Proxy {
            name,
            port,
            owned: true,
            api,
        }
    }

    /// The `kafka` proxy of `scripts/services.sh` (FERRIUM_KAFKA_PROXY_BOOTSTRAP).
    pub fn kafka() -> Proxy {
        let api = api();
        let reply = api.get("/proxies/kafka");
        assert_eq!(
            reply.status, 200,
            "toxiproxy has no kafka proxy (run scripts/services.sh up): {}",
            reply.body
        );
        let port = listen_port(&reply.json());
        let proxy = Proxy {
            name: "kafka".into(),
            port,
            owned: false,
            api,
        };
        proxy.clear();
        proxy
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Adds a toxic to both directions (named `<name>-up` and `<name>-down`).
    pub fn add_toxic(&self, name: &str, kind: &str, attributes: Value) {
        for stream in ["upstream", "downstream"] {
            let body = json!({"name": format!("{name}-{stream}"), "type": kind, "stream": stream, "attributes": attributes});
            let reply = self
                .api
                .post(&format!("/proxies/{}/toxics", self.name), &body.to_string());
            assert_eq!(
                reply.status, 200,
                "toxiproxy refused the {kind} toxic: {}",
                reply.body
            );
        }
    }

    pub fn remove_toxic(&self, name: &str) {
        for stream in ["upstream", "downstream"] {
            let reply = self
                .api
                .delete(&format!("/proxies/{}/toxics/{name}-{stream}", self.name));
            assert!(
                matches!(reply.status, 204 | 404),
                "toxiproxy: {}",
                reply.body
            );
        }
    }

    /// Enables or disables the proxy: disabled, it closes every connection and refuses new ones.
    pub fn set_enabled(&self, enabled: bool) {
        let reply = self.api.post(
            &format!("/proxies/{}", self.name),
            &json!({"enabled": enabled}).to_string(),
        );
        assert_eq!(reply.status, 200, "toxiproxy: {}", reply.body);
    }

    fn clear(&self) {
        let reply = self.api.get(&format!("/proxies/{}/toxics", self.name));
        for toxic in reply.json().as_array().into_iter().flatten() {
            if let Some(name) = toxic["name"].as_str() {
                self.api
                    .delete(&format!("/proxies/{}/toxics/{name}", self.name));
            }
        }
        self.set_enabled(true);
    }

    /// Drops every packet to and from the proxy's port until the guard is dropped: no
    /// reset, no FIN; connections and connection attempts hang as on a dead link.
    pub fn blackhole(&self) -> Blackhole {
        Blackhole::start(self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if self.owned {
            self.api.delete(&format!("/proxies/{}", self.name));
        } else {
            self.clear();
        }
    }
}

fn listen_port(proxy: &Value) -> u16 {
    proxy["listen"]
        .as_str()
        .and_then(|l| l.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("toxiproxy answered without a listen port: {proxy}"))
}

/// iptables rules that drop a loopback port's packets both ways, removed on drop.
pub struct Blackhole {
    port: u16,
}

fn rules(port: u16) -> [[String; 2]; 2] {
    let port = port.to_string();
    [["--dport".into(), port.clone()], ["--sport".into(), port]]
}

fn iptables(action: &str, port: u16) {
    for [direction, port] in rules(port) {
        let out = Command::new("iptables")
            .args([
                "-w", action, "INPUT", "-i", "lo", "-p", "tcp", &direction, &port, "-j", "DROP",
            ])
            .output()
            .unwrap_or_else(|e| {
                panic!("iptables could not run ({e}): scripts/services.sh deps installs it")
            });
        assert!(
            out.status.success(),
            "iptables {action} for port {port} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Blackhole {
    fn start(port: u16) -> Blackhole {
        iptables("-I", port);
        Blackhole { port }
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        iptables("-D", self.port);
    }
}

/// The faults of issue #13, as one test applies them in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every connection reset (RST) mid-stream, and new ones too for a moment.
    Reset,
    /// 30 s of dropped packets.
    Blackhole,
    /// 2 s of added latency each way, for 10 s.
    Latency,
    /// 100 KB/s each way, for 10 s.
    Bandwidth,
}

pub const ALL_FAULTS: [Fault; 4] = [
    Fault::Reset,
    Fault::Blackhole,
    Fault::Latency,
    Fault::Bandwidth,
];

impl Fault {
    /// Applies the fault to `proxy` for its whole duration, then lifts it.
    pub async fn apply(self, proxy: &Proxy) {
        match self {
            Fault::Reset => {
                proxy.add_toxic("reset", "reset_peer", json!({"timeout": 0}));
                tokio::time::sleep(Duration::from_millis(500)).await;
                proxy.remove_toxic("reset");
            }
            Fault::Blackhole => {
                let _dropped = proxy.blackhole();
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            Fault::Latency => {
                proxy.add_toxic("latency", "latency", json!({"latency": 2000, "jitter": 0}));
                tokio::time::sleep(Duration::from_secs(10)).await;
                proxy.remove_toxic("latency");
            }
            Fault::Bandwidth => {
                proxy.add_toxic("bandwidth", "bandwidth", json!({"rate": 100}));
                tokio::time::sleep(Duration::from_secs(10)).await;
                proxy.remove_toxic("bandwidth");
            }
        }
    }
}
