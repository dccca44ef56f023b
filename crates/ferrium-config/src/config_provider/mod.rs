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

mod placeholder;
mod provider;
mod resolution;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use crate::ConfigError;

pub use placeholder::{has_placeholder, placeholders, Placeholder};
pub use provider::{DIRECTORY_PROVIDER_CLASS, ENV_PROVIDER_CLASS, FILE_PROVIDER_CLASS};
pub use resolution::{Resolution, Scrubber};

use provider::{build, Lookups, Provider, SUPPORTED};

/// The providers a worker declares, by name.
#[derive(Default)]
pub struct ConfigProviders {
    providers: BTreeMap<String, Provider>,
    /// The names in `config.providers` order, for messages.
    names: Vec<String>,
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
        provider.lookup(name, placeholder, lookups)
    }
}
