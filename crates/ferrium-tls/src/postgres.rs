//! PostgreSQL's `sslmode` and its certificate files, with pgjdbc's meaning (Debezium's
//! PostgreSQL connector and JDBC sink connect through pgjdbc), and sessions opened with them.
//!
//! - `disable`: plaintext. `allow`: plaintext, and TLS when the server refuses that.
//!   `prefer` (Debezium's default): TLS when the server offers it. `require`: TLS or fail.
//!   None of these checks the server's certificate.
//! - `verify-ca`: the certificate chain must lead to `sslrootcert`; `verify-full`: and the
//!   host connected to (a DNS name or an IP address) must be in the certificate.
//! - `sslrootcert` defaults to `~/.postgresql/root.crt` for the verifying modes, as in pgjdbc;
//!   set with a mode that does not verify it would be silently unused, so it is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ClientConfig;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::client::{client_config, ServerCheck};
use crate::files::{read_certificates, read_private_key};
use crate::refusal::{handshake_refusal, TlsSettings};
use crate::TlsError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgSslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl PgSslMode {
    pub const NAMES: [&'static str; 6] = [
        "disable",
        "allow",
        "prefer",
        "require",
        "verify-ca",
        "verify-full",
    ];

    pub fn parse(text: &str) -> Option<PgSslMode> {
        Some(match text {
            "disable" => PgSslMode::Disable,
            "allow" => PgSslMode::Allow,
            "prefer" => PgSslMode::Prefer,
            "require" => PgSslMode::Require,
            "verify-ca" => PgSslMode::VerifyCa,
            "verify-full" => PgSslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn server_check(self) -> ServerCheck {
        match self {
            PgSslMode::VerifyCa => ServerCheck::Chain,
            PgSslMode::VerifyFull => ServerCheck::Full,
            _ => ServerCheck::None,
        }
    }
}

/// The files as the user gave them (`sslrootcert`, `sslcert`, `sslkey`, `sslpassword`).
#[derive(Debug, Clone, Default)]
pub struct PgTlsFiles {
    pub rootcert: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub password: Option<String>,
}

/// A checked TLS setting for PostgreSQL sessions; the files are read once, when it is made.
#[derive(Clone)]
pub struct PgTls {
    mode: PgSslMode,
    rootcert: Option<PathBuf>,
    identity: Option<(PathBuf, PathBuf)>,
    rustls: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for PgTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTls")
            .field("mode", &self.mode)
            .field("rootcert", &self.rootcert)
            .field("identity", &self.identity)
            .finish()
    }
}

/// Why a session did not open.
#[derive(Debug, thiserror::Error)]
pub enum PgConnectError {
    /// The TLS setting cannot work (a file, a mode that does not fit).
    #[error("{0}")]
    Tls(#[from] TlsError),
    /// The certificate check or the TLS negotiation failed: retrying will not help.
    #[error("{0}")]
    Handshake(String),
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
}

impl PgTls {
    /// Plaintext sessions.
    pub fn disabled() -> PgTls {
        PgTls {
            mode: PgSslMode::Disable,
            rootcert: None,
            identity: None,
            rustls: None,
        }
    }

    /// The setting from pgjdbc's keys (`sslmode`, default `prefer`; `sslrootcert`,
    /// `sslcert`, `sslkey`, `sslpassword`, `sslfactory`), each read through `get`.
    /// pgjdbc's `NonValidatingFactory` turns the server check off whatever the mode; any
    /// other factory is Java code Ferrium cannot run.
    pub fn from_keys(
        get: impl Fn(&str) -> Option<String>,
        option: impl Fn(&str) -> String,
    ) -> Result<PgTls, TlsError> {
        let mut mode = match get("sslmode") {
            None => PgSslMode::Prefer,
            Some(text) => PgSslMode::parse(&text).ok_or_else(|| {
                TlsError(format!(
                    "{}={text} is not an SSL mode; use one of {}",
                    option("sslmode"),
                    PgSslMode::NAMES.join(", ")
                ))
            })?,
        };
        match get("sslfactory").as_deref() {
            None | Some("org.postgresql.ssl.LibPQFactory") => {}
            Some("org.postgresql.ssl.NonValidatingFactory") => {
                if mode.server_check() != ServerCheck::None {
                    mode = PgSslMode::Require;
                }
            }
            Some(other) => {
                return Err(TlsError(format!(
                    "{}={other} is not supported: Ferrium checks the server as {} says (org.postgresql.ssl.LibPQFactory, the default) or not at all (org.postgresql.ssl.NonValidatingFactory)",
                    option("sslfactory"),
                    option("sslmode")
                )))
            }
        }
        let path = |key: &str| get(key).filter(|p| !p.is_empty()).map(PathBuf::from);
        let files = PgTlsFiles {
            rootcert: path("sslrootcert"),
            cert: path("sslcert"),
            key: path("sslkey"),
            password: get("sslpassword"),
        };
        PgTls::new(mode, files, option)
    }

    /// Checks the setting and reads its files; `option` gives the user's name of a
    /// setting for messages (`sslrootcert` → `database.sslrootcert`).
    pub fn new(
        mode: PgSslMode,
        files: PgTlsFiles,
        option: impl Fn(&str) -> String,
    ) -> Result<PgTls, TlsError> {
        if files.password.as_deref().is_some_and(|p| !p.is_empty()) {
            return Err(TlsError(format!(
                "{} is set, but Ferrium reads only unencrypted PEM keys: decrypt the key (openssl pkey -in FILE -out FILE.plain.pem), keep it readable only by Ferrium's user, and remove {}",
                option("sslpassword"),
                option("sslpassword")
            )));
        }
        let identity = match (files.cert, files.key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            (cert, _) => {
                let (given, missing) = if cert.is_some() {
                    ("sslcert", "sslkey")
                } else {
                    ("sslkey", "sslcert")
                };
                return Err(TlsError(format!(
                    "{} is set without {}: a client certificate needs both its certificate and its private key",
                    option(given),
                    option(missing)
                )));
            }
        };
        let verifies = mode.server_check() != ServerCheck::None;
        let rootcert = match files.rootcert {
            Some(_) if !verifies => {
                return Err(TlsError(format!(
                    "{} is set, but sslmode={} does not check the server's certificate, so it would not be read: set {}=verify-full (or verify-ca) to check the server against it, or remove {}",
                    option("sslrootcert"),
                    mode.name(),
                    option("sslmode"),
                    option("sslrootcert")
                )))
            }
            Some(path) => Some(path),
            None if verifies => Some(default_rootcert().ok_or_else(|| {
                TlsError(format!(
                    "sslmode={} checks the server's certificate, which needs the CA that issued it: set {} to its PEM file (there is no ~/.postgresql/root.crt)",
                    mode.name(),
                    option("sslrootcert")
                ))
            })?),
            None => None,
        };
        if mode == PgSslMode::Disable {
            if identity.is_some() {
                return Err(TlsError(format!(
                    "{} and {} are set, but sslmode=disable opens no TLS session: choose a TLS mode in {} or remove them",
                    option("sslcert"),
                    option("sslkey"),
                    option("sslmode")
                )));
            }
            return Ok(PgTls::disabled());
        }
        let roots = match &rootcert {
            Some(path) => read_certificates(&option("sslrootcert"), path)?,
            None => Vec::new(),
        };
        let chain_and_key = match &identity {
            Some((cert, key)) => Some((
                read_certificates(&option("sslcert"), cert)?,
                read_private_key(&option("sslkey"), key)?,
            )),
            None => None,
        };
        let rustls = client_config(mode.server_check(), roots, chain_and_key)?;
        Ok(PgTls {
            mode,
            rootcert,
            identity,
            rustls: Some(Arc::new(rustls)),
        })
    }

    /// `allow` decided by what a first session found: later sessions (the replication
    /// one, which cannot start in plaintext and fall back) take TLS only if it needed it.
    pub fn settled(&self, encrypted: bool) -> PgTls {
        let mut settled = self.clone();
        if self.mode == PgSslMode::Allow {
            settled.mode = if encrypted {
                PgSslMode::Require
            } else {
                PgSslMode::Disable
            };
        }
        settled
    }

    pub fn mode(&self) -> PgSslMode {
        self.mode
    }

    /// The CA file the server is checked against (verifying modes only).
    pub fn rootcert(&self) -> Option<&Path> {
        self.rootcert.as_deref()
    }

    /// The client certificate and key files.
    pub fn identity(&self) -> Option<(&Path, &Path)> {
        self.identity
            .as_ref()
            .map(|(c, k)| (c.as_path(), k.as_path()))
    }

    /// Opens a session on `pg` (host, port, user… already set); the connection runs on its
    /// own task, returned so that a caller can notice it end.
    pub async fn connect(
        &self,
        pg: &tokio_postgres::Config,
        purpose: &str,
    ) -> Result<(Client, tokio::task::JoinHandle<()>), PgConnectError> {
        match self.mode {
            PgSslMode::Disable => self.open(pg, SslMode::Disable, purpose).await,
            PgSslMode::Allow => match self.open(pg, SslMode::Disable, purpose).await {
                // The server refused the plaintext login (pg_hba.conf `hostssl` only).
                Err(PgConnectError::Postgres(e)) if e.as_db_error().is_some() => {
                    self.open(pg, SslMode::Require, purpose).await
                }
                other => other,
            },
            PgSslMode::Prefer => self.open(pg, SslMode::Prefer, purpose).await,
            PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull => {
                self.open(pg, SslMode::Require, purpose).await
            }
        }
    }

    async fn open(
        &self,
        pg: &tokio_postgres::Config,
        ssl: SslMode,
        purpose: &str,
    ) -> Result<(Client, tokio::task::JoinHandle<()>), PgConnectError> {
        let mut pg = pg.clone();
        pg.ssl_mode(ssl);
        let purpose = purpose.to_string();
        match (&self.rustls, ssl) {
            (Some(rustls), SslMode::Prefer | SslMode::Require) => {
                let tls = MakeRustlsConnect::new(ClientConfig::clone(rustls));
                let (client, connection) = pg.connect(tls).await.map_err(classify)?;
                Ok((client, spawn(connection, purpose)))
            }
            _ => {
                let (client, connection) = pg.connect(NoTls).await.map_err(classify)?;
                Ok((client, spawn(connection, purpose)))
            }
        }
    }
}

fn spawn<F>(connection: F, purpose: String) -> tokio::task::JoinHandle<()>
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%purpose, %error, "PostgreSQL session ended");
        }
    })
}

