//! Record data as JavaScript values, shaped as Debezium's Graal.js binding shows them:
//! structs as objects whose properties are their fields (`value.after.id`), primitives as
//! JavaScript numbers, strings and booleans, arrays as arrays, headers by name with
//! `.value` and `.schema`, schemas as objects with ConnectSchema's methods
//! (`valueSchema.name()`, `valueSchema.field('after').schema()`).
//!
//! Values are built per record (they change); schema objects once per schema (they are
//! shared `Arc`s), kept in a JavaScript array indexed from here.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
use rquickjs::{Array, Ctx, Function, Object, Value as JsValue};

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// At most this many schema objects are kept; past it the cache starts over.
const SCHEMA_CAPACITY: usize = 1024;

/// The prelude's helpers (`__ferrium`), looked up once per evaluation.
pub struct Helpers<'js> {
    struct_proto: Object<'js>,
    map_proto: Object<'js>,
    schema: Function<'js>,
    date: Function<'js>,
    schemas: Array<'js>,
    pub run: Option<Function<'js>>,
}

impl<'js> Helpers<'js> {
    pub fn load(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let helpers: Object = ctx.globals().get("__ferrium")?;
        Ok(Helpers {
            struct_proto: helpers.get("structProto")?,
            map_proto: helpers.get("mapProto")?,
            schema: helpers.get("schema")?,
            date: helpers.get("date")?,
            schemas: helpers.get("schemas")?,
            run: helpers.get("run")?,
        })
    }
}

/// Which variables the expression can reach: the others are never built. Decided from
/// the expression's text, conservatively (any mention counts; `arguments` and `eval` can
/// reach all of them).
#[derive(Debug, Clone, Copy)]
pub struct Uses {
    pub key: bool,
    pub value: bool,
    pub key_schema: bool,
    pub value_schema: bool,
    pub header: bool,
}

impl Uses {
    pub fn of(expression: &str) -> Self {
        let all = expression.contains("arguments") || expression.contains("eval");
        let mentions = |name: &str| all || expression.contains(name);
        Uses {
            key: mentions("key"),
            value: mentions("value"),
            key_schema: mentions("keySchema"),
            value_schema: mentions("valueSchema"),
            header: mentions("header"),
        }
    }

    pub fn all() -> Self {
        Uses {
            key: true,
            value: true,
            key_schema: true,
            value_schema: true,
            header: true,
        }
    }
}

/// The six variables Debezium binds, in the order of the compiled function's parameters.
pub struct Bindings<'js> {
    pub key: JsValue<'js>,
    pub value: JsValue<'js>,
    pub key_schema: JsValue<'js>,
    pub value_schema: JsValue<'js>,
    pub topic: JsValue<'js>,
    pub header: JsValue<'js>,
}

/// Builds the bindings of records, keeping one JavaScript object per schema.
#[derive(Default)]
pub struct Binder {
    /// Schema address → (the schema, kept so the address is not reused; its index in
    /// `__ferrium.schemas`).
    schema_index: HashMap<usize, (Arc<Schema>, usize)>,
}

