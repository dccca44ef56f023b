//! The cases of Kafka's `ValuesTest` for `parseString`, and the Connect form of each.

use super::*;

fn parse(text: &str) -> Parsed {
    parse_string(text).expect("not null")
}

fn string(text: &str) -> Parsed {
    Parsed {
        kind: Kind::String,
        value: Lit::String(text.into()),
    }
}

#[test]
fn plain_literals() {
    assert_eq!(parse(""), string(""));
    assert_eq!(parse("simple string"), string("simple string"));
    assert_eq!(parse("  true  ").value, Lit::Boolean(true));
    assert_eq!(parse("false").value, Lit::Boolean(false));
    assert_eq!(parse_string("null"), None);
    assert_eq!(parse_string("  null  "), None);
    assert_eq!(parse("null="), string("null="));
    assert_eq!(parse("true}"), string("true}"));
    assert_eq!(parse("false]"), string("false]"));
    let odd = String::from_utf8(vec![0xEF, 0xBF, 0xBF]).unwrap();
    assert_eq!(parse(&odd), string(&odd));
}

#[test]
fn numbers_take_the_narrowest_type() {
    for (text, kind, value) in [
        ("1", Kind::Int8, Lit::Int8(1)),
        ("-128", Kind::Int8, Lit::Int8(-128)),
        ("300", Kind::Int16, Lit::Int16(300)),
        ("70000", Kind::Int32, Lit::Int32(70000)),
        ("9223372036854775807", Kind::Int64, Lit::Int64(i64::MAX)),
        ("1.0", Kind::Int8, Lit::Int8(1)),
        ("1e3", Kind::Int16, Lit::Int16(1000)),
        ("+5", Kind::Int8, Lit::Int8(5)),
        ("1.5", Kind::Float32, Lit::Float32(1.5)),
        ("-0.25", Kind::Float32, Lit::Float32(-0.25)),
        ("1e40", Kind::Float64, Lit::Float64(1e40)),
    ] {
        assert_eq!(parse(text), Parsed { kind, value }, "{text}");
    }
    // Integral but beyond a long, with scale 0: a Decimal.
    let big = parse("12345678901234567890123");
    assert_eq!(big.kind, Kind::Decimal(0));
    // Only a leading number is read: the rest is left, as Kafka leaves it.
    assert_eq!(parse("1,2").value, Lit::Int8(1));
    assert_eq!(parse("42 abc"), string("42 abc"));
    assert_eq!(parse("0x10"), string("0x10"));
}

#[test]
fn iso_temporal_literals() {
    let ts = parse("2019-08-23T14:34:54.346Z");
    assert_eq!(ts.kind, Kind::Timestamp);
    assert_eq!(ts.value, Lit::Instant(1_566_570_894_346));
    let escaped = parse("2019-08-23T14\\:34\\:54.346Z");
    assert_eq!(escaped, ts);
    let date = parse("2019-08-23");
    assert_eq!(
        (date.kind, date.value),
        (Kind::Date, Lit::Instant(18_131 * MILLIS_PER_DAY))
    );
    let time = parse("14:34:54.346Z");
    assert_eq!(
        (time.kind, time.value),
        (Kind::Time, Lit::Instant(52_494_346))
    );
    assert_eq!(parse("14\\:34\\:54.346Z").kind, Kind::Time);
}

#[test]
fn arrays_and_maps() {
    let bools = parse("[true, false]");
    assert_eq!(bools.kind, Kind::Array(Some(Box::new(Kind::Boolean))));
    assert_eq!(
        bools.value,
        Lit::List(vec![Some(Lit::Boolean(true)), Some(Lit::Boolean(false))])
    );
    let map = parse("{true: false, false: true}");
    assert_eq!(
        map.kind,
        Kind::Map(Some(Box::new(Kind::Boolean)), Some(Box::new(Kind::Boolean)))
    );
    // Numbers widen to the common type.
    let widened = parse("[1, 300]");
    assert_eq!(widened.kind, Kind::Array(Some(Box::new(Kind::Int16))));
    assert_eq!(
        widened.value,
        Lit::List(vec![Some(Lit::Int16(1)), Some(Lit::Int16(300))])
    );
    let timestamps =
        parse("[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]");
    assert_eq!(
        timestamps.kind,
        Kind::Array(Some(Box::new(Kind::Timestamp)))
    );
    let quoted_time = parse("{\"k1\":\"14:34:54.346Z\"}");
    assert_eq!(
        quoted_time.kind,
        Kind::Map(Some(Box::new(Kind::String)), Some(Box::new(Kind::Time)))
    );
    let unquoted_time = parse("{\"k1\":14:34:54.346Z}");
    assert_eq!(unquoted_time, quoted_time);
    assert_eq!(
        parse("[2019-08-23]").kind,
        Kind::Array(Some(Box::new(Kind::Date)))
    );
}

