//! Tables as the sink sees them: the shape a record asks for (columns from its schema,
//! the key from `primary.key.mode`) and the table the target database has, compared
//! under `schema.evolution` to decide what to create, what to add and what to refuse.

use std::sync::Arc;

use ferrium_config::JdbcDialect;
use ferrium_event::Schema;

use crate::change::Cell;
use crate::column::{column_kind, ColumnKind};
use crate::config::SchemaEvolution;

/// A table name as written in SQL: an optional schema (PostgreSQL) or database
/// (MariaDB/MySQL), and the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableName {
    pub schema: Option<String>,
    pub table: String,
}

impl TableName {
    /// From a resolved collection name; a `.` (kept by the pass-through strategy)
    /// separates the schema. Unquoted identifiers fold as the database folds them.
    pub fn parse(name: &str, quote: bool, dialect: JdbcDialect) -> TableName {
        let fold = |s: &str| fold_identifier(s, quote, dialect);
        match name.split_once('.') {
            Some((schema, table)) => TableName {
                schema: Some(fold(schema)),
                table: fold(table),
            },
            None => TableName {
                schema: None,
                table: fold(name),
            },
        }
    }

    /// The name quoted for the dialect: `"s"."t"` or `` `d`.`t` ``.
    pub fn sql(&self, dialect: JdbcDialect) -> String {
        match &self.schema {
            Some(s) => format!(
                "{}.{}",
                quote_ident(s, dialect),
                quote_ident(&self.table, dialect)
            ),
            None => quote_ident(&self.table, dialect),
        }
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.table),
            None => write!(f, "{}", self.table),
        }
    }
}

/// With `quote.identifiers=false` a name means what it would mean unquoted: PostgreSQL
/// folds it to lower case. Ferrium still quotes every name in SQL, so a column called
/// `order` or `user` works either way.
pub fn fold_identifier(name: &str, quote: bool, dialect: JdbcDialect) -> String {
    match (quote, dialect) {
        (false, JdbcDialect::Postgres) => name.to_lowercase(),
        _ => name.to_string(),
    }
}

pub fn quote_ident(name: &str, dialect: JdbcDialect) -> String {
    match dialect {
        JdbcDialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        JdbcDialect::Mysql => format!("`{}`", name.replace('`', "``")),
    }
}

/// A column a record asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct WantedColumn {
    pub name: String,
    pub kind: ColumnKind,
    pub optional: bool,
    pub default: Option<serde_json::Value>,
    pub schema: Arc<Schema>,
}

/// A column the target table has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetColumn {
    pub name: String,
    /// The type as the catalog names it (`numeric(10,2)`, `varchar(255)`), used to
    /// cast parameters.
    pub sql_type: String,
}

/// A table the target database has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetTable {
    pub name: TableName,
    pub columns: Vec<TargetColumn>,
    pub primary_key: Vec<String>,
}

impl TargetTable {
    pub fn column(&self, name: &str) -> Option<&TargetColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The wanted columns of a row's cells, key first.
pub fn wanted(
    key: &[Cell],
    columns: &[Cell],
    quote: bool,
    dialect: JdbcDialect,
) -> Result<Vec<WantedColumn>, String> {
    key.iter()
        .chain(columns)
        .map(|cell| {
            Ok(WantedColumn {
                name: fold_identifier(&cell.name, quote, dialect),
                kind: column_kind(&cell.name, &cell.schema)?,
                optional: cell.schema.optional,
                default: cell.schema.default.clone(),
                schema: cell.schema.clone(),
            })
        })
        .collect()
}

/// What to do so the table fits the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Evolution {
    Create,
    Add(Vec<WantedColumn>),
    Fits,
}

