//! `/connectors…`: create, read, update and delete connectors, their status, tasks,
//! lifecycle (restart, pause, resume, stop), KIP-875 offsets and topics.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrium_config::ConnectorConfig;
use ferrium_event::{Offset, SourcePartition};
use ferrium_runtime::worker::{ConnectorInfo, ConnectorStatus, StateInfo, TargetState};
use serde_json::{json, Map, Value};

use crate::body;
use crate::error::ApiError;
use crate::AppState;

type Result<T> = std::result::Result<T, ApiError>;

pub fn info_json(info: &ConnectorInfo) -> Value {
    let tasks: Vec<Value> = info
        .tasks
        .iter()
        .map(|t| json!({"connector": info.name, "task": t}))
        .collect();
    json!({"name": info.name, "config": info.config.props, "tasks": tasks, "type": ferrium_runtime::connector_type(&info.config)})
}

fn state_json(info: &StateInfo, worker_id: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("state".into(), info.state.as_str().into());
    map.insert("worker_id".into(), worker_id.into());
    // Kafka Connect leaves `trace` out unless there is one.
    if let Some(trace) = &info.trace {
        map.insert("trace".into(), trace.clone().into());
    }
    map
}

fn task_json(id: u32, info: &StateInfo, worker_id: &str) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), id.into());
    map.extend(state_json(info, worker_id));
    Value::Object(map)
}

pub fn status_json(status: &ConnectorStatus) -> Value {
    let tasks: Vec<Value> = status
        .tasks
        .iter()
        .map(|(id, t)| task_json(*id, t, &status.worker_id))
        .collect();
    json!({
        "name": status.name,
        "connector": state_json(&status.connector, &status.worker_id),
        "tasks": tasks,
        "type": status.connector_type,
    })
}

/// `GET /connectors[?expand=status&expand=info]`
pub async fn list(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>> {
    let expand = body::query_values(query.as_deref(), "expand");
    let names = app.worker.names();
    if expand.is_empty() {
        return Ok(Json(json!(names)));
    }
    let mut out = Map::new();
    for name in names {
        let mut entry = Map::new();
        // A connector deleted meanwhile is simply left out.
        if expand.iter().any(|e| e == "info") {
            let Ok(info) = app.worker.info(&name).await else {
                continue;
            };
            entry.insert("info".into(), info_json(&info));
        }
        if expand.iter().any(|e| e == "status") {
            let Ok(status) = app.worker.status(&name) else {
                continue;
            };
            entry.insert("status".into(), status_with_snapshot(&app, &status));
        }
        out.insert(name, Value::Object(entry));
    }
    Ok(Json(Value::Object(out)))
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(ApiError::bad_request("Connector name must not be empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "Connector name must not contain control characters",
        ));
    }
    Ok(())
}

fn created(info: &ConnectorInfo) -> Response {
    let location = format!("/connectors/{}", info.name);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(info_json(info)),
    )
        .into_response()
}

/// `POST /connectors` with `{"name", "config", "initial_state"}`.
pub async fn create(State(app): State<Arc<AppState>>, bytes: Bytes) -> Result<Response> {
    let request = body::object(&bytes)?;
    let config = match request.get("config") {
        Some(Value::Object(config)) => config,
        _ => {
            return Err(ApiError::bad_request(
                "Request body must have a \"config\" object",
            ))
        }
    };
    let mut props = body::config_map(config)?;
    let name = match (request.get("name"), props.get("name")) {
        (Some(Value::String(name)), Some(in_config)) if in_config != name => {
            return Err(ApiError::bad_request(format!(
                "Connector name configuration ({in_config}) doesn't match connector name in the URL ({name})"
            )))
        }
        (Some(Value::String(name)), _) => name.clone(),
        (Some(_), _) => return Err(ApiError::bad_request("\"name\" must be a string")),
        (None, Some(in_config)) => in_config.clone(),
        (None, None) => return Err(ApiError::bad_request("Connector name must be provided")),
    };
    check_name(&name)?;
    let initial = match request.get("initial_state") {
        None | Some(Value::Null) => TargetState::Started,
        Some(Value::String(s)) => TargetState::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid initial state {s}: expected RUNNING, PAUSED or STOPPED"
            ))
        })?,
        Some(_) => return Err(ApiError::bad_request("\"initial_state\" must be a string")),
    };
    props.insert("name".into(), name.clone());
    let info = app
        .worker
        .create(ConnectorConfig { name, props }, initial)
        .await?;
    Ok(created(&info))
}

