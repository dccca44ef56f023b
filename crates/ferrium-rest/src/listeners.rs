//! Where the REST API listens: Kafka Connect's `listeners` (a comma-separated list of
//! `http://host:port` or `https://host:port`), else `rest.host.name`/`rest.port`.

use ferrium_config::WorkerConfig;
use tokio::net::TcpListener;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub host: String,
    pub port: u16,
    /// `https://`: TLS (see `tls.rs`).
    pub tls: bool,
}

/// The configured listeners; `default_port` applies when neither `listeners` nor
/// `rest.port` is set (`None`: then there is no listener).
pub fn listeners(
    worker: &WorkerConfig,
    default_port: Option<u16>,
) -> Result<Vec<Listener>, String> {
    if let Some(list) = worker.get("listeners") {
        return list
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(parse_listener)
            .collect();
    }
    let port = match worker.get("rest.port") {
        Some(p) => Some(p.parse::<u16>().map_err(|_| {
            format!("invalid value '{p}' for worker option 'rest.port': expected a port number")
        })?),
        None => default_port,
    };
    Ok(port
        .map(|port| Listener {
            host: worker
                .get("rest.host.name")
                .unwrap_or("0.0.0.0")
                .to_string(),
            port,
            tls: false,
        })
        .into_iter()
        .collect())
}

fn parse_listener(text: &str) -> Result<Listener, String> {
    let bad = || format!("invalid listener '{text}': expected http://host:port");
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    let tls = scheme.eq_ignore_ascii_case("https");
    if !tls && !scheme.eq_ignore_ascii_case("http") {
        return Err(bad());
    }
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    let port = port.trim_end_matches('/').parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok(Listener {
        host: if host.is_empty() {
            "0.0.0.0".into()
        } else {
            host.to_string()
        },
        port,
        tls,
    })
}

/// Binds every listener.
pub async fn bind(listeners: &[Listener]) -> Result<Vec<TcpListener>, String> {
    let mut bound = Vec::new();
    for l in listeners {
        let socket = TcpListener::bind((l.host.as_str(), l.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", l.host, l.port))?;
        bound.push(socket);
    }
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(pairs: &[(&str, &str)]) -> WorkerConfig {
        WorkerConfig::from_props(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn listeners_then_rest_port_then_default() {
        let l = listeners(
            &worker(&[("listeners", "http://127.0.0.1:9000, http://:9001")]),
            Some(8083),
        )
        .unwrap();
        assert_eq!(
            l,
            vec![
                Listener {
                    host: "127.0.0.1".into(),
                    port: 9000,
                    tls: false,
                },
                Listener {
                    host: "0.0.0.0".into(),
                    port: 9001,
                    tls: false,
                },
            ]
        );
        let l = listeners(&worker(&[("rest.port", "0")]), None).unwrap();
        assert_eq!(
            l,
            vec![Listener {
                host: "0.0.0.0".into(),
                port: 0,
                tls: false,
            }]
        );
        assert_eq!(listeners(&worker(&[]), Some(8083)).unwrap()[0].port, 8083);
        assert!(listeners(&worker(&[]), None).unwrap().is_empty());
        assert!(listeners(&worker(&[("listeners", "https://h:1")]), None).unwrap()[0].tls);
        assert!(listeners(&worker(&[("listeners", "ftp://h:1")]), None).is_err());
    }
}
