//! Registry calls tried again, with a growing pause, while the registry does not
//! answer: shared by writing (registering schemas) and reading (fetching them by id).

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::registry_client::RegistryError;
use crate::ConvertFailure;

/// `retries.wait.ms` and `retries.max.wait.ms`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pauses {
    pub first: Duration,
    pub longest: Duration,
}

/// `call` until the registry answers (the answer may be a refusal, for the caller);
/// nothing is converted meanwhile. `stop` ends the wait with [`ConvertFailure::Stopped`].
pub(crate) async fn retrying<T, F, Fut>(
    pauses: Pauses,
    stop: &CancellationToken,
    call: F,
) -> Result<Result<T, RegistryError>, ConvertFailure>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, RegistryError>>,
{
    let mut pause = pauses.first;
    let mut warned: Option<Instant> = None;
    loop {
        match call().await {
            Err(e) if e.is_retriable() => {
                if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(30)) {
                    tracing::warn!(error = %e, "waiting for the schema registry; no record is converted until it answers");
                    warned = Some(Instant::now());
                }
                metrics::counter!("ferrium_schema_registry_retries_total").increment(1);
                tokio::select! {
                    _ = stop.cancelled() => return Err(ConvertFailure::Stopped(e.to_string())),
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(pauses.longest);
            }
            other => {
                if warned.is_some() {
                    tracing::info!("the schema registry answers again");
                }
                return Ok(other);
            }
        }
    }
}
