//! A column's declared type as Debezium's PostgreSQL connector reports it in the
//! `__debezium.source.column.*` schema parameters (`column.propagate.source.type`).
//!
//! Debezium takes the name, length and scale from the PostgreSQL JDBC driver's
//! `DatabaseMetaData.getColumns` (pgjdbc's `TypeInfoCache` precision, scale and display
//! size rules), with its own rule for domains: the length and scale of the type the domain
//! is built on, with the domain's modifier. No crate carries pgjdbc's tables, so the rules
//! are restated here. Both paths report the same values: the snapshot's, which Debezium
//! also uses while streaming for every type except an unconstrained `numeric`, where its
//! streaming path reports a length of 131089 and a scale of 0.

use ferrium_event::SourceColumn;

use super::pg_type::{oid, PgType, PgTypeKind};

// The typmod comes from the server's Relation message, so its arithmetic wraps as pgjdbc's
// Java `int` arithmetic does instead of overflowing on a malformed one.

/// pgjdbc's `unknownLength`: the length of types without one (`text`, `bytea`, enums, …).
const UNKNOWN_LENGTH: i32 = i32::MAX;

/// The parameters of one column, given its type, its `atttypmod` and its default
/// expression (a `nextval(…)` default makes `int4` a `serial`, as pgjdbc reports it).
pub fn source_column<'a>(
    name: &'a str,
    ty: &PgType,
    typmod: i32,
    default_expr: Option<&str>,
) -> SourceColumn<'a> {
    let serial = default_expr.is_some_and(|d| d.contains("nextval("));
    let type_name = match (serial, ty.name.as_str()) {
        (true, "int4") => "serial".to_string(),
        (true, "int8") => "bigserial".to_string(),
        (true, "int2") => "smallserial".to_string(),
        (_, other) => other.to_string(),
    };
    let (length, scale) = match &ty.kind {
        PgTypeKind::Domain { .. } => (default_length(ty), Some(default_scale(ty))),
        _ if ty.oid == oid::NUMERIC => {
            let scale = (typmod != -1).then(|| scale(ty, typmod));
            (precision(ty, typmod), scale)
        }
        _ => {
            let mut length = precision(ty, typmod);
            if length == 0 {
                length = display_size(ty, typmod);
            }
            (length, Some(scale(ty, typmod)))
        }
    };
    SourceColumn {
        name,
        type_name,
        length: Some(i64::from(length)),
        scale: scale.map(i64::from),
    }
}

/// pgjdbc measures an array by its element type.
fn element_oid(ty: &PgType) -> u32 {
    match &ty.kind {
        PgTypeKind::Array { element } => element.oid,
        _ => ty.oid,
    }
}

/// Debezium's `PostgresType.getDefaultLength`, which walks a domain down to its base.
fn default_length(ty: &PgType) -> i32 {
    if let PgTypeKind::Domain { base, base_typmod } = &ty.kind {
        if *base_typmod == -1 {
            return default_length(base);
        }
        let mut size = precision(base, *base_typmod);
        if size == 0 {
            size = display_size(base, *base_typmod);
        }
        if size != 0 && size != UNKNOWN_LENGTH {
            return size;
        }
    }
    let size = precision(ty, -1);
    if size == 0 {
        display_size(ty, -1)
    } else {
        size
    }
}

fn default_scale(ty: &PgType) -> i32 {
    match &ty.kind {
        PgTypeKind::Domain { base, base_typmod } if *base_typmod == -1 => default_scale(base),
        PgTypeKind::Domain { base, base_typmod } => scale(base, *base_typmod),
        _ => scale(ty, -1),
    }
}

