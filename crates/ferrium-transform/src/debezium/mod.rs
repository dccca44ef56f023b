//! Debezium's transforms (`io.debezium.transforms.*`), each in a file of its own.

mod outbox;

pub use outbox::EventRouter;

use crate::registry::TransformClass;

/// The registry entries of this module.
pub const TRANSFORMS: &[TransformClass] = &[TransformClass {
    class: "io.debezium.transforms.outbox.EventRouter",
    build: |p| Ok(Box::new(EventRouter::new(p)?)),
}];