/// `GET /connectors/{name}`
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(info_json(&app.worker.info(&name).await?)))
}

/// `GET /connectors/{name}/config`: what the user stored, secrets included, as Kafka
/// Connect returns it (logs mask them).
pub async fn get_config(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(json!(app.worker.info(&name).await?.config.props)))
}

/// `PUT /connectors/{name}/config`: 201 when created, 200 when updated.
pub async fn put_config(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    check_name(&name)?;
    let mut props = body::config_map(&body::object(&bytes)?)?;
    if let Some(in_config) = props.get("name") {
        if *in_config != name {
            return Err(ApiError::bad_request(format!(
                "Connector name configuration ({in_config}) doesn't match connector name in the URL ({name})"
            )));
        }
    }
    props.insert("name".into(), name.clone());
    let (info, was_created) = app
        .worker
        .put_config(ConnectorConfig { name, props })
        .await?;
    if was_created {
        return Ok(created(&info));
    }
    Ok((StatusCode::OK, Json(info_json(&info))).into_response())
}

/// `PATCH /connectors/{name}/config`: merges into the stored config; a `null` value
/// removes the key (KIP-477's partial update, Kafka 3.9+). 200 with the new info.
pub async fn patch_config(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>> {
    let patch = body::object(&bytes)?;
    let mut props = app.worker.info(&name).await?.config.props;
    for (key, value) in &patch {
        match value {
            Value::Null => {
                props.remove(key);
            }
            Value::String(s) => {
                props.insert(key.clone(), s.clone());
            }
            Value::Number(_) | Value::Bool(_) => {
                props.insert(key.clone(), value.to_string());
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Config key '{key}' has a nested JSON value; connector configs are flat strings"
                )))
            }
        }
    }
    if props.get("name").is_some_and(|n| *n != name) {
        return Err(ApiError::bad_request(format!(
            "Connector name configuration ({}) doesn't match connector name in the URL ({name})",
            props["name"]
        )));
    }
    props.insert("name".into(), name.clone());
    let (info, _) = app
        .worker
        .put_config(ConnectorConfig { name, props })
        .await?;
    Ok(Json(info_json(&info)))
}

/// `DELETE /connectors/{name}`: 204.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    app.worker.delete(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/status`
pub async fn status(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(status_with_snapshot(&app, &app.worker.status(&name)?)))
}

/// A status with Ferrium's `snapshot` field when a snapshot has something to show.
fn status_with_snapshot(app: &AppState, status: &ConnectorStatus) -> Value {
    let mut shown = status_json(status);
    let snapshot = app
        .worker
        .snapshot_report(&status.name)
        .ok()
        .and_then(|report| crate::signals::snapshot_json(&report));
    if let (Some(snapshot), Value::Object(map)) = (snapshot, &mut shown) {
        map.insert("snapshot".into(), snapshot);
    }
    shown
}

/// `GET /connectors/{name}/tasks`: each task's id and config (the connector's config
/// plus the task class, as Debezium's connector hands it to its task).
pub async fn tasks(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    let info = app.worker.info(&name).await?;
    let mut config = info.config.props.clone();
    if let Some(class) = config.get("connector.class").cloned() {
        config.insert("task.class".into(), format!("{class}Task"));
    }
    let tasks: Vec<Value> = info
        .tasks
        .iter()
        .map(|t| json!({"id": {"connector": name, "task": t}, "config": config}))
        .collect();
    Ok(Json(json!(tasks)))
}

