//! Kafka Connect's built-in transforms (`org.apache.kafka.connect.transforms.*`),
//! each in a file of its own, with their `$Key`/`$Value` forms where Kafka has them.

mod cast;
mod default_json;
mod drop_headers;
mod extract_field;
mod filter;
mod flatten;
mod header_from;
mod hoist_field;
mod insert_field;
mod insert_header;
mod java_decimal;
mod java_to_string;
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
mod timestamp_converter;
mod timestamp_router;
mod value_to_key;

pub use cast::Cast;
pub use drop_headers::DropHeaders;
pub use extract_field::ExtractField;
pub use filter::Filter;
pub use flatten::Flatten;
pub use header_from::HeaderFrom;
pub use hoist_field::HoistField;
pub use insert_field::InsertField;
pub use insert_header::InsertHeader;
pub use mask_field::MaskField;
pub use record_part::RecordPart;
pub use regex_router::RegexRouter;
pub use replace_field::ReplaceField;
pub use set_schema_metadata::SetSchemaMetadata;
pub use timestamp_converter::TimestampConverter;
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
    TransformClass {
        class: "org.apache.kafka.connect.transforms.Cast$Key",
        build: |p| Ok(Box::new(Cast::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.Cast$Value",
        build: |p| Ok(Box::new(Cast::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.TimestampConverter$Key",
        build: |p| Ok(Box::new(TimestampConverter::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.TimestampConverter$Value",
        build: |p| Ok(Box::new(TimestampConverter::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.HeaderFrom$Key",
        build: |p| Ok(Box::new(HeaderFrom::new(p, RecordPart::Key)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.HeaderFrom$Value",
        build: |p| Ok(Box::new(HeaderFrom::new(p, RecordPart::Value)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.InsertHeader",
        build: |p| Ok(Box::new(InsertHeader::new(p)?)),
    },
    TransformClass {
        class: "org.apache.kafka.connect.transforms.DropHeaders",
        build: |p| Ok(Box::new(DropHeaders::new(p)?)),
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
