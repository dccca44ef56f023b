//! The outbox router's options (`EventRouterConfigDefinition`), read once at
//! configuration time with Debezium's defaults; every mistake is reported against the
//! option it concerns.

use crate::{ConfigProblem, Props};

use super::json_schema::JsonInference;

/// What an update on the outbox table does (`table.op.invalid.behavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InvalidOpBehavior {
    Warn,
    Error,
    Fatal,
}

/// Where an additional column goes (`table.fields.additional.placement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placement {
    Header,
    Envelope,
    Partition,
}

/// One `column:placement[:alias]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AdditionalField {
    pub column: String,
    pub placement: Placement,
    /// The header or envelope field name; the column name when no alias is given.
    pub alias: String,
}

pub(super) struct Options {
    pub event_id: String,
    pub event_key: String,
    pub payload: String,
    pub timestamp: Option<String>,
    pub schema_version: Option<String>,
    pub additional: Vec<AdditionalField>,
    /// `table.field.additional.missing=ignore`: a configured column absent from the
    /// table is skipped instead of failing the record.
    pub ignore_missing_additional: bool,
    pub route_by: String,
    pub route_regex: String,
    pub route_replacement: String,
    pub tombstone_on_empty_payload: bool,
    pub expand_json: bool,
    pub json: JsonInference,
    pub invalid_op: InvalidOpBehavior,
}

const ADDITIONAL_PLACEMENT: &str = "table.fields.additional.placement";
const ADDITIONAL_MISSING: &str = "table.field.additional.missing";
/// The boolean that `table.field.additional.missing` replaced in Debezium 3.6.
const ADDITIONAL_ERROR_ON_MISSING: &str = "table.fields.additional.error.on.missing";
const FIELD_NAME_ADJUSTMENT: &str = "field.name.adjustment.mode";

/// Distributed tracing needs OpenTelemetry, which Ferrium does not have.
const TRACING_OPTIONS: &[&str] = &[
    "tracing.span.context.field",
    "tracing.operation.name",
    "tracing.with.context.field.only",
];

impl Options {
    pub fn from_props(props: &Props) -> Result<Self, ConfigProblem> {
        props.refuse(TRACING_OPTIONS)?;
        // Debezium reads this connector option in the router to rename inferred JSON
        // fields, but then looks the values up under the renamed keys, losing them;
        // only the default is worth reproducing.
        if props.choice(
            FIELD_NAME_ADJUSTMENT,
            &["none", "avro", "avro_unicode"],
            "none",
        )? != "none"
        {
            return Err(props.problem(
                FIELD_NAME_ADJUSTMENT,
                "only 'none' is supported by Ferrium's outbox event router",
            ));
        }
        // Defined by Debezium but never read: the type reaches the record only through a
        // placement (DBZ-2014). Accepted so existing configurations keep working.
        let _event_type = props.string("table.field.event.type", "type");

        let invalid_op = match props.choice(
            "table.op.invalid.behavior",
            &["warn", "error", "fatal"],
            "warn",
        )? {
            "error" => InvalidOpBehavior::Error,
            "fatal" => InvalidOpBehavior::Fatal,
            _ => InvalidOpBehavior::Warn,
        };
        let json = JsonInference {
            null_as_optional_bytes: props.choice(
                "table.json.payload.null.behavior",
                &["ignore", "optional_bytes"],
                "ignore",
            )? == "optional_bytes",
            empty_array_as_optional_strings: props.choice(
                "table.json.payload.empty.array.behavior",
                &["ignore", "optional_string"],
                "ignore",
            )? == "optional_string",
        };
        let route_regex = props.string("route.topic.regex", "(?<routedByValue>.*)");
        let optional = |name: &str| props.is_set(name).then(|| props.string(name, ""));
        Ok(Options {
            event_id: props.string("table.field.event.id", "id"),
            event_key: props.string("table.field.event.key", "aggregateid"),
            payload: props.string("table.field.event.payload", "payload"),
            timestamp: optional("table.field.event.timestamp"),
            schema_version: optional("table.field.event.schema.version"),
            additional: additional_fields(props)?,
            ignore_missing_additional: ignore_missing_additional(props)?,
            route_by: props.string("route.by.field", "aggregatetype"),
            route_regex,
            route_replacement: props
                .string("route.topic.replacement", "outbox.event.${routedByValue}"),
            tombstone_on_empty_payload: props.bool("route.tombstone.on.empty.payload", false)?,
            expand_json: props.bool("table.expand.json.payload", false)?,
            json,
            invalid_op,
        })
    }

