//! Metrics the runtime records, through the `metrics` facade (a worker installs the
//! Prometheus recorder; without one, recording costs next to nothing). Names follow
//! Debezium's JMX attributes in Prometheus style, each with a `connector` label.

use crate::worker::{ConnectorStatus, State};

const STATES: [State; 6] = [
    State::Unassigned,
    State::Running,
    State::Paused,
    State::Stopped,
    State::Failed,
    State::Restarting,
];

/// `ferrium_connector_status` / `ferrium_task_status`: 1 for the current state, 0 for
/// the others, so a dashboard can sum by state.
pub(crate) fn connector_state(status: &ConnectorStatus) {
    let name = status.name.clone();
    for state in STATES {
        let on = |s: State| if s == state { 1.0 } else { 0.0 };
        metrics::gauge!("ferrium_connector_status", "connector" => name.clone(), "state" => state.as_str())
            .set(on(status.connector.state));
        let task = status.tasks.first().map(|(_, t)| t.state);
        metrics::gauge!("ferrium_task_status", "connector" => name.clone(), "task" => "0", "state" => state.as_str())
            .set(task.map_or(0.0, on));
    }
}

/// A deleted connector: its status series go to 0 (the exporter cannot drop series).
pub(crate) fn forget(name: &str) {
    for state in STATES {
        metrics::gauge!("ferrium_connector_status", "connector" => name.to_string(), "state" => state.as_str()).set(0.0);
        metrics::gauge!("ferrium_task_status", "connector" => name.to_string(), "task" => "0", "state" => state.as_str()).set(0.0);
    }
}
