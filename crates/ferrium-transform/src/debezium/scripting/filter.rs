//! `io.debezium.transforms.Filter`: keeps a record when `condition` is true, drops it
//! when false. Records of topics outside `topic.regex` pass; tombstones follow
//! `null.handling.mode`. A condition that returns anything but a boolean is an error, as
//! in Debezium (a null result fails there when unboxed).

use ferrium_event::SourceRecord;

use super::engine::Outcome;
use super::options::Gate;
use super::Script;
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct Filter {
    script: Script,
}

impl Filter {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        Ok(Filter {
            script: Script::new(props, "condition")?,
        })
    }
}

impl Transform for Filter {
    fn apply(&mut self, record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        match self.script.options.gate(&record) {
            Gate::Pass => return Ok(Some(record)),
            Gate::Drop => return Ok(None),
            Gate::Evaluate => {}
        }
        let not_a_boolean =
            |shown: &str| format!("value '{shown}' returned by the expression is not a Boolean");
        match self.script.engine.eval(&record) {
            Ok(Outcome::Boolean(true)) => Ok(Some(record)),
            Ok(Outcome::Boolean(false)) => Ok(None),
            Ok(Outcome::Null) => Err(self.script.failed(
                &record.topic,
                "the expression returned null (or undefined), not a Boolean",
            )),
            Ok(Outcome::String(shown) | Outcome::Other(shown)) => {
                Err(self.script.failed(&record.topic, not_a_boolean(&shown)))
            }
            Err(js) => Err(self.script.failed(&record.topic, js)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_records::*;
    use super::*;

    const JS: &str = "jsr223.graal.js";

    fn filter(pairs: &[(&str, &str)]) -> Filter {
        let mut all = vec![("language", JS)];
        all.extend_from_slice(pairs);
        Filter::new(&Props::of(&all)).unwrap()
    }

    fn config_error(pairs: &[(&str, &str)]) -> String {
        Filter::new(&Props::of(pairs)).err().unwrap().0
    }

    /// The transform keeps `record` (unchanged) or drops it.
    fn kept(f: &mut Filter, record: SourceRecord) -> bool {
        let expected = record.clone();
        match f.apply(record).unwrap() {
            Some(out) => {
                assert_eq!(out, expected, "a kept record is unchanged");
                true
            }
            None => false,
        }
    }

    #[test]
    fn language_is_required() {
        let err = config_error(&[("condition", "operation != 'd'")]);
        assert!(err.contains("'language'"), "{err}");
    }

    #[test]
    fn condition_is_required() {
        let err = config_error(&[("language", JS)]);
        assert!(err.contains("'condition'"), "{err}");
    }

    #[test]
    fn unknown_languages_and_groovy_are_refused() {
        let err = config_error(&[("language", "jsr223.jython"), ("condition", "true")]);
        assert!(err.contains("'language'") && err.contains(JS), "{err}");
        let err = config_error(&[("language", "jsr223.groovy"), ("condition", "true")]);
        assert!(
            err.contains("rewrite the expression in JavaScript"),
            "{err}"
        );
    }

    #[test]
    fn a_condition_that_does_not_parse_is_a_configuration_error() {
        let err = config_error(&[("language", JS), ("condition", "operation != 'd")]);
        assert!(
            err.contains("'condition'") && err.contains("SyntaxError"),
            "{err}"
        );
    }

    #[test]
    fn the_condition_keeps_matching_records() {
        let mut f = filter(&[("condition", "value.op != 'd' || value.before.id != 2")]);
        assert!(!kept(&mut f, delete_record(2)));
        assert!(kept(&mut f, delete_record(1)));
    }

    #[test]
    fn the_condition_sees_the_topic() {
        let mut f = filter(&[("condition", "topic == 'dummy1'")]);
        assert!(!kept(&mut f, delete_record(2)));
        assert!(kept(&mut f, delete_record(1)));
    }

    #[test]
    fn the_condition_sees_headers_and_the_topic() {
        let mut f = filter(&[("condition", "header.idh.value == 1")]);
        assert!(!kept(&mut f, delete_record(2)));
        assert!(kept(&mut f, delete_record(1)));
        let mut f = filter(&[(
            "condition",
            "header.idh.value == 1 && topic.startsWith('dummy')",
        )]);
        assert!(!kept(&mut f, delete_record(2)));
        assert!(kept(&mut f, delete_record(1)));
    }

    #[test]
    fn only_topics_matching_topic_regex_are_filtered() {
        let mut f = filter(&[
            ("topic.regex", "dum.*"),
            ("condition", "value.op != 'd' || value.before.id != 2"),
        ]);
        assert!(kept(&mut f, delete_customer_record(2)));
        assert!(!kept(&mut f, delete_record(2)));
    }

    const CONDITION: (&str, &str) = ("condition", "value.op != 'd' || value.before.id != 2");

    #[test]
    fn tombstones_are_kept_by_default() {
        let mut f = filter(&[CONDITION]);
        assert!(kept(&mut f, tombstone()));
        let mut f = filter(&[CONDITION, ("null.handling.mode", "keep")]);
        assert!(kept(&mut f, tombstone()));
    }

    #[test]
    fn tombstones_are_dropped_under_drop() {
        let mut f = filter(&[CONDITION, ("null.handling.mode", "drop")]);
        assert!(!kept(&mut f, tombstone()));
        // Only tombstones: the others are still evaluated.
        assert!(kept(&mut f, delete_record(1)));
    }

    #[test]
    fn tombstones_are_evaluated_with_a_null_value_under_evaluate() {
        let mut f = filter(&[CONDITION, ("null.handling.mode", "evaluate")]);
        let err = f.apply(tombstone()).unwrap_err().to_string();
        assert!(
            err.contains("TypeError") && err.contains(CONDITION.1),
            "{err}"
        );
        let mut f = filter(&[
            ("condition", "value == null && valueSchema == null"),
            ("null.handling.mode", "evaluate"),
        ]);
        assert!(kept(&mut f, tombstone()));
        assert!(!kept(&mut f, delete_record(1)));
    }

    #[test]
    fn a_result_that_is_not_a_boolean_is_an_error() {
        for condition in ["value.op", "1", "null", "undefined"] {
            let mut f = filter(&[("condition", condition)]);
            let err = f.apply(delete_record(1)).unwrap_err().to_string();
            assert!(err.contains("not a Boolean"), "{condition}: {err}");
        }
    }

    #[test]
    fn a_run_time_error_names_the_expression_and_the_problem() {
        let mut f = filter(&[("condition", "value.after.id == 1")]);
        let err = f.apply(delete_record(1)).unwrap_err().to_string();
        assert!(err.contains("'value.after.id == 1'"), "{err}");
        assert!(err.contains("TypeError") && err.contains("id"), "{err}");
        // One failing record does not break the transform for the next.
        let mut f = filter(&[
            ("condition", "value.before.id == 1"),
            ("null.handling.mode", "evaluate"),
        ]);
        assert!(f.apply(tombstone()).is_err());
        assert!(kept(&mut f, delete_record(1)));
    }
}
