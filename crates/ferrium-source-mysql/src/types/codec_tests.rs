//! Each mapping checked against the exact value Debezium emits, and each value checked on
//! both paths: the binlog cell and the snapshot's text cell for the same stored value must
//! decode to the same Connect value.

use ferrium_event::logical::temporal::days_from_civil;
use ferrium_event::{Schema, SchemaType, Value};
use mysql_async::binlog::jsonb;
use mysql_async::binlog::value::BinlogValue;
use mysql_async::Value as My;

use super::ColumnCodec;
use crate::model::{ColumnDef, TableId};
use crate::types::{BigintUnsignedMode, BinaryMode, DecimalMode, TimePrecisionMode, TypeOptions};

fn col(type_name: &str) -> ColumnDef {
    ColumnDef {
        name: "c".into(),
        type_name: type_name.into(),
        unsigned: false,
        zerofill: false,
        length: None,
        scale: None,
        nullable: true,
        charset: None,
        enum_values: Vec::new(),
        auto_increment: false,
        generated: false,
        default: None,
        has_default: false,
    }
}

fn sized(type_name: &str, length: u32) -> ColumnDef {
    ColumnDef {
        length: Some(length),
        ..col(type_name)
    }
}

fn unsigned(type_name: &str) -> ColumnDef {
    ColumnDef {
        unsigned: true,
        ..col(type_name)
    }
}

fn required(c: ColumnDef) -> ColumnDef {
    ColumnDef {
        nullable: false,
        ..c
    }
}

fn compile_with(c: &ColumnDef, opts: &TypeOptions) -> ColumnCodec {
    ColumnCodec::compile(&TableId::new("shop", "t"), c, opts).unwrap()
}

fn compile(c: &ColumnDef) -> ColumnCodec {
    compile_with(c, &TypeOptions::default())
}

fn time_mode(mode: TimePrecisionMode) -> TypeOptions {
    TypeOptions {
        time: mode,
        ..TypeOptions::default()
    }
}

fn bin(codec: &ColumnCodec, v: My) -> Value {
    codec.decode_binlog(&BinlogValue::Value(v)).unwrap()
}

fn text(codec: &ColumnCodec, t: &[u8]) -> Value {
    codec.decode_text(&My::Bytes(t.to_vec())).unwrap()
}

/// Decodes the binlog and the snapshot form of one stored value, asserts they agree and
/// returns the value.
fn both(codec: &ColumnCodec, binlog: My, snapshot: &[u8]) -> Value {
    let from_binlog = bin(codec, binlog);
    let from_text = text(codec, snapshot);
    assert_eq!(
        from_binlog,
        from_text,
        "paths disagree for {:?}",
        String::from_utf8_lossy(snapshot)
    );
    from_binlog
}

fn logical(kind: SchemaType, name: &str) -> Schema {
    Schema::of(kind).named(name).version(1).optional()
}

#[test]
fn tinyint_to_int64_signed_and_unsigned_widths() {
    // Signed TINYINT is JDBC TINYINT, int8 in Debezium; TINYINT(1) too (only a column
    // declared BOOL/BOOLEAN in DDL Debezium parses is a boolean).
    let c = compile(&col("TINYINT"));
    assert_eq!(**c.schema(), Schema::of(SchemaType::Int8).optional());
    assert_eq!(both(&c, My::Int(-128), b"-128"), Value::Int8(-128));
    assert_eq!(both(&c, My::Int(127), b"127"), Value::Int8(127));
    let c = compile(&sized("TINYINT", 1));
    assert_eq!(c.schema().kind, SchemaType::Int8);
    assert_eq!(both(&c, My::Int(5), b"5"), Value::Int8(5));

    let c = compile(&unsigned("TINYINT"));
    assert_eq!(c.schema().kind, SchemaType::Int16);
    // Without signedness metadata the binlog reads 255 as -1.
    assert_eq!(both(&c, My::Int(-1), b"255"), Value::Int16(255));
    assert_eq!(both(&c, My::UInt(255), b"255"), Value::Int16(255));

    let c = compile(&col("SMALLINT"));
    assert_eq!(both(&c, My::Int(-32768), b"-32768"), Value::Int16(-32768));
    let c = compile(&unsigned("SMALLINT"));
    assert_eq!(c.schema().kind, SchemaType::Int32);
    assert_eq!(both(&c, My::Int(-1), b"65535"), Value::Int32(65535));

    let c = compile(&col("MEDIUMINT"));
    assert_eq!(
        both(&c, My::Int(-8388608), b"-8388608"),
        Value::Int32(-8388608)
    );
    let c = compile(&unsigned("MEDIUMINT"));
    assert_eq!(c.schema().kind, SchemaType::Int32);
    assert_eq!(both(&c, My::Int(-1), b"16777215"), Value::Int32(16777215));

    let c = compile(&col("INT"));
    assert_eq!(c.schema().kind, SchemaType::Int32);
    assert_eq!(
        both(&c, My::Int(i64::from(i32::MIN)), b"-2147483648"),
        Value::Int32(i32::MIN)
    );
    let c = compile(&unsigned("INTEGER"));
    assert_eq!(c.schema().kind, SchemaType::Int64);
    assert_eq!(
        both(&c, My::Int(-1), b"4294967295"),
        Value::Int64(4294967295)
    );

    let c = compile(&col("BIGINT"));
    assert_eq!(
        both(&c, My::Int(i64::MIN), b"-9223372036854775808"),
        Value::Int64(i64::MIN)
    );
}

