//! The worker: a registry of connectors, each with a target state an operator sets
//! (started, paused, stopped) and a status the runtime reports, kept in a config store
//! so both survive restarts. This is what `ferrium serve` (and `ferrium run` with a
//! REST listener) drives through the Kafka Connect REST API.
//!
//! Each connector runs as its own task (`run_connector` with its own cancellation
//! token), so one failing never stops another. Pausing and stopping cancel the run
//! gracefully, which stores the offset of everything delivered; resuming starts a new
//! run from that offset.

mod error;
mod kafka_store;
mod offsets;
mod run;
mod state;
mod status;
mod store;
mod validate;

pub use error::WorkerError;
pub use kafka_store::KafkaConfigStore;
pub use state::{ConnectorStatus, State, StateInfo, TargetState};
pub use store::{
    state_dir, ConfigStore, FileConfigStore, MemoryConfigStore, StoreError, StoredConnector,
};
pub use validate::{resolve_class, unknown_class_message, validate, Validation};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ferrium_config::{redact, ConnectorConfig, WorkerConfig};
use ferrium_event::{Offset, SourcePartition};
use tokio_util::sync::CancellationToken;

use crate::delivery::Delivery;
use run::{drop_slot_if_configured, start_run, stop_run, Run, RunEnv};
use status::StatusCell;

pub struct Worker {
    id: String,
    env: Arc<RunEnv>,
    store: Arc<dyn ConfigStore>,
    slots: Mutex<BTreeMap<String, Arc<Slot>>>,
    /// Serialises creating and deleting, so a name is never created twice at once.
    registry: tokio::sync::Mutex<()>,
}

struct Slot {
    control: tokio::sync::Mutex<Control>,
    status: StatusCell,
    /// `source` or `sink`, from the config's class (kept outside `control` so a status
    /// read never waits for a start or stop).
    kind: Mutex<&'static str>,
    /// Signals to the connector and its snapshot progress, across its runs.
    handles: crate::connector::ConnectorHandles,
}

impl Slot {
    fn typed(&self, mut status: ConnectorStatus) -> ConnectorStatus {
        status.connector_type = *self.kind.lock().unwrap_or_else(|p| p.into_inner());
        status
    }
}

/// `sink` for a sink connector's config, `source` otherwise.
pub fn connector_type(config: &ConnectorConfig) -> &'static str {
    if crate::sink_task::is_sink(config) {
        "sink"
    } else {
        "source"
    }
}

struct Control {
    config: ConnectorConfig,
    target: TargetState,
    run: Option<Run>,
    /// Set by delete: a restart still queued for this connector must not revive it.
    deleted: bool,
}

/// A connector's config and its task ids (none while stopped), for `GET /connectors/{name}`.
#[derive(Debug, Clone)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: ConnectorConfig,
    pub tasks: Vec<u32>,
}

