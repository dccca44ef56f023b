//! Config validation with Kafka Connect's `ConfigInfos` report: every option of the
//! connector class with its definition, its value, and the errors that name it.
//!
//! The checks are the connector's own (`ConfigDef` types and the cross-field rules of
//! the source's config), so the REST API rejects exactly what the connector would fail
//! on at start. Each problem is attributed to the option it names in quotes.

use ferrium_config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConnectorConfig, WorkerConfig,
};
use serde_json::{json, Value as Json};

use crate::connector::SUPPORTED_CONNECTORS;

/// A validation report: the `ConfigInfos` JSON and the flat list of its errors.
#[derive(Debug, Clone)]
pub struct Validation {
    pub infos: Json,
    pub errors: Vec<String>,
}

/// The supported class a `connector.class` value or plugin alias names: the full class,
/// its simple name, or the simple name without `Connector` (as Kafka Connect accepts).
pub fn resolve_class(name: &str) -> Option<&'static str> {
    SUPPORTED_CONNECTORS.iter().copied().find(|class| {
        let simple = class.rsplit('.').next().unwrap_or(class);
        name == *class
            || name.eq_ignore_ascii_case(simple)
            || simple
                .strip_suffix("Connector")
                .is_some_and(|s| name.eq_ignore_ascii_case(s))
    })
}

/// The message for a class this build does not run.
pub fn unknown_class_message(class: &str) -> String {
    format!(
        "Failed to find any class that implements Connector and which name matches {class}, available connectors are: {}",
        SUPPORTED_CONNECTORS.join(", ")
    )
}

/// The option table and the full check of a connector class, when the build has them.
/// A connector's full config check: every problem, each naming its option in quotes.
type Check = fn(&ConnectorConfig) -> Vec<String>;

fn checks(class: &str) -> Option<(ConfigDef, Check)> {
    if class == ferrium_source_postgres::CONNECTOR_CLASS {
        let check = |c: &ConnectorConfig| -> Vec<String> {
            match ferrium_source_postgres::PostgresConfig::from_connector(c) {
                Ok(_) => Vec::new(),
                Err(ConfigError::Invalid(problems)) => problems,
                Err(other) => vec![other.to_string()],
            }
        };
        return Some((ferrium_source_postgres::config::DEF, check));
    }
    if class == ferrium_source_mysql::CONNECTOR_CLASS
        || class == ferrium_source_mysql::MARIADB_CONNECTOR_CLASS
    {
        let check = |c: &ConnectorConfig| -> Vec<String> {
            match ferrium_source_mysql::MysqlConfig::from_connector(c) {
                Ok(_) => Vec::new(),
                Err(ConfigError::Invalid(problems)) => problems,
                Err(other) => vec![other.to_string()],
            }
        };
        return Some((ferrium_source_mysql::config::DEF, check));
    }
    if class == ferrium_sink_jdbc::CONNECTOR_CLASS {
        let check = |c: &ConnectorConfig| -> Vec<String> {
            match ferrium_sink_jdbc::JdbcSinkConfig::from_connector(c) {
                Ok(_) => Vec::new(),
                Err(ConfigError::Invalid(problems)) => problems,
                Err(other) => vec![other.to_string()],
            }
        };
        return Some((ferrium_sink_jdbc::config::DEF, check));
    }
    None
}

fn type_name(kind: ConfigType) -> &'static str {
    match kind {
        ConfigType::String | ConfigType::Enum(_) => "STRING",
        ConfigType::Password => "PASSWORD",
        ConfigType::Int => "INT",
        ConfigType::Long => "LONG",
        ConfigType::Boolean => "BOOLEAN",
        ConfigType::List => "LIST",
    }
}

fn entry(
    key: &ConfigKey,
    group: &str,
    order: usize,
    value: Option<&str>,
    errors: Vec<String>,
) -> Json {
    let (key_name, kind, required, default, doc) =
        (key.name, key.kind, key.required, key.default, key.doc);
    let recommended: Vec<&str> = match kind {
        ConfigType::Enum(values) => values.to_vec(),
        ConfigType::Boolean => vec!["true", "false"],
        _ => Vec::new(),
    };
    // Kafka Connect never echoes a password in a validation report.
    let shown = match (kind, value) {
        (ConfigType::Password, Some(_)) => Some("[hidden]"),
        (_, v) => v,
    };
    json!({
        "definition": {
            "name": key_name, "type": type_name(kind), "required": required,
            "default_value": default, "importance": if required { "HIGH" } else { "MEDIUM" },
            "documentation": doc, "group": group, "width": "NONE", "display_name": key_name,
            "dependents": [], "order": order,
        },
        "value": {
            "name": key_name, "value": shown, "recommended_values": recommended,
            "errors": errors, "visible": true,
        }
    })
}