#[test]
fn bigint_unsigned_long_wraps_and_precise_is_a_decimal() {
    let c = compile(&unsigned("BIGINT"));
    assert_eq!(c.schema().kind, SchemaType::Int64);
    assert_eq!(
        both(&c, My::UInt(u64::MAX), b"18446744073709551615"),
        Value::Int64(-1)
    );
    assert_eq!(
        both(&c, My::Int(-1), b"18446744073709551615"),
        Value::Int64(-1)
    );

    let precise = TypeOptions {
        bigint_unsigned: BigintUnsignedMode::Precise,
        ..TypeOptions::default()
    };
    let c = compile_with(&unsigned("BIGINT"), &precise);
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
            .param("scale", "0")
            .param("connect.decimal.precision", "20")
    );
    let mut max = vec![0x00];
    max.extend([0xFF; 8]);
    assert_eq!(
        both(&c, My::UInt(u64::MAX), b"18446744073709551615"),
        Value::Bytes(max.clone())
    );
    assert_eq!(
        both(&c, My::Int(-1), b"18446744073709551615"),
        Value::Bytes(max)
    );
    assert_eq!(
        both(&c, My::UInt(300), b"300"),
        Value::Bytes(vec![0x01, 0x2C])
    );
    // SERIAL is BIGINT UNSIGNED.
    assert_eq!(
        compile_with(&col("SERIAL"), &precise).schema().kind,
        SchemaType::Bytes
    );
}

#[test]
fn boolean_and_bit_columns() {
    let c = compile(&col("BOOLEAN"));
    assert_eq!(**c.schema(), Schema::of(SchemaType::Boolean).optional());
    assert_eq!(both(&c, My::Int(1), b"1"), Value::Boolean(true));
    assert_eq!(both(&c, My::Int(0), b"0"), Value::Boolean(false));
    // TINYINT(1) can hold any byte; Debezium tests for non-zero.
    assert_eq!(both(&c, My::Int(5), b"5"), Value::Boolean(true));
    assert_eq!(compile(&col("BOOL")).schema().kind, SchemaType::Boolean);

    let c = compile(&sized("BIT", 1));
    assert_eq!(c.schema().kind, SchemaType::Boolean);
    assert_eq!(both(&c, My::Bytes(vec![1]), &[1]), Value::Boolean(true));
    assert_eq!(both(&c, My::Bytes(vec![0]), &[0]), Value::Boolean(false));
    assert_eq!(compile(&col("BIT")).schema().kind, SchemaType::Boolean);

    let c = compile(&sized("BIT", 10));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Bytes, "io.debezium.data.Bits").param("length", "10")
    );
    // b'1000000001' is 0x0201 big-endian; Debezium emits little-endian bytes.
    assert_eq!(
        both(&c, My::Bytes(vec![0x02, 0x01]), &[0x02, 0x01]),
        Value::Bytes(vec![0x01, 0x02])
    );
    // High zero bytes are kept up to the column's byte count.
    assert_eq!(
        both(&c, My::Bytes(vec![0x00, 0x05]), &[0x00, 0x05]),
        Value::Bytes(vec![0x05, 0x00])
    );
    assert_eq!(
        both(&c, My::Bytes(vec![0, 0]), &[0, 0]),
        Value::Bytes(vec![0, 0])
    );
    let c = compile(&sized("BIT", 64));
    assert_eq!(
        both(
            &c,
            My::Bytes(vec![0x80, 0, 0, 0, 0, 0, 0, 1]),
            &[0x80, 0, 0, 0, 0, 0, 0, 1]
        ),
        Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0x80])
    );
}

