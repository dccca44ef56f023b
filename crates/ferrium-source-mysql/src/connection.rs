//! Connections to the server and the checks Debezium's MySQL connector makes before it
//! reads anything: binlog on, ROW format, FULL row images, the privileges it needs, and
//! a replica id that is not the server's own.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, Row};

use crate::config::MysqlConfig;
use crate::error::{is_privilege_code, query_error, MysqlError};
use crate::position::{BinlogPosition, GtidSet};
use crate::tls::SslMode;

/// Which server family: they differ in GTID notation and binlog event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    MySql,
    MariaDb,
}

/// What the checks learned about the server.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub flavor: Flavor,
    pub version: String,
    pub server_id: u32,
}

pub fn target(config: &MysqlConfig) -> String {
    format!("{}:{}", config.host, config.port)
}

fn opts(config: &MysqlConfig) -> OptsBuilder {
    OptsBuilder::default()
        .ip_or_hostname(config.host.clone())
        .tcp_port(config.port)
        .user(Some(config.user.clone()))
        .pass(Some(config.password.clone()))
        .prefer_socket(false)
        // The snapshot reads TIMESTAMP as UTC text and strings as UTF-8, whatever the
        // server's defaults, so both paths decode the same way.
        .setup(vec![
            "SET time_zone = '+00:00'".to_string(),
            "SET NAMES utf8mb4".to_string(),
        ])
}

/// Opens a connection, telling a login failure (operator must act) from an unreachable
/// server (worth retrying).
pub async fn connect(config: &MysqlConfig) -> Result<Conn, MysqlError> {
    let attempt = config.tls.connect(opts(config));
    match tokio::time::timeout(config.connect_timeout, attempt).await {
        Err(_) => Err(MysqlError::Connect {
            target: target(config),
            message: format!(
                "no answer within connect.timeout.ms ({} ms)",
                config.connect_timeout.as_millis()
            ),
        }),
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(mysql_async::Error::Server(e))) if e.code == 1045 || e.code == 1044 => {
            let mut message = e.message;
            // The server says the same for a wrong password and for a user created
            // REQUIRE SSL that logs in without TLS.
            if config.tls.mode == SslMode::Disabled {
                message.push_str(" (if the user is created REQUIRE SSL or REQUIRE X509, turn TLS on with database.ssl.mode)");
            }
            Err(MysqlError::Auth {
                target: target(config),
                user: config.user.clone(),
                message,
            })
        }
        Ok(Err(mysql_async::Error::Driver(
            mysql_async::DriverError::NoClientSslFlagFromServer,
        ))) => Err(MysqlError::Tls {
            target: target(config),
            message: "the server does not offer TLS".into(),
        }),
        Ok(Err(e)) if tls_refusal(&e).is_some() => Err(MysqlError::Tls {
            target: target(config),
            message: tls_refusal(&e).unwrap_or_default(),
        }),
        Ok(Err(e)) => Err(MysqlError::Connect {
            target: target(config),
            message: e.to_string(),
        }),
    }
}

/// A certificate check that failed: retrying cannot help.
fn tls_refusal(error: &mysql_async::Error) -> Option<String> {
    let settings = ferrium_tls::refusal::TlsSettings {
        trust: "database.ssl.truststore",
        identity: "database.ssl.keystore",
        chain_only_mode: "database.ssl.mode=verify_ca (verify-ca)",
    };
    ferrium_tls::refusal::handshake_refusal(error, &settings)
}

async fn variable(conn: &mut Conn, name: &str) -> Result<Option<String>, MysqlError> {
    // SHOW cannot be prepared; `name` is one of this file's constants.
    let row: Option<(String, Option<String>)> = conn
        .query_first(format!("SHOW GLOBAL VARIABLES LIKE '{name}'"))
        .await
        .map_err(|e| query_error("reading server variables", e))?;
    Ok(row.and_then(|(_, v)| v))
}