/// Validates a config against its class's options; `class` must be resolved first.
///
/// The checks run on the config with its placeholders resolved by the worker's config
/// providers (as Kafka Connect validates the transformed config); the report shows the
/// values as stored, placeholders included, and its messages have every resolved value
/// put back as its placeholder. An unresolvable placeholder is an error of its key.
pub fn validate(
    class: &'static str,
    worker: &WorkerConfig,
    config: &ConnectorConfig,
) -> Validation {
    let (resolved, resolution) = worker.resolve_connector(config);
    let mut problems = resolution.problems.clone();
    let mut found = match checks(class) {
        Some((_, check)) => check(&resolved),
        None => Vec::new(),
    };
    found.extend(crate::intake::Intake::config_problems(&resolved));
    found.extend(kafka_client_problems(&resolved));
    problems.extend(found.iter().map(|p| resolution.scrub(p)));
    let keys: Vec<&'static ConfigKey> = checks(class)
        .map(|(def, _)| def.all_keys().collect())
        .unwrap_or_default();
    let mut configs = Vec::new();
    let mut all_errors = Vec::new();
    let take = |name: &str, legacy: Option<&str>, problems: &mut Vec<String>| -> Vec<String> {
        let names = |p: &String| {
            p.contains(&format!("'{name}'"))
                || legacy.is_some_and(|l| p.contains(&format!("'{l}'")))
        };
        let (mine, rest): (Vec<String>, Vec<String>) = problems.drain(..).partition(names);
        *problems = rest;
        mine
    };
    // Kafka Connect's common connector options come first, in group "Common".
    let name_errors = if config.name.trim().is_empty() {
        vec!["the connector name must not be empty".to_string()]
    } else {
        Vec::new()
    };
    all_errors.extend(name_errors.iter().cloned());
    const NAME: ConfigKey = ConfigKey::new(
        "name",
        ConfigType::String,
        "Globally unique name to use for this connector.",
    )
    .required();
    const CLASS: ConfigKey = ConfigKey::new(
        "connector.class",
        ConfigType::String,
        "Name or alias of the class for this connector.",
    )
    .required();
    configs.push(entry(&NAME, "Common", 1, Some(&config.name), name_errors));
    configs.push(entry(&CLASS, "Common", 2, Some(class), Vec::new()));
    let group = class.rsplit('.').next().unwrap_or(class);
    for (i, key) in keys.iter().enumerate() {
        if key.name == "connector.class" {
            continue;
        }
        let value = config
            .get(key.name)
            .or_else(|| key.legacy.and_then(|l| config.get(l)))
            .or(key.default);
        let errors = take(key.name, key.legacy, &mut problems);
        all_errors.extend(errors.iter().cloned());
        configs.push(entry(key, group, i + 1, value, errors));
    }
    // Transforms, predicates, converters and error handling are options of the worker's
    // framework rather than of the connector class: each gets an entry of its own, in a
    // group per transform or predicate, as Kafka Connect reports them.
    let mut groups = vec!["Common".to_string(), group.to_string()];
    let mut framework: Vec<(String, Vec<String>)> = Vec::new();
    problems.retain(|p| {
        let Some(key) = framework_key(p) else {
            return true;
        };
        match framework.iter_mut().find(|(k, _)| *k == key) {
            Some((_, errors)) => errors.push(p.clone()),
            None => framework.push((key, vec![p.clone()])),
        }
        false
    });
    for (key, errors) in framework {
        let group = framework_group(&key);
        if !groups.contains(&group) {
            groups.push(group.clone());
        }
        all_errors.extend(errors.iter().cloned());
        configs.push(framework_entry(
            &key,
            &group,
            configs.len() + 1,
            config.get(&key),
            errors,
        ));
    }
    // Problems no option claims (rare) still count, under the connector's name.
    if !problems.is_empty() {
        all_errors.extend(problems.iter().cloned());
        if let Some(first) = configs.first_mut() {
            if let Some(errs) = first["value"]["errors"].as_array_mut() {
                errs.extend(problems.into_iter().map(Json::String));
            }
        }
    }
    Validation {
        infos: json!({
            "name": class,
            "error_count": all_errors.len(),
            "groups": groups,
            "configs": configs,
        }),
        errors: all_errors,
    }
}

