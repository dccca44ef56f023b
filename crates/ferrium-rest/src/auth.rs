//! Optional HTTP basic authentication for every endpoint, like Kafka Connect's
//! `BasicAuthSecurityRestExtension`: the credentials file holds `user: password` (or
//! `user=password`) lines, the format of its JAAS `PropertyFileLoginModule` file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::error::ApiError;

#[derive(Clone)]
pub struct BasicAuth {
    users: Arc<BTreeMap<String, String>>,
}

impl BasicAuth {
    pub fn load(path: &Path) -> Result<BasicAuth, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(BasicAuth::parse(&text))
    }

    pub fn parse(text: &str) -> BasicAuth {
        let users = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
            .filter_map(|l| {
                let at = l.find([':', '='])?;
                Some((l[..at].trim().to_string(), l[at + 1..].trim().to_string()))
            })
            .collect();
        BasicAuth {
            users: Arc::new(users),
        }
    }

    fn allows(&self, header_value: Option<&str>) -> bool {
        let Some(encoded) = header_value.and_then(|h| h.strip_prefix("Basic ")) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = text.split_once(':') else {
            return false;
        };
        self.users.get(user).is_some_and(|p| p == password)
    }
}

pub async fn require(State(auth): State<BasicAuth>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth.allows(given) {
        return next.run(request).await;
    }
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "Authentication required").into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"ferrium\""),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_users_from_a_jaas_property_file() {
        let auth = BasicAuth::parse("# users\nadmin: s3cret\nops=pw\n");
        let basic = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert!(auth.allows(Some(&basic("admin:s3cret"))));
        assert!(auth.allows(Some(&basic("ops:pw"))));
        assert!(!auth.allows(Some(&basic("admin:wrong"))));
        assert!(!auth.allows(None));
        assert!(!auth.allows(Some("Bearer x")));
    }
}
