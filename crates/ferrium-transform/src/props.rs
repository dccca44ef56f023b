//! The options of one transform or predicate (`transforms.<alias>.*` with the prefix
//! removed), with typed getters whose errors name the full key, so a problem lands on
//! the option it concerns in `ferrium run` and in the REST API's validation report.

use std::collections::BTreeMap;

/// A bad option value, or an option Ferrium recognises but does not implement. The
/// message names the key in quotes (`'transforms.unwrap.add.fields'`) and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigProblem(pub String);

#[derive(Debug, Clone, Default)]
pub struct Props {
    /// `transforms.<alias>.` or `predicates.<name>.`, for messages.
    prefix: String,
    values: BTreeMap<String, String>,
}

impl Props {
    pub fn new(prefix: impl Into<String>, values: BTreeMap<String, String>) -> Self {
        Props {
            prefix: prefix.into(),
            values,
        }
    }

    /// Options for tests: no prefix.
    pub fn of(pairs: &[(&str, &str)]) -> Self {
        Props::new(
            "",
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The full name of an option, as the user wrote it.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A problem with option `name`, naming it in quotes.
    pub fn problem(&self, name: &str, message: impl std::fmt::Display) -> ConfigProblem {
        ConfigProblem(format!("option '{}': {message}", self.key(name)))
    }

    /// The value as given, trimmed (an empty value is a value: Kafka passes it on).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.trim())
    }

    /// Whether the option is set to anything but the empty string.
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_string()
    }

    /// A value that must be present and non-empty.
    pub fn required(&self, name: &str) -> Result<&str, ConfigProblem> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(self.problem(name, "is required and has no default")),
        }
    }

    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigProblem> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.problem(name, format!("'{v}' is not true or false"))),
        }
    }

    pub fn int(&self, name: &str, default: i64) -> Result<i64, ConfigProblem> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| self.problem(name, format!("'{v}' is not an integer"))),
        }
    }

    /// A comma-separated list, items trimmed, empty items left out.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One of `allowed` (case-insensitive, as Debezium's `EnumeratedValue`s are), as
    /// written in `allowed`.
    pub fn choice(
        &self,
        name: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, ConfigProblem> {
        let Some(v) = self.get(name) else {
            return Ok(default);
        };
        allowed
            .iter()
            .copied()
            .find(|a| a.eq_ignore_ascii_case(v))
            .ok_or_else(|| {
                self.problem(name, format!("'{v}' is not one of: {}", allowed.join(", ")))
            })
    }

    /// Refuses options that the real transform has but Ferrium does not implement:
    /// setting one is an error that says so, never a silently different result.
    pub fn refuse(&self, unsupported: &[&str]) -> Result<(), ConfigProblem> {
        match unsupported
            .iter()
            .find(|name| self.values.contains_key(**name))
        {
            Some(name) => Err(self.problem(
                name,
                "is not supported by Ferrium's implementation of this transform; remove it",
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        Props::new(
            "transforms.t.",
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn errors_name_the_full_key() {
        let p = props(&[("flag", "yes"), ("mode", "Rewrite")]);
        let err = p.bool("flag", false).unwrap_err();
        assert!(err.0.contains("'transforms.t.flag'"), "{err}");
        assert_eq!(
            p.choice("mode", &["drop", "rewrite"], "drop"),
            Ok("rewrite")
        );
        assert!(p.required("missing").unwrap_err().0.contains("required"));
    }

    #[test]
    fn lists_drop_empty_items_and_refuse_names_the_option() {
        let p = props(&[("fields", " a, ,b "), ("tracing.operation.name", "x")]);
        assert_eq!(p.list("fields"), ["a", "b"]);
        let err = p.refuse(&["tracing.operation.name"]).unwrap_err();
        assert!(err.0.contains("'transforms.t.tracing.operation.name'"));
        assert!(p.refuse(&["other"]).is_ok());
    }
}
