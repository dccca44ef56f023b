//! Start-up and the [`Source`] implementation: check the server, decide between resuming
//! the stored offset (verified against the server's binlogs, with the table model rebuilt
//! from the schema history) and a snapshot, then stream.

use std::sync::Arc;

use ferrium_config::ConnectorConfig;
use ferrium_event::emitter::Emitter;
use ferrium_event::history::SchemaHistoryStore;
use ferrium_event::{Classified, Source, SourceContext, SourceExit, SourcePartition};
use mysql_async::Conn;

use crate::config::{HistoryLocation, MysqlConfig, SnapshotMode};
use crate::connection::{binlog_files, check_server, connect};
use crate::ddl::Schemas;
use crate::error::MysqlError;
use crate::events::{ConnectorKind, EventBuilder};
use crate::history::SchemaHistory;
use crate::offset::MysqlOffset;
use crate::position::{BinlogPosition, GtidSet};
use crate::registry::TableRegistry;
use crate::snapshot::{run_snapshot, SnapshotContext, SnapshotEnd};
use crate::stream::{run_stream, SignalTable, StreamContext};
use ferrium_snapshot::IncrementalSnapshot;

pub struct MysqlSource {
    config: MysqlConfig,
    kind: ConnectorKind,
    history: Option<Arc<dyn SchemaHistoryStore>>,
}

impl MysqlSource {
    /// Validates the config. The runtime then gives the source its schema history store
    /// with [`MysqlSource::with_history`], because where it lives depends on the worker.
    pub fn new(config: &ConnectorConfig) -> Result<Self, MysqlError> {
        let kind = match config.get("connector.class") {
            Some(c) if c.to_ascii_lowercase().contains("mariadb") => ConnectorKind::MariaDb,
            _ => ConnectorKind::MySql,
        };
        let config =
            MysqlConfig::from_connector(config).map_err(|e| MysqlError::Config(e.to_string()))?;
        Ok(MysqlSource {
            config,
            kind,
            history: None,
        })
    }

    pub fn with_history(mut self, store: Arc<dyn SchemaHistoryStore>) -> Self {
        self.history = Some(store);
        self
    }

    pub fn history_location(&self) -> &HistoryLocation {
        &self.config.history
    }

    pub fn partition(&self) -> SourcePartition {
        SourcePartition::server(&self.config.common.topic_prefix)
    }

    /// The options every source shares, for the runtime (batching, retries, signals).
    pub fn common(&self) -> &ferrium_config::relational::CommonSettings {
        &self.config.common
    }

