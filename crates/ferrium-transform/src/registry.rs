//! Every transform and predicate class Ferrium runs, by class name. A class that is
//! not here is refused when the connector is configured, never skipped at run time.

use crate::{ConfigProblem, Predicate, Props, Transform};

pub type BuildTransform = fn(&Props) -> Result<Box<dyn Transform>, ConfigProblem>;
pub type BuildPredicate = fn(&Props) -> Result<Box<dyn Predicate>, ConfigProblem>;

/// A transform class (`transforms.<alias>.type`) and how to configure it.
pub struct TransformClass {
    pub class: &'static str,
    pub build: BuildTransform,
}

/// A predicate class (`predicates.<name>.type`) and how to configure it.
pub struct PredicateClass {
    pub class: &'static str,
    pub build: BuildPredicate,
}

/// Each module lists its own classes; this is the one place they are put together.
const TRANSFORMS: &[&[TransformClass]] = &[crate::kafka::TRANSFORMS, crate::debezium::TRANSFORMS];
const PREDICATES: &[&[PredicateClass]] = &[crate::predicates::PREDICATES];

/// Kafka Connect resolves a plugin by its full class name or by its simple name
/// (`RegexRouter`, `InsertField$Value`).
fn matches(class: &str, name: &str) -> bool {
    class == name || class.rsplit('.').next() == Some(name)
}

pub fn transform(name: &str) -> Option<&'static TransformClass> {
    TRANSFORMS
        .iter()
        .flat_map(|group| group.iter())
        .find(|t| matches(t.class, name))
}

pub fn predicate(name: &str) -> Option<&'static PredicateClass> {
    PREDICATES
        .iter()
        .flat_map(|group| group.iter())
        .find(|p| matches(p.class, name))
}

pub fn transform_classes() -> impl Iterator<Item = &'static str> {
    TRANSFORMS
        .iter()
        .flat_map(|group| group.iter())
        .map(|t| t.class)
}

pub fn predicate_classes() -> impl Iterator<Item = &'static str> {
    PREDICATES
        .iter()
        .flat_map(|group| group.iter())
        .map(|p| p.class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_unique() {
        let mut names: Vec<_> = transform_classes().chain(predicate_classes()).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a class is registered twice");
    }
}
