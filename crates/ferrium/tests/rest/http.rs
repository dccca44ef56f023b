//! A tiny HTTP/1.1 client over `std::net::TcpStream` (one request per connection), so
//! the tests speak to the worker exactly as curl would, without a client framework.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts Kafka Connect's error shape with this code; returns the message.
    pub fn error(&self, code: u16) -> String {
        assert_eq!(self.status, code, "{self:?}");
        let json = self.json();
        assert_eq!(json["error_code"], code, "{json}");
        json["message"].as_str().expect("a message").to_string()
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    pub addr: SocketAddr,
    /// `user:password` for basic auth.
    pub auth: Option<String>,
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap_or(0);
        rest = &rest[end + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[(size + 2).min(rest.len())..];
    }
    out
}

impl Http {
    pub fn new(addr: SocketAddr) -> Http {
        Http { addr, auth: None }
    }

    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let mut stream = TcpStream::connect(self.addr)
            .unwrap_or_else(|e| panic!("cannot connect to the worker at {}: {e}", self.addr));
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept: application/json\r\n",
            self.addr
        );
        if let Some(auth) = &self.auth {
            request.push_str(&format!(
                "Authorization: Basic {}\r\n",
                base64(auth.as_bytes())
            ));
        }
        let body = body.unwrap_or("");
        if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
            request.push_str("Content-Type: application/json\r\n");
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP header in {:?}", String::from_utf8_lossy(&raw)));
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut payload = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
        {
            payload = dechunk(&payload);
        }
        let body = String::from_utf8_lossy(&payload).to_string();
        crate::support::transcript::keep(&format!("http {method} {path} {status}"), &body);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, Some(body))
    }

    pub fn put(&self, path: &str, body: &str) -> Reply {
        self.request("PUT", path, Some(body))
    }

    pub fn patch(&self, path: &str, body: &str) -> Reply {
        self.request("PATCH", path, Some(body))
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.request("DELETE", path, None)
    }
}

#[test]
fn base64_matches_the_standard_alphabet() {
    assert_eq!(base64(b"admin:s3cret"), "YWRtaW46czNjcmV0");
    assert_eq!(base64(b"a"), "YQ==");
    assert_eq!(base64(b"ab"), "YWI=");
}
