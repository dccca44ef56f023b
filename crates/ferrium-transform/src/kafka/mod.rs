//! Kafka Connect's built-in transforms (`org.apache.kafka.connect.transforms.*`),
//! each in a file of its own, with their `$Key`/`$Value` forms where Kafka has them.

mod filter;
mod regex_router;

pub use filter::Filter;
pub use regex_router::RegexRouter;

use crate::registry::TransformClass;

#[cfg(test)]
const PREFIX: &str = "org.apache.kafka.connect.transforms.";

/// The registry entries of this module; names are `PREFIX` + the simple name.
pub const TRANSFORMS: &[TransformClass] = &[
    TransformClass {
        class: "org.apache.kafka.connect.transforms.Filter",
        build: |_| Ok(Box::new(Filter)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.RegexRouter",
        build: |p| Ok(Box::new(RegexRouter::new(p)?)),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_under_the_kafka_package() {
        assert!(TRANSFORMS.iter().all(|t| t.class.starts_with(PREFIX)));
    }
}
