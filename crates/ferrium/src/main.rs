//! The `ferrium` command line: `ferrium run CONNECTOR.json [--worker WORKER.properties]`
//! runs connectors in one process, like Kafka Connect's standalone mode;
//! `ferrium serve WORKER.properties` is a long-running worker driven through the Kafka
//! Connect REST API; `ferrium verify` proves a copy of a table (a read model written by
//! a JDBC sink) equals its source.
//!
//! Logs go to stderr; with the embedded default (no `bootstrap.servers`) stdout carries
//! the events as JSON lines.

mod logging;
mod replay;
mod serve;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ferrium_config::{load_connector_file, redact, WorkerConfig};
use ferrium_runtime::{run_connector, ConnectorOutcome, Delivery};
use tokio_util::sync::CancellationToken;

// Every event is a tree of small allocations (values, strings, record buffers) made on one
// thread and freed on another. glibc's malloc spent about a fifth of a snapshot's CPU time
// on them (perf); mimalloc cut the instructions of that snapshot by 16% (callgrind, see
// "Profiling" in bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ferrium",
    version,
    about = "Change data capture into Kafka, Debezium-compatible"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run connectors in this process (Kafka Connect standalone mode).
    Run {
        /// Connector JSON: {"name": …, "config": {…}}, a bare config map, or an array of them.
        connectors: PathBuf,
        /// Worker properties (bootstrap.servers, offset.storage.file.filename, converters).
        #[arg(long)]
        worker: Option<PathBuf>,
    },
    /// Run a worker with the Kafka Connect REST API (port 8083 unless `listeners` or
    /// `rest.port` says otherwise); connectors are created through the API and persist.
    Serve {
        /// Worker properties (bootstrap.servers, listeners, rest.port, storage topics).
        worker: PathBuf,
    },
    /// Forget connectors' offsets (stop them first): the next start is a first start.
    ResetOffsets {
        connectors: PathBuf,
        #[arg(long)]
        worker: Option<PathBuf>,
    },
    /// Compare a table with its copy in another database (PostgreSQL or MariaDB/MySQL):
    /// rows missing, extra and different. Exit 0 when equal, 1 on differences, 2 on error.
    Verify(Box<verify::VerifyArgs>),
    /// Rebuild a JDBC sink's read model into a fresh table from the earliest offset, an
    /// offset or a timestamp, up to the topics' end when it starts.
    Replay(replay::ReplayArgs),
}

fn main() -> ExitCode {
    let loggers = Arc::new(logging::init());
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve { worker } => {
            let result = runtime.block_on(async {
                let config = WorkerConfig::load(&worker)?;
                let shutdown = CancellationToken::new();
                spawn_signal_handler(shutdown.clone());
                serve::serve(
                    config,
                    serve::Persistence::Durable,
                    Some(serve::DEFAULT_PORT),
                    loggers,
                    shutdown,
                )
                .await
            });
            match result {
                Ok(code) => code,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Run { connectors, worker } => {
            match runtime.block_on(run(connectors, worker, loggers)) {
                Ok(code) => code,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Verify(args) => runtime.block_on(verify::run(*args)),
        Command::Replay(args) => match runtime.block_on(replay::run(args)) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("error: {error:#}");
                ExitCode::from(2)
            }
        },
        Command::ResetOffsets { connectors, worker } => {
            match runtime.block_on(reset(connectors, worker)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn run(
    connectors: PathBuf,
    worker: Option<PathBuf>,
    loggers: Arc<logging::Loggers>,
) -> anyhow::Result<ExitCode> {
    let configs = load_connector_file(&connectors)?;
    let worker = match worker {
        Some(path) => WorkerConfig::load(&path)?,
        None => WorkerConfig::default(),
    };
    // With a REST listener configured, `run` is a standalone worker under the API (it
    // keeps running when a connector fails, as Kafka Connect does); without one, it runs
    // its connectors to their end. No default port here: many `ferrium run` processes
    // on one machine must not clash.
    if !ferrium_rest::listeners(&worker, None)
        .map_err(anyhow::Error::msg)?
        .is_empty()
    {
        let shutdown = CancellationToken::new();
        spawn_signal_handler(shutdown.clone());
        return serve::serve(
            worker,
            serve::Persistence::Memory(configs),
            None,
            loggers,
            shutdown,
        )
        .await;
    }
    let shutdown = CancellationToken::new();
    let delivery = Arc::new(open_delivery(&worker, &shutdown).await?);
    spawn_signal_handler(shutdown.clone());

    let mut tasks = Vec::new();
    for config in configs {
        let shown: Vec<String> = config
            .props
            .iter()
            .map(|(k, v)| format!("{k}={}", redact(k, v)))
            .collect();
        tracing::info!(connector = %config.name, config = %shown.join(", "), "starting connector");
        let name = config.name.clone();
        let (worker, delivery, shutdown) = (worker.clone(), delivery.clone(), shutdown.clone());
        let task = tokio::spawn(async move {
            let name = config.name.clone();
            let result = run_connector(
                config,
                worker,
                delivery,
                ferrium_runtime::ConnectorHandles::new(),
                shutdown,
            )
            .await;
            // Said when it happens, not when the other connectors end.
            if let Err(error) = &result {
                tracing::error!(connector = %name, %error, "connector failed");
            }
            result
        });
        tasks.push((name, task));
    }
    let mut failed = false;
    for (name, task) in tasks {
        match task.await {
            Ok(Ok(ConnectorOutcome::Finished)) => {
                tracing::info!(connector = %name, "connector finished")
            }
            Ok(Ok(ConnectorOutcome::Stopped)) => {
                tracing::info!(connector = %name, "connector stopped")
            }
            Ok(Err(error)) => {
                failed = true;
                eprintln!("error: connector '{name}' failed: {error}");
            }
            Err(join) => {
                failed = true;
                eprintln!("error: connector '{name}' crashed: {join}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn reset(connectors: PathBuf, worker: Option<PathBuf>) -> anyhow::Result<()> {
    let configs = load_connector_file(&connectors)?;
    let worker = match worker {
        Some(path) => WorkerConfig::load(&path)?,
        None => WorkerConfig::default(),
    };
    for config in configs {
        let done = ferrium_runtime::reset_offsets(&config, &worker).await?;
        println!("{done}");
    }
    Ok(())
}

/// Opens the worker's offset storage; a Kafka broker that is not up yet is waited for,
/// with backoff, as Kafka Connect does.
pub(crate) async fn open_delivery(
    worker: &WorkerConfig,
    shutdown: &CancellationToken,
) -> anyhow::Result<Delivery> {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match Delivery::open(worker).await {
            Ok(delivery) => return Ok(delivery),
            Err(error) if ferrium_runtime::is_retriable(&error) && !shutdown.is_cancelled() => {
                tracing::warn!(%error, retry_in_s = wait.as_secs(), "Kafka is not reachable yet; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

pub(crate) fn spawn_signal_handler(shutdown: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => {
                        let _ = ctrl_c.await;
                        shutdown.cancel();
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("stopping: finishing in-flight records and storing offsets");
        shutdown.cancel();
    });
}
