//! A client of the Confluent schema registry REST API (also served by Apicurio's
//! `/apis/ccompat/v7`): register a schema under a subject, look one up, read the latest
//! version and a schema by id.
//!
//! A thin client over `reqwest` rather than `schema_registry_converter`: the evolution
//! policy and the error classes depend on the registry's exact answer (HTTP 409 with its
//! message for an incompatible schema, 401/403 for credentials, 5xx and connection
//! failures to wait out), and Ferrium's own schema derivation and encoder replace that
//! crate's serialisation side, leaving only these four calls.

use std::time::Duration;

use serde_json::{json, Value as Json};

/// How a registry answered, by what the caller does next.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RegistryError {
    /// No answer, or a server error: wait and try again; nothing is written meanwhile.
    #[error("the schema registry at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    /// The TLS handshake failed: a certificate was not trusted, either way. Waiting does
    /// not fix it.
    #[error("the TLS handshake with the schema registry at {url} failed: {reason}; check schema.registry.ssl.truststore.location (the CA that signed the registry's certificate, PEM) and, for a registry that asks for a client certificate, schema.registry.ssl.keystore.location")]
    Tls { url: String, reason: String },
    /// HTTP 409: the schema breaks the subject's compatibility rule.
    #[error("the schema registry refused the schema for subject '{subject}' as incompatible (HTTP 409: {message})")]
    Incompatible { subject: String, message: String },
    /// HTTP 401/403: the credentials are wrong or lack a permission.
    #[error("the schema registry at {url} refused the credentials (HTTP {status}: {message}); check basic.auth.credentials.source and basic.auth.user.info")]
    Unauthorized {
        url: String,
        status: u16,
        message: String,
    },
    /// Any other refusal (an invalid schema, a missing subject, a wrong path).
    #[error(
        "the schema registry at {url} refused {what} (HTTP {status}, error code {code}: {message})"
    )]
    Refused {
        url: String,
        what: String,
        status: u16,
        code: i64,
        message: String,
    },
}

impl RegistryError {
    pub fn is_retriable(&self) -> bool {
        matches!(self, RegistryError::Unreachable { .. })
    }
}

/// A registered schema: its id, version and text.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub id: u32,
    pub version: Option<i64>,
    pub schema: String,
}

/// Where and how to reach the registry.
#[derive(Debug, Clone)]
pub struct RegistrySettings {
    /// `schema.registry.url`: tried in order; the next one when one does not answer.
    pub urls: Vec<String>,
    /// `user`, `password` for HTTP basic authentication.
    pub basic_auth: Option<(String, String)>,
    /// PEM certificates trusted in addition to the system's roots.
    pub trusted_pem: Option<Vec<u8>>,
    /// A PEM client certificate and key, for mutual TLS.
    pub identity_pem: Option<Vec<u8>>,
    /// `http.read.timeout.ms` and `http.connect.timeout.ms`.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
}

#[derive(Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    settings: RegistrySettings,
}

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

impl RegistryClient {
    pub fn new(settings: RegistrySettings) -> Result<RegistryClient, String> {
        // reqwest is built without a crypto provider so that the workspace's one (ring)
        // serves; installing it twice is harmless, so the error is not a failure.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .connect_timeout(settings.connect_timeout);
        if let Some(pem) = &settings.trusted_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| format!("the trust store is not PEM certificates: {e}"))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &settings.identity_pem {
            let identity = reqwest::Identity::from_pem(pem).map_err(|e| {
                format!("the key store is not a PEM certificate with its private key: {e}")
            })?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the schema registry client: {e}"))?;
        Ok(RegistryClient { http, settings })
    }

    pub fn urls(&self) -> &[String] {
        &self.settings.urls
    }

    /// `POST /subjects/{subject}/versions`: the id of `schema` under `subject`,
    /// registering it if it is new.
    pub async fn register(&self, subject: &str, schema: &str) -> Result<u32, RegistryError> {
        let path = format!("/subjects/{}/versions", encode_path(subject));
        let answer = self
            .call(
                reqwest::Method::POST,
                &path,
                Some(json!({ "schema": schema })),
                subject,
                &format!("to register a schema under subject '{subject}'"),
            )
            .await?;
        id_of(&answer).ok_or_else(|| self.malformed(&path, &answer))
    }

