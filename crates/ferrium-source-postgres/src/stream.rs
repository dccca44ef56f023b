//! Streaming from pgoutput: decodes changes into Debezium events, transaction by
//! transaction, and turns durable offsets into slot confirmations.
//!
//! The loop is one biased `select!`:
//! 1. shutdown;
//! 2. a new durable offset from the runtime: confirm it to the slot (monotonic; the
//!    replication client sends it within `status.update.interval.ms`, idle or not);
//! 3. a signal from the Kafka channel or the REST API (an incremental snapshot's chunk
//!    reads happen here and after a closing watermark, between two messages);
//! 4. the heartbeat timer: run `heartbeat.action.query`, emit a heartbeat record;
//! 5. the next replication message.
//!
//! The signalling table's rows arrive as ordinary changes: its inserts are signals (the
//! `source` channel) and the watermarks of incremental snapshot chunks.
//!
//! Records of a transaction are emitted as they arrive (a million-row transaction never
//! sits in memory); the checkpoint that makes the transaction resumable is emitted only
//! after its commit. While no transaction is open, server keepalives move the checkpoint
//! to the server's WAL position, so the slot advances even when nothing captured changes
//! (no WAL pinned by an idle or filtered database).

use std::sync::Arc;

use ferrium_event::envelope::TransactionBlock;
use ferrium_event::signal::{Signal, SignalChannel, SignalInbox};
use ferrium_event::{ConnectData, Op, SourceExit, Value};
use ferrium_snapshot::IncrementalSnapshot;
use pg_walstream::{LogicalReplicationMessage, LogicalReplicationParser, TupleData};
use pgwire_replication::{Lsn, ReplicationClient, ReplicationEvent};
use tokio::sync::watch;
use tokio_postgres::Client;
use tokio_util::sync::CancellationToken;

use crate::catalog::TableRef;
use crate::chunk_snapshot::DeliveredTransactions;
use crate::chunks::{PgChunkReader, PgChunkRow};
use crate::config::PostgresConfig;
use crate::error::PostgresError;
use crate::events::{now_us, pg_time_to_unix_us, EventBuilder, SnapshotMarker, SourceInfo};
use crate::offset::{PartialTransaction, PgOffset};
use crate::registry::TableRegistry;
use crate::relation::{Cell, ColumnSpec, TableSchema};
use ferrium_event::emitter::{Closed, Emitter};
use ferrium_event::source_metrics::CommittedTransactions;

/// The transaction being decoded.
struct OpenTransaction {
    xid: u32,
    /// The commit LSN announced by BEGIN: identifies the transaction across restarts.
    final_lsn: u64,
    /// Records of this transaction produced so far (including skipped ones).
    records: u64,
    /// Records still to skip: they were durable before a restart.
    skip: u64,
    /// `records` at the last mid-transaction checkpoint.
    checkpointed: u64,
    commit_us: i64,
    id: String,
    total_order: i64,
    per_table: Vec<(String, i64)>,
    begin_emitted: bool,
}

pub struct Streamer<'a> {
    pub config: &'a PostgresConfig,
    pub events: &'a EventBuilder,
    pub registry: &'a mut TableRegistry,
    pub catalog: &'a Client,
    pub out: &'a mut Emitter,
    parser: LogicalReplicationParser,
    txn: Option<OpenTransaction>,
    last_commit_lsn: Option<u64>,
    last_tx_id: Option<i64>,
    /// The position of the last checkpoint emitted; checkpoints never go backwards.
    checkpoint_lsn: u64,
    /// A transaction a previous run delivered in part (from the stored offset).
    resume_partial: Option<PartialTransaction>,
    transactions: CommittedTransactions,
    /// The captured tables, for incremental snapshot signals.
    tables: &'a [TableRef],
    incremental: IncrementalSnapshot<PgChunkRow>,
    signal_table: Option<SignalTable>,
    /// The latest transactions streamed, for the chunk reads' snapshot check.
    delivered: DeliveredTransactions,
}

/// The signalling table: its OID and where its columns sit in a tuple.
pub struct SignalTable {
    pub oid: u32,
    /// Positions of `id`, `type` and `data` (from its Relation message).
    columns: Option<[usize; 3]>,
}

impl SignalTable {
    pub fn new(oid: u32) -> Self {
        SignalTable { oid, columns: None }
    }
}

