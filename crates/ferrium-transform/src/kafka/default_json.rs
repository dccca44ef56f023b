//! The round trip of schema defaults between their JSON form (`ferrium_event::default_json`)
//! and values (`struct_fields::default_value`).

#[cfg(test)]
mod tests {
    use super::super::struct_fields::default_value;
    use ferrium_event::default_json::default_json as to_json;
    use ferrium_event::{Schema, SchemaType, Value};
    use serde_json::json;

    #[test]
    fn defaults_round_trip_through_their_json_form() {
        let bytes = Schema::of(SchemaType::Bytes).default_value(json!("AQI="));
        let value = default_value(&bytes).unwrap();
        assert_eq!(value, Value::Bytes(vec![1, 2]));
        assert_eq!(to_json(&bytes, &value), json!("AQI="));
        let record = Schema::of(SchemaType::Struct)
            .field("a", Schema::of(SchemaType::Int32))
            .field("b", Schema::of(SchemaType::String).optional());
        let value = Value::Struct(vec![Value::Int32(1), Value::Null]);
        let json = to_json(&record, &value);
        assert_eq!(json, json!({"a": 1, "b": null}));
        assert_eq!(
            default_value(&record.clone().default_value(json)),
            Some(value)
        );
    }
}
