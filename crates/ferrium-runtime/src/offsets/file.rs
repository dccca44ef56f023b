//! Offsets in a local JSON file (`offset.storage.file.filename`), the embedded default.
//!
//! Entries use Kafka Connect's offset key shape, `["<connector>", {<partition>}]`, so they
//! read like the records of a Connect offsets topic. Every store rewrites the file
//! atomically: write a temporary file, fsync it, rename it over the old one, fsync the
//! folder. A crash leaves either the old or the new file, never a torn one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ferrium_event::{Offset, SourcePartition};
use serde_json::{json, Value as Json};

use super::{OffsetError, OffsetStore};

pub struct FileOffsetStore {
    path: PathBuf,
    /// `(connector, partition, offset)`; a handful of entries, so a Vec is enough.
    entries: Mutex<Vec<(String, SourcePartition, Offset)>>,
    /// Serialises file writes so two connectors never race on the temporary file.
    write_lock: tokio::sync::Mutex<()>,
}

impl FileOffsetStore {
    pub fn open(path: &Path) -> Result<Self, OffsetError> {
        let entries = match std::fs::read_to_string(path) {
            Ok(text) => parse(&text).map_err(|message| OffsetError::Read {
                path: path.display().to_string(),
                message,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(OffsetError::Read {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        Ok(FileOffsetStore {
            path: path.to_path_buf(),
            entries: Mutex::new(entries),
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Removes a connector's offsets (a reset), so its next start is a first start.
    pub async fn remove(&self, connector: &str) -> Result<(), OffsetError> {
        let _guard = self.write_lock.lock().await;
        let text = {
            let mut entries = self.lock_entries();
            entries.retain(|(c, _, _)| c != connector);
            render(&entries)
        };
        write_atomically(self.path.clone(), text).await
    }

    fn lock_entries(&self) -> std::sync::MutexGuard<'_, Vec<(String, SourcePartition, Offset)>> {
        // A panic while holding this lock cannot leave the Vec half-updated.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn parse(text: &str) -> Result<Vec<(String, SourcePartition, Offset)>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let json: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let items = json
        .as_array()
        .ok_or("expected a JSON array of offset entries")?;
    items
        .iter()
        .map(|item| {
            let key = item
                .get("key")
                .and_then(Json::as_array)
                .ok_or("entry without a key")?;
            let connector = key
                .first()
                .and_then(Json::as_str)
                .ok_or("entry key without a connector name")?;
            let partition = key
                .get(1)
                .and_then(Json::as_object)
                .ok_or("entry key without a partition")?;
            let offset = item
                .get("value")
                .and_then(Json::as_object)
                .ok_or("entry without an offset value")?;
            Ok((
                connector.to_string(),
                SourcePartition(partition.clone()),
                Offset(offset.clone()),
            ))
        })
        .collect()
}

fn render(entries: &[(String, SourcePartition, Offset)]) -> String {
    let items: Vec<Json> = entries
        .iter()
        .map(|(c, p, o)| json!({"key": [c, p.0], "value": o.0}))
        .collect();
    serde_json::to_string_pretty(&Json::Array(items)).unwrap_or_else(|_| "[]".into())
}

pub(crate) async fn write_atomically(path: PathBuf, text: String) -> Result<(), OffsetError> {
    let display = path.display().to_string();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(())
    })
    .await
    .map_err(|e| OffsetError::Write {
        path: display.clone(),
        message: e.to_string(),
    })?
    .map_err(|e| OffsetError::Write {
        path: display,
        message: e.to_string(),
    })
}

#[async_trait::async_trait]
impl OffsetStore for FileOffsetStore {
    fn load(&self, connector: &str, partition: &SourcePartition) -> Option<Offset> {
        self.lock_entries()
            .iter()
            .find(|(c, p, _)| c == connector && p == partition)
            .map(|(_, _, o)| o.clone())
    }

    async fn store(
        &self,
        connector: &str,
        partition: &SourcePartition,
        offset: &Offset,
    ) -> Result<(), OffsetError> {
        let _guard = self.write_lock.lock().await;
        let text = {
            let mut entries = self.lock_entries();
            match entries
                .iter_mut()
                .find(|(c, p, _)| c == connector && p == partition)
            {
                Some(entry) => entry.2 = offset.clone(),
                None => entries.push((connector.to_string(), partition.clone(), offset.clone())),
            }
            render(&entries)
        };
        write_atomically(self.path.clone(), text).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn offsets_survive_a_reopen_and_stay_per_connector() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("ferrium.offsets");
        let partition = SourcePartition::server("shop");
        let store = FileOffsetStore::open(&path).unwrap();
        assert_eq!(store.load("a", &partition), None);
        store
            .store("a", &partition, &Offset::new().with("lsn", 10u64))
            .await
            .unwrap();
        store
            .store("b", &partition, &Offset::new().with("lsn", 7u64))
            .await
            .unwrap();
        store
            .store("a", &partition, &Offset::new().with("lsn", 20u64))
            .await
            .unwrap();

        let reopened = FileOffsetStore::open(&path).unwrap();
        assert_eq!(
            reopened.load("a", &partition).unwrap().get_u64("lsn"),
            Some(20)
        );
        assert_eq!(
            reopened.load("b", &partition).unwrap().get_u64("lsn"),
            Some(7)
        );
        reopened.remove("a").await.unwrap();
        assert_eq!(
            FileOffsetStore::open(&path).unwrap().load("a", &partition),
            None
        );
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.offsets");
        std::fs::write(&path, "{not json").unwrap();
        let err = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(err.contains("x.offsets"), "{err}");
    }
}
