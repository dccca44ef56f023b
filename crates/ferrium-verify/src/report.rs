//! What a verification found: counts, a bounded number of sample keys per kind, the
//! differing columns of sample rows with both values, and differences of shape. Printed
//! for people (`Display`, ending in one summary line) or as JSON.

use std::fmt;

use serde::Serialize;

use crate::columns::ShapeDifference;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The source table as `jdbc:…/db schema.table`, without credentials.
    pub source: String,
    pub target: String,
    pub key: Vec<String>,
    /// The non-key columns compared.
    pub compared: Vec<String>,
    pub source_rows: u64,
    pub target_rows: u64,
    /// Rows whose key is in both tables and whose values are equal.
    pub matched: u64,
    pub missing_in_target: u64,
    pub extra_in_target: u64,
    pub different: u64,
    /// Source rows sharing a key with an earlier one: `--key` does not identify rows.
    pub duplicate_source_keys: u64,
    pub shape: Vec<ShapeDifference>,
    /// How unusual type pairs were compared.
    pub notes: Vec<String>,
    pub samples: Samples,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Samples {
    pub missing_in_target: Vec<Key>,
    pub extra_in_target: Vec<Key>,
    pub different: Vec<DifferentRow>,
    pub duplicate_source_keys: Vec<Key>,
}

/// A row's key, column by column (canonical text; `None` is NULL).
pub type Key = Vec<KeyPart>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyPart {
    pub column: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DifferentRow {
    pub key: Key,
    /// The columns whose values differ, read back after the scan; empty when the row
    /// could not be read back (changed meanwhile, or a key no literal can name).
    pub columns: Vec<ColumnDifference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnDifference {
    pub column: String,
    pub source: Option<String>,
    pub target: Option<String>,
}

impl Report {
    /// True when the target holds exactly the source's rows, values and columns.
    pub fn is_equal(&self) -> bool {
        self.missing_in_target == 0
            && self.extra_in_target == 0
            && self.different == 0
            && self.duplicate_source_keys == 0
            && self.shape.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// `verify: N rows, M missing, E extra, D different` (plus shape and duplicate
    /// counts when there are any).
    pub fn summary(&self) -> String {
        let mut line = format!(
            "verify: {} rows, {} missing, {} extra, {} different",
            self.source_rows, self.missing_in_target, self.extra_in_target, self.different
        );
        if !self.shape.is_empty() {
            line.push_str(&format!(", {} missing columns", self.shape.len()));
        }
        if self.duplicate_source_keys > 0 {
            line.push_str(&format!(
                ", {} duplicate source keys",
                self.duplicate_source_keys
            ));
        }
        line
    }
}

fn key_text(key: &Key) -> String {
    key.iter()
        .map(|p| format!("{}={}", p.column, value_text(&p.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value_text(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "NULL".into(),
    }
}

fn keys(f: &mut fmt::Formatter<'_>, title: &str, count: u64, keys: &[Key]) -> fmt::Result {
    if count == 0 {
        return Ok(());
    }
    writeln!(f, "{title}: {count}{}", shown(count, keys.len()))?;
    for key in keys {
        writeln!(f, "  {}", key_text(key))?;
    }
    Ok(())
}

fn shown(count: u64, samples: usize) -> String {
    if (samples as u64) < count {
        format!(" (first {samples} by key)")
    } else {
        String::new()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "source: {} ({} rows)", self.source, self.source_rows)?;
        writeln!(f, "target: {} ({} rows)", self.target, self.target_rows)?;
        writeln!(
            f,
            "key: {}; {} other columns compared",
            self.key.join(", "),
            self.compared.len()
        )?;
        for shape in &self.shape {
            writeln!(f, "shape: {shape}")?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        keys(
            f,
            "missing in target",
            self.missing_in_target,
            &self.samples.missing_in_target,
        )?;
        keys(
            f,
            "extra in target",
            self.extra_in_target,
            &self.samples.extra_in_target,
        )?;
        if self.different > 0 {
            writeln!(
                f,
                "different: {}{}",
                self.different,
                shown(self.different, self.samples.different.len())
            )?;
            for row in &self.samples.different {
                if row.columns.is_empty() {
                    writeln!(f, "  {}: (could not be read back)", key_text(&row.key))?;
                }
                for c in &row.columns {
                    writeln!(
                        f,
                        "  {}: {}: source {}, target {}",
                        key_text(&row.key),
                        c.column,
                        value_text(&c.source),
                        value_text(&c.target)
                    )?;
                }
            }
        }
        keys(
            f,
            "duplicate keys in source",
            self.duplicate_source_keys,
            &self.samples.duplicate_source_keys,
        )?;
        write!(f, "{}", self.summary())
    }
}
