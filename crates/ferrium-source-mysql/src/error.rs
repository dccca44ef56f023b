//! Errors of the MySQL/MariaDB source, each classified by what to do next and worded so an
//! operator knows the fix.

use ferrium_event::{Classified, ErrorAction};

use crate::ddl::DdlError;
use crate::types::TypeError;

#[derive(Debug, thiserror::Error)]
pub enum MysqlError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot connect to MySQL at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("cannot open a TLS session with MySQL at {target}: {message} (database.ssl.mode, database.ssl.truststore, database.ssl.keystore)")]
    Tls { target: String, message: String },
    #[error("MySQL at {target} rejected the login of user '{user}': {message}; check database.user and database.password")]
    Auth {
        target: String,
        user: String,
        message: String,
    },
    #[error("the server is not set up for change data capture: {problem}; {fix}")]
    ServerSetup { problem: String, fix: String },
    #[error("user '{user}' lacks {what}; grant it with: {fix}")]
    Privilege {
        user: String,
        what: String,
        fix: String,
    },
    #[error("the stored offset cannot be resumed: {0}")]
    ResumeMismatch(String),
    #[error("schema history: {0}")]
    History(String),
    #[error("{0}")]
    Ddl(#[from] DdlError),
    #[error("{0}")]
    Type(#[from] TypeError),
    #[error("{0}")]
    Schema(String),
    #[error("malformed binlog data: {0}")]
    Protocol(String),
    #[error("query failed: {0}")]
    Query(String),
    #[error("the MySQL binlog connection was lost: {0}")]
    ConnectionLost(String),
}

impl Classified for MysqlError {
    fn action(&self) -> ErrorAction {
        match self {
            MysqlError::Connect { .. } | MysqlError::ConnectionLost(_) => ErrorAction::Retry,
            MysqlError::Config(_)
            | MysqlError::Tls { .. }
            | MysqlError::Auth { .. }
            | MysqlError::ServerSetup { .. }
            | MysqlError::Privilege { .. }
            | MysqlError::ResumeMismatch(_)
            | MysqlError::History(_)
            | MysqlError::Ddl(_)
            | MysqlError::Type(_)
            | MysqlError::Schema(_)
            | MysqlError::Protocol(_)
            | MysqlError::Query(_) => ErrorAction::Fail,
        }
    }
}

impl From<ferrium_event::history::HistoryError> for MysqlError {
    fn from(e: ferrium_event::history::HistoryError) -> Self {
        if e.retriable {
            MysqlError::ConnectionLost(format!("schema history store: {}", e.message))
        } else {
            MysqlError::History(e.message)
        }
    }
}

/// Classifies a driver error from a query: a dropped connection is retried, a server
/// error (bad SQL, missing privilege) is not.
pub(crate) fn query_error(context: &str, e: mysql_async::Error) -> MysqlError {
    match &e {
        mysql_async::Error::Io(_) | mysql_async::Error::Driver(_) => {
            MysqlError::ConnectionLost(format!("{context}: {e}"))
        }
        mysql_async::Error::Server(server) if is_privilege_code(server.code) => {
            MysqlError::Query(format!("{context}: {e}; the user lacks a privilege Debezium's MySQL connector needs: SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT"))
        }
        _ => MysqlError::Query(format!("{context}: {e}")),
    }
}

/// ER_SPECIFIC_ACCESS_DENIED_ERROR, ER_TABLEACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR,
/// ER_ACCESS_DENIED_ERROR (the last also covers a wrong password).
pub(crate) fn is_privilege_code(code: u16) -> bool {
    matches!(code, 1227 | 1142 | 1044 | 1045)
}
