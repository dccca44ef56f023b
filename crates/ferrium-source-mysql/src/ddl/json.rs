//! Debezium's `tableChanges` JSON for a [`TableChange`], both ways.
//!
//! Two shapes exist:
//! - [`to_json`]: the schema history topic's form (Debezium's JSON table-change
//!   serializer): absent `length`/`scale`/`defaultValueExpression` are left out, a column
//!   carries `hasDefaultValue` and `enumValues`, the table carries `attributes`, and the
//!   change-level `comment` follows the table. [`from_json`] reads it back for recovery.
//! - [`to_schema_change_json`]: the schema change topic's payload (Debezium's Connect
//!   struct form): every field of the struct is present, `null` when unset, there is no
//!   `hasDefaultValue`, `attributes` nor `previousId`, and a DROP has `"table": null`.
//!
//! Values as Debezium's MySQL connector writes them: `id` is `"db"."table"` (the database
//! is the catalog), `typeName` and `typeExpression` are the type with its `UNSIGNED`/
//! `ZEROFILL` modifiers, `generated` equals `autoIncremented` (Debezium sets both for
//! `AUTO_INCREMENT`; virtual and stored generated columns are not flagged), `enumValues`
//! are the members as quoted SQL literals, and comments are `null` (Debezium leaves them
//! out unless `include.schema.comments` is set).

use serde_json::{json, Map, Value};

use super::datatype::jdbc_type;
use super::schemas::{TableChange, TableChangeKind};
use crate::model::{ColumnDef, TableDef, TableId};

/// A `tableChanges` element that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tableChanges entry in the schema history: {0}")]
pub struct JsonError(String);

fn err(msg: impl Into<String>) -> JsonError {
    JsonError(msg.into())
}

/// `"db"."table"`, with `"` inside a name doubled.
pub fn table_id_string(id: &TableId) -> String {
    format!("{}.{}", quote_part(&id.database), quote_part(&id.table))
}

fn quote_part(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Parses `"db"."table"` (or unquoted `db.table`).
pub fn parse_table_id(s: &str) -> Result<TableId, JsonError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    match parts.as_slice() {
        [db, table] => Ok(TableId::new(db.clone(), table.clone())),
        _ => Err(err(format!(
            "table id `{s}` is not of the form \"db\".\"table\""
        ))),
    }
}

/// Debezium's `typeName`: the base type with its modifiers.
pub fn debezium_type_name(col: &ColumnDef) -> String {
    let mut name = col.type_name.clone();
    if col.unsigned || col.zerofill {
        name.push_str(" UNSIGNED");
    }
    if col.zerofill {
        name.push_str(" ZEROFILL");
    }
    name
}

/// Splits Debezium's `typeName` back into the base type and its modifiers.
fn split_type_name(type_name: &str) -> (String, bool, bool) {
    let mut words: Vec<&str> = type_name.split_whitespace().collect();
    let mut unsigned = false;
    let mut zerofill = false;
    while let Some(last) = words.last() {
        match last.to_ascii_uppercase().as_str() {
            "ZEROFILL" => {
                zerofill = true;
                unsigned = true;
            }
            "UNSIGNED" => unsigned = true,
            "SIGNED" => {}
            _ => break,
        }
        words.pop();
    }
    (words.join(" ").to_ascii_uppercase(), unsigned, zerofill)
}

