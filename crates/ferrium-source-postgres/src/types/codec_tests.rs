//! Expected values are worked out by hand from Debezium's converters (see codec.rs).

use std::sync::Arc;

use base64::Engine as _;
use ferrium_event::{Schema, SchemaType, Value};

use super::ColumnCodec;
use crate::types::options::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeOptions,
};
use crate::types::pg_type::{oid, PgType, PgTypeKind};
use crate::types::TypeError;

fn opts() -> TypeOptions {
    TypeOptions::default()
}

fn with_time(mode: TimePrecisionMode) -> TypeOptions {
    TypeOptions {
        time: mode,
        ..opts()
    }
}

fn with_decimal(mode: DecimalMode) -> TypeOptions {
    TypeOptions {
        decimal: mode,
        ..opts()
    }
}

fn with_binary(mode: BinaryMode) -> TypeOptions {
    TypeOptions {
        binary: mode,
        ..opts()
    }
}

fn base(o: u32, name: &str) -> PgType {
    PgType::base(o, name)
}

fn compile(ty: &PgType, typmod: i32, opts: &TypeOptions) -> ColumnCodec {
    ColumnCodec::compile("public.t", "c", ty, typmod, true, opts)
        .unwrap()
        .expect("a column Debezium emits")
}

fn decode(ty: &PgType, typmod: i32, opts: &TypeOptions, text: &str) -> Value {
    compile(ty, typmod, opts).decode(text).unwrap()
}

fn compile_err(ty: &PgType, typmod: i32, opts: &TypeOptions) -> TypeError {
    ColumnCodec::compile("public.t", "c", ty, typmod, true, opts).unwrap_err()
}

/// `numeric(p, s)`'s typmod.
fn numeric_typmod(p: i32, s: i32) -> i32 {
    ((p << 16) | s) + 4
}

