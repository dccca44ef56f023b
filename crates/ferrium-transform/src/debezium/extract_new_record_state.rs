//! `io.debezium.transforms.ExtractNewRecordState` ("unwrap"): replaces a change event
//! with its row, `after` for creates, updates and reads, and for deletes what
//! `delete.tombstone.handling.mode` says; optionally adds envelope fields to the row
//! (`add.fields`) or as headers (`add.headers`), routes by a row column
//! (`route.by.field`) and drops fields a header lists (`drop.fields.header.name`).
//!
//! Records that are not change events (heartbeats, transaction metadata, schema
//! changes, logical decoding messages) pass unchanged; truncates are dropped; Debezium's
//! tombstones pass only in `rewrite-with-tombstone`.
//!
//! Everything that depends on the envelope schema (field positions, output schemas) is
//! worked out once per schema in a [`Plan`], so a record costs a pointer comparison and
//! moving `after` out of the envelope.

mod delete_handling;
mod drop_fields;
mod field_reference;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::change::is_envelope;
use ferrium_event::{ConnectData, Header, Schema, SchemaType, SourceRecord, Value};

use crate::debezium::connect_schema::{
    field_defaults, fill_defaults, is_blank, push_field, struct_basics,
};
use crate::schema_cache::SchemaCache;
use crate::{ConfigProblem, Props, Transform, TransformError};
use delete_handling::{DeleteHandling, OnDelete};
use drop_fields::DropFields;
use field_reference::{FieldReference, ResolvedField};

const ADD_FIELDS: &str = "add.fields";
const ADD_FIELDS_PREFIX: &str = "add.fields.prefix";
const ADD_HEADERS: &str = "add.headers";
const ADD_HEADERS_PREFIX: &str = "add.headers.prefix";
const ROUTE_BY_FIELD: &str = "route.by.field";
const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";
const DEFAULT_PREFIX: &str = "__";
/// The field the rewrite modes append to every row.
const DELETED_FIELD: &str = "__deleted";
/// Bound on remembered envelope schemas; cleared when full (as `SchemaCache`).
const PLAN_CAPACITY: usize = 1024;

pub struct ExtractNewRecordState {
    deletes: DeleteHandling,
    replace_null_with_default: bool,
    route_by_field: Option<String>,
    add_fields: Vec<FieldReference>,
    add_headers: Vec<FieldReference>,
    /// The `add.headers` names a tombstone gets, each as `"d"`.
    tombstone_op_headers: Vec<String>,
    /// `Schema.STRING_SCHEMA`, the schema of a tombstone's `op` header.
    op_header_schema: Arc<Schema>,
    drop_fields: Option<DropFields>,
    plans: HashMap<usize, (Arc<Schema>, Arc<Plan>)>,
    /// The plan of the last envelope schema seen: consecutive records mostly share one.
    last_plan: Option<(Arc<Schema>, Arc<Plan>)>,
    /// Row schema -> the row with `__deleted` (Kafka's `InsertField` step).
    rewritten_rows: SchemaCache,
    /// Envelope schema -> the value schema of its creates, updates and reads.
    upsert_schemas: SchemaCache,
    /// Envelope schema -> the value schema of its rewritten deletes.
    delete_schemas: SchemaCache,
    /// (base schema, envelope schema) -> base with `add.fields`, for a rewritten delete
    /// whose fields a header removed first (Debezium drops before adding on deletes).
    added_after_drop: HashMap<(usize, usize), AddedAfterDrop>,
    /// The last routed topic, reused while the routing column keeps its value.
    last_topic: Option<Arc<str>>,
}

/// The inputs (kept so their addresses, the key, are not reused) and the derived schema.
type AddedAfterDrop = (Arc<Schema>, Arc<Schema>, Arc<Schema>);

