//! The SQL verify sends: each column selected as a text whose form this crate controls
//! (hex for bytes, JSON for PostgreSQL arrays, numbers for MySQL bits), and key values
//! written back as literals to read single rows for samples. Pure text building.

use crate::catalog::{ColumnInfo, TableInfo};
use crate::family::Family;

pub fn quote_pg(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

pub fn quote_my(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

/// A PostgreSQL column as text. The session sets `TimeZone=UTC`, `DateStyle=ISO` and
/// `IntervalStyle=iso_8601`, which fix the text of times and intervals.
pub fn pg_expr(column: &ColumnInfo) -> String {
    let c = quote_pg(&column.name);
    match column.family {
        Family::Bytes => format!("encode({c}, 'hex')"),
        // JSON gives each element a typed, unambiguous text; `{…}` array text does not.
        Family::Array => format!("to_json({c})::text"),
        // money's text carries the locale's currency sign.
        Family::Decimal if column.type_name == "money" => format!("{c}::numeric::text"),
        _ => format!("{c}::text"),
    }
}

/// A MySQL/MariaDB column as text (the text protocol sends every value as text already).
pub fn my_expr(column: &ColumnInfo) -> String {
    let c = quote_my(&column.name);
    match column.family {
        Family::Bytes => format!("HEX({c})"),
        Family::Bool => format!("CAST({c} AS UNSIGNED)"),
        Family::Bits { .. } => format!("BIN({c})"),
        _ => c,
    }
}

pub fn pg_table(table: &TableInfo) -> String {
    format!("{}.{}", quote_pg(&table.schema), quote_pg(&table.name))
}

pub fn my_table(table: &TableInfo) -> String {
    format!("{}.{}", quote_my(&table.schema), quote_my(&table.name))
}

pub fn pg_select(table: &TableInfo, columns: &[&ColumnInfo]) -> String {
    let exprs: Vec<String> = columns.iter().map(|c| pg_expr(c)).collect();
    format!("SELECT {} FROM {}", exprs.join(", "), pg_table(table))
}

pub fn my_select(table: &TableInfo, columns: &[&ColumnInfo]) -> String {
    let exprs: Vec<String> = columns.iter().map(|c| my_expr(c)).collect();
    format!("SELECT {} FROM {}", exprs.join(", "), my_table(table))
}

/// The text PostgreSQL reads back as the key value whose canonical text is `canonical`,
/// or `None` when the canonical form cannot be read back (floats rounded to single
/// precision, intervals as microseconds).
pub fn pg_key_input(column: &ColumnInfo, canonical: &str) -> Option<String> {
    match column.family {
        Family::Bytes => Some(format!("\\x{canonical}")),
        Family::Int { .. } if canonical == "true" || canonical == "false" => {
            Some(if canonical == "true" { "1" } else { "0" }.into())
        }
        Family::Float32 | Family::Float64 | Family::Interval | Family::Json | Family::Array => None,
        _ => Some(canonical.to_string()),
    }
}

/// One condition `key = value` of a MySQL single-row read. Values go in as hex of their
/// UTF-8, converted to a string, so no text needs escaping (whatever `sql_mode` says
/// about backslashes) and the server converts the string to the column's type.
pub fn my_key_condition(column: &ColumnInfo, canonical: Option<&str>) -> Option<String> {
    let c = quote_my(&column.name);
    let Some(value) = canonical else {
        return Some(format!("{c} IS NULL"));
    };
    let value = match column.family {
        Family::Bytes => {
            if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            return Some(format!("{c} = UNHEX('{value}')"));
        }
        Family::Int { .. } | Family::Bool if value == "true" => "1",
        Family::Int { .. } | Family::Bool if value == "false" => "0",
        Family::Float32 | Family::Float64 | Family::Json | Family::Other => return None,
        _ => value,
    };
    Some(format!(
        "{c} = CONVERT(X'{}' USING utf8mb4)",
        hex(value.as_bytes())
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, type_name: &str, family: Family) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            type_name: type_name.into(),
            family,
        }
    }

    #[test]
    fn identifiers_are_quoted_with_their_quotes_doubled() {
        assert_eq!(quote_pg("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_my("a`b"), "`a``b`");
    }

    #[test]
    fn columns_are_selected_as_controlled_text() {
        assert_eq!(
            pg_expr(&column("b", "bytea", Family::Bytes)),
            "encode(\"b\", 'hex')"
        );
        assert_eq!(
            pg_expr(&column("m", "money", Family::Decimal)),
            "\"m\"::numeric::text"
        );
        assert_eq!(
            pg_expr(&column("a", "integer[]", Family::Array)),
            "to_json(\"a\")::text"
        );
        assert_eq!(
            my_expr(&column("f", "bit(1)", Family::Bool)),
            "CAST(`f` AS UNSIGNED)"
        );
        assert_eq!(my_expr(&column("b", "blob", Family::Bytes)), "HEX(`b`)");
    }

    #[test]
    fn key_literals_need_no_escaping() {
        let name = column("name", "varchar(10)", Family::Text { padded: false });
        assert_eq!(
            my_key_condition(&name, Some("a'b")).unwrap(),
            "`name` = CONVERT(X'612762' USING utf8mb4)"
        );
        assert_eq!(my_key_condition(&name, None).unwrap(), "`name` IS NULL");
        let flag = column("f", "tinyint(1)", Family::Int { boolish: true });
        assert_eq!(
            my_key_condition(&flag, Some("true")).unwrap(),
            "`f` = CONVERT(X'31' USING utf8mb4)"
        );
        let bin = column("b", "varbinary(4)", Family::Bytes);
        assert_eq!(my_key_condition(&bin, Some("0') OR (1")), None);
        assert_eq!(
            pg_key_input(&column("b", "bytea", Family::Bytes), "00ff").unwrap(),
            "\\x00ff"
        );
    }
}
