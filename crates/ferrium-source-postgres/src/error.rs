//! Errors of the PostgreSQL source, each classified by what to do next and worded so an
//! operator knows the fix.

use ferrium_event::{Classified, ErrorAction};

use crate::types::TypeError;

#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot connect to PostgreSQL at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("cannot open a TLS session with PostgreSQL at {target}: {message} (database.sslmode, database.sslrootcert, database.sslcert, database.sslkey)")]
    Tls { target: String, message: String },
    #[error("PostgreSQL at {target} rejected the login of role '{user}': {message}; check database.user and database.password")]
    Auth {
        target: String,
        user: String,
        message: String,
    },
    #[error("database '{dbname}' does not exist on {target}; check database.dbname")]
    NoDatabase { target: String, dbname: String },
    #[error("wal_level is '{actual}', but logical replication needs 'logical': set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL")]
    WalLevel { actual: String },
    #[error("role '{user}' lacks {what}; {fix}")]
    Privilege {
        user: String,
        what: String,
        fix: String,
    },
    #[error("{0}")]
    Setup(String),
    #[error("the stored offset cannot be resumed: {0}")]
    ResumeMismatch(String),
    #[error("{0}")]
    Type(#[from] TypeError),
    #[error("malformed replication data: {0}")]
    Protocol(String),
    #[error("query failed: {0}")]
    Query(String),
    #[error("the PostgreSQL replication connection was lost: {0}")]
    ReplicationLost(String),
    #[error("an incremental snapshot chunk found no consistent snapshot: {0}")]
    SnapshotRace(String),
}

impl Classified for PostgresError {
    fn action(&self) -> ErrorAction {
        match self {
            PostgresError::Connect { .. }
            | PostgresError::ReplicationLost(_)
            | PostgresError::SnapshotRace(_) => ErrorAction::Retry,
            PostgresError::Config(_)
            | PostgresError::Tls { .. }
            | PostgresError::Auth { .. }
            | PostgresError::NoDatabase { .. }
            | PostgresError::WalLevel { .. }
            | PostgresError::Privilege { .. }
            | PostgresError::Setup(_)
            | PostgresError::ResumeMismatch(_)
            | PostgresError::Query(_)
            | PostgresError::Type(_)
            | PostgresError::Protocol(_) => ErrorAction::Fail,
        }
    }
}

impl PostgresError {
    /// Classifies a tokio-postgres error from an ordinary (non-replication) session.
    pub fn from_sql(target: &str, user: &str, dbname: &str, error: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        if let Some(db) = error.as_db_error() {
            let code = db.code();
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                let mut message = db.message().to_string();
                // pg_hba.conf admits the role with `hostssl` lines only.
                if message.contains("no encryption") {
                    message.push_str(" (the server admits this role only over TLS: set database.sslmode=verify-full with database.sslrootcert, or require)");
                }
                // pg_hba.conf admits the role with `cert` lines only.
                if message.contains("requires a valid client certificate") {
                    message.push_str(" (the role logs in by client certificate: set database.sslcert and database.sslkey to a certificate the server's CA signed, with the role's name as its CN)");
                }
                return PostgresError::Auth {
                    target: target.to_string(),
                    user: user.to_string(),
                    message,
                };
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return PostgresError::NoDatabase {
                    target: target.to_string(),
                    dbname: dbname.to_string(),
                };
            }
            if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                return PostgresError::Privilege {
                    user: user.to_string(),
                    what: "a privilege".into(),
                    fix: db.message().to_string(),
                };
            }
            if code.code().starts_with("57")
                || code.code().starts_with("08")
                || code.code().starts_with("53")
            {
                // Shutdown, connection exceptions, insufficient resources: transient.
                return PostgresError::Connect {
                    target: target.to_string(),
                    message: db.message().to_string(),
                };
            }
            return PostgresError::Query(format!("{}: {}", code.code(), db.message()));
        }
        let io_failure =
            std::error::Error::source(&error).is_some_and(|s| s.is::<std::io::Error>());
        if error.is_closed() || io_failure {
            return PostgresError::Connect {
                target: target.to_string(),
                message: error.to_string(),
            };
        }
        // Errors without a server code are client-side (timeouts, closed streams).
        PostgresError::Connect {
            target: target.to_string(),
            message: error.to_string(),
        }
    }
}