fn logical(kind: SchemaType, name: &str) -> Schema {
    Schema::of(kind).named(name).version(1)
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn numeric() -> PgType {
    base(oid::NUMERIC, "numeric")
}

fn text() -> PgType {
    base(oid::TEXT, "text")
}

#[test]
fn worked_example_balance_is_a_decimal() {
    let c = ColumnCodec::compile(
        "public.accounts",
        "balance",
        &numeric(),
        numeric_typmod(12, 2),
        false,
        &opts(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
            .param("scale", "2")
            .param("connect.decimal.precision", "12")
    );
    let v = c.decode("1234.50").unwrap();
    assert_eq!(v, Value::Bytes(vec![0x01, 0xE2, 0x3A]));
    if let Value::Bytes(b) = v {
        assert_eq!(base64::engine::general_purpose::STANDARD.encode(b), "AeI6");
    }
    assert_eq!(
        c.decode("1000.00").unwrap(),
        Value::Bytes(vec![0x01, 0x86, 0xA0])
    );
    assert_eq!(c.decode("-0.01").unwrap(), Value::Bytes(vec![0xFF]));
    assert_eq!(c.decode("0.00").unwrap(), Value::Bytes(vec![0x00]));
}

#[test]
fn numeric_special_values_per_decimal_mode() {
    let t = numeric_typmod(12, 2);
    let err = compile(&numeric(), t, &opts()).decode("NaN").unwrap_err();
    assert!(
        err.to_string().contains("decimal.handling.mode=string"),
        "{err}"
    );
    assert!(compile(&numeric(), -1, &opts()).decode("Infinity").is_err());

    let double = with_decimal(DecimalMode::Double);
    assert_eq!(
        *compile(&numeric(), t, &double).schema().as_ref(),
        Schema::of(SchemaType::Float64).optional()
    );
    assert_eq!(
        decode(&numeric(), t, &double, "1234.50"),
        Value::Float64(1234.5)
    );
    assert!(matches!(decode(&numeric(), t, &double, "NaN"), Value::Float64(f) if f.is_nan()));
    assert_eq!(
        decode(&numeric(), -1, &double, "-Infinity"),
        Value::Float64(f64::NEG_INFINITY)
    );

    let string = with_decimal(DecimalMode::String);
    assert_eq!(
        *compile(&numeric(), t, &string).schema().as_ref(),
        Schema::of(SchemaType::String).optional()
    );
    assert_eq!(decode(&numeric(), t, &string, "1234.50"), s("1234.50"));
    assert_eq!(decode(&numeric(), -1, &string, "0.000100"), s("0.000100"));
    assert_eq!(decode(&numeric(), t, &string, "NaN"), s("NAN"));
    assert_eq!(
        decode(&numeric(), -1, &string, "Infinity"),
        s("POSITIVE_INFINITY")
    );
    assert_eq!(
        decode(&numeric(), -1, &string, "-Infinity"),
        s("NEGATIVE_INFINITY")
    );
}

#[test]
fn unconstrained_numeric_is_a_variable_scale_decimal() {
    let c = compile(&numeric(), -1, &opts());
    let expected = logical(SchemaType::Struct, "io.debezium.data.VariableScaleDecimal")
        .doc("Variable scaled decimal")
        .field("scale", Schema::of(SchemaType::Int32))
        .field("value", Schema::of(SchemaType::Bytes))
        .optional();
    assert_eq!(**c.schema(), expected);
    assert_eq!(
        c.decode("1.50").unwrap(),
        Value::Struct(vec![Value::Int32(1), Value::Bytes(vec![15])])
    );
    assert_eq!(
        c.decode("-123.456").unwrap(),
        Value::Struct(vec![Value::Int32(3), Value::Bytes(vec![0xFE, 0x1D, 0xC0])])
    );
}

#[test]
fn money_in_every_decimal_mode() {
    let money = base(oid::MONEY, "money");
    let c = compile(&money, -1, &opts());
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
            .param("scale", "2")
            .optional()
    );
    assert_eq!(
        c.decode("$1,234.50").unwrap(),
        Value::Bytes(vec![0x01, 0xE2, 0x3A])
    );
    // -123450 = 0xFE1DC6.
    assert_eq!(
        c.decode("-$1,234.50").unwrap(),
        Value::Bytes(vec![0xFE, 0x1D, 0xC6])
    );
    let three = TypeOptions {
        money_fraction_digits: 3,
        ..opts()
    };
    assert_eq!(
        compile(&money, -1, &three).schema().parameter("scale"),
        Some("3")
    );
    // 1234.500 → 1234500 = 0x12D644.
    assert_eq!(
        decode(&money, -1, &three, "$1,234.50"),
        Value::Bytes(vec![0x12, 0xD6, 0x44])
    );
    assert_eq!(
        decode(&money, -1, &with_decimal(DecimalMode::Double), "-$1,234.50"),
        Value::Float64(-1234.5)
    );
    assert_eq!(
        decode(&money, -1, &with_decimal(DecimalMode::String), "-$1,234.50"),
        s("-1234.50")
    );
}

#[test]
fn integers_floats_and_booleans() {
    assert_eq!(
        decode(&base(oid::BOOL, "bool"), -1, &opts(), "t"),
        Value::Boolean(true)
    );
    assert_eq!(
        decode(&base(oid::BOOL, "bool"), -1, &opts(), "f"),
        Value::Boolean(false)
    );
    assert_eq!(
        decode(&base(oid::INT2, "int2"), -1, &opts(), "-32768"),
        Value::Int16(-32768)
    );
    assert_eq!(
        decode(&base(oid::INT4, "int4"), -1, &opts(), "2147483647"),
        Value::Int32(i32::MAX)
    );
    assert_eq!(
        decode(&base(oid::INT8, "int8"), -1, &opts(), "42"),
        Value::Int64(42)
    );
    let oid_col = compile(&base(oid::OID, "oid"), -1, &opts());
    assert_eq!(oid_col.schema().kind, SchemaType::Int64);
    assert_eq!(
        oid_col.decode("4294967295").unwrap(),
        Value::Int64(4_294_967_295)
    );
    assert_eq!(
        decode(&base(oid::FLOAT4, "float4"), -1, &opts(), "1.5"),
        Value::Float32(1.5)
    );
    // Just below the midpoint of 1+2^-23 and 1+2^-22: parsing via f64 would land on the
    // midpoint and round to even (up); Float.valueOf rounds down.
    assert_eq!(
        decode(
            &base(oid::FLOAT4, "float4"),
            -1,
            &opts(),
            "1.0000001788139343261718749"
        ),
        Value::Float32(1.0 + f32::EPSILON)
    );
    assert_eq!(
        decode(&base(oid::FLOAT8, "float8"), -1, &opts(), "0.1"),
        Value::Float64(0.1)
    );
    assert_eq!(
        decode(&base(oid::FLOAT8, "float8"), -1, &opts(), "-Infinity"),
        Value::Float64(f64::NEG_INFINITY)
    );
    assert!(
        matches!(decode(&base(oid::FLOAT4, "float4"), -1, &opts(), "NaN"), Value::Float32(f) if f.is_nan())
    );
    assert!(compile(&base(oid::INT4, "int4"), -1, &opts())
        .decode("12a")
        .is_err());
}

#[test]
fn string_types_and_their_logical_names() {
    let cases: [(PgType, Option<&str>); 12] = [
        (text(), None),
        (base(oid::VARCHAR, "varchar"), None),
        (base(oid::BPCHAR, "bpchar"), None),
        (base(oid::CHAR, "char"), None),
        (base(oid::NAME, "name"), None),
        (base(oid::INET, "inet"), None),
        (base(oid::INT4RANGE, "int4range"), None),
        (base(oid::UUID, "uuid"), Some("io.debezium.data.Uuid")),
        (base(oid::JSONB, "jsonb"), Some("io.debezium.data.Json")),
        (base(oid::XML, "xml"), Some("io.debezium.data.Xml")),
        (
            base(oid::TSVECTOR, "tsvector"),
            Some("io.debezium.data.Tsvector"),
        ),
        (base(91_234, "ltree"), Some("io.debezium.data.Ltree")),
    ];
    for (ty, name) in cases {
        let c = compile(&ty, -1, &opts());
        let expected = match name {
            Some(n) => logical(SchemaType::String, n).optional(),
            None => Schema::of(SchemaType::String).optional(),
        };
        assert_eq!(**c.schema(), expected, "{}", ty.name);
        assert_eq!(c.decode("x y").unwrap(), s("x y"));
    }
    assert_eq!(
        decode(&base(91_235, "citext"), -1, &opts(), "MiXed"),
        s("MiXed")
    );
    assert_eq!(
        decode(&base(oid::BPCHAR, "bpchar"), -1, &opts(), "ab  "),
        s("ab  ")
    );
    let owned = compile(&text(), -1, &opts())
        .decode_owned("moved".to_string())
        .unwrap();
    assert_eq!(owned, s("moved"));
}

#[test]
fn enum_carries_its_labels() {
    let status = PgType::new(
        70_001,
        "account_status",
        PgTypeKind::Enum {
            labels: vec!["active".into(), "suspended".into(), "closed".into()],
        },
    );
    let c = ColumnCodec::compile("public.accounts", "status", &status, -1, false, &opts())
        .unwrap()
        .unwrap();
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.data.Enum")
            .param("allowed", "active,suspended,closed")
    );
    assert_eq!(c.decode("suspended").unwrap(), s("suspended"));
}

