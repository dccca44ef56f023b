//! A schema history in a local file (`schema.history.internal.file.filename`, Debezium's
//! `FileSchemaHistory`), one JSON document per line. Each append is written and fsynced
//! before it returns; a crash can only leave a torn last line, which is ignored on read
//! because the statement it held was not yet acknowledged.

use std::io::Write;
use std::path::{Path, PathBuf};

use ferrium_event::history::{HistoryError, SchemaHistoryStore};

pub struct FileSchemaHistory {
    path: PathBuf,
    /// Appends from one connector are sequential anyway; this keeps lines whole if two
    /// tasks ever shared a file.
    write_lock: tokio::sync::Mutex<()>,
}

impl FileSchemaHistory {
    pub fn new(path: &Path) -> Self {
        FileSchemaHistory {
            path: path.to_path_buf(),
            write_lock: tokio::sync::Mutex::new(()),
        }
    }
}

fn parse(path: &Path, text: &str) -> Result<Vec<serde_json::Value>, HistoryError> {
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(record) => records.push(record),
            Err(_) if i + 1 == lines.len() && !complete => break,
            Err(e) => {
                return Err(HistoryError::fatal(format!(
                    "schema history file {} line {} is not JSON: {e}",
                    path.display(),
                    i + 1
                )))
            }
        }
    }
    Ok(records)
}

/// Cuts a line a crash left unfinished, so the next record starts on a line of its own.
fn drop_torn_tail(path: &Path) -> std::io::Result<()> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if text.is_empty() || text.ends_with(b"\n") {
        return Ok(());
    }
    let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_len(keep as u64)
}

#[async_trait::async_trait]
impl SchemaHistoryStore for FileSchemaHistory {
    async fn read_all(&self) -> Result<Vec<serde_json::Value>, HistoryError> {
        match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => parse(&self.path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(HistoryError::fatal(format!(
                "cannot read schema history file {}: {e}",
                self.path.display()
            ))),
        }
    }

    async fn append(&self, record: &serde_json::Value) -> Result<(), HistoryError> {
        let _guard = self.write_lock.lock().await;
        let path = self.path.clone();
        let mut line = record.to_string();
        line.push('\n');
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            drop_torn_tail(&path)?;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            file.write_all(line.as_bytes())?;
            file.sync_data()
        })
        .await
        .map_err(|e| HistoryError::fatal(e.to_string()))?
        .map_err(|e| {
            HistoryError::fatal(format!(
                "cannot append to schema history file {}: {e}",
                self.path.display()
            ))
        })
    }

    fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appends_survive_reopening_and_a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("history.jsonl");
        let store = FileSchemaHistory::new(&path);
        assert!(store.read_all().await.unwrap().is_empty());
        store
            .append(&serde_json::json!({"ddl": "CREATE TABLE a (x INT)"}))
            .await
            .unwrap();
        store
            .append(&serde_json::json!({"ddl": "DROP TABLE a"}))
            .await
            .unwrap();
        // A crash in the middle of a third append.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(b"{\"ddl\": \"CREATE TA").unwrap();
        let reopened = FileSchemaHistory::new(&path);
        let records = reopened.read_all().await.unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1]["ddl"], "DROP TABLE a");
        // The next append replaces the torn line instead of gluing onto it.
        reopened
            .append(&serde_json::json!({"ddl": "CREATE TABLE b (y INT)"}))
            .await
            .unwrap();
        let records = reopened.read_all().await.unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[2]["ddl"], "CREATE TABLE b (y INT)");
        // A bad line that is not the last one is corruption, not a torn write.
        std::fs::write(&path, "{\"a\":1}\nnot json\n{\"b\":2}\n").unwrap();
        assert!(reopened.read_all().await.is_err());
    }
}
