//! Debezium's transforms (`io.debezium.transforms.*`), each in a file of its own.

mod connect_schema;
mod extract_changed_record_state;
mod extract_new_record_state;
mod header_to_value;
mod logical_topic_router;
mod name_adjustment;
mod outbox;
mod partition_routing;
mod schema_name_adjuster;
mod scripting;

pub use extract_changed_record_state::ExtractChangedRecordState;
pub use extract_new_record_state::ExtractNewRecordState;
pub use header_to_value::HeaderToValue;
pub use logical_topic_router::LogicalTopicRouter;
pub use name_adjustment::NameAdjustment;
pub use outbox::EventRouter;
pub use partition_routing::PartitionRouting;
pub use scripting::{ContentBasedRouter, Filter};

use crate::registry::TransformClass;

/// The registry entries of this module.
pub const TRANSFORMS: &[TransformClass] = &[
    TransformClass {
        class: "io.debezium.transforms.ExtractNewRecordState",
        build: |p| Ok(Box::new(ExtractNewRecordState::new(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.ExtractChangedRecordState",
        build: |p| Ok(Box::new(ExtractChangedRecordState::new(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.HeaderToValue",
        build: |p| Ok(Box::new(HeaderToValue::new(p)?)),
    },
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
    TransformClass {
        class: "io.debezium.transforms.Filter",
        build: |p| Ok(Box::new(Filter::new(p)?)),
    },
    TransformClass {
        class: "io.debezium.transforms.ContentBasedRouter",
        build: |p| Ok(Box::new(ContentBasedRouter::new(p)?)),
    },
];
