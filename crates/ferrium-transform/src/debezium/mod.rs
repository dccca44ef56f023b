//! Debezium's transforms (`io.debezium.transforms.*`), each in a file of its own.

mod logical_topic_router;
mod outbox;
mod partition_routing;

pub use logical_topic_router::LogicalTopicRouter;
pub use outbox::EventRouter;
pub use partition_routing::PartitionRouting;

use crate::registry::TransformClass;

/// The registry entries of this module.
pub const TRANSFORMS: &[TransformClass] = &[
    TransformClass {
        class: "io.debezium.transforms.ToLogicalTopicRouter",
        build: |p| Ok(Box::new(LogicalTopicRouter::to_logical_topic(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.ByLogicalTableRouter",
        build: |p| Ok(Box::new(LogicalTopicRouter::by_logical_table(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.partitions.PartitionRouting",
        build: |p| Ok(Box::new(PartitionRouting::new(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.outbox.EventRouter",
        build: |p| Ok(Box::new(EventRouter::new(p)?)),
    },
];
