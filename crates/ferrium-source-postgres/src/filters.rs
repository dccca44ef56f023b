//! Which schemas, tables and columns are captured: Debezium's include/exclude lists.
//!
//! Each list entry is a regular expression matched against the whole identifier
//! (`schema`, `schema.table`, `schema.table.column`), case-insensitively, as Debezium
//! does. An include list and an exclude list for the same level cannot both be set.

use ferrium_config::{NameFilter, Validated};

/// Schemas that hold PostgreSQL's own catalogs; never captured.
const SYSTEM_SCHEMAS: &[&str] = &["pg_catalog", "information_schema", "pg_toast"];

#[derive(Debug, Clone, Default)]
pub struct Filters {
    schemas: NameFilter,
    tables: NameFilter,
    columns: NameFilter,
}

impl Filters {
    pub fn from_config(v: &Validated) -> Result<Self, String> {
        Ok(Filters {
            schemas: NameFilter::from_config(v, "schema.include.list", "schema.exclude.list")?,
            tables: NameFilter::from_config(v, "table.include.list", "table.exclude.list")?,
            columns: NameFilter::from_config(v, "column.include.list", "column.exclude.list")?,
        })
    }

    pub fn captures_table(&self, schema: &str, table: &str) -> bool {
        if SYSTEM_SCHEMAS.contains(&schema) || schema.starts_with("pg_temp") {
            return false;
        }
        self.schemas.allows(schema) && self.tables.allows(&format!("{schema}.{table}"))
    }

    pub fn captures_column(&self, schema: &str, table: &str, column: &str) -> bool {
        self.columns.allows(&format!("{schema}.{table}.{column}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_config::{ConfigDef, ConfigKey, ConfigType, ConnectorConfig};

    const KEYS: &[ConfigKey] = &[
        ConfigKey::new("schema.include.list", ConfigType::List, ""),
        ConfigKey::new("schema.exclude.list", ConfigType::List, ""),
        ConfigKey::new("table.include.list", ConfigType::List, ""),
        ConfigKey::new("table.exclude.list", ConfigType::List, ""),
        ConfigKey::new("column.include.list", ConfigType::List, ""),
        ConfigKey::new("column.exclude.list", ConfigType::List, ""),
    ];

    fn filters(pairs: &[(&str, &str)]) -> Result<Filters, String> {
        let config = ConnectorConfig {
            name: "t".into(),
            props: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let v = ConfigDef {
            keys: KEYS,
            shared: &[],
            passthrough_prefixes: &[],
        }
        .validate(&config)
        .unwrap();
        Filters::from_config(&v)
    }

    #[test]
    fn table_include_list_matches_whole_names_case_insensitively() {
        let f = filters(&[("table.include.list", "public.orders,inv\\..*")]).unwrap();
        assert!(f.captures_table("public", "orders"));
        assert!(f.captures_table("PUBLIC", "Orders"));
        assert!(!f.captures_table("public", "orders_archive"));
        assert!(f.captures_table("inv", "items"));
        assert!(!f.captures_table("pg_catalog", "pg_class"));
    }

    #[test]
    fn exclude_lists_and_columns() {
        let f = filters(&[
            ("schema.exclude.list", "audit"),
            ("column.exclude.list", "public.users.password"),
        ])
        .unwrap();
        assert!(!f.captures_table("audit", "log"));
        assert!(f.captures_table("public", "users"));
        assert!(!f.captures_column("public", "users", "password"));
        assert!(f.captures_column("public", "users", "email"));
    }

    #[test]
    fn include_and_exclude_together_is_an_error() {
        let err =
            filters(&[("table.include.list", "a.b"), ("table.exclude.list", "a.c")]).unwrap_err();
        assert!(err.contains("cannot both be set"));
        assert!(filters(&[("table.include.list", "(")])
            .unwrap_err()
            .contains("table.include.list"));
    }
}
