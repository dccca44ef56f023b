//! DDL statements applied to the table model, and the model written as Debezium's
//! `tableChanges` JSON.
//!
//! Every QUERY event of the binlog goes through [`apply`] with the event's current
//! database. Table DDL changes the [`Schemas`] and returns what changed, in Debezium's
//! terms ([`TableChange`]); every other statement is ignored. The changes are stored in
//! the schema history as JSON ([`json`]) and read back from it on restart.
//!
//! Identifiers follow MySQL on Linux: database and table names are case sensitive,
//! column names are not.

mod alter;
mod classify;
mod column;
mod create;
mod datatype;
mod error;
pub mod json;
mod lexer;
mod schemas;
mod statements;
mod table;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

pub use classify::{classify, StatementKind};
pub use datatype::{jdbc_type, uses_charset};
pub use error::DdlError;
pub use schemas::{Schemas, TableChange, TableChangeKind};

use lexer::{keyword, split_top_level, unwrap_executable_comments, Cursor, Lexed};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Applies the statement(s) of one QUERY event to the schema model.
///
/// `default_database` resolves unqualified table names. Returns the table changes in
/// statement order; statements that are not table DDL return none and change nothing.
/// A table DDL statement that cannot be parsed or applied is an error and leaves the
/// model as it was for that statement.
pub fn apply(
    schemas: &mut Schemas,
    default_database: &str,
    sql: &str,
) -> Result<Vec<TableChange>, DdlError> {
    if matches!(
        classify(sql),
        StatementKind::Other | StatementKind::Truncate
    ) && !sql.contains(';')
    {
        return Ok(vec![]);
    }
    let text = unwrap_executable_comments(sql);
    let lexed = match Lexed::new(text) {
        Ok(lexed) => lexed,
        Err(e) if classify(sql) == StatementKind::TableDdl => return Err(DdlError::new(sql, e)),
        Err(_) => return Ok(vec![]),
    };
    let mut changes = Vec::new();
    for statement in split_top_level(&lexed.tokens, &Token::SemiColon) {
        changes.extend(apply_statement(
            schemas,
            default_database,
            &lexed,
            statement,
        )?);
    }
    Ok(changes)
}

fn apply_statement(
    schemas: &mut Schemas,
    default_database: &str,
    lexed: &Lexed,
    tokens: &[TokenWithSpan],
) -> Result<Vec<TableChange>, DdlError> {
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return Ok(vec![]);
    };
    let span = first.span.union(&last.span);
    let text = lexed.source(span);
    let kind = classify(text);
    if matches!(kind, StatementKind::Other | StatementKind::Truncate) {
        return Ok(vec![]);
    }
    let mut cursor = Cursor::new(tokens);
    let verb = cursor.next().and_then(keyword).unwrap_or_default();
    let result = match (kind, verb.as_str()) {
        (StatementKind::TableDdl, "CREATE") => {
            create::create_table(schemas, default_database, lexed, &mut cursor)
        }
        (StatementKind::TableDdl, "ALTER") => {
            alter::alter_table(schemas, default_database, lexed, &mut cursor)
        }
        (StatementKind::TableDdl, "DROP") => {
            statements::drop_table(schemas, default_database, &mut cursor)
        }
        (StatementKind::TableDdl, "RENAME") => {
            statements::rename_table(schemas, default_database, &mut cursor)
        }
        (StatementKind::DatabaseDdl, verb) => {
            statements::database(schemas, default_database, verb, &mut cursor)
        }
        (StatementKind::IndexDdl, "CREATE") => {
            statements::create_index(schemas, default_database, &mut cursor)
        }
        _ => Ok(vec![]),
    };
    match result {
        Ok(changes) => Ok(changes),
        Err(reason) if kind == StatementKind::TableDdl => Err(DdlError::new(text, reason)),
        Err(reason) => {
            // Database and index statements cannot make the model wrong by being missed,
            // except a unique index standing in for a key; say so and carry on.
            tracing::warn!(statement = %error::excerpt(text), %reason, "ignoring a DDL statement Ferrium cannot parse");
            Ok(vec![])
        }
    }
}
