//! The replication slot and the publication: read, verify, create, drop.

use tokio_postgres::Client;

use crate::catalog::{quote_ident, TableRef};
use crate::config::{PostgresConfig, PublicationMode};
use crate::connection::sql_error;
use crate::error::PostgresError;
use crate::offset::{format_lsn, parse_lsn};

/// The slot as `pg_replication_slots` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotState {
    pub plugin: Option<String>,
    pub database: Option<String>,
    pub confirmed_flush: Option<u64>,
    pub active_pid: Option<i32>,
    /// `wal_status` (PostgreSQL 13+): `lost` once the server invalidated the slot.
    pub wal_status: Option<String>,
    /// `invalidation_reason` (PostgreSQL 17+), e.g. `wal_removed` or `idle_timeout`.
    pub invalidation_reason: Option<String>,
}

impl SlotState {
    /// The server invalidated the slot: it can no longer stream anything.
    pub fn invalidated(&self) -> bool {
        self.wal_status.as_deref() == Some("lost")
    }
}

pub async fn read_slot(
    client: &Client,
    config: &PostgresConfig,
) -> Result<Option<SlotState>, PostgresError> {
    // Columns that older servers lack are read through to_jsonb, which yields NULL for
    // them instead of failing the query.
    let row = client
        .query_opt(
            "SELECT plugin::text, database::text, confirmed_flush_lsn::text, active_pid, \
             to_jsonb(s) ->> 'wal_status', to_jsonb(s) ->> 'invalidation_reason' \
             FROM pg_replication_slots s WHERE slot_name = $1",
            &[&config.slot_name],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    Ok(row.map(|r| SlotState {
        plugin: r.get(0),
        database: r.get(1),
        confirmed_flush: r.get::<_, Option<String>>(2).as_deref().and_then(parse_lsn),
        active_pid: r.get(3),
        wal_status: r.get(4),
        invalidation_reason: r.get(5),
    }))
}

/// Fails when the slot belongs to something else or is in use.
pub fn check_slot_usable(slot: &SlotState, config: &PostgresConfig) -> Result<(), PostgresError> {
    if slot.plugin.as_deref() != Some("pgoutput")
        || slot.database.as_deref() != Some(config.dbname.as_str())
    {
        return Err(PostgresError::Setup(format!(
            "replication slot '{}' exists but uses plug-in {:?} on database {:?}, not pgoutput on '{}'; choose another slot.name or drop that slot",
            config.slot_name, slot.plugin, slot.database, config.dbname
        )));
    }
    if let Some(pid) = slot.active_pid {
        return Err(PostgresError::Connect {
            target: crate::connection::target(config),
            message: format!(
                "replication slot '{}' is in use by process {pid}; another connector or an earlier Ferrium still holds it",
                config.slot_name
            ),
        });
    }
    Ok(())
}

/// Why the server invalidated a slot, from `invalidation_reason` (absent before
/// PostgreSQL 17, where WAL removal is the only cause a primary has).
fn invalidation_cause(reason: Option<&str>) -> String {
    match reason {
        None | Some("wal_removed") => {
            "it fell further behind than max_slot_wal_keep_size allows, so the server removed WAL it still needed".into()
        }
        Some("idle_timeout") => {
            "it stayed inactive longer than idle_replication_slot_timeout".into()
        }
        Some(other) => format!("invalidation_reason '{other}'"),
    }
}

/// What to do about it, by cause: the setting to raise so that it does not recur.
fn invalidation_prevention(reason: Option<&str>) -> &'static str {
    match reason {
        Some("idle_timeout") => "raise idle_replication_slot_timeout (or set it to 0)",
        _ => "raise max_slot_wal_keep_size (or set it to -1) so that a stopped or slow connector keeps its WAL",
    }
}

/// The error for a slot the server invalidated: the cause, what is lost, and the fix.
/// `stored_lsn` is the offset the connector wanted to resume from, if any.
pub fn invalidated_slot_error(
    config: &PostgresConfig,
    reason: Option<&str>,
    stored_lsn: Option<u64>,
    server_message: Option<&str>,
) -> PostgresError {
    let lost = match stored_lsn {
        Some(lsn) => format!(
            "the changes since the stored offset {} can no longer be read",
            format_lsn(lsn)
        ),
        None => "the changes it held can no longer be read".into(),
    };
    let said = server_message
        .map(|m| format!(" (the server said: {m})"))
        .unwrap_or_default();
    PostgresError::ResumeMismatch(format!(
        "replication slot '{slot}' was invalidated by PostgreSQL (wal_status 'lost'): {cause}; {lost}{said}. \
         To recover, set snapshot.mode=when_needed (Ferrium drops the slot, creates it again and takes a new snapshot), \
         or reset the connector's offsets (ferrium reset-offsets) and drop the slot (SELECT pg_drop_replication_slot('{slot}')); \
         then {prevent}",
        slot = config.slot_name,
        cause = invalidation_cause(reason),
        prevent = invalidation_prevention(reason),
    ))
}

