//! Reads connector definitions in the forms Kafka Connect users have on disk:
//! `{"name": …, "config": {…}}`, a bare config map, or a JSON array of either.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::ConfigError;

/// One connector: its name and its string-valued properties, as Kafka Connect stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorConfig {
    pub name: String,
    pub props: BTreeMap<String, String>,
}

impl ConnectorConfig {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.props.get(key).map(String::as_str)
    }
}

/// Loads the connectors defined in a JSON file.
pub fn load_connector_file(path: &Path) -> Result<Vec<ConnectorConfig>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let json: Json = serde_json::from_str(&text).map_err(|source| ConfigError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let fallback_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "connector".to_string());
    parse_connectors(&json, &fallback_name).map_err(|message| ConfigError::Shape {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses already-decoded JSON; `fallback_name` names a bare config map without `name`.
pub fn parse_connectors(json: &Json, fallback_name: &str) -> Result<Vec<ConnectorConfig>, String> {
    match json {
        Json::Array(items) => {
            if items.is_empty() {
                return Err("the connector array is empty".into());
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_one(item, &format!("{fallback_name}-{i}")))
                .collect()
        }
        other => Ok(vec![parse_one(other, fallback_name)?]),
    }
}

fn parse_one(json: &Json, fallback_name: &str) -> Result<ConnectorConfig, String> {
    let Json::Object(map) = json else {
        return Err("expected a JSON object {\"name\": …, \"config\": {…}} or a config map".into());
    };
    let (name, config) = match map.get("config") {
        Some(Json::Object(config)) => {
            let name = match map.get("name") {
                Some(Json::String(name)) => name.clone(),
                Some(_) => return Err("\"name\" must be a string".into()),
                None => config
                    .get("name")
                    .and_then(Json::as_str)
                    .unwrap_or(fallback_name)
                    .to_string(),
            };
            (name, config)
        }
        Some(_) => return Err("\"config\" must be a JSON object".into()),
        None => {
            let name = map
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or(fallback_name)
                .to_string();
            (name, map)
        }
    };
    if name.trim().is_empty() {
        return Err("the connector name is empty".into());
    }
    let mut props = BTreeMap::new();
    for (key, value) in config {
        let text = match value {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Null => continue,
            Json::Array(_) | Json::Object(_) => {
                return Err(format!(
                    "config key '{key}' has a nested JSON value; Kafka Connect configs are flat strings"
                ))
            }
        };
        props.insert(key.clone(), text);
    }
    props.insert("name".into(), name.clone());
    Ok(ConnectorConfig { name, props })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_the_kafka_connect_form() {
        let json = json!({"name": "inv", "config": {"connector.class": "x", "database.port": 5432, "tombstones.on.delete": false}});
        let c = &parse_connectors(&json, "file").unwrap()[0];
        assert_eq!(c.name, "inv");
        assert_eq!(c.get("database.port"), Some("5432"));
        assert_eq!(c.get("tombstones.on.delete"), Some("false"));
        assert_eq!(c.get("name"), Some("inv"));
    }

    #[test]
    fn accepts_a_bare_map_and_an_array() {
        let bare = json!({"connector.class": "x"});
        assert_eq!(parse_connectors(&bare, "demo").unwrap()[0].name, "demo");
        let arr = json!([{"name": "a", "config": {}}, {"name": "b", "connector.class": "y"}]);
        let all = parse_connectors(&arr, "f").unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].name, "b");
        assert_eq!(all[1].get("connector.class"), Some("y"));
    }

    #[test]
    fn rejects_nested_values_and_non_objects() {
        assert!(parse_connectors(&json!({"config": {"a": {"b": 1}}}), "f")
            .unwrap_err()
            .contains("'a'"));
        assert!(parse_connectors(&json!("text"), "f").is_err());
        assert!(parse_connectors(&json!([]), "f").is_err());
    }

    #[test]
    fn malformed_json_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, "{\"name\": ").unwrap();
        let err = load_connector_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("bad.json") && err.contains("not valid JSON"),
            "{err}"
        );
    }
}
