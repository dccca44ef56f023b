//! A rustls client configuration from the server check, the trusted roots and an
//! optional client certificate.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use crate::verify::{AnyCertificate, ChainOnly};
use crate::TlsError;

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCheck {
    /// Encrypted, the server not authenticated.
    None,
    /// The chain leads to a trusted root; the name is not compared.
    Chain,
    /// The chain, and the host connected to is a name (DNS or IP) in the certificate.
    Full,
}

/// `roots` must hold at least one certificate unless `check` is [`ServerCheck::None`].
pub fn client_config(
    check: ServerCheck,
    roots: Vec<CertificateDer<'static>>,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> Result<ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(format!("no TLS protocol version is available: {e}")))?;
    let builder = if check == ServerCheck::None {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
    } else {
        let mut store = RootCertStore::empty();
        let (added, _) = store.add_parsable_certificates(roots);
        if added == 0 {
            return Err(TlsError(
                "none of the root certificates given could be used as a trust anchor".into(),
            ));
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|e| TlsError(format!("the root certificates cannot verify a server: {e}")))?;
        match check {
            ServerCheck::Chain => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki))),
            _ => builder.with_webpki_verifier(webpki),
        }
    };
    match identity {
        Some((chain, key)) => builder.with_client_auth_cert(chain, key).map_err(|e| {
            TlsError(format!(
                "the client certificate and key do not form a usable pair: {e}"
            ))
        }),
        None => Ok(builder.with_no_client_auth()),
    }
}
