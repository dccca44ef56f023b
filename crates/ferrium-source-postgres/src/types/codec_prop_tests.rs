//! Property tests: the text decoders of every PostgreSQL type never panic (#13 item 8).
//!
//! The text comes from the server (pgoutput tuples, COPY fields) and the typmod from its
//! Relation message, so any string and any typmod must give a value or a `TypeError`.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use super::ColumnCodec;
use crate::types::options::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeOptions,
};
use crate::types::pg_type::{oid, PgType, PgTypeKind};
use crate::types::{schema_default, source_column};

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` alone ignores it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    // Failures become named unit tests instead of files in the source tree.
    config.failure_persistence = None;
    config
}

fn base(o: u32, name: &str) -> PgType {
    PgType::base(o, name)
}

/// Every type the mapping distinguishes, including arrays, domains and extension types.
fn types() -> Vec<PgType> {
    let scalars = [
        base(oid::BOOL, "bool"),
        base(oid::BYTEA, "bytea"),
        base(oid::CHAR, "char"),
        base(oid::TEXT, "text"),
        base(oid::VARCHAR, "varchar"),
        base(oid::INET, "inet"),
        base(oid::INT2, "int2"),
        base(oid::INT4, "int4"),
        base(oid::INT8, "int8"),
        base(oid::OID, "oid"),
        base(oid::FLOAT4, "float4"),
        base(oid::FLOAT8, "float8"),
        base(oid::JSONB, "jsonb"),
        base(oid::UUID, "uuid"),
        base(oid::NUMERIC, "numeric"),
        base(oid::MONEY, "money"),
        base(oid::DATE, "date"),
        base(oid::TIME, "time"),
        base(oid::TIMESTAMP, "timestamp"),
        base(oid::TIMESTAMPTZ, "timestamptz"),
        base(oid::TIMETZ, "timetz"),
        base(oid::INTERVAL, "interval"),
        base(oid::BIT, "bit"),
        base(oid::VARBIT, "varbit"),
        base(oid::POINT, "point"),
        base(oid::LSEG, "lseg"),
        base(oid::PATH, "path"),
        base(oid::BOX, "box"),
        base(oid::POLYGON, "polygon"),
        base(oid::LINE, "line"),
        base(oid::CIRCLE, "circle"),
        base(oid::INT4RANGE, "int4range"),
        base(90_001, "hstore"),
        base(90_002, "ltree"),
        base(90_003, "some_unknown_type"),
        PgType::new(90_004, "mood", PgTypeKind::Range),
        PgType::new(
            90_005,
            "mood",
            PgTypeKind::Enum {
                labels: vec!["happy".into(), "sad".into()],
            },
        ),
        PgType::new(
            90_006,
            "price",
            PgTypeKind::Domain {
                base: Arc::new(base(oid::NUMERIC, "numeric")),
                base_typmod: (10 << 16 | 2) + 4,
            },
        ),
    ];
    let mut all: Vec<PgType> = scalars.to_vec();
    for element in [
        base(oid::INT4, "int4"),
        base(oid::TEXT, "text"),
        base(oid::NUMERIC, "numeric"),
        base(oid::DATE, "date"),
        base(oid::TIME, "time"),
        base(oid::TIMESTAMPTZ, "timestamptz"),
        base(oid::BYTEA, "bytea"),
        base(oid::UUID, "uuid"),
        base(oid::FLOAT8, "float8"),
        base(90_001, "hstore"),
        base(90_003, "some_unknown_type"),
        scalars[36].clone(),
    ] {
        let name = format!("_{}", element.name);
        all.push(PgType::array(91_000, name, element));
    }
    all
}

/// Valid text forms of the types above, to mutate.
const SAMPLES: &[&str] = &[
    "t",
    "false",
    "-32768",
    "2147483647",
    "9223372036854775807",
    "1.5e10",
    "-0.000123",
    "NaN",
    "Infinity",
    "\\x0102ff",
    "12345678901234567890.123456789",
    "$1,234.56",
    "-$0.01",
    "2024-02-29",
    "0044-03-15 BC",
    "infinity",
    "-infinity",
    "23:59:59.999999",
    "24:00:00",
    "2024-01-02 03:04:05.123456",
    "2024-01-02 03:04:05.123456+00",
    "1999-12-31 23:59:59+05:30:15",
    "03:04:05.5+05:30",
    "P1Y2M3DT4H5M6.5S",
    "-P1D",
    "PT-0.000001S",
    "101",
    "0",
    "(1,2)",
    "[(1,2),(3,4)]",
    "((1,2),(3,4))",
    "(1.5,2),(3,4e3)",
    "{1,2,3}",
    "<(1,2),3>",
    "{1.5,-2.25,NaN}",
    "{\"a b\",NULL,\"c\\\"d\",e}",
    "{2024-01-02,infinity}",
    "{\"2024-01-02 03:04:05+00\",NULL}",
    "{\\\\x00,\"\\\\xff\"}",
    "{\"\\\"a\\\"=>\\\"b\\\"\"}",
    "\"a\"=>\"b\", \"c\"=>NULL",
    "[1,5)",
    "happy",
    "{happy,sad}",
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "{\"k\": [1, 2.5, null]}",
    "192.168.0.1/24",
];

/// Characters the decoders treat specially, so random text reaches deep into them.
const ALPHABET: &str =
    "[0-9eE+\\-:. ,{}()\\[\\]<>\"\\\\=$NULnaIifntyTtxPYMDHSBC_/\u{e9}\u{10000}]{0,48}";

fn options() -> impl Strategy<Value = TypeOptions> {
    (
        prop::sample::select(vec![
            DecimalMode::Precise,
            DecimalMode::Double,
            DecimalMode::String,
        ]),
        prop::sample::select(vec![
            TimePrecisionMode::Adaptive,
            TimePrecisionMode::AdaptiveTimeMicroseconds,
            TimePrecisionMode::Microseconds,
            TimePrecisionMode::Nanoseconds,
            TimePrecisionMode::Connect,
            TimePrecisionMode::IsoString,
        ]),
        prop::sample::select(vec![
            BinaryMode::Bytes,
            BinaryMode::Hex,
            BinaryMode::Base64,
            BinaryMode::Base64UrlSafe,
        ]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u32..8,
    )
        .prop_map(
            |(decimal, time, binary, interval, hstore, include_unknown, money)| TypeOptions {
                decimal,
                time,
                binary,
                interval: if interval {
                    IntervalMode::Numeric
                } else {
                    IntervalMode::String
                },
                hstore: if hstore {
                    HstoreMode::Json
                } else {
                    HstoreMode::Map
                },
                money_fraction_digits: money,
                include_unknown,
                ..TypeOptions::default()
            },
        )
}

/// Typmods as the Relation message may carry them: none, plausible ones, anything.
fn typmod() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(-1),
        (0i32..40, -20i32..40).prop_map(|(p, s)| ((p << 16) | (s & 0x7ff)) + 4),
        0i32..16,
        any::<i32>(),
    ]
}

/// A valid sample with one to three edits: a character replaced, a cut, an insertion,
/// a span repeated (long digit runs, deep nesting).
fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(SAMPLES),
        prop::collection::vec((0u8..4, any::<prop::sample::Index>(), any::<char>()), 1..4),
    )
        .prop_map(|(sample, edits)| {
            let mut chars: Vec<char> = sample.chars().collect();
            for (op, at, c) in edits {
                let len = chars.len();
                match op {
                    0 if len > 0 => chars[at.index(len)] = c,
                    1 => chars.truncate(at.index(len + 1)),
                    2 => chars.insert(at.index(len + 1), c),
                    _ if len > 0 => {
                        let from = at.index(len);
                        let span: Vec<char> = chars[from..].to_vec();
                        for _ in 0..8 {
                            chars.splice(from..from, span.iter().copied());
                        }
                    }
                    _ => {}
                }
            }
            chars.into_iter().collect()
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        ALPHABET,
        mutated(),
        prop::sample::select(SAMPLES).prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn decoding_any_text_gives_a_value_or_an_error(
        ty in prop::sample::select(types()),
        typmod in typmod(),
        optional in any::<bool>(),
        opts in options(),
        text in text(),
    ) {
        let _ = source_column("c", &ty, typmod, Some(&text));
        if let Ok(Some(codec)) = ColumnCodec::compile("public.t", "c", &ty, typmod, optional, &opts) {
            let _ = schema_default(&text, &ty.name, &ty, typmod, &codec);
            let _ = codec.decode(&text);
            let _ = codec.decode_owned(text);
            let _ = codec.unavailable();
            let _ = codec.fallback();
        }
    }
}
