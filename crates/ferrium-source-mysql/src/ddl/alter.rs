//! `ALTER TABLE`: the comma-separated operations applied in order to a copy of the table,
//! which replaces the original only when every operation applied.

use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::column::{self, charset_of_collation, default_clause, set_default};
use super::create::{key_list, TableOptions};
use super::lexer::{is_kw, keyword, name_of, split_top_level, Cursor, Lexed};
use super::schemas::{Schemas, TableChange};
use super::table::{
    column_index, drop_column, move_column, put_column, read_table_id, rename_column,
    set_primary_key, unique_key_as_primary, Position,
};
use crate::model::{TableDef, TableId};

/// Options that are table options when an operation starts with them.
const TABLE_OPTIONS: &[&str] = &[
    "ENGINE",
    "AUTO_INCREMENT",
    "AVG_ROW_LENGTH",
    "CHECKSUM",
    "COMMENT",
    "COMPRESSION",
    "CONNECTION",
    "DATA",
    "DELAY_KEY_WRITE",
    "ENCRYPTION",
    "ENCRYPTION_KEY_ID",
    "IETF_QUOTES",
    "INSERT_METHOD",
    "KEY_BLOCK_SIZE",
    "MAX_ROWS",
    "MIN_ROWS",
    "PACK_KEYS",
    "PASSWORD",
    "ROW_FORMAT",
    "STATS_AUTO_RECALC",
    "STATS_PERSISTENT",
    "STATS_SAMPLE_PAGES",
    "TABLESPACE",
    "UNION",
    "PAGE_CHECKSUM",
    "PAGE_COMPRESSED",
    "PAGE_COMPRESSION_LEVEL",
    "TRANSACTIONAL",
    "SEQUENCE",
    "STORAGE",
    "SECONDARY_ENGINE",
    "AUTOEXTEND_SIZE",
    "ENGINE_ATTRIBUTE",
    "SECONDARY_ENGINE_ATTRIBUTE",
    "START",
];

/// Operations that never change columns or keys.
const NO_OP_LEADERS: &[&str] = &[
    "ALGORITHM",
    "LOCK",
    "FORCE",
    "ORDER",
    "ENABLE",
    "DISABLE",
    "DISCARD",
    "IMPORT",
    "WITH",
    "WITHOUT",
    "COALESCE",
    "REORGANIZE",
    "EXCHANGE",
    "ANALYZE",
    "CHECK",
    "OPTIMIZE",
    "REBUILD",
    "REPAIR",
    "TRUNCATE",
    "REMOVE",
    "UPGRADE",
    "VALIDATION",
    "SECONDARY_LOAD",
    "SECONDARY_UNLOAD",
];

/// Applies an `ALTER TABLE`; the cursor is just after `ALTER`.
pub(crate) fn alter_table(
    schemas: &mut Schemas,
    default_database: &str,
    lexed: &Lexed,
    cursor: &mut Cursor<'_>,
) -> Result<Vec<TableChange>, String> {
    while cursor.eat_kw("ONLINE") || cursor.eat_kw("OFFLINE") || cursor.eat_kw("IGNORE") {}
    cursor.expect_kw("TABLE")?;
    cursor.eat_kws(&["IF", "EXISTS"]);
    let id = read_table_id(cursor, default_database)?;
    if cursor.eat_kw("WAIT") {
        cursor.next();
    }
    cursor.eat_kw("NOWAIT");

    // Debezium ignores ALTERs of tables it does not know.
    let Some(original) = schemas.table(&id) else {
        return Ok(vec![]);
    };
    let mut table = original.clone();
    let mut new_id: Option<TableId> = None;

    // A trailing partition clause follows the operations without a comma.
    let rest = cursor.rest();
    let end = rest
        .iter()
        .enumerate()
        .position(|(i, t)| {
            is_kw(&t.token, "PARTITION") && rest.get(i + 1).is_some_and(|n| is_kw(&n.token, "BY"))
        })
        .unwrap_or(rest.len());
    for op in split_top_level(&rest[..end], &Token::Comma) {
        if let Some(id) = apply_operation(lexed, &mut table, default_database, op)? {
            new_id = Some(id);
        }
    }

    if let Some(new_id) = new_id.filter(|n| *n != id) {
        schemas.remove(&id);
        table.id = new_id;
    }
    schemas.put(table.clone());
    // Debezium reports ALTER TABLE … RENAME as an ALTER of the new id without the previous
    // id (only RENAME TABLE carries it).
    Ok(vec![TableChange::alter(table, None)])
}

