//! Debezium's transforms (`io.debezium.transforms.*`), each in a file of its own.

use crate::registry::TransformClass;

/// The registry entries of this module.
pub const TRANSFORMS: &[TransformClass] = &[];