impl<'a> Streamer<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: &'a PostgresConfig,
        events: &'a EventBuilder,
        registry: &'a mut TableRegistry,
        catalog: &'a Client,
        out: &'a mut Emitter,
        resume_lsn: u64,
        resume_partial: Option<PartialTransaction>,
        tables: &'a [TableRef],
        incremental: IncrementalSnapshot<PgChunkRow>,
        signal_table: Option<SignalTable>,
    ) -> Self {
        Streamer {
            config,
            events,
            registry,
            catalog,
            out,
            parser: LogicalReplicationParser::with_protocol_version(1),
            txn: None,
            last_commit_lsn: None,
            last_tx_id: None,
            checkpoint_lsn: resume_lsn,
            resume_partial,
            transactions: CommittedTransactions::new(&config.name),
            tables,
            incremental,
            signal_table,
            delivered: DeliveredTransactions::default(),
        }
    }

    pub async fn run(
        &mut self,
        client: &mut ReplicationClient,
        committed: &mut watch::Receiver<Option<ferrium_event::Offset>>,
        signals: &SignalInbox,
        shutdown: &CancellationToken,
    ) -> Result<SourceExit, PostgresError> {
        // A snapshot a previous run left unfinished goes on now that the watermarks
        // will be seen.
        let mut reader = PgChunkReader {
            config: self.config,
            client: self.catalog,
            registry: self.registry,
            tables: self.tables,
            delivered: &self.delivered,
        };
        self.incremental.kick(&mut reader).await?;
        let mut heartbeat = self.config.common.heartbeat_interval.map(|every| {
            let mut timer = tokio::time::interval(every);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            timer
        });
        loop {
            let step = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(SourceExit::Shutdown),
                changed = committed.changed() => {
                    if changed.is_err() {
                        return Ok(SourceExit::Shutdown);
                    }
                    let durable = committed.borrow_and_update().as_ref().and_then(PgOffset::from_offset);
                    if let Some(offset) = durable {
                        client.update_applied_lsn(Lsn(offset.lsn));
                    }
                    Ok(())
                }
                signal = signals.recv() => self.on_signal(signal, self.checkpoint_lsn).await,
                _ = tick(&mut heartbeat) => {
                    self.heartbeat().await
                }
                event = client.recv() => match event {
                    Ok(Some(event)) => self.handle(event).await,
                    Ok(None) => return Ok(SourceExit::Shutdown),
                    // START_REPLICATION's refusal of an invalidated slot can come here,
                    // after the session started: it must fail, not be retried forever.
                    Err(pgwire_replication::PgWireError::Server(message))
                        if crate::slot::is_invalidated_slot_message(&message) =>
                    {
                        return Err(crate::slot::invalidated_slot_error(
                            self.config,
                            None,
                            Some(self.checkpoint_lsn),
                            Some(&message),
                        ));
                    }
                    Err(e) => return Err(PostgresError::ReplicationLost(e.to_string())),
                },
            };
            match step {
                Ok(()) => {}
                Err(StepError::Closed) => return Ok(SourceExit::Shutdown),
                Err(StepError::Failed(e)) => return Err(e),
            }
        }
    }

    /// Acts on a signal; rows of a window it closed are emitted at `lsn`. A bad signal
    /// is reported by the engine and changes nothing.
    async fn on_signal(&mut self, signal: Signal, lsn: u64) -> Result<(), StepError> {
        let action = match ferrium_snapshot::parse(&signal) {
            Ok(action) => action,
            Err(problem) => {
                tracing::warn!(connector = %self.config.name, channel = signal.channel.as_str(), "{problem}");
                self.incremental.report(problem.to_string());
                return Ok(());
            }
        };
        if !matches!(action, ferrium_snapshot::Action::Window { .. }) {
            tracing::info!(connector = %self.config.name, id = %signal.id, kind = %signal.kind, channel = signal.channel.as_str(), "signal received");
        }
        let mut reader = PgChunkReader {
            config: self.config,
            client: self.catalog,
            registry: self.registry,
            tables: self.tables,
            delivered: &self.delivered,
        };
        if let Some(emit) = self.incremental.handle(action, &mut reader).await? {
            for chunk_row in emit.rows {
                let info = SourceInfo {
                    ts_us: now_us(),
                    snapshot: SnapshotMarker::Incremental,
                    tx_id: None,
                    lsn: Some(lsn),
                    last_commit_lsn: self.last_commit_lsn,
                };
                let record = self.events.change(
                    &chunk_row.table,
                    Op::Read,
                    chunk_row.row.key,
                    Value::Null,
                    Value::Struct(chunk_row.row.row),
                    &info,
                    None,
                );
                // Not part of the transaction being decoded: never skipped on resume.
                self.out.push(record).await?;
            }
        }
        Ok(())
    }

    /// A change of the signalling table: a signal (inserts, when the `source` channel is
    /// on) or a watermark (always).
    async fn on_signal_row(
        &mut self,
        tuple: &TupleData,
        inserted: bool,
        lsn: u64,
    ) -> Result<(), StepError> {
        let Some([id, kind, data]) = self.signal_table.as_ref().and_then(|s| s.columns) else {
            return Ok(());
        };
        let text = |i: usize| -> String {
            tuple
                .columns
                .get(i)
                .filter(|c| c.data_type == b't')
                .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        let signal = Signal {
            id: text(id),
            kind: text(kind),
            data: text(data),
            channel: SignalChannel::Source,
        };
        if !inserted {
            // insert_delete closes a window by deleting its open row; the old tuple
            // carries the key (`id`) only.
            let insert_delete = self.config.common.signals.watermarking
                == ferrium_config::signal::Watermarking::InsertDelete;
            if insert_delete {
                let close = Signal {
                    kind: ferrium_snapshot::action::WINDOW_CLOSE.into(),
                    ..signal
                };
                self.on_signal(close, lsn).await?;
            }
            return Ok(());
        }
        let is_watermark = signal.kind == ferrium_snapshot::action::WINDOW_OPEN
            || signal.kind == ferrium_snapshot::action::WINDOW_CLOSE;
        if is_watermark || self.config.common.signals.source_channel {
            self.on_signal(signal, lsn).await?;
        }
        Ok(())
    }

    async fn heartbeat(&mut self) -> Result<(), StepError> {
        if let Some(query) = &self.config.heartbeat_action_query {
            // A failing action query must not stop capture; it only means the WAL of an
            // otherwise idle database may not move this time.
            if let Err(error) = self.catalog.batch_execute(query).await {
                tracing::warn!(%error, "heartbeat.action.query failed");
            }
        }
        self.out
            .push(self.events.heartbeat(now_us() / 1000))
            .await?;
        self.out.flush().await?;
        Ok(())
    }

    async fn checkpoint(&mut self, lsn: u64) -> Result<(), StepError> {
        if lsn <= self.checkpoint_lsn {
            return Ok(());
        }
        self.checkpoint_lsn = lsn;
        let offset = PgOffset {
            lsn,
            lsn_commit: self.last_commit_lsn,
            tx_id: self.last_tx_id,
            ts_us: now_us(),
            partial: None,
        };
        let mut offset = offset.to_offset();
        self.incremental.annotate(&mut offset);
        self.out.checkpoint(offset).await?;
        Ok(())
    }

    /// Emits a record of the open transaction, unless a previous run already delivered
    /// it; every `max.batch.size` records, a checkpoint inside the transaction lets a
    /// restart skip what is durable instead of resending the whole transaction.
    async fn push(&mut self, record: ferrium_event::SourceRecord) -> Result<(), StepError> {
        let Some(txn) = self.txn.as_mut() else {
            self.out.push(record).await?;
            return Ok(());
        };
        txn.records += 1;
        if txn.skip > 0 {
            txn.skip -= 1;
            return Ok(());
        }
        self.out.push(record).await?;
        let Some(txn) = self.txn.as_ref() else {
            return Ok(());
        };
        if txn.records - txn.checkpointed >= self.config.common.max_batch_size as u64 {
            let partial = PartialTransaction {
                commit_lsn: txn.final_lsn,
                records: txn.records,
            };
            let offset = PgOffset {
                lsn: self.checkpoint_lsn,
                lsn_commit: self.last_commit_lsn,
                tx_id: self.last_tx_id,
                ts_us: now_us(),
                partial: Some(partial),
            };
            if let Some(txn) = self.txn.as_mut() {
                txn.checkpointed = txn.records;
            }
            let mut offset = offset.to_offset();
            self.incremental.annotate(&mut offset);
            self.out.checkpoint(offset).await?;
        }
        Ok(())
    }

    async fn handle(&mut self, event: ReplicationEvent) -> Result<(), StepError> {
        match event {
            ReplicationEvent::KeepAlive { wal_end, .. } => {
                if self.txn.is_none() {
                    self.checkpoint(wal_end.0).await?;
                }
            }
            ReplicationEvent::Begin {
                final_lsn,
                xid,
                commit_time_micros,
            } => {
                let skip = match self.resume_partial.take() {
                    Some(p) if p.commit_lsn == final_lsn.0 => p.records,
                    Some(p) => {
                        // The server resumes at a transaction boundary, so the partial
                        // transaction is the first one sent; anything else means the
                        // stored offset and the slot disagree.
                        return Err(StepError::Failed(PostgresError::ResumeMismatch(format!(
                            "expected the interrupted transaction committing at {} first, got one committing at {}",
                            crate::offset::format_lsn(p.commit_lsn),
                            crate::offset::format_lsn(final_lsn.0)
                        ))));
                    }
                    None => 0,
                };
                self.delivered.record(xid);
                self.txn = Some(OpenTransaction {
                    xid,
                    final_lsn: final_lsn.0,
                    records: 0,
                    skip,
                    checkpointed: skip,
                    commit_us: pg_time_to_unix_us(commit_time_micros),
                    id: format!("{xid}:{}", final_lsn.0),
                    total_order: 0,
                    per_table: Vec::new(),
                    begin_emitted: false,
                });
            }
            ReplicationEvent::XLogData {
                wal_start, data, ..
            } => {
                let message = self
                    .parser
                    .parse_wal_message_bytes(data)
                    .map_err(|e| PostgresError::Protocol(e.to_string()))?;
                self.on_message(message.message, wal_start.0).await?;
            }
            ReplicationEvent::Commit { lsn, end_lsn, .. } => {
                if let Some(txn) = self.txn.take() {
                    if self.config.common.provide_transaction_metadata && txn.begin_emitted {
                        let record = self.events.transaction(
                            &txn.id,
                            txn.commit_us / 1000,
                            Some((txn.total_order, &txn.per_table)),
                        );
                        self.out.push(record).await?;
                    }
                    self.last_tx_id = Some(i64::from(txn.xid));
                    self.transactions.committed();
                }
                self.last_commit_lsn = Some(lsn.0);
                self.checkpoint(end_lsn.0).await?;
            }
            ReplicationEvent::Message { prefix, .. } => {
                tracing::debug!(%prefix, "ignoring a logical decoding message");
            }
            ReplicationEvent::StoppedAt { .. } => {}
        }
        Ok(())
    }

    async fn on_message(
        &mut self,
        message: LogicalReplicationMessage,
        lsn: u64,
    ) -> Result<(), StepError> {
        match message {
            LogicalReplicationMessage::Relation {
                relation_id,
                namespace,
                relation_name,
                columns,
                ..
            } => {
                if let Some(signal) = self.signal_table.as_mut().filter(|t| t.oid == relation_id) {
                    let at = |name: &str| {
                        columns
                            .iter()
                            .position(|c| c.name.eq_ignore_ascii_case(name))
                    };
                    signal.columns = match (at("id"), at("type"), at("data")) {
                        (Some(id), Some(kind), Some(data)) => Some([id, kind, data]),
                        _ => {
                            return Err(StepError::Failed(PostgresError::Setup(format!(
                                "the signalling table {}.{} needs the columns id, type and data, as in Debezium",
                                namespace, relation_name
                            ))))
                        }
                    };
                }
                let columns = columns
                    .iter()
                    .map(|c| ColumnSpec {
                        name: c.name.to_string(),
                        type_oid: c.type_id,
                        typmod: c.type_modifier,
                    })
                    .collect();
                self.registry
                    .on_relation(
                        self.catalog,
                        self.config,
                        self.txn.as_ref().map(|t| t.xid),
                        relation_id,
                        &namespace,
                        &relation_name,
                        columns,
                    )
                    .await?;
            }
            LogicalReplicationMessage::Insert { relation_id, tuple } => {
                if self.is_signal_table(relation_id) {
                    self.on_signal_row(&tuple, true, lsn).await?;
                }
                if let Some(table) = self.table(relation_id) {
                    if !self.config.common.skips("c") {
                        let new = decode(&table, &tuple)?;
                        self.emit(
                            &table,
                            Op::Create,
                            new.key,
                            Value::Null,
                            Value::Struct(new.row),
                            lsn,
                            None,
                        )
                        .await?;
                    }
                }
            }
            LogicalReplicationMessage::Update {
                relation_id,
                old_tuple,
                new_tuple,
                key_type,
            } => {
                if let Some(table) = self.table(relation_id) {
                    // 'O': the whole old row (REPLICA IDENTITY FULL); 'K': its key only.
                    let full_old_row = key_type == Some('O');
                    self.on_update(&table, old_tuple.as_ref(), &new_tuple, full_old_row, lsn)
                        .await?;
                }
            }
            LogicalReplicationMessage::Delete {
                relation_id,
                old_tuple,
                ..
            } => {
                if self.is_signal_table(relation_id) {
                    self.on_signal_row(&old_tuple, false, lsn).await?;
                }
                if let Some(table) = self.table(relation_id) {
                    if !self.config.common.skips("d") {
                        let old = decode(&table, &old_tuple)?;
                        let key = old.key.clone();
                        self.emit(
                            &table,
                            Op::Delete,
                            key.clone(),
                            Value::Struct(old.row),
                            Value::Null,
                            lsn,
                            None,
                        )
                        .await?;
                        self.tombstone(&table, key).await?;
                    }
                }
            }
            LogicalReplicationMessage::Truncate { relation_ids, .. } => {
                if self.config.emit_truncate {
                    for oid in relation_ids {
                        if let Some(table) = self.table(oid) {
                            let block = self.next_block(&table).await?;
                            let info = self.source_info(lsn);
                            let record = self.events.truncate(&table, &info, block.as_ref());
                            self.push(record).await?;
                        }
                    }
                }
            }
            // Types are resolved from the catalog; origins are informational.
            LogicalReplicationMessage::Type { .. } | LogicalReplicationMessage::Origin { .. } => {}
            LogicalReplicationMessage::Begin { .. } | LogicalReplicationMessage::Commit { .. } => {}
            other => {
                return Err(StepError::Failed(PostgresError::Protocol(format!(
                    "unexpected pgoutput message for protocol version 1: {other:?}"
                ))))
            }
        }
        Ok(())
    }

    async fn on_update(
        &mut self,
        table: &Arc<TableSchema>,
        old: Option<&TupleData>,
        new: &TupleData,
        full_old_row: bool,
        lsn: u64,
    ) -> Result<(), StepError> {
        let mut new = decode(table, new)?;
        let old = old.map(|t| decode(table, t)).transpose()?;
        // With REPLICA IDENTITY FULL the old row carries the TOAST values the new tuple
        // left out as unchanged: they are the same value, so no placeholder is needed.
        if let (Some(old), true) = (&old, full_old_row) {
            for &slot in &new.unavailable {
                if !old.unavailable.contains(&slot) && !old.row[slot].is_null() {
                    new.row[slot] = old.row[slot].clone();
                }
            }
        }
        match old {
            // A changed primary key: Debezium emits a delete of the old key, its
            // tombstone, and a create of the new key, linked by key headers.
            Some(old)
                if old.key.is_some()
                    && old.key != new.key
                    && old.key.as_deref().is_some_and(TableSchema::key_is_complete) =>
            {
                let old_key = key_data(table, old.key.clone());
                let new_key = key_data(table, new.key.clone());
                if !self.config.common.skips("d") {
                    self.emit(
                        table,
                        Op::Delete,
                        old.key.clone(),
                        Value::Struct(old.row),
                        Value::Null,
                        lsn,
                        Some(("__debezium.newkey", new_key.as_ref())),
                    )
                    .await?;
                    self.tombstone(table, old.key).await?;
                }
                if !self.config.common.skips("c") {
                    self.emit(
                        table,
                        Op::Create,
                        new.key,
                        Value::Null,
                        Value::Struct(new.row),
                        lsn,
                        Some(("__debezium.oldkey", old_key.as_ref())),
                    )
                    .await?;
                }
            }
            old => {
                if !self.config.common.skips("u") {
                    // Under REPLICA IDENTITY DEFAULT pgoutput sends no old row for an
                    // update that keeps the key: `before` is null, as in Debezium.
                    let before = match old {
                        Some(old) if full_old_row => Value::Struct(old.row),
                        _ => Value::Null,
                    };
                    self.emit(
                        table,
                        Op::Update,
                        new.key,
                        before,
                        Value::Struct(new.row),
                        lsn,
                        None,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    fn is_signal_table(&self, oid: u32) -> bool {
        self.signal_table.as_ref().is_some_and(|t| t.oid == oid)
    }

    fn table(&self, oid: u32) -> Option<Arc<TableSchema>> {
        self.registry.get(oid).cloned()
    }

    fn source_info(&self, lsn: u64) -> SourceInfo {
        SourceInfo {
            ts_us: self.txn.as_ref().map_or_else(now_us, |t| t.commit_us),
            snapshot: SnapshotMarker::False,
            tx_id: self.txn.as_ref().map(|t| i64::from(t.xid)),
            lsn: Some(lsn),
            last_commit_lsn: self.last_commit_lsn,
        }
    }

    /// Counts the event in its transaction and emits BEGIN before the first one.
    async fn next_block(
        &mut self,
        table: &TableSchema,
    ) -> Result<Option<TransactionBlock>, StepError> {
        if !self.config.common.provide_transaction_metadata {
            return Ok(None);
        }
        let Some(txn) = self.txn.as_mut() else {
            return Ok(None);
        };
        if !txn.begin_emitted {
            txn.begin_emitted = true;
            let record = self.events.transaction(&txn.id, txn.commit_us / 1000, None);
            self.push(record).await?;
        }
        let Some(txn) = self.txn.as_mut() else {
            return Ok(None);
        };
        txn.total_order += 1;
        let name = table.qualified();
        let per_table = match txn.per_table.iter_mut().find(|(n, _)| *n == name) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                txn.per_table.push((name, 1));
                1
            }
        };
        Ok(Some(TransactionBlock {
            id: txn.id.clone(),
            total_order: txn.total_order,
            data_collection_order: per_table,
        }))
    }

    #[allow(clippy::too_many_arguments)]
    async fn emit(
        &mut self,
        table: &TableSchema,
        op: Op,
        key: Option<Vec<Value>>,
        before: Value,
        after: Value,
        lsn: u64,
        header: Option<(&str, Option<&ConnectData>)>,
    ) -> Result<(), StepError> {
        self.incremental.dedupe_change(
            |name| table.is_named(name),
            |column| table.value_slot_of(column),
            key.as_deref(),
            &before,
            &after,
        );
        let block = self.next_block(table).await?;
        let info = self.source_info(lsn);
        let mut record = self
            .events
            .change(table, op, key, before, after, &info, block.as_ref());
        if let Some((name, key)) = header {
            EventBuilder::with_key_header(&mut record, name, key);
        }
        self.push(record).await?;
        Ok(())
    }

    async fn tombstone(
        &mut self,
        table: &TableSchema,
        key: Option<Vec<Value>>,
    ) -> Result<(), StepError> {
        if self.config.common.tombstones_on_delete {
            if let Some(key) = key_data(table, key) {
                let record = ferrium_event::SourceRecord::new(table.topic.clone(), Some(key), None);
                self.push(record).await?;
            }
        }
        Ok(())
    }
}

/// Waits for the next heartbeat, or forever when heartbeats are off.
async fn tick(timer: &mut Option<tokio::time::Interval>) {
    match timer {
        Some(timer) => {
            timer.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn key_data(table: &TableSchema, key: Option<Vec<Value>>) -> Option<ConnectData> {
    match (&table.key_schema, key) {
        (Some(schema), Some(values)) => {
            Some(ConnectData::new(schema.clone(), Value::Struct(values)))
        }
        _ => None,
    }
}

fn decode(
    table: &TableSchema,
    tuple: &TupleData,
) -> Result<crate::relation::DecodedRow, PostgresError> {
    let mut cells = Vec::with_capacity(tuple.columns.len());
    for (i, column) in tuple.columns.iter().enumerate() {
        cells.push(match column.data_type {
            b'n' => Cell::Null,
            b'u' => Cell::Unchanged,
            b't' => Cell::Text(std::str::from_utf8(column.as_bytes()).map_err(|_| {
                PostgresError::Protocol(format!(
                    "column {} of {} is not valid UTF-8; Ferrium needs a UTF8 database encoding",
                    table.columns.get(i).map_or("?", |c| c.name.as_str()),
                    table.qualified()
                ))
            })?),
            other => {
                return Err(PostgresError::Protocol(format!(
                    "unexpected tuple data kind '{}' in {}",
                    other as char,
                    table.qualified()
                )))
            }
        });
    }
    table.decode(cells.into_iter())
}

enum StepError {
    Closed,
    Failed(PostgresError),
}

impl From<Closed> for StepError {
    fn from(_: Closed) -> Self {
        StepError::Closed
    }
}

impl From<PostgresError> for StepError {
    fn from(e: PostgresError) -> Self {
        StepError::Failed(e)
    }
}

impl From<crate::types::TypeError> for StepError {
    fn from(e: crate::types::TypeError) -> Self {
        StepError::Failed(e.into())
    }
}

#[cfg(test)]
#[path = "stream_prop_tests.rs"]
mod prop_tests;
