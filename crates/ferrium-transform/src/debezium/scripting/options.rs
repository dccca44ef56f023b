//! The options both scripting transforms share (`language`, `topic.regex`,
//! `null.handling.mode`, and the expression under the name each transform gives it), and
//! the decision they imply before any script runs: pass the record, drop it, or evaluate.

use std::sync::Arc;

use ferrium_event::SourceRecord;
use regex::Regex;

use crate::{java_regex, ConfigProblem, Props};

/// The one language Ferrium runs: JavaScript, with Debezium's Graal.js bindings.
pub const GRAAL_JS: &str = "jsr223.graal.js";

/// What happens to a record whose value is null (a tombstone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullHandling {
    /// Passed on untouched, without evaluating the expression (the default).
    Keep,
    /// Removed.
    Drop,
    /// Evaluated like any other record, with `value` and `valueSchema` null.
    Evaluate,
}

/// What to do with one record before (or instead of) evaluating the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Pass,
    Drop,
    Evaluate,
}

pub struct ScriptOptions {
    pub expression: String,
    null_handling: NullHandling,
    topic_regex: Option<Regex>,
    /// The last topic tested against `topic_regex` and the answer: topics repeat, so the
    /// regex runs once per change of topic rather than per record.
    last_topic: Option<(Arc<str>, bool)>,
}

impl ScriptOptions {
    /// Reads the shared options; `expression_option` is `condition` or `topic.expression`.
    pub fn new(props: &Props, expression_option: &str) -> Result<Self, ConfigProblem> {
        check_language(props)?;
        let expression = props.required(expression_option)?.to_string();
        let null_handling =
            match props.choice("null.handling.mode", &["keep", "drop", "evaluate"], "keep")? {
                "drop" => NullHandling::Drop,
                "evaluate" => NullHandling::Evaluate,
                _ => NullHandling::Keep,
            };
        // Debezium treats an empty `topic.regex` as unset.
        let topic_regex = match props.get("topic.regex") {
            Some(pattern) if !pattern.is_empty() => Some(
                java_regex::compile_full(pattern).map_err(|e| props.problem("topic.regex", e))?,
            ),
            _ => None,
        };
        Ok(ScriptOptions {
            expression,
            null_handling,
            topic_regex,
            last_topic: None,
        })
    }

    /// Records of other topics pass; tombstones follow `null.handling.mode`.
    pub fn gate(&mut self, record: &SourceRecord) -> Gate {
        if !self.topic_selected(&record.topic) {
            return Gate::Pass;
        }
        match (&record.value, self.null_handling) {
            (Some(_), _) | (None, NullHandling::Evaluate) => Gate::Evaluate,
            (None, NullHandling::Keep) => Gate::Pass,
            (None, NullHandling::Drop) => Gate::Drop,
        }
    }

    fn topic_selected(&mut self, topic: &Arc<str>) -> bool {
        let Some(regex) = &self.topic_regex else {
            return true;
        };
        match &self.last_topic {
            Some((last, selected)) if last == topic => *selected,
            _ => {
                let selected = regex.is_match(topic);
                self.last_topic = Some((topic.clone(), selected));
                selected
            }
        }
    }
}

/// `language` is required. Debezium resolves `jsr223.<name>` through the JVM's script
/// engines and `wasm.<name>` to its WebAssembly runner; Ferrium embeds JavaScript only, so
/// every other language is refused with what to write instead.
fn check_language(props: &Props) -> Result<(), ConfigProblem> {
    let language = props.required("language")?;
    // Debezium compares the engine name case-sensitively.
    if language == GRAAL_JS {
        return Ok(());
    }
    let why = if let Some(engine) = language.strip_prefix("jsr223.") {
        if engine.eq_ignore_ascii_case("groovy") {
            format!(
                "Groovy expressions are not supported by Ferrium; rewrite the expression in \
                 JavaScript and set '{GRAAL_JS}' (the variables are the same: \
                 `value.op == 'u' && value.before.id == 2` is valid JavaScript too)"
            )
        } else {
            format!(
                "the script engine '{engine}' is not available in Ferrium; write the expression \
                 in JavaScript and set '{GRAAL_JS}' (Struct#get calls such as value.get('op') \
                 keep working)"
            )
        }
    } else if language.starts_with("wasm.") {
        format!(
            "WebAssembly filters ('{language}') are not supported by Ferrium; write the \
             expression in JavaScript and set '{GRAAL_JS}'"
        )
    } else {
        format!("'{language}' must begin with 'jsr223.' or 'wasm.'; Ferrium supports '{GRAAL_JS}'")
    };
    Err(props.problem("language", why))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Result<ScriptOptions, ConfigProblem> {
        ScriptOptions::new(&Props::of(pairs), "condition")
    }

    #[test]
    fn language_and_expression_are_required() {
        let err = options(&[("condition", "true")]).err().unwrap();
        assert!(err.0.contains("'language'"), "{err}");
        let err = options(&[("language", GRAAL_JS)]).err().unwrap();
        assert!(err.0.contains("'condition'"), "{err}");
    }

    #[test]
    fn other_languages_are_refused_with_what_to_write_instead() {
        let err = options(&[("language", "jsr223.groovy"), ("condition", "true")])
            .err()
            .unwrap();
        assert!(
            err.0.contains("'language'") && err.0.contains("rewrite"),
            "{err}"
        );
        assert!(err.0.contains(GRAAL_JS), "{err}");
        for language in [
            "jsr223.jython",
            "wasm.chicory",
            "wasm.chicory-interpreter",
            "js",
        ] {
            let err = options(&[("language", language), ("condition", "true")])
                .err()
                .unwrap();
            assert!(err.0.contains(GRAAL_JS), "{language}: {err}");
        }
    }

    #[test]
    fn null_handling_and_topic_regex_are_validated() {
        let err = options(&[
            ("language", GRAAL_JS),
            ("condition", "true"),
            ("null.handling.mode", "skip"),
        ])
        .err()
        .unwrap();
        assert!(err.0.contains("'null.handling.mode'"), "{err}");
        let err = options(&[
            ("language", GRAAL_JS),
            ("condition", "true"),
            ("topic.regex", "(unclosed"),
        ])
        .err()
        .unwrap();
        assert!(err.0.contains("'topic.regex'"), "{err}");
    }

    #[test]
    fn the_gate_follows_topic_regex_then_null_handling() {
        let mut o = options(&[
            ("language", GRAAL_JS),
            ("condition", "true"),
            ("topic.regex", "dum.*"),
            ("null.handling.mode", "DROP"),
        ])
        .unwrap();
        let tombstone = |topic: &str| SourceRecord::new(topic.into(), None, None);
        // The regex must match the whole topic, as Java's `matches()`.
        assert_eq!(o.gate(&tombstone("xdummy")), Gate::Pass);
        assert_eq!(o.gate(&tombstone("dummy")), Gate::Drop);
        assert_eq!(o.gate(&tombstone("dummy")), Gate::Drop);
        assert_eq!(o.gate(&tombstone("customer")), Gate::Pass);
    }
}