/// The connector's own Kafka client overrides, checked as they are translated for
/// librdkafka when the connector starts (a Java-only key, a JAAS entry Ferrium cannot
/// read, a store it cannot open); each problem names its option in quotes.
fn kafka_client_problems(config: &ConnectorConfig) -> Vec<String> {
    [
        "producer.override.",
        "admin.override.",
        "consumer.override.",
    ]
    .into_iter()
    .filter_map(|prefix| {
        let settings: std::collections::BTreeMap<String, String> = config
            .props
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
            .collect();
        let problem = ferrium_sink::librdkafka_settings(&settings, prefix).err()?;
        // The message begins with the option as the user wrote it.
        let key = problem
            .split([' ', ':', '='])
            .next()
            .unwrap_or(prefix)
            .to_string();
        Some(format!("'{key}': {problem}"))
    })
    .collect()
}

/// The framework option a problem names in quotes, if any.
fn framework_key(problem: &str) -> Option<String> {
    const PREFIXES: &[&str] = &[
        "transforms",
        "predicates",
        "key.converter",
        "value.converter",
        "header.converter",
        "errors.",
        "extended.headers.enabled",
        "producer.override.",
        "admin.override.",
        "consumer.override.",
    ];
    let mut rest = problem;
    while let Some(start) = rest.find('\'') {
        let after = &rest[start + 1..];
        let end = after.find('\'')?;
        let candidate = &after[..end];
        if PREFIXES.iter().any(|p| candidate.starts_with(p)) && !candidate.contains(' ') {
            return Some(candidate.to_string());
        }
        rest = &after[end + 1..];
    }
    None
}

/// Kafka Connect's group of a framework option: `Transforms: <alias>`, `Predicates: <name>`.
fn framework_group(key: &str) -> String {
    let alias = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|r| r.split('.').next())
            .map(str::to_string)
    };
    if let Some(alias) = alias("transforms.") {
        format!("Transforms: {alias}")
    } else if let Some(name) = alias("predicates.") {
        format!("Predicates: {name}")
    } else if key.starts_with("errors.") {
        "Error Handling".to_string()
    } else {
        "Common".to_string()
    }
}

