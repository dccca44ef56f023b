//! Ordinary (non-replication) sessions: catalog queries, snapshot reads, heartbeats.
//!
//! Every session, the replication one included, pins the settings that shape PostgreSQL's
//! text output, so values decode the same whatever the server's defaults are.

use ferrium_tls::PgConnectError;
use tokio_postgres::{Client, Config};

use crate::config::PostgresConfig;
use crate::error::PostgresError;

/// Startup options that fix the text format of dates, times, intervals, floats, bytea and money.
pub const SESSION_OPTIONS: &str = "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c bytea_output=hex -c lc_monetary=C";

pub fn target(config: &PostgresConfig) -> String {
    format!("{}:{}/{}", config.host, config.port, config.dbname)
}

pub fn sql_error(config: &PostgresConfig, error: tokio_postgres::Error) -> PostgresError {
    PostgresError::from_sql(&target(config), &config.user, &config.dbname, error)
}

/// Opens a session with `database.sslmode`; the connection task ends when the returned
/// client is dropped.
pub async fn connect(config: &PostgresConfig, purpose: &str) -> Result<Client, PostgresError> {
    let mut pg = Config::new();
    pg.host(&config.host)
        .port(config.port)
        .user(&config.user)
        .dbname(&config.dbname)
        .application_name(format!("ferrium-{purpose}"))
        .options(SESSION_OPTIONS)
        .connect_timeout(std::time::Duration::from_secs(30));
    if !config.password.is_empty() {
        pg.password(&config.password);
    }
    let (client, _connection) = config
        .tls
        .connect(&pg, purpose)
        .await
        .map_err(|e| connect_error(config, e))?;
    Ok(client)
}

pub fn connect_error(config: &PostgresConfig, error: PgConnectError) -> PostgresError {
    match error {
        PgConnectError::Tls(e) => PostgresError::Config(e.to_string()),
        PgConnectError::Handshake(message) => PostgresError::Tls {
            target: target(config),
            message,
        },
        PgConnectError::Postgres(e) => sql_error(config, e),
    }
}
