//! `database.ssl.mode` with each connector class's own values, and the trust and key
//! stores, read into the TLS setting every MySQL connection uses (`ferrium_tls::MysqlTls`).
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
use ferrium_tls::{MysqlTls, Store};

pub use ferrium_tls::MysqlSslMode as SslMode;

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

/// Reads the options; a problem is pushed and TLS left off.
pub fn read(v: &Validated, mariadb_class: bool, problems: &mut Vec<String>) -> MysqlTls {
    match try_read(v, mariadb_class) {
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
    let (trust, key) = (
        path("database.ssl.truststore"),
        path("database.ssl.keystore"),
    );
    let (trust_password, key_password) = (
        v.string("database.ssl.truststore.password"),
        v.string("database.ssl.keystore.password"),
    );
    let trust = trust.as_deref().map(|path| Store {
        option: "database.ssl.truststore",
        path,
        password: trust_password,
    });
    let key = key.as_deref().map(|path| Store {
        option: "database.ssl.keystore",
        path,
        password: key_password,
    });
    let verifying = if mariadb_class {
        "verify-full (or verify-ca)"
    } else {
        "verify_identity (or verify_ca)"
    };
    MysqlTls::new(mode, trust, key, "database.ssl.mode", verifying).map_err(|e| e.to_string())
}