#[test]
fn decimals_under_each_decimal_mode() {
    let mut d = col("DECIMAL");
    d.length = Some(6);
    d.scale = Some(2);
    let c = compile(&d);
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Bytes, "org.apache.kafka.connect.data.Decimal")
            .param("scale", "2")
            .param("connect.decimal.precision", "6")
    );
    assert_eq!(
        both(&c, My::Bytes(b"-0.50".to_vec()), b"-0.50"),
        Value::Bytes(vec![0xCE])
    );
    assert_eq!(
        both(&c, My::Bytes(b"1234.50".to_vec()), b"1234.50"),
        Value::Bytes(vec![0x01, 0xE2, 0x3A])
    );

    let c = compile_with(
        &d,
        &TypeOptions {
            decimal: DecimalMode::Double,
            ..TypeOptions::default()
        },
    );
    assert_eq!(**c.schema(), Schema::of(SchemaType::Float64).optional());
    assert_eq!(
        both(&c, My::Bytes(b"-0.50".to_vec()), b"-0.50"),
        Value::Float64(-0.5)
    );

    let c = compile_with(
        &d,
        &TypeOptions {
            decimal: DecimalMode::String,
            ..TypeOptions::default()
        },
    );
    assert_eq!(**c.schema(), Schema::of(SchemaType::String).optional());
    assert_eq!(
        both(&c, My::Bytes(b"-0.50".to_vec()), b"-0.50"),
        Value::String("-0.50".into())
    );
    assert_eq!(
        both(&c, My::Bytes(b"-0.00".to_vec()), b"0.00"),
        Value::String("0.00".into())
    );

    // DECIMAL and NUMERIC without (M,D) are DECIMAL(10,0).
    let c = compile(&col("NUMERIC"));
    assert_eq!(
        c.schema().parameter("connect.decimal.precision"),
        Some("10")
    );
    assert_eq!(c.schema().parameter("scale"), Some("0"));
    assert_eq!(
        both(&c, My::Bytes(b"128".to_vec()), b"128"),
        Value::Bytes(vec![0x00, 0x80])
    );

    let err = c.decode_text(&My::Bytes(b"12x".to_vec())).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("shop.t.c") && msg.contains("NUMERIC") && msg.contains("\"12x\""),
        "{msg}"
    );
}

#[test]
fn floating_point_widths() {
    let c = compile(&col("FLOAT"));
    assert_eq!(**c.schema(), Schema::of(SchemaType::Float32).optional());
    assert_eq!(both(&c, My::Float(1.1), b"1.1"), Value::Float32(1.1));

    // FLOAT(M,D) is stored single precision but emitted as float64, widened.
    let mut f = col("FLOAT");
    f.length = Some(7);
    f.scale = Some(3);
    let c = compile(&f);
    assert_eq!(c.schema().kind, SchemaType::Float64);
    assert_eq!(
        both(&c, My::Float(1.1), b"1.100"),
        Value::Float64(f64::from(1.1f32))
    );
    assert_eq!(
        Value::Float64(f64::from(1.1f32)),
        Value::Float64(1.100000023841858)
    );

    // FLOAT(p > 24) is a DOUBLE.
    let c = compile(&sized("FLOAT", 30));
    assert_eq!(both(&c, My::Double(0.1), b"0.1"), Value::Float64(0.1));

    // REAL is float32 in Debezium although MySQL stores a double.
    let c = compile(&col("REAL"));
    assert_eq!(c.schema().kind, SchemaType::Float32);
    assert_eq!(both(&c, My::Double(1.1), b"1.1"), Value::Float32(1.1));

    let c = compile(&col("DOUBLE"));
    assert_eq!(c.schema().kind, SchemaType::Float64);
    assert_eq!(
        both(&c, My::Double(-2.5e-10), b"-2.5e-10"),
        Value::Float64(-2.5e-10)
    );
}

#[test]
fn strings_decode_in_the_column_charset() {
    let c = compile(&col("VARCHAR"));
    assert_eq!(**c.schema(), Schema::of(SchemaType::String).optional());
    assert_eq!(
        both(&c, My::Bytes("é😀".as_bytes().to_vec()), "é😀".as_bytes()),
        Value::String("é😀".into())
    );

    // The binlog has latin1 (cp1252) bytes; the snapshot connection receives utf8mb4.
    let mut latin = col("CHAR");
    latin.charset = Some("latin1".into());
    let c = compile(&latin);
    assert_eq!(
        both(&c, My::Bytes(vec![0xE9, 0x80]), "é€".as_bytes()),
        Value::String("é€".into())
    );

    let mut ucs2 = col("TEXT");
    ucs2.charset = Some("ucs2".into());
    let c = compile(&ucs2);
    assert_eq!(
        both(&c, My::Bytes(vec![0x00, 0x41, 0x00, 0xE9]), "Aé".as_bytes()),
        Value::String("Aé".into())
    );

    // latin2 and cp1250 bytes from the binlog are transcoded; the snapshot receives the
    // server's utf8mb4 conversion of the same text.
    for (charset, bytes) in [
        ("latin2", vec![0xA3, 0xF3, 0x64, 0xBC]),
        ("cp1250", vec![0xA3, 0xF3, 0x64, 0x9F]),
    ] {
        let mut c = col("VARCHAR");
        c.charset = Some(charset.into());
        let c = compile(&c);
        assert_eq!(
            both(&c, My::Bytes(bytes), "Łódź".as_bytes()),
            Value::String("Łódź".into()),
            "{charset}"
        );
    }

    // NCHAR is always utf8, whatever the table default.
    let mut n = col("NVARCHAR");
    n.charset = Some("armscii8".into());
    let c = compile(&n);
    assert_eq!(
        both(&c, My::Bytes("é".as_bytes().to_vec()), "é".as_bytes()),
        Value::String("é".into())
    );

    let mut unknown = col("VARCHAR");
    unknown.charset = Some("armscii8".into());
    let err = ColumnCodec::compile(
        &TableId::new("shop", "t"),
        &unknown,
        &TypeOptions::default(),
    )
    .unwrap_err();
    assert!(err.is_unsupported());
    let text = err.to_string();
    assert!(text.contains("shop.t.c"), "{text}");
    assert!(text.contains("character set armscii8"), "{text}");
    assert!(text.contains("column.exclude.list"), "{text}");
}

