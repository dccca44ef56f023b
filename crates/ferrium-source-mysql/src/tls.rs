//! `database.ssl.mode` with each connector class's own values, and the trust and key
//! stores, as mysql_async's TLS options.
//!
//! - `io.debezium.connector.mysql.MySqlConnector`: `disabled`, `preferred` (the default:
//!   TLS when the server offers it, plaintext otherwise), `required`, `verify_ca`,
//!   `verify_identity`.
//! - `io.debezium.connector.mariadb.MariaDbConnector`: `disable` (the default), `trust`,
//!   `verify-ca`, `verify-full`.
//!
//! Only the verifying modes read `database.ssl.truststore`; given with another mode it
//! would be unused, so it is refused, as is a key store with TLS off.

use std::path::PathBuf;

use ferrium_config::Validated;
use ferrium_tls::stores::{read_key_store, read_trust_store, to_pem};
use mysql_async::{ClientIdentity, SslOpts};
use rustls::pki_types::PrivateKeyDer;

/// The modes of both classes, by what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disabled,
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
}

const MYSQL_MODES: [(&str, SslMode); 5] = [
    ("disabled", SslMode::Disabled),
    ("preferred", SslMode::Preferred),
    ("required", SslMode::Required),
    ("verify_ca", SslMode::VerifyCa),
    ("verify_identity", SslMode::VerifyIdentity),
];

const MARIADB_MODES: [(&str, SslMode); 4] = [
    ("disable", SslMode::Disabled),
    ("trust", SslMode::Required),
    ("verify-ca", SslMode::VerifyCa),
    ("verify-full", SslMode::VerifyIdentity),
];

/// A checked TLS setting; the stores are read once, when it is made.
#[derive(Clone)]
pub struct MysqlTls {
    pub mode: SslMode,
    /// DER certificates of the trust store (empty: the built-in web roots).
    roots: Vec<Vec<u8>>,
    /// PEM of the client certificate chain and of its key.
    identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for MysqlTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlTls")
            .field("mode", &self.mode)
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
            .finish()
    }
}

impl MysqlTls {
    pub fn disabled() -> MysqlTls {
        MysqlTls {
            mode: SslMode::Disabled,
            roots: Vec::new(),
            identity: None,
        }
    }

    /// Reads the options; a problem is pushed and TLS left off.
    pub fn read(v: &Validated, mariadb_class: bool, problems: &mut Vec<String>) -> MysqlTls {
        match Self::try_read(v, mariadb_class) {
            Ok(tls) => tls,
            Err(problem) => {
                problems.push(problem);
                MysqlTls::disabled()
            }
        }
    }

    fn try_read(v: &Validated, mariadb_class: bool) -> Result<MysqlTls, String> {
        let (modes, class, default) = if mariadb_class {
            (
                &MARIADB_MODES[..],
                crate::MARIADB_CONNECTOR_CLASS,
                SslMode::Disabled,
            )
        } else {
            (
                &MYSQL_MODES[..],
                crate::MYSQL_CONNECTOR_CLASS,
                SslMode::Preferred,
            )
        };
        let mode = match v.string("database.ssl.mode").map(str::trim) {
            None | Some("") => default,
            Some(text) => modes
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text))
                .map(|(_, mode)| *mode)
                .ok_or_else(|| {
                    format!(
                        "option 'database.ssl.mode={text}' is not a value of {class}: use one of {}",
                        modes.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )
                })?,
        };
        let path = |key: &str| v.string(key).filter(|p| !p.is_empty()).map(PathBuf::from);
        for store in ["database.ssl.truststore", "database.ssl.keystore"] {
            if path(store).is_none() && v.string(&format!("{store}.password")).is_some() {
                return Err(format!(
                    "option '{store}.password' is set without '{store}'"
                ));
            }
        }
        let verifies = matches!(mode, SslMode::VerifyCa | SslMode::VerifyIdentity);
        let roots = match path("database.ssl.truststore") {
            Some(_) if !verifies => {
                return Err(format!(
                    "option 'database.ssl.truststore' is set, but database.ssl.mode does not check the server's certificate, so it would not be read: set database.ssl.mode={} (or {}) to check the server against it, or remove the trust store",
                    if mariadb_class { "verify-full" } else { "verify_identity" },
                    if mariadb_class { "verify-ca" } else { "verify_ca" },
                ))
            }
            Some(store) => read_trust_store(
                "database.ssl.truststore",
                &store,
                v.string("database.ssl.truststore.password"),
            )
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|c| c.as_ref().to_vec())
            .collect(),
            None => Vec::new(),
        };
        let identity = match path("database.ssl.keystore") {
            Some(_) if mode == SslMode::Disabled => {
                return Err("option 'database.ssl.keystore' is set, but database.ssl.mode turns TLS off: choose a TLS mode or remove the key store".into())
            }
            Some(store) => {
                let (chain, key) = read_key_store(
                    "database.ssl.keystore",
                    &store,
                    v.string("database.ssl.keystore.password"),
                )
                .map_err(|e| e.to_string())?;
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

    /// The driver's options; `None` for plaintext.
    pub fn ssl_opts(&self) -> Option<SslOpts> {
        ferrium_tls::install_process_provider();
        let verify = match self.mode {
            SslMode::Disabled => return None,
            SslMode::Preferred | SslMode::Required => None,
            SslMode::VerifyCa => Some(false),
            SslMode::VerifyIdentity => Some(true),
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
        Some(match verify {
            None => opts
                .with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true),
            Some(name) => opts.with_danger_skip_domain_validation(!name),
        })
    }
}