    async fn run_inner(&mut self, ctx: SourceContext) -> Result<SourceExit, MysqlError> {
        let store = self
            .history
            .clone()
            .ok_or_else(|| MysqlError::Config("no schema history store was configured".into()))?;
        let mut conn = connect(&self.config).await?;
        let server = check_server(&mut conn, &self.config).await?;
        self.config.types.mariadb = server.flavor == crate::connection::Flavor::MariaDb;
        let config = &self.config;
        tracing::info!(
            connector = %ctx.connector,
            server = %server.version,
            history = %store.describe(),
            "connected to {}", crate::connection::target(config)
        );
        if config.include_query && server.flavor == crate::connection::Flavor::MariaDb {
            // MariaDB sends ANNOTATE_ROWS only to a replica that sets the
            // BINLOG_SEND_ANNOTATE_ROWS_EVENT dump flag, which mysql_async 0.37 cannot set.
            tracing::warn!("include.query=true has no effect on MariaDB in this Ferrium build: source.query stays null (it works on MySQL with binlog_rows_query_log_events=ON)");
        }
        let signal_table = signal_table(&mut conn, config).await?;
        let events = EventBuilder::new(config, self.kind);
        let mut schemas = Schemas::default();
        let mut history = SchemaHistory::new(store, &config.common.topic_prefix);
        let mut registry = TableRegistry::new(events.source_schema.clone());
        let mut out = Emitter::new(ctx.messages.clone(), config.common.max_batch_size);
        let stored = match &ctx.stored_offset {
            Some(offset) => MysqlOffset::from_offset(offset).map_err(MysqlError::ResumeMismatch)?,
            None => None,
        };
        let resume = match stored {
            Some(offset) => match verify_resume(&mut conn, &offset).await {
                Ok(()) => Some(offset),
                Err(e) if config.snapshot_mode == SnapshotMode::WhenNeeded => {
                    tracing::warn!(error = %e, "the stored offset cannot be resumed; taking a new snapshot (snapshot.mode=when_needed)");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let mut incremental = IncrementalSnapshot::new(
            &config.name,
            &config.common.signals,
            ctx.snapshot_status.clone(),
        );
        if let (Some(_), Some(stored)) = (&resume, &ctx.stored_offset) {
            incremental
                .restore(stored)
                .map_err(MysqlError::ResumeMismatch)?;
        }
        let start = match resume {
            Some(offset) => {
                let applied = history
                    .recover(Some(&offset.position), &mut schemas)
                    .await?;
                if applied == 0 && config.snapshot_mode != SnapshotMode::Never {
                    return Err(MysqlError::History(format!(
                        "an offset is stored ({}), but the schema history in {} has no record up to it: it was deleted or belongs to another connector; restore it, or take a new snapshot with ferrium reset-offsets",
                        offset.position,
                        history.describe()
                    )));
                }
                tracing::info!(records = applied, position = %offset.position, "schema history recovered; resuming");
                offset
            }
            None if config.snapshot_mode == SnapshotMode::Never => {
                // Debezium's `never`: the table model comes from the DDL in the binlog, read
                // from the oldest file the server still has.
                let files = binlog_files(&mut conn).await?;
                let Some((first, _)) = files.first() else {
                    return Err(MysqlError::ServerSetup {
                        problem: "the server lists no binlog files".into(),
                        fix: "enable log_bin".into(),
                    });
                };
                history.recover(None, &mut schemas).await?;
                MysqlOffset {
                    position: BinlogPosition::new(first.clone(), 4),
                    gtids: GtidSet::Empty,
                    skip_events: 0,
                    skip_rows: 0,
                    server_id: server.server_id,
                    ts_sec: 0,
                }
            }
            None => {
                let with_data = config.snapshot_mode != SnapshotMode::NoData;
                let cx = SnapshotContext {
                    config,
                    flavor: server.flavor,
                    server_id: server.server_id,
                    schemas: &mut schemas,
                    history: &mut history,
                    registry: &mut registry,
                    events: &events,
                    out: &mut out,
                    shutdown: &ctx.shutdown,
                };
                match run_snapshot(&mut conn, cx, with_data).await? {
                    SnapshotEnd::Interrupted => return Ok(SourceExit::Shutdown),
                    SnapshotEnd::Done(offset) => {
                        if out.checkpoint(offset.to_offset()).await.is_err() {
                            return Ok(SourceExit::Shutdown);
                        }
                        if config.snapshot_mode == SnapshotMode::InitialOnly {
                            return Ok(SourceExit::Finished);
                        }
                        offset
                    }
                }
            }
        };
        drop(conn);
        let binlog_conn = connect(config).await?;
        let _connected = crate::metrics::streaming(config, server.flavor, ctx.committed.clone());
        let cx = StreamContext {
            config,
            flavor: server.flavor,
            schemas: &mut schemas,
            history: &mut history,
            registry: &mut registry,
            events: &events,
            out: &mut out,
            shutdown: &ctx.shutdown,
            signals: &ctx.signals,
            incremental,
            signal_table,
        };
        run_stream(binlog_conn, cx, start).await
    }
}

/// The signalling table named by `signal.data.collection`, which must exist with the
/// columns `id`, `type` and `data`: its inserts are signals and its rows the watermarks of
/// incremental snapshots.
async fn signal_table(
    conn: &mut Conn,
    config: &MysqlConfig,
) -> Result<Option<SignalTable>, MysqlError> {
    use mysql_async::prelude::Queryable;
    let Some(name) = config.common.signals.data_collection.as_deref() else {
        return Ok(None);
    };
    let id = crate::chunks::signal_table_id(name).ok_or_else(|| {
        MysqlError::Config(format!(
            "signal.data.collection is '{name}'; on MySQL/MariaDB it names database.table"
        ))
    })?;
    let columns: Vec<(String, u64)> = conn
        .exec(
            "SELECT COLUMN_NAME, ORDINAL_POSITION FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (id.database.as_str(), id.table.as_str()),
        )
        .await
        .map_err(|e| crate::error::query_error("reading the signalling table's columns", e))?;
    if columns.is_empty() {
        return Err(MysqlError::ServerSetup {
            problem: format!("signal.data.collection names '{name}', which does not exist"),
            fix: format!("create it: {}", crate::chunks::signal_table_ddl(&id)),
        });
    }
    let at = |wanted: &str| {
        columns
            .iter()
            .position(|(c, _)| c.eq_ignore_ascii_case(wanted))
    };
    match (at("id"), at("type"), at("data")) {
        (Some(i), Some(t), Some(d)) => Ok(Some(SignalTable {
            id,
            columns: [i, t, d],
        })),
        _ => Err(MysqlError::ServerSetup {
            problem: format!(
                "the signalling table '{name}' needs the columns id, type and data, as in Debezium"
            ),
            fix: format!("recreate it: {}", crate::chunks::signal_table_ddl(&id)),
        }),
    }
}

/// The stored position must be in a binlog file the server still has.
async fn verify_resume(conn: &mut Conn, offset: &MysqlOffset) -> Result<(), MysqlError> {
    let files = binlog_files(conn).await?;
    check_resume(&files, offset)
}

/// [`verify_resume`] over the server's `SHOW BINARY LOGS` (name, size), oldest first.
fn check_resume(files: &[(String, u64)], offset: &MysqlOffset) -> Result<(), MysqlError> {
    match files.iter().find(|(name, _)| name == &offset.position.file) {
        None => Err(MysqlError::ResumeMismatch(format!(
            "the stored position {} is in binlog file {}, which the server no longer has ({}): the binlogs were purged past it, so the changes since are lost. \
             To recover, set snapshot.mode=when_needed (Ferrium takes a new snapshot) or reset the connector's offsets (ferrium reset-offsets); \
             then keep binlogs longer than a connector may be stopped (binlog_expire_logs_seconds, expire_logs_days) and purge none it has not read",
            offset.position,
            offset.position.file,
            match (files.first(), files.last()) {
                (Some(a), Some(b)) if a.0 == b.0 => format!("its oldest and only binlog is {}", a.0),
                (Some(a), Some(b)) => format!("its oldest binlog is {}, its newest {}", a.0, b.0),
                _ => "it lists no binlog at all".into(),
            }
        ))),
        Some((_, size)) if offset.position.pos > *size => Err(MysqlError::ResumeMismatch(format!(
            "the stored position {} is past the end of that file ({size} bytes): the offset belongs to another server",
            offset.position
        ))),
        Some(_) => Ok(()),
    }
}

#[async_trait::async_trait]
impl Source for MysqlSource {
    async fn run(&mut self, ctx: SourceContext) -> Result<SourceExit, Box<dyn Classified>> {
        self.run_inner(ctx)
            .await
            .map_err(|e| Box::new(e) as Box<dyn Classified>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offset(file: &str, pos: u64) -> MysqlOffset {
        MysqlOffset {
            position: BinlogPosition::new(file.to_string(), pos),
            gtids: GtidSet::Empty,
            skip_events: 0,
            skip_rows: 0,
            server_id: 1,
            ts_sec: 0,
        }
    }

    #[test]
    fn a_purged_position_names_itself_the_oldest_binlog_and_the_fix() {
        let files = [
            ("bin.000007".to_string(), 400),
            ("bin.000008".to_string(), 900),
        ];
        let error = check_resume(&files, &offset("bin.000003", 1234)).unwrap_err();
        assert_eq!(error.action(), ferrium_event::ErrorAction::Fail);
        let text = error.to_string();
        for needle in [
            "bin.000003:1234",
            "its oldest binlog is bin.000007",
            "snapshot.mode=when_needed",
            "ferrium reset-offsets",
            "binlog_expire_logs_seconds",
        ] {
            assert!(text.contains(needle), "{needle} missing: {text}");
        }
        assert!(check_resume(&files, &offset("bin.000008", 900)).is_ok());
        assert!(check_resume(&files, &offset("bin.000008", 901)).is_err());
    }
}