/// What to do with the records of one envelope schema.
struct Plan {
    after: Result<usize, TransformError>,
    before: Result<usize, TransformError>,
    headers: Result<Vec<ResolvedField>, TransformError>,
    upsert: Result<Output, TransformError>,
    /// In the rewrite modes only.
    delete: Option<Result<Output, TransformError>>,
    /// `route.by.field` in the `before` image, for deletes.
    delete_route: Option<Result<RouteField, TransformError>>,
}

/// How a row image becomes the record value.
struct Output {
    /// The row with `__deleted` in rewrite modes, before `add.fields`.
    unwrapped: Arc<Schema>,
    /// The final value schema.
    schema: Arc<Schema>,
    /// In rewrite modes with `replace.null.with.default`, the defaults read in place of
    /// nulls.
    defaults: Vec<(usize, Value)>,
    deleted: Option<&'static str>,
    added: Vec<ResolvedField>,
    /// `route.by.field` in the unwrapped row.
    route: Option<Result<RouteField, TransformError>>,
}

/// A string column to route by, with the default `Struct.get` reads for a null.
#[derive(Clone)]
struct RouteField {
    index: usize,
    default: Option<String>,
}

impl RouteField {
    fn topic<'a>(&'a self, row: &'a [Value]) -> Option<&'a str> {
        match row.get(self.index) {
            Some(Value::String(s)) => Some(s.as_str()),
            _ => self.default.as_deref(),
        }
        .filter(|t| !is_blank(t))
    }
}

fn field_position(schema: &Schema, name: &str) -> Result<usize, TransformError> {
    schema
        .field_index(name)
        .ok_or_else(|| TransformError::new(format!("Unknown field: {name}")))
}

/// `Struct.getString(name)`: the field must exist and be a string.
fn route_field(row: &Schema, name: &str) -> Result<RouteField, TransformError> {
    let index = row.field_index(name).ok_or_else(|| {
        TransformError::new(format!("{name} is not a valid field name (route.by.field)"))
    })?;
    let schema = &row.fields[index].schema;
    if schema.kind != SchemaType::String {
        return Err(TransformError::new(format!(
            "field '{name}' (route.by.field) is of type {}, not string",
            schema.kind.json_name()
        )));
    }
    Ok(RouteField {
        index,
        default: schema
            .default
            .as_ref()
            .and_then(|d| d.as_str())
            .map(str::to_string),
    })
}

fn resolve_all(
    references: &[FieldReference],
    envelope: &Schema,
) -> Result<Vec<ResolvedField>, TransformError> {
    let mut resolved = Vec::new();
    for reference in references {
        resolved.extend(reference.resolve(envelope)?);
    }
    Ok(resolved)
}

/// A struct schema's basics and fields, then `extra` fields (each name checked).
fn extended<'a>(
    base: &Schema,
    extra: impl IntoIterator<Item = (&'a str, Arc<Schema>)>,
) -> Result<Schema, TransformError> {
    let mut schema = struct_basics(base);
    schema.fields = base.fields.clone();
    for (name, field_schema) in extra {
        push_field(&mut schema, name, field_schema)?;
    }
    Ok(schema)
}

/// The settings that shape an [`Output`].
struct OutputSpec<'a> {
    deleted: Option<&'static str>,
    replace_null_with_default: bool,
    route_by_field: Option<&'a str>,
    added: &'a Result<Vec<ResolvedField>, TransformError>,
}

fn output(
    envelope: &Arc<Schema>,
    image: usize,
    spec: &OutputSpec<'_>,
    rewritten_rows: &mut SchemaCache,
    final_schemas: &mut SchemaCache,
) -> Result<Output, TransformError> {
    let row = &envelope.fields[image].schema;
    if row.kind != SchemaType::Struct {
        return Err(TransformError::new(format!(
            "envelope field '{}' is not a struct",
            envelope.fields[image].name
        )));
    }
    let optional_string = || Arc::new(Schema::of(SchemaType::String).optional());
    let unwrapped = match spec.deleted {
        Some(_) => rewritten_rows.get_or_insert(row, |row| {
            extended(row, [(DELETED_FIELD, optional_string())])
        })?,
        None => row.clone(),
    };
    let added = spec.added.clone()?;
    let schema = final_schemas.get_or_insert(envelope, |_| {
        extended(
            &unwrapped,
            added.iter().map(|f| (f.name.as_str(), f.schema.clone())),
        )
    })?;
    let defaults = match spec.deleted {
        Some(_) if spec.replace_null_with_default => field_defaults(row),
        _ => Vec::new(),
    };
    Ok(Output {
        route: spec
            .route_by_field
            .map(|name| route_field(&unwrapped, name)),
        unwrapped,
        schema,
        defaults,
        deleted: spec.deleted,
        added,
    })
}