/// Compares the wanted columns with the table under `schema.evolution`.
pub fn plan(
    name: &TableName,
    existing: Option<&TargetTable>,
    wanted: &[WantedColumn],
    evolution: SchemaEvolution,
    family: impl Fn(&str) -> Family,
) -> Result<Evolution, String> {
    let Some(table) = existing else {
        return match evolution {
            SchemaEvolution::Basic => Ok(Evolution::Create),
            _ => Err(format!(
                "table {name} does not exist in the target database: create it, or set schema.evolution=basic to let the sink create it"
            )),
        };
    };
    let mut missing = Vec::new();
    for column in wanted {
        match table.column(&column.name) {
            None => missing.push(column.clone()),
            Some(have) => {
                if !family(&have.sql_type).accepts(&column.kind) {
                    return Err(format!(
                        "column {} of table {name} is {}, which cannot hold the field's values ({:?}): alter the column to a matching type, or drop the table so schema.evolution=basic creates it",
                        column.name, have.sql_type, column.kind
                    ));
                }
            }
        }
    }
    if missing.is_empty() {
        return Ok(Evolution::Fits);
    }
    match evolution {
        SchemaEvolution::Basic => Ok(Evolution::Add(missing)),
        _ => Err(format!(
            "table {name} has no column {}: add it, or set schema.evolution=basic to let the sink add columns",
            missing.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// What kind of values a target column type holds, for conflict checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Integer,
    Number,
    Boolean,
    Text,
    Bytes,
    Date,
    Time,
    Timestamp,
    Interval,
    Bits,
    /// Anything else (json, uuid, arrays, enums…): the database decides.
    Other,
}

impl Family {
    /// Whether a column of this family can hold values of `kind` without loss or error;
    /// only clear conflicts are refused, the database checks the rest.
    pub fn accepts(self, kind: &ColumnKind) -> bool {
        use ColumnKind as K;
        let numeric = matches!(
            kind,
            K::Int16
                | K::Int32
                | K::Int64
                | K::Float32
                | K::Float64
                | K::Decimal { .. }
                | K::VariableDecimal
                | K::Year
        );
        match self {
            Family::Integer => matches!(
                kind,
                K::Int16
                    | K::Int32
                    | K::Int64
                    | K::Year
                    | K::Boolean
                    | K::Bits(_)
                    | K::IntervalMicros
            ),
            Family::Number => numeric || matches!(kind, K::IntervalMicros),
            Family::Boolean => matches!(kind, K::Boolean | K::Bits(1)),
            Family::Bytes => matches!(kind, K::Bytes | K::Bits(_)),
            Family::Date => matches!(
                kind,
                K::Date | K::Timestamp { .. } | K::TimestampTz | K::Text
            ),
            Family::Time => matches!(kind, K::Time { .. } | K::TimeTz | K::Text),
            Family::Timestamp => matches!(
                kind,
                K::Timestamp { .. } | K::TimestampTz | K::Date | K::Text
            ),
            Family::Interval => matches!(
                kind,
                K::IntervalMicros | K::IntervalText | K::Text | K::Time { .. }
            ),
            Family::Bits => matches!(kind, K::Bits(_) | K::Boolean | K::Text),
            Family::Text | Family::Other => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::SchemaType;

    fn col(name: &str, kind: ColumnKind) -> WantedColumn {
        WantedColumn {
            name: name.into(),
            kind,
            optional: true,
            default: None,
            schema: Arc::new(Schema::of(SchemaType::String)),
        }
    }

    fn table(cols: &[(&str, &str)]) -> TargetTable {
        TargetTable {
            name: TableName {
                schema: None,
                table: "t".into(),
            },
            columns: cols
                .iter()
                .map(|(n, t)| TargetColumn {
                    name: n.to_string(),
                    sql_type: t.to_string(),
                })
                .collect(),
            primary_key: vec!["id".into()],
        }
    }

    fn family(t: &str) -> Family {
        match t {
            "integer" => Family::Integer,
            "text" => Family::Text,
            _ => Family::Other,
        }
    }

    #[test]
    fn evolution_creates_adds_or_refuses_by_mode() {
        let name = TableName::parse("Orders", false, JdbcDialect::Postgres);
        assert_eq!(name.table, "orders");
        let want = [col("id", ColumnKind::Int32), col("note", ColumnKind::Text)];
        assert_eq!(
            plan(&name, None, &want, SchemaEvolution::Basic, family).unwrap(),
            Evolution::Create
        );
        assert!(plan(&name, None, &want, SchemaEvolution::None, family)
            .unwrap_err()
            .contains("schema.evolution=basic"));
        let t = table(&[("id", "integer")]);
        assert!(
            matches!(plan(&name, Some(&t), &want, SchemaEvolution::Basic, family).unwrap(), Evolution::Add(ref c) if c[0].name == "note")
        );
        assert!(plan(
            &name,
            Some(&t),
            &want,
            SchemaEvolution::ValidateOnly,
            family
        )
        .unwrap_err()
        .contains("no column note"));
        let t = table(&[("id", "integer"), ("note", "integer")]);
        let e = plan(&name, Some(&t), &want, SchemaEvolution::Basic, family).unwrap_err();
        assert!(e.contains("column note of table orders is integer"), "{e}");
    }

    #[test]
    fn names_are_quoted_for_each_dialect() {
        let n = TableName::parse("app.Or\"ders", true, JdbcDialect::Postgres);
        assert_eq!(n.sql(JdbcDialect::Postgres), "\"app\".\"Or\"\"ders\"");
        assert_eq!(
            TableName::parse("a`b", false, JdbcDialect::Mysql).sql(JdbcDialect::Mysql),
            "`a``b`"
        );
    }
}
