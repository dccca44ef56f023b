//! The schema history: every DDL statement that changed a table, with its binlog position
//! and Debezium's `tableChanges` model, appended to a store (a Kafka topic or a file) and
//! replayed on start up to the resumed position, so rows after a DDL change decode with
//! the columns they were written with.
//!
//! Records use Debezium's layout (`source`, `position`, `ts_ms`, `databaseName`,
//! `schemaName`, `ddl`, `tableChanges`). Recovery applies the `tableChanges` (whole table
//! definitions), which makes a record applied twice harmless; a record without them is
//! re-parsed from its `ddl`.

use std::sync::Arc;

use ferrium_event::history::SchemaHistoryStore;
use serde_json::{json, Value as Json};

use crate::ddl::{self, Schemas};
use crate::error::MysqlError;
use crate::position::{BinlogPosition, GtidSet};

pub struct SchemaHistory {
    store: Arc<dyn SchemaHistoryStore>,
    server: String,
    /// The newest position already in the store: DDL read again after a restart is not
    /// stored twice.
    last_recorded: Option<BinlogPosition>,
}

/// Where a history record belongs in the binlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPosition {
    /// The end of the DDL event (the position an offset right after it would hold), or
    /// the snapshot's binlog position.
    pub position: BinlogPosition,
    pub gtids: GtidSet,
    pub snapshot: bool,
}

impl SchemaHistory {
    pub fn new(store: Arc<dyn SchemaHistoryStore>, server: &str) -> Self {
        SchemaHistory {
            store,
            server: server.to_string(),
            last_recorded: None,
        }
    }

    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// Rebuilds `schemas` from every record at or before `until` (all records when `None`)
    /// and returns how many were applied.
    pub async fn recover(
        &mut self,
        until: Option<&BinlogPosition>,
        schemas: &mut Schemas,
    ) -> Result<usize, MysqlError> {
        let records = self.store.read_all().await?;
        let mut applied = 0;
        for record in &records {
            if record
                .get("source")
                .and_then(|s| s.get("server"))
                .and_then(Json::as_str)
                != Some(self.server.as_str())
            {
                continue;
            }
            let position = record_position(record).ok_or_else(|| {
                MysqlError::History(format!(
                    "a record in {} has no binlog position: {}",
                    self.store.describe(),
                    excerpt(&record.to_string())
                ))
            })?;
            if self
                .last_recorded
                .as_ref()
                .is_none_or(|last| &position > last)
            {
                self.last_recorded = Some(position.clone());
            }
            if until.is_some_and(|until| &position > until) {
                continue;
            }
            apply_record(record, schemas)?;
            applied += 1;
        }
        Ok(applied)
    }

    /// Appends a record. A streamed DDL at or before the newest stored position was
    /// stored before a restart and is skipped; snapshot records are always stored.
    pub async fn record(
        &mut self,
        at: &HistoryPosition,
        database: &str,
        ddl: &str,
        table_changes: &[Json],
    ) -> Result<(), MysqlError> {
        if !at.snapshot
            && self
                .last_recorded
                .as_ref()
                .is_some_and(|last| &at.position <= last)
        {
            return Ok(());
        }
        let mut position = json!({"file": at.position.file, "pos": at.position.pos});
        if !at.gtids.is_empty() {
            position["gtids"] = json!(at.gtids.to_string());
        }
        if at.snapshot {
            position["snapshot"] = json!(true);
        }
        let record = json!({
            "source": {"server": self.server},
            "position": position,
            "ts_ms": now_ms(),
            "databaseName": database,
            "schemaName": null,
            "ddl": ddl,
            "tableChanges": table_changes,
        });
        self.store.append(&record).await?;
        if self
            .last_recorded
            .as_ref()
            .is_none_or(|last| &at.position > last)
        {
            self.last_recorded = Some(at.position.clone());
        }
        Ok(())
    }
}

fn record_position(record: &Json) -> Option<BinlogPosition> {
    let position = record.get("position")?;
    Some(BinlogPosition::new(
        position.get("file")?.as_str()?,
        position.get("pos")?.as_u64()?,
    ))
}

fn apply_record(record: &Json, schemas: &mut Schemas) -> Result<(), MysqlError> {
    let changes = record
        .get("tableChanges")
        .and_then(Json::as_array)
        .filter(|c| !c.is_empty());
    match changes {
        Some(changes) => {
            for change in changes {
                let change = ddl::TableChange::from_json(change).map_err(|e| {
                    MysqlError::History(format!("cannot read a tableChanges entry: {e}"))
                })?;
                schemas.apply_change(&change);
            }
            Ok(())
        }
        None => {
            let Some(sql) = record.get("ddl").and_then(Json::as_str) else {
                return Ok(());
            };
            let database = record
                .get("databaseName")
                .and_then(Json::as_str)
                .unwrap_or("");
            ddl::apply(schemas, database, sql)?;
            Ok(())
        }
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

fn now_ms() -> i64 {
    ferrium_event::envelope::ProcessingTime::now().ts_ms
}
