//! The sink's errors, each classified once by what to do next: retry after a backoff
//! (the target is unreachable, restarting, or a transaction lost a deadlock) or fail
//! (a configuration or a table that no retry fixes), with a message naming the fix.

use ferrium_event::ErrorAction;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    pub action: ErrorAction,
    pub message: String,
}

impl SinkError {
    pub fn fail(message: impl Into<String>) -> SinkError {
        SinkError {
            action: ErrorAction::Fail,
            message: message.into(),
        }
    }

    pub fn retry(message: impl Into<String>) -> SinkError {
        SinkError {
            action: ErrorAction::Retry,
            message: message.into(),
        }
    }

    pub fn is_retriable(&self) -> bool {
        self.action == ErrorAction::Retry
    }
}

/// A PostgreSQL error, by SQLSTATE; `target` names the database for the message.
pub fn from_postgres(error: tokio_postgres::Error, target: &str, user: &str) -> SinkError {
    let Some(db) = error.as_db_error() else {
        // No SQLSTATE: the connection itself failed or closed.
        return SinkError::retry(format!(
            "cannot reach the target database {target}: {error}"
        ));
    };
    let code = db.code().code();
    let detail = match (db.detail(), db.column(), db.table()) {
        (_, Some(column), Some(table)) => format!(" (table {table}, column {column})"),
        (Some(detail), _, _) => format!(" ({detail})"),
        _ => String::new(),
    };
    let text = format!("{}{detail}", db.message());
    match code {
        // Connection exceptions, an operator or crash shutdown, too many connections,
        // serialization failures and deadlocks: all pass.
        c if c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") => {
            SinkError::retry(format!("the target database {target} is unavailable: {text}"))
        }
        "40001" | "40P01" => SinkError::retry(format!("the target database {target} aborted the transaction: {text}")),
        "42501" => SinkError::fail(format!(
            "the user '{user}' lacks a privilege in the target database {target}: {text}; grant it (for example GRANT INSERT, UPDATE, DELETE, TRUNCATE ON the table, and CREATE on the schema for schema.evolution=basic and the offsets table)"
        )),
        "23505" => SinkError::fail(format!(
            "the target database {target} refused a duplicate key: {text}; with insert.mode=insert a row that exists is an error, as in Debezium: use insert.mode=upsert to update it"
        )),
        "42P01" => SinkError::fail(format!(
            "a table is missing in the target database {target}: {text}; create it or set schema.evolution=basic"
        )),
        "28P01" | "28000" => SinkError::fail(format!(
            "the target database {target} refused the login of '{user}': {text}; check connection.username and connection.password"
        )),
        "3D000" => SinkError::fail(format!("the target database {target} does not exist: {text}; create it or fix connection.url")),
        c if c.starts_with("22") || c.starts_with("23") || c.starts_with("42") => {
            SinkError::fail(format!("the target database {target} refused a change: {text} (SQLSTATE {c})"))
        }
        c => SinkError::fail(format!("the target database {target} failed: {text} (SQLSTATE {c})")),
    }
}

/// A MariaDB/MySQL error, by error code.
pub fn from_mysql(error: mysql_async::Error, target: &str, user: &str) -> SinkError {
    use mysql_async::Error as E;
    match error {
        E::Server(server) => {
            let text = format!("{} (error {})", server.message, server.code);
            match server.code {
                // Lock wait timeout, deadlock, server shutting down, too many connections.
                1205 | 1213 | 1053 | 1040 | 2006 | 2013 | 1927 => {
                    SinkError::retry(format!("the target database {target} is unavailable: {text}"))
                }
                1142 | 1143 | 1044 | 1227 | 1370 => SinkError::fail(format!(
                    "the user '{user}' lacks a privilege in the target database {target}: {text}; grant it (for example GRANT SELECT, INSERT, UPDATE, DELETE ON the database, and CREATE, ALTER for schema.evolution=basic and the offsets table)"
                )),
                1045 => SinkError::fail(format!(
                    "the target database {target} refused the login of '{user}': {text}; check connection.username and connection.password"
                )),
                1062 => SinkError::fail(format!(
                    "the target database {target} refused a duplicate key: {text}; with insert.mode=insert a row that exists is an error, as in Debezium: use insert.mode=upsert to update it"
                )),
                1049 => SinkError::fail(format!("the target database {target} does not exist: {text}; create it or fix connection.url")),
                1146 => SinkError::fail(format!(
                    "a table is missing in the target database {target}: {text}; create it or set schema.evolution=basic"
                )),
                _ => SinkError::fail(format!("the target database {target} refused a change: {text}")),
            }
        }
        E::Io(e) => SinkError::retry(format!("cannot reach the target database {target}: {e}")),
        E::Driver(e) => SinkError::retry(format!(
            "the connection to the target database {target} failed: {e}"
        )),
        other => SinkError::fail(format!("the target database {target} failed: {other}")),
    }
}
