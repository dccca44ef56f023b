//! The error a table DDL statement Ferrium cannot parse or apply produces, worded for the
//! operator who has to decide whether to skip it.

/// How much of the statement an error quotes: enough to find it in the binlog, short
/// enough for a log line.
const EXCERPT_CHARS: usize = 200;

/// A table DDL statement (`CREATE`/`ALTER`/`DROP`/`RENAME TABLE`) that could not be parsed
/// or applied to the schema model. Statements that are not table DDL never produce one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot apply DDL statement `{statement}`: {reason}. The table model is left unchanged; \
     set schema.history.internal.skip.unparseable.ddl=true to skip statements Ferrium cannot \
     parse, or exclude the table (table.exclude.list) if it is not captured"
)]
pub struct DdlError {
    /// The start of the statement, whitespace collapsed.
    pub statement: String,
    /// Why it failed.
    pub reason: String,
    /// Whether the statement is table DDL. Always true today (other statements are
    /// ignored rather than failing); kept so callers need not re-classify.
    pub table_ddl: bool,
}

impl DdlError {
    pub(crate) fn new(sql: &str, reason: impl Into<String>) -> Self {
        DdlError {
            statement: excerpt(sql),
            reason: reason.into(),
            table_ddl: true,
        }
    }

    /// Whether skipping is allowed by `schema.history.internal.skip.unparseable.ddl`.
    pub fn is_table_ddl(&self) -> bool {
        self.table_ddl
    }
}

/// The first [`EXCERPT_CHARS`] characters of a statement with whitespace runs collapsed.
pub(crate) fn excerpt(sql: &str) -> String {
    let collapsed = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= EXCERPT_CHARS {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(EXCERPT_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_statement_reason_and_the_skip_setting() {
        let e = DdlError::new(
            "ALTER TABLE\n   t  FROB x",
            "unknown ALTER TABLE operation `FROB`",
        );
        let msg = e.to_string();
        assert!(msg.contains("`ALTER TABLE t FROB x`"), "{msg}");
        assert!(msg.contains("unknown ALTER TABLE operation `FROB`"));
        assert!(msg.contains("schema.history.internal.skip.unparseable.ddl=true"));
        assert!(e.is_table_ddl());
    }

    #[test]
    fn long_statements_are_cut_on_a_char_boundary() {
        let sql = format!(
            "CREATE TABLE t (c varchar(10) DEFAULT '{}')",
            "é".repeat(500)
        );
        let e = DdlError::new(&sql, "x");
        assert_eq!(e.statement.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.statement.ends_with('…'));
    }
}
