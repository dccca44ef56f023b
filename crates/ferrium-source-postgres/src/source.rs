//! Start-up and the life of one run: checks, publication, slot, resume-or-snapshot
//! decision, then streaming.
//!
//! The resume point is verified against the server before anything streams: a stored
//! offset without its slot, or a slot that has confirmed past the stored offset, means
//! changes were lost, and that is an error (or a new snapshot under `when_needed`),
//! never a silent skip.

use std::path::Path;
use std::time::Duration;

use ferrium_config::{ConfigError, ConnectorConfig};
use ferrium_event::{Classified, Source, SourceContext, SourceExit, SourcePartition};
use ferrium_tls::PgSslMode;
use pgwire_replication::{Lsn, ReplicationClient, ReplicationConfig, SslMode, TlsConfig};
use tokio_postgres::Client;

use crate::catalog::{
    captured_tables, check_select_privilege, check_server, quote_ident, TableRef,
};
use crate::config::{PostgresConfig, SnapshotMode};
use crate::connection::{connect, sql_error, target, SESSION_OPTIONS};
use crate::error::PostgresError;
use crate::events::EventBuilder;
use crate::offset::{format_lsn, parse_lsn, PgOffset};
use crate::registry::TableRegistry;
use crate::slot::{
    check_slot_usable, drop_slot, ensure_publication, invalidated_slot_error,
    is_invalidated_slot_message, read_slot, verify_resume, SlotState,
};
use crate::snapshot::{run_snapshot, SnapshotEnd, SnapshotView};
use crate::snapshot_plan::SnapshotPlan;
use crate::stream::{SignalTable, Streamer};
use ferrium_event::emitter::Emitter;
use ferrium_snapshot::IncrementalSnapshot;

pub struct PostgresSource {
    config: PostgresConfig,
}

impl PostgresSource {
    pub fn new(config: &ConnectorConfig) -> Result<Self, ConfigError> {
        Ok(PostgresSource {
            config: PostgresConfig::from_connector(config)?,
        })
    }

    pub fn partition(&self) -> SourcePartition {
        SourcePartition::server(&self.config.common.topic_prefix)
    }

    /// The options every source shares, for the runtime (batching, retries, signals).
    pub fn common(&self) -> &ferrium_config::relational::CommonSettings {
        &self.config.common
    }
}

#[async_trait::async_trait]
impl Source for PostgresSource {
    async fn run(&mut self, ctx: SourceContext) -> Result<SourceExit, Box<dyn Classified>> {
        run(&self.config, ctx)
            .await
            .map_err(|e| Box::new(e) as Box<dyn Classified>)
    }
}

/// `database.sslmode=allow` is decided by the catalog session (plaintext unless the server
/// refused it); every later session, the replication one included, does the same.
async fn settle_allow(
    config: &PostgresConfig,
    catalog: &Client,
) -> Result<PostgresConfig, PostgresError> {
    let mut settled = config.clone();
    if config.tls.mode() == PgSslMode::Allow {
        let row = catalog
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| sql_error(config, e))?;
        settled.tls = config.tls.settled(row.get(0));
    }
    Ok(settled)
}

/// The replication session's TLS: the query sessions' mode and files, read by
/// pgwire-replication itself.
fn replication_tls(config: &PostgresConfig) -> TlsConfig {
    let (client_cert_pem_path, client_key_pem_path) = match config.tls.identity() {
        Some((cert, key)) => (Some(cert.to_path_buf()), Some(key.to_path_buf())),
        None => (None, None),
    };
    TlsConfig {
        mode: match config.tls.mode() {
            PgSslMode::Disable | PgSslMode::Allow => SslMode::Disable,
            PgSslMode::Prefer => SslMode::Prefer,
            PgSslMode::Require => SslMode::Require,
            PgSslMode::VerifyCa => SslMode::VerifyCa,
            PgSslMode::VerifyFull => SslMode::VerifyFull,
        },
        ca_pem_path: config.tls.rootcert().map(Path::to_path_buf),
        // Set even for an IP address: the library then checks the certificate's IP names
        // instead of refusing verify-full for an address, as libpq and pgjdbc do.
        sni_hostname: Some(config.host.clone()),
        client_cert_pem_path,
        client_key_pem_path,
    }
}