/// Key-value pairs with secrets masked, for logs.
fn shown(config: &ConnectorConfig) -> String {
    config
        .props
        .iter()
        .map(|(k, v)| format!("{k}={}", redact(k, v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a config as create and update do, with its placeholders resolved by the
/// worker's config providers; returns the resolved class.
pub fn check_config(
    config: &ConnectorConfig,
    worker: &WorkerConfig,
) -> Result<&'static str, WorkerError> {
    let (resolved_config, _) = worker.resolve_connector(config);
    let Some(class) = resolved_config
        .get("connector.class")
        .filter(|c| !c.trim().is_empty())
    else {
        let masked: BTreeMap<&str, String> = config
            .props
            .iter()
            .map(|(k, v)| (k.as_str(), redact(k, v)))
            .collect();
        return Err(WorkerError::BadRequest(format!(
            "Connector config {masked:?} contains no connector type"
        )));
    };
    let resolved = resolve_class(class)
        .ok_or_else(|| WorkerError::BadRequest(unknown_class_message(class)))?;
    let report = validate(resolved, worker, config);
    if report.errors.is_empty() {
        return Ok(resolved);
    }
    Err(WorkerError::BadRequest(format!(
        "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{resolved}/config/validate`",
        report.errors.len(),
        report.errors.join("\n")
    )))
}

impl Worker {
    /// Opens the worker with the connectors its store holds, each in its target state.
    pub async fn start(
        id: String,
        config: WorkerConfig,
        delivery: Arc<Delivery>,
        store: Arc<dyn ConfigStore>,
        shutdown: CancellationToken,
    ) -> Result<Arc<Worker>, WorkerError> {
        let worker = Arc::new(Worker {
            id,
            env: Arc::new(RunEnv {
                config,
                delivery,
                shutdown,
            }),
            store: store.clone(),
            slots: Mutex::new(BTreeMap::new()),
            registry: tokio::sync::Mutex::new(()),
        });
        for stored in store.load().await? {
            tracing::info!(connector = %stored.config.name, target = stored.target.as_str(), config = %shown(&stored.config), "loading stored connector");
            let slot = worker.insert_slot(&stored.config, stored.target);
            let mut control = slot.control.lock().await;
            worker.apply(&slot, &mut control).await;
        }
        Ok(worker)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn worker_config(&self) -> &WorkerConfig {
        &self.env.config
    }

    /// The config with its placeholders resolved, for what connects to the connector's
    /// systems outside a run (offsets kept in a sink's target); 400 when one cannot be.
    fn resolved(&self, config: &ConnectorConfig) -> Result<ConnectorConfig, WorkerError> {
        crate::connector::resolve_config(config, &self.env.config)
            .map(|(resolved, _)| resolved)
            .map_err(|e| WorkerError::BadRequest(e.message))
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn slot(&self, name: &str) -> Result<Arc<Slot>, WorkerError> {
        self.slots()
            .get(name)
            .cloned()
            .ok_or_else(|| WorkerError::connector_not_found(name))
    }

    fn insert_slot(&self, config: &ConnectorConfig, target: TargetState) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            control: tokio::sync::Mutex::new(Control {
                config: config.clone(),
                target,
                run: None,
                deleted: false,
            }),
            status: StatusCell::new(&config.name, &self.id, self.store.clone()),
            kind: Mutex::new(connector_type(config)),
            handles: crate::connector::ConnectorHandles::new(),
        });
        self.slots().insert(config.name.clone(), slot.clone());
        slot
    }

    /// Connector names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.slots().keys().cloned().collect()
    }

    /// Creates a connector; 409 when the name is taken.
    pub async fn create(
        &self,
        config: ConnectorConfig,
        initial: TargetState,
    ) -> Result<ConnectorInfo, WorkerError> {
        check_config(&config, &self.env.config)?;
        let _registry = self.registry.lock().await;
        if self.slots().contains_key(&config.name) {
            return Err(WorkerError::Conflict(format!(
                "Connector {} already exists",
                config.name
            )));
        }
        self.store
            .put(&StoredConnector {
                config: config.clone(),
                target: initial,
            })
            .await?;
        tracing::info!(connector = %config.name, config = %shown(&config), "created connector");
        let slot = self.insert_slot(&config, initial);
        let mut control = slot.control.lock().await;
        self.apply(&slot, &mut control).await;
        Ok(info_of(&control, &slot))
    }

    /// Creates or replaces a connector's config; returns whether it was created. A
    /// running connector restarts with the new config.
    pub async fn put_config(
        &self,
        config: ConnectorConfig,
    ) -> Result<(ConnectorInfo, bool), WorkerError> {
        check_config(&config, &self.env.config)?;
        let found = self.slots().get(&config.name).cloned();
        let Some(existing) = found else {
            // A concurrent create in between makes this a 409, as in Kafka Connect.
            let info = self.create(config, TargetState::Started).await?;
            return Ok((info, true));
        };
        let mut control = existing.control.lock().await;
        alive(&config.name, &control)?;
        self.store
            .put(&StoredConnector {
                config: config.clone(),
                target: control.target,
            })
            .await?;
        tracing::info!(connector = %config.name, config = %shown(&config), "updated connector config");
        *existing.kind.lock().unwrap_or_else(|p| p.into_inner()) = connector_type(&config);
        control.config = config;
        if control.target == TargetState::Started {
            stop_run(&existing, &mut control).await;
        }
        self.apply(&existing, &mut control).await;
        Ok((info_of(&control, &existing), false))
    }

    pub async fn info(&self, name: &str) -> Result<ConnectorInfo, WorkerError> {
        let slot = self.slot(name)?;
        let control = slot.control.lock().await;
        Ok(info_of(&control, &slot))
    }

    pub fn status(&self, name: &str) -> Result<ConnectorStatus, WorkerError> {
        let slot = self.slot(name)?;
        Ok(slot.typed(slot.status.snapshot()))
    }

    /// Queues a signal for a source connector (`POST /connectors/{name}/signals`). It
    /// waits in the connector's inbox while the connector is paused or restarting.
    pub fn signal(
        &self,
        name: &str,
        signal: ferrium_event::signal::Signal,
    ) -> Result<(), WorkerError> {
        let slot = self.slot(name)?;
        if *slot.kind.lock().unwrap_or_else(|p| p.into_inner()) == "sink" {
            return Err(WorkerError::Conflict(format!(
                "Connector {name} is a sink connector; signals go to source connectors"
            )));
        }
        let (id, kind) = (signal.id.clone(), signal.kind.clone());
        crate::signal_channels::offer(&slot.handles, signal).map_err(|e| match e {
            crate::signal_channels::Refused::Invalid(m) => WorkerError::BadRequest(m),
            busy @ crate::signal_channels::Refused::Busy => {
                WorkerError::Unavailable(busy.to_string())
            }
        })?;
        tracing::info!(connector = %name, id = %id, kind = %kind, channel = "rest", "signal queued");
        Ok(())
    }

    /// The connector's snapshot progress and signal problems (the REST status shows it).
    pub fn snapshot_report(
        &self,
        name: &str,
    ) -> Result<ferrium_event::snapshot_status::SnapshotReport, WorkerError> {
        Ok(self.slot(name)?.handles.snapshot_status.report())
    }

    /// Stops and forgets a connector (its offsets stay). Its replication slot is dropped
    /// only when its config says `slot.drop.on.stop=true`.
    pub async fn delete(&self, name: &str) -> Result<(), WorkerError> {
        let _registry = self.registry.lock().await;
        let slot = self.slot(name)?;
        let mut control = slot.control.lock().await;
        self.store.remove(name).await?;
        self.slots().remove(name);
        control.deleted = true;
        stop_run(&slot, &mut control).await;
        crate::metrics::forget(name);
        crate::flow_metrics::reset_active_topics(name);
        drop_slot_if_configured(&control.config, &self.env.config).await;
        tracing::info!(connector = %name, "deleted connector");
        Ok(())
    }

    async fn set_target(&self, name: &str, target: TargetState) -> Result<(), WorkerError> {
        let slot = self.slot(name)?;
        let mut control = slot.control.lock().await;
        alive(name, &control)?;
        if control.target != target {
            self.store
                .put(&StoredConnector {
                    config: control.config.clone(),
                    target,
                })
                .await?;
            control.target = target;
            tracing::info!(connector = %name, target = target.as_str(), "target state changed");
        }
        self.apply(&slot, &mut control).await;
        Ok(())
    }

    pub async fn pause(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Paused).await
    }

    pub async fn resume(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Started).await
    }

    pub async fn stop(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Stopped).await
    }

    /// KIP-745 restart. Returns the status with what is being restarted as `RESTARTING`;
    /// the restart itself proceeds in the background, as in Kafka Connect.
    pub async fn restart(
        self: &Arc<Self>,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, WorkerError> {
        let slot = self.slot(name)?;
        let control = slot.control.lock().await;
        let mut status = slot.typed(slot.status.snapshot());
        if control.target != TargetState::Started {
            return Ok(status);
        }
        let (restart_connector, restart_task) = plan_restart(&status, include_tasks, only_failed);
        if restart_connector {
            status.connector = StateInfo::new(State::Restarting);
        }
        if !restart_task {
            return Ok(status);
        }
        for (_, task) in status.tasks.iter_mut() {
            *task = StateInfo::new(State::Restarting);
        }
        slot.status.set_now(
            status.connector.clone(),
            status.tasks.first().map(|t| t.1.clone()),
        );
        drop(control);
        let worker = self.clone();
        tokio::spawn(async move {
            let mut control = slot.control.lock().await;
            stop_run(&slot, &mut control).await;
            worker.apply(&slot, &mut control).await;
        });
        Ok(status)
    }

    /// Restarts task `task` (Ferrium runs task 0 only).
    pub async fn restart_task(&self, name: &str, task: u32) -> Result<(), WorkerError> {
        let slot = self.slot(name)?;
        let mut control = slot.control.lock().await;
        alive(name, &control)?;
        if task != 0 || control.target == TargetState::Stopped {
            return Err(WorkerError::NotFound(format!(
                "Task {name}-{task} not found"
            )));
        }
        if control.target == TargetState::Started {
            stop_run(&slot, &mut control).await;
            self.apply(&slot, &mut control).await;
        }
        Ok(())
    }

    /// The connector's stored offsets (KIP-875 `GET /offsets`).
    pub async fn offsets(&self, name: &str) -> Result<Vec<(SourcePartition, Offset)>, WorkerError> {
        let slot = self.slot(name)?;
        let config = self.resolved(&slot.control.lock().await.config)?;
        if crate::sink_task::is_sink(&config) {
            return crate::sink_task::offsets::read(&config).await;
        }
        offsets::read(&self.env.delivery, &self.env.config, &config).await
    }

    /// Alters (`Some`) or resets (`None`) offsets of a stopped connector.
    pub async fn alter_offsets(
        &self,
        name: &str,
        changes: Vec<(SourcePartition, Option<Offset>)>,
    ) -> Result<(), WorkerError> {
        let slot = self.slot(name)?;
        let control = slot.control.lock().await;
        alive(name, &control)?;
        require_stopped(name, &control)?;
        let config = self.resolved(&control.config)?;
        if crate::sink_task::is_sink(&config) {
            crate::sink_task::offsets::write(&config, &changes, false).await?;
            tracing::info!(connector = %name, changes = changes.len(), "offsets altered");
            return Ok(());
        }
        for (partition, offset) in &changes {
            offsets::write(
                &self.env.delivery,
                &self.env.config,
                &config,
                partition,
                offset.as_ref(),
            )
            .await?;
        }
        tracing::info!(connector = %name, changes = changes.len(), "offsets altered");
        Ok(())
    }

    /// Resets every offset of a stopped connector: its next start is a first start.
    pub async fn reset_offsets(&self, name: &str) -> Result<(), WorkerError> {
        let slot = self.slot(name)?;
        let control = slot.control.lock().await;
        alive(name, &control)?;
        require_stopped(name, &control)?;
        let config = self.resolved(&control.config)?;
        if crate::sink_task::is_sink(&config) {
            crate::sink_task::offsets::write(&config, &[], true).await?;
            tracing::info!(connector = %name, "offsets reset");
            return Ok(());
        }
        for (partition, _) in offsets::read(&self.env.delivery, &self.env.config, &config).await? {
            offsets::write(
                &self.env.delivery,
                &self.env.config,
                &config,
                &partition,
                None,
            )
            .await?;
        }
        tracing::info!(connector = %name, "offsets reset");
        Ok(())
    }

    /// Stops every connector gracefully (offsets stored); called once the shutdown token
    /// fired. Slots of connectors with `slot.drop.on.stop=true` are dropped, as Debezium
    /// does when its task stops.
    pub async fn shutdown(&self) {
        let slots: Vec<Arc<Slot>> = self.slots().values().cloned().collect();
        for slot in slots {
            let mut control = slot.control.lock().await;
            let was_running = control.run.is_some();
            stop_run(&slot, &mut control).await;
            slot.status.set_now(
                StateInfo::new(State::Unassigned),
                Some(StateInfo::new(State::Unassigned)),
            );
            if was_running {
                drop_slot_if_configured(&control.config, &self.env.config).await;
            }
        }
    }

    /// Brings a connector's run in line with its target state.
    async fn apply(&self, slot: &Arc<Slot>, control: &mut Control) {
        if control.deleted {
            return;
        }
        match control.target {
            TargetState::Started => {
                if control.run.is_none() {
                    start_run(&self.env, slot, control);
                }
            }
            TargetState::Paused => {
                stop_run(slot, control).await;
                slot.status.set_now(
                    StateInfo::new(State::Paused),
                    Some(StateInfo::new(State::Paused)),
                );
            }
            TargetState::Stopped => {
                stop_run(slot, control).await;
                slot.status.set_now(StateInfo::new(State::Stopped), None);
            }
        }
    }
}

