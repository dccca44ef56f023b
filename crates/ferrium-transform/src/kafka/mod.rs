//! Kafka Connect's built-in transforms (`org.apache.kafka.connect.transforms.*`),
//! each in a file of its own, with their `$Key`/`$Value` forms where Kafka has them.

mod extract_field;
mod filter;
mod flatten;
mod hoist_field;
mod insert_field;
mod java_decimal;
mod mask_field;
#[cfg(test)]
mod record_fixtures;
mod record_part;
mod regex_router;
mod replace_field;
mod set_schema_metadata;
mod simple_date_format;
mod single_field_path;
mod struct_fields;
mod timestamp_router;
mod value_to_key;

pub use extract_field::ExtractField;
pub use filter::Filter;
pub use flatten::Flatten;
pub use hoist_field::HoistField;
pub use insert_field::InsertField;
pub use mask_field::MaskField;
pub use record_part::RecordPart;
pub use regex_router::RegexRouter;
pub use replace_field::ReplaceField;
pub use set_schema_metadata::SetSchemaMetadata;
pub use timestamp_router::TimestampRouter;
pub use value_to_key::ValueToKey;

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
    TransformClass {
        class: "org.apache.kafka.connect.transforms.InsertField$Key",
        build: |p| Ok(Box::new(InsertField::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.InsertField$Value",
        build: |p| Ok(Box::new(InsertField::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.ReplaceField$Key",
        build: |p| Ok(Box::new(ReplaceField::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.ReplaceField$Value",
        build: |p| Ok(Box::new(ReplaceField::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.MaskField$Key",
        build: |p| Ok(Box::new(MaskField::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.MaskField$Value",
        build: |p| Ok(Box::new(MaskField::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.ExtractField$Key",
        build: |p| Ok(Box::new(ExtractField::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.ExtractField$Value",
        build: |p| Ok(Box::new(ExtractField::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.HoistField$Key",
        build: |p| Ok(Box::new(HoistField::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.HoistField$Value",
        build: |p| Ok(Box::new(HoistField::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.ValueToKey",
        build: |p| Ok(Box::new(ValueToKey::new(p)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.TimestampRouter",
        build: |p| Ok(Box::new(TimestampRouter::new(p)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.Flatten$Key",
        build: |p| Ok(Box::new(Flatten::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.Flatten$Value",
        build: |p| Ok(Box::new(Flatten::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
        build: |p| Ok(Box::new(SetSchemaMetadata::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
        build: |p| Ok(Box::new(SetSchemaMetadata::new(p, RecordPart::Value)?)),
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