#[test]
fn bytea_in_every_binary_mode() {
    let bytea = base(oid::BYTEA, "bytea");
    assert_eq!(
        compile(&bytea, -1, &opts()).schema().kind,
        SchemaType::Bytes
    );
    assert_eq!(
        decode(&bytea, -1, &opts(), "\\x0102ff"),
        Value::Bytes(vec![1, 2, 0xFF])
    );
    assert_eq!(decode(&bytea, -1, &opts(), "\\x"), Value::Bytes(vec![]));
    let b64 = with_binary(BinaryMode::Base64);
    assert_eq!(compile(&bytea, -1, &b64).schema().kind, SchemaType::String);
    assert_eq!(decode(&bytea, -1, &b64, "\\xfbff"), s("+/8="));
    assert_eq!(
        decode(
            &bytea,
            -1,
            &with_binary(BinaryMode::Base64UrlSafe),
            "\\xfbff"
        ),
        s("-_8=")
    );
    assert_eq!(
        decode(&bytea, -1, &with_binary(BinaryMode::Hex), "\\x0102FF"),
        s("0102ff")
    );
    assert!(compile(&bytea, -1, &opts()).decode("\\001").is_err());
    assert!(compile(&bytea, -1, &opts()).decode("\\x012").is_err());
}

#[test]
fn bits_follow_debezium() {
    let bit = base(oid::BIT, "bit");
    let one = compile(&bit, 1, &opts());
    assert_eq!(one.schema().kind, SchemaType::Boolean);
    assert_eq!(one.decode("1").unwrap(), Value::Boolean(true));
    assert_eq!(one.decode("0").unwrap(), Value::Boolean(false));
    let nine = compile(&bit, 9, &opts());
    assert_eq!(
        **nine.schema(),
        logical(SchemaType::Bytes, "io.debezium.data.Bits")
            .param("length", "9")
            .optional()
    );
    assert_eq!(
        nine.decode("110000001").unwrap(),
        Value::Bytes(vec![0x81, 0x01])
    );
    assert_eq!(nine.decode("000000101").unwrap(), Value::Bytes(vec![0x05]));
    let varbit = compile(&base(oid::VARBIT, "varbit"), -1, &opts());
    assert_eq!(varbit.schema().parameter("length"), Some("2147483647"));
    assert_eq!(
        compile(&base(oid::VARBIT, "varbit"), 1, &opts())
            .schema()
            .kind,
        SchemaType::Boolean
    );
}

