//! `/connector-plugins`: the connector classes this build runs, their options, and
//! config validation in Kafka Connect's `ConfigInfos` shape.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use ferrium_config::ConnectorConfig;
use ferrium_runtime::worker::{resolve_class, unknown_class_message, validate};
use ferrium_runtime::SUPPORTED_CONNECTORS;
use serde_json::{json, Value};

use crate::body;
use crate::error::ApiError;
use crate::AppState;

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// `GET /connector-plugins`
pub async fn list() -> Json<Value> {
    let plugins: Vec<Value> = SUPPORTED_CONNECTORS
        .iter()
        .map(|class| {
            let kind = if *class == ferrium_runtime::JDBC_SINK_CLASS {
                "sink"
            } else {
                "source"
            };
            json!({"class": class, "type": kind, "version": version()})
        })
        .collect();
    Json(json!(plugins))
}

fn resolve(plugin: &str) -> Result<&'static str, ApiError> {
    resolve_class(plugin).ok_or_else(|| ApiError::not_found(unknown_class_message(plugin)))
}

/// `GET /connector-plugins/{plugin}/config` (KIP-769): the option definitions.
pub async fn config_defs(
    State(app): State<Arc<AppState>>,
    Path(plugin): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let class = resolve(&plugin)?;
    let empty = ConnectorConfig {
        name: "validate".into(),
        props: Default::default(),
    };
    let infos = validate(class, app.worker.worker_config(), &empty).infos;
    let defs: Vec<Value> = infos["configs"]
        .as_array()
        .map(|c| c.iter().map(|c| c["definition"].clone()).collect())
        .unwrap_or_default();
    Ok(Json(json!(defs)))
}

/// `PUT /connector-plugins/{plugin}/config/validate`: 200 with the per-option report,
/// also when the config has errors (they are counted in `error_count`).
pub async fn validate_config(
    State(app): State<Arc<AppState>>,
    Path(plugin): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut props = body::config_map(&body::object(&bytes)?)?;
    let class = resolve_class(&plugin)
        .ok_or_else(|| ApiError::bad_request(unknown_class_message(&plugin)))?;
    if let Some(included) = props.get("connector.class") {
        if resolve_class(included) != Some(class) {
            return Err(ApiError::bad_request(format!(
                "Included connector type {included} does not match request type {plugin}"
            )));
        }
    }
    props.insert("connector.class".into(), class.into());
    let name = props.get("name").cloned().unwrap_or_default();
    let report = validate(
        class,
        app.worker.worker_config(),
        &ConnectorConfig { name, props },
    );
    Ok(Json(report.infos))
}
