//! Kafka Connect's REST API over a Ferrium [`Worker`]: the same paths, status codes and
//! JSON shapes, so scripts, UIs and CLIs written for Kafka Connect drive Ferrium too.
//! Also `GET /metrics` (Prometheus) and `GET /health`.

mod admin;
mod auth;
mod body;
mod connectors;
mod error;
mod listeners;
mod observe;
mod plugins;
mod signals;
mod tls;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::{Json, Router};
use ferrium_runtime::Worker;
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;

pub use admin::{LogLevels, LEVELS};
pub use auth::BasicAuth;
pub use error::ApiError;
pub use listeners::{bind, listeners, Listener};
pub use tls::{acceptor as tls_acceptor, TlsListener};

/// What every handler sees.
pub struct AppState {
    pub worker: Arc<Worker>,
    pub loggers: Arc<dyn LogLevels>,
    /// `None` when no Prometheus recorder is installed.
    pub metrics: Option<PrometheusHandle>,
    /// Reported as `kafka_cluster_id` by `GET /` (empty without Kafka).
    pub kafka_cluster_id: String,
}

/// `GET /`: version information.
async fn root(
    axum::extract::State(app): axum::extract::State<Arc<AppState>>,
) -> Json<serde_json::Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("FERRIUM_COMMIT").unwrap_or("unknown"),
        "kafka_cluster_id": app.kafka_cluster_id,
    }))
}

/// Every route of the API; `auth`, when set, guards all of them but `/health`.
pub fn router(state: Arc<AppState>, auth: Option<BasicAuth>) -> Router {
    use connectors as c;
    let router = Router::new()
        .route("/", get(root))
        .route("/connectors", get(c::list).post(c::create))
        .route("/connectors/{name}", get(c::get).delete(c::delete))
        .route(
            "/connectors/{name}/config",
            get(c::get_config).put(c::put_config).patch(c::patch_config),
        )
        .route("/connectors/{name}/status", get(c::status))
        .route("/connectors/{name}/tasks", get(c::tasks))
        .route(
            "/connectors/{name}/tasks/{task}/status",
            get(c::task_status),
        )
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            post(c::restart_task),
        )
        .route("/connectors/{name}/restart", post(c::restart))
        .route("/connectors/{name}/pause", put(c::pause))
        .route("/connectors/{name}/resume", put(c::resume))
        .route("/connectors/{name}/stop", put(c::stop))
        .route(
            "/connectors/{name}/offsets",
            get(c::offsets)
                .patch(c::alter_offsets)
                .delete(c::reset_offsets),
        )
        .route("/connectors/{name}/signals", post(signals::send))
        .route("/connectors/{name}/topics", get(c::topics))
        .route("/connectors/{name}/topics/reset", put(c::reset_topics))
        .route("/connector-plugins", get(plugins::list))
        .route(
            "/connector-plugins/{plugin}/config",
            get(plugins::config_defs),
        )
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(plugins::validate_config),
        )
        .route("/admin/loggers", get(admin::list))
        .route("/admin/loggers/{name}", get(admin::get).put(admin::set))
        .route("/metrics", get(observe::metrics))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state.clone());
    let router = match auth {
        Some(auth) => router.layer(axum::middleware::from_fn_with_state(auth, auth::require)),
        None => router,
    };
    // Liveness probes rarely carry credentials, and the answer reveals nothing.
    router.merge(
        Router::new()
            .route("/health", get(observe::health))
            .with_state(state),
    )
}
