//! The transform chain of one connector, wired as Kafka Connect wires it
//! (`ConnectorConfig`, `TransformationChain`): `transforms=a,b` run in that order; each
//! has `transforms.<alias>.type` and its own options; `transforms.<alias>.predicate`
//! names one of `predicates=…`, and the transform runs when the predicate's result
//! differs from `transforms.<alias>.negate` (default false); a transform that returns
//! nothing drops the record and ends the chain.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrium_event::SourceRecord;

use crate::registry::{self, Lookup};
use crate::{ConfigProblem, Predicate, Props, Transform};

/// A transform failed on a record; which one, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("transform '{alias}' ({class}) failed on a record for topic '{topic}': {message}")]
pub struct ChainError {
    pub alias: String,
    pub class: &'static str,
    pub topic: String,
    pub message: String,
}

struct Stage {
    alias: String,
    class: &'static str,
    transform: Box<dyn Transform>,
    predicate: Option<Arc<dyn Predicate>>,
    negate: bool,
}

#[derive(Default)]
pub struct TransformChain {
    stages: Vec<Stage>,
}

/// The items of a comma-separated list value.
fn list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The options under `prefix` with the prefix removed, less `excluded` (the keys the
/// chain itself reads).
fn options(config: &BTreeMap<String, String>, prefix: &str, excluded: &[&str]) -> Props {
    let values = config
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix(prefix)?;
            (!excluded.contains(&name)).then(|| (name.to_string(), v.clone()))
        })
        .collect();
    Props::new(prefix, values)
}

/// The problem for a class name the registry did not resolve.
fn not_found(
    key: &str,
    kind: &str,
    name: &str,
    lookup: Lookup,
    classes: impl Iterator<Item = &'static str>,
) -> ConfigProblem {
    ConfigProblem(match lookup {
        Lookup::Unknown => format!(
            "option '{key}': {kind} class '{name}' is not available in Ferrium; supported: {}",
            classes.collect::<Vec<_>>().join(", ")
        ),
        Lookup::Ambiguous(candidates) => format!(
            "option '{key}': '{name}' names more than one {kind} class ({}); write the full class name",
            candidates.join(", ")
        ),
    })
}

impl TransformChain {
    /// Builds the chain from a connector config; every problem is reported, each naming
    /// its key.
    pub fn from_config(config: &BTreeMap<String, String>) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut predicates: BTreeMap<String, Arc<dyn Predicate>> = BTreeMap::new();
        for name in list(config.get("predicates")) {
            let type_key = format!("predicates.{name}.type");
            let Some(class_name) = config.get(&type_key).map(|c| c.trim()) else {
                problems.push(ConfigProblem(format!(
                    "option '{type_key}' is required: predicate '{name}' is listed in 'predicates' but has no class"
                )));
                continue;
            };
            let class = match registry::predicate(class_name) {
                Ok(class) => class,
                Err(lookup) => {
                    problems.push(not_found(
                        &type_key,
                        "predicate",
                        class_name,
                        lookup,
                        registry::predicate_classes(),
                    ));
                    continue;
                }
            };
            let props = options(config, &format!("predicates.{name}."), &["type"]);
            match (class.build)(&props) {
                Ok(p) => {
                    predicates.insert(name, Arc::from(p));
                }
                Err(problem) => problems.push(problem),
            }
        }

