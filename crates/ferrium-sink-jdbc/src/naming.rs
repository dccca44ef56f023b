//! Table names from `collection.name.format`, as Debezium's collection naming strategies
//! resolve them: `${topic}` and `${source.<field>}` are replaced, then the default
//! strategy turns every `.` into `_` (the pass-through strategy keeps it, so
//! `${source.schema}.${source.table}` can name a schema-qualified table).

use std::sync::Arc;

use ferrium_event::{struct_field, Schema, Value};

use crate::change::ChangeError;
use crate::config::JdbcSinkConfig;

/// The target table of a record of `topic`; `source` is the change event's `source`
/// block, which flattened records no longer have.
pub fn table_name(
    config: &JdbcSinkConfig,
    topic: &str,
    source: Option<(&Arc<Schema>, &Value)>,
) -> Result<String, ChangeError> {
    let format = &config.collection_name_format;
    let mut out = String::with_capacity(format.len() + topic.len());
    let mut rest = format.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(ChangeError(format!(
                "collection.name.format '{format}' has a '${{' without its '}}'"
            )));
        };
        let variable = &after[..end];
        if variable == "topic" {
            out.push_str(topic);
        } else if let Some(field) = variable.strip_prefix("source.") {
            let Some((schema, value)) = source else {
                return Err(ChangeError(format!(
                    "collection.name.format '{format}' uses ${{{variable}}}, but the record of topic {topic} has no source block (a flattened record): use ${{topic}}, or add the field with ExtractNewRecordState's add.fields"
                )));
            };
            let text = struct_field(schema, value, field)
                .and_then(|f| match f.value {
                    Value::String(s) => Some(s.clone()),
                    Value::Int32(n) => Some(n.to_string()),
                    Value::Int64(n) => Some(n.to_string()),
                    _ => None,
                })
                .ok_or_else(|| {
                    ChangeError(format!(
                        "collection.name.format '{format}' uses ${{{variable}}}, which the source block of topic {topic} does not have"
                    ))
                })?;
            out.push_str(&text);
        } else {
            return Err(ChangeError(format!(
                "collection.name.format '{format}' uses ${{{variable}}}; the variables are ${{topic}} and ${{source.<field>}}"
            )));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if config.sanitize_names {
        out = out.replace('.', "_");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_config::ConnectorConfig;
    use ferrium_event::SchemaType;

    fn config(format: &str, strategy: Option<&str>) -> JdbcSinkConfig {
        let mut props: std::collections::BTreeMap<String, String> = [
            ("connector.class", crate::config::CONNECTOR_CLASS),
            ("connection.url", "jdbc:postgresql://h/db"),
            ("connection.username", "u"),
            ("topics", "t"),
            ("collection.name.format", format),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Some(s) = strategy {
            props.insert("collection.naming.strategy".into(), s.into());
        }
        JdbcSinkConfig::from_connector(&ConnectorConfig {
            name: "s".into(),
            props,
        })
        .unwrap()
    }

    #[test]
    fn topic_and_source_fields_resolve() {
        let source = Arc::new(
            Schema::record("src")
                .field("schema", Schema::of(SchemaType::String))
                .field("table", Schema::of(SchemaType::String)),
        );
        let value = Value::Struct(vec![
            Value::String("public".into()),
            Value::String("orders".into()),
        ]);
        let c = config("${topic}", None);
        assert_eq!(
            table_name(&c, "shop.public.orders", None).unwrap(),
            "shop_public_orders"
        );
        let c = config("rm_${source.table}", None);
        assert_eq!(
            table_name(&c, "x", Some((&source, &value))).unwrap(),
            "rm_orders"
        );
        let c = config(
            "${source.schema}.${source.table}",
            Some("io.debezium.sink.naming.PassthroughCollectionNamingStrategy"),
        );
        assert_eq!(
            table_name(&c, "x", Some((&source, &value))).unwrap(),
            "public.orders"
        );
        let e = table_name(&config("${source.table}", None), "x", None)
            .unwrap_err()
            .0;
        assert!(e.contains("flattened"), "{e}");
        let e = table_name(&config("${nope}", None), "x", None)
            .unwrap_err()
            .0;
        assert!(e.contains("${nope}"), "{e}");
    }
}
