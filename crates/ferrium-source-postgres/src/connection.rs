//! Ordinary (non-replication) sessions: catalog queries, snapshot reads, heartbeats.
//!
//! Every session, the replication one included, pins the settings that shape PostgreSQL's
//! text output, so values decode the same whatever the server's defaults are.

use tokio_postgres::{Client, Config, NoTls};

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

/// Opens a session; the connection task ends when the returned client is dropped.
pub async fn connect(config: &PostgresConfig, purpose: &str) -> Result<Client, PostgresError> {
    let ssl_mode = match config.sslmode.as_str() {
        "disable" => tokio_postgres::config::SslMode::Disable,
        "prefer" | "allow" => tokio_postgres::config::SslMode::Prefer,
        other => {
            return Err(PostgresError::Config(format!(
                "database.sslmode '{other}' needs TLS, which this Ferrium build does not include yet; use 'disable' or 'prefer'"
            )))
        }
    };
    let mut pg = Config::new();
    pg.host(&config.host)
        .port(config.port)
        .user(&config.user)
        .dbname(&config.dbname)
        .application_name(format!("ferrium-{purpose}"))
        .options(SESSION_OPTIONS)
        .ssl_mode(ssl_mode)
        .connect_timeout(std::time::Duration::from_secs(30));
    if !config.password.is_empty() {
        pg.password(&config.password);
    }
    let (client, connection) = pg.connect(NoTls).await.map_err(|e| sql_error(config, e))?;
    let purpose = purpose.to_string();
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%purpose, %error, "PostgreSQL session ended");
        }
    });
    Ok(client)
}
