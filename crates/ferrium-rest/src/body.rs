//! Request bodies and queries: JSON parsed by hand so that malformed input gets Kafka
//! Connect's 400 error shape instead of a plain-text rejection.

use std::collections::BTreeMap;

use axum::body::Bytes;
use serde_json::{Map, Value as Json};

use crate::error::ApiError;

pub fn json(body: &Bytes) -> Result<Json, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))
}

pub fn object(body: &Bytes) -> Result<Map<String, Json>, ApiError> {
    match json(body)? {
        Json::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request("Request body must be a JSON object")),
    }
}

/// A config map of strings, as Kafka Connect stores it (numbers and booleans become
/// their text; a null removes nothing and is skipped).
pub fn config_map(map: &Map<String, Json>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut props = BTreeMap::new();
    for (key, value) in map {
        let text = match value {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Null => continue,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Config key '{key}' has a nested JSON value; connector configs are flat strings"
                )))
            }
        };
        props.insert(key.clone(), text);
    }
    Ok(props)
}

/// Every value of a query parameter (`?expand=status&expand=info`).
pub fn query_values(query: Option<&str>, name: &str) -> Vec<String> {
    query
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| v.to_string())
        })
        .collect()
}

/// A boolean query parameter; absent is false, anything but `true` is false.
pub fn query_flag(query: Option<&str>, name: &str) -> bool {
    query_values(query, name)
        .last()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_flags() {
        let q = Some("expand=status&expand=info&includeTasks=true&onlyFailed=no");
        assert_eq!(query_values(q, "expand"), ["status", "info"]);
        assert!(query_flag(q, "includeTasks"));
        assert!(!query_flag(q, "onlyFailed"));
        assert!(!query_flag(None, "x"));
    }

    #[test]
    fn bad_json_is_a_400() {
        let err = json(&Bytes::from_static(b"{nope")).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
    }
}

#[cfg(test)]
#[path = "body_prop_tests.rs"]
mod prop_tests;
