//! Debezium's transforms (`io.debezium.transforms.*`), each in a file of its own.

mod scripting;

pub use scripting::{ContentBasedRouter, Filter};

use crate::registry::TransformClass;

/// The registry entries of this module.
pub const TRANSFORMS: &[TransformClass] = &[
    TransformClass {
        class: "io.debezium.transforms.Filter",
        build: |p| Ok(Box::new(Filter::new(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.ContentBasedRouter",
        build: |p| Ok(Box::new(ContentBasedRouter::new(p)?)),
    },
];