fn replication_config(config: &PostgresConfig, start: u64) -> ReplicationConfig {
    ReplicationConfig::new(
        config.host.clone(),
        config.user.clone(),
        config.password.clone(),
        config.dbname.clone(),
        config.slot_name.clone(),
        config.publication_name.clone(),
    )
    .with_port(config.port)
    .with_tls(replication_tls(config))
    .with_start_lsn(Lsn(start))
    // Until the runtime reports a durable offset, confirm only what was already durable.
    .with_ack_lsn(Lsn(start))
    .with_status_interval(config.status_interval)
    .with_wakeup_interval(config.status_interval)
    .with_buffer_size(config.common.max_queue_size)
    .with_options(SESSION_OPTIONS)
    .with_application_name(format!("ferrium-{}", config.name))
}

fn replication_error(
    config: &PostgresConfig,
    error: pgwire_replication::PgWireError,
) -> PostgresError {
    use pgwire_replication::PgWireError as E;
    match error {
        E::Auth(message) => PostgresError::Auth {
            target: target(config),
            user: config.user.clone(),
            message,
        },
        E::Server(message) if message.contains("42501") || message.contains("permission denied") || message.contains("must be superuser or replication role") => {
            PostgresError::Privilege {
                user: config.user.clone(),
                what: "permission for logical replication".into(),
                fix: format!("{message}; run ALTER ROLE {} WITH REPLICATION", quote_ident(&config.user)),
            }
        }
        // The slot's WAL is gone: every retry would meet the same refusal.
        E::Server(message) if is_invalidated_slot_message(&message) => {
            invalidated_slot_error(config, None, None, Some(&message))
        }
        E::Server(message) if message.contains("no pg_hba.conf entry") => PostgresError::Setup(format!(
            "{message}; allow replication connections for this role in pg_hba.conf (a 'host replication …' line)"
        )),
        E::Server(message) => PostgresError::ReplicationLost(message),
        // A certificate refused or a server without TLS: retrying cannot help. A reset in
        // the middle of a handshake can, and stays a lost connection.
        E::Tls(message)
            if ["invalid peer certificate", "fatal alert", "does not support TLS", "config error"]
                .iter()
                .any(|m| message.contains(m)) =>
        {
            PostgresError::Tls {
                target: target(config),
                message,
            }
        }
        other => PostgresError::ReplicationLost(other.to_string()),
    }
}

/// Decides whether this run starts with a snapshot.
fn needs_snapshot(mode: SnapshotMode, stored: Option<&PgOffset>, slot: Option<&SlotState>) -> bool {
    match mode {
        SnapshotMode::Initial | SnapshotMode::InitialOnly => stored.is_none(),
        SnapshotMode::Always => true,
        SnapshotMode::NoData => false,
        SnapshotMode::WhenNeeded => match (stored, slot) {
            (None, _) | (_, None) => true,
            (Some(stored), Some(slot)) => {
                slot.invalidated() || slot.confirmed_flush.is_some_and(|c| c > stored.lsn)
            }
        },
    }
}