impl Binder {
    pub fn bind<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        uses: Uses,
        record: &SourceRecord,
    ) -> rquickjs::Result<Bindings<'js>> {
        let unused = || JsValue::new_undefined(ctx.clone());
        let null = || JsValue::new_null(ctx.clone());
        let data = |data: &Option<ConnectData>| -> rquickjs::Result<JsValue<'js>> {
            match data {
                Some(d) => to_js(ctx, helpers, &d.schema, &d.value),
                None => Ok(null()),
            }
        };
        let mut schema_of = |data: &Option<ConnectData>| -> rquickjs::Result<JsValue<'js>> {
            match data {
                Some(d) => self.schema(ctx, helpers, &d.schema),
                None => Ok(null()),
            }
        };
        Ok(Bindings {
            key: if uses.key {
                data(&record.key)?
            } else {
                unused()
            },
            value: if uses.value {
                data(&record.value)?
            } else {
                unused()
            },
            key_schema: if uses.key_schema {
                schema_of(&record.key)?
            } else {
                unused()
            },
            value_schema: if uses.value_schema {
                schema_of(&record.value)?
            } else {
                unused()
            },
            topic: rquickjs::String::from_str(ctx.clone(), &record.topic)?.into_value(),
            header: if uses.header {
                self.headers(ctx, helpers, record)?
            } else {
                unused()
            },
        })
    }

    /// Headers by name, each `{ value, schema }` like Debezium's RecordHeader; a later
    /// header of the same name wins, as it does in Debezium's HashMap.
    fn headers<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        record: &SourceRecord,
    ) -> rquickjs::Result<JsValue<'js>> {
        let headers = Object::new(ctx.clone())?;
        for header in &record.headers {
            let entry = Object::new(ctx.clone())?;
            let data = &header.value;
            entry.set("value", to_js(ctx, helpers, &data.schema, &data.value)?)?;
            entry.set("schema", self.schema(ctx, helpers, &data.schema)?)?;
            headers.set(header.key.as_str(), entry)?;
        }
        Ok(headers.into_value())
    }

    fn schema<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        schema: &Arc<Schema>,
    ) -> rquickjs::Result<JsValue<'js>> {
        let address = Arc::as_ptr(schema) as usize;
        if let Some((_, index)) = self.schema_index.get(&address) {
            return helpers.schemas.get(*index);
        }
        if self.schema_index.len() >= SCHEMA_CAPACITY {
            self.schema_index.clear();
            helpers.schemas.as_object().set("length", 0)?;
        }
        let object: JsValue = helpers.schema.call((describe_schema(ctx, schema)?,))?;
        let index = helpers.schemas.len();
        helpers.schemas.set(index, object.clone())?;
        self.schema_index.insert(address, (schema.clone(), index));
        Ok(object)
    }
}

/// The plain description of a schema that the prelude's `schema()` wraps with methods.
fn describe_schema<'js>(ctx: &Ctx<'js>, schema: &Schema) -> rquickjs::Result<Object<'js>> {
    let d = Object::new(ctx.clone())?;
    d.set("type", type_name(schema.kind))?;
    d.set("name", schema.name.as_deref())?;
    d.set("optional", schema.optional)?;
    d.set("version", schema.version)?;
    d.set("doc", schema.doc.as_deref())?;
    // ConnectSchema#parameters() is null when none were set.
    let parameters = if schema.parameters.is_empty() {
        JsValue::new_null(ctx.clone())
    } else {
        let map = Object::new(ctx.clone())?;
        for (k, v) in &schema.parameters {
            map.set(k.as_str(), v.as_str())?;
        }
        map.into_value()
    };
    d.set("parameters", parameters)?;
    let default = match &schema.default {
        Some(json) => ctx.json_parse(json.to_string())?,
        None => JsValue::new_null(ctx.clone()),
    };
    d.set("defaultValue", default)?;
    let fields = if schema.kind == SchemaType::Struct {
        let list = Array::new(ctx.clone())?;
        for (i, f) in schema.fields.iter().enumerate() {
            let entry = Object::new(ctx.clone())?;
            entry.set("name", f.name.as_str())?;
            entry.set("schema", describe_schema(ctx, &f.schema)?)?;
            list.set(i, entry)?;
        }
        list.into_value()
    } else {
        JsValue::new_null(ctx.clone())
    };
    d.set("fields", fields)?;
    for (name, child) in [
        ("items", &schema.items),
        ("keys", &schema.keys),
        ("values", &schema.values),
    ] {
        let child = match child {
            Some(s) => describe_schema(ctx, s)?.into_value(),
            None => JsValue::new_null(ctx.clone()),
        };
        d.set(name, child)?;
    }
    Ok(d)
}

fn type_name(kind: SchemaType) -> &'static str {
    match kind {
        SchemaType::Int8 => "int8",
        SchemaType::Int16 => "int16",
        SchemaType::Int32 => "int32",
        SchemaType::Int64 => "int64",
        SchemaType::Float32 => "float32",
        SchemaType::Float64 => "float64",
        SchemaType::Boolean => "boolean",
        SchemaType::String => "string",
        SchemaType::Bytes => "bytes",
        SchemaType::Array => "array",
        SchemaType::Map => "map",
        SchemaType::Struct => "struct",
    }
}