#[test]
fn dates_in_every_time_mode() {
    let date = base(oid::DATE, "date");
    let c = compile(&date, -1, &opts());
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "io.debezium.time.Date").optional()
    );
    assert_eq!(c.decode("2024-01-15").unwrap(), Value::Int32(19737));
    assert_eq!(c.decode("1969-12-31").unwrap(), Value::Int32(-1));
    assert_eq!(c.decode("0044-03-15 BC").unwrap(), Value::Int32(-735_160));
    // Debezium's infinity dates (-5877611-06-21 / -06-22).
    assert_eq!(c.decode("infinity").unwrap(), Value::Int32(-2_147_472_692));
    assert_eq!(c.decode("-infinity").unwrap(), Value::Int32(-2_147_472_691));
    for mode in [
        TimePrecisionMode::AdaptiveTimeMicroseconds,
        TimePrecisionMode::Microseconds,
        TimePrecisionMode::Nanoseconds,
    ] {
        assert_eq!(
            compile(&date, -1, &with_time(mode))
                .schema()
                .name
                .as_deref(),
            Some("io.debezium.time.Date")
        );
    }
    let connect = compile(&date, -1, &with_time(TimePrecisionMode::Connect));
    assert_eq!(
        **connect.schema(),
        logical(SchemaType::Int32, "org.apache.kafka.connect.data.Date").optional()
    );
    assert_eq!(connect.decode("2024-01-15").unwrap(), Value::Int32(19737));
    let iso = compile(&date, -1, &with_time(TimePrecisionMode::IsoString));
    assert_eq!(
        **iso.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoDate").optional()
    );
    assert_eq!(iso.decode("2024-01-15").unwrap(), s("2024-01-15Z"));
}

#[test]
fn times_in_every_time_mode() {
    let time = base(oid::TIME, "time");
    let ms = compile(&time, 3, &opts());
    assert_eq!(
        **ms.schema(),
        logical(SchemaType::Int32, "io.debezium.time.Time").optional()
    );
    assert_eq!(ms.decode("10:15:30.123").unwrap(), Value::Int32(36_930_123));
    let micro = compile(&time, -1, &opts());
    assert_eq!(
        **micro.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroTime").optional()
    );
    assert_eq!(
        micro.decode("10:15:30.123456").unwrap(),
        Value::Int64(36_930_123_456)
    );
    assert_eq!(
        micro.decode("24:00:00").unwrap(),
        Value::Int64(86_400_000_000)
    );
    let atm = compile(
        &time,
        3,
        &with_time(TimePrecisionMode::AdaptiveTimeMicroseconds),
    );
    assert_eq!(
        atm.schema().name.as_deref(),
        Some("io.debezium.time.MicroTime")
    );
    assert_eq!(
        atm.decode("10:15:30.123").unwrap(),
        Value::Int64(36_930_123_000)
    );
    let micros = compile(&time, 0, &with_time(TimePrecisionMode::Microseconds));
    assert_eq!(
        micros.schema().name.as_deref(),
        Some("io.debezium.time.MicroTime")
    );
    let nanos = compile(&time, 6, &with_time(TimePrecisionMode::Nanoseconds));
    assert_eq!(
        **nanos.schema(),
        logical(SchemaType::Int64, "io.debezium.time.NanoTime").optional()
    );
    assert_eq!(
        nanos.decode("00:00:01.000001").unwrap(),
        Value::Int64(1_000_001_000)
    );
    let connect = compile(&time, 6, &with_time(TimePrecisionMode::Connect));
    assert_eq!(
        **connect.schema(),
        logical(SchemaType::Int32, "org.apache.kafka.connect.data.Time").optional()
    );
    assert_eq!(
        connect.decode("10:15:30.123999").unwrap(),
        Value::Int32(36_930_123)
    );
    let iso = compile(&time, 6, &with_time(TimePrecisionMode::IsoString));
    assert_eq!(
        **iso.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoTime").optional()
    );
    assert_eq!(
        iso.decode("10:15:30.123456").unwrap(),
        s("10:15:30.123456Z")
    );
    assert_eq!(iso.decode("24:00:00").unwrap(), s("00:00:00Z"));
}

