//! JDBC connection URLs as users already write them for Debezium's JDBC sink:
//! `jdbc:postgresql://host:port/db?k=v`, `jdbc:mariadb://…` and `jdbc:mysql://…`.
//! Only the parts a native driver needs are read; a parameter Ferrium does not act on
//! is refused by name, so nothing in the URL is silently ignored.

use std::collections::BTreeMap;
use std::fmt;

/// The database a URL points at, which decides the SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JdbcDialect {
    Postgres,
    /// MariaDB and MySQL speak the same protocol and, for what the sink writes, the
    /// same SQL.
    Mysql,
}

impl JdbcDialect {
    pub fn default_port(self) -> u16 {
        match self {
            JdbcDialect::Postgres => 5432,
            JdbcDialect::Mysql => 3306,
        }
    }
}

/// A parsed JDBC URL.
#[derive(Clone, PartialEq, Eq)]
pub struct JdbcUrl {
    pub dialect: JdbcDialect,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// Query parameters, e.g. `user`, `password`, `sslmode`, `currentSchema`.
    pub params: BTreeMap<String, String>,
}

impl fmt::Debug for JdbcUrl {
    // The URL may carry a password; never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.display())
    }
}

/// URL parameters the sink and the verifier act on; anything else is refused.
const KNOWN_PARAMS: &[&str] = &[
    "user",
    "password",
    "currentSchema",
    "connectTimeout",
    "ApplicationName",
    "applicationName",
    "allowPublicKeyRetrieval",
    "serverTimezone",
    "connectionTimeZone",
    "rewriteBatchedStatements",
    "reWriteBatchedInserts",
];

/// pgjdbc's TLS mode, files and factory, read for `jdbc:postgresql:` URLs only.
const POSTGRES_TLS_PARAMS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslfactory",
];

/// Connector/J's and MariaDB Connector/J's TLS mode and stores, read for `jdbc:mysql:`
/// and `jdbc:mariadb:` URLs only (`ferrium_tls::MYSQL_URL_TLS_PARAMS`).
pub const MYSQL_TLS_PARAMS: &[&str] = &[
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

impl JdbcUrl {
    /// Parses `jdbc:<driver>://host[:port]/database[?k=v&…]`.
    pub fn parse(url: &str) -> Result<JdbcUrl, String> {
        let hint = "expected jdbc:postgresql://host:port/database, jdbc:mariadb://host:port/database or jdbc:mysql://host:port/database";
        let rest = url
            .strip_prefix("jdbc:")
            .ok_or_else(|| format!("'{}' is not a JDBC URL; {hint}", shown(url)))?;
        let (driver, rest) = rest
            .split_once("://")
            .ok_or_else(|| format!("'{}' is not a JDBC URL; {hint}", shown(url)))?;
        let dialect = match driver {
            "postgresql" => JdbcDialect::Postgres,
            "mariadb" | "mysql" => JdbcDialect::Mysql,
            other => {
                return Err(format!(
                    "JDBC URL of driver '{other}' is not supported; {hint}"
                ))
            }
        };
        let (authority_path, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, database) = authority_path
            .split_once('/')
            .unwrap_or((authority_path, ""));
        if authority.contains(',') {
            return Err(format!(
                "JDBC URL '{}' names several hosts; Ferrium connects to one host: name only it",
                shown(url)
            ));
        }
        if authority.contains('@') {
            return Err(format!(
                "JDBC URL '{}' has credentials before the host; set connection.username and connection.password instead",
                shown(url)
            ));
        }
        let (host, port) = split_host_port(authority, dialect.default_port())
            .map_err(|e| format!("JDBC URL '{}': {e}", shown(url)))?;
        if database.is_empty() {
            return Err(format!(
                "JDBC URL '{}' names no database; {hint}",
                shown(url)
            ));
        }
        let mut params = BTreeMap::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let tls_params = match dialect {
                JdbcDialect::Postgres => POSTGRES_TLS_PARAMS,
                JdbcDialect::Mysql => MYSQL_TLS_PARAMS,
            };
            if !KNOWN_PARAMS.contains(&k) && !tls_params.contains(&k) {
                let mut supported = KNOWN_PARAMS.to_vec();
                supported.extend(tls_params);
                return Err(format!(
                    "JDBC URL parameter '{k}' is not supported; supported: {}",
                    supported.join(", ")
                ));
            }
            params.insert(k.to_string(), percent_decode(v));
        }
        Ok(JdbcUrl {
            dialect,
            host: host.to_string(),
            port,
            database: percent_decode(database),
            params,
        })
    }

    /// The URL with any password masked, for messages and logs.
    pub fn display(&self) -> String {
        let driver = match self.dialect {
            JdbcDialect::Postgres => "postgresql",
            JdbcDialect::Mysql => "mysql",
        };
        format!(
            "jdbc:{driver}://{}:{}/{}",
            self.host, self.port, self.database
        )
    }
}

