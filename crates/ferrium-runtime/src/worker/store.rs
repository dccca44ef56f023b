//! Where connector configs and target states live between worker restarts.
//!
//! Three stores, one per way Ferrium runs: in memory (`ferrium run`, whose connectors
//! come from the command line, as in Kafka Connect's standalone mode), a JSON file in a
//! state folder (`ferrium serve` with the embedded default), and Kafka's compacted
//! config and status topics (`ferrium serve` with `bootstrap.servers`; see
//! `kafka_store.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use serde_json::{json, Value as Json};

use super::state::{ConnectorStatus, TargetState};

/// A connector as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConnector {
    pub config: ConnectorConfig,
    pub target: TargetState,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read the connector configs from {at}: {message}")]
    Read { at: String, message: String },
    #[error("cannot store the connector configs in {at}: {message}")]
    Write { at: String, message: String },
}

#[async_trait::async_trait]
pub trait ConfigStore: Send + Sync {
    /// Every stored connector, in name order.
    async fn load(&self) -> Result<Vec<StoredConnector>, StoreError>;
    /// Creates or replaces a connector; returns once durable.
    async fn put(&self, connector: &StoredConnector) -> Result<(), StoreError>;
    async fn remove(&self, name: &str) -> Result<(), StoreError>;
    /// Publishes a status change (Kafka's status topic); best effort, never blocks.
    fn publish_status(&self, _status: &ConnectorStatus) {}
}

/// Connectors that live as long as the process (`ferrium run`).
#[derive(Default)]
pub struct MemoryConfigStore {
    connectors: Mutex<BTreeMap<String, StoredConnector>>,
}

#[async_trait::async_trait]
impl ConfigStore for MemoryConfigStore {
    async fn load(&self) -> Result<Vec<StoredConnector>, StoreError> {
        Ok(lock(&self.connectors).values().cloned().collect())
    }

    async fn put(&self, connector: &StoredConnector) -> Result<(), StoreError> {
        lock(&self.connectors).insert(connector.config.name.clone(), connector.clone());
        Ok(())
    }

    async fn remove(&self, name: &str) -> Result<(), StoreError> {
        lock(&self.connectors).remove(name);
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps are replaced whole under the lock, so a panic cannot leave them torn.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Connectors in `<state dir>/connectors.json`, rewritten atomically on every change.
pub struct FileConfigStore {
    path: PathBuf,
    connectors: Mutex<BTreeMap<String, StoredConnector>>,
    write_lock: tokio::sync::Mutex<()>,
}

/// The worker's state folder: `ferrium.state.dir`, else the folder of the offsets file.
pub fn state_dir(worker: &WorkerConfig) -> PathBuf {
    if let Some(dir) = worker.get("ferrium.state.dir") {
        return PathBuf::from(dir);
    }
    match worker.offset_file().parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl FileConfigStore {
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join("connectors.json");
        let err = |message: String| StoreError::Read {
            at: path.display().to_string(),
            message,
        };
        let connectors = match std::fs::read_to_string(&path) {
            Ok(text) => parse(&text).map_err(err)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(err(e.to_string())),
        };
        Ok(FileConfigStore {
            path,
            connectors: Mutex::new(connectors),
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    async fn save(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, StoredConnector>),
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock.lock().await;
        let text = {
            let mut connectors = lock(&self.connectors);
            change(&mut connectors);
            render(&connectors)
        };
        crate::offsets::file::write_atomically(self.path.clone(), text)
            .await
            .map_err(|e| StoreError::Write {
                at: self.path.display().to_string(),
                message: e.to_string(),
            })
    }
}

/// `{"connectors": {"<name>": {"config": {…}, "target_state": "STARTED"}}}`
fn render(connectors: &BTreeMap<String, StoredConnector>) -> String {
    let map: serde_json::Map<String, Json> = connectors
        .iter()
        .map(|(name, c)| {
            (
                name.clone(),
                json!({"config": c.config.props, "target_state": c.target.as_str()}),
            )
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "connectors": map })).unwrap_or_else(|_| "{}".into())
}

fn parse(text: &str) -> Result<BTreeMap<String, StoredConnector>, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Some(items) = json.get("connectors").and_then(Json::as_object) else {
        return Err("expected {\"connectors\": {…}}".into());
    };
    items
        .iter()
        .map(|(name, item)| {
            let props = item
                .get("config")
                .and_then(Json::as_object)
                .ok_or_else(|| format!("connector '{name}' has no config"))?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect();
            let target = item
                .get("target_state")
                .and_then(Json::as_str)
                .and_then(TargetState::parse)
                .unwrap_or(TargetState::Started);
            let config = ConnectorConfig {
                name: name.clone(),
                props,
            };
            Ok((name.clone(), StoredConnector { config, target }))
        })
        .collect()
}

#[async_trait::async_trait]
impl ConfigStore for FileConfigStore {
    async fn load(&self) -> Result<Vec<StoredConnector>, StoreError> {
        Ok(lock(&self.connectors).values().cloned().collect())
    }

    async fn put(&self, connector: &StoredConnector) -> Result<(), StoreError> {
        let c = connector.clone();
        self.save(move |all| {
            all.insert(c.config.name.clone(), c);
        })
        .await
    }

    async fn remove(&self, name: &str) -> Result<(), StoreError> {
        self.save(|all| {
            all.remove(name);
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector(name: &str, target: TargetState) -> StoredConnector {
        StoredConnector {
            config: ConnectorConfig {
                name: name.into(),
                props: [("connector.class".to_string(), "x".to_string())]
                    .into_iter()
                    .collect(),
            },
            target,
        }
    }

    #[tokio::test]
    async fn file_store_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileConfigStore::open(dir.path()).unwrap();
        store
            .put(&connector("a", TargetState::Started))
            .await
            .unwrap();
        store
            .put(&connector("b", TargetState::Paused))
            .await
            .unwrap();
        store
            .put(&connector("a", TargetState::Stopped))
            .await
            .unwrap();
        store.remove("b").await.unwrap();
        let reopened = FileConfigStore::open(dir.path())
            .unwrap()
            .load()
            .await
            .unwrap();
        assert_eq!(reopened, vec![connector("a", TargetState::Stopped)]);
    }

    #[test]
    fn state_dir_defaults_next_to_the_offsets_file() {
        let mut w = WorkerConfig::default();
        assert_eq!(state_dir(&w), PathBuf::from("."));
        w.props.insert(
            "offset.storage.file.filename".into(),
            "/var/lib/f/x.offsets".into(),
        );
        assert_eq!(state_dir(&w), PathBuf::from("/var/lib/f"));
        w.props.insert("ferrium.state.dir".into(), "/s".into());
        assert_eq!(state_dir(&w), PathBuf::from("/s"));
    }
}
