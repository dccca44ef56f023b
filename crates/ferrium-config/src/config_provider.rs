//! Kafka Connect's config providers: `${provider:[path:]key}` placeholders in connector
//! and worker values, resolved by the providers the worker properties declare
//! (`config.providers=file,env,dir`, `config.providers.<name>.class`,
//! `config.providers.<name>.param.*`).
//!
//! The placeholder syntax is `ConfigTransformer.DEFAULT_PATTERN`; the three providers are
//! Kafka's `FileConfigProvider` (a key of a Java properties file, read as UTF-8),
//! `EnvVarConfigProvider` (an environment variable, filtered by `allowlist.pattern`) and
//! `DirectoryConfigProvider` (the content of a file in a directory), the file ones
//! limited by `allowed.paths`. One difference from Kafka, on purpose: a placeholder that
//! cannot be resolved is an error naming the config key and the provider, where Kafka
//! hands the literal `${…}` to the connector, which then fails on a wrong password with
//! no word about why. Errors never carry a resolved value.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::ConfigError;

/// `org.apache.kafka.common.config.ConfigTransformer.DEFAULT_PATTERN`.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").expect("the placeholder pattern is valid")
});

pub const FILE_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
pub const ENV_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";
pub const DIRECTORY_PROVIDER_CLASS: &str =
    "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
const SUPPORTED: &[&str] = &[
    FILE_PROVIDER_CLASS,
    ENV_PROVIDER_CLASS,
    DIRECTORY_PROVIDER_CLASS,
];

/// One `${provider:path:key}` occurrence in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// The whole `${…}` text, at byte `start` of the value.
    pub text: &'a str,
    pub start: usize,
    pub provider: &'a str,
    /// Empty when the placeholder has no path (`${env:VAR}`), as in Kafka.
    pub path: &'a str,
    pub key: &'a str,
}

/// The placeholders of `value`, left to right, as `ConfigTransformer` finds them.
pub fn placeholders(value: &str) -> Vec<Placeholder<'_>> {
    PLACEHOLDER
        .captures_iter(value)
        .filter_map(|c| {
            let whole = c.get(0)?;
            Some(Placeholder {
                text: whole.as_str(),
                start: whole.start(),
                provider: c.get(1)?.as_str(),
                path: c.get(3).map_or("", |m| m.as_str()),
                key: c.get(4)?.as_str(),
            })
        })
        .collect()
}

/// Whether `value` holds at least one placeholder.
pub fn has_placeholder(value: &str) -> bool {
    PLACEHOLDER.is_match(value)
}

/// The providers a worker declares, by name.
#[derive(Default)]
pub struct ConfigProviders {
    providers: BTreeMap<String, Provider>,
    /// The names in `config.providers` order, for messages.
    names: Vec<String>,
}

enum Provider {
    File { allowed: Option<Vec<PathBuf>> },
    Directory { allowed: Option<Vec<PathBuf>> },
    Env { vars: BTreeMap<String, String> },
}

impl Provider {
    fn class(&self) -> &'static str {
        match self {
            Provider::File { .. } => "FileConfigProvider",
            Provider::Directory { .. } => "DirectoryConfigProvider",
            Provider::Env { .. } => "EnvVarConfigProvider",
        }
    }
}

// Never the environment's values: a worker config is printed with `{:?}` in places.
impl fmt::Debug for ConfigProviders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.providers.iter().map(|(n, p)| (n, p.class())))
            .finish()
    }
}

impl ConfigProviders {
    /// The providers of these worker properties, the environment read now (as
    /// `EnvVarConfigProvider` reads it when it is configured).
    pub fn from_worker(props: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        Self::from_worker_with_env(props, env)
    }

