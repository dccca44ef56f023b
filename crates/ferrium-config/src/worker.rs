//! The worker configuration: Kafka Connect's `connect-standalone.properties`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ConfigError;

/// Worker settings. Without `bootstrap.servers` Ferrium runs with its embedded default:
/// events go to stdout and offsets to a local file.
#[derive(Debug, Clone, Default)]
pub struct WorkerConfig {
    pub props: BTreeMap<String, String>,
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
        Ok(WorkerConfig {
            props: props.into_iter().collect(),
        })
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
}
