//! Ferrium's extension of the Kafka Connect API for snapshots: `POST
//! /connectors/{name}/signals` takes a signal in Debezium's shape (`{"id", "type",
//! "data"}`, as on the Kafka signal channel), and the `snapshot` field of a source's
//! status shows each table's progress and the latest signal problems.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use ferrium_event::signal::SignalChannel;
use ferrium_event::snapshot_status::SnapshotReport;
use serde_json::{json, Value};

use crate::body;
use crate::error::ApiError;
use crate::AppState;

/// `POST /connectors/{name}/signals`: 202 once queued; 400 for a signal the connector
/// could not act on, 404 for an unknown connector, 409 for a sink, 503 when the
/// connector has too many signals waiting.
pub async fn send(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request = Value::Object(body::object(&bytes)?);
    let default_id = uuid::Uuid::now_v7().to_string();
    let signal = ferrium_runtime::signal_from_json(&request, &default_id, SignalChannel::Rest)
        .map_err(ApiError::bad_request)?;
    let answer = json!({"id": signal.id, "type": signal.kind, "data": signal.data});
    app.worker.signal(&name, signal)?;
    Ok((StatusCode::ACCEPTED, Json(answer)))
}

/// The `snapshot` field of a status, or `None` when there is nothing to show.
pub fn snapshot_json(report: &SnapshotReport) -> Option<Value> {
    if report.tables.is_empty() && report.problems.is_empty() && !report.paused {
        return None;
    }
    let tables: Vec<Value> = report
        .tables
        .iter()
        .map(|t| {
            json!({
                "table": t.table,
                "kind": t.kind,
                "chunks": t.chunks,
                "rows": t.rows,
                "rows_estimate": t.estimate,
                "rows_per_second": (t.rows_per_second * 10.0).round() / 10.0,
                "eta_seconds": t.eta_seconds.map(|s| s.round()),
                "done": t.done,
            })
        })
        .collect();
    Some(json!({"paused": report.paused, "tables": tables, "problems": report.problems}))
}