    /// As [`ConfigProviders::from_worker`], with the environment given.
    pub fn from_worker_with_env(
        props: &BTreeMap<String, String>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let names: Vec<String> = props
            .get("config.providers")
            .map(|list| {
                list.split(',')
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut problems = Vec::new();
        // Keys under `config.providers.` that no listed provider claims would be ignored.
        for key in props.keys() {
            let Some(rest) = key.strip_prefix("config.providers.") else {
                continue;
            };
            let claimed = names.iter().any(|n| {
                rest.strip_prefix(n.as_str())
                    .is_some_and(|r| r == ".class" || r.starts_with(".param."))
            });
            if !claimed {
                problems.push(format!(
                    "worker option '{key}' names no provider of config.providers ({}); \
                     use config.providers.<name>.class and config.providers.<name>.param.<param>",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ));
            }
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut providers = BTreeMap::new();
        for name in &names {
            let class_key = format!("config.providers.{name}.class");
            let params: BTreeMap<&str, &str> = props
                .iter()
                .filter_map(|(k, v)| {
                    let param = k.strip_prefix(&format!("config.providers.{name}.param."))?;
                    Some((param, v.trim()))
                })
                .collect();
            let Some(class) = props.get(&class_key).map(|c| c.trim()) else {
                problems.push(format!(
                    "config provider '{name}' is listed in config.providers but '{class_key}' is not set; \
                     set it to one of: {}",
                    SUPPORTED.join(", ")
                ));
                continue;
            };
            match build(name, class, &params, &env) {
                Ok(provider) => {
                    providers.insert(name.clone(), provider);
                }
                Err(mut found) => problems.append(&mut found),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(ConfigProviders {
            providers,
            names: names.into_iter().fold(Vec::new(), |mut unique, n| {
                if !unique.contains(&n) {
                    unique.push(n);
                }
                unique
            }),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Replaces every placeholder of `props`; each one that cannot be resolved is a
    /// problem naming its key and provider (the key keeps its placeholder then).
    pub fn resolve(&self, props: &BTreeMap<String, String>) -> Resolution {
        let mut lookups = Lookups::default();
        let mut resolution = Resolution {
            props: BTreeMap::new(),
            problems: Vec::new(),
            scrubber: Scrubber::default(),
        };
        for (key, value) in props {
            let found = placeholders(value);
            if found.is_empty() {
                resolution.props.insert(key.clone(), value.clone());
                continue;
            }
            let mut out = String::with_capacity(value.len());
            let mut last = 0;
            let mut failed = false;
            for placeholder in &found {
                out.push_str(&value[last..placeholder.start]);
                last = placeholder.start + placeholder.text.len();
                match self.lookup(placeholder, &mut lookups) {
                    Ok(resolved) => {
                        if !resolved.is_empty() {
                            resolution
                                .scrubber
                                .secrets
                                .push((resolved.clone(), placeholder.text.to_string()));
                        }
                        out.push_str(&resolved);
                    }
                    Err(reason) => {
                        failed = true;
                        resolution.problems.push(format!(
                            "Invalid value {} for configuration '{key}': {reason}",
                            placeholder.text
                        ));
                    }
                }
            }
            out.push_str(&value[last..]);
            let shown = if failed { value.clone() } else { out };
            resolution.props.insert(key.clone(), shown);
        }
        // Longest first, so a secret that contains another is masked whole.
        let secrets = &mut resolution.scrubber.secrets;
        secrets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        resolution
    }

    fn lookup(
        &self,
        placeholder: &Placeholder<'_>,
        lookups: &mut Lookups,
    ) -> Result<String, String> {
        let name = placeholder.provider;
        let Some(provider) = self.providers.get(name) else {
            return Err(if self.providers.is_empty() {
                format!(
                    "config provider '{name}' is not configured: the worker defines no config providers \
                     (set config.providers={name} and config.providers.{name}.class in the worker properties: \
                     the file of `ferrium serve`, or `ferrium run --worker`)"
                )
            } else {
                format!(
                    "config provider '{name}' is not configured: the worker defines {} \
                     (add it to config.providers and set config.providers.{name}.class)",
                    self.names.join(", ")
                )
            });
        };
        let by = format!("config provider '{name}' ({})", provider.class());
        let (path, key) = (placeholder.path, placeholder.key);
        match provider {
            Provider::Env { vars } => {
                if !path.is_empty() {
                    return Err(format!(
                        "{by} takes no path (got \"{path}\"); write ${{{name}:VARIABLE}}"
                    ));
                }
                vars.get(key).cloned().ok_or_else(|| {
                    format!(
                        "{by} finds no environment variable \"{key}\" (unset, or not matched by allowlist.pattern)"
                    )
                })
            }
            Provider::File { allowed } => {
                if path.is_empty() {
                    return Err(format!(
                        "{by} needs a file: ${{{name}:/path/to/file.properties:{key}}}"
                    ));
                }
                let file = allowed_path(allowed.as_deref(), path).ok_or_else(|| {
                    format!("{by} may not read {path}: it is outside allowed.paths")
                })?;
                let entries = lookups
                    .file(&file)
                    .map_err(|reason| format!("{by} {reason}"))?;
                entries
                    .get(key)
                    .cloned()
                    .ok_or_else(|| format!("{by} finds no key \"{key}\" in {path}"))
            }
            Provider::Directory { allowed } => {
                if path.is_empty() {
                    return Err(format!(
                        "{by} needs a directory: ${{{name}:/path/to/dir:{key}}}"
                    ));
                }
                let dir = allowed_path(allowed.as_deref(), path).ok_or_else(|| {
                    format!("{by} may not read {path}: it is outside allowed.paths")
                })?;
                // A key names a file of the directory itself, as Kafka lists it.
                if key.is_empty() || key == "." || key == ".." || key.contains(['/', '\\']) {
                    return Err(format!(
                        "{by}: \"{key}\" is not the name of a file in {path}"
                    ));
                }
                if !dir.is_dir() {
                    return Err(format!("{by}: {path} is not a directory"));
                }
                let file = dir.join(key);
                if !file.is_file() {
                    return Err(format!("{by} finds no file \"{key}\" in {path}"));
                }
                let bytes = std::fs::read(&file)
                    .map_err(|e| format!("{by} cannot read \"{key}\" in {path}: {}", e.kind()))?;
                String::from_utf8(bytes)
                    .map_err(|_| format!("{by}: \"{key}\" in {path} is not UTF-8 text"))
            }
        }
    }
}

fn build(
    name: &str,
    class: &str,
    params: &BTreeMap<&str, &str>,
    env: &[(String, String)],
) -> Result<Provider, Vec<String>> {
    let class_key = format!("config.providers.{name}.class");
    let simple = |full: &str| full.rsplit('.').next().unwrap_or(full).to_string();
    let Some(full) = SUPPORTED
        .iter()
        .find(|c| **c == class || simple(c) == class)
    else {
        return Err(vec![format!(
            "worker option '{class_key}': config provider class {class} is not supported; Ferrium runs: {}",
            SUPPORTED.join(", ")
        )]);
    };
    let known: &[&str] = if *full == ENV_PROVIDER_CLASS {
        &["allowlist.pattern"]
    } else {
        &["allowed.paths"]
    };
    let mut problems: Vec<String> = params
        .keys()
        .filter(|p| !known.contains(p))
        .map(|p| {
            format!(
                "worker option 'config.providers.{name}.param.{p}': {} has no parameter '{p}' (it takes: {})",
                simple(full),
                known.join(", ")
            )
        })
        .collect();
    let provider = if *full == ENV_PROVIDER_CLASS {
        // Java's Matcher.matches(): the whole name must match.
        let pattern = params.get("allowlist.pattern").copied().unwrap_or(".*");
        match Regex::new(&format!("^(?:{pattern})$")) {
            Ok(allow) => Provider::Env {
                vars: env
                    .iter()
                    .filter(|(k, _)| allow.is_match(k))
                    .cloned()
                    .collect(),
            },
            Err(error) => {
                problems.push(format!(
                    "worker option 'config.providers.{name}.param.allowlist.pattern': \
                     invalid regular expression: {error}"
                ));
                return Err(problems);
            }
        }
    } else {
        let allowed = match params.get("allowed.paths") {
            None | Some(&"") => None,
            Some(list) => match parse_allowed_paths(list) {
                Ok(paths) => Some(paths),
                Err(problem) => {
                    problems.push(format!(
                        "worker option 'config.providers.{name}.param.allowed.paths': {problem}"
                    ));
                    return Err(problems);
                }
            },
        };
        if *full == FILE_PROVIDER_CLASS {
            Provider::File { allowed }
        } else {
            Provider::Directory { allowed }
        }
    };
    if problems.is_empty() {
        Ok(provider)
    } else {
        Err(problems)
    }
}

/// `AllowedPaths`: a comma-separated list of absolute paths that exist.
fn parse_allowed_paths(list: &str) -> Result<Vec<PathBuf>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let path = normalize(Path::new(p));
            if !path.is_absolute() {
                Err(format!("path {p} is not absolute"))
            } else if !path.exists() {
                Err(format!("path {p} does not exist"))
            } else {
                Ok(path)
            }
        })
        .collect()
}

/// `AllowedPaths.parseUntrustedPath`: the path when allowed (normalised first, so `..`
/// cannot climb out of an allowed folder), `None` when not.
fn allowed_path(allowed: Option<&[PathBuf]>, path: &str) -> Option<PathBuf> {
    let Some(allowed) = allowed else {
        return Some(PathBuf::from(path));
    };
    let normalized = normalize(Path::new(path));
    allowed
        .iter()
        .any(|a| normalized.starts_with(a))
        .then_some(normalized)
}

/// Java's `Path.normalize()`: `.` dropped, `..` folded into its parent, lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Files read during one resolution, each once (as `ConfigTransformer` asks each path once).
#[derive(Default)]
struct Lookups {
    files: BTreeMap<PathBuf, Result<BTreeMap<String, String>, String>>,
}

impl Lookups {
    fn file(&mut self, path: &Path) -> Result<&BTreeMap<String, String>, String> {
        self.files
            .entry(path.to_path_buf())
            .or_insert_with(|| read_properties(path))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A properties file as `FileConfigProvider` reads it: UTF-8. The parser's message is
/// left out, as it may quote the file's text.
fn read_properties(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let shown = path.display();
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {}", e.kind()))?;
    let mut entries = BTreeMap::new();
    java_properties::PropertiesIter::new_with_encoding(
        std::io::BufReader::new(file),
        encoding_rs::UTF_8,
    )
    .read_into(|k, v| {
        entries.insert(k, v);
    })
    .map_err(|e| match e.line_number() {
        Some(line) => format!("cannot read {shown} as a properties file (line {line})"),
        None => format!("cannot read {shown} as a properties file"),
    })?;
    Ok(entries)
}

/// The outcome of resolving one config.
pub struct Resolution {
    /// Every value with its placeholders replaced; a value with a placeholder that could
    /// not be resolved keeps its text.
    pub props: BTreeMap<String, String>,
    /// One message per unresolved placeholder, naming the key and the provider.
    pub problems: Vec<String>,
    scrubber: Scrubber,
}

impl fmt::Debug for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolution")
            .field("keys", &self.props.keys().collect::<Vec<_>>())
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl Resolution {
    /// `text` with every resolved value put back as its placeholder: for an error
    /// message built from the resolved config, before it is logged or answered.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// A scrubber that outlives the resolution (for a connector's later errors).
    pub fn scrubber(&self) -> Scrubber {
        self.scrubber.clone()
    }
}

/// Puts placeholders back where resolved values appear in a text.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// (resolved value, its placeholder), longest value first.
    secrets: Vec<(String, String)>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} values)", self.secrets.len())
    }
}

impl Scrubber {
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (secret, placeholder) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), placeholder);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn providers(pairs: &[(&str, &str)], env: &[(&str, &str)]) -> ConfigProviders {
        ConfigProviders::from_worker_with_env(
            &props(pairs),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap()
    }

    fn all_three(allowed: Option<&str>) -> Vec<(String, String)> {
        let mut p = vec![
            ("config.providers".to_string(), "file, env,dir".to_string()),
            (
                "config.providers.file.class".into(),
                FILE_PROVIDER_CLASS.into(),
            ),
            (
                "config.providers.env.class".into(),
                ENV_PROVIDER_CLASS.into(),
            ),
            (
                "config.providers.dir.class".into(),
                DIRECTORY_PROVIDER_CLASS.into(),
            ),
        ];
        if let Some(a) = allowed {
            p.push(("config.providers.file.param.allowed.paths".into(), a.into()));
            p.push(("config.providers.dir.param.allowed.paths".into(), a.into()));
        }
        p
    }

    fn refs(p: &[(String, String)]) -> Vec<(&str, &str)> {
        p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn placeholders_follow_the_config_transformer_pattern() {
        let found = placeholders("${file:/etc/creds.properties:db.password}");
        assert_eq!(
            found,
            vec![Placeholder {
                text: "${file:/etc/creds.properties:db.password}",
                start: 0,
                provider: "file",
                path: "/etc/creds.properties",
                key: "db.password",
            }]
        );
        let env = &placeholders("${env:PGPASS}")[0];
        assert_eq!((env.provider, env.path, env.key), ("env", "", "PGPASS"));
        // Several per value, text around them kept; the path stops at the first colon
        // after the provider, the key takes the rest (Java's lazy groups).
        let many = placeholders("jdbc:${env:HOST}:${a:b:c:d}/x");
        assert_eq!(many.len(), 2);
        assert_eq!(
            (many[1].provider, many[1].path, many[1].key),
            ("a", "b", "c:d")
        );
        assert!(placeholders("${novariable}").is_empty());
        assert!(placeholders("outbox.event.${routedByValue}").is_empty());
        assert!(placeholders("$1 and ${unclosed:x").is_empty());
    }

    #[test]
    fn the_three_providers_resolve_in_one_value() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("creds.properties");
        std::fs::write(&creds, "db.password = pä=ss\\u0021\nother=1\n").unwrap();
        let secrets = dir.path().join("secrets");
        std::fs::create_dir(&secrets).unwrap();
        std::fs::write(secrets.join("db_password"), "s3cret\n").unwrap();
        let p = providers(&refs(&all_three(None)), &[("PGPASS", "from-env")]);
        let value = format!(
            "a=${{file:{}:db.password}};b=${{env:PGPASS}};c=${{dir:{}:db_password}}",
            creds.display(),
            secrets.display()
        );
        let r = p.resolve(&props(&[("k", &value), ("plain", "x")]));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        // UTF-8 and properties escapes, as Kafka's FileConfigProvider; file content as is.
        assert_eq!(r.props["k"], "a=pä=ss!;b=from-env;c=s3cret\n");
        assert_eq!(r.props["plain"], "x");
        assert_eq!(
            r.scrub("login with from-env failed"),
            "login with ${env:PGPASS} failed"
        );
    }

    #[test]
    fn unresolvable_placeholders_name_the_key_and_the_provider_never_a_value() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("creds.properties");
        std::fs::write(&creds, "db.password=hunter2\n").unwrap();
        let p = providers(&refs(&all_three(None)), &[("SET", "v")]);
        let cases = [
            (
                format!("${{file:{}:missing}}", creds.display()),
                "'file'",
                "no key \"missing\"",
            ),
            (
                "${file:/nonexistent/x.properties:k}".into(),
                "'file'",
                "cannot read",
            ),
            ("${file:k}".into(), "'file'", "needs a file"),
            (
                "${env:UNSET_VAR}".into(),
                "'env'",
                "no environment variable \"UNSET_VAR\"",
            ),
            ("${env:/p:SET}".into(), "'env'", "takes no path"),
            (
                format!("${{dir:{}:nofile}}", dir.path().display()),
                "'dir'",
                "no file \"nofile\"",
            ),
            (
                format!("${{dir:{}:../x}}", dir.path().display()),
                "'dir'",
                "not the name of a file",
            ),
            (
                format!("${{dir:{}:k}}", creds.display()),
                "'dir'",
                "not a directory",
            ),
            (
                "${vault:secret/db:pw}".into(),
                "'vault'",
                "is not configured",
            ),
        ];
        for (value, provider, reason) in cases {
            let r = p.resolve(&props(&[("database.password", &value)]));
            assert_eq!(r.problems.len(), 1, "{value}");
            let message = &r.problems[0];
            assert!(
                message.contains("'database.password'")
                    && message.contains(provider)
                    && message.contains(reason),
                "{message}"
            );
            assert!(!message.contains("hunter2"), "{message}");
            // The value keeps its placeholder.
            assert_eq!(r.props["database.password"], value);
        }
        let none = ConfigProviders::default().resolve(&props(&[("k", "${env:SET}")]));
        assert!(
            none.problems[0].contains("defines no config providers"),
            "{:?}",
            none.problems
        );
    }

    #[test]
    fn allowed_paths_confine_the_file_providers() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("in");
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(inside.join("c.properties"), "k=inside\n").unwrap();
        std::fs::write(dir.path().join("c.properties"), "k=outside\n").unwrap();
        std::fs::write(dir.path().join("k"), "outside").unwrap();
        let p = providers(&refs(&all_three(Some(&inside.display().to_string()))), &[]);
        let ok = p.resolve(&props(&[(
            "a",
            &format!("${{file:{}/c.properties:k}}", inside.display()),
        )]));
        assert_eq!(ok.props["a"], "inside");
        for value in [
            format!("${{file:{}/c.properties:k}}", dir.path().display()),
            format!("${{file:{}/../c.properties:k}}", inside.display()),
            format!("${{dir:{}/..:k}}", inside.display()),
        ] {
            let r = p.resolve(&props(&[("a", &value)]));
            assert!(
                r.problems.len() == 1 && r.problems[0].contains("outside allowed.paths"),
                "{value}: {:?}",
                r.problems
            );
        }
    }