fn split_host_port(authority: &str, default_port: u16) -> Result<(&str, u16), String> {
    // An IPv6 literal is bracketed: [::1]:5432.
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 host has no closing ']'")?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None => default_port,
        };
        return Ok((host, port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((host, parse_port(port)?)),
        None if authority.is_empty() => Err("no host".into()),
        None => Ok((authority, default_port)),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("port '{text}' is not a number from 1 to 65535"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL for messages: its query (which may hold a password) cut off.
fn shown(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_write() {
        let url =
            JdbcUrl::parse("jdbc:postgresql://127.0.0.1:5433/reads?currentSchema=app").unwrap();
        assert_eq!(url.dialect, JdbcDialect::Postgres);
        assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 5433));
        assert_eq!(url.database, "reads");
        assert_eq!(url.params["currentSchema"], "app");
        let url = JdbcUrl::parse("jdbc:mariadb://db.example/shop").unwrap();
        assert_eq!((url.dialect, url.port), (JdbcDialect::Mysql, 3306));
        let url = JdbcUrl::parse("jdbc:mysql://[::1]:3307/shop?password=a%26b").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 3307));
        assert_eq!(url.params["password"], "a&b");
        assert!(!format!("{url:?}").contains("a&b"));
    }

    #[test]
    fn refuses_what_it_cannot_honour_by_name() {
        let err = |u: &str| JdbcUrl::parse(u).unwrap_err();
        assert!(err("postgresql://h/db").contains("not a JDBC URL"));
        assert!(err("jdbc:oracle://h/db").contains("'oracle'"));
        assert!(err("jdbc:postgresql://h1,h2/db").contains("several hosts"));
        assert!(err("jdbc:postgresql://h:x/db").contains("port 'x'"));
        assert!(err("jdbc:postgresql://h/").contains("no database"));
        let e = err("jdbc:postgresql://h/db?targetServerType=primary&password=s3cret");
        assert!(
            e.contains("'targetServerType'") && !e.contains("s3cret"),
            "{e}"
        );
    }

    #[test]
    fn each_driver_takes_only_its_own_tls_parameters() {
        assert!(JdbcUrl::parse("jdbc:postgresql://h/db?sslmode=verify-full").is_ok());
        assert!(
            JdbcUrl::parse("jdbc:mariadb://h/db?sslMode=verify-full&serverSslCert=/ca").is_ok()
        );
        // A driver's spelling on the other's URL would be ignored by that driver.
        let e = JdbcUrl::parse("jdbc:mysql://h/db?sslmode=require").unwrap_err();
        assert!(e.contains("'sslmode'") && e.contains("sslMode"), "{e}");
        let e = JdbcUrl::parse("jdbc:postgresql://h/db?sslMode=require").unwrap_err();
        assert!(e.contains("'sslMode'") && e.contains("sslmode"), "{e}");
    }
}