impl ExtractNewRecordState {
    pub fn new(props: &Props) -> Result<Self, ConfigProblem> {
        let deletes = DeleteHandling::from_props(props)?;
        let references = |list: &str, prefix: &str| -> Result<Vec<FieldReference>, ConfigProblem> {
            let prefix = props.string(prefix, DEFAULT_PREFIX);
            props
                .list(list)
                .iter()
                .map(|entry| {
                    FieldReference::parse(&prefix, entry).map_err(|e| props.problem(list, e))
                })
                .collect()
        };
        let add_fields = references(ADD_FIELDS, ADD_FIELDS_PREFIX)?;
        let add_headers = references(ADD_HEADERS, ADD_HEADERS_PREFIX)?;
        let route_by_field = props
            .get(ROUTE_BY_FIELD)
            .filter(|f| !f.is_empty())
            .map(str::to_string);
        Ok(ExtractNewRecordState {
            deletes,
            replace_null_with_default: props.bool(REPLACE_NULL_WITH_DEFAULT, true)?,
            route_by_field,
            tombstone_op_headers: add_headers
                .iter()
                .filter(|r| r.is_op())
                .map(|r| r.output_name.clone())
                .collect(),
            add_fields,
            add_headers,
            op_header_schema: Arc::new(Schema::of(SchemaType::String)),
            drop_fields: DropFields::from_props(props)?,
            plans: HashMap::new(),
            last_plan: None,
            rewritten_rows: SchemaCache::new(),
            upsert_schemas: SchemaCache::new(),
            delete_schemas: SchemaCache::new(),
            added_after_drop: HashMap::new(),
            last_topic: None,
        })
    }

    fn plan_for(&mut self, envelope: &Arc<Schema>) -> Arc<Plan> {
        if let Some((schema, plan)) = &self.last_plan {
            if Arc::ptr_eq(schema, envelope) {
                return plan.clone();
            }
        }
        let key = Arc::as_ptr(envelope) as usize;
        let plan = match self.plans.get(&key) {
            Some((_, plan)) => plan.clone(),
            None => {
                if self.plans.len() >= PLAN_CAPACITY {
                    self.plans.clear();
                }
                let plan = Arc::new(self.build_plan(envelope));
                self.plans.insert(key, (envelope.clone(), plan.clone()));
                plan
            }
        };
        self.last_plan = Some((envelope.clone(), plan.clone()));
        plan
    }

    fn build_plan(&mut self, envelope: &Arc<Schema>) -> Plan {
        let after = field_position(envelope, "after");
        let before = field_position(envelope, "before");
        let mut headers = resolve_all(&self.add_headers, envelope);
        let mut added = resolve_all(&self.add_fields, envelope);
        // Headers are read first, then the added fields, from an envelope that is then
        // discarded: the last reader of each value takes it.
        if let (Ok(headers), Ok(added)) = (headers.as_mut(), added.as_mut()) {
            let mut reads: Vec<&mut ResolvedField> =
                headers.iter_mut().chain(added.iter_mut()).collect();
            ResolvedField::mark_moves(&mut reads);
        }
        let mut spec = OutputSpec {
            deleted: self.deletes.rewrites().then_some("false"),
            replace_null_with_default: self.replace_null_with_default,
            route_by_field: self.route_by_field.as_deref(),
            added: &added,
        };
        let upsert = after.clone().and_then(|image| {
            output(
                envelope,
                image,
                &spec,
                &mut self.rewritten_rows,
                &mut self.upsert_schemas,
            )
        });
        spec.deleted = Some("true");
        let delete = self.deletes.rewrites().then(|| {
            before.clone().and_then(|image| {
                output(
                    envelope,
                    image,
                    &spec,
                    &mut self.rewritten_rows,
                    &mut self.delete_schemas,
                )
            })
        });
        let delete_route = self.route_by_field.as_deref().map(|name| {
            before
                .clone()
                .and_then(|image| route_field(&envelope.fields[image].schema, name))
        });
        Plan {
            headers,
            after,
            before,
            upsert,
            delete,
            delete_route,
        }
    }

