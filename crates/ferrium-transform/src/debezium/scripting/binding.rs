//! Record data as JavaScript values, shaped as Debezium's Graal.js binding shows them:
//! structs as objects whose properties are their fields (`value.after.id`), primitives as
//! JavaScript numbers, strings and booleans, arrays as arrays, headers by name with
//! `.value` and `.schema`, schemas as objects with ConnectSchema's methods
//! (`valueSchema.name()`, `valueSchema.field('after').schema()`).
//!
//! Values are built per record (they change), and only the variables and struct fields
//! the expression can reach (see `reach.rs`); what depends on the schema alone is built once per schema (schemas are
//! shared `Arc`s): the schema objects, and for each struct schema a maker function with
//! the field names compiled in.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::{ConnectData, Schema, SchemaType, SourceRecord, Value};
use rquickjs::function::Args;
use rquickjs::{Array, Ctx, Function, Object, Value as JsValue};

use super::reach::Reach;

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// At most this many schema objects are kept; past it the cache starts over.
const SCHEMA_CAPACITY: usize = 1024;

/// The prelude's helpers (`__ferrium`), looked up once per evaluation.
pub struct Helpers<'js> {
    map_proto: Object<'js>,
    schema: Function<'js>,
    struct_maker: Function<'js>,
    date: Function<'js>,
    makers: Array<'js>,
    schemas: Array<'js>,
    pub run: Option<Function<'js>>,
}

impl<'js> Helpers<'js> {
    pub fn load(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let helpers: Object = ctx.globals().get("__ferrium")?;
        Ok(Helpers {
            map_proto: helpers.get("mapProto")?,
            schema: helpers.get("schema")?,
            struct_maker: helpers.get("structMaker")?,
            date: helpers.get("date")?,
            makers: helpers.get("makers")?,
            schemas: helpers.get("schemas")?,
            run: helpers.get("run")?,
        })
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

/// JavaScript values derived once per schema and kept in a JavaScript array: the index
/// of each by the schema's address.
#[derive(Default)]
struct PerSchema {
    /// The schema is kept so its address is not reused.
    index: HashMap<usize, (Arc<Schema>, usize)>,
}

impl PerSchema {
    fn get_or_make<'js>(
        &mut self,
        store: &Array<'js>,
        schema: &Arc<Schema>,
        make: impl FnOnce() -> rquickjs::Result<JsValue<'js>>,
    ) -> rquickjs::Result<JsValue<'js>> {
        let address = Arc::as_ptr(schema) as usize;
        if let Some((_, i)) = self.index.get(&address) {
            return store.get(*i);
        }
        if self.index.len() >= SCHEMA_CAPACITY {
            self.index.clear();
            store.as_object().set("length", 0)?;
        }
        let made = make()?;
        let i = store.len();
        store.set(i, made.clone())?;
        self.index.insert(address, (schema.clone(), i));
        Ok(made)
    }
}

/// One struct schema's maker: its index in `__ferrium.makers`, and the fields it takes,
/// those the expression can reach.
struct Maker {
    /// Kept so the schema's address is not reused.
    _schema: Arc<Schema>,
    index: usize,
    fields: Arc<[usize]>,
}

/// Builds the bindings of records, keeping one schema object and one struct maker per
/// schema.
pub struct Binder {
    reach: Reach,
    schemas: PerSchema,
    makers: HashMap<usize, Maker>,
}

impl Binder {
    pub fn new(reach: Reach) -> Self {
        Binder {
            reach,
            schemas: PerSchema::default(),
            makers: HashMap::new(),
        }
    }