fn framework_entry(
    key: &str,
    group: &str,
    order: usize,
    value: Option<&str>,
    errors: Vec<String>,
) -> Json {
    json!({
        "definition": {
            "name": key, "type": "STRING", "required": false, "default_value": null,
            "importance": "MEDIUM", "documentation": "", "group": group, "width": "NONE",
            "display_name": key, "dependents": [], "order": order,
        },
        "value": {
            "name": key, "value": value, "recommended_values": [], "errors": errors, "visible": true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's entry for option `name`.
    fn entry_of<'a>(v: &'a Validation, name: &str) -> &'a Json {
        v.infos["configs"]
            .as_array()
            .and_then(|configs| configs.iter().find(|c| c["definition"]["name"] == name))
            .unwrap_or_else(|| panic!("no entry for {name}: {:#}", v.infos))
    }

    fn pg(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            name: "c".into(),
            props: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn kafka_client_overrides_are_checked_as_they_will_be_translated() {
        let v = validate(
            ferrium_source_postgres::CONNECTOR_CLASS,
            &WorkerConfig::default(),
            &pg(&[
                ("connector.class", ferrium_source_postgres::CONNECTOR_CLASS),
                ("database.hostname", "h"),
                ("database.user", "u"),
                ("database.dbname", "d"),
                ("topic.prefix", "p"),
                ("producer.override.ssl.protocol", "TLSv1.3"),
                (
                    "admin.override.sasl.jaas.config",
                    "com.example.Login required;",
                ),
            ]),
        );
        let errors = |n: &str| entry_of(&v, n)["value"]["errors"].to_string();
        assert!(
            errors("producer.override.ssl.protocol").contains("Java's TLS or login machinery"),
            "{:#}",
            v.infos
        );
        assert!(
            errors("admin.override.sasl.jaas.config").contains("admin.override.sasl.jaas.config: "),
            "{:#}",
            v.infos
        );
        assert_eq!(v.infos["error_count"], 2, "{:?}", v.errors);
    }

    #[test]
    fn transforms_and_converters_are_refused_under_their_own_keys() {
        let v = validate(
            ferrium_source_postgres::CONNECTOR_CLASS,
            &WorkerConfig::default(),
            &pg(&[
                ("database.hostname", "h"),
                ("database.user", "u"),
                ("database.dbname", "d"),
                ("topic.prefix", "p"),
                ("transforms", "unwrap,later"),
                ("transforms.unwrap.type", "com.example.Unwrap"),
                (
                    "transforms.later.type",
                    "org.apache.kafka.connect.transforms.RegexRouter",
                ),
                (
                    "value.converter",
                    "io.confluent.connect.protobuf.ProtobufConverter",
                ),
            ]),
        );
        assert_eq!(v.infos["error_count"], 3, "{:#}", v.infos);
        let unwrap = entry_of(&v, "transforms.unwrap.type");
        assert_eq!(unwrap["definition"]["group"], "Transforms: unwrap");
        assert!(unwrap["value"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not available"));
        let regex = entry_of(&v, "transforms.later.regex");
        assert!(regex["value"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("required"));
        let converter = entry_of(&v, "value.converter");
        assert!(converter["value"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("Protobuf"));
        assert!(v.infos["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "Transforms: later"));
    }

    #[test]
    fn aliases_resolve_to_the_class() {
        let class = ferrium_source_postgres::CONNECTOR_CLASS;
        assert_eq!(resolve_class(class), Some(class));
        assert_eq!(resolve_class("PostgresConnector"), Some(class));
        assert_eq!(resolve_class("postgres"), Some(class));
        assert_eq!(resolve_class("FileStreamSource"), None);
        assert_eq!(
            resolve_class("MySqlConnector"),
            Some(ferrium_source_mysql::CONNECTOR_CLASS)
        );
        assert_eq!(
            resolve_class("mariadb"),
            Some(ferrium_source_mysql::MARIADB_CONNECTOR_CLASS)
        );
    }

    #[test]
    fn mysql_configs_are_checked_by_the_mysql_rules() {
        let v = validate(
            ferrium_source_mysql::CONNECTOR_CLASS,
            &WorkerConfig::default(),
            &pg(&[
                ("database.hostname", "h"),
                ("database.user", "u"),
                ("topic.prefix", "p"),
                ("database.server.id", "0"),
            ]),
        );
        let server_id = entry_of(&v, "database.server.id");
        assert_eq!(v.infos["error_count"], 1, "{:#}", v.infos);
        assert!(server_id["value"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("unique"));
    }

    #[test]
    fn errors_land_on_the_option_they_name() {
        let v = validate(
            ferrium_source_postgres::CONNECTOR_CLASS,
            &WorkerConfig::default(),
            &pg(&[
                ("database.hostname", "h"),
                ("database.user", "u"),
                ("snapshot.mode", "bogus"),
                ("database.password", "pw"),
            ]),
        );
        assert_eq!(v.infos["error_count"], 3, "{:#}", v.infos);
        assert_eq!(
            entry_of(&v, "snapshot.mode")["value"]["errors"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            entry_of(&v, "database.dbname")["value"]["errors"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            entry_of(&v, "topic.prefix")["value"]["errors"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            entry_of(&v, "database.password")["value"]["value"],
            "[hidden]"
        );
        assert_eq!(entry_of(&v, "database.port")["value"]["value"], "5432");
        assert!(entry_of(&v, "database.hostname")["value"]["errors"]
            .as_array()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn placeholders_are_checked_resolved_and_shown_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("port"), "port-secret-77").unwrap();
        std::fs::write(dir.path().join("password"), "pw-secret-78").unwrap();
        let worker = WorkerConfig::from_props(
            [
                ("config.providers", "dir"),
                (
                    "config.providers.dir.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                ),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        )
        .unwrap();
        let at = dir.path().display().to_string();
        let (port, password, missing) = (
            format!("${{dir:{at}:port}}"),
            format!("${{dir:{at}:password}}"),
            format!("${{dir:{at}:absent}}"),
        );
        let v = validate(
            ferrium_source_postgres::CONNECTOR_CLASS,
            &worker,
            &pg(&[
                ("database.hostname", "h"),
                ("database.user", &missing),
                ("database.dbname", "d"),
                ("topic.prefix", "p"),
                ("database.port", &port),
                ("database.password", &password),
            ]),
        );
        let shown = v.infos.to_string();
        assert!(
            !shown.contains("port-secret-77") && !shown.contains("pw-secret-78"),
            "{shown}"
        );
        assert_eq!(v.infos["error_count"], 2, "{:#}", v.infos);
        // The port was checked resolved: not a number, reported with its placeholder.
        let port_entry = &entry_of(&v, "database.port")["value"];
        assert_eq!(port_entry["value"], port.as_str());
        assert!(
            port_entry["errors"][0].as_str().unwrap().contains(&port),
            "{port_entry}"
        );
        let user = &entry_of(&v, "database.user")["value"];
        assert_eq!(user["value"], missing.as_str());
        let error = user["errors"][0].as_str().unwrap();
        assert!(
            error.contains("config provider 'dir'") && error.contains("no file \"absent\""),
            "{error}"
        );
        assert!(entry_of(&v, "database.password")["value"]["errors"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}
