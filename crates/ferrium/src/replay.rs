//! `ferrium replay`: rebuilds a JDBC sink's read model into a fresh table from the
//! earliest offset, an offset or a timestamp, with a progress bar (records done of the
//! topics' end, rate, ETA) and a one-line summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use ferrium_config::{load_connector_file, WorkerConfig};
use ferrium_runtime::{replay_sink, ReplayFrom, ReplayProgress};
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// Connector JSON holding the JDBC sink connector (as for `ferrium run`).
    connectors: PathBuf,
    /// Worker properties (bootstrap.servers, consumer.*).
    #[arg(long)]
    worker: PathBuf,
    /// The table(s) to rebuild into: a `collection.name.format`, e.g. `orders_v2` or
    /// `${source.table}_v2`.
    #[arg(long)]
    into: String,
    /// `earliest`, an offset (the same in every partition), or `@<epoch ms>`.
    #[arg(long, default_value = "earliest")]
    from: String,
    /// The sink connector's name, when the file holds several connectors.
    #[arg(long)]
    connector: Option<String>,
}

pub async fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let from = ReplayFrom::parse(&args.from).map_err(|e| anyhow!(e))?;
    let worker = WorkerConfig::load(&args.worker)?;
    let configs = load_connector_file(&args.connectors)?;
    let config = match &args.connector {
        Some(name) => configs
            .into_iter()
            .find(|c| &c.name == name)
            .with_context(|| {
                format!(
                    "no connector named '{name}' in {}",
                    args.connectors.display()
                )
            })?,
        None => {
            let mut sinks: Vec<_> = configs
                .into_iter()
                .filter(|c| ferrium_runtime::connector_type(c) == "sink")
                .collect();
            if sinks.len() != 1 {
                bail!(
                    "{} holds {} sink connectors; name the one to replay with --connector",
                    args.connectors.display(),
                    sinks.len()
                );
            }
            sinks.remove(0)
        }
    };
    let progress = ReplayProgress::default();
    let shutdown = CancellationToken::new();
    crate::spawn_signal_handler(shutdown.clone());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} records  {per_sec}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let watched = progress.clone();
    let ticker_bar = bar.clone();
    let ticker = tokio::spawn(async move {
        loop {
            ticker_bar.set_length(watched.total.load(Ordering::Relaxed));
            ticker_bar.set_position(watched.done.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let started = Instant::now();
    let result = replay_sink(&config, &worker, from, &args.into, &progress, &shutdown).await;
    ticker.abort();
    bar.finish_and_clear();
    let summary = result.map_err(|e| anyhow!("replay of '{}' failed: {e}", config.name))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "replay: {} records from {} partitions into '{}' in {seconds:.1} s ({:.0} records/s); offsets kept as connector '{}'",
        summary.records,
        summary.partitions,
        args.into,
        summary.records as f64 / seconds.max(0.001),
        summary.connector
    );
    Ok(ExitCode::SUCCESS)
}
