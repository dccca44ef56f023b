//! TLS to MySQL and MariaDB as mysql_async's options: one setting for the source (read
//! from `database.ssl.*`), the JDBC sink and `ferrium verify` (read from a JDBC URL's
//! Connector/J or MariaDB Connector/J parameters), so a mode checks the server the same
//! way everywhere.

use std::path::Path;

use mysql_async::{ClientIdentity, Conn, DriverError, OptsBuilder, SslOpts};
use rustls::pki_types::PrivateKeyDer;

use crate::stores::{read_key_store, read_trust_store, to_pem};
use crate::TlsError;

/// What a mode does, whichever driver's name it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MysqlSslMode {
    Disabled,
    /// TLS when the server offers it, plaintext otherwise.
    Preferred,
    /// TLS, the server's certificate unchecked.
    Required,
    /// TLS, the certificate checked against the trust store.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host.
    VerifyIdentity,
}

impl MysqlSslMode {
    pub fn verifies(self) -> bool {
        matches!(self, MysqlSslMode::VerifyCa | MysqlSslMode::VerifyIdentity)
    }
}

/// A trust or key store a user named: the option it came from (for messages), its file
/// and its password.
pub struct Store<'a> {
    pub option: &'a str,
    pub path: &'a Path,
    pub password: Option<&'a str>,
}

/// A checked TLS setting; the stores are read once, when it is made.
#[derive(Clone)]
pub struct MysqlTls {
    pub mode: MysqlSslMode,
    /// DER certificates of the trust store (empty: the built-in web roots).
    roots: Vec<Vec<u8>>,
    /// PEM of the client certificate chain and of its key.
    identity: Option<(Vec<u8>, Vec<u8>)>,
}

// Never the key: a config holding this is printed with `{:?}` in places.
impl std::fmt::Debug for MysqlTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlTls")
            .field("mode", &self.mode)
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
            .finish()
    }
}

/// The JDBC URL parameters [`MysqlTls::from_url`] reads: Connector/J's, then MariaDB
/// Connector/J's.
pub const MYSQL_URL_TLS_PARAMS: &[&str] = &[
    "sslMode",
    "useSSL",
    "trustCertificateKeyStoreUrl",
    "trustCertificateKeyStorePassword",
    "clientCertificateKeyStoreUrl",
    "clientCertificateKeyStorePassword",
    "serverSslCert",
    "trustStore",
    "trustStorePassword",
    "keyStore",
    "keyStorePassword",
];

/// `sslMode` values of both drivers (case-insensitive).
const URL_MODES: &[(&str, MysqlSslMode)] = &[
    ("disabled", MysqlSslMode::Disabled),
    ("preferred", MysqlSslMode::Preferred),
    ("required", MysqlSslMode::Required),
    ("verify_ca", MysqlSslMode::VerifyCa),
    ("verify_identity", MysqlSslMode::VerifyIdentity),
    ("disable", MysqlSslMode::Disabled),
    ("trust", MysqlSslMode::Required),
    ("verify-ca", MysqlSslMode::VerifyCa),
    ("verify-full", MysqlSslMode::VerifyIdentity),
];

impl MysqlTls {
    pub fn disabled() -> MysqlTls {
        MysqlTls {
            mode: MysqlSslMode::Disabled,
            roots: Vec::new(),
            identity: None,
        }
    }

    /// Checks the setting and reads its stores. `mode_option` names the mode's setting
    /// and `verifying` a mode that checks the server, for messages.
    pub fn new(
        mode: MysqlSslMode,
        trust: Option<Store<'_>>,
        key: Option<Store<'_>>,
        mode_option: &str,
        verifying: &str,
    ) -> Result<MysqlTls, TlsError> {
        let roots = match trust {
            Some(store) if !mode.verifies() => {
                return Err(TlsError(format!(
                    "option '{}' is set, but {mode_option} does not check the server's certificate, so it would not be read: set {mode_option}={verifying} to check the server against it, or remove the trust store",
                    store.option
                )))
            }
            Some(store) => read_trust_store(store.option, store.path, store.password)?
                .into_iter()
                .map(|c| c.as_ref().to_vec())
                .collect(),
            None => Vec::new(),
        };
        let identity = match key {
            Some(store) if mode == MysqlSslMode::Disabled => {
                return Err(TlsError(format!(
                    "option '{}' is set, but {mode_option} turns TLS off: choose a TLS mode or remove the key store",
                    store.option
                )))
            }
            Some(store) => {
                let (chain, key) = read_key_store(store.option, store.path, store.password)?;
                let chain: Vec<&[u8]> = chain.iter().map(|c| c.as_ref()).collect();
                let label = match &key {
                    PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
                    PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
                    _ => "PRIVATE KEY",
                };
                Some((
                    to_pem("CERTIFICATE", &chain),
                    to_pem(label, &[key.secret_der()]),
                ))
            }
            None => None,
        };
        Ok(MysqlTls {
            mode,
            roots,
            identity,
        })
    }

