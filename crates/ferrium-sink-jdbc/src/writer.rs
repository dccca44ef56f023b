//! The JDBC sink's writer: takes consumed records (already through the transforms) in
//! Kafka order, fits each table to its records under `schema.evolution`, gathers the
//! rows of a flush, and applies them with the next Kafka offsets in one transaction of
//! the target database. That transaction is what makes the sink exactly once: a
//! restarted sink reads its offsets back from the same database, so a change is never
//! applied twice nor skipped, whatever failed and wherever.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ferrium_event::{Schema, SourceRecord};

use crate::batch::Batch;
use crate::change::{classify, Cell, Change, Coordinates};
use crate::column::{column_kind, ColumnKind};
use crate::config::{InsertMode, JdbcSinkConfig};
use crate::dialect::{AppliedOffset, StoredOffset, Target};
use crate::error::SinkError;
use crate::render::{is_unavailable, render, SqlValue};
use crate::table::{fold_identifier, plan, wanted, Evolution, TableName, TargetTable};

/// How a row's cells become a statement's columns, worked out once per table and schema.
struct Plan {
    table: Arc<TargetTable>,
    columns: Vec<String>,
    kinds: Vec<ColumnKind>,
    key_len: usize,
    /// The schemas the plan was made for, kept alive so their addresses stay theirs.
    schemas: Vec<Arc<Schema>>,
}

/// What one flush applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Records consumed since the last flush, applied or skipped.
    pub records: usize,
    pub rows_written: usize,
    pub rows_deleted: usize,
    pub truncates: usize,
    /// The largest `ts_ms` among the flushed change events, for the lag metric.
    pub newest_event_ms: Option<i64>,
}

pub struct JdbcWriter {
    config: JdbcSinkConfig,
    target: Target,
    tables: HashMap<String, Option<Arc<TargetTable>>>,
    /// The table each topic's last change went to, for tombstones.
    topic_tables: HashMap<Arc<str>, String>,
    plans: HashMap<u64, Plan>,
    batch: Batch,
    next_offsets: BTreeMap<(Arc<str>, i32), i64>,
    pending: Flushed,
}

fn plan_key(table: &str, cells: &[&Cell]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    table.hash(&mut h);
    for cell in cells {
        cell.name.hash(&mut h);
        (Arc::as_ptr(&cell.schema) as usize).hash(&mut h);
    }
    h.finish()
}

impl JdbcWriter {
    /// Connects to the target and makes sure the offsets table exists.
    pub async fn open(config: JdbcSinkConfig) -> Result<JdbcWriter, SinkError> {
        let mut target = Target::connect(&config).await?;
        target.ensure_offsets(&config.offsets_table).await?;
        Ok(JdbcWriter {
            batch: Batch::new(config.insert_mode, config.use_reduction_buffer),
            config,
            target,
            tables: HashMap::new(),
            topic_tables: HashMap::new(),
            plans: HashMap::new(),
            next_offsets: BTreeMap::new(),
            pending: Flushed::default(),
        })
    }

    pub fn config(&self) -> &JdbcSinkConfig {
        &self.config
    }

    /// The offsets this connector applied, from the target database.
    pub async fn stored_offsets(&mut self) -> Result<Vec<StoredOffset>, SinkError> {
        let table = self.config.offsets_table.clone();
        self.target.read_offsets(&table, &self.config.name).await
    }

    /// Records consumed and not yet flushed.
    pub fn pending(&self) -> usize {
        self.pending.records
    }

    /// A record that the transforms dropped: nothing to write, but its offset advances.
    pub fn skip(&mut self, at: &Coordinates) {
        self.advance(at);
    }

    fn advance(&mut self, at: &Coordinates) {
        self.next_offsets
            .insert((at.topic.clone(), at.partition), at.offset + 1);
        self.pending.records += 1;
    }

