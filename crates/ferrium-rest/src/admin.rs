//! `/admin/loggers`: read and change log levels at run time (KIP-495). Logger names
//! are `tracing` targets (`ferrium_runtime`, `ferrium_source_postgres::stream`, …);
//! `root` is the default level. Kafka Connect's level names are accepted.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::body;
use crate::error::ApiError;
use crate::AppState;

/// Where the levels live: the binary's log subscriber.
pub trait LogLevels: Send + Sync {
    /// Logger → (level, last modified in ms since the epoch when set through the API).
    fn levels(&self) -> BTreeMap<String, (String, Option<i64>)>;
    /// Sets a level (upper-case name, checked); returns the loggers it changed.
    fn set(&self, logger: &str, level: &str) -> Result<Vec<String>, String>;
}

/// The levels Kafka Connect accepts, mapped onto `tracing`'s (FATAL is ERROR).
pub const LEVELS: &[&str] = &["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

fn entry((level, modified): &(String, Option<i64>)) -> Value {
    json!({"level": level, "last_modified": modified})
}

/// `GET /admin/loggers`
pub async fn list(State(app): State<Arc<AppState>>) -> Json<Value> {
    let map: Map<String, Value> = app
        .loggers
        .levels()
        .iter()
        .map(|(name, level)| (name.clone(), entry(level)))
        .collect();
    Json(Value::Object(map))
}

/// `GET /admin/loggers/{name}`
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    app.loggers
        .levels()
        .get(&name)
        .map(|l| Json(entry(l)))
        .ok_or_else(|| ApiError::not_found(format!("Logger {name} not found.")))
}

/// `PUT /admin/loggers/{name}` with `{"level": "DEBUG"}`: 200 and the loggers changed.
pub async fn set(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request = body::object(&bytes)?;
    let Some(level) = request.get("level").and_then(Value::as_str) else {
        return Err(ApiError::bad_request(
            "The request must specify a log level",
        ));
    };
    let level = level.to_ascii_uppercase();
    if !LEVELS.contains(&level.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid log level '{level}'; expected one of {}",
            LEVELS.join(", ")
        )));
    }
    let changed = app
        .loggers
        .set(&name, &level)
        .map_err(ApiError::bad_request)?;
    tracing::info!(logger = %name, %level, "log level changed");
    Ok(Json(json!(changed)))
}