    fn route(&mut self, record: &mut SourceRecord, topic: Option<&str>) {
        let Some(topic) = topic else { return };
        let routed = match &self.last_topic {
            Some(last) if &**last == topic => last.clone(),
            _ => {
                let routed: Arc<str> = Arc::from(topic);
                self.last_topic = Some(routed.clone());
                routed
            }
        };
        record.topic = routed;
    }

    /// The base schema with `add.fields`, for a delete whose fields were dropped first.
    fn added_on(
        &mut self,
        base: &Arc<Schema>,
        envelope: &Arc<Schema>,
        added: &[ResolvedField],
    ) -> Result<Arc<Schema>, TransformError> {
        let key = (Arc::as_ptr(base) as usize, Arc::as_ptr(envelope) as usize);
        if let Some((_, _, schema)) = self.added_after_drop.get(&key) {
            return Ok(schema.clone());
        }
        if self.added_after_drop.len() >= PLAN_CAPACITY {
            self.added_after_drop.clear();
        }
        let schema = Arc::new(extended(
            base,
            added.iter().map(|f| (f.name.as_str(), f.schema.clone())),
        )?);
        self.added_after_drop
            .insert(key, (base.clone(), envelope.clone(), schema.clone()));
        Ok(schema)
    }

    fn drop_listed_fields(&mut self, record: &mut SourceRecord) -> Result<(), TransformError> {
        match self.drop_fields.as_mut() {
            Some(drop) => drop.apply(record),
            None => Ok(()),
        }
    }

    fn tombstone(&self, mut record: SourceRecord) -> Option<SourceRecord> {
        if !self.deletes.keep_tombstones {
            return None;
        }
        for name in &self.tombstone_op_headers {
            record.headers.push(Header {
                key: name.clone(),
                value: ConnectData::new(self.op_header_schema.clone(), Value::from("d")),
            });
        }
        Some(record)
    }

    fn upsert(
        &mut self,
        mut record: SourceRecord,
        envelope: &mut [Value],
        row: Value,
        out: &Output,
    ) -> Result<Option<SourceRecord>, TransformError> {
        let Value::Struct(mut row) = row else {
            return Err(TransformError::new("the after image is not a struct"));
        };
        fill_defaults(&mut row, &out.defaults);
        row.reserve(out.added.len() + usize::from(out.deleted.is_some()));
        if let Some(deleted) = out.deleted {
            row.push(Value::from(deleted));
        }
        if let Some(route) = &out.route {
            let route = route.as_ref().map_err(Clone::clone)?;
            self.route(&mut record, route.topic(&row));
        }
        for field in &out.added {
            row.push(field.value(envelope)?);
        }
        record.value = Some(ConnectData::new(out.schema.clone(), Value::Struct(row)));
        self.drop_listed_fields(&mut record)?;
        Ok(Some(record))
    }