    /// Whether the value is a struct of the payload and `envelope` placements rather
    /// than the bare payload.
    pub fn has_envelope_fields(&self) -> bool {
        self.additional
            .iter()
            .any(|f| f.placement == Placement::Envelope)
    }
}

/// `ignore` or `error` (the default); the older boolean is honoured when the newer
/// option is absent, and a contradiction between the two is refused.
fn ignore_missing_additional(props: &Props) -> Result<bool, ConfigProblem> {
    let old = props
        .get(ADDITIONAL_ERROR_ON_MISSING)
        .map(|_| props.bool(ADDITIONAL_ERROR_ON_MISSING, true))
        .transpose()?;
    let new = props
        .get(ADDITIONAL_MISSING)
        .map(|_| props.choice(ADDITIONAL_MISSING, &["error", "ignore"], "error"))
        .transpose()?;
    match (new, old) {
        (Some(new), Some(error_on_missing)) if (new == "ignore") == error_on_missing => Err(props
            .problem(
                ADDITIONAL_MISSING,
                format!(
                    "contradicts '{}'; set only '{}'",
                    props.key(ADDITIONAL_ERROR_ON_MISSING),
                    props.key(ADDITIONAL_MISSING)
                ),
            )),
        (Some(new), _) => Ok(new == "ignore"),
        (None, Some(error_on_missing)) => Ok(!error_on_missing),
        (None, None) => Ok(false),
    }
}

/// Parses `column:placement[:alias],…` as Debezium splits it: Java's `split` drops
/// trailing empty pieces, and every entry needs two or three parts.
fn additional_fields(props: &Props) -> Result<Vec<AdditionalField>, ConfigProblem> {
    let Some(raw) = props.get(ADDITIONAL_PLACEMENT) else {
        return Ok(Vec::new());
    };
    let invalid = |detail: String| {
        props.problem(
            ADDITIONAL_PLACEMENT,
            format!("a comma-separated list of column:placement or column:placement:alias entries is expected, {detail}"),
        )
    };
    java_split(raw, ',')
        .into_iter()
        .map(|entry| {
            let parts = java_split(entry, ':');
            if parts.len() != 2 && parts.len() != 3 {
                return Err(invalid(format!("but got '{entry}'")));
            }
            let column = parts[0].trim().to_string();
            // Debezium accepts an unknown placement here and then fails every record;
            // refusing it now is the same outcome, earlier.
            let placement = match parts[1].trim().to_ascii_lowercase().as_str() {
                "header" => Placement::Header,
                "envelope" => Placement::Envelope,
                "partition" => Placement::Partition,
                other => {
                    return Err(invalid(format!(
                        "and the placement '{other}' in '{entry}' is not one of: header, envelope, partition"
                    )))
                }
            };
            let alias = parts
                .get(2)
                .map_or_else(|| column.clone(), |a| a.trim().to_string());
            Ok(AdditionalField {
                column,
                placement,
                alias,
            })
        })
        .collect()
}

