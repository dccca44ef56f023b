//! The options of the Avro converters, by the names of Confluent's `AvroConverterConfig`
//! (and Apicurio's for its class), checked at once: each problem names its key, and an
//! option Ferrium knows but does not implement is refused, never ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use super::evolution::Policy;
use super::registry_client::RegistrySettings;
use super::schema::AvroDataOptions;
use super::subject::SubjectStrategy;

/// Everything an Avro converter of one role needs.
#[derive(Debug, Clone)]
pub struct AvroSettings {
    pub registry: RegistrySettings,
    pub data: AvroDataOptions,
    pub auto_register: bool,
    pub use_latest_version: bool,
    pub strategy: SubjectStrategy,
    pub policies: Vec<Policy>,
    /// `schemas.cache.config`: Connect schemas remembered with their ids.
    pub cache_size: usize,
    /// `retries.wait.ms` and `retries.max.wait.ms`: the first and the longest pause
    /// between calls to a registry that does not answer.
    pub retry_pause: Duration,
    pub retry_max_pause: Duration,
}

/// Confluent options Ferrium does not implement, accepted only at their default.
const AT_DEFAULT_ONLY: &[(&str, &str)] = &[
    ("generalized.sum.type.support", "false"),
    ("discard.type.doc.default", "false"),
    ("allow.optional.map.keys", "false"),
    ("flatten.singleton.unions", "true"),
    ("normalize.schemas", "false"),
    ("use.schema.id", "-1"),
    ("id.compatibility.strict", "true"),
    ("use.latest.with.metadata", ""),
    ("avro.reflection.allow.null", "false"),
    ("avro.use.logical.type.converters", "true"),
    ("schema.reflection", "false"),
];

/// Confluent options for features Ferrium has no part of.
const NOT_IMPLEMENTED: &[(&str, &str)] = &[
    (
        "bearer.auth.",
        "bearer (OAuth) authentication is not implemented; use basic.auth.credentials.source",
    ),
    (
        "latest.cache.ttl.sec",
        "Ferrium looks up a subject's latest version once per table schema and keeps it, so a cache lifetime does not apply; remove it",
    ),
    (
        "proxy.host",
        "an HTTP proxy for the registry is not implemented",
    ),
    (
        "proxy.port",
        "an HTTP proxy for the registry is not implemented",
    ),
    (
        "context.name.strategy",
        "schema contexts are not implemented",
    ),
    (
        "key.subject.name.strategy.",
        "strategy options are not implemented",
    ),
    (
        "value.subject.name.strategy.",
        "strategy options are not implemented",
    ),
    ("rule.", "data contract rules are not implemented"),
    ("rules.", "data contract rules are not implemented"),
];