/// pgjdbc's `TypeInfoCache.getPrecision`.
fn precision(ty: &PgType, typmod: i32) -> i32 {
    let oid = element_oid(ty);
    match oid {
        oid::INT2 => 5,
        oid::OID | oid::INT4 => 10,
        oid::INT8 => 19,
        oid::FLOAT4 => 8,
        oid::FLOAT8 => 17,
        oid::NUMERIC if typmod == -1 => 0,
        oid::NUMERIC => (typmod.wrapping_sub(4) >> 16) & 0xFFFF,
        oid::CHAR | oid::BOOL => 1,
        oid::BPCHAR | oid::VARCHAR if typmod == -1 => UNKNOWN_LENGTH,
        oid::BPCHAR | oid::VARCHAR => typmod.wrapping_sub(4),
        oid::DATE | oid::TIME | oid::TIMETZ | oid::INTERVAL | oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            display_size(ty, typmod)
        }
        oid::BIT => typmod,
        oid::VARBIT if typmod == -1 => UNKNOWN_LENGTH,
        oid::VARBIT => typmod,
        _ => UNKNOWN_LENGTH,
    }
}

/// pgjdbc's `TypeInfoCache.getScale`.
fn scale(ty: &PgType, typmod: i32) -> i32 {
    match element_oid(ty) {
        oid::FLOAT4 => 8,
        oid::FLOAT8 => 17,
        oid::NUMERIC if typmod == -1 => 0,
        oid::NUMERIC => typmod.wrapping_sub(4) & 0xFFFF,
        oid::TIME | oid::TIMETZ | oid::TIMESTAMP | oid::TIMESTAMPTZ if typmod == -1 => 6,
        oid::TIME | oid::TIMETZ | oid::TIMESTAMP | oid::TIMESTAMPTZ => typmod,
        oid::INTERVAL if typmod == -1 => 6,
        oid::INTERVAL => typmod & 0xFFFF,
        _ => 0,
    }
}

