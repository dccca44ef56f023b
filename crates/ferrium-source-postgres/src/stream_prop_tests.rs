//! Property tests of the pgoutput message handling (#13 item 8): any XLogData payload,
//! random or a valid message with bytes flipped, cut or lengths changed, is parsed and its
//! Relation or tuples decoded into a row or a typed error, never a panic.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ferrium_config::ConnectorConfig;
use pg_walstream::{LogicalReplicationMessage, LogicalReplicationParser};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use super::decode;
use crate::catalog::{CatalogColumn, CatalogTable};
use crate::config::PostgresConfig;
use crate::events::EventBuilder;
use crate::relation::{ColumnSpec, TableSchema};
use crate::types::{oid, PgType};

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` alone ignores it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    config.failure_persistence = None;
    config
}

const REL: u32 = 16_384;

/// The columns of the relation the valid messages describe: (name, type OID, typmod).
const COLUMNS: &[(&str, u32, i32)] = &[
    ("id", oid::INT4, -1),
    ("name", oid::TEXT, -1),
    ("price", oid::NUMERIC, (10 << 16 | 2) + 4),
    ("at", oid::TIMESTAMPTZ, -1),
    ("tags", 1009, -1),
    ("raw", oid::BYTEA, -1),
];

/// Cells of a valid row, one per column.
const ROW: &[&[u8]] = &[
    b"42",
    b"caf\xc3\xa9",
    b"12.50",
    b"2024-01-02 03:04:05.123456+00",
    b"{a,\"b c\",NULL}",
    b"\\x00ff",
];

fn types() -> HashMap<u32, Arc<PgType>> {
    let text = PgType::base(oid::TEXT, "text");
    [
        PgType::base(oid::INT4, "int4"),
        text.clone(),
        PgType::base(oid::NUMERIC, "numeric"),
        PgType::base(oid::TIMESTAMPTZ, "timestamptz"),
        PgType::array(1009, "_text", text),
        PgType::base(oid::BYTEA, "bytea"),
    ]
    .into_iter()
    .map(|t| (t.oid, Arc::new(t)))
    .collect()
}

fn catalog() -> CatalogTable {
    CatalogTable {
        columns: COLUMNS
            .iter()
            .map(|&(name, type_oid, typmod)| CatalogColumn {
                name: name.into(),
                type_oid,
                typmod,
                not_null: name == "id" || name == "price",
                default_expr: None,
            })
            .collect(),
        key: vec!["id".into()],
    }
}

fn pg_config() -> PostgresConfig {
    let props: BTreeMap<String, String> = [
        (
            "connector.class",
            "io.debezium.connector.postgresql.PostgresConnector",
        ),
        ("database.hostname", "127.0.0.1"),
        ("database.user", "postgres"),
        ("database.dbname", "shop"),
        ("topic.prefix", "shop"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    PostgresConfig::from_connector(&ConnectorConfig {
        name: "pg".into(),
        props,
    })
    .expect("a valid connector config")
}

/// Builds the table from a Relation message's columns, as the registry does.
fn build(config: &PostgresConfig, columns: Vec<ColumnSpec>) -> Result<TableSchema, String> {
    let events = EventBuilder::new(
        "shop",
        "shop",
        "shop.transaction",
        "__debezium-heartbeat.shop",
    );
    TableSchema::build(
        config,
        &events.source_schema,
        REL,
        "public",
        "orders",
        columns,
        &catalog(),
        &types(),
    )
    .map_err(|e| e.to_string())
}

fn cstring(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn relation_message() -> Vec<u8> {
    let mut m = vec![b'R'];
    m.extend_from_slice(&REL.to_be_bytes());
    cstring(&mut m, "public");
    cstring(&mut m, "orders");
    m.push(b'd');
    m.extend_from_slice(&(COLUMNS.len() as i16).to_be_bytes());
    for &(name, type_oid, typmod) in COLUMNS {
        m.push(u8::from(name == "id"));
        cstring(&mut m, name);
        m.extend_from_slice(&type_oid.to_be_bytes());
        m.extend_from_slice(&typmod.to_be_bytes());
    }
    m
}

/// TupleData; `unchanged` marks cells sent as unchanged TOAST, `nulls` as NULL.
fn tuple(out: &mut Vec<u8>, nulls: u8, unchanged: u8) {
    out.extend_from_slice(&(ROW.len() as i16).to_be_bytes());
    for (i, cell) in ROW.iter().enumerate() {
        if nulls & (1 << i) != 0 {
            out.push(b'n');
        } else if unchanged & (1 << i) != 0 {
            out.push(b'u');
        } else {
            out.push(b't');
            out.extend_from_slice(&(cell.len() as i32).to_be_bytes());
            out.extend_from_slice(cell);
        }
    }
}

/// A valid message of each kind the stream acts on.
fn valid_message(kind: u8, nulls: u8, unchanged: u8) -> Vec<u8> {
    let mut m = Vec::new();
    match kind % 7 {
        0 => return relation_message(),
        1 => {
            m.push(b'I');
            m.extend_from_slice(&REL.to_be_bytes());
            m.push(b'N');
            tuple(&mut m, nulls, 0);
        }
        2 => {
            m.push(b'U');
            m.extend_from_slice(&REL.to_be_bytes());
            m.push(b'O');
            tuple(&mut m, nulls, 0);
            m.push(b'N');
            tuple(&mut m, 0, unchanged);
        }
        3 => {
            m.push(b'D');
            m.extend_from_slice(&REL.to_be_bytes());
            m.push(b'K');
            tuple(&mut m, !1, 0);
        }
        4 => {
            m.push(b'B');
            m.extend_from_slice(&0x1_6B37_4D48u64.to_be_bytes());
            m.extend_from_slice(&757_000_000_000_000i64.to_be_bytes());
            m.extend_from_slice(&771u32.to_be_bytes());
        }
        5 => {
            m.push(b'C');
            m.push(0);
            m.extend_from_slice(&0x1_6B37_4D48u64.to_be_bytes());
            m.extend_from_slice(&0x1_6B37_4D78u64.to_be_bytes());
            m.extend_from_slice(&757_000_000_000_000i64.to_be_bytes());
        }
        _ => {
            m.push(b'T');
            m.extend_from_slice(&2u32.to_be_bytes());
            m.push(0);
            m.extend_from_slice(&REL.to_be_bytes());
            m.extend_from_slice(&REL.wrapping_add(1).to_be_bytes());
        }
    }
    m
}

/// Byte-level edits: a byte replaced, a cut, an insertion, a big-endian length field
/// (2 or 4 bytes) overwritten with an extreme value.
fn mutate(mut m: Vec<u8>, edits: &[(u8, prop::sample::Index, u8)]) -> Vec<u8> {
    for &(op, at, b) in edits {
        let len = m.len();
        match op % 5 {
            0 if len > 0 => m[at.index(len)] = b,
            1 => m.truncate(at.index(len + 1)),
            2 => m.insert(at.index(len + 1), b),
            3 if len >= 2 => {
                let i = at.index(len - 1);
                let v: [u8; 2] = [0x7f | (b & 0x80), b];
                m[i..i + 2].copy_from_slice(&v);
            }
            4 if len >= 4 => {
                let i = at.index(len - 3);
                let v = match b % 4 {
                    0 => i32::MAX,
                    1 => -1,
                    2 => i32::from(b) * 1000,
                    _ => i32::MIN,
                };
                m[i..i + 4].copy_from_slice(&v.to_be_bytes());
            }
            _ => {}
        }
    }
    m
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec(
        (any::<u8>(), any::<prop::sample::Index>(), any::<u8>()),
        0..4,
    );
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..96),
        4 => (any::<u8>(), any::<u8>(), any::<u8>(), edits)
            .prop_map(|(kind, nulls, unchanged, edits)| mutate(valid_message(kind, nulls, unchanged), &edits)),
    ]
}

/// Runs one payload through the parser and the stream's own decoding of it.
fn handle(config: &PostgresConfig, table: &mut Arc<TableSchema>, data: Vec<u8>) {
    let mut parser = LogicalReplicationParser::with_protocol_version(1);
    let Ok(message) = parser.parse_wal_message_bytes(bytes::Bytes::from(data)) else {
        return;
    };
    match message.message {
        LogicalReplicationMessage::Relation { columns, .. } => {
            let columns = columns
                .iter()
                .map(|c| ColumnSpec {
                    name: c.name.to_string(),
                    type_oid: c.type_id,
                    typmod: c.type_modifier,
                })
                .collect();
            if let Ok(built) = build(config, columns) {
                *table = Arc::new(built);
            }
        }
        LogicalReplicationMessage::Insert { tuple, .. } => {
            let _ = decode(table, &tuple);
        }
        LogicalReplicationMessage::Update {
            old_tuple,
            new_tuple,
            ..
        } => {
            if let Some(old) = old_tuple {
                let _ = decode(table, &old);
            }
            let _ = decode(table, &new_tuple);
        }
        LogicalReplicationMessage::Delete { old_tuple, .. } => {
            let _ = decode(table, &old_tuple);
        }
        _ => {}
    }
}

fn valid_columns() -> Vec<ColumnSpec> {
    COLUMNS
        .iter()
        .map(|&(name, type_oid, typmod)| ColumnSpec {
            name: name.into(),
            type_oid,
            typmod,
        })
        .collect()
}

#[test]
fn the_valid_messages_decode() {
    let config = pg_config();
    let table = build(&config, valid_columns()).unwrap();
    for kind in [1, 2, 3] {
        let mut parser = LogicalReplicationParser::with_protocol_version(1);
        let message = parser
            .parse_wal_message_bytes(bytes::Bytes::from(valid_message(kind, 0, 0)))
            .unwrap();
        let tuple = match message.message {
            LogicalReplicationMessage::Insert { tuple, .. } => tuple,
            LogicalReplicationMessage::Update { new_tuple, .. } => new_tuple,
            LogicalReplicationMessage::Delete { old_tuple, .. } => old_tuple,
            other => panic!("unexpected {other:?}"),
        };
        let row = decode(&table, &tuple).unwrap();
        assert_eq!(row.key, Some(vec![ferrium_event::Value::Int32(42)]));
    }
}

/// Found by the property below: a Relation whose `numeric` column has typmod `i32::MIN`
/// overflowed pgjdbc's precision arithmetic (`typmod - 4`) while building the table.
#[test]
fn a_relation_with_an_extreme_typmod_builds() {
    let mut m = relation_message();
    let price = m.windows(6).position(|w| w == b"price\0").unwrap() + 6;
    m[price + 4..price + 8].copy_from_slice(&i32::MIN.to_be_bytes());
    let config = pg_config();
    let mut table = Arc::new(build(&config, valid_columns()).unwrap());
    handle(&config, &mut table, m);
    assert_eq!(table.columns[2].typmod, i32::MIN);
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn any_payload_is_a_message_or_an_error(messages in prop::collection::vec(payload(), 1..4)) {
        let config = pg_config();
        let mut table = Arc::new(build(&config, valid_columns()).unwrap());
        for data in messages {
            handle(&config, &mut table, data);
        }
    }
}
