//! What happens when the registry refuses a table's new schema as incompatible (HTTP 409):
//! Ferrium's own policy, `<role>.incompatible.schema.policy`, a list tried in order.
//!
//! - `optional`: the fields the latest registered version lacks (a column added
//!   `NOT NULL` without a default, a column renamed) are made optional with a null
//!   default, which every compatibility level accepts, and so are fields the latest
//!   version has optional; a narrowed type is not fixed.
//! - `new-subject`: the schema goes under `<subject>-v2` (or the first of `-v3`, … that
//!   takes it), so streaming goes on and the old subject keeps the old history.
//! - `fail`: the connector fails, naming the topic, the fields and the registry's answer.
//!
//! The default, `optional,new-subject`, never leaves a connector in a crash loop.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ferrium_event::{Schema, SchemaType};
use serde_json::Value as Json;

use super::schema::scrub_name;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Optional,
    NewSubject,
    Fail,
}

impl Policy {
    pub const DEFAULT: &'static [Policy] = &[Policy::Optional, Policy::NewSubject];

    pub fn parse_list(text: &str) -> Result<Vec<Policy>, String> {
        let mut policies = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            policies.push(match part.to_ascii_lowercase().as_str() {
                "optional" => Policy::Optional,
                "new-subject" => Policy::NewSubject,
                "fail" => Policy::Fail,
                other => {
                    return Err(format!(
                        "'{other}' is not a policy; expected a list of optional, new-subject, fail"
                    ))
                }
            });
        }
        if policies.is_empty() {
            return Err("expected a list of optional, new-subject, fail".into());
        }
        Ok(policies)
    }
}

/// The fields of each record of a registered Avro schema, by record full name.
pub type RecordFields = HashMap<String, HashMap<String, Json>>;

/// Every record in an Avro schema (as JSON) with its fields' types.
pub fn record_fields(avro: &Json) -> RecordFields {
    let mut out = RecordFields::new();
    collect(avro, None, &mut out);
    out
}

