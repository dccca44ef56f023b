//! One connector run: started in the background as its own task, stopped gracefully,
//! its failure reported through the status cell; and the slot clean-up a deleted
//! connector may ask for.

use std::sync::Arc;

use ferrium_config::{ConnectorConfig, WorkerConfig};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{check_config, resolve_class, Control, Slot, State, StateInfo};
use crate::connector::{run_connector, ConnectorOutcome};
use crate::delivery::Delivery;

/// What a run needs, shared by every connector of the worker.
pub(super) struct RunEnv {
    pub config: WorkerConfig,
    pub delivery: Arc<Delivery>,
    pub shutdown: CancellationToken,
}

pub(super) struct Run {
    cancel: CancellationToken,
    join: JoinHandle<()>,
}

fn trace(error: &crate::ConnectorError) -> String {
    format!("ferrium::ConnectorError: {}", error.message)
}

/// Starts a run in the background; its status is RUNNING until it fails.
pub(super) fn start_run(env: &Arc<RunEnv>, slot: &Arc<Slot>, control: &mut Control) {
    let generation = slot.status.begin();
    let mut config = control.config.clone();
    let class = match check_config(&config, &env.config) {
        Ok(class) => class,
        Err(error) => {
            // A stored config this build cannot run (e.g. its class is gone): the
            // connector itself fails, with no task, as in Kafka Connect.
            slot.status
                .set(generation, StateInfo::failed(error.to_string()), None);
            return;
        }
    };
    config.props.insert("connector.class".into(), class.into());
    // The worker drops the slot itself on delete; a pause or a restart must keep it.
    config
        .props
        .insert("slot.drop.on.stop".into(), "false".into());
    slot.status.set(
        generation,
        StateInfo::new(State::Running),
        Some(StateInfo::new(State::Running)),
    );
    let cancel = env.shutdown.child_token();
    let env = env.clone();
    let run_slot = slot.clone();
    let token = cancel.clone();
    let handles = slot.handles.clone();
    let join = tokio::spawn(async move {
        let name = config.name.clone();
        let result = run_connector(
            config,
            env.config.clone(),
            env.delivery.clone(),
            handles,
            token,
        )
        .await;
        match result {
            Err(error) => {
                tracing::error!(connector = %name, %error, "connector failed");
                run_slot.status.set(
                    generation,
                    StateInfo::new(State::Running),
                    Some(StateInfo::failed(trace(&error))),
                );
            }
            Ok(ConnectorOutcome::Finished) => {
                tracing::info!(connector = %name, "connector finished: nothing more to capture")
            }
            Ok(ConnectorOutcome::Stopped) => {}
        }
    });
    control.run = Some(Run { cancel, join });
}

/// Stops the run, if any, gracefully: in-flight records are delivered and the offset
/// stored before this returns.
pub(super) async fn stop_run(slot: &Slot, control: &mut Control) {
    if let Some(run) = control.run.take() {
        // A new generation first, so the ending run cannot report anything any more.
        slot.status.begin();
        run.cancel.cancel();
        if let Err(error) = run.join.await {
            tracing::error!(connector = %control.config.name, %error, "connector task panicked");
        }
    }
}

pub(super) async fn drop_slot_if_configured(config: &ConnectorConfig, worker: &WorkerConfig) {
    let is_postgres = config
        .get("connector.class")
        .and_then(resolve_class)
        .is_some_and(|c| c == ferrium_source_postgres::CONNECTOR_CLASS);
    if !is_postgres {
        return;
    }
    // Dropping the slot connects to the database: with the resolved password.
    let (config, scrubber) = match crate::connector::resolve_config(config, worker) {
        Ok(resolved) => resolved,
        Err(error) => {
            tracing::warn!(connector = %config.name, error = %error.message, "cannot drop the replication slot");
            return;
        }
    };
    if let Err(error) = ferrium_source_postgres::admin::drop_slot_if_configured(&config).await {
        let error = scrubber.scrub(&error.to_string());
        tracing::warn!(connector = %config.name, %error, "cannot drop the replication slot");
    }
}
