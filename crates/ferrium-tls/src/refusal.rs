//! A TLS handshake's failure, found in a database driver's error and worded with its fix.
//!
//! Drivers wrap rustls's verdict (directly, or inside an `io::Error`); a certificate the
//! check refused is not worth retrying, while a reset in the middle of a handshake is, so
//! callers classify by whether a verdict is found here.

/// The setting names a message points at, as the user knows them.
pub struct TlsSettings<'a> {
    /// The CA setting (`sslrootcert`, `database.ssl.truststore`).
    pub trust: &'a str,
    /// The client certificate setting (`sslcert/sslkey`, `database.ssl.keystore`).
    pub identity: &'a str,
    /// The mode that checks the chain without the name (`sslmode=verify-ca`).
    pub chain_only_mode: &'a str,
}

/// rustls's verdict in `error`'s source chain, worded with its fix.
pub fn handshake_refusal(
    error: &(dyn std::error::Error + 'static),
    settings: &TlsSettings<'_>,
) -> Option<String> {
    let mut source = Some(error);
    while let Some(cause) = source {
        let verdict = cause.downcast_ref::<rustls::Error>().or_else(|| {
            cause
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|e| e.downcast_ref::<rustls::Error>())
        });
        if let Some(verdict) = verdict {
            return Some(handshake_message(verdict, settings));
        }
        source = cause.source();
    }
    None
}

fn handshake_message(error: &rustls::Error, settings: &TlsSettings<'_>) -> String {
    use rustls::CertificateError as C;
    let fix = match error {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => format!(
            "the server's certificate was not issued by a CA in {}: give the CA that issued it",
            settings.trust
        ),
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => format!(
            "the server's certificate does not name the host connected to: connect by a name (or IP address) the certificate holds, or use {}",
            settings.chain_only_mode
        ),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server's certificate has expired: renew it on the server".to_string()
        }
        rustls::Error::AlertReceived(_) => format!(
            "the server refused the TLS session: check that it accepts the client certificate ({}) and the CA that issued it",
            settings.identity
        ),
        _ => format!(
            "check the server's TLS setup and the {} and {} settings",
            settings.trust, settings.identity
        ),
    };
    format!("TLS handshake failed: {error}; {fix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_inside_an_io_error_is_found_and_named_with_the_setting() {
        let verdict = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, verdict);
        let settings = TlsSettings {
            trust: "database.ssl.truststore",
            identity: "database.ssl.keystore",
            chain_only_mode: "database.ssl.mode=verify_ca",
        };
        let message = handshake_refusal(&io, &settings).unwrap();
        assert!(
            message.contains("not issued by a CA in database.ssl.truststore"),
            "{message}"
        );
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        assert_eq!(handshake_refusal(&reset, &settings), None);
    }
}