    #[test]
    fn env_allowlist_is_a_whole_name_match() {
        let p = providers(
            &[
                ("config.providers", "env"),
                ("config.providers.env.class", "EnvVarConfigProvider"),
                ("config.providers.env.param.allowlist.pattern", "PG.*"),
            ],
            &[("PGPASS", "a"), ("XPGPASS", "b")],
        );
        let r = p.resolve(&props(&[("a", "${env:PGPASS}"), ("b", "${env:XPGPASS}")]));
        assert_eq!(r.props["a"], "a");
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].contains("'b'"), "{:?}", r.problems);
    }

    #[test]
    fn worker_provider_settings_are_checked_by_name() {
        let err = |pairs: &[(&str, &str)]| {
            ConfigProviders::from_worker_with_env(&props(pairs), Vec::new())
                .unwrap_err()
                .to_string()
        };
        let unknown = err(&[
            ("config.providers", "vault"),
            (
                "config.providers.vault.class",
                "io.confluent.csid.config.provider.vault.VaultConfigProvider",
            ),
        ]);
        assert!(
            unknown.contains("VaultConfigProvider is not supported")
                && unknown.contains(FILE_PROVIDER_CLASS)
                && unknown.contains(ENV_PROVIDER_CLASS)
                && unknown.contains(DIRECTORY_PROVIDER_CLASS),
            "{unknown}"
        );
        let no_class = err(&[("config.providers", "file")]);
        assert!(
            no_class.contains("'config.providers.file.class'"),
            "{no_class}"
        );
        let stray = err(&[("config.providers.file.class", FILE_PROVIDER_CLASS)]);
        assert!(stray.contains("names no provider"), "{stray}");
        let param = err(&[
            ("config.providers", "env"),
            ("config.providers.env.class", ENV_PROVIDER_CLASS),
            ("config.providers.env.param.allowed.paths", "/"),
        ]);
        assert!(
            param.contains("has no parameter 'allowed.paths'"),
            "{param}"
        );
        let relative = err(&[
            ("config.providers", "dir"),
            ("config.providers.dir.class", DIRECTORY_PROVIDER_CLASS),
            ("config.providers.dir.param.allowed.paths", "run/secrets"),
        ]);
        assert!(relative.contains("is not absolute"), "{relative}");
        let regex = err(&[
            ("config.providers", "env"),
            ("config.providers.env.class", ENV_PROVIDER_CLASS),
            ("config.providers.env.param.allowlist.pattern", "("),
        ]);
        assert!(regex.contains("allowlist.pattern"), "{regex}");
    }

    #[test]
    fn debug_output_never_shows_the_environment() {
        let p = providers(
            &[
                ("config.providers", "env"),
                ("config.providers.env.class", ENV_PROVIDER_CLASS),
            ],
            &[("SECRET_VAR", "do-not-print")],
        );
        let r = p.resolve(&props(&[("database.password", "${env:SECRET_VAR}")]));
        let shown = format!("{p:?} {r:?} {:?}", r.scrubber());
        assert!(!shown.contains("do-not-print"), "{shown}");
    }
}