async fn run(config: &PostgresConfig, ctx: SourceContext) -> Result<SourceExit, PostgresError> {
    let catalog = connect(config, "catalog").await?;
    let config = &settle_allow(config, &catalog).await?;
    check_server(&catalog, config).await?;
    let tables = captured_tables(&catalog, config).await?;
    if tables.is_empty() {
        return Err(PostgresError::Setup(format!(
            "no table in database '{}' matches the connector's schema/table include and exclude lists; check the names (they are regular expressions over schema.table) or create the tables first",
            config.dbname
        )));
    }
    if config.snapshot_mode != SnapshotMode::NoData {
        check_select_privilege(&catalog, config, &tables).await?;
    }
    let events = EventBuilder::new(
        &config.common.topic_prefix,
        &config.dbname,
        &config.common.transaction_topic,
        &config.common.heartbeat_topic,
    );
    let mut registry = TableRegistry::new(events.source_schema.clone());
    // Every captured column must map to a known type before anything is created on the
    // server: a bad column stops the start with nothing half-written (no slot, no
    // publication).
    for table in &tables {
        registry.load_from_catalog(&catalog, config, table).await?;
    }
    let signal_table = signal_table(&catalog, config).await?;
    ensure_publication(&catalog, config, &tables, signal_table.as_ref()).await?;

    let stored = match &ctx.stored_offset {
        None => None,
        Some(offset) => Some(PgOffset::from_offset(offset).ok_or_else(|| {
            PostgresError::ResumeMismatch(format!(
                "the stored offset {:?} has no 'lsn'; reset the connector's offsets",
                offset.0
            ))
        })?),
    };
    let slot = read_slot(&catalog, config).await?;
    if let Some(slot) = &slot {
        check_slot_usable(slot, config)?;
    }
    let unfinished = match &ctx.stored_offset {
        Some(offset) => SnapshotPlan::read(offset).map_err(PostgresError::ResumeMismatch)?,
        None => None,
    };
    if config.snapshot_mode == SnapshotMode::InitialOnly && stored.is_some() && unfinished.is_none()
    {
        tracing::info!(
            "snapshot.mode=initial_only and the snapshot is already complete; nothing to do"
        );
        return Ok(SourceExit::Finished);
    }

    let mut out = Emitter::new(ctx.messages.clone(), config.common.max_batch_size);
    // An unfinished snapshot goes on from its chunks when its slot still holds the
    // consistent point; without the slot the changes since are gone, so it starts over.
    let resume_snapshot = match (&unfinished, &slot, &stored) {
        // An invalidated slot lost the changes since the consistent point, like a
        // dropped one: the unfinished snapshot starts over on a new slot.
        (Some(_), Some(slot), _) if slot.invalidated() => {
            tracing::warn!(slot = %config.slot_name, "the initial snapshot was unfinished and PostgreSQL invalidated its replication slot; starting it over");
            false
        }
        (Some(_), Some(slot), Some(stored)) if config.snapshot_mode != SnapshotMode::Always => {
            verify_resume(Some(slot), stored.lsn, config)?;
            true
        }
        (Some(_), None, _) => {
            tracing::warn!(slot = %config.slot_name, "the initial snapshot was unfinished and its replication slot is gone; starting it over");
            false
        }
        _ => false,
    };
    let snapshot = if unfinished.is_some() {
        !resume_snapshot
    } else {
        needs_snapshot(config.snapshot_mode, stored.as_ref(), slot.as_ref())
    };
    if let (true, Some(stored)) = (resume_snapshot, &stored) {
        let end = run_snapshot(
            config,
            SnapshotView::Fresh,
            stored.lsn,
            &tables,
            unfinished,
            &mut registry,
            &events,
            &mut out,
            &ctx.shutdown,
        )
        .await?;
        if let SnapshotEnd::Interrupted = end {
            return Ok(SourceExit::Shutdown);
        }
        if out
            .checkpoint(PgOffset::at(stored.lsn).to_offset())
            .await
            .is_err()
        {
            return Ok(SourceExit::Shutdown);
        }
        if config.snapshot_mode == SnapshotMode::InitialOnly {
            drop_slot_when_free(&catalog, config).await?;
            return Ok(SourceExit::Finished);
        }
    }

    let (mut client, resume_lsn, gated) = if snapshot {
        if slot.is_some() {
            tracing::warn!(slot = %config.slot_name, "recreating the replication slot so that the snapshot and the stream start at the same point");
            drop_slot(&catalog, config).await?;
        }
        let (client, consistent_point, snapshot_name) = create_slot(config, true).await?;
        let snapshot_name = snapshot_name.ok_or_else(|| {
            PostgresError::Protocol("CREATE_REPLICATION_SLOT exported no snapshot".into())
        })?;
        let end = run_snapshot(
            config,
            SnapshotView::Exported(&snapshot_name),
            consistent_point,
            &tables,
            None,
            &mut registry,
            &events,
            &mut out,
            &ctx.shutdown,
        )
        .await?;
        if let SnapshotEnd::Interrupted = end {
            return Ok(SourceExit::Shutdown);
        }
        if out
            .checkpoint(PgOffset::at(consistent_point).to_offset())
            .await
            .is_err()
        {
            return Ok(SourceExit::Shutdown);
        }
        if config.snapshot_mode == SnapshotMode::InitialOnly {
            // No stream follows, so a slot left behind would only pin WAL.
            drop(client);
            drop_slot_when_free(&catalog, config).await?;
            return Ok(SourceExit::Finished);
        }
        (client, consistent_point, true)
    } else {
        match (&slot, &stored) {
            (None, None) => {
                let (client, consistent_point, _) = create_slot(config, false).await?;
                (client, consistent_point, true)
            }
            (slot, Some(stored)) => {
                verify_resume(slot.as_ref(), stored.lsn, config)?;
                tracing::info!(lsn = %format_lsn(stored.lsn), "resuming streaming from the stored offset");
                let client = ReplicationClient::connect(replication_config(config, stored.lsn))
                    .await
                    .map_err(|e| replication_error(config, e))?;
                (client, stored.lsn, false)
            }
            (Some(slot), None) if slot.invalidated() => {
                return Err(invalidated_slot_error(
                    config,
                    slot.invalidation_reason.as_deref(),
                    None,
                    None,
                ));
            }
            (Some(slot), None) => {
                let start = slot.confirmed_flush.unwrap_or(0);
                tracing::info!(lsn = %format_lsn(start), "no stored offset; streaming from the slot's confirmed position (snapshot.mode=no_data)");
                let client = ReplicationClient::connect(replication_config(config, start))
                    .await
                    .map_err(|e| replication_error(config, e))?;
                (client, start, false)
            }
        }
    };
    if gated {
        client
            .start()
            .await
            .map_err(|e| replication_error(config, e))?;
    }
    client
        .wait_started()
        .await
        .map_err(|e| replication_error(config, e))?;
    tracing::info!(slot = %config.slot_name, publication = %config.publication_name, lsn = %format_lsn(resume_lsn), "streaming started");
    let _connected = crate::metrics::streaming(config);

    let mut committed = ctx.committed.clone();
    // A transaction interrupted part-way: its durable records are skipped when it comes again.
    let partial = if snapshot {
        None
    } else {
        stored.and_then(|s| s.partial)
    };
    let mut incremental = IncrementalSnapshot::new(
        &config.name,
        &config.common.signals,
        ctx.snapshot_status.clone(),
    );
    if let (false, Some(offset)) = (snapshot, &ctx.stored_offset) {
        incremental
            .restore(offset)
            .map_err(PostgresError::ResumeMismatch)?;
    }
    let result = Streamer::new(
        config,
        &events,
        &mut registry,
        &catalog,
        &mut out,
        resume_lsn,
        partial,
        &tables,
        incremental,
        signal_table.map(|t| SignalTable::new(t.oid)),
    )
    .run(&mut client, &mut committed, &ctx.signals, &ctx.shutdown)
    .await;
    if let Err(error) = client.shutdown().await {
        tracing::debug!(%error, "replication client shutdown");
    }
    if matches!(result, Ok(SourceExit::Shutdown)) && config.slot_drop_on_stop {
        tracing::info!(slot = %config.slot_name, "dropping the replication slot (slot.drop.on.stop=true)");
        drop_slot_when_free(&catalog, config).await?;
    }
    result
}

