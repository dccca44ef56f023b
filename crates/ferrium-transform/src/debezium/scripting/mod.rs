//! Debezium's scripting transforms (`debezium-scripting`): `Filter` keeps the records for
//! which a JavaScript condition is true, `ContentBasedRouter` sends each record to the
//! topic a JavaScript expression names. Expressions written for Debezium's
//! `language=jsr223.graal.js` run unchanged, with the same variables (`key`, `value`,
//! `keySchema`, `valueSchema`, `topic`, `header`).
//!
//! The engine is created only when one of these transforms is configured, one per
//! transform; connectors that do not use them never start it.

mod binding;
mod engine;
mod filter;
mod options;
mod reach;
mod router;

pub use filter::Filter;
pub use router::ContentBasedRouter;

use engine::JsEngine;
use options::ScriptOptions;

use crate::{ConfigProblem, Props, TransformError};

/// A configured expression: the shared options, and the engine that runs it.
struct Script {
    options: ScriptOptions,
    engine: JsEngine,
}

impl Script {
    /// `expression_option` names the expression (`condition`, `topic.expression`).
    fn new(props: &Props, expression_option: &str) -> Result<Self, ConfigProblem> {
        let options = ScriptOptions::new(props, expression_option)?;
        let engine = JsEngine::compile(&options.expression).map_err(|e| {
            props.problem(
                expression_option,
                format!(
                    "'{}' is not a valid JavaScript expression: {e}",
                    options.expression
                ),
            )
        })?;
        Ok(Script { options, engine })
    }

    fn failed(&self, record_topic: &str, problem: impl std::fmt::Display) -> TransformError {
        TransformError::new(format!(
            "error while evaluating expression '{}' for a record of topic '{record_topic}': {problem}",
            self.options.expression
        ))
    }
}

#[cfg(test)]
mod test_records;
#[cfg(test)]
mod throughput;

#[cfg(test)]
mod tests {
    use crate::{registry, Props};

    #[test]
    fn both_classes_are_registered_by_their_full_names() {
        let props = Props::of(&[
            ("language", "jsr223.graal.js"),
            ("condition", "true"),
            ("topic.expression", "null"),
        ]);
        for class in [
            "io.debezium.transforms.Filter",
            "io.debezium.transforms.ContentBasedRouter",
        ] {
            let entry = registry::transform(class).expect(class);
            let mut transform = (entry.build)(&props).unwrap();
            let record = ferrium_event::SourceRecord::new("t".into(), None, None);
            assert_eq!(transform.apply(record.clone()).unwrap(), Some(record));
        }
    }
}