/// Whether a replication-protocol error from the server says the slot was invalidated
/// (START_REPLICATION on a slot whose WAL is gone). Retrying cannot help.
pub fn is_invalidated_slot_message(message: &str) -> bool {
    [
        "can no longer get changes from replication slot",
        "can no longer access replication slot",
        "This slot has been invalidated",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// Checks that streaming can resume from `stored_lsn` without losing changes.
pub fn verify_resume(
    slot: Option<&SlotState>,
    stored_lsn: u64,
    config: &PostgresConfig,
) -> Result<(), PostgresError> {
    let Some(slot) = slot else {
        return Err(PostgresError::ResumeMismatch(format!(
            "offsets for connector '{}' exist (LSN {}), but replication slot '{}' does not exist, so the changes since then are lost; \
             use snapshot.mode=when_needed (or always) to take a new snapshot, or reset the connector's offsets",
            config.name,
            format_lsn(stored_lsn),
            config.slot_name
        )));
    };
    if slot.invalidated() {
        return Err(invalidated_slot_error(
            config,
            slot.invalidation_reason.as_deref(),
            Some(stored_lsn),
            None,
        ));
    }
    if let Some(confirmed) = slot.confirmed_flush {
        if confirmed > stored_lsn {
            return Err(PostgresError::ResumeMismatch(format!(
                "replication slot '{}' has confirmed LSN {}, beyond the stored offset {}: the changes in between were never delivered and can no longer be read; \
                 use snapshot.mode=when_needed (or always) to take a new snapshot, or reset the connector's offsets",
                config.slot_name,
                format_lsn(confirmed),
                format_lsn(stored_lsn)
            )));
        }
    }
    Ok(())
}

pub async fn drop_slot(client: &Client, config: &PostgresConfig) -> Result<(), PostgresError> {
    client
        .execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1",
            &[&config.slot_name],
        )
        .await
        .map_err(|e| sql_error(config, e))?;
    Ok(())
}

/// Makes sure the publication exists and, in `filtered` mode, lists exactly the captured tables.
pub async fn ensure_publication(
    client: &Client,
    config: &PostgresConfig,
    tables: &[TableRef],
    signal_table: Option<&TableRef>,
) -> Result<(), PostgresError> {
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_publication WHERE pubname = $1",
            &[&config.publication_name],
        )
        .await
        .map_err(|e| sql_error(config, e))?
        .is_some();
    let name = quote_ident(&config.publication_name);
    // The signalling table is published too: its rows are read from the stream.
    let signal_extra = signal_table.filter(|s| !tables.iter().any(|t| t.oid == s.oid));
    let table_list = || {
        tables
            .iter()
            .chain(signal_extra)
            .map(TableRef::qualified)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statement = match (config.publication_mode, exists) {
        (PublicationMode::Disabled, false) => {
            return Err(PostgresError::Setup(format!(
                "publication '{}' does not exist and publication.autocreate.mode is 'disabled'; create it (CREATE PUBLICATION {} FOR ALL TABLES) or change the mode",
                config.publication_name, name
            )))
        }
        (PublicationMode::Disabled | PublicationMode::AllTables | PublicationMode::NoTables, true) => return Ok(()),
        (PublicationMode::AllTables, false) => format!("CREATE PUBLICATION {name} FOR ALL TABLES"),
        (PublicationMode::NoTables, false) => format!("CREATE PUBLICATION {name}"),
        (PublicationMode::Filtered, _) if tables.is_empty() => {
            return Err(PostgresError::Setup(
                "publication.autocreate.mode is 'filtered' but the include/exclude lists match no table".into(),
            ))
        }
        (PublicationMode::Filtered, false) => format!("CREATE PUBLICATION {name} FOR TABLE {}", table_list()),
        (PublicationMode::Filtered, true) => format!("ALTER PUBLICATION {name} SET TABLE {}", table_list()),
    };
    tracing::info!(%statement, "configuring publication");
    client.batch_execute(&statement).await.map_err(|e| {
        let err = sql_error(config, e);
        match err {
            PostgresError::Privilege { user, fix, .. } => PostgresError::Privilege {
                user,
                what: format!("the right to run `{statement}`"),
                fix: format!("{fix}; create the publication as its owner or a superuser, or grant CREATE on the database"),
            },
            other => other,
        }
    })
}
