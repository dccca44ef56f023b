//! Streaming: reads the binlog as a replica from the resume position and turns row events
//! into Debezium change events, DDL into schema history records and schema change
//! events, and transaction ends into checkpoints.
//!
//! The loop is one `select!` with these priorities: shutdown first (nothing half-sent is
//! lost: the last checkpoint is the resume point), then a signal from the Kafka channel or
//! the REST API, then the next binlog event, then the heartbeat timer. Memory is bounded by the emitter's channel: when the runtime is busy
//! the loop waits and the server buffers the binlog.
//!
//! A checkpoint is sent after every transaction (its end position and the GTID set), and
//! inside a large transaction every `max.batch.size` records as the transaction's start
//! plus the number of rows events already emitted, which a restart skips (Debezium's
//! `event` offset key).
//!
//! The signalling table's row events are never emitted: its inserts are signals (the
//! `source` channel) and, with the incremental snapshot's deletes, the watermarks of its
//! chunks. The table is read whether or not `table.include.list` names it. Every offset
//! carries the incremental snapshot's resumable state.

use std::collections::HashMap;
use std::time::Duration;

use ferrium_event::emitter::{Closed, Emitter};
use ferrium_event::metadata::TransactionCounter;
use ferrium_event::signal::{Signal, SignalChannel, SignalInbox};
use ferrium_event::source_info::SnapshotMarker;
use ferrium_event::source_metrics::CommittedTransactions;
use ferrium_event::{ConnectData, Header, Op, SourceExit, SourceRecord, Value};
use futures::StreamExt;
use mysql_async::binlog::events::{Event, EventData, RowsEventData};
use mysql_async::binlog::row::BinlogRow;
use mysql_async::prelude::Queryable;
use mysql_async::{BinlogStream, BinlogStreamRequest, Conn};
use tokio_util::sync::CancellationToken;

use ferrium_snapshot::IncrementalSnapshot;

use crate::chunks::{MysqlChunkReader, MysqlChunkRow};
use crate::config::{InconsistentSchemaMode, MysqlConfig};
use crate::connection::Flavor;
use crate::ddl::{self, Schemas};
use crate::error::{is_privilege_code, MysqlError};
use crate::events::{EventBuilder, SourceInfo};
use crate::gtid_event::{
    annotate_rows_text, mysql_gtid, parse_mariadb_gtid, MARIADB_ANNOTATE_ROWS_EVENT,
    MARIADB_GTID_EVENT,
};
use crate::history::{HistoryPosition, SchemaHistory};
use crate::model::TableId;
use crate::offset::MysqlOffset;
use crate::position::{BinlogPosition, Gtid, GtidSet};
use crate::registry::TableRegistry;
use crate::table::TableSchema;

/// How often the server sends a heartbeat event when the binlog is idle; a connection
/// silent for three periods is considered dead.
const SERVER_HEARTBEAT: Duration = Duration::from_secs(5);

pub struct StreamContext<'a> {
    pub config: &'a MysqlConfig,
    pub flavor: Flavor,
    pub schemas: &'a mut Schemas,
    pub history: &'a mut SchemaHistory,
    pub registry: &'a mut TableRegistry,
    pub events: &'a EventBuilder,
    pub out: &'a mut Emitter,
    pub shutdown: &'a CancellationToken,
    /// Signals from the Kafka channel and the REST API.
    pub signals: &'a SignalInbox,
    pub incremental: IncrementalSnapshot<MysqlChunkRow>,
    pub signal_table: Option<SignalTable>,
}

/// The signalling table and where its `id`, `type` and `data` columns sit in a row image
/// (from the server's catalog at start, used when the schema history does not know it).
pub struct SignalTable {
    pub id: TableId,
    pub columns: [usize; 3],
}

/// The transaction being read.
struct Tx {
    /// Where the transaction's first event (GTID or BEGIN) starts: a mid-transaction
    /// checkpoint resumes here.
    start: BinlogPosition,
    gtid: Option<Gtid>,
    /// `gtid` as the source block writes it, formatted once per transaction.
    gtid_text: Option<String>,
    /// A BEGIN was seen (a DDL group has none and ends with its statement).
    begun: bool,
    /// Rows events read so far, captured or not.
    rows_events: u64,
    records_since_checkpoint: usize,
    thread: Option<u32>,
    counter: Option<TransactionCounter>,
    ts_ms: i64,
}

