//! Debezium's custom converters (`converters=<name>,…` with `<name>.type=<class>`) that
//! the MySQL/MariaDB connector supports: `TinyIntOneToBooleanConverter`, which emits
//! `TINYINT(1)` columns (or those its `selector` names) as booleans. Any other converter
//! class is refused at start by name, so no configured conversion is silently skipped.

use ferrium_config::{NamePatterns, Validated};

use crate::model::{ColumnDef, TableId};

const TINYINT_TO_BOOLEAN: [&str; 2] = [
    "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter",
    // Its name before Debezium 3.0 moved it to the binlog module.
    "io.debezium.connector.mysql.converters.TinyIntOneToBooleanConverter",
];

/// `TinyIntOneToBooleanConverter`'s settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TinyIntToBoolean {
    /// `<name>.selector`: regexes over `db.table.column`; empty selects every column.
    selector: NamePatterns,
    /// `<name>.length.checker` (default `true`): only columns declared `TINYINT(1)`.
    length_checker: bool,
}

impl TinyIntToBoolean {
    /// Whether the converter takes this column: a `TINYINT` (signed or not) of length 1
    /// unless the length check is off, and named by the selector when there is one.
    pub fn applies(&self, table: &TableId, column: &ColumnDef) -> bool {
        column.type_name.eq_ignore_ascii_case("TINYINT")
            && !column.zerofill
            && (!self.length_checker || column.length == Some(1))
            && (self.selector.is_empty()
                || self.selector.matches(&format!("{}.{}", table, column.name)))
    }
}

/// The converters `converters` lists, read from their `<name>.*` options.
pub fn read(v: &Validated, problems: &mut Vec<String>) -> Option<TinyIntToBoolean> {
    let mut found = None;
    for name in v.list("converters") {
        let type_key = format!("{name}.type");
        let class = v.raw.get(&type_key).map(str::trim).unwrap_or("");
        if !TINYINT_TO_BOOLEAN.contains(&class) {
            let what = if class.is_empty() {
                format!("'{type_key}' is not set")
            } else {
                format!("'{type_key}' is '{class}', which Ferrium does not implement")
            };
            problems.push(format!(
                "option 'converters' lists '{name}', but {what}: Ferrium supports {} (remove the converter to get Debezium's default mapping)",
                TINYINT_TO_BOOLEAN[0]
            ));
            continue;
        }
        let selector_key = format!("{name}.selector");
        let selector =
            match NamePatterns::parse(&selector_key, v.raw.get(&selector_key).unwrap_or("")) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
        let length_key = format!("{name}.length.checker");
        let length_checker = match v.raw.get(&length_key).map(str::trim) {
            None | Some("") => true,
            Some(b) if b.eq_ignore_ascii_case("true") => true,
            Some(b) if b.eq_ignore_ascii_case("false") => false,
            Some(other) => {
                problems.push(format!(
                    "option '{length_key}' is '{other}': use true or false"
                ));
                true
            }
        };
        if found.is_some() {
            problems.push(format!(
                "option 'converters' lists more than one TinyIntOneToBooleanConverter ('{name}' is the second): list it once, with one selector"
            ));
        }
        found = Some(TinyIntToBoolean {
            selector,
            length_checker,
        });
    }
    found
}