/// Checks that the server writes a binlog Ferrium can read, and identifies it.
pub async fn check_server(conn: &mut Conn, config: &MysqlConfig) -> Result<ServerInfo, MysqlError> {
    let version: String = conn
        .query_first("SELECT VERSION()")
        .await
        .map_err(|e| query_error("reading the server version", e))?
        .unwrap_or_default();
    let flavor = if version.to_ascii_lowercase().contains("mariadb") {
        Flavor::MariaDb
    } else {
        Flavor::MySql
    };
    let setting =
        |name: &str, value: Option<String>| value.unwrap_or_else(|| format!("<{name} unset>"));
    let log_bin = setting("log_bin", variable(conn, "log_bin").await?);
    if !log_bin.eq_ignore_ascii_case("ON") {
        return Err(MysqlError::ServerSetup {
            problem: format!("binary logging is off (log_bin={log_bin})"),
            fix: "start the server with log_bin (e.g. --log-bin=binlog) and a server_id, then restart it".into(),
        });
    }
    let format = setting("binlog_format", variable(conn, "binlog_format").await?);
    if !format.eq_ignore_ascii_case("ROW") {
        return Err(MysqlError::ServerSetup {
            problem: format!("binlog_format is '{format}', but change data capture needs 'ROW'"),
            fix: "set binlog_format=ROW in the server configuration (or SET GLOBAL binlog_format='ROW' and reconnect the writers)".into(),
        });
    }
    let image = setting(
        "binlog_row_image",
        variable(conn, "binlog_row_image").await?,
    );
    if !image.eq_ignore_ascii_case("FULL") {
        return Err(MysqlError::ServerSetup {
            problem: format!("binlog_row_image is '{image}', but Ferrium needs 'FULL' to emit whole before/after rows"),
            fix: "set binlog_row_image=FULL in the server configuration (or SET GLOBAL binlog_row_image='FULL')".into(),
        });
    }
    let server_id: u32 = variable(conn, "server_id")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if server_id == config.server_id {
        return Err(MysqlError::Config(format!(
            "database.server.id is {}, which is the server's own server_id; choose an id no server or replica in the topology uses",
            config.server_id
        )));
    }
    // REPLICATION CLIENT (BINLOG MONITOR on MariaDB 10.5+) is needed to read the position.
    current_position(conn, flavor, config).await?;
    Ok(ServerInfo {
        flavor,
        version,
        server_id,
    })
}

/// The server's current binlog end: file, position and executed GTIDs.
pub async fn current_position(
    conn: &mut Conn,
    flavor: Flavor,
    config: &MysqlConfig,
) -> Result<(BinlogPosition, GtidSet), MysqlError> {
    let status: Result<Option<Row>, _> = conn.query_first("SHOW MASTER STATUS").await;
    let status = match status {
        // MySQL 8.4 removed SHOW MASTER STATUS.
        Err(mysql_async::Error::Server(e)) if e.code == 1064 => conn
            .query_first("SHOW BINARY LOG STATUS")
            .await
            .map_err(|e| query_error("SHOW BINARY LOG STATUS", e))?,
        Err(mysql_async::Error::Server(e)) if is_privilege_code(e.code) => {
            return Err(MysqlError::Privilege {
                user: config.user.clone(),
                what: "REPLICATION CLIENT (BINLOG MONITOR on MariaDB 10.5+), needed to read the binlog position".into(),
                fix: format!("GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO '{}'", config.user),
            })
        }
        other => other.map_err(|e| query_error("SHOW MASTER STATUS", e))?,
    };
    let Some(row) = status else {
        return Err(MysqlError::ServerSetup {
            problem: "SHOW MASTER STATUS returned nothing: binary logging is off".into(),
            fix: "start the server with log_bin".into(),
        });
    };
    let file: Option<String> = row.get(0);
    let pos: Option<u64> = row.get(1);
    let (Some(file), Some(pos)) = (file, pos) else {
        return Err(MysqlError::Protocol(
            "SHOW MASTER STATUS has no File/Position".into(),
        ));
    };
    let gtid_text: Option<String> = match flavor {
        Flavor::MariaDb => conn
            .query_first("SELECT @@GLOBAL.gtid_binlog_pos")
            .await
            .map_err(|e| query_error("reading gtid_binlog_pos", e))?,
        Flavor::MySql => row.get::<Option<String>, _>(4).flatten(),
    };
    let gtids = GtidSet::parse(gtid_text.as_deref().unwrap_or(""))
        .map_err(|e| MysqlError::Protocol(format!("server GTID position: {e}")))?;
    Ok((BinlogPosition::new(file, pos), gtids))
}

/// The binlog files the server still has, with their sizes.
pub async fn binlog_files(conn: &mut Conn) -> Result<Vec<(String, u64)>, MysqlError> {
    let rows: Vec<Row> = conn
        .query("SHOW BINARY LOGS")
        .await
        .map_err(|e| query_error("SHOW BINARY LOGS", e))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.get::<String, _>(0)?, r.get::<u64, _>(1)?)))
        .collect())
}
