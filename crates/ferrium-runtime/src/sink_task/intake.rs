//! The way a consumed Kafka record becomes a record for a sink connector, as Kafka
//! Connect's `WorkerSinkTask` does it: the converters turn key, value and headers back
//! into Connect data, then the connector's transform chain runs. `errors.tolerance`
//! decides what a record that fails here does, as for sources.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrium_config::ConnectorConfig;
use ferrium_converter::{build_converters, ConvertFailure, RecordConverter};
use ferrium_event::{struct_field, ChangeEvent, ErrorAction, Header, SourceRecord, Value};
use ferrium_transform::TransformChain;
use tokio_util::sync::CancellationToken;

use crate::error_policy::ConnectorError;
use crate::intake::{tolerance, Tolerance};

/// One record as it came from Kafka, borrowed from the consumer's buffer.
pub(crate) struct RawRecord<'a> {
    pub topic: &'a Arc<str>,
    pub partition: i32,
    pub timestamp: Option<i64>,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<(&'a str, Option<&'a [u8]>)>,
}

/// A record ready for the sink, with the change event's `ts_ms` (read before the
/// transforms, which may drop it) for the commit-latency metric.
pub(crate) struct Taken {
    pub record: SourceRecord,
    pub ts_ms: Option<i64>,
}

pub(crate) struct SinkIntake {
    connector: String,
    converter: RecordConverter,
    chain: TransformChain,
    tolerance: Tolerance,
}

impl SinkIntake {
    pub fn from_config(
        worker: &BTreeMap<String, String>,
        config: &ConnectorConfig,
    ) -> Result<SinkIntake, Vec<String>> {
        let mut problems = Vec::new();
        let chain = TransformChain::from_config(&config.props)
            .map_err(|p| problems.extend(p.into_iter().map(|p| p.0)))
            .ok();
        let converter = build_converters(worker, &config.props)
            .map_err(|e| problems.extend(e.0))
            .ok();
        let tolerance = tolerance(config, &mut problems);
        let (Some(chain), Some(converter), true) = (chain, converter, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(SinkIntake {
            connector: config.name.clone(),
            converter,
            chain,
            tolerance,
        })
    }

    /// Checks the converters' schema registries before the first record.
    pub async fn check(&mut self) -> Result<(), ConnectorError> {
        self.converter.check().await.map_err(|e| match e {
            ConvertFailure::Unreachable(message) => {
                ConnectorError::new(ErrorAction::Retry, message)
            }
            other => ConnectorError::fail(other.to_string()),
        })
    }

    /// Converts and transforms one record; `None` when the chain dropped it or
    /// `errors.tolerance=all` skipped it.
    pub async fn take(
        &mut self,
        raw: RawRecord<'_>,
        stop: &CancellationToken,
    ) -> Result<Option<Taken>, ConnectorError> {
        let failure = match self.convert(&raw, stop).await {
            Ok(record) => {
                let ts_ms = record
                    .value
                    .as_ref()
                    .and_then(ChangeEvent::of)
                    .and_then(|event| {
                        match struct_field(event.schema(), &record.value.as_ref()?.value, "ts_ms")?
                            .value
                        {
                            Value::Int64(ms) => Some(*ms),
                            _ => None,
                        }
                    });
                match self.chain.apply(record) {
                    Ok(Some(record)) => {
                        return Ok(Some(Taken {
                            record,
                            ts_ms: ts_ms.or(raw.timestamp),
                        }))
                    }
                    Ok(None) => return Ok(None),
                    Err(e) => e.to_string(),
                }
            }
            Err(e) if matches!(e, ConvertFailure::Registry(_)) => {
                return Err(ConnectorError::fail(e.to_string()))
            }
            Err(e @ (ConvertFailure::Stopped(_) | ConvertFailure::Unreachable(_))) => {
                return Err(ConnectorError::new(ErrorAction::Retry, e.to_string()))
            }
            Err(e) => format!(
                "cannot convert the record of topic {} partition {}: {e}",
                raw.topic, raw.partition
            ),
        };
        // Row data never goes to the log unless errors.log.include.messages asks.
        let shown = self
            .tolerance
            .log_messages
            .then(|| format!("topic {} partition {}", raw.topic, raw.partition));
        self.tolerance
            .skip_or_fail(&self.connector, &failure, shown)?;
        Ok(None)
    }

    async fn convert(
        &mut self,
        raw: &RawRecord<'_>,
        stop: &CancellationToken,
    ) -> Result<SourceRecord, ConvertFailure> {
        let key = self
            .converter
            .key
            .to_connect(raw.topic, raw.key, stop)
            .await?;
        let value = self
            .converter
            .value
            .to_connect(raw.topic, raw.value, stop)
            .await?;
        let mut headers = Vec::with_capacity(raw.headers.len());
        for (k, v) in &raw.headers {
            let value = self
                .converter
                .header
                .to_connect(*v)
                .map_err(|e| ConvertFailure::Record(format!("header '{k}': {e}")))?;
            headers.push(Header {
                key: k.to_string(),
                value,
            });
        }
        let mut record = SourceRecord::new(raw.topic.clone(), key, value);
        record.partition = Some(raw.partition);
        record.timestamp = raw.timestamp;
        record.headers = headers;
        Ok(record)
    }
}