/// A failed certificate check and a server without TLS are not worth retrying; a reset in
/// the middle of a handshake is.
fn classify(error: tokio_postgres::Error) -> PgConnectError {
    let settings = TlsSettings {
        trust: "sslrootcert",
        identity: "sslcert/sslkey",
        chain_only_mode: "sslmode=verify-ca",
    };
    if let Some(message) = handshake_refusal(&error, &settings) {
        return PgConnectError::Handshake(message);
    }
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if cause.to_string().contains("server does not support TLS") {
            return PgConnectError::Handshake(
                "the server does not accept TLS (ssl = off); turn ssl on in postgresql.conf, or set sslmode=prefer or disable".into(),
            );
        }
        source = cause.source();
    }
    PgConnectError::Postgres(error)
}

fn default_rootcert() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("HOME")?).join(".postgresql/root.crt");
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(option: &str) -> String {
        format!("database.{option}")
    }

    #[test]
    fn modes_parse_by_their_pgjdbc_names() {
        for name in PgSslMode::NAMES {
            assert_eq!(PgSslMode::parse(name).unwrap().name(), name);
        }
        assert_eq!(PgSslMode::parse("required"), None);
    }

    #[test]
    fn a_root_certificate_with_a_mode_that_does_not_read_it_is_refused() {
        let files = PgTlsFiles {
            rootcert: Some("/etc/ca.crt".into()),
            ..PgTlsFiles::default()
        };
        let e = PgTls::new(PgSslMode::Require, files, named).unwrap_err();
        assert!(
            e.0.contains("database.sslrootcert is set, but sslmode=require"),
            "{e}"
        );
        assert!(e.0.contains("database.sslmode=verify-full"), "{e}");
    }

    #[test]
    fn half_a_client_identity_and_a_key_password_are_refused() {
        let files = PgTlsFiles {
            cert: Some("/etc/client.crt".into()),
            ..PgTlsFiles::default()
        };
        let e = PgTls::new(PgSslMode::Require, files, named).unwrap_err();
        assert!(
            e.0.contains("database.sslcert is set without database.sslkey"),
            "{e}"
        );
        let files = PgTlsFiles {
            password: Some("secret".into()),
            ..PgTlsFiles::default()
        };
        let e = PgTls::new(PgSslMode::Require, files, named).unwrap_err();
        assert!(e.0.contains("database.sslpassword is set"), "{e}");
        assert!(!e.0.contains("secret"), "{e}");
    }

    #[test]
    fn require_needs_no_files() {
        let tls = PgTls::new(PgSslMode::Require, PgTlsFiles::default(), named).unwrap();
        assert_eq!(tls.mode(), PgSslMode::Require);
        assert!(tls.rootcert().is_none());
    }
}
