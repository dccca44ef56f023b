//! An `https://` listener: a self-signed PEM key store made here, a rustls client that
//! trusts exactly that certificate.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::support::TestDb;
use crate::worker::Worker;

#[tokio::test(flavor = "multi_thread")]
async fn https_listener_serves_the_api() {
    let db = TestDb::create("rest_tls").await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let store = db.dir.path().join("keystore.pem");
    std::fs::write(
        &store,
        format!(
            "{}{}",
            certified.key_pair.serialize_pem(),
            certified.cert.pem()
        ),
    )
    .unwrap();
    let w = Worker::start(&db.worker(&[
        "listeners=https://127.0.0.1:0",
        "listeners.https.ssl.keystore.type=PEM",
        &format!("listeners.https.ssl.keystore.location={}", store.display()),
    ]));
    assert!(w.log().contains("listening on https://"), "{}", w.log());

    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(certified.cert.der().to_vec()))
        .unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(w.http.addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the worker");
    tls.write_all(b"GET /connectors HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    tls.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with("[]"), "{reply}");
    // Plain HTTP on the TLS port gets no answer.
    let http = w.http.clone();
    let plain = std::panic::catch_unwind(move || http.get("/connectors"));
    assert!(plain.is_err() || plain.unwrap().status != 200);
    w.stop();
    db.drop().await;
}