#[test]
fn binary_columns_under_each_binary_mode() {
    let c = compile(&sized("BINARY", 4));
    assert_eq!(**c.schema(), Schema::of(SchemaType::Bytes).optional());
    // The binlog drops BINARY(n)'s trailing zero bytes; Debezium pads them back (DBZ-254).
    assert_eq!(
        both(&c, My::Bytes(b"ab".to_vec()), b"ab\0\0"),
        Value::Bytes(b"ab\0\0".to_vec())
    );

    let c = compile(&col("VARBINARY"));
    assert_eq!(
        both(&c, My::Bytes(b"ab".to_vec()), b"ab"),
        Value::Bytes(b"ab".to_vec())
    );

    for (mode, expected) in [
        (BinaryMode::Base64, "YWIAAA=="),
        (BinaryMode::Base64UrlSafe, "YWIAAA=="),
        (BinaryMode::Hex, "61620000"),
    ] {
        let opts = TypeOptions {
            binary: mode,
            ..TypeOptions::default()
        };
        let c = compile_with(&sized("BINARY", 4), &opts);
        assert_eq!(**c.schema(), Schema::of(SchemaType::String).optional());
        assert_eq!(
            both(&c, My::Bytes(b"ab".to_vec()), b"ab\0\0"),
            Value::String(expected.into())
        );
    }
    let opts = TypeOptions {
        binary: BinaryMode::Base64UrlSafe,
        ..TypeOptions::default()
    };
    let c = compile_with(&col("BLOB"), &opts);
    assert_eq!(
        both(&c, My::Bytes(vec![0xFB, 0xFF]), &[0xFB, 0xFF]),
        Value::String("-_8=".into())
    );
}

#[test]
fn dates_zero_dates_and_the_time_adjuster() {
    let c = compile(&col("DATE"));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "io.debezium.time.Date")
    );
    assert_eq!(
        both(&c, My::Date(2024, 1, 15, 0, 0, 0, 0), b"2024-01-15"),
        Value::Int32(19737)
    );
    assert_eq!(
        both(&c, My::Date(1969, 12, 31, 0, 0, 0, 0), b"1969-12-31"),
        Value::Int32(-1)
    );
    // Zero dates and zero-in-part dates are null on a nullable column…
    assert_eq!(
        both(&c, My::Date(0, 0, 0, 0, 0, 0, 0), b"0000-00-00"),
        Value::Null
    );
    assert_eq!(
        both(&c, My::Date(2020, 0, 0, 0, 0, 0, 0), b"2020-00-00"),
        Value::Null
    );
    // …and the epoch on a required one.
    let r = compile(&required(col("DATE")));
    assert!(!r.schema().optional);
    assert_eq!(
        both(&r, My::Date(0, 0, 0, 0, 0, 0, 0), b"0000-00-00"),
        Value::Int32(0)
    );
    // Two-digit years move like MySQL's 00-69 / 70-99 rule unless the adjuster is off.
    let y2069 = days_from_civil(2069, 1, 1) as i32;
    assert_eq!(
        both(&c, My::Date(69, 1, 1, 0, 0, 0, 0), b"0069-01-01"),
        Value::Int32(y2069)
    );
    let y1970 = days_from_civil(1970, 3, 1) as i32;
    assert_eq!(
        both(&c, My::Date(70, 3, 1, 0, 0, 0, 0), b"0070-03-01"),
        Value::Int32(y1970)
    );
    let off = TypeOptions {
        time_adjuster: false,
        ..TypeOptions::default()
    };
    let c_off = compile_with(&col("DATE"), &off);
    let y69 = days_from_civil(69, 1, 1) as i32;
    assert_eq!(
        both(&c_off, My::Date(69, 1, 1, 0, 0, 0, 0), b"0069-01-01"),
        Value::Int32(y69)
    );

    let c = compile_with(&col("DATE"), &time_mode(TimePrecisionMode::Connect));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "org.apache.kafka.connect.data.Date")
    );
    assert_eq!(
        both(&c, My::Date(2024, 1, 15, 0, 0, 0, 0), b"2024-01-15"),
        Value::Int32(19737)
    );
    let c = compile_with(&col("DATE"), &time_mode(TimePrecisionMode::IsoString));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoDate")
    );
    assert_eq!(
        both(&c, My::Date(2024, 1, 15, 0, 0, 0, 0), b"2024-01-15"),
        Value::String("2024-01-15Z".into())
    );
}