    pub fn bind<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        record: &SourceRecord,
    ) -> rquickjs::Result<Bindings<'js>> {
        let uses = self.reach.uses;
        let unused = || JsValue::new_undefined(ctx.clone());
        Ok(Bindings {
            key: if uses.key {
                self.data(ctx, helpers, &record.key)?
            } else {
                unused()
            },
            value: if uses.value {
                self.data(ctx, helpers, &record.value)?
            } else {
                unused()
            },
            key_schema: if uses.key_schema {
                self.schema_of(ctx, helpers, &record.key)?
            } else {
                unused()
            },
            value_schema: if uses.value_schema {
                self.schema_of(ctx, helpers, &record.value)?
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

    fn data<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        data: &Option<ConnectData>,
    ) -> rquickjs::Result<JsValue<'js>> {
        match data {
            Some(d) => self.convert(ctx, helpers, &d.schema, &d.value),
            None => Ok(JsValue::new_null(ctx.clone())),
        }
    }

    fn schema_of<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        data: &Option<ConnectData>,
    ) -> rquickjs::Result<JsValue<'js>> {
        match data {
            Some(d) => self.schema(ctx, helpers, &d.schema),
            None => Ok(JsValue::new_null(ctx.clone())),
        }
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
            entry.set(
                "value",
                self.convert(ctx, helpers, &data.schema, &data.value)?,
            )?;
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
        self.schemas.get_or_make(&helpers.schemas, schema, || {
            helpers.schema.call((describe_schema(ctx, schema)?,))
        })
    }

    /// One Connect value as JavaScript. Kafka's logical Date/Time/Timestamp are
    /// `java.util.Date`s in a Struct, so they become `Date`s; a Decimal becomes a number.
    fn convert<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        helpers: &Helpers<'js>,
        schema: &Arc<Schema>,
        value: &Value,
    ) -> rquickjs::Result<JsValue<'js>> {
        Ok(match value {
            Value::Null => JsValue::new_null(ctx.clone()),
            Value::Boolean(b) => JsValue::new_bool(ctx.clone(), *b),
            Value::Int8(v) => JsValue::new_int(ctx.clone(), (*v).into()),
            Value::Int16(v) => JsValue::new_int(ctx.clone(), (*v).into()),
            Value::Int32(v) => match schema.name.as_deref() {
                Some(DATE) => helpers.date.call((f64::from(*v) * MILLIS_PER_DAY,))?,
                Some(TIME) => helpers.date.call((f64::from(*v),))?,
                _ => JsValue::new_int(ctx.clone(), *v),
            },
            Value::Int64(v) => match schema.name.as_deref() {
                Some(TIMESTAMP) => helpers.date.call((*v as f64,))?,
                // JavaScript numbers hold integers exactly up to 2^53.
                _ => match i32::try_from(*v) {
                    Ok(small) => JsValue::new_int(ctx.clone(), small),
                    Err(_) => JsValue::new_float(ctx.clone(), *v as f64),
                },
            },
            Value::Float32(v) => JsValue::new_float(ctx.clone(), f64::from(*v)),
            Value::Float64(v) => JsValue::new_float(ctx.clone(), *v),
            Value::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
            Value::Bytes(bytes) if schema.name.as_deref() == Some(DECIMAL) => {
                JsValue::new_float(ctx.clone(), decimal(bytes, schema))
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
                        Some(s) => self.convert(ctx, helpers, s, item)?,
                        None => JsValue::new_null(ctx.clone()),
                    };
                    array.set(i, item)?;
                }
                array.into_value()
            }
            Value::Map(entries) => {
                let map = Object::new(ctx.clone())?;
                map.set_prototype(Some(&helpers.map_proto))?;
                if let (Some(ks), Some(vs)) = (&schema.keys, &schema.values) {
                    for (k, v) in entries {
                        let k = self.convert(ctx, helpers, ks, k)?;
                        map.set(k, self.convert(ctx, helpers, vs, v)?)?;
                    }
                }
                map.into_value()
            }
            Value::Struct(values) => {
                let (maker, fields) = self.maker(helpers, schema)?;
                let mut args = Args::new(ctx.clone(), fields.len());
                for &i in fields.iter() {
                    let arg = match (schema.fields.get(i), values.get(i)) {
                        (Some(field), Some(v)) => self.convert(ctx, helpers, &field.schema, v)?,
                        _ => JsValue::new_undefined(ctx.clone()),
                    };
                    args.push_arg(arg)?;
                }
                maker.call_arg(args)?
            }
        })
    }

    /// The maker of `schema`'s objects, made on first use with the reachable fields.
    fn maker<'js>(
        &mut self,
        helpers: &Helpers<'js>,
        schema: &Arc<Schema>,
    ) -> rquickjs::Result<(Function<'js>, Arc<[usize]>)> {
        let address = Arc::as_ptr(schema) as usize;
        if let Some(maker) = self.makers.get(&address) {
            return Ok((helpers.makers.get(maker.index)?, maker.fields.clone()));
        }
        if self.makers.len() >= SCHEMA_CAPACITY {
            self.makers.clear();
            helpers.makers.as_object().set("length", 0)?;
        }
        let fields: Arc<[usize]> = (0..schema.fields.len())
            .filter(|&i| self.reach.field(&schema.fields[i].name))
            .collect();
        let names: Vec<&str> = fields
            .iter()
            .map(|&i| schema.fields[i].name.as_str())
            .collect();
        let maker: Function = helpers.struct_maker.call((names,))?;
        let index = helpers.makers.len();
        helpers.makers.set(index, maker.clone())?;
        self.makers.insert(
            address,
            Maker {
                _schema: schema.clone(),
                index,
                fields: fields.clone(),
            },
        );
        Ok((maker, fields))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ferrium_event::{ConnectData, Header, Schema, SchemaType, SourceRecord, Value};

    use super::super::engine::{JsEngine, Outcome};
    use super::super::test_records::*;

    fn eval(expression: &str, record: &SourceRecord) -> Outcome {
        JsEngine::compile(expression)
            .unwrap()
            .eval(record)
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
    }

    fn holds(expression: &str, record: &SourceRecord) {
        assert_eq!(
            eval(expression, record),
            Outcome::Boolean(true),
            "{expression}"
        );
    }

    fn text(expression: &str, record: &SourceRecord) -> String {
        match eval(expression, record) {
            Outcome::String(s) => s,
            other => panic!("{expression}: {other:?}"),
        }
    }

    /// A create event whose row has an array, an array of structs, a map, a Decimal, a
    /// Kafka Timestamp, bytes and a large int64; keyed by a struct.
    fn rich_record() -> SourceRecord {
        let item = Schema::record("item")
            .field("sku", Schema::of(SchemaType::String))
            .field("qty", Schema::of(SchemaType::Int32));
        let row = Schema::record("shop.public.orders.Value")
            .field("id", Schema::of(SchemaType::Int64))
            .field("tags", Schema::array(Schema::of(SchemaType::String)))
            .field("items", Schema::array(item))
            .field(
                "attrs",
                Schema::map(
                    Schema::of(SchemaType::String),
                    Schema::of(SchemaType::String),
                ),
            )
            .field(
                "price",
                Schema::of(SchemaType::Bytes)
                    .named("org.apache.kafka.connect.data.Decimal")
                    .version(1)
                    .param("scale", "2"),
            )
            .field(
                "at",
                Schema::of(SchemaType::Int64).named("org.apache.kafka.connect.data.Timestamp"),
            )
            .field("raw", Schema::of(SchemaType::Bytes))
            .field("big", Schema::of(SchemaType::Int64))
            .optional();
        let envelope = Arc::new(
            Schema::record("shop.public.orders.Envelope")
                .version(2)
                .field("before", row.clone())
                .field("after", row)
                .field("op", Schema::of(SchemaType::String)),
        );
        let after = Value::Struct(vec![
            Value::Int64(7),
            Value::Array(vec!["a".into(), "b".into()]),
            Value::Array(vec![
                Value::Struct(vec!["x-1".into(), Value::Int32(3)]),
                Value::Struct(vec!["y-2".into(), Value::Int32(5)]),
            ]),
            Value::Map(vec![("color".into(), "red".into())]),
            // -12.34: unscaled -1234 in two's complement.
            Value::Bytes((-1234i16).to_be_bytes().to_vec()),
            Value::Int64(1_700_000_000_123),
            Value::Bytes(vec![1, 0xff]),
            Value::Int64(1 << 40),
        ]);
        let key_schema = Arc::new(
            Schema::record("shop.public.orders.Key").field("id", Schema::of(SchemaType::Int64)),
        );
        SourceRecord::new(
            "shop.public.orders".into(),
            Some(ConnectData::new(
                key_schema,
                Value::Struct(vec![Value::Int64(7)]),
            )),
            Some(ConnectData::new(
                envelope,
                Value::Struct(vec![Value::Null, after, "c".into()]),
            )),
        )
    }

    #[test]
    fn structs_are_objects_of_their_fields() {
        let r = delete_record(2);
        holds("value.op == 'd' && value.before.id === 2", &r);
        holds(
            "value.before.name === 'myRecord' && value.after === null",
            &r,
        );
        holds(
            "value.source.lsn == 1234 && value.source.version == 'version!'",
            &r,
        );
        holds("value.nothing === undefined && !('nothing' in value)", &r);
        assert_eq!(text("Object.keys(value.before).join()", &r), "id,name");
        assert_eq!(
            text("JSON.stringify(value.before)", &r),
            r#"{"id":2,"name":"myRecord"}"#
        );
    }

    #[test]
    fn any_field_name_is_a_property() {
        let schema = Arc::new(
            Schema::record("odd")
                .field("my-col", Schema::of(SchemaType::Int32))
                .field("0", Schema::of(SchemaType::Int32))
                .field("__proto__", Schema::of(SchemaType::Int32))
                .field("get", Schema::of(SchemaType::Int32))
                .field("delete", Schema::of(SchemaType::Int32)),
        );
        let values = (1..=5).map(Value::Int32).collect();
        let r = SourceRecord::new(
            "t".into(),
            None,
            Some(ConnectData::new(schema, Value::Struct(values))),
        );
        holds(
            "value['my-col'] == 1 && value[0] == 2 && value.delete == 5",
            &r,
        );
        assert_eq!(
            text("Object.keys(value).join() + ' ' + value.get", &r),
            "0,my-col,__proto__,get,delete 4"
        );
        assert_eq!(
            text("JSON.stringify(value)", &r),
            r#"{"0":2,"my-col":1,"__proto__":3,"get":4,"delete":5}"#
        );
    }

    #[test]
    fn struct_get_answers_as_struct_get_does() {
        let r = delete_record(2);
        holds(
            "value.get('op') == 'd' && value.get('before').get('id') == 2",
            &r,
        );
        let err = JsEngine::compile("value.get('nope')")
            .unwrap()
            .eval(&r)
            .unwrap_err();
        assert!(err.contains("nope is not a valid field name"), "{err}");
    }

    #[test]
    fn arrays_maps_and_logical_types() {
        let r = rich_record();
        holds("value.after.id === 7 && key.id === 7", &r);
        holds(
            "value.after.tags.length == 2 && value.after.tags[1] == 'b'",
            &r,
        );
        holds("value.after.tags.includes('a')", &r);
        holds(
            "value.after.items[1].qty == 5 && value.after.items[0].get('sku') == 'x-1'",
            &r,
        );
        holds("value.after.items.some(i => i.qty > 4)", &r);
        holds(
            "value.after.attrs.color == 'red' && value.after.attrs.get('color') == 'red'",
            &r,
        );
        holds("value.after.price == -12.34", &r);
        holds("value.after.at.getTime() == 1700000000123", &r);
        holds("value.after.raw[0] == 1 && value.after.raw[1] == -1", &r);
        holds("value.after.big == 1099511627776", &r);
    }

    #[test]
    fn schemas_answer_as_connect_schemas_do() {
        let r = rich_record();
        holds("valueSchema.name() == 'shop.public.orders.Envelope'", &r);
        holds(
            "valueSchema.version() == 2 && !valueSchema.isOptional()",
            &r,
        );
        holds(
            "valueSchema.type().getName() == 'struct' && valueSchema.type() == 'STRUCT'",
            &r,
        );
        holds(
            "valueSchema.fields().length == 3 && valueSchema.field('nope') === null",
            &r,
        );
        holds(
            "valueSchema.field('after').schema().field('price').schema().parameters().scale == '2'",
            &r,
        );
        holds("valueSchema.field('after').index() == 1", &r);
        holds(
            "valueSchema.field('after').schema().field('tags').schema().valueSchema().type().getName() == 'string'",
            &r,
        );
        holds("keySchema.name() == 'shop.public.orders.Key'", &r);
        assert_eq!(
            text("String(keySchema)", &r),
            "Schema{shop.public.orders.Key:STRUCT}"
        );
        let err = JsEngine::compile("keySchema.field('id').schema().fields()")
            .unwrap()
            .eval(&r)
            .unwrap_err();
        assert!(err.contains("non-struct"), "{err}");
    }

    #[test]
    fn one_schema_object_per_schema() {
        // The expression remembers the schema object it saw on the previous record.
        let mut engine = JsEngine::compile(
            "globalThis.seen === valueSchema || ((globalThis.seen = valueSchema), false)",
        )
        .unwrap();
        let schema = envelope_schema("dummy.Envelope");
        let record = |id| SourceRecord::new("t".into(), None, Some(delete_event(&schema, id)));
        assert_eq!(engine.eval(&record(1)), Ok(Outcome::Boolean(false)));
        assert_eq!(engine.eval(&record(2)), Ok(Outcome::Boolean(true)));
    }

    #[test]
    fn headers_have_value_and_schema() {
        let mut r = delete_record(1);
        let header = |v: &str| Header {
            key: "trace".into(),
            value: ConnectData::new(Arc::new(Schema::of(SchemaType::String)), v.into()),
        };
        r.headers.push(header("first"));
        r.headers.push(header("second"));
        holds(
            "header.idh.value === 1 && header.idh.schema.type().getName() == 'int32'",
            &r,
        );
        // A later header of the same name wins.
        holds(
            "header.trace.value == 'second' && header.absent === undefined",
            &r,
        );
    }

    #[test]
    fn missing_keys_and_values_are_null() {
        let r = tombstone();
        holds(
            "key === null && keySchema === null && value === null && valueSchema === null",
            &r,
        );
        holds("Object.keys(header).length == 0 && topic == 'dummy'", &r);
    }

    #[test]
    fn records_that_are_not_change_events_are_bound_as_they_are() {
        let schema = Arc::new(
            Schema::record("io.debezium.connector.common.Heartbeat")
                .field("ts_ms", Schema::of(SchemaType::Int64)),
        );
        let key = Arc::new(Schema::of(SchemaType::String));
        let heartbeat = SourceRecord::new(
            "__debezium-heartbeat.shop".into(),
            Some(ConnectData::new(key, "shop".into())),
            Some(ConnectData::new(
                schema,
                Value::Struct(vec![Value::Int64(5)]),
            )),
        );
        holds(
            "value.op === undefined && value.ts_ms == 5 && key == 'shop'",
            &heartbeat,
        );
    }
}