    /// Adds one record to the flush being gathered.
    pub async fn push(
        &mut self,
        record: &SourceRecord,
        at: &Coordinates,
        ts_ms: Option<i64>,
    ) -> Result<(), SinkError> {
        let mut change = classify(&self.config, record, at).map_err(|e| SinkError::fail(e.0))?;
        if let Change::DeleteInTopicTable { key } = change {
            change = match self.topic_tables.get(&at.topic) {
                Some(table) => Change::Delete {
                    table: table.clone(),
                    key,
                },
                // Its delete came before a restart and was applied then.
                None => Change::Skip("tombstone of a table not seen since the start"),
            };
        }
        if let Change::Write { table, .. }
        | Change::Delete { table, .. }
        | Change::Truncate { table } = &change
        {
            if self.topic_tables.get(&at.topic) != Some(table) {
                self.topic_tables.insert(at.topic.clone(), table.clone());
            }
        }
        match change {
            Change::DeleteInTopicTable { .. } => {}
            Change::Skip(why) => {
                tracing::trace!(topic = %at.topic, offset = at.offset, why, "record not applied")
            }
            Change::Write {
                table,
                key,
                columns,
            } => {
                self.write(&table, &key, &columns).await?;
                self.pending.rows_written += 1;
            }
            Change::Delete { table, key } => {
                if let Some(target) = self.table(&table).await? {
                    let names: Vec<String> = key
                        .iter()
                        .map(|c| {
                            fold_identifier(
                                &c.name,
                                self.config.quote_identifiers,
                                self.target.dialect(),
                            )
                        })
                        .collect();
                    let row = key
                        .iter()
                        .map(|c| self.render_cell(c))
                        .collect::<Result<Vec<_>, _>>()?;
                    self.batch.delete(&target, names, row);
                    self.pending.rows_deleted += 1;
                }
            }
            Change::Truncate { table } => {
                if let Some(target) = self.table(&table).await? {
                    self.batch.truncate(&target);
                    self.pending.truncates += 1;
                }
            }
        }
        if let Some(ts) = ts_ms {
            self.pending.newest_event_ms =
                Some(self.pending.newest_event_ms.map_or(ts, |n| n.max(ts)));
        }
        self.advance(at);
        Ok(())
    }

    fn render_cell(&self, cell: &Cell) -> Result<SqlValue, SinkError> {
        let kind = column_kind(&cell.name, &cell.schema).map_err(SinkError::fail)?;
        render(&kind, &cell.schema, &cell.value, self.target.dialect())
            .map_err(|e| SinkError::fail(format!("field '{}': {e}", cell.name)))
    }

    /// The target table by resolved name, `None` when it does not exist.
    async fn table(&mut self, name: &str) -> Result<Option<Arc<TargetTable>>, SinkError> {
        if let Some(found) = self.tables.get(name) {
            return Ok(found.clone());
        }
        let parsed = TableName::parse(name, self.config.quote_identifiers, self.target.dialect());
        let found = self.target.describe(&parsed).await?.map(Arc::new);
        self.tables.insert(name.to_string(), found.clone());
        Ok(found)
    }