fn collect(avro: &Json, namespace: Option<&str>, out: &mut RecordFields) {
    match avro {
        Json::Array(branches) => branches.iter().for_each(|b| collect(b, namespace, out)),
        Json::Object(map) => {
            let ns = map.get("namespace").and_then(Json::as_str).or(namespace);
            match map.get("type").and_then(Json::as_str) {
                Some("record") => {
                    let name = map.get("name").and_then(Json::as_str).unwrap_or_default();
                    let full = match ns {
                        Some(ns) if !ns.is_empty() && !name.contains('.') => format!("{ns}.{name}"),
                        _ => name.to_string(),
                    };
                    let mut fields = HashMap::new();
                    for field in map
                        .get("fields")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(field_name) = field.get("name").and_then(Json::as_str) {
                            let kind = field.get("type").cloned().unwrap_or(Json::Null);
                            collect(&kind, ns, out);
                            fields.insert(field_name.to_string(), kind);
                        }
                    }
                    out.insert(full, fields);
                }
                Some("array") => {
                    if let Some(items) = map.get("items") {
                        collect(items, ns, out)
                    }
                }
                Some("map") => {
                    if let Some(values) = map.get("values") {
                        collect(values, ns, out)
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// `schema` with every required field that the same record of `latest` lacks made
/// optional; `None` when there is no such field.
pub fn relax(schema: &Arc<Schema>, latest: &RecordFields, scrub: bool) -> Option<Arc<Schema>> {
    let mut changed = false;
    let relaxed = relax_in(schema, latest, scrub, &mut changed);
    changed.then_some(relaxed)
}

fn relax_in(
    schema: &Arc<Schema>,
    latest: &RecordFields,
    scrub: bool,
    changed: &mut bool,
) -> Arc<Schema> {
    match schema.kind {
        SchemaType::Struct => {
            let known = schema
                .name
                .as_deref()
                .and_then(|n| latest.get(&avro_name(n, scrub)));
            let mut out = (**schema).clone();
            for field in &mut out.fields {
                let mut relaxed = relax_in(&field.schema, latest, scrub, changed);
                let name = if scrub {
                    scrub_name(&field.name)
                } else {
                    field.name.clone()
                };
                // A field the latest version lacks, or has optional (made so by an
                // earlier relaxation: a required field could not read those values).
                let relax_it =
                    known.is_some_and(|fields| fields.get(&name).is_none_or(is_nullable));
                if relax_it && !relaxed.optional && relaxed.default.is_none() {
                    relaxed = Arc::new((*relaxed).clone().optional());
                    *changed = true;
                }
                field.schema = relaxed;
            }
            Arc::new(out)
        }
        SchemaType::Array => {
            let mut out = (**schema).clone();
            out.items = schema
                .items
                .as_ref()
                .map(|i| relax_in(i, latest, scrub, changed));
            Arc::new(out)
        }
        SchemaType::Map => {
            let mut out = (**schema).clone();
            out.values = schema
                .values
                .as_ref()
                .map(|v| relax_in(v, latest, scrub, changed));
            Arc::new(out)
        }
        _ => schema.clone(),
    }
}

fn avro_name(connect_name: &str, scrub: bool) -> String {
    if scrub {
        connect_name
            .split('.')
            .map(scrub_name)
            .collect::<Vec<_>>()
            .join(".")
    } else {
        connect_name.to_string()
    }
}

/// What changed between the latest registered version and a new schema, for messages:
/// `record.field` names that are new and required, or of another type.
pub fn describe_changes(new: &RecordFields, latest: &RecordFields) -> Vec<String> {
    let mut changes = Vec::new();
    let mut records: Vec<_> = new.iter().collect();
    records.sort_by(|a, b| a.0.cmp(b.0));
    for (record, fields) in records {
        let Some(old) = latest.get(record) else {
            continue;
        };
        let mut names: Vec<_> = fields.keys().collect();
        names.sort();
        for name in names {
            let kind = &fields[name];
            match old.get(name) {
                None if !is_nullable(kind) => {
                    changes.push(format!("{record}.{name} is new and required"))
                }
                Some(old_kind) if !same_type(old_kind, kind) => changes.push(format!(
                    "{record}.{name} changed type from {} to {}",
                    type_text(old_kind),
                    type_text(kind)
                )),
                _ => {}
            }
        }
        let removed: HashSet<_> = old.keys().filter(|k| !fields.contains_key(*k)).collect();
        let mut removed: Vec<_> = removed.into_iter().collect();
        removed.sort();
        for name in removed {
            changes.push(format!("{record}.{name} was removed"));
        }
    }
    changes
}

fn is_nullable(kind: &Json) -> bool {
    kind.as_array()
        .is_some_and(|b| b.iter().any(|t| t.as_str() == Some("null")))
}

/// Types compared by their Avro type names, ignoring `connect.*` annotations.
fn same_type(a: &Json, b: &Json) -> bool {
    type_text(a) == type_text(b)
}

fn type_text(kind: &Json) -> String {
    match kind {
        Json::String(s) => s.clone(),
        Json::Array(branches) => format!(
            "[{}]",
            branches
                .iter()
                .map(type_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Object(map) => match map.get("type").and_then(Json::as_str) {
            Some("record") | Some("enum") | Some("fixed") => map
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("record")
                .to_string(),
            Some("array") => format!(
                "array<{}>",
                map.get("items").map_or_else(String::new, type_text)
            ),
            Some("map") => format!(
                "map<{}>",
                map.get("values").map_or_else(String::new, type_text)
            ),
            Some(t) => match map.get("logicalType").and_then(Json::as_str) {
                Some(logical) => format!("{t}({logical})"),
                None => t.to_string(),
            },
            None => "?".into(),
        },
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::schema::{avro_schema, AvroDataOptions};

    fn row(extra: Option<(&str, Schema)>) -> Arc<Schema> {
        let mut row = Schema::record("srv.public.t.Value")
            .field("id", Schema::of(SchemaType::Int32))
            .field("name", Schema::of(SchemaType::String).optional());
        if let Some((name, schema)) = extra {
            row = row.field(name, schema);
        }
        let row = Arc::new(row.optional());
        Arc::new(
            Schema::record("srv.public.t.Envelope")
                .field("before", row.clone())
                .field("after", row),
        )
    }

    fn fields_of(schema: &Schema) -> RecordFields {
        record_fields(&avro_schema(schema, AvroDataOptions::default()))
    }

    #[test]
    fn a_new_required_field_is_made_optional_and_nothing_else_changes() {
        let latest = fields_of(&row(None));
        assert!(latest["srv.public.t.Value"].contains_key("name"));
        let added = row(Some(("code", Schema::of(SchemaType::Int64))));
        let changes = describe_changes(&fields_of(&added), &latest);
        assert_eq!(changes, vec!["srv.public.t.Value.code is new and required"]);
        let relaxed = relax(&added, &latest, false).expect("relaxed");
        let value = relaxed.fields[1].schema.clone();
        assert!(value.fields[2].schema.optional);
        assert!(!value.fields[0].schema.optional, "id stays required");
        assert!(describe_changes(&fields_of(&relaxed), &latest).is_empty());
        assert!(relax(&row(None), &latest, false).is_none());
        // Once relaxed, the field stays optional in the versions after.
        let relaxed_fields = fields_of(&relaxed);
        let again = relax(&added, &relaxed_fields, false).expect("kept optional");
        assert!(again.fields[1].schema.fields[2].schema.optional);
    }

    #[test]
    fn a_narrowed_type_is_described_and_not_relaxed() {
        let latest = fields_of(&row(Some(("n", Schema::of(SchemaType::Int64)))));
        let narrowed = row(Some(("n", Schema::of(SchemaType::Int32))));
        assert_eq!(
            describe_changes(&fields_of(&narrowed), &latest),
            vec!["srv.public.t.Value.n changed type from long to int"]
        );
        assert!(relax(&narrowed, &latest, false).is_none());
    }

    #[test]
    fn policies_parse_as_a_list() {
        assert_eq!(
            Policy::parse_list("optional, fail").unwrap(),
            vec![Policy::Optional, Policy::Fail]
        );
        assert!(Policy::parse_list("drop").is_err());
    }
}