/// pgjdbc's `TypeInfoCache.getDisplaySize`.
fn display_size(ty: &PgType, typmod: i32) -> i32 {
    let oid = element_oid(ty);
    match oid {
        oid::INT2 => 6,
        oid::INT4 => 11,
        oid::OID => 10,
        oid::INT8 => 20,
        oid::FLOAT4 => 15,
        oid::FLOAT8 => 25,
        oid::CHAR | oid::BOOL => 1,
        oid::DATE => 13,
        oid::TIME | oid::TIMETZ | oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            // Digits of the fraction and its point; pgjdbc counts time(1) as two digits.
            let seconds = match typmod {
                -1 => 7,
                0 => 0,
                1 => 3,
                n => n.wrapping_add(1),
            };
            match oid {
                oid::TIME => seconds.wrapping_add(8),
                oid::TIMETZ => seconds.wrapping_add(8 + 6),
                oid::TIMESTAMP => seconds.wrapping_add(13 + 1 + 8),
                _ => seconds.wrapping_add(13 + 1 + 8 + 6),
            }
        }
        oid::INTERVAL => 49,
        oid::VARCHAR | oid::BPCHAR if typmod == -1 => UNKNOWN_LENGTH,
        oid::VARCHAR | oid::BPCHAR => typmod.wrapping_sub(4),
        oid::NUMERIC if typmod == -1 => 131_089,
        oid::NUMERIC => {
            let precision = (typmod.wrapping_sub(4) >> 16) & 0xFFFF;
            let scale = typmod.wrapping_sub(4) & 0xFFFF;
            1 + precision + i32::from(scale != 0)
        }
        oid::BIT => typmod,
        oid::VARBIT if typmod == -1 => UNKNOWN_LENGTH,
        oid::VARBIT => typmod,
        _ => UNKNOWN_LENGTH,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn base(oid: u32, name: &str) -> PgType {
        PgType::base(oid, name)
    }

    fn of(ty: &PgType, typmod: i32) -> (String, Option<i64>, Option<i64>) {
        let c = source_column("c", ty, typmod, None);
        (c.type_name, c.length, c.scale)
    }

    fn domain(name: &str, over: PgType, base_typmod: i32) -> PgType {
        PgType::new(
            90_000,
            name,
            PgTypeKind::Domain {
                base: Arc::new(over),
                base_typmod,
            },
        )
    }

    #[test]
    fn lengths_and_scales_match_debeziums_tests() {
        // RecordsStreamProducerIT.shouldPropagateSourceTypeByDatatype and
        // AbstractRecordsProducerTest's *WithSourceColumnTypeInfo cases.
        let numeric = base(oid::NUMERIC, "numeric");
        let numeric_5_2 = (5 << 16 | 2) + 4;
        assert_eq!(
            of(&numeric, numeric_5_2),
            ("numeric".into(), Some(5), Some(2))
        );
        let varchar = base(oid::VARCHAR, "varchar");
        assert_eq!(
            of(&varchar, 128 + 4),
            ("varchar".into(), Some(128), Some(0))
        );
        assert_eq!(
            of(&base(oid::FLOAT4, "float4"), -1),
            ("float4".into(), Some(8), Some(8))
        );
        // An unconstrained numeric has no scale.
        assert_eq!(of(&numeric, -1), ("numeric".into(), Some(0), None));
        assert_eq!(
            of(&base(oid::INT4, "int4"), -1),
            ("int4".into(), Some(10), Some(0))
        );
        assert_eq!(
            of(&base(oid::TEXT, "text"), -1),
            ("text".into(), Some(i64::from(i32::MAX)), Some(0))
        );
        assert_eq!(
            of(&base(oid::TIMESTAMP, "timestamp"), 3),
            ("timestamp".into(), Some(26), Some(3))
        );
    }

    #[test]
    fn domains_report_their_base_with_the_domains_modifier() {
        // RecordsSnapshotProducerIT.shouldSnapshotDomainTypeWithPropagatedSourceTypeAttributes
        // and shouldSnapshotDomainAliasWithProperModifiers.
        let float83 = domain("float83", base(oid::NUMERIC, "numeric"), (8 << 16 | 3) + 4);
        assert_eq!(of(&float83, -1), ("float83".into(), Some(8), Some(3)));
        let money2 = domain("money2", base(oid::MONEY, "money"), -1);
        assert_eq!(
            of(&money2, -1),
            ("money2".into(), Some(i64::from(i32::MAX)), Some(0))
        );
        let varbit2 = domain("varbit2", base(oid::VARBIT, "varbit"), 3);
        assert_eq!(of(&varbit2, -1), ("varbit2".into(), Some(3), Some(0)));
    }

    #[test]
    fn serial_columns_are_named_as_the_driver_names_them() {
        let int4 = base(oid::INT4, "int4");
        let seq = Some("nextval('t_id_seq'::regclass)");
        assert_eq!(source_column("id", &int4, -1, seq).type_name, "serial");
        let int8 = base(oid::INT8, "int8");
        assert_eq!(source_column("id", &int8, -1, seq).type_name, "bigserial");
        let int2 = base(oid::INT2, "int2");
        assert_eq!(source_column("id", &int2, -1, seq).type_name, "smallserial");
        assert_eq!(source_column("id", &int4, -1, Some("42")).type_name, "int4");
    }

    #[test]
    fn arrays_are_measured_by_their_element() {
        let enum_ty = PgType::new(
            90_001,
            "test_type",
            PgTypeKind::Enum {
                labels: vec!["V1".into(), "V2".into()],
            },
        );
        let array = PgType::array(90_002, "_test_type", enum_ty);
        assert_eq!(
            of(&array, -1),
            ("_test_type".into(), Some(i64::from(i32::MAX)), Some(0))
        );
        let ints = PgType::array(1007, "_int4", base(oid::INT4, "int4"));
        assert_eq!(of(&ints, -1), ("_int4".into(), Some(10), Some(0)));
    }

    /// The typmod comes from the server's Relation message: an extreme one wraps as in
    /// pgjdbc instead of overflowing (a panic in debug builds).
    #[test]
    fn extreme_typmods_wrap_like_java_ints() {
        assert_eq!(
            of(&base(oid::NUMERIC, "numeric"), i32::MIN),
            ("numeric".into(), Some(32_767), Some(65_532))
        );
        assert_eq!(
            of(&base(oid::VARCHAR, "varchar"), i32::MIN),
            ("varchar".into(), Some(2_147_483_644), Some(0))
        );
        let (_, length, scale) = of(&base(oid::TIMESTAMPTZ, "timestamptz"), i32::MAX);
        assert_eq!(
            (length, scale),
            (Some(i64::from(i32::MIN + 28)), Some(i64::from(i32::MAX)))
        );
    }
}
