//! Which columns are compared: the key (the source's primary key or `--key`) and every
//! other source column the target also has (by name, ignoring case) less `--exclude`,
//! each paired with its copy and the way their values are compared. Source columns the
//! target lacks are differences of shape; the rest is still compared.

use serde::Serialize;

use crate::catalog::{ColumnInfo, TableInfo};
use crate::error::VerifyError;
use crate::family::{plan, Canon};

/// A source column and its copy.
#[derive(Debug, Clone)]
pub struct Pair {
    pub source: ColumnInfo,
    pub target: ColumnInfo,
    pub canon: Canon,
}

/// A way the target table's columns differ from the source's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShapeDifference {
    /// A source column the target does not have: its values are not compared.
    MissingInTarget { column: String, source_type: String },
}

impl std::fmt::Display for ShapeDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShapeDifference::MissingInTarget {
                column,
                source_type,
            } => write!(
                f,
                "source column '{column}' ({source_type}) is not in the target"
            ),
        }
    }
}

#[derive(Debug)]
pub struct Pairing {
    /// Key columns first, then the compared ones.
    pub pairs: Vec<Pair>,
    pub key_len: usize,
    pub shape: Vec<ShapeDifference>,
    /// Pairs compared as plain text because their types share no meaning.
    pub notes: Vec<String>,
}

impl Pairing {
    pub fn build(
        source: &TableInfo,
        target: &TableInfo,
        key: Option<&[String]>,
        exclude: &[String],
    ) -> Result<Pairing, VerifyError> {
        let names = |t: &TableInfo| {
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let find = |table: &TableInfo, name: &str| {
            table
                .columns
                .iter()
                .find(|c| c.name == name)
                .or_else(|| {
                    table
                        .columns
                        .iter()
                        .find(|c| c.name.eq_ignore_ascii_case(name))
                })
                .cloned()
        };
        let key_names: Vec<String> = match key {
            Some(key) => key.to_vec(),
            None if source.primary_key.is_empty() => {
                return Err(VerifyError::NoPrimaryKey {
                    table: source.display(),
                })
            }
            None => source.primary_key.clone(),
        };
        let mut key_columns = Vec::new();
        for name in &key_names {
            let column = find(source, name).ok_or_else(|| VerifyError::UnknownKeyColumn {
                column: name.clone(),
                table: source.display(),
                columns: names(source),
            })?;
            key_columns.push(column);
        }
        let mut excluded = Vec::new();
        for name in exclude {
            let column = find(source, name).ok_or_else(|| VerifyError::UnknownExcludeColumn {
                column: name.clone(),
                table: source.display(),
                columns: names(source),
            })?;
            if key_columns.iter().any(|k| k.name == column.name) {
                return Err(VerifyError::ExcludedKeyColumn {
                    column: column.name,
                });
            }
            excluded.push(column.name);
        }
        let mut pairing = Pairing {
            pairs: Vec::new(),
            key_len: key_columns.len(),
            shape: Vec::new(),
            notes: Vec::new(),
        };
        for column in &key_columns {
            let copy = find(target, &column.name).ok_or_else(|| VerifyError::KeyNotInTarget {
                column: column.name.clone(),
                table: target.display(),
            })?;
            pairing.push(column.clone(), copy);
        }
        for column in &source.columns {
            if key_columns.iter().any(|k| k.name == column.name) || excluded.contains(&column.name)
            {
                continue;
            }
            match find(target, &column.name) {
                Some(copy) => pairing.push(column.clone(), copy),
                None => pairing.shape.push(ShapeDifference::MissingInTarget {
                    column: column.name.clone(),
                    source_type: column.type_name.clone(),
                }),
            }
        }
        Ok(pairing)
    }

    fn push(&mut self, source: ColumnInfo, target: ColumnInfo) {
        let canon = plan(source.family, target.family).unwrap_or_else(|| {
            self.notes.push(format!(
                "column '{}' is {} in the source and {} in the target; compared as text",
                source.name, source.type_name, target.type_name
            ));
            Canon::Text
        });
        self.pairs.push(Pair {
            source,
            target,
            canon,
        });
    }

    pub fn key_names(&self) -> Vec<String> {
        self.pairs[..self.key_len]
            .iter()
            .map(|p| p.source.name.clone())
            .collect()
    }

    pub fn compared_names(&self) -> Vec<String> {
        self.pairs[self.key_len..]
            .iter()
            .map(|p| p.source.name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::Family;

    fn table(columns: &[(&str, Family)], key: &[&str]) -> TableInfo {
        TableInfo {
            schema: "s".into(),
            name: "t".into(),
            columns: columns
                .iter()
                .map(|(n, f)| ColumnInfo {
                    name: n.to_string(),
                    type_name: format!("{f:?}"),
                    family: *f,
                })
                .collect(),
            primary_key: key.iter().map(|k| k.to_string()).collect(),
        }
    }

    const INT: Family = Family::Int { boolish: false };
    const TEXT: Family = Family::Text { padded: false };

    #[test]
    fn pairs_by_name_ignoring_case_and_reports_missing_columns() {
        let source = table(
            &[("id", INT), ("Name", TEXT), ("gone", TEXT), ("skip", TEXT)],
            &["id"],
        );
        let target = table(
            &[
                ("ID", INT),
                ("name", TEXT),
                ("skip", TEXT),
                ("__deleted", TEXT),
            ],
            &[],
        );
        let p = Pairing::build(&source, &target, None, &["SKIP".into()]).unwrap();
        assert_eq!(p.key_names(), ["id"]);
        assert_eq!(p.compared_names(), ["Name"]);
        assert_eq!(p.pairs[0].target.name, "ID");
        assert_eq!(
            p.shape,
            [ShapeDifference::MissingInTarget {
                column: "gone".into(),
                source_type: "Text { padded: false }".into()
            }]
        );
    }

    #[test]
    fn refuses_what_cannot_be_compared_by_name() {
        let source = table(&[("id", INT), ("v", TEXT)], &[]);
        let target = table(&[("v", TEXT)], &[]);
        let err = |k: Option<&[String]>, x: &[String]| {
            Pairing::build(&source, &target, k, x)
                .unwrap_err()
                .to_string()
        };
        assert!(err(None, &[]).contains("--key"), "{}", err(None, &[]));
        assert!(err(Some(&["nope".into()]), &[]).contains("'nope'"));
        assert!(err(Some(&["id".into()]), &[]).contains("not in the target"));
        assert!(err(Some(&["v".into()]), &["v".into()]).contains("is a key column"));
        assert!(err(Some(&["v".into()]), &["x".into()]).contains("--exclude column 'x'"));
    }

    #[test]
    fn unrelated_types_are_compared_as_text_and_noted() {
        let source = table(&[("id", INT), ("b", Family::Bytes)], &["id"]);
        let target = table(&[("id", INT), ("b", TEXT)], &[]);
        let p = Pairing::build(&source, &target, None, &[]).unwrap();
        assert_eq!(p.pairs[1].canon, Canon::Text);
        assert_eq!(p.notes.len(), 1);
    }
}