/// KIP-745: what a restart request restarts, as (connector, task). A connector that
/// failed without a task (its config cannot run) restarts as a whole.
fn plan_restart(status: &ConnectorStatus, include_tasks: bool, only_failed: bool) -> (bool, bool) {
    let connector_failed = status.connector.state == State::Failed;
    let task_failed = status.tasks.iter().any(|(_, t)| t.state == State::Failed);
    let restart_connector = !only_failed || connector_failed;
    let restart_task =
        (include_tasks && (!only_failed || task_failed)) || (connector_failed && restart_connector);
    (restart_connector, restart_task)
}

/// A request that found the connector just before a delete took it away: 404.
fn alive(name: &str, control: &Control) -> Result<(), WorkerError> {
    if control.deleted {
        return Err(WorkerError::connector_not_found(name));
    }
    Ok(())
}

fn require_stopped(name: &str, control: &Control) -> Result<(), WorkerError> {
    if control.target == TargetState::Stopped && control.run.is_none() {
        return Ok(());
    }
    Err(WorkerError::BadRequest(format!(
        "Connectors must be in the STOPPED state before their offsets can be modified. \
         Stop it first with a 'PUT' request to '/connectors/{name}/stop'"
    )))
}

fn info_of(control: &Control, slot: &Slot) -> ConnectorInfo {
    let tasks = if slot.status.snapshot().tasks.is_empty() {
        Vec::new()
    } else {
        vec![0]
    };
    ConnectorInfo {
        name: control.config.name.clone(),
        config: control.config.clone(),
        tasks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(connector: State, task: Option<State>) -> ConnectorStatus {
        ConnectorStatus {
            name: "c".into(),
            connector: StateInfo::new(connector),
            tasks: task.map(|t| (0, StateInfo::new(t))).into_iter().collect(),
            worker_id: "w".into(),
            connector_type: "source",
        }
    }

    #[test]
    fn restart_plans_follow_kip_745() {
        use State::*;
        let healthy = status(Running, Some(Running));
        let failed_task = status(Running, Some(Failed));
        // No flags: the connector instance only.
        assert_eq!(plan_restart(&healthy, false, false), (true, false));
        assert_eq!(plan_restart(&failed_task, false, false), (true, false));
        assert_eq!(plan_restart(&healthy, true, false), (true, true));
        // onlyFailed: nothing healthy restarts.
        assert_eq!(plan_restart(&healthy, true, true), (false, false));
        assert_eq!(plan_restart(&failed_task, true, true), (false, true));
        assert_eq!(plan_restart(&failed_task, false, true), (false, false));
        // A connector that failed before it had a task restarts whole.
        assert_eq!(
            plan_restart(&status(Failed, None), false, true),
            (true, true)
        );
    }

    #[test]
    fn config_checks_name_what_is_wrong() {
        let config = |pairs: &[(&str, &str)]| ConnectorConfig {
            name: "c".into(),
            props: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let worker = WorkerConfig::default();
        let err = check_config(&config(&[("database.password", "pw")]), &worker)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("contains no connector type") && !err.contains("pw"),
            "{err}"
        );
        let err = check_config(&config(&[("connector.class", "x.Y")]), &worker)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(ferrium_source_postgres::CONNECTOR_CLASS),
            "{err}"
        );
        let err = check_config(
            &config(&[("connector.class", "PostgresConnector")]),
            &worker,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("4 error(s)") && err.contains("'topic.prefix'"),
            "{err}"
        );
    }
}
