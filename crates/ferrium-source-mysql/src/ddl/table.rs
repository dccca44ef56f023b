//! Edits to a [`TableDef`] shared by `CREATE TABLE`, `ALTER TABLE` and `CREATE INDEX`: key
//! changes with Debezium's rules (a unique key on non-null columns stands in for a
//! missing primary key), column placement, and charset resolution.

use super::column::ParsedColumn;
use super::datatype;
use super::lexer::Cursor;
use crate::model::{ColumnDef, TableDef, TableId};

/// Where `FIRST` / `AFTER x` puts a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    Keep,
    First,
    After(String),
}

/// Resolves `db.name` / `name` against the statement's default database.
pub(crate) fn table_id(default_database: &str, name: (Option<String>, String)) -> TableId {
    TableId::new(
        name.0.unwrap_or_else(|| default_database.to_string()),
        name.1,
    )
}

pub(crate) fn read_table_id(
    cursor: &mut Cursor<'_>,
    default_database: &str,
) -> Result<TableId, String> {
    Ok(table_id(default_database, cursor.qualified_name()?))
}

pub(crate) fn column_index(table: &TableDef, name: &str) -> Option<usize> {
    table
        .columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
}

/// A column as the table stores it: a string column without its own charset takes the
/// table's, which is what Debezium records as the column's `charsetName`.
pub(crate) fn resolve_charset(mut def: ColumnDef, table_charset: Option<&str>) -> ColumnDef {
    if def.charset.is_none() && datatype::uses_charset(&def.type_name) {
        def.charset = table_charset.map(str::to_string);
    }
    def
}

/// Sets the primary key, making its columns `NOT NULL` as MySQL does (and dropping the
/// implicit `NULL` default that went with being nullable).
pub(crate) fn set_primary_key(table: &mut TableDef, names: &[String]) {
    let mut key = Vec::with_capacity(names.len());
    for name in names {
        match column_index(table, name) {
            Some(i) => {
                let col = &mut table.columns[i];
                if col.nullable {
                    col.nullable = false;
                    if col.has_default && col.default.is_none() {
                        col.has_default = false;
                    }
                }
                key.push(col.name.clone());
            }
            None => key.push(name.clone()),
        }
    }
    table.primary_key = key;
}

/// Debezium uses a unique key as the primary key of a table that has none, when all its
/// columns exist and are `NOT NULL`. Returns whether it did.
pub(crate) fn unique_key_as_primary(table: &mut TableDef, names: &[String]) -> bool {
    if !table.primary_key.is_empty() || names.is_empty() {
        return false;
    }
    let mut key = Vec::with_capacity(names.len());
    for name in names {
        match column_index(table, name) {
            Some(i) if !table.columns[i].nullable => key.push(table.columns[i].name.clone()),
            _ => return false,
        }
    }
    table.primary_key = key;
    true
}

/// Adds a parsed column (replacing one of the same name in place) and applies its inline
/// key attributes.
pub(crate) fn put_column(table: &mut TableDef, parsed: ParsedColumn) {
    let def = resolve_charset(parsed.def, table.default_charset.as_deref());
    let name = def.name.clone();
    match column_index(table, &name) {
        Some(i) => table.columns[i] = def,
        None => table.columns.push(def),
    }
    if parsed.primary_key {
        set_primary_key(table, std::slice::from_ref(&name));
    } else if parsed.unique && table.primary_key.is_empty() {
        // Debezium takes an inline UNIQUE column as the key without checking nullability.
        table.primary_key = vec![name];
    }
    keep_key_columns_not_null(table);
}

/// A primary key column is `NOT NULL` whatever its redefinition says (MySQL enforces it).
pub(crate) fn keep_key_columns_not_null(table: &mut TableDef) {
    let key = table.primary_key.clone();
    for name in &key {
        if let Some(i) = column_index(table, name) {
            let col = &mut table.columns[i];
            if col.nullable {
                col.nullable = false;
                if col.has_default && col.default.is_none() {
                    col.has_default = false;
                }
            }
        }
    }
}

/// Moves a column to the start or after another column.
pub(crate) fn move_column(
    table: &mut TableDef,
    name: &str,
    position: &Position,
) -> Result<(), String> {
    let anchor = match position {
        Position::Keep => return Ok(()),
        Position::First => None,
        Position::After(a) => Some(a.as_str()),
    };
    let from = column_index(table, name).ok_or_else(|| format!("unknown column `{name}`"))?;
    let col = table.columns.remove(from);
    let to = match anchor {
        None => 0,
        Some(a) => match column_index(table, a) {
            Some(i) => i + 1,
            None => {
                table.columns.insert(from, col);
                return Err(format!("unknown column `{a}` in AFTER"));
            }
        },
    };
    table.columns.insert(to, col);
    Ok(())
}

/// Renames a column, keeping its place and its place in the key.
pub(crate) fn rename_column(table: &mut TableDef, old: &str, new: &str) -> Result<(), String> {
    let i = column_index(table, old).ok_or_else(|| format!("unknown column `{old}`"))?;
    let previous = std::mem::replace(&mut table.columns[i].name, new.to_string());
    for k in &mut table.primary_key {
        if *k == previous {
            *k = new.to_string();
        }
    }
    Ok(())
}

/// Drops a column and its place in the key.
pub(crate) fn drop_column(table: &mut TableDef, name: &str) {
    if let Some(i) = column_index(table, name) {
        let removed = table.columns.remove(i);
        table.primary_key.retain(|k| *k != removed.name);
    }
}
