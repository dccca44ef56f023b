//! Converter classes by name, configured as Kafka Connect configures them:
//! `key.converter`, `value.converter` and `header.converter` name a class, and
//! `<role>.<option>` keys are its options. A connector's keys override the worker's; a
//! connector that names another class than the worker's takes none of the worker's
//! options for it. A class or option Ferrium does not implement is refused by name.

use std::collections::BTreeMap;

use crate::avro::{AvroConverter, APICURIO_AVRO_CONVERTER, CONFLUENT_AVRO_CONVERTER};
use crate::{DataConverter, HeaderConverter, JsonConverter, RecordConverter};

pub const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
pub const SIMPLE_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Converter classes users commonly configure that this build does not have, with
/// what to do instead.
const NOT_AVAILABLE: &[(&str, &str)] = &[
    (
        "io.confluent.connect.protobuf.ProtobufConverter",
        "Protobuf is not implemented",
    ),
    (
        "io.confluent.connect.json.JsonSchemaConverter",
        "JSON Schema through a registry is not implemented",
    ),
    (
        "org.apache.kafka.connect.storage.StringConverter",
        "StringConverter is not implemented",
    ),
    (
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "ByteArrayConverter is not implemented",
    ),
    (
        "io.debezium.converters.CloudEventsConverter",
        "CloudEvents is not implemented",
    ),
];

/// Every problem found, each naming its key in quotes.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid converter configuration: {}", .0.join("; "))]
pub struct ConverterConfigError(pub Vec<String>);

/// The class and options of one role, merged from the worker's and the connector's keys.
struct RoleSettings {
    role: &'static str,
    class: String,
    /// Where the class came from, for messages: `connector` or `worker`.
    origin: &'static str,
    options: BTreeMap<String, String>,
}

fn role_settings(
    role: &'static str,
    default_class: &str,
    worker: &BTreeMap<String, String>,
    connector: &BTreeMap<String, String>,
) -> RoleSettings {
    let class_of = |props: &BTreeMap<String, String>| {
        props
            .get(role)
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
    };
    let prefix = format!("{role}.");
    let options_of = |props: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        props
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), v.trim().to_string())))
            .collect()
    };
    let worker_class = class_of(worker).unwrap_or_else(|| default_class.to_string());
    let (class, origin, mut options) = match class_of(connector) {
        Some(class) if class != worker_class => (class, "connector", BTreeMap::new()),
        Some(class) => (class, "connector", options_of(worker)),
        None => (worker_class, "worker", options_of(worker)),
    };
    options.extend(options_of(connector));
    RoleSettings {
        role,
        class,
        origin,
        options,
    }
}

/// Kafka Connect accepts a plugin's simple name for its class.
fn is(class: &str, full: &str) -> bool {
    class == full || full.rsplit('.').next() == Some(class)
}

fn unavailable(settings: &RoleSettings, supported: &str) -> String {
    let why = NOT_AVAILABLE
        .iter()
        .find(|(c, _)| is(&settings.class, c))
        .map_or("it is not a converter Ferrium has", |(_, why)| why);
    format!(
        "{} option '{}' is '{}': {why}; this build supports {supported}",
        settings.origin, settings.role, settings.class
    )
}

fn bool_option(
    settings: &RoleSettings,
    name: &str,
    default: bool,
    problems: &mut Vec<String>,
) -> bool {
    match settings.options.get(name).map(String::as_str) {
        None => default,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            problems.push(format!(
                "invalid value '{v}' for option '{}.{name}': expected true or false",
                settings.role
            ));
            default
        }
    }
}

/// `JsonConverter` with its options checked.
fn json_converter(settings: &RoleSettings, problems: &mut Vec<String>) -> JsonConverter {
    let schemas = bool_option(settings, "schemas.enable", true, problems);
    let replace = bool_option(settings, "replace.null.with.default", true, problems);
    let role = settings.role;
    for (name, value) in &settings.options {
        match name.as_str() {
            "schemas.enable" | "converter.type" | "replace.null.with.default" => {}
            "schemas.cache.size" => {
                if value.parse::<u32>().is_err() {
                    problems.push(format!(
                        "invalid value '{value}' for option '{role}.schemas.cache.size': expected a positive integer"
                    ));
                }
            }
            "decimal.format" if value.eq_ignore_ascii_case("BASE64") => {}
            "decimal.format" => problems.push(format!(
                "option '{role}.decimal.format' is '{value}': Ferrium's JsonConverter writes decimals as BASE64 only; remove the option or set it to BASE64"
            )),
            // Kafka's converters ignore options they do not define; so does Ferrium.
            other => tracing::debug!(option = %format!("{role}.{other}"), "ignoring unknown converter option"),
        }
    }
    JsonConverter::new(schemas)
        .replace_null_with_default(replace)
        .for_role(settings.role)
}