/// Splits a trailing `FIRST` / `AFTER col` off a column operation.
fn split_position(tokens: &[TokenWithSpan]) -> (&[TokenWithSpan], Position) {
    let n = tokens.len();
    if n >= 1 && is_kw(&tokens[n - 1].token, "FIRST") {
        return (&tokens[..n - 1], Position::First);
    }
    if n >= 2 && is_kw(&tokens[n - 2].token, "AFTER") {
        if let Some(name) = name_of(&tokens[n - 1].token) {
            return (&tokens[..n - 2], Position::After(name));
        }
    }
    (tokens, Position::Keep)
}

/// Applies one operation; returns the new table id for `RENAME [TO]`.
fn apply_operation(
    lexed: &Lexed,
    table: &mut TableDef,
    default_database: &str,
    tokens: &[TokenWithSpan],
) -> Result<Option<TableId>, String> {
    let mut c = Cursor::new(tokens);
    let Some(first) = c.peek() else {
        return Ok(None);
    };
    let Some(word) = keyword(first) else {
        return Err(format!(
            "unsupported ALTER TABLE operation starting with `{first}`"
        ));
    };
    match word.as_str() {
        "ADD" => {
            c.next();
            add(lexed, table, &mut c)?;
        }
        "DROP" => {
            c.next();
            drop(table, &mut c)?;
        }
        "CHANGE" | "MODIFY" => {
            c.next();
            c.eat_kw("COLUMN");
            let if_exists = c.eat_kws(&["IF", "EXISTS"]);
            let old = if word == "CHANGE" {
                Some(c.ident()?)
            } else {
                None
            };
            let (def_tokens, position) = split_position(c.rest());
            let parsed = column::parse(lexed, def_tokens)?;
            let old_name = old.unwrap_or_else(|| parsed.def.name.clone());
            let Some(i) = column_index(table, &old_name) else {
                if if_exists {
                    return Ok(None);
                }
                return Err(format!("{word} of unknown column `{old_name}`"));
            };
            let new_name = parsed.def.name.clone();
            let current = table.columns[i].name.clone();
            rename_column(table, &current, &new_name)?;
            put_column(table, parsed);
            move_column(table, &new_name, &position)?;
        }
        "RENAME" => {
            c.next();
            if c.eat_kw("COLUMN") {
                let old = c.ident()?;
                c.expect_kw("TO")?;
                let new = c.ident()?;
                rename_column(table, &old, &new)?;
            } else if c.eat_kw("INDEX") || c.eat_kw("KEY") {
            } else {
                let _ = c.eat_kw("TO") || c.eat_kw("AS");
                return Ok(Some(read_table_id(&mut c, default_database)?));
            }
        }
        "ALTER" => {
            c.next();
            alter_column(lexed, table, &mut c)?;
        }
        "CONVERT" => {
            c.next();
            c.expect_kw("TO")?;
            let options = TableOptions::read(&mut c);
            if let Some(cs) = options
                .charset
                .or_else(|| options.collation.as_deref().and_then(charset_of_collation))
            {
                for col in &mut table.columns {
                    if col.charset.is_some() {
                        col.charset = Some(cs.clone());
                    }
                }
                table.default_charset = Some(cs);
            }
        }
        "DEFAULT" | "CHARACTER" | "CHARSET" | "COLLATE" => {
            let options = TableOptions::read(&mut c);
            if let Some(cs) = options
                .charset
                .or_else(|| options.collation.as_deref().and_then(charset_of_collation))
            {
                // Existing columns keep their charset; later columns get this one.
                table.default_charset = Some(cs);
            }
        }
        w if TABLE_OPTIONS.contains(&w)
            || NO_OP_LEADERS.contains(&w)
            || c.peek_at(1) == Some(&Token::Eq) =>
        {
            // Table options may be space-separated in one operation (ENGINE=x CHARSET=y).
            let options = TableOptions::read(&mut c);
            if let Some(cs) = options.charset {
                table.default_charset = Some(cs);
            }
        }
        _ => return Err(format!("unsupported ALTER TABLE operation `{word}`")),
    }
    Ok(None)
}

