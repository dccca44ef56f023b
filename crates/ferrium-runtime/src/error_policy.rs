//! The one place that decides what happens after an error.
//!
//! Errors are classified where they are understood (the source knows a lost connection
//! from a missing privilege) as [`ErrorAction`]s; this module turns the classification
//! into behaviour: transient errors restart the connector from its stored offset after
//! an exponential backoff, up to `errors.max.retries` (Debezium's default -1: forever);
//! everything else fails the connector with its message.

use std::time::Duration;

use ferrium_event::ErrorAction;

/// An error that stopped a connector run, with what to do about it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    pub action: ErrorAction,
    pub message: String,
}

impl ConnectorError {
    pub fn new(action: ErrorAction, message: impl Into<String>) -> Self {
        ConnectorError {
            action,
            message: message.into(),
        }
    }

    pub fn fail(message: impl Into<String>) -> Self {
        ConnectorError::new(ErrorAction::Fail, message)
    }
}

impl From<ferrium_sink::SinkError> for ConnectorError {
    fn from(error: ferrium_sink::SinkError) -> Self {
        use ferrium_event::Classified;
        ConnectorError::new(error.action(), error.to_string())
    }
}

/// Exponential backoff between restarts after transient errors.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
    attempts: u32,
    /// `errors.max.retries`; negative means unlimited.
    max_retries: i64,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration, max_retries: i64) -> Self {
        Backoff {
            next: initial,
            max,
            attempts: 0,
            max_retries,
        }
    }

    /// The delay before the next attempt, or `None` when retries are used up.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.max_retries >= 0 && i64::from(self.attempts) >= self.max_retries {
            return None;
        }
        self.attempts += 1;
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        Some(delay)
    }

    /// A run made progress: start over from the initial delay.
    pub fn reset(&mut self, initial: Duration) {
        self.next = initial;
        self.attempts = 0;
    }

    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Whether the runtime retries after this error (from the stored offset, after a backoff).
pub fn is_retriable(error: &ConnectorError) -> bool {
    error.action == ErrorAction::Retry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_max_retries() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(350), 4);
        let delays: Vec<_> = std::iter::from_fn(|| b.next_delay()).collect();
        assert_eq!(
            delays,
            [100, 200, 350, 350].map(Duration::from_millis).to_vec()
        );
        b.reset(Duration::from_millis(100));
        assert_eq!(b.next_delay(), Some(Duration::from_millis(100)));
    }

    #[test]
    fn unlimited_retries_never_run_out() {
        let mut b = Backoff::new(Duration::from_millis(1), Duration::from_millis(2), -1);
        assert!((0..1000).all(|_| b.next_delay().is_some()));
    }
}
