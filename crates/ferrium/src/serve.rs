//! The long-running worker: `ferrium serve WORKER.properties`, and `ferrium run` when its
//! worker file sets `listeners` or `rest.port`. Connectors are driven through the Kafka
//! Connect REST API; `serve` keeps their configs in Kafka's config topic (with
//! `bootstrap.servers`) or in the state folder, so they survive restarts.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use ferrium_config::{ConnectorConfig, WorkerConfig};
use ferrium_rest::{AppState, BasicAuth};
use ferrium_runtime::worker::{
    state_dir, ConfigStore, FileConfigStore, KafkaConfigStore, MemoryConfigStore, TargetState,
};
use ferrium_runtime::Worker;
use tokio_util::sync::CancellationToken;

use crate::logging::Loggers;

/// Kafka Connect's default REST port.
pub const DEFAULT_PORT: u16 = 8083;

/// Which store keeps connector configs.
pub enum Persistence {
    /// `ferrium serve`: Kafka topics or the state folder.
    Durable,
    /// `ferrium run`: the connectors of the command line, as in standalone mode.
    Memory(Vec<ConnectorConfig>),
}

pub async fn serve(
    worker_config: WorkerConfig,
    persistence: Persistence,
    default_port: Option<u16>,
    loggers: Arc<Loggers>,
    shutdown: CancellationToken,
) -> anyhow::Result<ExitCode> {
    let listeners =
        ferrium_rest::listeners(&worker_config, default_port).map_err(anyhow::Error::msg)?;
    let sockets = ferrium_rest::bind(&listeners)
        .await
        .map_err(anyhow::Error::msg)?;
    // TLS set-up errors stop the start before any connector runs.
    let acceptors = listeners
        .iter()
        .map(|l| {
            if l.tls {
                ferrium_rest::tls_acceptor(&worker_config).map(Some)
            } else {
                Ok(None)
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(anyhow::Error::msg)?;
    let auth = match worker_config.get("rest.basic.auth.credentials.file") {
        Some(path) => Some(BasicAuth::load(Path::new(path)).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| tracing::warn!(error = %e, "metrics are disabled"))
        .ok();
    if let Some(handle) = metrics.clone() {
        // Without a scrape, histogram samples would pile up; upkeep folds them.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                handle.run_upkeep();
            }
        });
    }

    let delivery = Arc::new(crate::open_delivery(&worker_config, &shutdown).await?);
    let store: Arc<dyn ConfigStore> = match (&persistence, worker_config.bootstrap_servers()) {
        (Persistence::Memory(_), _) => Arc::new(MemoryConfigStore::default()),
        (Persistence::Durable, Some(_)) => Arc::new(
            KafkaConfigStore::open(&worker_config)
                .await
                .context("opening the config and status topics")?,
        ),
        (Persistence::Durable, None) => {
            let dir = state_dir(&worker_config);
            tracing::info!(dir = %dir.display(), "connector configs are kept in the state folder");
            Arc::new(FileConfigStore::open(&dir)?)
        }
    };
    let first = sockets
        .first()
        .and_then(|s| s.local_addr().ok())
        .context("no REST listener")?;
    let worker_id = match worker_config.get("rest.advertised.host.name") {
        Some(host) => format!(
            "{host}:{}",
            worker_config
                .get("rest.advertised.port")
                .map_or(first.port().to_string(), str::to_string)
        ),
        None => first.to_string(),
    };
    let worker = Worker::start(
        worker_id,
        worker_config.clone(),
        delivery,
        store,
        shutdown.clone(),
    )
    .await?;
    if let Persistence::Memory(configs) = persistence {
        for config in configs {
            worker.create(config, TargetState::Started).await?;
        }
    }
    let app = Arc::new(AppState {
        worker: worker.clone(),
        loggers,
        metrics,
        kafka_cluster_id: String::new(),
    });
    let router = ferrium_rest::router(app, auth);
    let mut servers = Vec::new();
    for (socket, acceptor) in sockets.into_iter().zip(acceptors) {
        let addr = socket.local_addr()?;
        let router = router.clone();
        let stop = shutdown.clone();
        if let Some(acceptor) = acceptor {
            tracing::info!("REST API listening on https://{addr}");
            let tls = ferrium_rest::TlsListener {
                tcp: socket,
                acceptor,
            };
            servers.push(tokio::spawn(async move {
                axum::serve(tls, router)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await
            }));
            continue;
        }
        tracing::info!("REST API listening on http://{addr}");
        servers.push(tokio::spawn(async move {
            axum::serve(socket, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        }));
    }
    shutdown.cancelled().await;
    tracing::info!("stopping the worker: finishing in-flight records and storing offsets");
    worker.shutdown().await;
    for server in servers {
        if let Ok(Err(error)) = server.await {
            tracing::warn!(%error, "REST listener ended with an error");
        }
    }
    Ok(ExitCode::SUCCESS)
}