#[test]
fn timestamps_in_every_time_mode() {
    let ts = base(oid::TIMESTAMP, "timestamp");
    let ms = compile(&ts, 3, &opts());
    assert_eq!(
        **ms.schema(),
        logical(SchemaType::Int64, "io.debezium.time.Timestamp").optional()
    );
    assert_eq!(
        ms.decode("2024-06-01 08:30:15.123").unwrap(),
        Value::Int64(1_717_230_615_123)
    );
    assert_eq!(
        ms.decode("infinity").unwrap(),
        Value::Int64(9_223_372_036_825_200)
    );
    assert_eq!(
        ms.decode("-infinity").unwrap(),
        Value::Int64(-9_223_372_036_832_400)
    );
    let micro = compile(&ts, -1, &opts());
    assert_eq!(
        **micro.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroTimestamp").optional()
    );
    assert_eq!(
        micro.decode("1969-12-31 23:59:59.5").unwrap(),
        Value::Int64(-500_000)
    );
    assert_eq!(
        micro.decode("infinity").unwrap(),
        Value::Int64(9_223_372_036_825_200_000)
    );
    let atm = compile(
        &ts,
        3,
        &with_time(TimePrecisionMode::AdaptiveTimeMicroseconds),
    );
    assert_eq!(
        atm.schema().name.as_deref(),
        Some("io.debezium.time.Timestamp")
    );
    let micros = compile(&ts, 3, &with_time(TimePrecisionMode::Microseconds));
    assert_eq!(
        micros.decode("2024-06-01 08:30:15.123").unwrap(),
        Value::Int64(1_717_230_615_123_000)
    );
    let nanos = compile(&ts, 6, &with_time(TimePrecisionMode::Nanoseconds));
    assert_eq!(
        **nanos.schema(),
        logical(SchemaType::Int64, "io.debezium.time.NanoTimestamp").optional()
    );
    assert_eq!(
        nanos.decode("1970-01-01 00:00:01.000001").unwrap(),
        Value::Int64(1_000_001_000)
    );
    assert_eq!(nanos.decode("infinity").unwrap(), Value::Int64(i64::MAX));
    // Outside int64 nanoseconds: null for an optional column, an error for a required one.
    assert_eq!(nanos.decode("2300-01-01 00:00:00").unwrap(), Value::Null);
    let required = ColumnCodec::compile(
        "public.t",
        "c",
        &ts,
        6,
        false,
        &with_time(TimePrecisionMode::Nanoseconds),
    )
    .unwrap()
    .unwrap();
    assert!(required.decode("2300-01-01 00:00:00").is_err());
    let connect = compile(&ts, 6, &with_time(TimePrecisionMode::Connect));
    assert_eq!(
        **connect.schema(),
        logical(SchemaType::Int64, "org.apache.kafka.connect.data.Timestamp").optional()
    );
    assert_eq!(
        connect.decode("1969-12-31 23:59:59.9995").unwrap(),
        Value::Int64(-1)
    );
    let iso = compile(&ts, 6, &with_time(TimePrecisionMode::IsoString));
    assert_eq!(
        **iso.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoTimestamp").optional()
    );
    assert_eq!(
        iso.decode("2024-06-01 08:30:15.12").unwrap(),
        s("2024-06-01T08:30:15.12Z")
    );
}

#[test]
fn timestamptz_is_a_padded_utc_string_in_every_mode() {
    let tstz = base(oid::TIMESTAMPTZ, "timestamptz");
    for mode in [
        TimePrecisionMode::Adaptive,
        TimePrecisionMode::Connect,
        TimePrecisionMode::IsoString,
    ] {
        let c = compile(&tstz, -1, &with_time(mode));
        assert_eq!(
            **c.schema(),
            logical(SchemaType::String, "io.debezium.time.ZonedTimestamp").optional()
        );
        assert_eq!(
            c.decode("2024-06-02 10:00:00+00").unwrap(),
            s("2024-06-02T10:00:00.000000Z")
        );
    }
    let three = compile(&tstz, 3, &opts());
    assert_eq!(
        three.decode("2024-06-02 10:00:00.5+02").unwrap(),
        s("2024-06-02T08:00:00.500Z")
    );
    assert_eq!(
        three.decode("2024-06-02 00:30:00+05:30").unwrap(),
        s("2024-06-01T19:00:00.000Z")
    );
    let zero = compile(&tstz, 0, &opts());
    assert_eq!(
        zero.decode("2024-06-02 10:00:00+02").unwrap(),
        s("2024-06-02T08:00:00Z")
    );
    assert_eq!(three.decode("infinity").unwrap(), s("infinity"));
    assert_eq!(three.decode("-infinity").unwrap(), s("-infinity"));
}

#[test]
fn timetz_is_a_utc_zoned_time() {
    let c = compile(&base(oid::TIMETZ, "timetz"), -1, &opts());
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.time.ZonedTime").optional()
    );
    assert_eq!(c.decode("10:15:30.123+02").unwrap(), s("08:15:30.123Z"));
    assert_eq!(c.decode("10:15:30+05:30").unwrap(), s("04:45:30Z"));
}

#[test]
fn intervals_in_both_modes() {
    let interval = base(oid::INTERVAL, "interval");
    let numeric = compile(&interval, -1, &opts());
    assert_eq!(
        **numeric.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroDuration").optional()
    );
    assert_eq!(
        numeric.decode("P1Y2M3DT4H5M6.78S").unwrap(),
        Value::Int64(37_091_106_780_000)
    );
    let string_opts = TypeOptions {
        interval: IntervalMode::String,
        ..opts()
    };
    let string = compile(&interval, -1, &string_opts);
    assert_eq!(
        **string.schema(),
        logical(SchemaType::String, "io.debezium.time.Interval").optional()
    );
    assert_eq!(
        string.decode("P1Y2M3DT4H5M6.78S").unwrap(),
        s("P1Y2M3DT4H5M6.78S")
    );
    assert_eq!(
        string.decode("P-1Y-2M3DT-4H-5M-6.78S").unwrap(),
        s("P-1Y-2M3DT-4H-5M-6.78S")
    );
}

