//! Connector and task states as Kafka Connect reports them, and the target state an
//! operator asks for (`STARTED`, `PAUSED`, `STOPPED`), which is what gets persisted.

/// What `GET /connectors/{name}/status` shows for a connector or a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Stopped,
    Failed,
    Restarting,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Stopped => "STOPPED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
        }
    }
}

/// The state an operator asked for; survives restarts of the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Started,
    Paused,
    Stopped,
}

impl TargetState {
    /// The names Kafka Connect uses in its config topic (`STARTED`, `PAUSED`, `STOPPED`).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Started => "STARTED",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    /// Parses a stored target state, or a REST `initial_state` (`RUNNING` = started).
    pub fn parse(text: &str) -> Option<TargetState> {
        match text.to_ascii_uppercase().as_str() {
            "STARTED" | "RUNNING" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}

/// One line of a status report: a state and, when failed, the error trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateInfo {
    pub state: State,
    pub trace: Option<String>,
}

impl StateInfo {
    pub fn new(state: State) -> Self {
        StateInfo { state, trace: None }
    }

    pub fn failed(trace: impl Into<String>) -> Self {
        StateInfo {
            state: State::Failed,
            trace: Some(trace.into()),
        }
    }
}

/// A connector's status: its own state and its tasks' (Ferrium runs one task, id 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorStatus {
    pub name: String,
    pub connector: StateInfo,
    pub tasks: Vec<(u32, StateInfo)>,
    pub worker_id: String,
    /// `source` or `sink`, as Kafka Connect's answers say.
    pub connector_type: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_states_round_trip_and_accept_rest_names() {
        for t in [
            TargetState::Started,
            TargetState::Paused,
            TargetState::Stopped,
        ] {
            assert_eq!(TargetState::parse(t.as_str()), Some(t));
        }
        assert_eq!(TargetState::parse("running"), Some(TargetState::Started));
        assert_eq!(TargetState::parse("FAILED"), None);
    }
}
