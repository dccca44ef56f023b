//! `CREATE TABLE`: the column list, key clauses and table options, `LIKE`, `IF NOT EXISTS`,
//! `TEMPORARY` (ignored: temporary tables are not replicated as rows) and MariaDB's
//! `OR REPLACE`.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::column::{self, charset_of_collation};
use super::lexer::{is_kw, key_columns, keyword, split_top_level, Cursor, Lexed};
use super::schemas::{Schemas, TableChange};
use super::table::{put_column, read_table_id, set_primary_key, unique_key_as_primary};
use crate::model::TableDef;

/// Applies a `CREATE TABLE`; the cursor is just after `CREATE`.
pub(crate) fn create_table(
    schemas: &mut Schemas,
    default_database: &str,
    lexed: &Lexed,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    let or_replace = cursor.eat_kws(&["OR", "REPLACE"]);
    let temporary = cursor.eat_kw("TEMPORARY");
    cursor.expect_kw("TABLE")?;
    if temporary {
        return Ok(vec![]);
    }
    cursor.eat_kws(&["IF", "NOT", "EXISTS"]);
    let id = read_table_id(cursor, default_database)?;

    // An existing table is left alone, as Debezium does (IF NOT EXISTS, or a statement
    // the server rejected but logged). OR REPLACE really replaces it.
    if schemas.contains(&id) && !or_replace {
        return Ok(vec![]);
    }

    // CREATE TABLE a LIKE b, or CREATE TABLE a (LIKE b).
    let like = if cursor.eat_kw("LIKE") {
        Some(read_table_id(cursor, default_database)?)
    } else if cursor.peek() == Some(&Token::LParen)
        && cursor.peek_at(1).is_some_and(|t| is_kw(t, "LIKE"))
    {
        let inner = cursor.paren_group().unwrap_or(&[]);
        let mut c = Cursor::new(inner);
        c.expect_kw("LIKE")?;
        Some(read_table_id(&mut c, default_database)?)
    } else {
        None
    };
    if let Some(source) = like {
        return Ok(match schemas.table(&source) {
            Some(original) => {
                let table = TableDef {
                    id,
                    ..original.clone()
                };
                schemas.put(table.clone());
                vec![TableChange::create(table)]
            }
            // Debezium cannot copy a table it does not know either.
            None => vec![],
        });
    }

    let body = cursor.paren_group();
    let options = TableOptions::read(cursor);
    let default_charset = options
        .charset
        .or_else(|| options.collation.as_deref().and_then(charset_of_collation))
        .or_else(|| schemas.default_charset_for(&id.database));

    let mut table = TableDef {
        id,
        columns: Vec::new(),
        primary_key: Vec::new(),
        default_charset,
    };
    if let Some(body) = body {
        for element in split_top_level(body, &Token::Comma) {
            add_element(lexed, &mut table, element)?;
        }
    }
    schemas.put(table.clone());
    Ok(vec![TableChange::create(table)])
}

/// One element of the column list: a column, or a key/constraint clause.
fn add_element(
    lexed: &Lexed,
    table: &mut TableDef,
    tokens: &[TokenWithSpan],
) -> Result<(), String> {
    let mut c = Cursor::new(tokens);
    if c.eat_kw("CONSTRAINT") {
        // Optional constraint name.
        if !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"]
            .iter()
            .any(|k| c.peek_kw(k))
        {
            c.ident()?;
        }
    }
    let first = c.peek().and_then(keyword);
    match first.as_deref() {
        Some("PRIMARY") if c.peek_at(1).is_some_and(|t| is_kw(t, "KEY")) => {
            c.pos += 2;
            let cols = key_list(&mut c);
            set_primary_key(table, &cols);
        }
        Some("UNIQUE") => {
            c.next();
            let cols = key_list(&mut c);
            unique_key_as_primary(table, &cols);
        }
        Some("KEY" | "INDEX" | "FULLTEXT" | "SPATIAL" | "FOREIGN" | "CHECK") => {}
        // MariaDB's application-time period; `period` alone may name a column.
        Some("PERIOD") if c.peek_at(1).is_some_and(|t| is_kw(t, "FOR")) => {}
        _ if tokens.len() == c.pos && c.pos > 0 => {}
        _ => {
            let parsed = column::parse(lexed, tokens)?;
            put_column(table, parsed);
        }
    }
    Ok(())
}

/// Skips an index's name and type up to its `(key parts)` and returns the column names.
pub(crate) fn key_list(c: &mut Cursor<'_>) -> Vec<String> {
    while !c.at_end() && c.peek() != Some(&Token::LParen) {
        c.next();
    }
    c.paren_group().map(key_columns).unwrap_or_default()
}

/// The table options that matter to the model.
#[derive(Debug, Default)]
pub(crate) struct TableOptions {
    pub charset: Option<String>,
    pub collation: Option<String>,
}

impl TableOptions {
    /// Reads options up to a partition clause or a `SELECT`; other options are skipped.
    pub(crate) fn read(cursor: &mut Cursor<'_>) -> Self {
        let mut options = TableOptions::default();
        while let Some(t) = cursor.peek() {
            if cursor.eat_kws(&["CHARACTER", "SET"]) || cursor.eat_kw("CHARSET") {
                options.charset = cursor
                    .option_value()
                    .filter(|v| !v.eq_ignore_ascii_case("DEFAULT"));
                continue;
            }
            if cursor.eat_kw("COLLATE") {
                options.collation = cursor
                    .option_value()
                    .filter(|v| !v.eq_ignore_ascii_case("DEFAULT"));
                continue;
            }
            if ["PARTITION", "AS", "SELECT", "IGNORE", "REPLACE", "WITH"]
                .iter()
                .any(|k| is_kw(t, k))
            {
                break;
            }
            if cursor.paren_group().is_none() {
                cursor.next();
            }
        }
        options
    }
}
