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

/// Why a class name found no class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Unknown,
    /// A simple name that several classes share (`Filter`: Kafka's and Debezium's).
    Ambiguous(Vec<&'static str>),
}

/// Kafka Connect resolves a plugin by its full class name or by its simple name
/// (`RegexRouter`, `InsertField$Value`); a simple name that several classes share is
/// ambiguous there too, and must be written in full.
fn find<T>(
    groups: &'static [&'static [T]],
    class_of: fn(&T) -> &'static str,
    name: &str,
) -> Result<&'static T, Lookup> {
    let all = || groups.iter().flat_map(|group| group.iter());
    if let Some(exact) = all().find(|t| class_of(t) == name) {
        return Ok(exact);
    }
    let simple: Vec<&'static T> = all()
        .filter(|t| class_of(t).rsplit('.').next() == Some(name))
        .collect();
    match simple.as_slice() {
        [one] => Ok(one),
        [] => Err(Lookup::Unknown),
        many => Err(Lookup::Ambiguous(
            many.iter().map(|t| class_of(t)).collect(),
        )),
    }
}

pub fn transform(name: &str) -> Result<&'static TransformClass, Lookup> {
    find(TRANSFORMS, |t| t.class, name)
}

pub fn predicate(name: &str) -> Result<&'static PredicateClass, Lookup> {
    find(PREDICATES, |p| p.class, name)
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

    #[test]
    fn simple_names_resolve_only_when_unique() {
        assert!(transform("RegexRouter").is_ok());
        assert!(transform("io.debezium.transforms.Filter").is_ok());
        assert!(matches!(transform("Filter"), Err(Lookup::Ambiguous(c)) if c.len() == 2));
        assert_eq!(transform("com.example.X").err(), Some(Lookup::Unknown));
    }
}