/// `String.split(char)` as Java does it: empty pieces are kept except at the end.
fn java_split(text: &str, separator: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(separator).collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() && !text.is_empty() {
        parts.clear();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Result<Options, ConfigProblem> {
        Options::from_props(&Props::of(pairs))
    }

    #[test]
    fn defaults_are_debeziums() {
        let o = options(&[]).unwrap();
        assert_eq!(
            (
                o.event_id.as_str(),
                o.event_key.as_str(),
                o.payload.as_str()
            ),
            ("id", "aggregateid", "payload")
        );
        assert_eq!(o.route_by, "aggregatetype");
        assert_eq!(o.route_regex, "(?<routedByValue>.*)");
        assert_eq!(o.route_replacement, "outbox.event.${routedByValue}");
        assert_eq!(o.timestamp, None);
        assert_eq!(o.schema_version, None);
        assert!(!o.tombstone_on_empty_payload && !o.expand_json);
        assert!(!o.ignore_missing_additional);
        assert_eq!(o.invalid_op, InvalidOpBehavior::Warn);
        assert!(!o.json.null_as_optional_bytes && !o.json.empty_array_as_optional_strings);
        assert!(o.additional.is_empty());
    }

    #[test]
    fn placements_parse_with_aliases_and_trimming() {
        let o = options(&[(
            ADDITIONAL_PLACEMENT,
            "type:envelope:payloadType, aggregateid:ENVELOPE,p:partition:ignored,",
        )])
        .unwrap();
        assert_eq!(
            o.additional,
            [
                AdditionalField {
                    column: "type".into(),
                    placement: Placement::Envelope,
                    alias: "payloadType".into()
                },
                AdditionalField {
                    column: "aggregateid".into(),
                    placement: Placement::Envelope,
                    alias: "aggregateid".into()
                },
                AdditionalField {
                    column: "p".into(),
                    placement: Placement::Partition,
                    alias: "ignored".into()
                },
            ]
        );
        assert!(o.has_envelope_fields());
    }

    #[test]
    fn malformed_placements_are_refused() {
        for bad in [
            "type",
            "",
            "a:header,,b:envelope",
            "a:header:x:y",
            "type:body",
        ] {
            let err = options(&[(ADDITIONAL_PLACEMENT, bad)]).err();
            assert!(
                err.is_some_and(|e| e.0.contains(ADDITIONAL_PLACEMENT)),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn the_older_boolean_sets_the_missing_behaviour() {
        assert!(
            options(&[(ADDITIONAL_ERROR_ON_MISSING, "false")])
                .unwrap()
                .ignore_missing_additional
        );
        assert!(
            !options(&[(ADDITIONAL_ERROR_ON_MISSING, "true")])
                .unwrap()
                .ignore_missing_additional
        );
        assert!(
            options(&[(ADDITIONAL_MISSING, "IGNORE")])
                .unwrap()
                .ignore_missing_additional
        );
        assert!(options(&[
            (ADDITIONAL_MISSING, "ignore"),
            (ADDITIONAL_ERROR_ON_MISSING, "true")
        ])
        .is_err());
        assert!(options(&[(ADDITIONAL_MISSING, "sometimes")]).is_err());
    }

    #[test]
    fn tracing_and_field_renaming_are_refused() {
        for key in TRACING_OPTIONS {
            let err = options(&[(key, "x")]).err().unwrap();
            assert!(err.0.contains(key), "{err}");
        }
        assert!(options(&[(FIELD_NAME_ADJUSTMENT, "avro")]).is_err());
        assert!(options(&[(FIELD_NAME_ADJUSTMENT, "none")]).is_ok());
    }

    #[test]
    fn enumerations_are_checked() {
        assert!(options(&[("table.op.invalid.behavior", "invalidOption")]).is_err());
        assert_eq!(
            options(&[("table.op.invalid.behavior", "FATAL")])
                .unwrap()
                .invalid_op,
            InvalidOpBehavior::Fatal
        );
        assert!(options(&[("table.json.payload.null.behavior", "drop")]).is_err());
        assert!(
            options(&[("table.json.payload.empty.array.behavior", "optional_string")])
                .unwrap()
                .json
                .empty_array_as_optional_strings
        );
    }
}
