//! TLS to the databases: the certificate files a user names, read into rustls; the server
//! check each SSL mode asks for; PostgreSQL sessions opened with them, and MySQL's
//! driver options.
//!
//! Every connection Ferrium opens to a database goes through here, so a mode means the
//! same thing for the source, the JDBC sink and `ferrium verify`.

pub mod client;
pub mod files;
pub mod mysql;
pub mod postgres;
pub mod refusal;
pub mod stores;
mod verify;

pub use client::{client_config, ServerCheck};
pub use mysql::{MysqlSslMode, MysqlTls, Store, MYSQL_URL_TLS_PARAMS};
pub use postgres::{PgConnectError, PgSslMode, PgTls, PgTlsFiles};

/// Makes ring the process's rustls provider, for the libraries that build their TLS
/// configuration from the process default (mysql_async, reqwest); the first call wins and
/// later ones change nothing.
pub fn install_process_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A TLS setting that cannot work: the message names the option and the fix.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(pub String);
