//! `InsertHeader`: adds the header `header` to every record (tombstones included), its
//! value `value.literal` parsed once with Kafka's `Values.parseString` into a typed value
//! and schema: `true` a boolean, `1` an int8, `1.5` a float32, `2019-08-23` a Date,
//! `[1,2]` an array of int8, anything else the string itself.
//!
//! Refused at configuration, because a Ferrium header needs a schema: the literal `null`,
//! and containers Kafka types without an element schema (`[]`, `{}`, `[null]`,
//! `{"a":null}`, mixed elements such as `[1,"a"]`).

use std::sync::Arc;

use ferrium_event::{ConnectData, Header, SourceRecord};

mod values_parse;

use self::values_parse::{parse_string, to_connect};
use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct InsertHeader {
    header: Header,
}

impl InsertHeader {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let key = props
            .get("header")
            .ok_or_else(|| props.problem("header", "is required and has no default"))?;
        // Required but may be empty: Kafka only checks it is not null.
        let literal = props
            .get("value.literal")
            .ok_or_else(|| props.problem("value.literal", "is required and has no default"))?;
        let parsed = parse_string(literal).ok_or_else(|| {
            props.problem(
                "value.literal",
                "'null' gives a header without a schema, which Ferrium cannot carry",
            )
        })?;
        let (schema, value) = to_connect(parsed).map_err(|e| props.problem("value.literal", e))?;
        Ok(InsertHeader {
            header: Header {
                key: key.to_string(),
                value: ConnectData::new(Arc::new(schema), value),
            },
        })
    }
}

impl Transform for InsertHeader {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        record.headers.push(self.header.clone());
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{Schema, SchemaType, Value};

    fn string_header(key: &str, value: &str) -> Header {
        Header {
            key: key.into(),
            value: ConnectData::new(Arc::new(Schema::of(SchemaType::String)), value.into()),
        }
    }

    fn record() -> SourceRecord {
        let string = Arc::new(Schema::of(SchemaType::String));
        let mut r = SourceRecord::new(
            "topic".into(),
            Some(ConnectData::new(string.clone(), "key".into())),
            Some(ConnectData::new(string, "value".into())),
        );
        r.partition = Some(0);
        r.timestamp = Some(0);
        r.headers = vec![string_header("existing", "existing-value")];
        r
    }

    fn insert(header: &str, literal: &str, r: SourceRecord) -> SourceRecord {
        InsertHeader::new(&Props::of(&[
            ("header", header),
            ("value.literal", literal),
        ]))
        .unwrap()
        .apply(r)
        .unwrap()
        .unwrap()
    }

    // The cases of Kafka's InsertHeaderTest.
    #[test]
    fn inserts_after_other_headers_and_leaves_the_rest() {
        let original = record();
        let out = insert("inserted", "inserted-value", original.clone());
        assert_eq!(
            out.headers,
            vec![
                string_header("existing", "existing-value"),
                string_header("inserted", "inserted-value"),
            ]
        );
        assert_eq!((&out.key, &out.value), (&original.key, &original.value));
        assert_eq!(
            (out.topic, out.partition, out.timestamp),
            (original.topic, Some(0), Some(0))
        );
    }

    #[test]
    fn a_header_of_the_same_name_is_added_not_replaced() {
        let out = insert("existing", "inserted-value", record());
        assert_eq!(
            out.headers,
            vec![
                string_header("existing", "existing-value"),
                string_header("existing", "inserted-value"),
            ]
        );
    }

    #[test]
    fn a_number_literal_is_a_byte_header() {
        let out = insert("inserted", "1", record());
        let header = &out.headers[1];
        assert_eq!(header.value.schema.kind, SchemaType::Int8);
        assert_eq!(header.value.value, Value::Int8(1));
    }

    #[test]
    fn typed_literals_and_tombstones() {
        let tombstone = SourceRecord::new("t".into(), None, None);
        let out = insert("flag", "true", tombstone);
        assert_eq!(out.headers[0].value.value, Value::Boolean(true));
        assert!(out.value.is_none());
        let out = insert("empty", "", record());
        assert_eq!(out.headers[1], string_header("empty", ""));
        let out = insert("when", "2019-08-23T14:34:54.346Z", record());
        assert_eq!(
            out.headers[1].value.schema.name.as_deref(),
            Some("org.apache.kafka.connect.data.Timestamp")
        );
        assert_eq!(out.headers[1].value.value, Value::Int64(1_566_570_894_346));
    }

    #[test]
    fn configuration_is_checked() {
        assert!(InsertHeader::new(&Props::of(&[("value.literal", "1")])).is_err());
        assert!(InsertHeader::new(&Props::of(&[("header", "h")])).is_err());
        assert!(
            InsertHeader::new(&Props::of(&[("header", "h"), ("value.literal", "null")])).is_err()
        );
        assert!(
            InsertHeader::new(&Props::of(&[("header", "h"), ("value.literal", "[]")])).is_err()
        );
    }
}