impl AvroSettings {
    /// The settings of one role from its options; problems are appended, each naming its key.
    pub fn parse(
        role: &str,
        is_key: bool,
        apicurio: bool,
        options: &BTreeMap<String, String>,
        problems: &mut Vec<String>,
    ) -> AvroSettings {
        let mut p = Parser {
            role,
            options,
            problems,
        };
        let mut urls = p.list("schema.registry.url");
        let mut auto_register = p.flag("auto.register.schemas", true);
        if apicurio {
            apicurio_options(&mut p, &mut urls, &mut auto_register);
        }
        if urls.is_empty() {
            let key = if apicurio {
                "apicurio.registry.url"
            } else {
                "schema.registry.url"
            };
            p.problems.push(format!(
            "option '{role}.{key}' is missing: the Avro converter needs the schema registry's URL (e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio, http://127.0.0.1:8081 for Confluent)"
        ));
        }
        for url in &urls {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                p.problems.push(format!(
                "invalid value '{url}' in option '{role}.schema.registry.url': expected an http:// or https:// URL"
            ));
            }
        }
        let basic_auth = basic_auth(&mut p, &mut urls);
        let (trusted_pem, identity_pem) = tls(&mut p);
        let data = AvroDataOptions {
            connect_meta_data: p.flag("connect.meta.data", true),
            enhanced_schema_support: p.flag("enhanced.avro.schema.support", false),
            scrub_invalid_names: p.flag("scrub.invalid.names", false),
            ignore_default_for_nullables: p.flag("ignore.default.for.nullables", false),
        };
        let use_latest_version = p.flag("use.latest.version", false);
        // With one schema per record (see `use.latest.version` in the README), a strict and
        // a lax check agree: only a latest version equal to the record's schema is used.
        p.flag("latest.compatibility.strict", true);
        let strategy_key = if is_key {
            "key.subject.name.strategy"
        } else {
            "value.subject.name.strategy"
        };
        let strategy = match p.get(strategy_key) {
            None => SubjectStrategy::Topic,
            Some(class) => SubjectStrategy::from_class(class).unwrap_or_else(|| {
                p.problems.push(format!(
                    "option '{role}.{strategy_key}' is '{class}': this build supports {}",
                    SubjectStrategy::CLASSES.join(", ")
                ));
                SubjectStrategy::Topic
            }),
        };
        let policies = match p.get("incompatible.schema.policy") {
            None => Policy::DEFAULT.to_vec(),
            Some(text) => Policy::parse_list(text).unwrap_or_else(|e| {
                p.problems.push(format!(
                    "invalid value '{text}' for option '{role}.incompatible.schema.policy': {e}"
                ));
                Policy::DEFAULT.to_vec()
            }),
        };
        let cache_size = p.number("schemas.cache.config", 1000);
        let ms = |p: &mut Parser, name: &str, default: usize| {
            Duration::from_millis(p.number(name, default) as u64)
        };
        let request_timeout = ms(&mut p, "http.read.timeout.ms", 60_000);
        let connect_timeout = ms(&mut p, "http.connect.timeout.ms", 60_000);
        let retry_pause = ms(&mut p, "retries.wait.ms", 1_000);
        let retry_max_pause = ms(&mut p, "retries.max.wait.ms", 20_000);
        for (name, value) in options {
            if let Some((_, default)) = AT_DEFAULT_ONLY.iter().find(|(n, _)| n == name) {
                if !value.eq_ignore_ascii_case(default) {
                    problems.push(format!(
                    "option '{role}.{name}' is '{value}': Ferrium's Avro converter supports only its default ('{default}'); remove the option"
                ));
                }
            } else if let Some((_, why)) = NOT_IMPLEMENTED
                .iter()
                .find(|(n, _)| name == n || (n.ends_with('.') && name.starts_with(n)))
            {
                problems.push(format!("option '{role}.{name}' is set: {why}"));
            }
        }
        AvroSettings {
            registry: RegistrySettings {
                urls,
                basic_auth,
                trusted_pem,
                identity_pem,
                request_timeout,
                connect_timeout,
            },
            data,
            auto_register,
            use_latest_version,
            strategy,
            policies,
            cache_size,
            retry_pause,
            retry_max_pause,
        }
    }
}

/// Apicurio's converter, in its Confluent-compatible mode, through the registry's
/// `/apis/ccompat/v7` API: its own names for the URL and auto-registration.
fn apicurio_options(p: &mut Parser, urls: &mut Vec<String>, auto_register: &mut bool) {
    let role = p.role;
    if let Some(url) = p.get("apicurio.registry.url") {
        // Apicurio users give the core API (`…/apis/registry/v2` or `v3`); the
        // Confluent-compatible API sits beside it.
        let base = url.trim_end_matches('/');
        let ccompat = ["/apis/registry/v3", "/apis/registry/v2"]
            .iter()
            .find_map(|core| base.strip_suffix(core))
            .map_or_else(
                || base.to_string(),
                |root| format!("{root}/apis/ccompat/v7"),
            );
        urls.push(ccompat);
    }
    // Apicurio's own default is not to register.
    if p.get("apicurio.registry.auto-register").is_some() {
        *auto_register = p.flag("apicurio.registry.auto-register", false);
    } else if p.get("auto.register.schemas").is_none() {
        *auto_register = false;
    }
    let confluent = p.flag("apicurio.registry.as-confluent", false);
    let headers = p.flag("apicurio.registry.headers.enabled", true);
    if !confluent || headers {
        p.problems.push(format!(
            "option '{role}' is Apicurio's AvroConverter: Ferrium writes Confluent's wire format only (magic byte and schema id in the value); set '{role}.apicurio.registry.as-confluent=true' and '{role}.apicurio.registry.headers.enabled=false'"
        ));
    }
    if let Some(id) = p.get("apicurio.registry.use-id") {
        if !id.eq_ignore_ascii_case("contentId") {
            p.invalid(
                "apicurio.registry.use-id",
                id,
                "contentId (the id Apicurio's Confluent-compatible API returns)",
            );
        }
    }
    let known = [
        "apicurio.registry.url",
        "apicurio.registry.auto-register",
        "apicurio.registry.as-confluent",
        "apicurio.registry.headers.enabled",
        "apicurio.registry.use-id",
    ];
    for name in p.options.keys() {
        if name.starts_with("apicurio.") && !known.contains(&name.as_str()) {
            p.problems.push(format!(
                "option '{role}.{name}' is not implemented; Ferrium's Apicurio converter takes {}",
                known.join(", ")
            ));
        }
    }
}

