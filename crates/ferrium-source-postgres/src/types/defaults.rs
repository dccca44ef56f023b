//! The Connect schema `default` Debezium derives from a PostgreSQL column's default
//! expression (`PostgresDefaultValueConverter`).
//!
//! Debezium handles a fixed list of types by the name the JDBC driver gives them (so a
//! domain, an array, `money` or `bytea` get no default). A literal default
//! (`'abc'::text`, `12.5`, `'-7'::integer`) is read as the column's value; a function call
//! or `CURRENT_DATE`-like keyword (`nextval(…)`, `now()`) becomes a placeholder (zero,
//! the epoch, an empty string), so a `serial` column's default is 0; any other expression
//! gives no default. The text is then decoded by the column's own codec, so the default
//! has exactly the shape of the column's values. A struct default is left out, as Kafka
//! cannot write one (KAFKA-12694).

use ferrium_event::Value;

use super::codec::ColumnCodec;
use super::pg_type::{oid, PgType, PgTypeKind};

/// Keywords PostgreSQL prints without parentheses that Debezium treats as functions.
const CURRENT_DATE_TIMES: [&str; 5] = [
    "current_timestamp",
    "current_time",
    "current_date",
    "localtime",
    "localtimestamp",
];

/// The default for a column, from `pg_get_expr(adbin)`. `type_name` is the driver's
/// name for the column's type (`serial` for a sequence-fed `int4`).
pub fn schema_default(
    expr: &str,
    type_name: &str,
    ty: &PgType,
    typmod: i32,
    codec: &ColumnCodec,
) -> Option<Value> {
    let numeric_zero;
    let placeholder = match type_name {
        "bit" => "00",
        "varbit" => "0",
        "bool" => "false",
        "bpchar" | "varchar" | "text" | "xml" => "",
        "numeric" => {
            numeric_zero = with_scale("0.0", numeric_scale(typmod));
            numeric_zero.as_str()
        }
        "float4" | "float8" => "0.0",
        "int2" | "int4" | "int8" | "serial" | "bigserial" | "smallserial" => "0",
        "json" | "jsonb" => "{}",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        "date" => "1970-01-01",
        "time" => "00:00:00",
        "timestamp" => "1970-01-01 00:00:00",
        "timestamptz" => "1970-01-01 00:00:00+00",
        "interval" => "PT0S",
        _ if matches!(ty.kind, PgTypeKind::Enum { .. }) => "",
        _ => return None,
    };
    let expr = expr.trim();
    if expr.starts_with("NULL::") {
        return None;
    }
    let text = if is_generated(expr) {
        if matches!(ty.kind, PgTypeKind::Enum { .. }) {
            return None;
        }
        placeholder.to_string()
    } else {
        let literal = literal(expr)?;
        if ty.oid == oid::NUMERIC {
            with_scale(&literal, numeric_scale(typmod))
        } else {
            literal
        }
    };
    match codec.decode(&text) {
        Ok(Value::Struct(_)) | Err(_) => None,
        Ok(value) => Some(value),
    }
}

/// A function call (`nextval('s'::regclass)`, `now()`) or a current date/time keyword:
/// Debezium's `^[(]?[A-Za-z0-9_.]+\(` and its keyword list.
fn is_generated(expr: &str) -> bool {
    if CURRENT_DATE_TIMES.contains(&expr.to_ascii_lowercase().as_str()) {
        return true;
    }
    let rest = expr.strip_prefix('(').unwrap_or(expr);
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
        .count();
    let after = &rest[name_len..];
    name_len > 0 && after.starts_with('(') && after.contains(')')
}

/// A raw constant (`12.5`, `true`) as it is, or the first quoted literal
/// (`'it''s'::text` gives `it's`).
fn literal(expr: &str) -> Option<String> {
    let Some(start) = expr.find('\'') else {
        return Some(expr.to_string());
    };
    let mut out = String::new();
    let mut chars = expr[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

fn numeric_scale(typmod: i32) -> Option<usize> {
    (typmod != -1).then(|| (typmod.wrapping_sub(4) & 0xFFFF) as usize)
}

/// Debezium raises a decimal default to the column's scale (never lowers it).
fn with_scale(number: &str, scale: Option<usize>) -> String {
    let Some(scale) = scale else {
        return number.to_string();
    };
    let digits = number.split_once('.').map_or(0, |(_, f)| f.len());
    if digits >= scale {
        return number.to_string();
    }
    let mut out = number.to_string();
    if digits == 0 {
        out.push('.');
    }
    out.push_str(&"0".repeat(scale - digits));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_functions_and_expressions_are_told_apart() {
        assert_eq!(literal("'it''s'::text").as_deref(), Some("it's"));
        assert_eq!(literal("12.5").as_deref(), Some("12.5"));
        assert_eq!(literal("'-7'::integer").as_deref(), Some("-7"));
        assert!(is_generated("nextval('t_id_seq'::regclass)"));
        assert!(is_generated("now()"));
        assert!(is_generated("CURRENT_DATE"));
        assert!(!is_generated("(1 + 2)"));
        assert!(!is_generated("'2020-02-03'::date"));
    }

    #[test]
    fn decimal_defaults_reach_the_column_scale() {
        assert_eq!(with_scale("12.5", Some(2)), "12.50");
        assert_eq!(with_scale("12", Some(2)), "12.00");
        assert_eq!(with_scale("0.0", None), "0.0");
        assert_eq!(with_scale("1.234", Some(2)), "1.234");
    }
}
