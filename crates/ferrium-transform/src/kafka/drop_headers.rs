//! `DropHeaders`: removes every header whose key is in `headers` (all values of a
//! repeated key); the rest of the record, tombstones included, is untouched.

use ferrium_event::SourceRecord;

use crate::{ConfigProblem, Props, Transform, TransformError};

pub struct DropHeaders {
    headers: Vec<String>,
}

impl DropHeaders {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let headers = props.list("headers");
        if headers.is_empty() {
            return Err(props.problem("headers", "must name at least one header"));
        }
        Ok(DropHeaders { headers })
    }
}

impl Transform for DropHeaders {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        record.headers.retain(|h| !self.headers.contains(&h.key));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{ConnectData, Header, Schema, SchemaType};
    use std::sync::Arc;

    fn header(key: &str, value: &str) -> Header {
        Header {
            key: key.into(),
            value: ConnectData::new(Arc::new(Schema::of(SchemaType::String)), value.into()),
        }
    }

    fn record(headers: Vec<Header>) -> SourceRecord {
        let string = Arc::new(Schema::of(SchemaType::String));
        let mut r = SourceRecord::new(
            "topic".into(),
            Some(ConnectData::new(string.clone(), "key".into())),
            Some(ConnectData::new(string, "value".into())),
        );
        r.partition = Some(0);
        r.timestamp = Some(0);
        r.headers = headers;
        r
    }

    fn drop(names: &str, r: SourceRecord) -> SourceRecord {
        DropHeaders::new(&Props::of(&[("headers", names)]))
            .unwrap()
            .apply(r)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn drops_an_existing_header_and_keeps_the_rest_of_the_record() {
        let original = record(vec![header("keep", "v"), header("to-drop", "x")]);
        let out = drop("to-drop", original.clone());
        assert_eq!(out.headers, vec![header("keep", "v")]);
        assert_eq!((out.key, out.value), (original.key, original.value));
        assert_eq!((out.partition, out.timestamp), (Some(0), Some(0)));
    }

    #[test]
    fn drops_every_value_of_a_repeated_header() {
        let out = drop(
            "to-drop",
            record(vec![
                header("to-drop", "a"),
                header("keep", "v"),
                header("to-drop", "b"),
            ]),
        );
        assert_eq!(out.headers, vec![header("keep", "v")]);
    }

    #[test]
    fn a_missing_header_changes_nothing_and_tombstones_pass() {
        let out = drop("absent", record(vec![header("keep", "v")]));
        assert_eq!(out.headers, vec![header("keep", "v")]);
        let mut tombstone = SourceRecord::new("t".into(), None, None);
        tombstone.headers = vec![header("to-drop", "x")];
        let out = drop("to-drop, other", tombstone);
        assert!(out.headers.is_empty() && out.value.is_none());
    }

    #[test]
    fn an_empty_list_is_refused() {
        assert!(DropHeaders::new(&Props::of(&[("headers", "")])).is_err());
        assert!(DropHeaders::new(&Props::of(&[])).is_err());
    }
}