/// One Connect value as JavaScript. Kafka's logical Date/Time/Timestamp are
/// `java.util.Date`s in a Struct, so they become `Date`s; a Decimal becomes a number.
pub fn to_js<'js>(
    ctx: &Ctx<'js>,
    helpers: &Helpers<'js>,
    schema: &Schema,
    value: &Value,
) -> rquickjs::Result<JsValue<'js>> {
    let ctx = ctx.clone();
    Ok(match value {
        Value::Null => JsValue::new_null(ctx),
        Value::Boolean(b) => JsValue::new_bool(ctx, *b),
        Value::Int8(v) => JsValue::new_int(ctx, (*v).into()),
        Value::Int16(v) => JsValue::new_int(ctx, (*v).into()),
        Value::Int32(v) => match schema.name.as_deref() {
            Some(DATE) => helpers.date.call((f64::from(*v) * MILLIS_PER_DAY,))?,
            Some(TIME) => helpers.date.call((f64::from(*v),))?,
            _ => JsValue::new_int(ctx, *v),
        },
        Value::Int64(v) => match schema.name.as_deref() {
            Some(TIMESTAMP) => helpers.date.call((*v as f64,))?,
            // JavaScript numbers hold integers exactly up to 2^53.
            _ => match i32::try_from(*v) {
                Ok(small) => JsValue::new_int(ctx, small),
                Err(_) => JsValue::new_float(ctx, *v as f64),
            },
        },
        Value::Float32(v) => JsValue::new_float(ctx, f64::from(*v)),
        Value::Float64(v) => JsValue::new_float(ctx, *v),
        Value::String(s) => rquickjs::String::from_str(ctx, s)?.into_value(),
        Value::Bytes(bytes) if schema.name.as_deref() == Some(DECIMAL) => {
            JsValue::new_float(ctx, decimal(bytes, schema))
        }
        // A Java byte[]: indexed, signed.
        Value::Bytes(bytes) => {
            let array = Array::new(ctx.clone())?;
            for (i, b) in bytes.iter().enumerate() {
                array.set(i, JsValue::new_int(ctx.clone(), i32::from(*b as i8)))?;
            }
            array.into_value()
        }
        Value::Array(items) => {
            let array = Array::new(ctx.clone())?;
            for (i, item) in items.iter().enumerate() {
                let item = match &schema.items {
                    Some(s) => to_js(&ctx, helpers, s, item)?,
                    None => JsValue::new_null(ctx.clone()),
                };
                array.set(i, item)?;
            }
            array.into_value()
        }
        Value::Map(entries) => {
            let map = Object::new(ctx.clone())?;
            map.set_prototype(Some(&helpers.map_proto))?;
            for (k, v) in entries {
                let (Some(ks), Some(vs)) = (&schema.keys, &schema.values) else {
                    break;
                };
                map.set(to_js(&ctx, helpers, ks, k)?, to_js(&ctx, helpers, vs, v)?)?;
            }
            map.into_value()
        }
        Value::Struct(values) => {
            let object = Object::new(ctx.clone())?;
            object.set_prototype(Some(&helpers.struct_proto))?;
            for (field, v) in schema.fields.iter().zip(values) {
                object.set(field.name.as_str(), to_js(&ctx, helpers, &field.schema, v)?)?;
            }
            object.into_value()
        }
    })
}

/// A Decimal's unscaled big-endian two's-complement bytes, scaled, as a double (what
/// `BigDecimal#doubleValue` gives).
fn decimal(bytes: &[u8], schema: &Schema) -> f64 {
    let scale: i32 = schema
        .parameter("scale")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let Some((first, rest)) = bytes.split_first() else {
        return 0.0;
    };
    let unscaled = rest.iter().fold(f64::from(*first as i8), |acc, b| {
        acc * 256.0 + f64::from(*b)
    });
    unscaled / 10f64.powi(scale)
}