struct Streamer<'a> {
    cx: StreamContext<'a>,
    file: String,
    gtids: GtidSet,
    server_id: u32,
    tx: Option<Tx>,
    tables: HashMap<u64, TableId>,
    /// Left to skip of the first transaction after a mid-transaction resume.
    skip_events: u64,
    skip_rows: u64,
    query: Option<String>,
    /// The format description event arrived (after it, rotate events parse cleanly).
    format_seen: bool,
    transactions: CommittedTransactions,
    /// The incremental snapshot's own connection (chunk reads, watermarks), opened on
    /// first use.
    chunk_conn: Option<Conn>,
}

/// Why the loop stopped reading.
enum Stop {
    Closed,
    Error(MysqlError),
}

impl From<MysqlError> for Stop {
    fn from(e: MysqlError) -> Self {
        Stop::Error(e)
    }
}

impl From<Closed> for Stop {
    fn from(_: Closed) -> Self {
        Stop::Closed
    }
}

/// Classifies an error of the binlog connection.
fn binlog_error(config: &MysqlConfig, e: mysql_async::Error) -> MysqlError {
    match e {
        mysql_async::Error::Server(e) if is_privilege_code(e.code) => MysqlError::Privilege {
            user: config.user.clone(),
            what: format!(
                "REPLICATION SLAVE, needed to read the binlog ({})",
                e.message
            ),
            fix: format!(
                "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{}'",
                config.user
            ),
        },
        // Another replica registered with this id and the server dropped this connection
        // (MariaDB's ER_SLAVE_SAME_ID 4052; MySQL reports it as 1236). Retrying would only
        // make the two take turns.
        mysql_async::Error::Server(e) if e.code == 4052 || e.message.contains("same server_uuid/server_id") || e.message.contains("same server_id") => {
            MysqlError::Config(format!(
                "another replica connected with database.server.id {} and the server dropped this connection ({}); give every connector and replica a unique database.server.id",
                config.server_id, e.message
            ))
        }
        // ER_MASTER_FATAL_ERROR_READING_BINLOG: purged file or a position the server lacks.
        mysql_async::Error::Server(e) if e.code == 1236 => MysqlError::ResumeMismatch(format!(
            "the server cannot send the binlog from the stored position: {}; if the binlog was purged, take a new snapshot (ferrium reset-offsets, or snapshot.mode=when_needed)",
            e.message
        )),
        other => MysqlError::ConnectionLost(other.to_string()),
    }
}

/// Streams from `start` until shutdown or an error.
pub async fn run_stream(
    mut conn: Conn,
    cx: StreamContext<'_>,
    start: MysqlOffset,
) -> Result<SourceExit, MysqlError> {
    let config = cx.config;
    let period_ns = SERVER_HEARTBEAT.as_nanos() as u64;
    let mut setup = vec![format!("SET @master_heartbeat_period = {period_ns}")];
    if cx.flavor == Flavor::MariaDb {
        // MARIA_SLAVE_CAPABILITY_GTID: send GTID events and ANNOTATE_ROWS as they are.
        setup.push("SET @mariadb_slave_capability = 4".into());
    }
    for sql in setup {
        conn.query_drop(sql.as_str())
            .await
            .map_err(|e| binlog_error(config, e))?;
    }
    let request = BinlogStreamRequest::new(config.server_id)
        .with_filename(start.position.file.as_bytes())
        .with_pos(start.position.pos);
    let stream = conn
        .get_binlog_stream(request)
        .await
        .map_err(|e| binlog_error(config, e))?;
    tracing::info!(position = %start.position, gtids = %start.gtids, "streaming the binlog");
    let mut streamer = Streamer {
        cx,
        file: start.position.file.clone(),
        gtids: start.gtids.clone(),
        server_id: start.server_id,
        tx: None,
        tables: HashMap::new(),
        skip_events: start.skip_events,
        skip_rows: start.skip_rows,
        query: None,
        format_seen: false,
        transactions: CommittedTransactions::new(&config.name),
        chunk_conn: None,
    };
    let result = streamer.run(stream).await;
    match result {
        Ok(exit) => Ok(exit),
        Err(Stop::Closed) => Ok(SourceExit::Shutdown),
        Err(Stop::Error(e)) => Err(e),
    }
}