        let mut stages = Vec::new();
        for alias in list(config.get("transforms")) {
            let prefix = format!("transforms.{alias}.");
            let type_key = format!("{prefix}type");
            let Some(class_name) = config.get(&type_key).map(|c| c.trim()) else {
                problems.push(ConfigProblem(format!(
                    "option '{type_key}' is required: transform '{alias}' is listed in 'transforms' but has no class"
                )));
                continue;
            };
            let class = match registry::transform(class_name) {
                Ok(class) => class,
                Err(lookup) => {
                    problems.push(not_found(
                        &type_key,
                        "transform",
                        class_name,
                        lookup,
                        registry::transform_classes(),
                    ));
                    continue;
                }
            };
            let predicate_key = format!("{prefix}predicate");
            let negate_key = format!("{prefix}negate");
            let predicate = match config.get(&predicate_key).map(|p| p.trim()) {
                None | Some("") => None,
                Some(name) => match predicates.get(name) {
                    Some(p) => Some(p.clone()),
                    None if list(config.get("predicates")).iter().any(|p| p == name) => {
                        // Listed but broken: its own problem is already reported.
                        continue;
                    }
                    None => {
                        problems.push(ConfigProblem(format!(
                            "option '{predicate_key}': predicate '{name}' is not listed in 'predicates'"
                        )));
                        continue;
                    }
                },
            };
            let negate = match config.get(&negate_key).map(|v| v.trim()) {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) if v.eq_ignore_ascii_case("false") => false,
                Some(v) => {
                    problems.push(ConfigProblem(format!(
                        "option '{negate_key}': '{v}' is not true or false"
                    )));
                    continue;
                }
            };
            if negate && predicate.is_none() {
                problems.push(ConfigProblem(format!(
                    "option '{negate_key}' is set, but '{predicate_key}' is not: negate needs a predicate"
                )));
                continue;
            }
            let props = options(config, &prefix, &["type", "predicate", "negate"]);
            match (class.build)(&props) {
                Ok(transform) => stages.push(Stage {
                    alias,
                    class: class.class,
                    transform,
                    predicate,
                    negate,
                }),
                Err(problem) => problems.push(problem),
            }
        }
        if problems.is_empty() {
            Ok(TransformChain { stages })
        } else {
            Err(problems)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs the record through every stage; `None` when a stage dropped it.
    pub fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, ChainError> {
        for stage in &mut self.stages {
            if let Some(predicate) = &stage.predicate {
                if predicate.test(&record) == stage.negate {
                    continue;
                }
            }
            let topic = record.topic.clone();
            match stage.transform.apply(record) {
                Ok(Some(next)) => record = next,
                Ok(None) => return Ok(None),
                Err(e) => {
                    return Err(ChainError {
                        alias: stage.alias.clone(),
                        class: stage.class,
                        topic: topic.to_string(),
                        message: e.0,
                    })
                }
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn topic_after(chain: &mut TransformChain, topic: &str) -> Option<String> {
        chain
            .apply(SourceRecord::new(topic.into(), None, None))
            .unwrap()
            .map(|r| r.topic.to_string())
    }

    #[test]
    fn transforms_run_in_order_and_a_drop_ends_the_chain() {
        let mut chain = TransformChain::from_config(&config(&[
            ("transforms", "first, second"),
            (
                "transforms.first.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.first.regex", "(.*)"),
            ("transforms.first.replacement", "$1-a"),
            ("transforms.second.type", "RegexRouter"),
            ("transforms.second.regex", "(.*)-a"),
            ("transforms.second.replacement", "$1-b"),
        ]))
        .unwrap();
        assert_eq!(topic_after(&mut chain, "t").as_deref(), Some("t-b"));

        let mut dropping = TransformChain::from_config(&config(&[
            ("transforms", "drop"),
            (
                "transforms.drop.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
        ]))
        .unwrap();
        assert_eq!(topic_after(&mut dropping, "t"), None);
    }

    #[test]
    fn a_predicate_selects_the_records_and_negate_inverts_it() {
        let pairs = |negate: &'static str| {
            config(&[
                ("transforms", "drop"),
                (
                    "transforms.drop.type",
                    "org.apache.kafka.connect.transforms.Filter",
                ),
                ("transforms.drop.predicate", "isOrders"),
                ("transforms.drop.negate", negate),
                ("predicates", "isOrders"),
                (
                    "predicates.isOrders.type",
                    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
                ),
                ("predicates.isOrders.pattern", ".*orders"),
            ])
        };
        let mut chain = TransformChain::from_config(&pairs("false")).unwrap();
        assert_eq!(topic_after(&mut chain, "db.orders"), None);
        assert_eq!(
            topic_after(&mut chain, "db.items").as_deref(),
            Some("db.items")
        );
        let mut negated = TransformChain::from_config(&pairs("true")).unwrap();
        assert_eq!(
            topic_after(&mut negated, "db.orders").as_deref(),
            Some("db.orders")
        );
        assert_eq!(topic_after(&mut negated, "db.items"), None);
    }

    #[test]
    fn unknown_classes_and_broken_wiring_are_refused_by_key() {
        let problems = TransformChain::from_config(&config(&[
            ("transforms", "a,b,c,d"),
            ("transforms.a.type", "com.example.MyTransform"),
            (
                "transforms.c.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.c.predicate", "nope"),
            (
                "transforms.d.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.d.negate", "true"),
            ("predicates", "p"),
            ("predicates.p.type", "com.example.MyPredicate"),
        ]))
        .err()
        .unwrap();
        let text: Vec<_> = problems.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(problems.len(), 5, "{text:#?}");
        assert!(text[0].contains("'predicates.p.type'") && text[0].contains("not available"));
        assert!(text[1].contains("'transforms.a.type'") && text[1].contains("RegexRouter"));
        assert!(text[2].contains("'transforms.b.type' is required"));
        assert!(text[3].contains("'transforms.c.predicate'"));
        assert!(text[4].contains("'transforms.d.negate'"));
    }

    #[test]
    fn no_transforms_is_an_empty_chain() {
        assert!(TransformChain::from_config(&config(&[]))
            .unwrap()
            .is_empty());
    }
}
