//! The smaller statements: `RENAME TABLE`, `DROP TABLE`, `CREATE/ALTER/DROP DATABASE`,
//! `CREATE/DROP INDEX`.

use sqlparser::tokenizer::Token;

use super::column::charset_of_collation;
use super::create::{key_list, TableOptions};
use super::lexer::Cursor;
use super::schemas::{Schemas, TableChange};
use super::table::{read_table_id, unique_key_as_primary};

/// `RENAME TABLE a TO b [, c TO d]…`; the cursor is just after `RENAME`. Pairs apply in
/// order (so `a TO tmp, b TO a, tmp TO b` swaps), across databases too.
pub(crate) fn rename_table(
    schemas: &mut Schemas,
    default_database: &str,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    cursor.expect_kw("TABLE")?;
    let mut pairs = Vec::new();
    loop {
        let from = read_table_id(cursor, default_database)?;
        cursor.expect_kw("TO")?;
        let to = read_table_id(cursor, default_database)?;
        pairs.push((from, to));
        if !cursor.eat_token(&Token::Comma) {
            break;
        }
    }
    let mut changes = Vec::new();
    for (from, to) in pairs {
        if let Some(mut table) = schemas.remove(&from) {
            table.id = to;
            schemas.put(table.clone());
            changes.push(TableChange::alter(table, Some(from)));
        }
    }
    Ok(changes)
}

/// `DROP [TEMPORARY] TABLE [IF EXISTS] a, b`; the cursor is just after `DROP`. Every named
/// table gets a DROP change, known or not, as in Debezium.
pub(crate) fn drop_table(
    schemas: &mut Schemas,
    default_database: &str,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    let temporary = cursor.eat_kw("TEMPORARY");
    cursor.expect_kw("TABLE")?;
    if temporary {
        return Ok(vec![]);
    }
    cursor.eat_kws(&["IF", "EXISTS"]);
    let mut ids = Vec::new();
    loop {
        ids.push(read_table_id(cursor, default_database)?);
        if !cursor.eat_token(&Token::Comma) {
            break;
        }
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            schemas.remove(&id);
            TableChange::drop(id)
        })
        .collect())
}

/// `CREATE|ALTER|DROP DATABASE|SCHEMA`; `verb` is the word already read. No table change
/// is reported (Debezium records a database-level event without `tableChanges`); a drop
/// forgets the database's tables.
pub(crate) fn database(
    schemas: &mut Schemas,
    default_database: &str,
    verb: &str,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    if !(cursor.eat_kw("DATABASE") || cursor.eat_kw("SCHEMA")) {
        return Err("expected DATABASE or SCHEMA".to_string());
    }
    match verb {
        "DROP" => {
            cursor.eat_kws(&["IF", "EXISTS"]);
            let name = cursor.ident()?;
            schemas.remove_database(&name);
        }
        _ => {
            cursor.eat_kws(&["IF", "NOT", "EXISTS"]);
            // ALTER DATABASE may omit the name (the current database).
            let name = if matches!(cursor.peek(), Some(Token::Word(w)) if !is_option_word(&w.value) || w.quote_style.is_some())
            {
                cursor.ident()?
            } else {
                default_database.to_string()
            };
            let options = TableOptions::read(cursor);
            if let Some(cs) = options
                .charset
                .or_else(|| options.collation.as_deref().and_then(charset_of_collation))
            {
                schemas.set_database_charset(&name, &cs);
            }
        }
    }
    Ok(vec![])
}

fn is_option_word(w: &str) -> bool {
    [
        "DEFAULT",
        "CHARACTER",
        "CHARSET",
        "COLLATE",
        "COMMENT",
        "ENCRYPTION",
        "READ",
    ]
    .iter()
    .any(|k| w.eq_ignore_ascii_case(k))
}

/// `CREATE [OR REPLACE] [ONLINE|OFFLINE] [UNIQUE|FULLTEXT|SPATIAL] INDEX … ON t (cols)`;
/// the cursor is just after `CREATE`. Only a unique index can matter: Debezium makes it
/// the key of a table without a primary key (its columns all `NOT NULL`), reported as an
/// ALTER. Any other index changes nothing.
pub(crate) fn create_index(
    schemas: &mut Schemas,
    default_database: &str,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    cursor.eat_kws(&["OR", "REPLACE"]);
    while cursor.eat_kw("ONLINE") || cursor.eat_kw("OFFLINE") {}
    let unique = cursor.eat_kw("UNIQUE");
    if !unique {
        return Ok(vec![]);
    }
    cursor.expect_kw("INDEX")?;
    cursor.eat_kws(&["IF", "NOT", "EXISTS"]);
    cursor.ident()?;
    while !cursor.at_end() && !cursor.peek_kw("ON") {
        cursor.next();
    }
    cursor.expect_kw("ON")?;
    let id = read_table_id(cursor, default_database)?;
    let cols = key_list(cursor);
    let Some(table) = schemas.table_mut(&id) else {
        return Ok(vec![]);
    };
    if unique_key_as_primary(table, &cols) {
        let table = table.clone();
        return Ok(vec![TableChange::alter(table, None)]);
    }
    Ok(vec![])
}