/// `basic.auth.credentials.source`: `URL` (the user info of the URL, taken out of it)
/// or `USER_INFO` (`basic.auth.user.info`, `user:password`).
fn basic_auth(p: &mut Parser, urls: &mut [String]) -> Option<(String, String)> {
    let role = p.role;
    let source = p
        .get("basic.auth.credentials.source")
        .map(str::to_ascii_uppercase);
    let from_url = urls.iter_mut().find_map(|url| {
        let (scheme, rest) = url.split_once("://")?;
        let (userinfo, host) = rest.split_once('@')?;
        let credentials = userinfo.split_once(':').map_or_else(
            || (userinfo.to_string(), String::new()),
            |(u, pw)| (u.to_string(), pw.to_string()),
        );
        *url = format!("{scheme}://{host}");
        Some(credentials)
    });
    match source.as_deref() {
        None | Some("URL") => from_url,
        Some("USER_INFO") => match p.get("basic.auth.user.info") {
            Some(info) => match info.split_once(':') {
                Some((user, password)) => Some((user.to_string(), password.to_string())),
                None => {
                    p.problems.push(format!(
                        "option '{role}.basic.auth.user.info' must be 'user:password'"
                    ));
                    None
                }
            },
            None => {
                p.problems.push(format!(
                    "option '{role}.basic.auth.credentials.source' is USER_INFO but '{role}.basic.auth.user.info' is missing"
                ));
                None
            }
        },
        Some(other) => {
            p.problems.push(format!(
                "option '{role}.basic.auth.credentials.source' is '{other}': this build supports URL and USER_INFO"
            ));
            None
        }
    }
}

/// `schema.registry.ssl.*`: PEM trust and key stores (files or inline).
fn tls(p: &mut Parser) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let role = p.role;
    const PREFIX: &str = "schema.registry.ssl.";
    let store = |p: &mut Parser, kind: &str, inline: &str| -> Option<Vec<u8>> {
        let type_key = format!("{PREFIX}{kind}.type");
        if let Some(t) = p.get(&type_key) {
            if !t.eq_ignore_ascii_case("PEM") {
                p.problems.push(format!(
                    "option '{role}.{type_key}' is '{t}': this build reads PEM stores only; convert the store to PEM"
                ));
            }
        }
        if let Some(text) = p.get(&format!("{PREFIX}{kind}.{inline}")) {
            return Some(text.as_bytes().to_vec());
        }
        let location_key = format!("{PREFIX}{kind}.location");
        let location = p.get(&location_key)?.to_string();
        match std::fs::read(&location) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                p.problems.push(format!(
                    "option '{role}.{location_key}': cannot read {location}: {e}"
                ));
                None
            }
        }
    };
    let trusted = store(p, "truststore", "certificates");
    let identity = store(p, "keystore", "certificate.chain").map(|mut chain| {
        if let Some(key) = p.get("schema.registry.ssl.keystore.key") {
            chain.push(b'\n');
            chain.extend_from_slice(key.as_bytes());
        }
        chain
    });
    let handled = [
        "truststore.type",
        "truststore.certificates",
        "truststore.location",
        "keystore.type",
        "keystore.certificate.chain",
        "keystore.key",
        "keystore.location",
        "endpoint.identification.algorithm",
    ];
    for name in p.options.keys() {
        if let Some(rest) = name.strip_prefix(PREFIX) {
            if !handled.contains(&rest) {
                p.problems.push(format!(
                    "option '{role}.{name}' is not implemented: the registry client takes PEM stores (schema.registry.ssl.truststore.location/certificates, keystore.location or certificate.chain + key)"
                ));
            }
        }
    }
    if let Some(algorithm) = p.get("schema.registry.ssl.endpoint.identification.algorithm") {
        if !algorithm.eq_ignore_ascii_case("https") {
            p.problems.push(format!(
                "option '{role}.schema.registry.ssl.endpoint.identification.algorithm' is '{algorithm}': Ferrium always verifies the registry's host name (https)"
            ));
        }
    }
    (trusted, identity)
}

struct Parser<'a> {
    role: &'a str,
    options: &'a BTreeMap<String, String>,
    problems: &'a mut Vec<String>,
}

impl<'a> Parser<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.options.get(name).map(String::as_str)
    }

    fn invalid(&mut self, name: &str, value: &str, expected: &str) {
        self.problems.push(format!(
            "invalid value '{value}' for option '{}.{name}': expected {expected}",
            self.role
        ));
    }

    fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.get(name) {
            None => default,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                self.invalid(name, v, "true or false");
                default
            }
        }
    }

    fn number(&mut self, name: &str, default: usize) -> usize {
        match self.get(name) {
            None => default,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    self.invalid(name, v, "a positive integer");
                    default
                }
            },
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}
