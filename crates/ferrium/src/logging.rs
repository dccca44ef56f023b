//! Logging to stderr with levels that `PUT /admin/loggers/{name}` can change at run
//! time: the filter is rebuilt from the start-up directives (`FERRIUM_LOG`) plus the
//! levels set through the API, and swapped in through a reload handle.

use std::collections::BTreeMap;
use std::sync::Mutex;

use ferrium_rest::LogLevels;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

pub struct Loggers {
    handle: reload::Handle<EnvFilter, Registry>,
    /// `root` and every logger set through the API: (Kafka Connect level, set at ms).
    levels: Mutex<BTreeMap<String, (String, Option<i64>)>>,
    /// Start-up directives other than the root level.
    base: String,
}

fn tracing_level(level: &str) -> &'static str {
    match level {
        "OFF" => "off",
        "FATAL" | "ERROR" => "error",
        "WARN" => "warn",
        "DEBUG" => "debug",
        "TRACE" => "trace",
        _ => "info",
    }
}

/// Installs the subscriber; call once, first thing.
pub fn init() -> Loggers {
    let directives = std::env::var("FERRIUM_LOG").unwrap_or_else(|_| "info".into());
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .init();
    // A bare level is the root level; anything else stays as given.
    let (root, base) = match directives.trim().to_ascii_uppercase().as_str() {
        l @ ("OFF" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE") => {
            (l.to_string(), String::new())
        }
        _ => ("INFO".to_string(), directives),
    };
    Loggers {
        handle,
        levels: Mutex::new(BTreeMap::from([("root".to_string(), (root, None))])),
        base,
    }
}

impl LogLevels for Loggers {
    fn levels(&self) -> BTreeMap<String, (String, Option<i64>)> {
        self.levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set(&self, logger: &str, level: &str) -> Result<Vec<String>, String> {
        let mut levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        // Built on a copy: a name the filter rejects must leave the levels as they were.
        let mut next = levels.clone();
        next.insert(logger.to_string(), (level.to_string(), Some(now)));
        let root = next.get("root").map_or("INFO", |(l, _)| l.as_str());
        let mut directives = vec![tracing_level(root).to_string()];
        if !self.base.is_empty() {
            directives.push(self.base.clone());
        }
        for (name, (level, _)) in next.iter().filter(|(n, _)| n.as_str() != "root") {
            directives.push(format!("{name}={}", tracing_level(level)));
        }
        let filter = EnvFilter::try_new(directives.join(","))
            .map_err(|e| format!("invalid logger name '{logger}': {e}"))?;
        self.handle.reload(filter).map_err(|e| e.to_string())?;
        *levels = next;
        // Setting the root changes every logger that follows it.
        Ok(if logger == "root" {
            levels.keys().cloned().collect()
        } else {
            vec![logger.to_string()]
        })
    }
}