/// The signalling table named by `signal.data.collection`, which must exist: its inserts
/// are signals and its rows the watermarks of incremental snapshots.
async fn signal_table(
    catalog: &Client,
    config: &PostgresConfig,
) -> Result<Option<TableRef>, PostgresError> {
    let Some(name) = config.common.signals.data_collection.as_deref() else {
        return Ok(None);
    };
    let (schema, table) = name.split_once('.').unwrap_or(("public", name));
    let row = catalog
        .query_opt(
            "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
            &[&schema, &table],
        )
        .await
        .map_err(|e| crate::connection::sql_error(config, e))?;
    match row {
        Some(row) => Ok(Some(TableRef {
            oid: row.get(0),
            schema: schema.to_string(),
            table: table.to_string(),
            estimated_rows: 0,
        })),
        None => Err(PostgresError::Setup(format!(
            "signal.data.collection names '{name}', which does not exist; create it: CREATE TABLE {} (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048))",
            crate::chunks::signal_table_sql(name)
        ))),
    }
}

/// Creates the slot on a gated replication session; the session stays open (and an
/// exported snapshot valid) until it is started.
async fn create_slot(
    config: &PostgresConfig,
    export: bool,
) -> Result<(ReplicationClient, u64, Option<String>), PostgresError> {
    let mut client = ReplicationClient::connect_gated(replication_config(config, 0))
        .await
        .map_err(|e| replication_error(config, e))?;
    let snapshot = if export {
        "EXPORT_SNAPSHOT"
    } else {
        "NOEXPORT_SNAPSHOT"
    };
    let rows = client
        .simple_query(&format!(
            "CREATE_REPLICATION_SLOT {} LOGICAL pgoutput {snapshot}",
            quote_ident(&config.slot_name)
        ))
        .await
        .map_err(|e| replication_error(config, e))?;
    let row = rows
        .first()
        .ok_or_else(|| PostgresError::Protocol("CREATE_REPLICATION_SLOT returned no row".into()))?;
    let text = |i: usize| {
        row.get(i)
            .and_then(|c| c.as_ref())
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let consistent_point = text(1).as_deref().and_then(parse_lsn).ok_or_else(|| {
        PostgresError::Protocol("CREATE_REPLICATION_SLOT returned no consistent point".into())
    })?;
    tracing::info!(slot = %config.slot_name, lsn = %format_lsn(consistent_point), "created replication slot");
    Ok((client, consistent_point, text(2).filter(|s| !s.is_empty())))
}

/// Drops the slot once no session holds it any more.
pub(crate) async fn drop_slot_when_free(
    catalog: &Client,
    config: &PostgresConfig,
) -> Result<(), PostgresError> {
    for _ in 0..50 {
        match read_slot(catalog, config).await? {
            None => return Ok(()),
            Some(slot) if slot.active_pid.is_none() => return drop_slot(catalog, config).await,
            Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Err(PostgresError::Setup(format!(
        "replication slot '{}' stayed in use; drop it by hand with SELECT pg_drop_replication_slot('{}')",
        config.slot_name, config.slot_name
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(confirmed: u64) -> SlotState {
        SlotState {
            plugin: Some("pgoutput".into()),
            database: Some("db".into()),
            confirmed_flush: Some(confirmed),
            active_pid: None,
            wal_status: Some("reserved".into()),
            invalidation_reason: None,
        }
    }

    fn offset(lsn: u64) -> PgOffset {
        PgOffset {
            lsn,
            lsn_commit: None,
            tx_id: None,
            ts_us: 0,
            partial: None,
        }
    }

    #[test]
    fn snapshot_decision_follows_debezium_modes() {
        use SnapshotMode::*;
        assert!(needs_snapshot(Initial, None, None));
        assert!(!needs_snapshot(Initial, Some(&offset(10)), Some(&slot(10))));
        assert!(needs_snapshot(Always, Some(&offset(10)), Some(&slot(10))));
        assert!(!needs_snapshot(NoData, None, None));
        assert!(needs_snapshot(WhenNeeded, Some(&offset(10)), None));
        assert!(needs_snapshot(
            WhenNeeded,
            Some(&offset(10)),
            Some(&slot(20))
        ));
        assert!(!needs_snapshot(
            WhenNeeded,
            Some(&offset(20)),
            Some(&slot(10))
        ));
    }

    #[test]
    fn an_invalidated_slot_is_snapshotted_again_only_under_when_needed() {
        use SnapshotMode::*;
        let lost = SlotState {
            wal_status: Some("lost".into()),
            ..slot(10)
        };
        assert!(needs_snapshot(WhenNeeded, Some(&offset(10)), Some(&lost)));
        assert!(!needs_snapshot(Initial, Some(&offset(10)), Some(&lost)));
        assert!(!needs_snapshot(NoData, Some(&offset(10)), Some(&lost)));
    }

    #[test]
    fn an_invalidated_slot_is_a_resume_mismatch_naming_cause_and_fix() {
        let props = [
            (
                "connector.class",
                "io.debezium.connector.postgresql.PostgresConnector",
            ),
            ("database.hostname", "h"),
            ("database.user", "u"),
            ("database.dbname", "d"),
            ("topic.prefix", "p"),
            ("slot.name", "s1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = PostgresConfig::from_connector(&ConnectorConfig {
            name: "c".into(),
            props,
        })
        .unwrap();
        let lost = SlotState {
            wal_status: Some("lost".into()),
            ..slot(10)
        };
        let error = verify_resume(Some(&lost), 10, &config).unwrap_err();
        assert_eq!(error.action(), ferrium_event::ErrorAction::Fail);
        let text = error.to_string();
        for needle in [
            "'s1' was invalidated",
            "max_slot_wal_keep_size",
            "since the stored offset 0/A",
            "snapshot.mode=when_needed",
            "pg_drop_replication_slot('s1')",
        ] {
            assert!(text.contains(needle), "{needle} missing: {text}");
        }
        // START_REPLICATION's own refusal is the same error, never a lost connection to retry.
        let refused = replication_error(
            &config,
            pgwire_replication::PgWireError::Server(
                "ERROR: can no longer get changes from replication slot \"s1\" (SQLSTATE 55000)"
                    .into(),
            ),
        );
        assert!(
            matches!(refused, PostgresError::ResumeMismatch(_)),
            "{refused}"
        );
        assert!(refused.to_string().contains("snapshot.mode=when_needed"));
    }
}