    fn delete(
        &mut self,
        mut record: SourceRecord,
        envelope_schema: &Arc<Schema>,
        mut envelope: Vec<Value>,
        plan: &Plan,
        before: usize,
    ) -> Result<Option<SourceRecord>, TransformError> {
        let after_schema = plan
            .after
            .as_ref()
            .map(|&i| envelope_schema.fields[i].schema.clone());
        // Debezium routes deletes by the `before` image as it came.
        if let Some(route) = &plan.delete_route {
            let route = route.as_ref().map_err(Clone::clone)?;
            match envelope.get(before) {
                Some(Value::Struct(row)) => {
                    let topic = route.topic(row).map(str::to_string);
                    self.route(&mut record, topic.as_deref());
                }
                _ => return Err(TransformError::new("the before image is not a struct")),
            }
        }
        let mut added: &[ResolvedField] = &[];
        match self.deletes.on_delete {
            OnDelete::Drop => return Ok(None),
            OnDelete::NullValue => {
                let schema = after_schema.map_err(|e| e.clone())?;
                record.value = Some(ConnectData::new(schema, Value::Null));
            }
            OnDelete::Tombstone => record.value = None,
            OnDelete::Rewrite => {
                let Some(out) = plan.delete.as_ref() else {
                    return Err(TransformError::new("no rewrite plan for deletes"));
                };
                let out = out.as_ref().map_err(Clone::clone)?;
                let Value::Struct(mut row) = std::mem::replace(&mut envelope[before], Value::Null)
                else {
                    return Err(TransformError::new("the before image is not a struct"));
                };
                fill_defaults(&mut row, &out.defaults);
                row.reserve(out.added.len() + 1);
                row.push(Value::from(out.deleted.unwrap_or("true")));
                if self.drop_fields.is_none() {
                    for field in &out.added {
                        row.push(field.value(&mut envelope)?);
                    }
                    record.value = Some(ConnectData::new(out.schema.clone(), Value::Struct(row)));
                    return Ok(Some(record));
                }
                record.value = Some(ConnectData::new(out.unwrapped.clone(), Value::Struct(row)));
                added = &out.added;
            }
        }
        self.drop_listed_fields(&mut record)?;
        if let Some(value) = record.value.as_mut().filter(|v| !v.value.is_null()) {
            let schema = self.added_on(&value.schema, envelope_schema, added)?;
            if let Value::Struct(row) = &mut value.value {
                for field in added {
                    row.push(field.value(&mut envelope)?);
                }
            }
            value.schema = schema;
        }
        Ok(Some(record))
    }
}

impl Transform for ExtractNewRecordState {
    fn apply(&mut self, mut record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        // Kafka Connect sees a tombstone in any null value, with or without a schema.
        if record.value.as_ref().is_none_or(|v| v.value.is_null()) {
            return Ok(self.tombstone(record));
        }
        let Some(value) = record.value.take() else {
            return Ok(self.tombstone(record));
        };
        if !is_envelope(&value.schema) {
            record.value = Some(value);
            return Ok(Some(record));
        }
        let ConnectData {
            schema: envelope_schema,
            value: Value::Struct(mut envelope),
        } = value
        else {
            return Err(TransformError::new(
                "the change event value is not a struct",
            ));
        };
        let plan = self.plan_for(&envelope_schema);
        if !self.add_headers.is_empty() {
            let headers = plan.headers.as_ref().map_err(Clone::clone)?;
            for header in headers {
                record.headers.push(Header {
                    key: header.name.clone(),
                    value: ConnectData::new(header.schema.clone(), header.value(&mut envelope)?),
                });
            }
        }
        let after = *plan.after.as_ref().map_err(Clone::clone)?;
        let row = envelope
            .get_mut(after)
            .map_or(Value::Null, |v| std::mem::replace(v, Value::Null));
        if !row.is_null() {
            let out = plan.upsert.as_ref().map_err(Clone::clone)?;
            return self.upsert(record, &mut envelope, row, out);
        }
        let before = *plan.before.as_ref().map_err(Clone::clone)?;
        if envelope.get(before).is_none_or(Value::is_null) {
            // A truncate (or any event without images): Debezium drops it.
            return Ok(None);
        }
        self.delete(record, &envelope_schema, envelope, &plan, before)
    }
}