#[test]
fn hstore_as_json_and_as_map() {
    let hstore = base(88_001, "hstore");
    let json = compile(&hstore, -1, &opts());
    assert_eq!(
        **json.schema(),
        logical(SchemaType::String, "io.debezium.data.Json").optional()
    );
    // Java HashMap order: "q" (bucket 1), "a" (1, inserted later), "b" (2).
    assert_eq!(
        json.decode(r#""b"=>"x\"y", "q"=>NULL, "a"=>"back\\slash""#)
            .unwrap(),
        s(r#"{"q":null,"a":"back\\slash","b":"x\"y"}"#)
    );
    let map_opts = TypeOptions {
        hstore: HstoreMode::Map,
        ..opts()
    };
    let map = compile(&hstore, -1, &map_opts);
    assert_eq!(
        **map.schema(),
        Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::String).optional()
        )
        .optional()
    );
    assert_eq!(
        map.decode(r#""b"=>"2", "a"=>NULL"#).unwrap(),
        Value::Map(vec![(s("a"), Value::Null), (s("b"), s("2"))])
    );
}

#[test]
fn text_arrays_keep_quotes_and_nulls() {
    let tags = PgType::array(1009, "_text", text());
    let c = ColumnCodec::compile("public.accounts", "tags", &tags, -1, true, &opts())
        .unwrap()
        .unwrap();
    assert_eq!(
        **c.schema(),
        Schema::array(Schema::of(SchemaType::String).optional()).optional()
    );
    assert_eq!(
        c.decode("{vip,beta}").unwrap(),
        Value::Array(vec![s("vip"), s("beta")])
    );
    assert_eq!(
        c.decode(r#"{"a b","c\"d",NULL,"NULL"}"#).unwrap(),
        Value::Array(vec![s("a b"), s("c\"d"), Value::Null, s("NULL")])
    );
    assert_eq!(c.decode("{}").unwrap(), Value::Array(vec![]));
    let err = c.decode("{{a,b},{c,d}}").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("public.accounts.tags") && msg.contains("multi-dimensional"),
        "{msg}"
    );
    assert!(c
        .decode("[0:1]={a,b}")
        .unwrap_err()
        .to_string()
        .contains("explicit bounds"));
}

#[test]
fn typed_arrays_decode_each_element() {
    let ints = PgType::array(1007, "_int4", base(oid::INT4, "int4"));
    let c = compile(&ints, -1, &opts());
    assert_eq!(
        **c.schema(),
        Schema::array(Schema::of(SchemaType::Int32).optional()).optional()
    );
    assert_eq!(
        c.decode("{1,NULL,-3}").unwrap(),
        Value::Array(vec![Value::Int32(1), Value::Null, Value::Int32(-3)])
    );
    let err = c.decode("{1,x}").unwrap_err().to_string();
    assert!(err.contains("array element 2"), "{err}");

    let nums = PgType::array(1231, "_numeric", numeric());
    let c = compile(&nums, numeric_typmod(10, 2), &opts());
    let item = logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
        .param("scale", "2")
        .param("connect.decimal.precision", "10")
        .optional();
    assert_eq!(**c.schema(), Schema::array(item).optional());
    assert_eq!(
        c.decode("{1234.50,NULL}").unwrap(),
        Value::Array(vec![Value::Bytes(vec![0x01, 0xE2, 0x3A]), Value::Null])
    );

    let byteas = PgType::array(1001, "_bytea", base(oid::BYTEA, "bytea"));
    assert_eq!(
        decode(&byteas, -1, &opts(), r#"{"\\x01ff"}"#),
        Value::Array(vec![Value::Bytes(vec![0x01, 0xFF])])
    );

    // Array elements come through java.sql.Time in Debezium: milliseconds only.
    let times = PgType::array(1183, "_time", base(oid::TIME, "time"));
    assert_eq!(
        decode(&times, -1, &opts(), "{10:15:30.123456}"),
        Value::Array(vec![Value::Int64(36_930_123_000)])
    );
}

#[test]
fn enum_and_tsvector_arrays_have_required_items() {
    let status = PgType::new(
        70_001,
        "status",
        PgTypeKind::Enum {
            labels: vec!["a".into(), "b".into()],
        },
    );
    let arr = PgType::array(70_002, "_status", status);
    let c = compile(&arr, -1, &opts());
    assert_eq!(
        **c.schema(),
        Schema::array(logical(SchemaType::String, "io.debezium.data.Enum").param("allowed", "a,b"))
            .optional()
    );
    assert_eq!(
        c.decode("{a,b}").unwrap(),
        Value::Array(vec![s("a"), s("b")])
    );
    let tsv = PgType::array(3643, "_tsvector", base(oid::TSVECTOR, "tsvector"));
    assert_eq!(
        **compile(&tsv, -1, &opts()).schema(),
        Schema::array(logical(SchemaType::String, "io.debezium.data.Tsvector")).optional()
    );
}

#[test]
fn arrays_debezium_cannot_emit() {
    let include = TypeOptions {
        include_unknown: true,
        ..opts()
    };
    let left_out = |ty: &PgType, opts: &TypeOptions| {
        ColumnCodec::compile("public.t", "c", ty, -1, true, opts)
            .unwrap()
            .is_none()
    };
    // Debezium builds no schema for these and leaves the column out of its events.
    for (o, name, elem) in [
        (1003, "_name", base(oid::NAME, "name")),
        (1187, "_interval", base(oid::INTERVAL, "interval")),
    ] {
        let arr = PgType::array(o, name, elem);
        assert!(left_out(&arr, &include), "{name}");
    }
    // Bit arrays get a schema Debezium cannot fill: an error, whatever the options.
    let bits = PgType::array(1561, "_bit", base(oid::BIT, "bit"));
    assert!(compile_err(&bits, -1, &include).is_unsupported());
    // Arrays of domains are unknown to Debezium: left out, or with
    // include.unknown.datatypes an array of each element's text as bytes.
    let dom = PgType::new(
        70_010,
        "positive_int",
        PgTypeKind::Domain {
            base: Arc::new(base(oid::INT4, "int4")),
            base_typmod: -1,
        },
    );
    let arr = PgType::array(70_011, "_positive_int", dom);
    assert!(left_out(&arr, &opts()));
    let c = compile(&arr, -1, &include);
    assert_eq!(
        **c.schema(),
        Schema::array(Schema::of(SchemaType::Bytes)).optional()
    );
    assert_eq!(
        c.decode("{1,NULL,22}").unwrap(),
        Value::Array(vec![
            Value::Bytes(b"1".to_vec()),
            Value::Null,
            Value::Bytes(b"22".to_vec())
        ])
    );
}

#[test]
fn domains_use_their_base_type_and_typmod() {
    let price = PgType::new(
        70_020,
        "price",
        PgTypeKind::Domain {
            base: Arc::new(numeric()),
            base_typmod: numeric_typmod(10, 2),
        },
    );
    let c = compile(&price, -1, &opts());
    assert_eq!(c.schema().parameter("scale"), Some("2"));
    assert_eq!(
        c.schema().parameter("connect.decimal.precision"),
        Some("10")
    );
    assert_eq!(
        c.decode("1234.5").unwrap(),
        Value::Bytes(vec![0x01, 0xE2, 0x3A])
    );
    let email = PgType::new(
        70_021,
        "email",
        PgTypeKind::Domain {
            base: Arc::new(text()),
            base_typmod: -1,
        },
    );
    assert_eq!(decode(&email, -1, &opts(), "a@b"), s("a@b"));
}

#[test]
fn unknown_types_fail_unless_included_and_then_are_bytes() {
    let xid = base(oid::XID, "xid");
    let err =
        ColumnCodec::compile("public.orders", "xmin_copy", &xid, -1, true, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("public.orders.xmin_copy") && msg.contains("xid"),
        "{msg}"
    );
    assert!(
        msg.contains("column.exclude.list") && msg.contains("include.unknown.datatypes=true"),
        "{msg}"
    );
    let include = TypeOptions {
        include_unknown: true,
        ..opts()
    };
    let c = compile(&xid, -1, &include);
    assert_eq!(**c.schema(), Schema::of(SchemaType::Bytes).optional());
    assert_eq!(c.decode("742").unwrap(), Value::Bytes(b"742".to_vec()));
    let hex = TypeOptions {
        binary: BinaryMode::Hex,
        ..include.clone()
    };
    assert_eq!(decode(&xid, -1, &hex, "742"), s("373432"));
    for kind in [
        PgTypeKind::Composite,
        PgTypeKind::Pseudo,
        PgTypeKind::Other,
        PgTypeKind::Range,
    ] {
        let ty = PgType::new(70_030, "custom", kind);
        assert!(compile_err(&ty, -1, &opts()).is_unsupported());
        assert_eq!(
            compile(&ty, -1, &include).decode("(1,2)").unwrap(),
            Value::Bytes(b"(1,2)".to_vec())
        );
    }
}

#[test]
fn postgis_types_stay_unsupported_even_when_unknown_types_are_included() {
    let include = TypeOptions {
        include_unknown: true,
        ..opts()
    };
    let err = compile_err(&base(70_040, "geometry"), -1, &include);
    assert!(err.to_string().contains("PostGIS"), "{err}");
}

#[test]
fn geometric_schemas_follow_debeziums_builders() {
    let required = |o: u32, name: &str| {
        ColumnCodec::compile("public.t", "g", &base(o, name), -1, false, &opts())
            .unwrap()
            .unwrap()
    };
    // Point follows the column; Geometry, Circle and Line are optional whatever it says,
    // but a NULL in the NOT NULL column still gets Debezium's fallback.
    let point = required(oid::POINT, "point");
    assert!(!point.schema().optional);
    assert_eq!(
        point.schema().name.as_deref(),
        Some("io.debezium.data.geometry.Point")
    );
    for (o, name, logical, version) in [
        (oid::BOX, "box", "io.debezium.data.geometry.Geometry", 2),
        (oid::CIRCLE, "circle", "io.debezium.data.geometry.Circle", 1),
        (oid::LINE, "line", "io.debezium.data.geometry.Line", 1),
    ] {
        let c = required(o, name);
        assert!(c.schema().optional, "{name}");
        assert_eq!(c.schema().name.as_deref(), Some(logical));
        assert_eq!(c.schema().version, Some(version));
        assert!(!c.is_nullable());
        assert_ne!(c.fallback(), Value::Null);
    }
}

#[test]
fn required_columns_get_required_schemas() {
    let c = ColumnCodec::compile(
        "public.t",
        "id",
        &base(oid::INT8, "int8"),
        -1,
        false,
        &opts(),
    )
    .unwrap()
    .unwrap();
    assert!(!c.schema().optional);
    let tags = PgType::array(1009, "_text", text());
    let c = ColumnCodec::compile("public.t", "tags", &tags, -1, false, &opts())
        .unwrap()
        .unwrap();
    assert!(!c.schema().optional);
    assert!(c.schema().items.as_ref().is_some_and(|i| i.optional));
}

#[test]
fn unavailable_values_match_debeziums_toast_placeholders() {
    let ph = "__debezium_unavailable_value";
    let un = |ty: &PgType, o: &TypeOptions| compile(ty, -1, o).unavailable();
    assert_eq!(un(&text(), &opts()), s(ph));
    let status = PgType::new(
        70_001,
        "status",
        PgTypeKind::Enum {
            labels: vec!["a".into()],
        },
    );
    assert_eq!(un(&status, &opts()), s(ph));
    assert_eq!(un(&base(oid::JSONB, "jsonb"), &opts()), s(ph));
    let bytea = base(oid::BYTEA, "bytea");
    assert_eq!(un(&bytea, &opts()), Value::Bytes(ph.as_bytes().to_vec()));
    assert_eq!(un(&bytea, &with_binary(BinaryMode::Hex)), s(ph));
    assert_eq!(un(&bytea, &with_binary(BinaryMode::Base64)), Value::Null);
    assert_eq!(un(&numeric(), &opts()), Value::Null);
    assert_eq!(un(&base(oid::INT4, "int4"), &opts()), Value::Null);
    assert_eq!(
        un(&PgType::array(1009, "_text", text()), &opts()),
        Value::Array(vec![s(ph)])
    );
    assert_eq!(
        un(
            &PgType::array(1001, "_bytea", bytea.clone()),
            &with_binary(BinaryMode::Base64)
        ),
        Value::Array(vec![s("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")])
    );
    let ints = un(
        &PgType::array(1007, "_int4", base(oid::INT4, "int4")),
        &opts(),
    );
    let expected: Vec<Value> = ph.bytes().map(|b| Value::Int32(i32::from(b))).collect();
    assert_eq!(ints, Value::Array(expected));
    assert_eq!(
        un(
            &PgType::array(1016, "_int8", base(oid::INT8, "int8")),
            &opts()
        ),
        Value::Array(ph.bytes().map(|b| Value::Int64(i64::from(b))).collect())
    );
    let uuids = un(
        &PgType::array(2951, "_uuid", base(oid::UUID, "uuid")),
        &opts(),
    );
    match uuids {
        Value::Array(items) => {
            assert_eq!(items.len(), 1);
            let u = items[0].as_str().unwrap();
            assert_eq!((u.len(), &u[14..15]), (36, "3"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        un(&PgType::array(1231, "_numeric", numeric()), &opts()),
        Value::Null
    );
    let hstore = base(88_001, "hstore");
    assert_eq!(un(&hstore, &opts()), s(&format!(r#"{{"{ph}":"{ph}"}}"#)));
    let map_opts = TypeOptions {
        hstore: HstoreMode::Map,
        ..opts()
    };
    assert_eq!(un(&hstore, &map_opts), Value::Map(vec![(s(ph), s(ph))]));
    let custom = TypeOptions {
        unavailable_placeholder: "gone".into(),
        ..opts()
    };
    assert_eq!(un(&text(), &custom), s("gone"));
}