#[test]
fn datetimes_by_precision_and_mode() {
    let v = My::Date(2024, 1, 2, 3, 4, 5, 123_400);
    let t = b"2024-01-02 03:04:05.123400";

    let c = compile(&sized("DATETIME", 6));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroTimestamp")
    );
    assert_eq!(both(&c, v.clone(), t), Value::Int64(1_704_164_645_123_400));

    let c = compile(&sized("DATETIME", 3));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.Timestamp")
    );
    assert_eq!(
        both(
            &c,
            My::Date(2024, 1, 2, 3, 4, 5, 123_000),
            b"2024-01-02 03:04:05.123"
        ),
        Value::Int64(1_704_164_645_123)
    );
    let c = compile(&col("DATETIME"));
    assert_eq!(
        c.schema().name.as_deref(),
        Some("io.debezium.time.Timestamp")
    );
    assert_eq!(
        both(
            &c,
            My::Date(1969, 12, 31, 23, 59, 59, 0),
            b"1969-12-31 23:59:59"
        ),
        Value::Int64(-1000)
    );
    assert_eq!(
        both(&c, My::Date(0, 0, 0, 0, 0, 0, 0), b"0000-00-00 00:00:00"),
        Value::Null
    );
    let r = compile(&required(col("DATETIME")));
    assert_eq!(
        both(&r, My::Date(0, 0, 0, 0, 0, 0, 0), b"0000-00-00 00:00:00"),
        Value::Int64(0)
    );

    let c = compile_with(
        &sized("DATETIME", 6),
        &time_mode(TimePrecisionMode::Connect),
    );
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "org.apache.kafka.connect.data.Timestamp")
    );
    assert_eq!(both(&c, v.clone(), t), Value::Int64(1_704_164_645_123));
    let c = compile_with(
        &sized("DATETIME", 6),
        &time_mode(TimePrecisionMode::Nanoseconds),
    );
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.NanoTimestamp")
    );
    assert_eq!(
        both(&c, v.clone(), t),
        Value::Int64(1_704_164_645_123_400_000)
    );
    let c = compile_with(
        &sized("DATETIME", 2),
        &time_mode(TimePrecisionMode::Microseconds),
    );
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroTimestamp")
    );
    let c = compile_with(
        &sized("DATETIME", 6),
        &time_mode(TimePrecisionMode::IsoString),
    );
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoTimestamp")
    );
    assert_eq!(
        both(&c, v, t),
        Value::String("2024-01-02T03:04:05.1234Z".into())
    );
}

#[test]
fn timestamps_are_zoned_strings_padded_to_the_column_precision() {
    let c = compile(&sized("TIMESTAMP", 3));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.time.ZonedTimestamp")
    );
    assert_eq!(
        both(
            &c,
            My::Bytes(b"1704164645.100000".to_vec()),
            b"2024-01-02 03:04:05.100"
        ),
        Value::String("2024-01-02T03:04:05.100Z".into())
    );
    assert_eq!(
        both(
            &c,
            My::Bytes(b"1704164645".to_vec()),
            b"2024-01-02 03:04:05.000"
        ),
        Value::String("2024-01-02T03:04:05.000Z".into())
    );
    let c = compile(&sized("TIMESTAMP", 6));
    assert_eq!(
        both(
            &c,
            My::Bytes(b"1704164645.123456".to_vec()),
            b"2024-01-02 03:04:05.123456"
        ),
        Value::String("2024-01-02T03:04:05.123456Z".into())
    );
    // Without a precision the fraction is as short as possible.
    let c = compile(&col("TIMESTAMP"));
    assert_eq!(
        both(
            &c,
            My::Bytes(b"1704164645".to_vec()),
            b"2024-01-02 03:04:05"
        ),
        Value::String("2024-01-02T03:04:05Z".into())
    );
    // The zero TIMESTAMP is null, or the epoch when required; every time mode keeps
    // ZonedTimestamp.
    assert_eq!(
        both(&c, My::Bytes(b"0".to_vec()), b"0000-00-00 00:00:00"),
        Value::Null
    );
    let r = compile_with(
        &required(col("TIMESTAMP")),
        &time_mode(TimePrecisionMode::Connect),
    );
    assert_eq!(
        r.schema().name.as_deref(),
        Some("io.debezium.time.ZonedTimestamp")
    );
    assert_eq!(
        both(&r, My::Bytes(b"0".to_vec()), b"0000-00-00 00:00:00"),
        Value::String("1970-01-01T00:00:00Z".into())
    );
}