    /// `POST /subjects/{subject}`: the registered schema equal to `schema`, if any.
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &str,
    ) -> Result<Option<Registered>, RegistryError> {
        let path = format!("/subjects/{}", encode_path(subject));
        match self
            .call(
                reqwest::Method::POST,
                &path,
                Some(json!({ "schema": schema })),
                subject,
                &format!("to look up a schema under subject '{subject}'"),
            )
            .await
        {
            Ok(answer) => Ok(Some(self.registered(&path, &answer)?)),
            Err(RegistryError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /subjects/{subject}/versions/latest`, if the subject exists.
    pub async fn latest(&self, subject: &str) -> Result<Option<Registered>, RegistryError> {
        let path = format!("/subjects/{}/versions/latest", encode_path(subject));
        match self
            .call(
                reqwest::Method::GET,
                &path,
                None,
                subject,
                &format!("the latest version of subject '{subject}'"),
            )
            .await
        {
            Ok(answer) => Ok(Some(self.registered(&path, &answer)?)),
            Err(RegistryError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /config`: the global compatibility level, which every Confluent-compatible
    /// registry answers; a check that the URL is a registry and the credentials hold.
    pub async fn global_compatibility(&self) -> Result<String, RegistryError> {
        let answer = self
            .call(
                reqwest::Method::GET,
                "/config",
                None,
                "",
                "the global compatibility level",
            )
            .await?;
        answer
            .get("compatibilityLevel")
            .or_else(|| answer.get("compatibility"))
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.malformed("/config", &answer))
    }

    /// `GET /schemas/ids/{id}`: the schema text of an id.
    pub async fn schema_by_id(&self, id: u32) -> Result<String, RegistryError> {
        let path = format!("/schemas/ids/{id}");
        let answer = self
            .call(
                reqwest::Method::GET,
                &path,
                None,
                "",
                &format!("schema id {id}"),
            )
            .await?;
        answer
            .get("schema")
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.malformed(&path, &answer))
    }

    fn registered(&self, path: &str, answer: &Json) -> Result<Registered, RegistryError> {
        let id = id_of(answer).ok_or_else(|| self.malformed(path, answer))?;
        let schema = answer
            .get("schema")
            .and_then(Json::as_str)
            .ok_or_else(|| self.malformed(path, answer))?;
        Ok(Registered {
            id,
            version: answer.get("version").and_then(Json::as_i64),
            schema: schema.to_string(),
        })
    }

    fn malformed(&self, path: &str, answer: &Json) -> RegistryError {
        RegistryError::Refused {
            url: format!("{}{path}", self.settings.urls.first().map_or("", |u| u)),
            what: "nothing, but its answer is not the Confluent API's".into(),
            status: 200,
            code: 0,
            message: truncate(&answer.to_string()),
        }
    }

    /// One call, on each URL in turn until one answers.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Json>,
        subject: &str,
        what: &str,
    ) -> Result<Json, RegistryError> {
        let mut last = None;
        for base in &self.settings.urls {
            let url = format!("{}{path}", base.trim_end_matches('/'));
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header(reqwest::header::ACCEPT, CONTENT_TYPE);
            if let Some((user, password)) = &self.settings.basic_auth {
                request = request.basic_auth(user, Some(password));
            }
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                    .body(body.to_string());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) if is_tls_failure(&e) => {
                    last = Some(RegistryError::Tls {
                        url: base.clone(),
                        reason: error_chain(&e),
                    });
                    continue;
                }
                Err(e) => {
                    last = Some(RegistryError::Unreachable {
                        url: base.clone(),
                        reason: error_chain(&e),
                    });
                    continue;
                }
            };
            let reason = response.status().canonical_reason();
            let status = response.status().as_u16();
            let text = match response.text().await {
                Ok(text) => text,
                Err(e) => {
                    last = Some(RegistryError::Unreachable {
                        url: base.clone(),
                        reason: error_chain(&e),
                    });
                    continue;
                }
            };
            let answer: Json = serde_json::from_str(&text).unwrap_or(Json::String(text));
            if (200..300).contains(&status) {
                return Ok(answer);
            }
            let message = answer.get("message").and_then(Json::as_str).map_or_else(
                || match &answer {
                    // A proxy's error page in front of the registry: its status says it.
                    Json::String(page) if page.trim_start().starts_with('<') => {
                        reason.unwrap_or("no message").to_string()
                    }
                    Json::String(text) => truncate(text.trim()),
                    other => truncate(&other.to_string()),
                },
                str::to_string,
            );
            let error = match status {
                409 => RegistryError::Incompatible {
                    subject: subject.to_string(),
                    message,
                },
                401 | 403 => RegistryError::Unauthorized {
                    url: base.clone(),
                    status,
                    message,
                },
                408 | 429 | 500..=599 => RegistryError::Unreachable {
                    url: base.clone(),
                    reason: format!("HTTP {status}: {message}"),
                },
                _ => RegistryError::Refused {
                    url: url.clone(),
                    what: what.to_string(),
                    status,
                    code: answer.get("error_code").and_then(Json::as_i64).unwrap_or(0),
                    message,
                },
            };
            if !error.is_retriable() {
                return Err(error);
            }
            last = Some(error);
        }
        Err(last.unwrap_or_else(|| RegistryError::Unreachable {
            url: String::new(),
            reason: "no schema.registry.url".into(),
        }))
    }
}

fn id_of(answer: &Json) -> Option<u32> {
    answer
        .get("id")
        .and_then(Json::as_u64)
        .and_then(|id| u32::try_from(id).ok())
}

/// A subject in a URL path: record names hold only `[A-Za-z0-9_.]`, but topics may
/// hold `-` and subjects of other strategies anything; escape all but the unreserved.
fn encode_path(subject: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    for byte in subject.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The cause chain of a reqwest error: "error sending request" alone does not say
/// "connection refused".
/// Whether a request failed in the TLS handshake (rustls refused a certificate, or the
/// server refused ours), rather than in reaching the server. rustls' error travels inside
/// `io::Error`s (nested, from tokio-rustls and hyper), whose `source()` skips the error
/// they wrap, so an `io::Error` is looked into instead.
fn is_tls_failure(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(error) = next {
        if error.is::<rustls::Error>() {
            return true;
        }
        next = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    false
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_escaped_in_paths() {
        assert_eq!(
            encode_path("server.public.t-value"),
            "server.public.t-value"
        );
        assert_eq!(encode_path("a b/c"), "a%20b%2Fc");
    }
}
