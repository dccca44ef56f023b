//! Errors in Kafka Connect's shape: `{"error_code": N, "message": "…"}`, with the HTTP
//! status equal to `error_code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrium_runtime::worker::WorkerError;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<WorkerError> for ApiError {
    fn from(e: WorkerError) -> Self {
        let status = match &e {
            WorkerError::NotFound(_) => StatusCode::NOT_FOUND,
            WorkerError::Conflict(_) => StatusCode::CONFLICT,
            WorkerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WorkerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WorkerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error_code": self.status.as_u16(), "message": self.message});
        (self.status, Json(body)).into_response()
    }
}

/// Unknown paths and methods answer as Jersey does inside Kafka Connect.
pub async fn not_found() -> ApiError {
    ApiError::not_found("HTTP 404 Not Found")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}