#[test]
fn time_columns_keep_sign_and_hours_beyond_a_day() {
    let min = My::Time(true, 34, 22, 59, 59, 500_000);
    let min_text = b"-838:59:59.500";
    let c = compile(&sized("TIME", 3));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.MicroTime")
    );
    assert_eq!(
        both(&c, min.clone(), min_text),
        Value::Int64(-3_020_399_500_000)
    );
    assert_eq!(
        both(&c, My::Time(false, 1, 1, 0, 0, 0), b"25:00:00"),
        Value::Int64(90_000_000_000)
    );
    assert_eq!(
        both(&c, My::Time(true, 0, 0, 0, 0, 1), b"-00:00:00.000001"),
        Value::Int64(-1)
    );

    // adaptive: TIME(0-3) is millis, floored like Duration.toMillis().
    let c = compile_with(&sized("TIME", 3), &time_mode(TimePrecisionMode::Adaptive));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "io.debezium.time.Time")
    );
    // `(int) duration.toMillis()` wraps beyond ±596 hours, as in Java.
    assert_eq!(both(&c, min.clone(), min_text), Value::Int32(1_274_567_796));
    assert_eq!(
        both(&c, My::Time(true, 0, 1, 0, 0, 0), b"-01:00:00.000"),
        Value::Int32(-3_600_000)
    );
    let c = compile_with(&sized("TIME", 6), &time_mode(TimePrecisionMode::Adaptive));
    assert_eq!(
        c.schema().name.as_deref(),
        Some("io.debezium.time.MicroTime")
    );

    let c = compile_with(
        &sized("TIME", 6),
        &time_mode(TimePrecisionMode::Nanoseconds),
    );
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int64, "io.debezium.time.NanoTime")
    );
    assert_eq!(
        both(&c, min.clone(), min_text),
        Value::Int64(-3_020_399_500_000_000)
    );

    // connect and isostring only represent 00:00:00-24:00:00.
    let c = compile_with(&col("TIME"), &time_mode(TimePrecisionMode::Connect));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "org.apache.kafka.connect.data.Time")
    );
    assert_eq!(
        both(&c, My::Time(false, 0, 10, 15, 30, 0), b"10:15:30"),
        Value::Int32(36_930_000)
    );
    assert_eq!(both(&c, min.clone(), min_text), Value::Null);
    let r = compile_with(
        &required(col("TIME")),
        &time_mode(TimePrecisionMode::Connect),
    );
    assert!(r.decode_text(&My::Bytes(min_text.to_vec())).is_err());

    let c = compile_with(&sized("TIME", 1), &time_mode(TimePrecisionMode::IsoString));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.time.IsoTime")
    );
    assert_eq!(
        both(&c, My::Time(false, 0, 10, 15, 30, 500_000), b"10:15:30.5"),
        Value::String("10:15:30.5Z".into())
    );
    assert_eq!(
        both(&c, My::Time(false, 1, 0, 0, 0, 0), b"24:00:00.0"),
        Value::String("00:00:00Z".into())
    );
}

#[test]
fn year_enum_and_set() {
    let c = compile(&col("YEAR"));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::Int32, "io.debezium.time.Year")
    );
    assert_eq!(
        both(&c, My::Bytes(b"2024".to_vec()), b"2024"),
        Value::Int32(2024)
    );
    // YEAR 0000 arrives from the binlog as 1900 (1900 + stored byte 0).
    assert_eq!(
        both(&c, My::Bytes(b"1900".to_vec()), b"0000"),
        Value::Int32(1900)
    );

    let mut e = col("ENUM");
    e.enum_values = vec!["a".into(), "b,c".into(), "it's".into()];
    let c = compile(&e);
    // EnumeratedValues.toCommaSeparatedString escapes the comma inside a member.
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.data.Enum").param("allowed", "a,b\\,c,it's")
    );
    assert_eq!(both(&c, My::Int(3), b"it's"), Value::String("it's".into()));
    assert_eq!(both(&c, My::Int(0), b""), Value::String(String::new()));
    assert_eq!(bin(&c, My::Int(9)), Value::Null);

    let mut s = col("SET");
    s.enum_values = vec!["x".into(), "y".into(), "z".into()];
    let c = compile(&s);
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.data.EnumSet").param("allowed", "x,y,z")
    );
    assert_eq!(
        both(&c, My::Bytes(vec![0b101]), b"x,z"),
        Value::String("x,z".into())
    );
    assert_eq!(
        both(&c, My::Bytes(vec![0]), b""),
        Value::String(String::new())
    );
}

