//! Property tests: the binlog and text-protocol value decoders of every MySQL type never
//! panic (#13 item 8).
//!
//! A binlog cell is whatever the row image held, and the column definition comes from DDL
//! the server wrote, so any column shape and any cell must give a value or a `TypeError`.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use mysql_async::binlog::value::BinlogValue;
use mysql_async::Value as My;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use super::ColumnCodec;
use crate::model::{ColumnDef, TableId};
use crate::types::{BigintUnsignedMode, BinaryMode, DecimalMode, TimePrecisionMode, TypeOptions};

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

const TYPE_NAMES: &[&str] = &[
    "BOOLEAN",
    "BIT",
    "TINYINT",
    "SMALLINT",
    "MEDIUMINT",
    "INT",
    "BIGINT",
    "SERIAL",
    "FLOAT",
    "REAL",
    "DOUBLE",
    "DECIMAL",
    "CHAR",
    "VARCHAR",
    "TEXT",
    "NCHAR",
    "BINARY",
    "VARBINARY",
    "BLOB",
    "DATE",
    "DATETIME",
    "TIMESTAMP",
    "TIME",
    "YEAR",
    "ENUM",
    "SET",
    "JSON",
    "POINT",
    "GEOMETRY",
    "UUID",
    "VECTOR",
    "NOSUCHTYPE",
];

const CHARSETS: &[&str] = &[
    "utf8mb4", "latin1", "binary", "ucs2", "utf16", "utf32", "sjis", "gbk", "big5", "ascii",
    "nosuch",
];

/// Valid cells and defaults of the types above, to mutate.
const SAMPLES: &[&str] = &[
    "0",
    "1",
    "-128",
    "18446744073709551615",
    "-9223372036854775808",
    "3.4028235e38",
    "1.5",
    "-0.00",
    "12345678901234567890.1234567890",
    "2024-02-29",
    "0000-00-00",
    "2024-01-02 03:04:05.123456",
    "0000-00-00 00:00:00",
    "1970-01-01 00:00:01",
    "-838:59:59.000000",
    "838:59:59",
    "12:34:56.5",
    "69",
    "2155",
    "1700000000.123456",
    "{\"a\": [1, 2.5, null, true], \"b\": {}}",
    "[]",
    "a,b",
    "b'101'",
    "CURRENT_TIMESTAMP",
    "caf\u{e9}",
    "123e4567-e89b-12d3-a456-426614174000",
];

fn options() -> impl Strategy<Value = TypeOptions> {
    (
        prop::sample::select(vec![
            DecimalMode::Precise,
            DecimalMode::Double,
            DecimalMode::String,
        ]),
        prop::sample::select(vec![
            TimePrecisionMode::AdaptiveTimeMicroseconds,
            TimePrecisionMode::Adaptive,
            TimePrecisionMode::Microseconds,
            TimePrecisionMode::Nanoseconds,
            TimePrecisionMode::Connect,
            TimePrecisionMode::IsoString,
        ]),
        any::<bool>(),
        prop::sample::select(vec![
            BinaryMode::Bytes,
            BinaryMode::Hex,
            BinaryMode::Base64,
            BinaryMode::Base64UrlSafe,
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(decimal, time, precise, binary, time_adjuster, mariadb)| TypeOptions {
                decimal,
                time,
                bigint_unsigned: if precise {
                    BigintUnsignedMode::Precise
                } else {
                    BigintUnsignedMode::Long
                },
                binary,
                time_adjuster,
                mariadb,
                tinyint_to_boolean: None,
            },
        )
}

/// Lengths and scales: absent, what MySQL allows, anything DDL could spell.
fn size() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        (0u32..70).prop_map(Some),
        any::<u32>().prop_map(Some)
    ]
}

fn column() -> impl Strategy<Value = ColumnDef> {
    (
        prop::sample::select(TYPE_NAMES),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        size(),
        size(),
        prop::option::of(prop::sample::select(CHARSETS)),
        prop::collection::vec("[a-z,\\\\]{0,4}", 0..4),
        prop::option::of(prop_oneof![
            prop::sample::select(SAMPLES).prop_map(str::to_owned),
            any::<String>()
        ]),
    )
        .prop_map(
            |(
                type_name,
                (unsigned, zerofill, nullable),
                length,
                scale,
                charset,
                enum_values,
                default,
            )| {
                ColumnDef {
                    name: "c".into(),
                    type_name: type_name.into(),
                    unsigned,
                    zerofill,
                    length,
                    scale,
                    nullable,
                    charset: charset.map(str::to_owned),
                    enum_values,
                    has_default: default.is_some(),
                    default,
                    ..ColumnDef::default()
                }
            },
        )
}

/// A sample with a byte replaced, cut, or a span repeated.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let mutated = (
        prop::sample::select(SAMPLES),
        prop::collection::vec((0u8..3, any::<prop::sample::Index>(), any::<u8>()), 1..4),
    )
        .prop_map(|(sample, edits)| {
            let mut b = sample.as_bytes().to_vec();
            for (op, at, byte) in edits {
                let len = b.len();
                match op {
                    0 if len > 0 => b[at.index(len)] = byte,
                    1 => b.truncate(at.index(len + 1)),
                    _ if len > 0 => {
                        let from = at.index(len);
                        let span = b[from..].to_vec();
                        for _ in 0..8 {
                            b.splice(from..from, span.iter().copied());
                        }
                    }
                    _ => {}
                }
            }
            b
        });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        mutated,
        prop::sample::select(SAMPLES).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// Any value the binlog row reader can produce.
