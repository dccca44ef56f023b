//! The one way a source record becomes a record for the sink, in every delivery mode:
//! Debezium's context headers and schema name adjustment, then the connector's transform
//! chain, then its converters.
//!
//! `errors.tolerance` (Kafka Connect's option) decides what a record that a transform or
//! a converter fails on does: `none` (the default) fails the connector, `all` skips the
//! record, logged when `errors.log.enable=true` (with the record's topic, key and value
//! only under `errors.log.include.messages=true`, since they are row data). A skipped or
//! dropped record never holds offsets back: the checkpoint after it still advances.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrium_config::ConnectorConfig;
use ferrium_converter::{build_converters, ConvertFailure, RecordConverter};
use ferrium_event::ErrorAction;
use ferrium_event::{
    is_envelope, ConnectData, Header, Schema, SchemaType, SerializedRecord, SourceRecord, Value,
};
use ferrium_transform::debezium::NameAdjustment;
use ferrium_transform::TransformChain;
use tokio_util::sync::CancellationToken;

use crate::error_policy::ConnectorError;

/// What a failing record does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tolerance {
    skip: bool,
    log: bool,
    pub(crate) log_messages: bool,
}

/// Debezium's `__debezium.context.*` headers (`extended.headers.enabled`, default true
/// since 3.2.1), added to change events, their tombstones and schema change events, as
/// Debezium's `EventDispatcher` adds them; heartbeats and transaction events get none.
struct ContextHeaders {
    headers: Vec<Header>,
}

/// Value schema names of MySQL/MariaDB schema change events.
const SCHEMA_CHANGE_SUFFIX: &str = ".SchemaChangeValue";

impl ContextHeaders {
    fn new(logical_name: &str, plugin_name: &str) -> Self {
        let text = Arc::new(Schema::of(SchemaType::String));
        let header = |key: &str, value: String| Header {
            key: key.to_string(),
            value: ConnectData::new(text.clone(), Value::String(value)),
        };
        ContextHeaders {
            headers: vec![
                header(
                    "__debezium.context.connectorLogicalName",
                    logical_name.to_string(),
                ),
                header("__debezium.context.taskId", "0".to_string()),
                header("__debezium.context.connectorName", plugin_name.to_string()),
                // A new id per run of the task, as Debezium makes one per task start.
                header("__debezium.context.runId", uuid::Uuid::now_v7().to_string()),
            ],
        }
    }

    fn applies_to(record: &SourceRecord) -> bool {
        match &record.value {
            None => true,
            Some(value) => {
                is_envelope(&value.schema)
                    || value
                        .schema
                        .name
                        .as_deref()
                        .is_some_and(|n| n.ends_with(SCHEMA_CHANGE_SUFFIX))
            }
        }
    }
}

pub struct Intake {
    connector: String,
    context: Option<ContextHeaders>,
    /// `schema.name.adjustment.mode` / `field.name.adjustment.mode`, before the chain.
    names: Option<NameAdjustment>,
    chain: TransformChain,
    converter: RecordConverter,
    tolerance: Tolerance,
}

fn flag(config: &ConnectorConfig, key: &str, default: bool, problems: &mut Vec<String>) -> bool {
    match config.get(key).map(str::trim) {
        None => default,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            problems.push(format!(
                "invalid value '{v}' for option '{key}': expected true or false"
            ));
            default
        }
    }
}

impl Tolerance {
    /// A record a transform or converter failed on: an error under
    /// `errors.tolerance=none`, else skipped (and logged when asked).
    pub(crate) fn skip_or_fail(
        &self,
        connector: &str,
        failure: &str,
        shown: Option<String>,
    ) -> Result<(), ConnectorError> {
        if !self.skip {
            return Err(ConnectorError::fail(format!(
                "{failure} (errors.tolerance=none; set errors.tolerance=all to skip such records)"
            )));
        }
        if self.log {
            match shown {
                Some(record) => {
                    tracing::error!(connector = %connector, error = %failure, %record, "skipping a record (errors.tolerance=all)")
                }
                None => {
                    tracing::error!(connector = %connector, error = %failure, "skipping a record (errors.tolerance=all)")
                }
            }
        }
        metrics::counter!("ferrium_records_skipped_total", "connector" => connector.to_string())
            .increment(1);
        Ok(())
    }
}

/// `errors.tolerance`, `errors.log.enable` and `errors.log.include.messages`.
pub(crate) fn tolerance(config: &ConnectorConfig, problems: &mut Vec<String>) -> Tolerance {
    let skip = match config.get("errors.tolerance").map(str::trim) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("none") => false,
        Some(v) if v.eq_ignore_ascii_case("all") => true,
        Some(v) => {
            problems.push(format!(
                "invalid value '{v}' for option 'errors.tolerance': expected none or all"
            ));
            false
        }
    };
    // Retries apply to retriable failures only, and no transform or converter here fails
    // in a retriable way; the values are checked so a typo is still caught.
    for key in ["errors.retry.timeout", "errors.retry.delay.max.ms"] {
        if let Some(v) = config.get(key) {
            if v.trim().parse::<i64>().is_err() {
                problems.push(format!(
                    "invalid value '{v}' for option '{key}': expected an integer"
                ));
            }
        }
    }
    Tolerance {
        skip,
        log: flag(config, "errors.log.enable", false, problems),
        log_messages: flag(config, "errors.log.include.messages", false, problems),
    }
}

