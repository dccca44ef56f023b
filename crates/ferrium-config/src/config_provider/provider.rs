//! Kafka's three config providers (file, environment, directory) as a worker declares
//! them, and how each looks a placeholder up.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use regex::Regex;

use super::placeholder::Placeholder;

pub const FILE_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
pub const ENV_PROVIDER_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";
pub const DIRECTORY_PROVIDER_CLASS: &str =
    "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
pub(super) const SUPPORTED: &[&str] = &[
    FILE_PROVIDER_CLASS,
    ENV_PROVIDER_CLASS,
    DIRECTORY_PROVIDER_CLASS,
];

pub(super) enum Provider {
    File { allowed: Option<Vec<PathBuf>> },
    Directory { allowed: Option<Vec<PathBuf>> },
    Env { vars: BTreeMap<String, String> },
}

impl Provider {
    pub(super) fn class(&self) -> &'static str {
        match self {
            Provider::File { .. } => "FileConfigProvider",
            Provider::Directory { .. } => "DirectoryConfigProvider",
            Provider::Env { .. } => "EnvVarConfigProvider",
        }
    }

    /// The value `placeholder` names, or why there is none; `name` is the provider's name.
    pub(super) fn lookup(
        &self,
        name: &str,
        placeholder: &Placeholder<'_>,
        lookups: &mut Lookups,
    ) -> Result<String, String> {
        let by = format!("config provider '{name}' ({})", self.class());
        let (path, key) = (placeholder.path, placeholder.key);
        match self {
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

pub(super) fn build(
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
pub(super) struct Lookups {
    files: BTreeMap<PathBuf, Result<BTreeMap<String, String>, String>>,
}

impl Lookups {
    pub(super) fn file(&mut self, path: &Path) -> Result<&BTreeMap<String, String>, String> {
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
