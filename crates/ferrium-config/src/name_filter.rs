//! Debezium's include/exclude list pairs (`table.include.list`/`table.exclude.list`, …):
//! each entry is a regular expression matched against the whole identifier,
//! case-insensitively, and the two lists of a pair cannot both be set.

use regex::{Regex, RegexBuilder};

use crate::Validated;

/// One include/exclude pair. An empty pair allows everything.
#[derive(Debug, Clone, Default)]
pub struct NameFilter {
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl NameFilter {
    /// Reads the pair `include`/`exclude` from a validated config.
    pub fn from_config(v: &Validated, include: &str, exclude: &str) -> Result<Self, String> {
        let inc = v.list(include);
        let exc = v.list(exclude);
        if !inc.is_empty() && !exc.is_empty() {
            return Err(format!(
                "options '{include}' and '{exclude}' cannot both be set; use one of them"
            ));
        }
        Ok(NameFilter {
            include: compile(include, &inc)?,
            exclude: compile(exclude, &exc)?,
        })
    }

    pub fn allows(&self, name: &str) -> bool {
        if !self.include.is_empty() {
            return self.include.iter().any(|r| r.is_match(name));
        }
        !self.exclude.iter().any(|r| r.is_match(name))
    }

    /// Whether an include list is set (only listed names are allowed).
    pub fn has_include_list(&self) -> bool {
        !self.include.is_empty()
    }
}

/// A single list of whole-name patterns (`column.propagate.source.type`, …): a name
/// matches when any pattern matches all of it, case-insensitively. Empty matches nothing.
#[derive(Debug, Clone, Default)]
pub struct NamePatterns {
    patterns: Vec<Regex>,
}

impl PartialEq for NamePatterns {
    fn eq(&self, other: &Self) -> bool {
        self.patterns.len() == other.patterns.len()
            && self
                .patterns
                .iter()
                .zip(&other.patterns)
                .all(|(a, b)| a.as_str() == b.as_str())
    }
}

impl Eq for NamePatterns {}

impl NamePatterns {
    pub fn from_config(v: &Validated, key: &str) -> Result<Self, String> {
        Ok(NamePatterns {
            patterns: compile(key, &v.list(key))?,
        })
    }

    /// Patterns from a comma-separated value of `key` that the config table does not
    /// declare (a custom converter's `<name>.selector`).
    pub fn parse(key: &str, value: &str) -> Result<Self, String> {
        let list: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        Ok(NamePatterns {
            patterns: compile(key, &list)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|r| r.is_match(name))
    }
}

fn compile(key: &str, patterns: &[String]) -> Result<Vec<Regex>, String> {
    patterns
        .iter()
        .map(|p| {
            RegexBuilder::new(&format!("^(?:{p})$"))
                .case_insensitive(true)
                .build()
                .map_err(|e| format!("option '{key}' has an invalid regular expression '{p}': {e}"))
        })
        .collect()
}