/// The plugin name Debezium puts in `__debezium.context.connectorName`.
fn plugin_name(config: &ConnectorConfig) -> &'static str {
    let class = config.get("connector.class").unwrap_or("");
    if class.contains("MariaDb") {
        "mariadb"
    } else if class.contains("MySql") {
        "mysql"
    } else {
        "postgresql"
    }
}

impl Intake {
    /// Builds the intake of a connector; every configuration problem is reported at
    /// once, each naming its key.
    pub fn from_config(
        worker: &BTreeMap<String, String>,
        config: &ConnectorConfig,
    ) -> Result<Intake, Vec<String>> {
        let mut problems = Vec::new();
        let chain = TransformChain::from_config(&config.props)
            .map_err(|p| problems.extend(p.into_iter().map(|p| p.0)))
            .ok();
        let converter = build_converters(worker, &config.props)
            .map_err(|e| problems.extend(e.0))
            .ok();
        let names = NameAdjustment::from_props(&config.props)
            .map_err(|e| problems.push(e))
            .ok()
            .flatten();
        let tolerance = tolerance(config, &mut problems);
        for key in config.props.keys() {
            if key.starts_with("errors.deadletterqueue.") {
                problems.push(format!(
                    "option '{key}': a dead letter queue is for sink connectors in Kafka Connect; remove it"
                ));
            }
        }
        let extended = flag(config, "extended.headers.enabled", true, &mut problems);
        let (Some(chain), Some(converter), true) = (chain, converter, problems.is_empty()) else {
            return Err(problems);
        };
        let logical_name = config
            .get("topic.prefix")
            .or_else(|| config.get("database.server.name"))
            .unwrap_or("");
        Ok(Intake {
            connector: config.name.clone(),
            context: extended.then(|| ContextHeaders::new(logical_name, plugin_name(config))),
            names,
            chain,
            converter,
            tolerance,
        })
    }

    /// Checks the converters' schema registries before the source starts.
    pub async fn check(&mut self) -> Result<(), ConnectorError> {
        self.converter.check().await.map_err(|e| match e {
            ConvertFailure::Unreachable(message) => {
                ConnectorError::new(ErrorAction::Retry, message)
            }
            other => ConnectorError::fail(other.to_string()),
        })
    }

    /// Decoders for the key and the value, where they are written in Avro: the stdout
    /// sink shows them decoded.
    pub fn avro_decoders(
        &self,
    ) -> (
        Option<ferrium_converter::avro::AvroDecoder>,
        Option<ferrium_converter::avro::AvroDecoder>,
    ) {
        let decoder = |c: &ferrium_converter::DataConverter| {
            c.registry()
                .cloned()
                .map(ferrium_converter::avro::AvroDecoder::new)
        };
        (decoder(&self.converter.key), decoder(&self.converter.value))
    }

    /// The configuration problems of a connector's transforms, predicates, converters
    /// and error handling, for validation.
    pub fn config_problems(config: &ConnectorConfig) -> Vec<String> {
        Intake::from_config(&BTreeMap::new(), config)
            .err()
            .unwrap_or_default()
    }

    /// Takes a source batch through the chain and the converters into `out`; `stop`
    /// ends a wait for an unreachable schema registry.
    pub async fn take(
        &mut self,
        records: Vec<SourceRecord>,
        out: &mut Vec<SerializedRecord>,
        stop: &CancellationToken,
    ) -> Result<(), ConnectorError> {
        for mut record in records {
            if let Some(context) = &self.context {
                if ContextHeaders::applies_to(&record) {
                    record.headers.extend(context.headers.iter().cloned());
                }
            }
            if let Some(names) = &mut self.names {
                // A name that two tables would share: a configuration problem, not the
                // record's, as in Debezium.
                names.apply(&mut record).map_err(ConnectorError::fail)?;
            }
            let shown = self.tolerance.log_messages.then(|| format!("{record:?}"));
            let failure = match self.chain.apply(record) {
                Ok(None) => continue,
                Ok(Some(record)) => match self.converter.convert(&record, stop).await {
                    Ok(serialized) => {
                        out.push(serialized);
                        continue;
                    }
                    // Not the record's fault: skipping it would lose it, so no
                    // tolerance applies.
                    Err(e) if matches!(e.failure, ConvertFailure::Registry(_)) => {
                        return Err(ConnectorError::fail(e.to_string()))
                    }
                    Err(e)
                        if matches!(
                            e.failure,
                            ConvertFailure::Stopped(_) | ConvertFailure::Unreachable(_)
                        ) =>
                    {
                        return Err(ConnectorError::new(ErrorAction::Retry, e.to_string()))
                    }
                    Err(e) => e.to_string(),
                },
                Err(e) => e.to_string(),
            };
            self.tolerance
                .skip_or_fail(&self.connector, &failure, shown)?;
        }
        Ok(())
    }
}
