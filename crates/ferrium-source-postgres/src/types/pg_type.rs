//! A PostgreSQL type as the catalog describes it: just enough to choose its Debezium mapping.
//!
//! The catalog reader fills these in; [`ColumnCodec::compile`](super::ColumnCodec::compile)
//! reads them. Built-in base types are recognised by their fixed OID (see [`oid`]),
//! extension types (`hstore`, `ltree`, `citext`, …) by name, because their OIDs differ from
//! one database to the next.

use std::sync::Arc;

/// One row of `pg_type`, resolved far enough to map a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgType {
    pub oid: u32,
    /// `pg_type.typname`, e.g. `int4`, `_text`, `hstore`, `account_status`.
    pub name: String,
    pub kind: PgTypeKind,
}

/// What `pg_type.typtype` (and `typelem`/`typbasetype`) say about a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgTypeKind {
    Base,
    Enum {
        /// In `enumsortorder`.
        labels: Vec<String>,
    },
    Array {
        element: Arc<PgType>,
    },
    Domain {
        base: Arc<PgType>,
        /// The domain's `typtypmod`: columns of a domain type carry typmod -1, the
        /// precision/length lives on the domain.
        base_typmod: i32,
    },
    Composite,
    Range,
    Pseudo,
    Other,
}

impl PgType {
    pub fn new(oid: u32, name: impl Into<String>, kind: PgTypeKind) -> Self {
        PgType {
            oid,
            name: name.into(),
            kind,
        }
    }

    /// A base type, e.g. `PgType::base(oid::INT4, "int4")`.
    pub fn base(oid: u32, name: impl Into<String>) -> Self {
        PgType::new(oid, name, PgTypeKind::Base)
    }

    /// An array type over `element`, e.g. `PgType::array(1009, "_text", text)`.
    pub fn array(oid: u32, name: impl Into<String>, element: PgType) -> Self {
        PgType::new(
            oid,
            name,
            PgTypeKind::Array {
                element: Arc::new(element),
            },
        )
    }
}

/// OIDs of the built-in types that have a fixed OID in every PostgreSQL database.
pub mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const XID: u32 = 28;
    pub const JSON: u32 = 114;
    pub const XML: u32 = 142;
    pub const POINT: u32 = 600;
    pub const LSEG: u32 = 601;
    pub const PATH: u32 = 602;
    pub const BOX: u32 = 603;
    pub const POLYGON: u32 = 604;
    pub const LINE: u32 = 628;
    pub const CIDR: u32 = 650;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const CIRCLE: u32 = 718;
    pub const MACADDR8: u32 = 774;
    pub const MONEY: u32 = 790;
    pub const MACADDR: u32 = 829;
    pub const INET: u32 = 869;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const TIMETZ: u32 = 1266;
    pub const BIT: u32 = 1560;
    pub const VARBIT: u32 = 1562;
    pub const NUMERIC: u32 = 1700;
    pub const REFCURSOR: u32 = 1790;
    pub const UUID: u32 = 2950;
    pub const TSVECTOR: u32 = 3614;
    pub const JSONB: u32 = 3802;
    pub const INT4RANGE: u32 = 3904;
    pub const NUMRANGE: u32 = 3906;
    pub const TSRANGE: u32 = 3908;
    pub const TSTZRANGE: u32 = 3910;
    pub const DATERANGE: u32 = 3912;
    pub const INT8RANGE: u32 = 3926;

    /// The range types Debezium maps to plain strings; user-defined ranges are unknown to it.
    pub const BUILTIN_RANGES: [u32; 6] = [
        INT4RANGE, NUMRANGE, TSRANGE, TSTZRANGE, DATERANGE, INT8RANGE,
    ];
}