fn binlog_value() -> impl Strategy<Value = My> {
    prop_oneof![
        Just(My::NULL),
        bytes().prop_map(My::Bytes),
        any::<i64>().prop_map(My::Int),
        any::<u64>().prop_map(My::UInt),
        any::<f32>().prop_map(My::Float),
        any::<f64>().prop_map(My::Double),
        (
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>()
        )
            .prop_map(|(y, mo, d, h, mi, s, us)| My::Date(y, mo, d, h, mi, s, us)),
        (
            0u16..10_000,
            0u8..13,
            0u8..32,
            0u8..24,
            0u8..60,
            0u8..60,
            0u32..1_000_000
        )
            .prop_map(|(y, mo, d, h, mi, s, us)| My::Date(y, mo, d, h, mi, s, us)),
        (
            any::<bool>(),
            any::<u32>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>()
        )
            .prop_map(|(neg, days, h, m, s, us)| My::Time(neg, days, h, m, s, us)),
    ]
}

fn sized(type_name: &str, length: u32, scale: Option<u32>) -> ColumnDef {
    ColumnDef {
        name: "c".into(),
        type_name: type_name.into(),
        length: Some(length),
        scale,
        nullable: true,
        ..ColumnDef::default()
    }
}

/// Found by the property below: it stalled allocating gigabytes. Sizes beyond MySQL's
/// limits are refused when the codec is compiled; the limits themselves still work.
#[test]
fn sizes_beyond_mysqls_limits_are_refused() {
    let id = TableId::new("shop", "t");
    let opts = TypeOptions::default();
    for (column, what) in [
        (sized("BINARY", u32::MAX, None), "BINARY(4294967295)"),
        (sized("BIT", u32::MAX, None), "BIT(4294967295)"),
        (
            sized("DECIMAL", 65, Some(u32::MAX)),
            "a DECIMAL scale of 4294967295",
        ),
    ] {
        let err = ColumnCodec::compile(&id, &column, &opts)
            .unwrap_err()
            .to_string();
        assert!(err.contains(what), "{err}");
    }
    let string = TypeOptions {
        decimal: DecimalMode::String,
        ..TypeOptions::default()
    };
    for column in [
        sized("BINARY", 255, None),
        sized("BIT", 64, None),
        sized("DECIMAL", 65, Some(38)),
    ] {
        ColumnCodec::compile(&id, &column, &string).unwrap();
    }
}

/// Found by the property below: a binlog TIME with an out-of-range day count overflowed
/// the microseconds (and mysql_common's own Debug of it, used for the error excerpt).
#[test]
fn an_out_of_range_binlog_time_is_an_error() {
    let id = TableId::new("shop", "t");
    for time in [
        TimePrecisionMode::AdaptiveTimeMicroseconds,
        TimePrecisionMode::Nanoseconds,
    ] {
        let opts = TypeOptions {
            time,
            ..TypeOptions::default()
        };
        let codec = ColumnCodec::compile(&id, &sized("TIME", 6, None), &opts).unwrap();
        let err = codec
            .decode_binlog(&BinlogValue::Value(My::Time(
                false,
                u32::MAX,
                23,
                59,
                59,
                999_999,
            )))
            .unwrap_err()
            .to_string();
        assert!(err.contains("beyond the int64"), "{err}");
        assert!(err.contains("4294967295d 23:59:59.999999"), "{err}");
    }
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn any_cell_of_any_column_gives_a_value_or_an_error(
        column in column(),
        opts in options(),
        binlog in binlog_value(),
        text in bytes(),
    ) {
        if let Ok(codec) = ColumnCodec::compile(&TableId::new("shop", "t"), &column, &opts) {
            let _ = codec.decode_binlog(&BinlogValue::Value(binlog.clone()));
            let _ = codec.decode_text(&My::Bytes(text));
            let _ = codec.decode_text(&binlog);
        }
    }
}

fn mysql_config() -> crate::config::MysqlConfig {
    let props = [
        (
            "connector.class",
            "io.debezium.connector.mysql.MySqlConnector",
        ),
        ("database.hostname", "127.0.0.1"),
        ("database.user", "debezium"),
        ("database.server.id", "184054"),
        ("topic.prefix", "dbserver1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    crate::config::MysqlConfig::from_connector(&ferrium_config::ConnectorConfig {
        name: "my".into(),
        props,
    })
    .expect("a valid connector config")
}

proptest! {
    #![proptest_config(config(1_000))]

    /// The table as stream.rs decodes a row image: any columns and key (from DDL), any
    /// cells, and cells missing from the image (a non-FULL binlog_row_image).
    #[test]
    fn any_row_image_of_any_table_decodes_or_fails_cleanly(
        columns in prop::collection::vec(column(), 0..5),
        key in prop::collection::vec(prop_oneof!["c[0-5]", "C0"], 0..3),
        cells in prop::collection::vec(prop::option::of(binlog_value()), 0..6),
    ) {
        let config = mysql_config();
        let events = crate::events::EventBuilder::new(&config, crate::events::ConnectorKind::MySql);
        let def = crate::model::TableDef {
            id: TableId::new("shop", "t"),
            columns: columns
                .into_iter()
                .enumerate()
                .map(|(i, c)| ColumnDef { name: format!("c{i}"), ..c })
                .collect(),
            primary_key: key,
            default_charset: None,
        };
        if let Ok(table) = crate::table::TableSchema::build(&config, &events.source_schema, &def) {
            let _ = table.decode_with(|i, codec| match cells.get(i) {
                Some(Some(v)) => Ok(codec.decode_binlog(&BinlogValue::Value(v.clone()))?),
                _ => Err(crate::error::MysqlError::Protocol(format!("column {i} missing"))),
            });
        }
    }
}
