//! The worker configuration: Kafka Connect's `connect-standalone.properties`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config_provider::{ConfigProviders, Resolution};
use crate::{ConfigError, ConnectorConfig};

/// Worker settings. Without `bootstrap.servers` Ferrium runs with its embedded default:
/// events go to stdout and offsets to a local file.
#[derive(Debug, Clone, Default)]
pub struct WorkerConfig {
    /// The values, with the placeholders of the worker's own config providers resolved.
    pub props: BTreeMap<String, String>,
    /// `config.providers`: they resolve connector configs each time a connector starts.
    providers: Arc<ConfigProviders>,
}

impl WorkerConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = std::fs::File::open(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let props = java_properties::read(std::io::BufReader::new(file)).map_err(|e| {
            ConfigError::Properties {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        Self::from_props(props.into_iter().collect())
    }

    /// A worker config from its properties: its config providers are set up and its own
    /// placeholders resolved, as Kafka's `AbstractConfig` resolves a worker's originals
    /// with the providers that same config declares.
    pub fn from_props(props: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let providers = ConfigProviders::from_worker(&props)?;
        // The provider settings themselves are read raw, as Kafka reads them.
        let (own, rest): (BTreeMap<_, _>, BTreeMap<_, _>) = props
            .into_iter()
            .partition(|(k, _)| k == "config.providers" || k.starts_with("config.providers."));
        let resolved = providers.resolve(&rest);
        if !resolved.problems.is_empty() {
            return Err(ConfigError::Invalid(resolved.problems));
        }
        let mut props = resolved.props;
        props.extend(own);
        Ok(WorkerConfig {
            props,
            providers: Arc::new(providers),
        })
    }

    pub fn config_providers(&self) -> &ConfigProviders {
        &self.providers
    }

    /// The connector's config with its placeholders resolved now (so a rotated secret is
    /// read at each start); `problems` of the resolution name each key that failed.
    pub fn resolve_connector(&self, config: &ConnectorConfig) -> (ConnectorConfig, Resolution) {
        let resolution = self.providers.resolve(&config.props);
        let resolved = ConnectorConfig {
            name: config.name.clone(),
            props: resolution.props.clone(),
        };
        (resolved, resolution)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.props
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn bootstrap_servers(&self) -> Option<&str> {
        self.get("bootstrap.servers")
    }

    /// `offset.storage.file.filename`, defaulting to `ferrium.offsets` in the working folder.
    pub fn offset_file(&self) -> PathBuf {
        PathBuf::from(
            self.get("offset.storage.file.filename")
                .unwrap_or("ferrium.offsets"),
        )
    }

    /// `offset.flush.interval.ms` (Kafka Connect's default: 60 s).
    pub fn offset_flush_interval_ms(&self) -> Result<u64, ConfigError> {
        self.parse_u64("offset.flush.interval.ms", 60_000)
    }

    /// The worker's own client security settings (top-level `security.*`, `sasl.*`,
    /// `ssl.*`): Kafka Connect's worker uses them for its internal topics, while the
    /// connectors' clients take the `producer.`/`consumer.`/`admin.` copies.
    pub fn client_security(&self) -> BTreeMap<String, String> {
        self.props
            .iter()
            .filter(|(k, _)| {
                k.starts_with("security.") || k.starts_with("sasl.") || k.starts_with("ssl.")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Properties under `prefix`, with the prefix removed (e.g. `producer.`).
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
        self.props
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|s| (s.to_string(), v.clone())))
            .collect()
    }

    fn parse_u64(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                ConfigError::invalid(format!(
                    "invalid value '{v}' for worker option '{key}': expected a non-negative integer"
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_connect_standalone_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("worker.properties");
        std::fs::write(
            &path,
            "bootstrap.servers=127.0.0.1:9092\nvalue.converter.schemas.enable=false\n\
             offset.storage.file.filename=/tmp/x.offsets\nproducer.linger.ms=5\n",
        )
        .unwrap();
        let w = WorkerConfig::load(&path).unwrap();
        assert_eq!(w.bootstrap_servers(), Some("127.0.0.1:9092"));
        assert_eq!(w.offset_file(), PathBuf::from("/tmp/x.offsets"));
        assert_eq!(
            w.with_prefix("producer.")
                .get("linger.ms")
                .map(String::as_str),
            Some("5")
        );
    }

    #[test]
    fn worker_values_resolve_through_the_worker_own_providers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("worker.properties");
        std::fs::write(
            &path,
            "config.providers=dir\n\
             config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider\n\
             config.providers.dir.param.allowed.paths=" .to_string()
                + &dir.path().display().to_string()
                + "\nproducer.sasl.password=${dir:"
                + &dir.path().display().to_string()
                + ":kafka_password}\n",
        )
        .unwrap();
        let missing = WorkerConfig::load(&path).unwrap_err().to_string();
        assert!(
            missing.contains("'producer.sasl.password'") && missing.contains("'dir'"),
            "{missing}"
        );
        std::fs::write(dir.path().join("kafka_password"), "pw").unwrap();
        let w = WorkerConfig::load(&path).unwrap();
        assert_eq!(w.get("producer.sasl.password"), Some("pw"));
        assert!(!w.config_providers().is_empty());
        let connector = ConnectorConfig {
            name: "c".into(),
            props: [(
                "database.password".to_string(),
                format!("${{dir:{}:kafka_password}}", dir.path().display()),
            )]
            .into_iter()
            .collect(),
        };
        let (resolved, resolution) = w.resolve_connector(&connector);
        assert!(resolution.problems.is_empty());
        assert_eq!(resolved.get("database.password"), Some("pw"));
    }
}