/// `GET /connectors/{name}/tasks/{id}/status`
pub async fn task_status(
    State(app): State<Arc<AppState>>,
    Path((name, task)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let status = app.worker.status(&name)?;
    let found = task
        .parse::<u32>()
        .ok()
        .and_then(|id| status.tasks.iter().find(|(t, _)| *t == id));
    match found {
        Some((id, info)) => Ok(Json(task_json(*id, info, &status.worker_id))),
        None => Err(ApiError::not_found(format!(
            "No status found for task {name}-{task}"
        ))),
    }
}

/// `POST /connectors/{name}/restart[?includeTasks=…&onlyFailed=…]`: without flags 204
/// (the connector instance only); with either, 202 and the status showing what restarts.
pub async fn restart(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let include_tasks = body::query_flag(query.as_deref(), "includeTasks");
    let only_failed = body::query_flag(query.as_deref(), "onlyFailed");
    let status = app
        .worker
        .restart(&name, include_tasks, only_failed)
        .await?;
    if !include_tasks && !only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok((StatusCode::ACCEPTED, Json(status_json(&status))).into_response())
}

/// `POST /connectors/{name}/tasks/{id}/restart`: 204.
pub async fn restart_task(
    State(app): State<Arc<AppState>>,
    Path((name, task)): Path<(String, String)>,
) -> Result<StatusCode> {
    let id = task
        .parse::<u32>()
        .map_err(|_| ApiError::not_found(format!("Task {name}-{task} not found")))?;
    app.worker.restart_task(&name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /connectors/{name}/pause`: 202.
pub async fn pause(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    app.worker.pause(&name).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/resume`: 202.
pub async fn resume(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    app.worker.resume(&name).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/stop`: 202 (KIP-875).
pub async fn stop(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    app.worker.stop(&name).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `GET /connectors/{name}/offsets`: `{"offsets": [{"partition": …, "offset": …}]}`.
pub async fn offsets(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    let offsets: Vec<Value> = app
        .worker
        .offsets(&name)
        .await?
        .into_iter()
        .map(|(p, o)| json!({"partition": p.0, "offset": o.0}))
        .collect();
    Ok(Json(json!({ "offsets": offsets })))
}

/// `PATCH /connectors/{name}/offsets`: alter (an `"offset": null` resets that partition).
pub async fn alter_offsets(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>> {
    let request = body::object(&bytes)?;
    let Some(Value::Array(items)) = request.get("offsets") else {
        return Err(ApiError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    };
    let mut changes = Vec::new();
    for item in items {
        let partition = match item.get("partition") {
            Some(Value::Object(p)) => SourcePartition(p.clone()),
            _ => {
                return Err(ApiError::bad_request(
                    "Each entry needs a \"partition\" object",
                ))
            }
        };
        let offset = match item.get("offset") {
            Some(Value::Object(o)) => Some(Offset(o.clone())),
            None | Some(Value::Null) => None,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "\"offset\" must be an object or null",
                ))
            }
        };
        changes.push((partition, offset));
    }
    if changes.is_empty() {
        return Err(ApiError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    }
    app.worker.alter_offsets(&name, changes).await?;
    Ok(Json(
        json!({"message": "The offsets for this connector have been altered successfully"}),
    ))
}

/// `DELETE /connectors/{name}/offsets`: reset.
pub async fn reset_offsets(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    app.worker.reset_offsets(&name).await?;
    Ok(Json(
        json!({"message": "The offsets for this connector have been reset successfully"}),
    ))
}

/// `GET /connectors/{name}/topics` (KIP-558): the topics the connector wrote to.
pub async fn topics(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    app.worker.info(&name).await?;
    let topics = ferrium_runtime::active_topics(&name);
    Ok(Json(json!({ name: {"topics": topics} })))
}

/// `PUT /connectors/{name}/topics/reset`: 202.
pub async fn reset_topics(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    app.worker.info(&name).await?;
    ferrium_runtime::reset_active_topics(&name);
    Ok(StatusCode::ACCEPTED)
}
