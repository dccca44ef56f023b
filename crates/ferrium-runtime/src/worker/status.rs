//! The one place a connector's status changes: every state change goes through
//! [`StatusCell::set`], which also publishes it (status topic, metrics).
//!
//! A generation number guards against stale writers: each start or stop of a run takes
//! a new generation, and a run that ends later can only report a failure for the
//! generation it was started with.

use std::sync::{Arc, Mutex};

use super::state::{ConnectorStatus, State, StateInfo};
use super::store::ConfigStore;

pub(crate) struct StatusCell {
    name: String,
    worker_id: String,
    store: Arc<dyn ConfigStore>,
    inner: Mutex<Inner>,
}

struct Inner {
    generation: u64,
    connector: StateInfo,
    /// `None` while the connector has no tasks (stopped, or failed before starting).
    task: Option<StateInfo>,
}

impl StatusCell {
    pub fn new(name: &str, worker_id: &str, store: Arc<dyn ConfigStore>) -> Self {
        StatusCell {
            name: name.to_string(),
            worker_id: worker_id.to_string(),
            store,
            inner: Mutex::new(Inner {
                generation: 0,
                connector: StateInfo::new(State::Unassigned),
                task: Some(StateInfo::new(State::Unassigned)),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a new generation: writers holding an older one are ignored from now on.
    pub fn begin(&self) -> u64 {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.generation
    }

    /// Sets the status if `generation` is still current; returns whether it did.
    pub fn set(&self, generation: u64, connector: StateInfo, task: Option<StateInfo>) -> bool {
        let status = {
            let mut inner = self.lock();
            if inner.generation != generation {
                return false;
            }
            inner.connector = connector;
            inner.task = task;
            self.render(&inner)
        };
        crate::metrics::connector_state(&status);
        self.store.publish_status(&status);
        true
    }

    /// Sets the status for a new generation.
    pub fn set_now(&self, connector: StateInfo, task: Option<StateInfo>) {
        let generation = self.begin();
        self.set(generation, connector, task);
    }

    pub fn snapshot(&self) -> ConnectorStatus {
        self.render(&self.lock())
    }

    fn render(&self, inner: &Inner) -> ConnectorStatus {
        ConnectorStatus {
            name: self.name.clone(),
            connector: inner.connector.clone(),
            tasks: inner.task.iter().map(|t| (0, t.clone())).collect(),
            worker_id: self.worker_id.clone(),
            connector_type: "source",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::store::MemoryConfigStore;

    #[test]
    fn a_stale_generation_cannot_overwrite() {
        let cell = StatusCell::new("c", "w", Arc::new(MemoryConfigStore::default()));
        let run = cell.begin();
        assert!(cell.set(
            run,
            StateInfo::new(State::Running),
            Some(StateInfo::new(State::Running))
        ));
        // The operator pauses: a new generation; the old run then fails while stopping.
        cell.set_now(
            StateInfo::new(State::Paused),
            Some(StateInfo::new(State::Paused)),
        );
        assert!(!cell.set(
            run,
            StateInfo::new(State::Running),
            Some(StateInfo::failed("boom"))
        ));
        assert_eq!(cell.snapshot().tasks[0].1.state, State::Paused);
    }
}