/// The key and value converters and the header converter of a connector.
pub fn build_converters(
    worker: &BTreeMap<String, String>,
    connector: &BTreeMap<String, String>,
) -> Result<RecordConverter, ConverterConfigError> {
    let mut problems = Vec::new();
    let mut data = |role: &'static str| {
        let settings = role_settings(role, JSON_CONVERTER, worker, connector);
        let is_key = role == "key.converter";
        if is(&settings.class, JSON_CONVERTER) {
            DataConverter::Json(json_converter(&settings, &mut problems))
        } else if settings.class == "AvroConverter" {
            problems.push(format!(
                "{} option '{role}' is 'AvroConverter', which names both {CONFLUENT_AVRO_CONVERTER} and {APICURIO_AVRO_CONVERTER}: give the full class name",
                settings.origin
            ));
            DataConverter::Json(JsonConverter::new(true))
        } else if is(&settings.class, CONFLUENT_AVRO_CONVERTER)
            || is(&settings.class, APICURIO_AVRO_CONVERTER)
        {
            let apicurio = is(&settings.class, APICURIO_AVRO_CONVERTER)
                && !is(&settings.class, CONFLUENT_AVRO_CONVERTER);
            let before = problems.len();
            let avro = crate::avro::AvroSettings::parse(
                role,
                is_key,
                apicurio,
                &settings.options,
                &mut problems,
            );
            if problems.len() > before {
                return DataConverter::Json(JsonConverter::new(true));
            }
            match AvroConverter::new(role, is_key, avro) {
                Ok(converter) => DataConverter::Avro(Box::new(converter)),
                Err(e) => {
                    problems.push(format!("option '{role}': {e}"));
                    DataConverter::Json(JsonConverter::new(true))
                }
            }
        } else {
            problems.push(unavailable(
                &settings,
                &format!(
                    "{JSON_CONVERTER}, {CONFLUENT_AVRO_CONVERTER} and {APICURIO_AVRO_CONVERTER}"
                ),
            ));
            DataConverter::Json(JsonConverter::new(true))
        }
    };
    let key = data("key.converter");
    let value = data("value.converter");
    let settings = role_settings(
        "header.converter",
        SIMPLE_HEADER_CONVERTER,
        worker,
        connector,
    );
    let header = if is(&settings.class, SIMPLE_HEADER_CONVERTER) {
        HeaderConverter::Simple
    } else if is(&settings.class, JSON_CONVERTER) {
        HeaderConverter::Json(json_converter(&settings, &mut problems))
    } else {
        problems.push(unavailable(
            &settings,
            &format!("{SIMPLE_HEADER_CONVERTER} and {JSON_CONVERTER}"),
        ));
        HeaderConverter::Simple
    };
    if problems.is_empty() {
        Ok(RecordConverter { key, value, header })
    } else {
        Err(ConverterConfigError(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
    use std::sync::Arc;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The value text `converter` writes for a record of `schema` and `value`.
    fn converted(converter: &mut RecordConverter, schema: Schema, value: Value) -> String {
        let record = SourceRecord::new(
            "t".into(),
            None,
            Some(ConnectData::new(Arc::new(schema), value)),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let serialized = runtime.block_on(converter.convert(&record, &stop)).unwrap();
        String::from_utf8(serialized.value.unwrap()).unwrap()
    }

    fn value_text(converter: &mut RecordConverter) -> String {
        converted(converter, Schema::of(SchemaType::Int32), Value::Int32(1))
    }

    #[test]
    fn the_connector_overrides_the_worker() {
        let worker = props(&[("value.converter.schemas.enable", "false")]);
        assert_eq!(
            value_text(&mut build_converters(&worker, &props(&[])).unwrap()),
            "1"
        );
        let connector = props(&[("value.converter.schemas.enable", "true")]);
        assert!(
            value_text(&mut build_converters(&worker, &connector).unwrap())
                .starts_with("{\"schema\"")
        );
        let by_simple_name = props(&[
            ("value.converter", "JsonConverter"),
            ("value.converter.schemas.enable", "false"),
        ]);
        assert_eq!(
            value_text(&mut build_converters(&props(&[]), &by_simple_name).unwrap()),
            "1"
        );
    }

    #[test]
    fn replace_null_with_default_is_on_unless_set_false() {
        let schema = Schema::record("r").field(
            "s",
            Schema::of(SchemaType::String)
                .optional()
                .default_value(serde_json::json!("d")),
        );
        let text = |converter: &mut RecordConverter| {
            converted(converter, schema.clone(), Value::Struct(vec![Value::Null]))
        };
        let worker = props(&[("value.converter.schemas.enable", "false")]);
        assert_eq!(
            text(&mut build_converters(&worker, &props(&[])).unwrap()),
            r#"{"s":"d"}"#
        );
        let connector = props(&[("value.converter.replace.null.with.default", "false")]);
        assert_eq!(
            text(&mut build_converters(&worker, &connector).unwrap()),
            r#"{"s":null}"#
        );
        let bad = props(&[("key.converter.replace.null.with.default", "maybe")]);
        let problems = build_converters(&worker, &bad).err().unwrap().0;
        assert!(
            problems[0].contains("'key.converter.replace.null.with.default'"),
            "{problems:?}"
        );
    }

    #[test]
    fn unavailable_classes_and_options_are_refused_by_name() {
        let connector = props(&[
            (
                "value.converter",
                "io.confluent.connect.protobuf.ProtobufConverter",
            ),
            ("key.converter.decimal.format", "NUMERIC"),
            ("header.converter", "com.example.MyHeaders"),
        ]);
        let problems = build_converters(&props(&[]), &connector).err().unwrap().0;
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("'key.converter.decimal.format'"));
        assert!(
            problems[1].contains("connector option 'value.converter'")
                && problems[1].contains("Protobuf")
        );
        assert!(
            problems[2].contains("'header.converter'")
                && problems[2].contains("SimpleHeaderConverter")
        );
        let worker = props(&[(
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        )]);
        let problems = build_converters(&worker, &props(&[])).err().unwrap().0;
        assert!(
            problems[0].starts_with("worker option 'key.converter'"),
            "{problems:?}"
        );
    }
}