    async fn write(
        &mut self,
        table: &str,
        key: &[Cell],
        columns: &[Cell],
    ) -> Result<(), SinkError> {
        let cells: Vec<&Cell> = key.iter().chain(columns).collect();
        let id = plan_key(table, &cells);
        let fresh = self.plans.get(&id).is_none_or(|p| {
            p.schemas.len() != cells.len()
                || p.schemas
                    .iter()
                    .zip(&cells)
                    .any(|(s, c)| !Arc::ptr_eq(s, &c.schema))
        });
        if fresh {
            let plan = self.make_plan(table, key, columns).await?;
            self.plans.insert(id, plan);
        }
        let Some(plan) = self.plans.get(&id) else {
            return Err(SinkError::fail("internal: a write plan vanished"));
        };
        let dialect = self.target.dialect();
        let mut row = Vec::with_capacity(cells.len());
        let mut omitted: Vec<usize> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if i >= plan.key_len && is_unavailable(&cell.value) {
                // A TOASTed value the source did not send: keep what the row has.
                omitted.push(i);
                continue;
            }
            row.push(
                render(&plan.kinds[i], &cell.schema, &cell.value, dialect).map_err(|e| {
                    SinkError::fail(format!(
                        "table {}, column {}: {e}",
                        plan.table.name, plan.columns[i]
                    ))
                })?,
            );
        }
        let names = if omitted.is_empty() {
            plan.columns.clone()
        } else {
            plan.columns
                .iter()
                .enumerate()
                .filter(|(i, _)| !omitted.contains(i))
                .map(|(_, c)| c.clone())
                .collect()
        };
        let (target, key_len) = (plan.table.clone(), plan.key_len);
        self.batch.write(&target, names, key_len, row);
        Ok(())
    }

    async fn make_plan(
        &mut self,
        table: &str,
        key: &[Cell],
        columns: &[Cell],
    ) -> Result<Plan, SinkError> {
        let dialect = self.target.dialect();
        let quote = self.config.quote_identifiers;
        let name = TableName::parse(table, quote, dialect);
        let want = wanted(key, columns, quote, dialect)
            .map_err(|e| SinkError::fail(format!("table {name}: {e}")))?;
        let key_names: Vec<String> = want[..key.len()].iter().map(|c| c.name.clone()).collect();
        let existing = self.table(table).await?;
        let target = &self.target;
        let evolution = plan(
            &name,
            existing.as_deref(),
            &want,
            self.config.schema_evolution,
            |t| target.family(t),
        )
        .map_err(SinkError::fail)?;
        let changed = match evolution {
            Evolution::Fits => false,
            Evolution::Create => {
                tracing::info!(table = %name, columns = want.len(), "creating the target table (schema.evolution=basic)");
                self.target.create(&name, &want, &key_names).await?;
                true
            }
            Evolution::Add(missing) => {
                tracing::info!(table = %name, columns = ?missing.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), "adding columns to the target table (schema.evolution=basic)");
                self.target.add(&name, &missing).await?;
                true
            }
        };
        if changed {
            self.tables.remove(table);
        }
        let Some(target_table) = self.table(table).await? else {
            return Err(SinkError::fail(format!("table {name} was created but cannot be found: check the user's privileges on its schema")));
        };
        if self.config.insert_mode != InsertMode::Insert {
            let mut have = target_table.primary_key.clone();
            let mut need = key_names.clone();
            have.sort();
            need.sort();
            if have != need {
                return Err(SinkError::fail(format!(
                    "table {name} has primary key ({}) but the records' key is ({}): insert.mode={} needs them equal; alter the table's primary key or set primary.key.fields",
                    target_table.primary_key.join(", "),
                    key_names.join(", "),
                    match self.config.insert_mode {
                        InsertMode::Upsert => "upsert",
                        _ => "update",
                    }
                )));
            }
        }
        Ok(Plan {
            table: target_table,
            columns: want.iter().map(|c| c.name.clone()).collect(),
            kinds: want.iter().map(|c| c.kind.clone()).collect(),
            key_len: key.len(),
            schemas: key
                .iter()
                .chain(columns)
                .map(|c| c.schema.clone())
                .collect(),
        })
    }

    /// Applies what was gathered, with the next offsets, in one transaction. On an
    /// error nothing of it is applied; the caller restarts from the stored offsets.
    pub async fn flush(&mut self) -> Result<Flushed, SinkError> {
        if self.pending.records == 0 {
            return Ok(Flushed::default());
        }
        let offsets: Vec<AppliedOffset> = self
            .next_offsets
            .iter()
            .map(|((topic, partition), next)| AppliedOffset {
                topic: topic.clone(),
                partition: *partition,
                next_offset: *next,
            })
            .collect();
        let guard = self
            .config
            .guard_field
            .as_deref()
            .map(|g| fold_identifier(g, self.config.quote_identifiers, self.target.dialect()));
        self.target
            .apply(
                &self.batch.segments,
                self.batch.mode(),
                guard.as_deref(),
                &self.config.offsets_table,
                &self.config.name,
                &offsets,
            )
            .await?;
        self.batch = Batch::new(self.config.insert_mode, self.config.use_reduction_buffer);
        self.next_offsets.clear();
        Ok(std::mem::take(&mut self.pending))
    }

    /// KIP-875 offset changes, written to the target's offsets table.
    pub async fn alter_offsets(
        &mut self,
        changes: &[(String, i32, Option<i64>)],
        reset_all: bool,
    ) -> Result<(), SinkError> {
        let table = self.config.offsets_table.clone();
        self.target
            .alter_offsets(&table, &self.config.name, changes, reset_all)
            .await
    }
}
