//! `GET /metrics` (Prometheus text format) and `GET /health` (liveness and readiness).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrium_runtime::worker::State as ConnectorState;
use serde_json::json;

use crate::AppState;

pub async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    match &app.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled\n").into_response(),
    }
}

/// 200 while the worker serves requests; the body counts connectors and failed tasks,
/// so a readiness probe can look deeper than the status code.
pub async fn health(State(app): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let names = app.worker.names();
    let failed = names
        .iter()
        .filter_map(|n| app.worker.status(n).ok())
        .filter(|s| {
            s.connector.state == ConnectorState::Failed
                || s.tasks
                    .iter()
                    .any(|(_, t)| t.state == ConnectorState::Failed)
        })
        .count();
    Json(json!({
        "status": "healthy",
        "message": "Ferrium worker is serving requests",
        "connectors": names.len(),
        "failed_connectors": failed,
    }))
}