fn add(lexed: &Lexed, table: &mut TableDef, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.eat_kw("CONSTRAINT")
        && !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"]
            .iter()
            .any(|k| c.peek_kw(k))
    {
        c.ident()?;
    }
    if c.eat_kws(&["PRIMARY", "KEY"]) {
        let cols = key_list(c);
        set_primary_key(table, &cols);
        return Ok(());
    }
    if c.eat_kw("UNIQUE") {
        let cols = key_list(c);
        unique_key_as_primary(table, &cols);
        return Ok(());
    }
    if is_index_or_versioning(c) {
        return Ok(());
    }
    c.eat_kw("COLUMN");
    let if_not_exists = c.eat_kws(&["IF", "NOT", "EXISTS"]);
    if c.peek() == Some(&Token::LParen) {
        // ADD (a int, b int): appended in order.
        let inner = c.paren_group().unwrap_or(&[]);
        for def in split_top_level(inner, &Token::Comma) {
            let parsed = column::parse(lexed, def)?;
            if !(if_not_exists && column_index(table, &parsed.def.name).is_some()) {
                put_column(table, parsed);
            }
        }
        return Ok(());
    }
    let (def_tokens, position) = split_position(c.rest());
    let parsed = column::parse(lexed, def_tokens)?;
    let name = parsed.def.name.clone();
    if column_index(table, &name).is_some() {
        if if_not_exists {
            return Ok(());
        }
        return Err(format!("ADD of existing column `{name}`"));
    }
    put_column(table, parsed);
    move_column(table, &name, &position)
}

/// Whether an ADD/DROP operation is about an index, key, partition or MariaDB's system
/// versioning and periods, none of which change columns. `system` and `period` alone are
/// ordinary column names.
fn is_index_or_versioning(c: &Cursor<'_>) -> bool {
    let second = |kw: &str| c.peek_at(1).is_some_and(|t| is_kw(t, kw));
    match c.peek().and_then(keyword).as_deref() {
        Some("INDEX" | "KEY" | "FULLTEXT" | "SPATIAL" | "FOREIGN" | "CHECK" | "PARTITION") => true,
        Some("SYSTEM") => second("VERSIONING"),
        Some("PERIOD") => second("FOR") || second("IF"),
        _ => false,
    }
}

fn drop(table: &mut TableDef, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.eat_kws(&["PRIMARY", "KEY"]) {
        table.primary_key.clear();
        return Ok(());
    }
    if c.peek_kw("CONSTRAINT") || is_index_or_versioning(c) {
        return Ok(());
    }
    c.eat_kw("COLUMN");
    c.eat_kws(&["IF", "EXISTS"]);
    let name = c.ident()?;
    // A missing column is ignored, as Debezium does (and IF EXISTS says).
    drop_column(table, &name);
    Ok(())
}

/// `ALTER [COLUMN] c SET DEFAULT v | DROP DEFAULT | SET [IN]VISIBLE`, `ALTER INDEX …`.
fn alter_column(lexed: &Lexed, table: &mut TableDef, c: &mut Cursor<'_>) -> Result<(), String> {
    if c.peek_kw("INDEX") || c.peek_kw("CHECK") || c.peek_kw("CONSTRAINT") {
        return Ok(());
    }
    c.eat_kw("COLUMN");
    c.eat_kws(&["IF", "EXISTS"]);
    let name = c.ident()?;
    let Some(i) = column_index(table, &name) else {
        // Debezium skips a default change of an unknown column.
        return Ok(());
    };
    if c.eat_kws(&["DROP", "DEFAULT"]) {
        let col = &mut table.columns[i];
        col.default = None;
        col.has_default = false;
    } else if c.eat_kws(&["SET", "DEFAULT"]) {
        let dialect = MySqlDialect {};
        let mut parser = Parser::new(&dialect).with_tokens_with_locations(c.rest().to_vec());
        let expr = parser
            .parse_expr()
            .map_err(|e| format!("column `{name}` default: {e}"))?;
        if parser.peek_token().token != Token::EOF {
            return Err(format!(
                "column `{name}` default: unexpected `{}`",
                parser.peek_token().token
            ));
        }
        set_default(&mut table.columns[i], default_clause(lexed, &expr));
    }
    Ok(())
}