impl Streamer<'_> {
    async fn run(&mut self, mut stream: BinlogStream) -> Result<SourceExit, Stop> {
        let config = self.cx.config;
        let shutdown = self.cx.shutdown.clone();
        let signals = self.cx.signals;
        // A snapshot a previous run left unfinished goes on now that the binlog is read,
        // so its watermarks will be seen.
        self.kick().await?;
        let mut heartbeat = config.common.heartbeat_interval.map(|every| {
            let mut t = tokio::time::interval(every);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            let event = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(SourceExit::Shutdown),
                signal = signals.recv() => {
                    self.on_signal(signal, None).await?;
                    continue;
                }
                next = tokio::time::timeout(SERVER_HEARTBEAT * 3, stream.next()) => match next {
                    Err(_) => return Err(MysqlError::ConnectionLost(format!(
                        "no binlog data or heartbeat for {} s", (SERVER_HEARTBEAT * 3).as_secs()
                    )).into()),
                    Ok(None) => return Err(MysqlError::ConnectionLost("the server closed the binlog stream".into()).into()),
                    Ok(Some(Err(e))) => return Err(binlog_error(config, e).into()),
                    Ok(Some(Ok(event))) => event,
                },
                _ = async { match heartbeat.as_mut() { Some(t) => { t.tick().await; } None => std::future::pending().await } } => {
                    self.heartbeat().await?;
                    continue;
                }
            };
            self.handle(&stream, event).await?;
        }
    }

    fn now_ms() -> i64 {
        ferrium_event::envelope::ProcessingTime::now().ts_ms
    }

    async fn kick(&mut self) -> Result<(), Stop> {
        let mut reader = MysqlChunkReader {
            config: self.cx.config,
            conn: &mut self.chunk_conn,
            schemas: self.cx.schemas,
            registry: self.cx.registry,
            signal_table: self.cx.signal_table.as_ref().map(|t| &t.id),
        };
        self.cx.incremental.kick(&mut reader).await?;
        Ok(())
    }

    /// Acts on a signal; rows of a window it closed are emitted with `at` (the closing
    /// watermark's position) in their source block. A bad signal is reported and changes
    /// nothing.
    async fn on_signal(&mut self, signal: Signal, at: Option<&SourceInfo>) -> Result<(), Stop> {
        let config = self.cx.config;
        let action = match ferrium_snapshot::parse(&signal) {
            Ok(action) => action,
            Err(problem) => {
                tracing::warn!(connector = %config.name, channel = signal.channel.as_str(), "{problem}");
                self.cx.incremental.report(problem.to_string());
                return Ok(());
            }
        };
        if !matches!(action, ferrium_snapshot::Action::Window { .. }) {
            tracing::info!(connector = %config.name, id = %signal.id, kind = %signal.kind, channel = signal.channel.as_str(), "signal received");
        }
        let mut reader = MysqlChunkReader {
            config,
            conn: &mut self.chunk_conn,
            schemas: self.cx.schemas,
            registry: self.cx.registry,
            signal_table: self.cx.signal_table.as_ref().map(|t| &t.id),
        };
        let Some(emit) = self.cx.incremental.handle(action, &mut reader).await? else {
            return Ok(());
        };
        let info = SourceInfo {
            ts_ms: Self::now_ms(),
            snapshot: SnapshotMarker::Incremental,
            server_id: at.map_or(self.server_id, |a| a.server_id),
            gtid: None,
            file: at.map_or_else(|| self.file.clone(), |a| a.file.clone()),
            pos: at.map_or(0, |a| a.pos),
            row: 0,
            thread: None,
            query: None,
        };
        for chunk_row in emit.rows {
            let table = chunk_row.table;
            let key = EventBuilder::key(&table, chunk_row.row.key);
            let record = self.cx.events.change(
                &table,
                Op::Read,
                key,
                Value::Null,
                Value::Struct(chunk_row.row.row),
                &info,
                None,
            );
            // Not part of the transaction being read: never counted for a resume skip.
            self.cx.out.push(record).await?;
        }
        Ok(())
    }

    /// A row event of the signalling table: inserts are signals (when the `source`
    /// channel is on) or watermarks; with `insert_delete` a delete closes a window.
    async fn on_signal_rows(
        &mut self,
        stream: &BinlogStream,
        rows: &RowsEventData<'_>,
        id: &TableId,
        info: SourceInfo,
    ) -> Result<(), Stop> {
        let inserted = match rows {
            RowsEventData::WriteRowsEventV1(_) | RowsEventData::WriteRowsEvent(_) => true,
            RowsEventData::DeleteRowsEventV1(_) | RowsEventData::DeleteRowsEvent(_) => false,
            _ => return Ok(()),
        };
        let insert_delete = self.cx.config.common.signals.watermarking
            == ferrium_config::signal::Watermarking::InsertDelete;
        if !inserted && !insert_delete {
            return Ok(());
        }
        let Some(tme) = stream.get_tme(rows.table_id()) else {
            return Err(MysqlError::Protocol(format!(
                "no table map for the signalling table {id}"
            ))
            .into());
        };
        let Some(columns) = self.signal_columns(id) else {
            return Ok(());
        };
        let mut signals = Vec::new();
        for row in rows.rows(tme) {
            let (before, after) = row.map_err(|e| {
                MysqlError::Protocol(format!(
                    "cannot decode a row of the signalling table {id}: {e}"
                ))
            })?;
            let Some(image) = (if inserted { after } else { before }) else {
                continue;
            };
            let text = |i: usize| match image.as_ref(i) {
                Some(mysql_async::binlog::value::BinlogValue::Value(
                    mysql_async::Value::Bytes(b),
                )) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            signals.push(Signal {
                id: text(columns[0]),
                kind: text(columns[1]),
                data: text(columns[2]),
                channel: SignalChannel::Source,
            });
        }
        for signal in signals {
            if !inserted {
                // insert_delete: the delete of a window's open row closes it.
                let close = Signal {
                    kind: ferrium_snapshot::action::WINDOW_CLOSE.into(),
                    ..signal
                };
                self.on_signal(close, Some(&info)).await?;
                continue;
            }
            let is_watermark = signal.kind == ferrium_snapshot::action::WINDOW_OPEN
                || signal.kind == ferrium_snapshot::action::WINDOW_CLOSE;
            if is_watermark || self.cx.config.common.signals.source_channel {
                self.on_signal(signal, Some(&info)).await?;
            }
        }
        Ok(())
    }

    /// Where `id`, `type` and `data` sit: from the table model when it knows the table
    /// (it follows DDL), else as the catalog said at start.
    fn signal_columns(&self, id: &TableId) -> Option<[usize; 3]> {
        let signal = self.cx.signal_table.as_ref()?;
        let Some(def) = self.cx.schemas.table(id) else {
            return Some(signal.columns);
        };
        let at = |name: &str| {
            def.columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
        };
        match (at("id"), at("type"), at("data")) {
            (Some(i), Some(t), Some(d)) => Some([i, t, d]),
            _ => {
                tracing::warn!(table = %id, "the signalling table has no longer the columns id, type and data; its rows are ignored");
                None
            }
        }
    }

    fn is_signal_table(&self, id: &TableId) -> bool {
        self.cx.signal_table.as_ref().is_some_and(|t| &t.id == id)
    }

    async fn heartbeat(&mut self) -> Result<(), Stop> {
        if self.tx.is_some() {
            return Ok(());
        }
        // Between transactions the last checkpoint is already the current position.
        let record = self.cx.events.heartbeat(Self::now_ms());
        self.cx.out.push(record).await?;
        self.cx.out.flush().await?;
        Ok(())
    }

    fn offset_at_boundary(&self, position: BinlogPosition) -> MysqlOffset {
        MysqlOffset {
            position,
            gtids: self.gtids.clone(),
            skip_events: 0,
            skip_rows: 0,
            server_id: self.server_id,
            ts_sec: Self::now_ms() / 1000,
        }
    }

    fn begin(&mut self, start: u64, gtid: Option<Gtid>, ts_ms: i64) {
        let id = match &gtid {
            Some(g) => g.to_string(),
            None => format!("file={},pos={}", self.file, start),
        };
        let counter = self
            .cx
            .config
            .common
            .provide_transaction_metadata
            .then(|| TransactionCounter::new(id));
        self.tx = Some(Tx {
            start: BinlogPosition::new(self.file.clone(), start),
            gtid_text: gtid.as_ref().map(ToString::to_string),
            gtid,
            begun: false,
            rows_events: 0,
            records_since_checkpoint: 0,
            thread: None,
            counter,
            ts_ms,
        });
    }

    async fn commit(&mut self, end: u64) -> Result<(), Stop> {
        let Some(tx) = self.tx.take() else {
            return Ok(());
        };
        self.transactions.committed();
        if let Some(gtid) = &tx.gtid {
            self.gtids.add(gtid);
        }
        if let Some(counter) = &tx.counter {
            if counter.begin_emitted {
                let record = self.cx.events.transaction(
                    &counter.id,
                    tx.ts_ms,
                    Some((counter.total_order, &counter.per_table)),
                );
                self.cx.out.push(record).await?;
            }
        }
        self.skip_events = 0;
        self.skip_rows = 0;
        self.query = None;
        let offset = self.offset_at_boundary(BinlogPosition::new(self.file.clone(), end));
        let mut offset = offset.to_offset();
        self.cx.incremental.annotate(&mut offset);
        self.cx.out.checkpoint(offset).await?;
        Ok(())
    }

    async fn handle(&mut self, stream: &BinlogStream, event: Event) -> Result<(), Stop> {
        let header = event.header();
        let end = u64::from(header.log_pos());
        let start = end.saturating_sub(u64::from(header.event_size()));
        let ts_ms = i64::from(header.timestamp()) * 1000;
        if end > 0 {
            // Artificial events (the first rotate, heartbeats) carry no real origin.
            self.server_id = header.server_id();
        }
        match header.event_type_raw() {
            MARIADB_GTID_EVENT => {
                let parsed = parse_mariadb_gtid(event.data(), header.server_id())
                    .map_err(MysqlError::Protocol)?;
                self.begin(start, Some(parsed.gtid), ts_ms);
                return Ok(());
            }
            MARIADB_ANNOTATE_ROWS_EVENT => {
                if self.cx.config.include_query {
                    self.query = Some(annotate_rows_text(event.data()));
                }
                return Ok(());
            }
            _ => {}
        }
        let data = event.read_data().map_err(|e| {
            MysqlError::Protocol(format!(
                "cannot decode a binlog event at {}:{start}: {e}",
                self.file
            ))
        })?;
        let Some(data) = data else {
            return Ok(());
        };
        match data {
            EventData::RotateEvent(rotate) => {
                self.file = binlog_file_name(rotate.name_raw(), !self.format_seen);
            }
            EventData::FormatDescriptionEvent(_) => self.format_seen = true,
            EventData::GtidEvent(gtid) => {
                self.begin(start, Some(mysql_gtid(gtid.sid(), gtid.gno())), ts_ms);
            }
            EventData::QueryEvent(query) => {
                let sql = query.query();
                let word = sql
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                match word.as_str() {
                    "BEGIN" => {
                        if self.tx.is_none() {
                            self.begin(start, None, ts_ms);
                        }
                        if let Some(tx) = self.tx.as_mut() {
                            tx.begun = true;
                            tx.thread = Some(query.thread_id());
                        }
                    }
                    "COMMIT" | "ROLLBACK" => self.commit(end).await?,
                    "XA" | "SAVEPOINT" => {}
                    _ => {
                        let schema = query.schema().into_owned();
                        let sql = sql.into_owned();
                        self.ddl(&schema, &sql, end, ts_ms, query.thread_id())
                            .await?;
                        if self.tx.as_ref().is_none_or(|tx| !tx.begun) {
                            if self.tx.is_none() {
                                self.begin(start, None, ts_ms);
                            }
                            self.commit(end).await?;
                        }
                    }
                }
            }
            EventData::TableMapEvent(map) => {
                self.tables.insert(
                    map.table_id(),
                    TableId::new(
                        map.database_name().into_owned(),
                        map.table_name().into_owned(),
                    ),
                );
            }
            EventData::RowsQueryEvent(rows_query) if self.cx.config.include_query => {
                self.query = Some(rows_query.query().into_owned());
            }
            EventData::RowsEvent(rows) => {
                self.rows(stream, &rows, start, ts_ms, header.server_id())
                    .await?
            }
            EventData::XidEvent(_) => self.commit(end).await?,
            _ => {}
        }
        Ok(())
    }

    async fn ddl(
        &mut self,
        database: &str,
        sql: &str,
        end: u64,
        ts_ms: i64,
        thread: u32,
    ) -> Result<(), Stop> {
        let config = self.cx.config;
        let changes = match ddl::apply(self.cx.schemas, database, sql) {
            Ok(changes) => changes,
            Err(e) if config.skip_unparseable_ddl => {
                tracing::warn!(error = %e, "skipping a DDL statement Ferrium cannot parse (schema.history.internal.skip.unparseable.ddl=true)");
                return Ok(());
            }
            Err(e) if !may_touch_captured(config, self.cx.schemas, database, sql) => {
                // Another database's statement: no row Ferrium emits depends on it.
                tracing::warn!(error = %e, "skipping a DDL statement Ferrium cannot parse; it concerns no captured table");
                return Ok(());
            }
            Err(e) => return Err(MysqlError::Ddl(e).into()),
        };
        if changes.is_empty() {
            return Ok(());
        }
        for change in &changes {
            self.cx.registry.invalidate(&change.id);
            if let Some(previous) = &change.previous_id {
                self.cx.registry.invalidate(previous);
            }
        }
        let captured: Vec<_> = changes
            .iter()
            .filter(|c| {
                config.filters.captures_table(&c.id.database, &c.id.table)
                    || c.previous_id
                        .as_ref()
                        .is_some_and(|p| config.filters.captures_table(&p.database, &p.table))
            })
            .collect();
        let stored: Vec<serde_json::Value> = if config.store_only_captured_tables_ddl {
            captured.iter().map(|c| c.to_json()).collect()
        } else {
            changes.iter().map(|c| c.to_json()).collect()
        };
        if !stored.is_empty() {
            let at = HistoryPosition {
                position: BinlogPosition::new(self.file.clone(), end),
                gtids: self.gtids.clone(),
                snapshot: false,
            };
            self.cx.history.record(&at, database, sql, &stored).await?;
        }
        if config.include_schema_changes && !captured.is_empty() {
            let mut by_db: Vec<(String, Vec<serde_json::Value>, Option<String>)> = Vec::new();
            for change in &captured {
                let json = change.to_schema_change_json();
                match by_db
                    .iter_mut()
                    .find(|(db, _, _)| db == &change.id.database)
                {
                    Some((_, list, _)) => list.push(json),
                    None => by_db.push((
                        change.id.database.clone(),
                        vec![json],
                        Some(change.id.table.clone()),
                    )),
                }
            }
            for (db, json, table) in by_db {
                let info = SourceInfo {
                    ts_ms,
                    snapshot: SnapshotMarker::False,
                    server_id: self.server_id,
                    gtid: self.tx.as_ref().and_then(|t| t.gtid_text.clone()),
                    file: self.file.clone(),
                    pos: end,
                    row: 0,
                    thread: Some(thread),
                    query: None,
                };
                let record = self
                    .cx
                    .events
                    .schema_change(&info, &db, table.as_deref(), sql, &json);
                self.cx.out.push(record).await?;
            }
        }
        Ok(())
    }

    async fn rows(
        &mut self,
        stream: &BinlogStream,
        rows: &RowsEventData<'_>,
        start: u64,
        ts_ms: i64,
        event_server_id: u32,
    ) -> Result<(), Stop> {
        let config = self.cx.config;
        if self.tx.is_none() {
            // Rows outside BEGIN/COMMIT (a non-transactional engine): their own unit.
            self.begin(start, None, ts_ms);
        }
        let table_id = rows.table_id();
        let Some(id) = self.tables.get(&table_id).cloned() else {
            return Err(MysqlError::Protocol(format!(
                "a rows event at {}:{start} refers to table id {table_id} without a table map",
                self.file
            ))
            .into());
        };
        let skip_whole_event = self.skip_events > 0;
        if skip_whole_event {
            self.skip_events -= 1;
        }
        let skip_rows = if skip_whole_event {
            0
        } else {
            std::mem::take(&mut self.skip_rows)
        };
        if let Some(tx) = self.tx.as_mut() {
            tx.rows_events += 1;
        }
        if skip_whole_event {
            return Ok(());
        }
        if self.is_signal_table(&id) {
            let info = SourceInfo {
                ts_ms,
                snapshot: SnapshotMarker::False,
                server_id: event_server_id,
                gtid: None,
                file: self.file.clone(),
                pos: start,
                row: 0,
                thread: None,
                query: None,
            };
            return self.on_signal_rows(stream, rows, &id, info).await;
        }
        if !config.filters.captures_table(&id.database, &id.table) {
            return Ok(());
        }
        let table = match self.cx.registry.get(config, self.cx.schemas, &id)? {
            Some(table) => table,
            None => match config.inconsistent_schema {
                InconsistentSchemaMode::Fail => {
                    return Err(MysqlError::Schema(format!(
                        "rows of {id} arrived, but the schema history has no definition of it; the history may be incomplete or from another server (set inconsistent.schema.handling.mode=warn or skip to drop such rows, or take a new snapshot with ferrium reset-offsets)"
                    ))
                    .into())
                }
                mode => {
                    if mode == InconsistentSchemaMode::Warn {
                        tracing::warn!(table = %id, "skipping rows of a table the schema history does not know");
                    }
                    return Ok(());
                }
            },
        };
        let Some(tme) = stream.get_tme(table_id) else {
            return Err(
                MysqlError::Protocol(format!("no table map for table id {table_id}")).into(),
            );
        };
        if tme.columns_count() as usize != table.column_count() {
            return Err(MysqlError::Schema(format!(
                "the binlog has {} columns for {id} but the schema history knows {} ({}); the history is out of step with the server (a DDL statement was missed or skipped)",
                tme.columns_count(),
                table.column_count(),
                table.def.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
        let op = match rows {
            RowsEventData::WriteRowsEventV1(_) | RowsEventData::WriteRowsEvent(_) => Op::Create,
            RowsEventData::UpdateRowsEventV1(_) | RowsEventData::UpdateRowsEvent(_) => Op::Update,
            RowsEventData::DeleteRowsEventV1(_) | RowsEventData::DeleteRowsEvent(_) => Op::Delete,
            RowsEventData::PartialUpdateRowsEvent(_) => return Err(MysqlError::ServerSetup {
                problem:
                    "the binlog holds partial JSON updates (binlog_row_value_options=PARTIAL_JSON)"
                        .into(),
                fix: "set binlog_row_value_options='' so updates carry whole JSON values".into(),
            }
            .into()),
        };
        for (index, row) in rows.rows(tme).enumerate() {
            let (before, after) = row.map_err(|e| {
                MysqlError::Protocol(format!(
                    "cannot decode a row of {id} at {}:{start}: {e}",
                    self.file
                ))
            })?;
            if index < skip_rows as usize {
                continue;
            }
            let before = before.map(|r| decode(&table, &r)).transpose()?;
            let after = after.map(|r| decode(&table, &r)).transpose()?;
            let info = SourceInfo {
                ts_ms,
                snapshot: SnapshotMarker::False,
                server_id: event_server_id,
                gtid: self.tx.as_ref().and_then(|t| t.gtid_text.clone()),
                file: self.file.clone(),
                pos: start,
                row: index as u32,
                thread: self.tx.as_ref().and_then(|t| t.thread),
                query: self.query.clone(),
            };
            self.emit_row(&table, op, before, after, &info).await?;
        }
        self.maybe_checkpoint_inside().await?;
        Ok(())
    }

    async fn emit_row(
        &mut self,
        table: &TableSchema,
        op: Op,
        before: Option<crate::table::DecodedRow>,
        after: Option<crate::table::DecodedRow>,
        info: &SourceInfo,
    ) -> Result<(), Stop> {
        let config = self.cx.config;
        match (op, before, after) {
            (Op::Create, _, Some(after)) => {
                if !config.common.skips("c") {
                    let key = EventBuilder::key(table, after.key);
                    self.push_change(
                        table,
                        Op::Create,
                        key,
                        Value::Null,
                        Value::Struct(after.row),
                        info,
                        None,
                    )
                    .await?;
                }
            }
            (Op::Delete, Some(before), _) => {
                if !config.common.skips("d") {
                    let key = EventBuilder::key(table, before.key);
                    self.push_change(
                        table,
                        Op::Delete,
                        key.clone(),
                        Value::Struct(before.row),
                        Value::Null,
                        info,
                        None,
                    )
                    .await?;
                    if config.common.tombstones_on_delete {
                        self.push(SourceRecord::new(table.topic.clone(), key, None))
                            .await?;
                    }
                }
            }
            (Op::Update, Some(before), Some(after)) => {
                if config.common.skips("u") {
                    return Ok(());
                }
                let old_key = EventBuilder::key(table, before.key);
                let new_key = EventBuilder::key(table, after.key);
                if old_key.as_ref().map(|k| &k.value) != new_key.as_ref().map(|k| &k.value) {
                    // A primary key change is a delete of the old row and a create of the
                    // new one, as Debezium emits it.
                    if !config.common.skips("d") {
                        self.push_change(
                            table,
                            Op::Delete,
                            old_key.clone(),
                            Value::Struct(before.row),
                            Value::Null,
                            info,
                            new_key.as_ref().map(|k| ("__debezium.newkey", k)),
                        )
                        .await?;
                        if config.common.tombstones_on_delete {
                            self.push(SourceRecord::new(
                                table.topic.clone(),
                                old_key.clone(),
                                None,
                            ))
                            .await?;
                        }
                    }
                    if !config.common.skips("c") {
                        self.push_change(
                            table,
                            Op::Create,
                            new_key.clone(),
                            Value::Null,
                            Value::Struct(after.row),
                            info,
                            old_key.as_ref().map(|k| ("__debezium.oldkey", k)),
                        )
                        .await?;
                    }
                } else {
                    self.push_change(
                        table,
                        Op::Update,
                        new_key,
                        Value::Struct(before.row),
                        Value::Struct(after.row),
                        info,
                        None,
                    )
                    .await?;
                }
            }
            _ => {
                return Err(MysqlError::Protocol(format!(
                    "a rows event of {} lacks its before or after image",
                    table.def.id
                ))
                .into())
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn push_change(
        &mut self,
        table: &TableSchema,
        op: Op,
        key: Option<ConnectData>,
        before: Value,
        after: Value,
        info: &SourceInfo,
        header: Option<(&str, &ConnectData)>,
    ) -> Result<(), Stop> {
        let key_values = match key.as_ref().map(|k| &k.value) {
            Some(Value::Struct(values)) => Some(values.as_slice()),
            _ => None,
        };
        self.cx.incremental.dedupe_change(
            |name| table.is_named(name),
            |column| table.value_slot_of(column),
            key_values,
            &before,
            &after,
        );
        let block = match self.tx.as_mut().and_then(|tx| tx.counter.as_mut()) {
            Some(counter) => {
                if !counter.begin_emitted {
                    counter.begin_emitted = true;
                    let id = counter.id.clone();
                    let ts = self.tx.as_ref().map_or(info.ts_ms, |t| t.ts_ms);
                    let record = self.cx.events.transaction(&id, ts, None);
                    self.cx.out.push(record).await?;
                }
                self.tx
                    .as_mut()
                    .and_then(|tx| tx.counter.as_mut())
                    .map(|c| c.next(&format!("{}.{}", table.def.id.database, table.def.id.table)))
            }
            None => None,
        };
        let mut record = self
            .cx
            .events
            .change(table, op, key, before, after, info, block.as_ref());
        if let Some((name, key)) = header {
            record.headers.push(Header {
                key: name.to_string(),
                value: key.clone(),
            });
        }
        self.push(record).await
    }

    async fn push(&mut self, record: SourceRecord) -> Result<(), Stop> {
        if let Some(tx) = self.tx.as_mut() {
            tx.records_since_checkpoint += 1;
        }
        self.cx.out.push(record).await?;
        Ok(())
    }

    /// Inside a large transaction: a resumable offset once enough records are out.
    async fn maybe_checkpoint_inside(&mut self) -> Result<(), Stop> {
        let max = self.cx.config.common.max_batch_size;
        let Some(tx) = self.tx.as_mut() else {
            return Ok(());
        };
        if tx.records_since_checkpoint < max {
            return Ok(());
        }
        tx.records_since_checkpoint = 0;
        let offset = MysqlOffset {
            position: tx.start.clone(),
            gtids: self.gtids.clone(),
            skip_events: tx.rows_events,
            skip_rows: 0,
            server_id: self.server_id,
            ts_sec: tx.ts_ms / 1000,
        };
        let mut offset = offset.to_offset();
        self.cx.incremental.annotate(&mut offset);
        self.cx.out.checkpoint(offset).await?;
        Ok(())
    }
}

/// Whether a statement Ferrium could not parse may change a captured table: it ran in a
/// captured database, or its text names a captured table. Without a parse the target is
/// not known for sure, so this errs towards "yes" (which stops the connector).
fn may_touch_captured(config: &MysqlConfig, schemas: &Schemas, database: &str, sql: &str) -> bool {
    if config.filters.captures_database(database) {
        return true;
    }
    let text = sql.to_ascii_lowercase();
    schemas
        .tables()
        .filter(|t| config.filters.captures_table(&t.id.database, &t.id.table))
        .any(|t| names_identifier(&text, &t.id.table.to_ascii_lowercase()))
}

/// Whether `name` occurs in `text` as a whole identifier (not inside a longer one).
fn names_identifier(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The file name of a rotate event. The artificial rotate that opens the stream comes
/// before the format description that announces checksums, so the driver reads the
/// event's four CRC bytes (the stream asks for `binlog_checksum=ALL`) as part of the name.
fn binlog_file_name(raw: &[u8], before_format_description: bool) -> String {
    let name = match raw.len() {
        n if before_format_description && n > 4 => &raw[..n - 4],
        _ => raw,
    };
    String::from_utf8_lossy(name).into_owned()
}

fn decode(table: &TableSchema, row: &BinlogRow) -> Result<crate::table::DecodedRow, MysqlError> {
    table.decode_with(|i, codec| match row.as_ref(i) {
        Some(value) => Ok(codec.decode_binlog(value)?),
        None => Err(MysqlError::ServerSetup {
            problem: format!(
                "a row of {} lacks column {} in its image (binlog_row_image is not FULL for this session)",
                table.def.id, table.def.columns[i].name
            ),
            fix: "set binlog_row_image=FULL globally and reconnect the writers".into(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::binlog_file_name;

    #[test]
    fn identifiers_match_whole_words_only() {
        use super::names_identifier;
        assert!(names_identifier("alter table `t` order by id", "t"));
        assert!(names_identifier("alter table db.t add c int", "t"));
        assert!(!names_identifier(
            "alter table t_badddl order by id, v",
            "t"
        ));
        assert!(!names_identifier("alter table u order by id", "t"));
    }

    #[test]
    fn rotate_names_lose_a_trailing_checksum() {
        assert_eq!(
            binlog_file_name(b"binlog.000002\x9fTa7", true),
            "binlog.000002"
        );
        assert_eq!(
            binlog_file_name(b"mysql-bin.000123", false),
            "mysql-bin.000123"
        );
    }
}