#[test]
fn containers_without_a_common_type() {
    assert_eq!(parse("[]").kind, Kind::Array(None));
    assert_eq!(parse("{}").kind, Kind::Map(None, None));
    assert_eq!(parse("[null]").value, Lit::List(vec![None]));
    let null_values = parse("{3: null}");
    assert_eq!(
        null_values.kind,
        Kind::Map(Some(Box::new(Kind::Int8)), None)
    );
    let mixed = parse("[\"four\", 1, 2, 300]");
    assert_eq!(mixed.kind, Kind::Array(None));
    assert_eq!(
        mixed.value,
        Lit::List(vec![
            Some(Lit::String("four".into())),
            Some(Lit::Int8(1)),
            Some(Lit::Int8(2)),
            Some(Lit::Int16(300)),
        ])
    );
    let mixed_keys = parse("{1:1, 2:1, 300:300, \"four\":1}");
    assert_eq!(mixed_keys.kind, Kind::Map(None, None));
    assert_eq!(
        parse("[[]]").kind,
        Kind::Array(Some(Box::new(Kind::Array(None))))
    );
    assert_eq!(
        parse("[{}]").kind,
        Kind::Array(Some(Box::new(Kind::Map(None, None))))
    );
    assert_eq!(
        parse("{\"a\":[]}").kind,
        Kind::Map(
            Some(Box::new(Kind::String)),
            Some(Box::new(Kind::Array(None)))
        )
    );
}

#[test]
fn malformed_containers_fall_back_to_the_whole_string() {
    for text in [
        "{foo: 3}",
        "{3: foo}",
        "[foo]",
        "{6:9 4:20}",
        "[0 1 2]",
        "{null: 3}",
        "[1, 2, 3,,,]",
        "[1, null]",
        "[null, 1]",
        "[1, 2",
    ] {
        assert_eq!(parse(text), string(text), "{text}");
    }
}

#[test]
fn connect_forms_of_parsed_literals() {
    let (schema, value) = to_connect(parse("1")).unwrap();
    assert_eq!(
        (schema, value),
        (Schema::of(SchemaType::Int8), Value::Int8(1))
    );
    let (schema, value) = to_connect(parse("[1, 300]")).unwrap();
    assert_eq!(schema, Schema::array(Schema::of(SchemaType::Int16)));
    assert_eq!(
        value,
        Value::Array(vec![Value::Int16(1), Value::Int16(300)])
    );
    let (schema, value) = to_connect(parse("{\"a\": 1.5}")).unwrap();
    assert_eq!(
        schema,
        Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::Float32)
        )
    );
    assert_eq!(value, Value::Map(vec![("a".into(), Value::Float32(1.5))]));
    let (schema, value) = to_connect(parse("2019-08-23")).unwrap();
    assert_eq!(schema.name.as_deref(), Some(DATE_NAME));
    assert_eq!(value, Value::Int32(18_131));
    let (schema, value) = to_connect(parse("-12345678901234567890123")).unwrap();
    assert_eq!(schema.parameter("scale"), Some("0"));
    let expected = (-12_345_678_901_234_567_890_123_i128).to_be_bytes()[6..].to_vec();
    assert_eq!(value, Value::Bytes(expected));
    // Beyond 38 digits too, as BigInteger carries them.
    let (_, value) = to_connect(parse("123456789012345678901234567890123456789012345")).unwrap();
    assert!(matches!(value, Value::Bytes(b) if b.len() == 19));
    assert!(to_connect(parse("[]")).is_err());
    assert!(to_connect(parse("{3: null}")).is_err());
}
