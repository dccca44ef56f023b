//! HTTPS listeners (`listeners=https://host:port`): TLS with rustls, the certificate
//! chain and private key read from a PEM key store, as Kafka Connect's
//! `ssl.keystore.type=PEM` (`listeners.https.ssl.keystore.location`, else
//! `ssl.keystore.location`: one file holding the key and the certificates).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ferrium_config::WorkerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A slow or silent client cannot hold the accept loop longer than this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

fn setting<'a>(worker: &'a WorkerConfig, key: &str) -> Option<&'a str> {
    worker
        .get(&format!("listeners.https.{key}"))
        .or_else(|| worker.get(key))
}

/// The TLS acceptor the worker config describes.
pub fn acceptor(worker: &WorkerConfig) -> Result<TlsAcceptor, String> {
    let kind = setting(worker, "ssl.keystore.type").unwrap_or("PEM");
    if !kind.eq_ignore_ascii_case("PEM") {
        return Err(format!(
            "ssl.keystore.type is {kind}: this build reads PEM key stores only (convert with `openssl pkcs12 -in store.p12 -nodes`)"
        ));
    }
    let location = setting(worker, "ssl.keystore.location").ok_or(
        "an https listener needs listeners.https.ssl.keystore.location (a PEM file with the private key and the certificate chain)",
    )?;
    let pem = std::fs::read(location).map_err(|e| format!("cannot read {location}: {e}"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{location}: bad certificate: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{location} holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| format!("{location}: no usable private key: {e}"))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("{location}: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener that hands axum TLS streams.
pub struct TlsListener {
    pub tcp: TcpListener,
    pub acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::debug!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream)).await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(error)) => tracing::debug!(%error, %addr, "TLS handshake failed"),
                Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