    /// The setting a JDBC URL's parameters ask for (`get` looks one up): `sslMode` in
    /// either driver's spelling (or `useSSL=true`, as `required`); the trust store as
    /// Connector/J's `trustCertificateKeyStoreUrl` (a `file:` URL or a path) or MariaDB's
    /// `serverSslCert` / `trustStore`; the client's as `clientCertificateKeyStoreUrl` or
    /// `keyStore`, each with its password. Stores are PEM or PKCS12.
    pub fn from_url(get: impl Fn(&str) -> Option<String>) -> Result<MysqlTls, TlsError> {
        let mode = match get("sslMode") {
            Some(text) => URL_MODES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
                .map(|(_, mode)| *mode)
                .ok_or_else(|| {
                    TlsError(format!(
                        "JDBC URL parameter sslMode={text} is not a mode of Connector/J (disabled, preferred, required, verify_ca, verify_identity) or MariaDB Connector/J (disable, trust, verify-ca, verify-full)"
                    ))
                })?,
            None => match get("useSSL").map(|v| v.to_ascii_lowercase()).as_deref() {
                Some("true") => MysqlSslMode::Required,
                Some("false") | None => MysqlSslMode::Disabled,
                Some(other) => {
                    return Err(TlsError(format!(
                        "JDBC URL parameter useSSL={other} is not true or false"
                    )))
                }
            },
        };
        // Each store may be given once, in either driver's spelling.
        let one_of = |names: &[(&'static str, &'static str)]| -> Result<Option<Given>, TlsError> {
            let given: Vec<Given> = names
                .iter()
                .filter_map(|(key, password)| Some((*key, get(key)?, get(password))))
                .collect();
            match given.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(one.clone())),
                [a, b, ..] => Err(TlsError(format!(
                    "JDBC URL parameters {} and {} both name a store: give one",
                    a.0, b.0
                ))),
            }
        };
        let trust = one_of(&[
            (
                "trustCertificateKeyStoreUrl",
                "trustCertificateKeyStorePassword",
            ),
            ("serverSslCert", "trustStorePassword"),
            ("trustStore", "trustStorePassword"),
        ])?;
        let key = one_of(&[
            (
                "clientCertificateKeyStoreUrl",
                "clientCertificateKeyStorePassword",
            ),
            ("keyStore", "keyStorePassword"),
        ])?;
        MysqlTls::new(
            mode,
            store(&trust),
            store(&key),
            "JDBC URL parameter sslMode",
            "verify_identity (or verify-full)",
        )
    }

    /// Opens a connection with this setting. `preferred` falls back to plaintext when
    /// the server offers no TLS, as Connector/J does; every other mode keeps its error.
    pub async fn connect(&self, opts: OptsBuilder) -> Result<Conn, mysql_async::Error> {
        match Conn::new(opts.clone().ssl_opts(self.ssl_opts())).await {
            Err(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer))
                if self.mode == MysqlSslMode::Preferred =>
            {
                Conn::new(opts.ssl_opts(None)).await
            }
            other => other,
        }
    }

    /// The driver's options; `None` for plaintext.
    pub fn ssl_opts(&self) -> Option<SslOpts> {
        crate::install_process_provider();
        let verify_name = match self.mode {
            MysqlSslMode::Disabled => return None,
            MysqlSslMode::Preferred | MysqlSslMode::Required => None,
            MysqlSslMode::VerifyCa => Some(false),
            MysqlSslMode::VerifyIdentity => Some(true),
        };
        let mut opts = SslOpts::default();
        if !self.roots.is_empty() {
            // A trust store replaces the default roots, as in Java.
            opts = opts
                .with_disable_built_in_roots(true)
                .with_root_certs(self.roots.iter().map(|der| der.clone().into()).collect());
        }
        if let Some((chain, key)) = &self.identity {
            opts = opts.with_client_identity(Some(ClientIdentity::new(
                chain.clone().into(),
                key.clone().into(),
            )));
        }
        Some(match verify_name {
            None => opts
                .with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true),
            Some(name) => opts.with_danger_skip_domain_validation(!name),
        })
    }
}

/// A store named in a URL: its parameter, its location and its password.
type Given = (&'static str, String, Option<String>);

fn store(given: &Option<Given>) -> Option<Store<'_>> {
    given.as_ref().map(|(option, location, password)| Store {
        option,
        path: location_path(location),
        password: password.as_deref(),
    })
}

/// A store location as Connector/J takes it: a `file:` URL, or a plain path.
fn location_path(location: &str) -> &Path {
    let path = location
        .strip_prefix("file://")
        .or_else(|| location.strip_prefix("file:"))
        .unwrap_or(location);
    Path::new(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<MysqlTls, TlsError> {
        MysqlTls::from_url(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn both_drivers_modes_and_use_ssl() {
        assert_eq!(from(&[]).unwrap().mode, MysqlSslMode::Disabled);
        assert_eq!(
            from(&[("useSSL", "true")]).unwrap().mode,
            MysqlSslMode::Required
        );
        assert_eq!(
            from(&[("sslMode", "VERIFY_CA")]).unwrap().mode,
            MysqlSslMode::VerifyCa
        );
        assert_eq!(
            from(&[("sslMode", "trust")]).unwrap().mode,
            MysqlSslMode::Required
        );
        assert_eq!(
            from(&[("sslMode", "verify-full")]).unwrap().mode,
            MysqlSslMode::VerifyIdentity
        );
        let bad = from(&[("sslMode", "sometimes")]).unwrap_err().to_string();
        assert!(
            bad.contains("sslMode=sometimes") && bad.contains("verify-full"),
            "{bad}"
        );
    }

    #[test]
    fn stores_are_refused_where_they_would_not_be_read_or_given_twice() {
        let unread = from(&[("sslMode", "required"), ("serverSslCert", "/ca.pem")])
            .unwrap_err()
            .to_string();
        assert!(unread.contains("'serverSslCert' is set"), "{unread}");
        let twice = from(&[
            ("sslMode", "verify-ca"),
            ("serverSslCert", "/a.pem"),
            ("trustStore", "/b.p12"),
        ])
        .unwrap_err()
        .to_string();
        assert!(twice.contains("both name a store"), "{twice}");
        assert_eq!(location_path("file:/etc/ts.p12"), Path::new("/etc/ts.p12"));
        assert_eq!(
            location_path("file:///etc/ts.p12"),
            Path::new("/etc/ts.p12")
        );
    }
}