#[test]
fn json_from_text_binlog_text_and_binary_json_agree() {
    let c = compile(&col("JSON"));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.data.Json")
    );
    // Text from the binlog (a MySQL JSON column seen as text) is re-rendered in the
    // binlog formatter's compact form, like the snapshot's.
    let doc = br#"{"b":  1.50, "a":[1 ,2]}"#;
    assert_eq!(
        both(&c, My::Bytes(doc.to_vec()), doc),
        Value::String(r#"{"b":1.5,"a":[1,2]}"#.into())
    );
    // MySQL: binary JSON on the binlog, spaced text in the snapshot.
    let from_jsonb = c
        .decode_binlog(&BinlogValue::Jsonb(jsonb::Value::String(
            jsonb::JsonbString::new(&b"x\ty"[..]),
        )))
        .unwrap();
    assert_eq!(from_jsonb, text(&c, br#""x\ty""#));
    assert_eq!(from_jsonb, Value::String(r#""x\ty""#.into()));
    assert_eq!(
        c.decode_binlog(&BinlogValue::Jsonb(jsonb::Value::F64(1e20)))
            .unwrap(),
        text(&c, b"1e20")
    );
    assert!(c.decode_text(&My::Bytes(b"{oops".to_vec())).is_err());
}

#[test]
fn mariadb_json_is_its_longtext() {
    // On MariaDB a column declared JSON is LONGTEXT: a plain string, the text as stored.
    let opts = TypeOptions {
        mariadb: true,
        ..TypeOptions::default()
    };
    let c = ColumnCodec::compile(&TableId::new("shop", "t"), &col("JSON"), &opts).unwrap();
    assert_eq!(**c.schema(), Schema::of(SchemaType::String).optional());
    let doc = br#"{"b":  1.50, "a":[1 ,2]}"#;
    assert_eq!(
        both(&c, My::Bytes(doc.to_vec()), doc),
        Value::String(String::from_utf8_lossy(doc).into_owned())
    );
}

#[test]
fn enum_and_set_members_are_joined_with_escapes() {
    let members = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        super::allowed_list(&members(&["a", "b,c", "d"])),
        "a,b\\,c,d"
    );
    assert_eq!(
        super::allowed_list(&members(&["back\\slash", "x"])),
        "back\\\\slash,x"
    );
    assert_eq!(super::allowed_list(&members(&[])), "");
    let mut s = col("SET");
    s.enum_values = members(&["1,2", "3"]);
    assert_eq!(compile(&s).schema().parameter("allowed"), Some("1\\,2,3"));
}

#[test]
fn geometry_and_point_structs() {
    let mut wkb = vec![0x01, 0x01, 0, 0, 0];
    wkb.extend(1.5f64.to_le_bytes());
    wkb.extend((-2.0f64).to_le_bytes());
    let mut stored = 4326u32.to_le_bytes().to_vec();
    stored.extend(&wkb);

    let c = compile(&required(col("GEOMETRY")));
    let expected_schema = Schema::of(SchemaType::Struct)
        .named("io.debezium.data.geometry.Geometry")
        .version(1)
        .doc("Geometry")
        .field("wkb", Schema::of(SchemaType::Bytes))
        .field("srid", Schema::of(SchemaType::Int32).optional())
        .optional();
    // Debezium's Geometry schema is optional even for a NOT NULL column.
    assert_eq!(**c.schema(), expected_schema);
    assert_eq!(
        both(&c, My::Bytes(stored.clone()), &stored),
        Value::Struct(vec![Value::Bytes(wkb.clone()), Value::Int32(4326)])
    );
    let mut no_srid = vec![0, 0, 0, 0];
    no_srid.extend(&wkb);
    assert_eq!(
        both(&c, My::Bytes(no_srid.clone()), &no_srid),
        Value::Struct(vec![Value::Bytes(wkb.clone()), Value::Null])
    );
    assert_eq!(
        compile(&col("MULTIPOLYGON")).schema().name.as_deref(),
        Some("io.debezium.data.geometry.Geometry")
    );

    let c = compile(&col("POINT"));
    assert_eq!(
        c.schema().name.as_deref(),
        Some("io.debezium.data.geometry.Point")
    );
    assert_eq!(c.schema().doc.as_deref(), Some("Geometry (POINT)"));
    assert_eq!(
        both(&c, My::Bytes(stored.clone()), &stored),
        Value::Struct(vec![
            Value::Float64(1.5),
            Value::Float64(-2.0),
            Value::Bytes(wkb),
            Value::Int32(4326)
        ])
    );
    assert!(c.decode_text(&My::Bytes(vec![1, 2])).is_err());
}

#[test]
fn mariadb_uuid() {
    let c = compile(&col("UUID"));
    assert_eq!(
        **c.schema(),
        logical(SchemaType::String, "io.debezium.data.Uuid")
    );
    let raw: Vec<u8> = (0u8..16).collect();
    assert_eq!(
        both(&c, My::Bytes(raw), b"00010203-0405-0607-0809-0a0b0c0d0e0f"),
        Value::String("00010203-0405-0607-0809-0a0b0c0d0e0f".into())
    );
}

#[test]
fn nulls_and_unsupported_types() {
    let c = compile(&col("INT"));
    assert_eq!(c.decode_text(&My::NULL).unwrap(), Value::Null);
    assert_eq!(
        c.decode_binlog(&BinlogValue::Value(My::NULL)).unwrap(),
        Value::Null
    );
    let err = ColumnCodec::compile(
        &TableId::new("shop", "t"),
        &col("INET6"),
        &TypeOptions::default(),
    )
    .unwrap_err();
    assert!(err.is_unsupported());
    assert!(err.to_string().contains("shop.t.c"), "{err}");
    let err = ColumnCodec::compile(
        &TableId::new("shop", "t"),
        &col("VECTOR"),
        &TypeOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("FloatVector"), "{err}");
}

fn with_default(c: ColumnDef, default: &str) -> ColumnDef {
    ColumnDef {
        default: Some(default.into()),
        ..c
    }
}

#[test]
fn schema_defaults_follow_the_default_value_converter() {
    let c = compile(&required(with_default(col("INT"), "0")));
    assert_eq!(c.schema().default, Some(serde_json::json!(0)));
    let c = compile(&with_default(col("TINYINT"), "1.6"));
    assert_eq!(c.schema().default, Some(serde_json::json!(2)));
    let c = compile(&with_default(col("BOOLEAN"), "true"));
    assert_eq!(c.schema().default, Some(serde_json::json!(true)));
    let mut e = with_default(col("ENUM"), "new");
    e.enum_values = vec!["new".into(), "old".into()];
    assert_eq!(compile(&e).schema().default, Some(serde_json::json!("new")));
    let c = compile(&with_default(col("VARCHAR"), " padded "));
    assert_eq!(c.schema().default, Some(serde_json::json!(" padded ")));
    let mut d = with_default(col("DECIMAL"), "1.005");
    d.length = Some(5);
    d.scale = Some(2);
    // setScale(2, HALF_UP): 1.01 → unscaled 101 → base64 "ZQ==".
    assert_eq!(
        compile(&d).schema().default,
        Some(serde_json::json!("ZQ=="))
    );

    // No default for NULL, expressions, or a nullable zero date.
    assert_eq!(
        compile(&with_default(col("INT"), "NULL")).schema().default,
        None
    );
    assert_eq!(
        compile(&with_default(col("INT"), "(1 + 1)"))
            .schema()
            .default,
        None
    );
    assert_eq!(
        compile(&with_default(col("DATE"), "0000-00-00"))
            .schema()
            .default,
        None
    );
    // A required zero date defaults to the epoch.
    assert_eq!(
        compile(&required(with_default(col("DATE"), "0000-00-00")))
            .schema()
            .default,
        Some(serde_json::json!(0))
    );
    // CURRENT_TIMESTAMP becomes 1970-01-01 00:00:00: 0 for DATETIME, and for TIMESTAMP
    // nothing when nullable, the epoch string when required.
    assert_eq!(
        compile(&with_default(col("DATETIME"), "CURRENT_TIMESTAMP"))
            .schema()
            .default,
        Some(serde_json::json!(0))
    );
    assert_eq!(
        compile(&with_default(col("TIMESTAMP"), "CURRENT_TIMESTAMP"))
            .schema()
            .default,
        None
    );
    let ts = compile(&required(with_default(
        sized("TIMESTAMP", 3),
        "CURRENT_TIMESTAMP(3)",
    )));
    assert_eq!(
        ts.schema().default,
        Some(serde_json::json!("1970-01-01T00:00:00Z"))
    );
    let ts = compile(&with_default(sized("TIMESTAMP", 3), "2024-01-02 03:04:05"));
    assert_eq!(
        ts.schema().default,
        Some(serde_json::json!("2024-01-02T03:04:05.000Z"))
    );
    let t = compile(&with_default(col("TIME"), "-01:00:00"));
    assert_eq!(
        t.schema().default,
        Some(serde_json::json!(-3_600_000_000i64))
    );

    // A null in a required column becomes the schema default (or the type's fallback).
    let r = compile(&required(with_default(col("DATE"), "2024-01-15")));
    assert_eq!(
        r.decode_text(&My::Bytes(b"0000-00-00".to_vec())).unwrap(),
        Value::Int32(19737)
    );
}

#[test]
fn signed_mediumint_from_the_binlog_is_sign_extended() {
    // The driver hands over the raw 24 bits of a negative MEDIUMINT as a positive number.
    let codec = compile(&col("MEDIUMINT"));
    assert_eq!(both(&codec, My::Int(16_777_215), b"-1"), Value::Int32(-1));
    assert_eq!(
        both(&codec, My::Int(8_388_608), b"-8388608"),
        Value::Int32(-8_388_608)
    );
    assert_eq!(
        both(&codec, My::Int(8_388_607), b"8388607"),
        Value::Int32(8_388_607)
    );
    let unsigned = compile(&unsigned("MEDIUMINT"));
    assert_eq!(
        both(&unsigned, My::Int(16_777_215), b"16777215"),
        Value::Int32(16_777_215)
    );
}