/// An ENUM/SET member as the quoted literal Debezium records.
fn quote_member(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('\'');
    for c in v.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\x1a' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Reverses [`quote_member`], also accepting `\'` and `"…"` as MySQL does.
fn unquote_member(raw: &str) -> String {
    let inner = match raw.chars().next() {
        Some(q @ ('\'' | '"')) if raw.len() >= 2 && raw.ends_with(q) => &raw[1..raw.len() - 1],
        _ => return raw.to_string(),
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('0') => out.push('\0'),
                Some('Z') => out.push('\x1a'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '\'' | '"' if chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The schema history form of a change.
pub fn to_json(change: &TableChange) -> Value {
    let mut doc = Map::new();
    doc.insert("type".into(), json!(change.kind.as_str()));
    doc.insert("id".into(), json!(table_id_string(&change.id)));
    if let Some(previous) = &change.previous_id {
        doc.insert("previousId".into(), json!(table_id_string(previous)));
    }
    if let Some(table) = &change.table {
        let columns: Vec<Value> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| history_column(c, i + 1))
            .collect();
        doc.insert(
            "table".into(),
            json!({
                "defaultCharsetName": table.default_charset,
                "primaryKeyColumnNames": table.primary_key,
                "columns": columns,
                "attributes": [],
            }),
        );
        doc.insert("comment".into(), Value::Null);
    }
    Value::Object(doc)
}

fn history_column(c: &ColumnDef, position: usize) -> Value {
    let type_name = debezium_type_name(c);
    let mut doc = Map::new();
    doc.insert("name".into(), json!(c.name));
    doc.insert("jdbcType".into(), json!(jdbc_type(&c.type_name)));
    doc.insert("typeName".into(), json!(type_name));
    doc.insert("typeExpression".into(), json!(type_name));
    doc.insert("charsetName".into(), json!(c.charset));
    if let Some(length) = c.length {
        doc.insert("length".into(), json!(length));
    }
    if let Some(scale) = c.scale {
        doc.insert("scale".into(), json!(scale));
    }
    doc.insert("position".into(), json!(position));
    doc.insert("optional".into(), json!(c.nullable));
    doc.insert("autoIncremented".into(), json!(c.auto_increment));
    doc.insert("generated".into(), json!(c.auto_increment));
    doc.insert("comment".into(), Value::Null);
    doc.insert("hasDefaultValue".into(), json!(c.has_default));
    if let Some(default) = &c.default {
        doc.insert("defaultValueExpression".into(), json!(default));
    }
    let members: Vec<String> = c.enum_values.iter().map(|v| quote_member(v)).collect();
    doc.insert("enumValues".into(), json!(members));
    Value::Object(doc)
}

/// The schema change topic form of a change (the `tableChanges` element of its payload).
pub fn to_schema_change_json(change: &TableChange) -> Value {
    let table = change.table.as_ref().map(|table| {
        let columns: Vec<Value> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let type_name = debezium_type_name(c);
                let members: Option<Vec<String>> = (!c.enum_values.is_empty())
                    .then(|| c.enum_values.iter().map(|v| quote_member(v)).collect());
                json!({
                    "name": c.name,
                    "jdbcType": jdbc_type(&c.type_name),
                    "nativeType": null,
                    "typeName": type_name,
                    "typeExpression": type_name,
                    "charsetName": c.charset,
                    "length": c.length,
                    "scale": c.scale,
                    "position": i + 1,
                    "optional": c.nullable,
                    "autoIncremented": c.auto_increment,
                    "generated": c.auto_increment,
                    "comment": null,
                    "defaultValueExpression": c.default,
                    "enumValues": members,
                })
            })
            .collect();
        json!({
            "defaultCharsetName": table.default_charset,
            "primaryKeyColumnNames": table.primary_key,
            "columns": columns,
            "comment": null,
        })
    });
    json!({
        "type": change.kind.as_str(),
        "id": table_id_string(&change.id),
        "table": table,
    })
}

/// Reads a schema history `tableChanges` element back.
pub fn from_json(value: &Value) -> Result<TableChange, JsonError> {
    let kind = match str_field(value, "type")? {
        "CREATE" => TableChangeKind::Create,
        "ALTER" => TableChangeKind::Alter,
        "DROP" => TableChangeKind::Drop,
        other => return Err(err(format!("unknown change type `{other}`"))),
    };
    let id = parse_table_id(str_field(value, "id")?)?;
    let previous_id = match value.get("previousId") {
        Some(Value::String(s)) => Some(parse_table_id(s)?),
        _ => None,
    };
    let table = match (kind, value.get("table")) {
        (TableChangeKind::Drop, _) => None,
        (_, Some(t)) if t.is_object() => Some(table_from_json(&id, t)?),
        _ => {
            return Err(err(format!(
                "{} of {} has no table",
                kind.as_str(),
                table_id_string(&id)
            )))
        }
    };
    Ok(TableChange {
        kind,
        id,
        previous_id,
        table,
    })
}

/// Reads the `table` object of a `tableChanges` element.
pub fn table_from_json(id: &TableId, table: &Value) -> Result<TableDef, JsonError> {
    let columns = table
        .get("columns")
        .and_then(Value::as_array)
        .ok_or_else(|| err("table without a columns array"))?
        .iter()
        .map(column_from_json)
        .collect::<Result<Vec<_>, _>>()?;
    let primary_key = match table.get("primaryKeyColumnNames") {
        Some(Value::Array(names)) => names
            .iter()
            .map(|n| {
                n.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| err("non-string key column name"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    Ok(TableDef {
        id: id.clone(),
        columns,
        primary_key,
        default_charset: opt_str(table, "defaultCharsetName"),
    })
}

fn column_from_json(v: &Value) -> Result<ColumnDef, JsonError> {
    let name = str_field(v, "name")?.to_string();
    let (type_name, unsigned, zerofill) = split_type_name(str_field(v, "typeName")?);
    let nullable = v.get("optional").and_then(Value::as_bool).unwrap_or(true);
    let default = opt_str(v, "defaultValueExpression");
    let has_default = v
        .get("hasDefaultValue")
        .and_then(Value::as_bool)
        .unwrap_or(default.is_some() || nullable);
    let enum_values = match v.get("enumValues") {
        Some(Value::Array(members)) => members
            .iter()
            .map(|m| {
                m.as_str()
                    .map(unquote_member)
                    .ok_or_else(|| err("non-string enum member"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    Ok(ColumnDef {
        name,
        type_name,
        unsigned,
        zerofill,
        length: opt_u32(v, "length")?,
        scale: opt_u32(v, "scale")?,
        nullable,
        charset: opt_str(v, "charsetName"),
        enum_values,
        auto_increment: v
            .get("autoIncremented")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        // Debezium's `generated` mirrors auto-increment; whether a column is a virtual or
        // stored generated column is not recorded in the history.
        generated: false,
        default,
        has_default,
    })
}

fn str_field<'a>(v: &'a Value, field: &str) -> Result<&'a str, JsonError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| err(format!("missing string field `{field}`")))
}

fn opt_str(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_string)
}

fn opt_u32(v: &Value, field: &str) -> Result<Option<u32>, JsonError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| err(format!("`{field}` is not a non-negative integer"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ids_quote_and_unquote() {
        let id = TableId::new("in\"v", "t.x");
        let s = table_id_string(&id);
        assert_eq!(s, r#""in""v"."t.x""#);
        assert_eq!(parse_table_id(&s).unwrap(), id);
        assert_eq!(parse_table_id("db.t").unwrap(), TableId::new("db", "t"));
        assert!(parse_table_id("\"a\".\"b\".\"c\"").is_err());
    }

    #[test]
    fn enum_members_round_trip_through_sql_quoting() {
        for v in ["a", "b'c", "d\\e", "new\nline", ""] {
            assert_eq!(unquote_member(&quote_member(v)), v);
        }
        assert_eq!(quote_member("b'c"), "'b''c'");
        assert_eq!(unquote_member("'b\\'c'"), "b'c");
    }

    #[test]
    fn type_names_carry_modifiers() {
        let col = ColumnDef {
            type_name: "INT".into(),
            unsigned: true,
            zerofill: true,
            ..ColumnDef::default()
        };
        assert_eq!(debezium_type_name(&col), "INT UNSIGNED ZEROFILL");
        assert_eq!(
            split_type_name("INT UNSIGNED ZEROFILL"),
            ("INT".into(), true, true)
        );
        assert_eq!(
            split_type_name("DOUBLE PRECISION"),
            ("DOUBLE PRECISION".into(), false, false)
        );
    }

    #[test]
    fn malformed_entries_are_errors() {
        assert!(from_json(&json!({"type": "MERGE", "id": "\"a\".\"b\""})).is_err());
        assert!(from_json(&json!({"type": "CREATE", "id": "\"a\".\"b\""})).is_err());
        let drop = from_json(&json!({"type": "DROP", "id": "\"a\".\"b\""})).unwrap();
        assert_eq!(drop.kind, TableChangeKind::Drop);
        assert!(drop.table.is_none());
    }
}
