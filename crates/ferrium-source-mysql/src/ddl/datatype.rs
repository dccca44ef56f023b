//! Column data types: reading `INT(11) UNSIGNED ZEROFILL`, `ENUM('a','b')`, `DOUBLE
//! PRECISION`… from tokens, and what Debezium derives from a type name (its
//! `java.sql.Types` code, whether it carries a character set, implied lengths).
//!
//! The type is read by hand rather than through sqlparser's `DataType` because Debezium's
//! `typeName` is the type as written (`INTEGER`, `DEC`, `INT4`, `FIXED`, `BOOL`), which
//! sqlparser normalises away, and because sqlparser rejects some MySQL/MariaDB spellings
//! (`REAL(5,2)`, `LONG VARCHAR`, `NATIONAL VARCHAR`, `CHAR(3) BINARY`).

use sqlparser::tokenizer::Token;

use super::lexer::{keyword, Cursor};

/// `java.sql.Types` codes Debezium records as `jdbcType`.
pub mod jdbc {
    pub const BIT: i32 = -7;
    pub const TINYINT: i32 = -6;
    pub const SMALLINT: i32 = 5;
    pub const INTEGER: i32 = 4;
    pub const BIGINT: i32 = -5;
    pub const FLOAT: i32 = 6;
    pub const REAL: i32 = 7;
    pub const DOUBLE: i32 = 8;
    pub const NUMERIC: i32 = 2;
    pub const DECIMAL: i32 = 3;
    pub const CHAR: i32 = 1;
    pub const VARCHAR: i32 = 12;
    pub const NCHAR: i32 = -15;
    pub const NVARCHAR: i32 = -9;
    pub const DATE: i32 = 91;
    pub const TIME: i32 = 92;
    pub const TIMESTAMP: i32 = 93;
    pub const TIMESTAMP_WITH_TIMEZONE: i32 = 2014;
    pub const BINARY: i32 = -2;
    pub const VARBINARY: i32 = -3;
    pub const BLOB: i32 = 2004;
    pub const BOOLEAN: i32 = 16;
    pub const OTHER: i32 = 1111;
}

/// Debezium's `jdbcType` for a base type name (upper case, as in `ColumnDef::type_name`).
/// Types Debezium's grammar does not list map to `OTHER`, as its spatial and JSON types do.
pub fn jdbc_type(type_name: &str) -> i32 {
    match type_name {
        "CHAR" | "CHARACTER" | "ENUM" | "SET" => jdbc::CHAR,
        "VARCHAR" | "CHAR VARYING" | "CHARACTER VARYING" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT"
        | "LONGTEXT" | "LONG" | "LONG VARCHAR" | "LONG CHAR VARYING" => jdbc::VARCHAR,
        "NCHAR" | "NATIONAL CHAR" | "NATIONAL CHARACTER" => jdbc::NCHAR,
        "NVARCHAR"
        | "NCHAR VARYING"
        | "NCHAR VARCHAR"
        | "NATIONAL VARCHAR"
        | "NATIONAL CHAR VARYING"
        | "NATIONAL CHARACTER VARYING" => jdbc::NVARCHAR,
        "TINYINT" | "INT1" => jdbc::TINYINT,
        "SMALLINT" | "INT2" => jdbc::SMALLINT,
        "MEDIUMINT" | "INT3" | "MIDDLEINT" | "INT" | "INTEGER" | "INT4" | "YEAR" => jdbc::INTEGER,
        "BIGINT" | "INT8" | "SERIAL" => jdbc::BIGINT,
        "REAL" => jdbc::REAL,
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" => jdbc::DOUBLE,
        "FLOAT" | "FLOAT4" => jdbc::FLOAT,
        "DECIMAL" | "DEC" | "FIXED" => jdbc::DECIMAL,
        "NUMERIC" => jdbc::NUMERIC,
        "BIT" => jdbc::BIT,
        "TIME" => jdbc::TIME,
        "TIMESTAMP" => jdbc::TIMESTAMP_WITH_TIMEZONE,
        "DATETIME" => jdbc::TIMESTAMP,
        "DATE" => jdbc::DATE,
        "BINARY" => jdbc::BINARY,
        "VARBINARY" => jdbc::VARBINARY,
        "BLOB" | "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" | "LONG VARBINARY" => jdbc::BLOB,
        "BOOL" | "BOOLEAN" => jdbc::BOOLEAN,
        _ => jdbc::OTHER,
    }
}

/// Whether Debezium gives columns of this type a character set (its `typeUsesCharset`).
pub fn uses_charset(type_name: &str) -> bool {
    matches!(
        jdbc_type(type_name),
        jdbc::CHAR | jdbc::VARCHAR | jdbc::NCHAR | jdbc::NVARCHAR
    )
}

fn is_decimal(type_name: &str) -> bool {
    matches!(type_name, "DECIMAL" | "DEC" | "FIXED" | "NUMERIC")
}

/// A data type as read from the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataType {
    pub name: String,
    pub unsigned: bool,
    pub zerofill: bool,
    pub length: Option<u32>,
    pub scale: Option<u32>,
    pub enum_values: Vec<String>,
    /// `SERIAL`: `BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE`.
    pub serial: bool,
    /// `NCHAR`/`NATIONAL …`: always utf8 in MySQL, and in Debezium's model.
    pub national: bool,
}

/// Words that continue a multi-word type name after the first word.
fn continues(first: &str, so_far: &str, next: &str) -> bool {
    match (first, next) {
        ("NATIONAL", "CHAR" | "CHARACTER" | "VARCHAR") => so_far == "NATIONAL",
        ("NATIONAL" | "CHAR" | "CHARACTER" | "NCHAR", "VARYING") => true,
        ("NCHAR", "VARCHAR") => so_far == "NCHAR",
        ("DOUBLE", "PRECISION") => true,
        ("LONG", "VARCHAR" | "VARBINARY" | "CHAR") => so_far == "LONG",
        _ => false,
    }
}

/// Reads a data type at the cursor: the type words, `(…)` arguments and the `UNSIGNED`,
/// `SIGNED`, `ZEROFILL` and `BINARY` modifiers. Leaves the cursor at the first column
/// attribute.
pub fn parse(cursor: &mut Cursor<'_>) -> Result<DataType, String> {
    let first = cursor
        .peek()
        .and_then(keyword)
        .ok_or_else(|| format!("expected a data type, found {}", cursor.describe_next()))?;
    cursor.next();
    let mut name = first.clone();
    while let Some(next) = cursor.peek().and_then(keyword) {
        if !continues(&first, &name, &next) {
            break;
        }
        name.push(' ');
        name.push_str(&next);
        cursor.next();
    }

    let mut ty = DataType {
        national: matches!(jdbc_type(&name), jdbc::NCHAR | jdbc::NVARCHAR),
        ..DataType::default()
    };

    if let Some(args) = cursor.paren_group() {
        let mut numbers = Vec::new();
        for t in args {
            match &t.token {
                Token::Number(n, _) => numbers.push(parse_length(n)?),
                Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => {
                    ty.enum_values.push(s.clone())
                }
                Token::Comma => {}
                other => return Err(format!("unexpected `{other}` in the arguments of {name}")),
            }
        }
        ty.length = numbers.first().copied();
        ty.scale = numbers.get(1).copied();
    }

    loop {
        if cursor.eat_kw("UNSIGNED") {
            ty.unsigned = true;
        } else if cursor.eat_kw("ZEROFILL") {
            ty.zerofill = true;
            ty.unsigned = true;
        } else if cursor.eat_kw("SIGNED") {
        } else if uses_charset(&name) && cursor.eat_kw("BINARY") {
            // `CHAR(3) BINARY` only selects the charset's binary collation.
        } else {
            break;
        }
    }

    if name == "SERIAL" {
        name = "BIGINT".to_string();
        ty.unsigned = true;
        ty.serial = true;
    }
    apply_implied_lengths(&name, &mut ty);
    ty.name = name;
    Ok(ty)
}

/// Lengths Debezium records although the DDL does not write them, so that the stored
/// model and the `tableChanges` JSON agree without recomputing them.
fn apply_implied_lengths(name: &str, ty: &mut DataType) {
    match name {
        "ENUM" => ty.length = Some(1),
        // Debezium counts the members and the commas between them.
        "SET" => {
            let n = u32::try_from(ty.enum_values.len()).unwrap_or(u32::MAX);
            ty.length = Some((n.saturating_mul(2)).saturating_sub(1));
        }
        "BIT" if ty.length.is_none() => ty.length = Some(1),
        n if is_decimal(n) => {
            if ty.length.is_none() {
                ty.length = Some(10);
            }
            if ty.scale.is_none() {
                ty.scale = Some(0);
            }
        }
        _ if jdbc_type(name) == jdbc::NCHAR && ty.length.is_none() => ty.length = Some(1),
        _ => {}
    }
}

/// A length argument; MySQL accepts a decimal point in some (`FLOAT(7.5)`) and truncates.
fn parse_length(n: &str) -> Result<u32, String> {
    let digits = n.split('.').next().unwrap_or(n);
    digits
        .parse::<u64>()
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
        .map_err(|_| format!("invalid type length `{n}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ddl::lexer::Lexed;

    fn parse_str(s: &str) -> (DataType, usize) {
        let lexed = Lexed::new(s.to_string()).unwrap();
        let mut c = Cursor::new(&lexed.tokens);
        let ty = parse(&mut c).unwrap();
        (ty, c.tokens.len() - c.pos)
    }

    #[test]
    fn integer_types_keep_spelling_and_modifiers() {
        let (t, rest) = parse_str("int(11) unsigned zerofill NOT NULL");
        assert_eq!(
            (t.name.as_str(), t.length, t.unsigned, t.zerofill),
            ("INT", Some(11), true, true)
        );
        assert_eq!(rest, 2, "attributes are left for the column parser");
        assert_eq!(parse_str("INTEGER").0.name, "INTEGER");
        assert_eq!(parse_str("uuid").0.name, "UUID");
    }

    #[test]
    fn multi_word_types() {
        assert_eq!(
            parse_str("double precision(8,2)").0.name,
            "DOUBLE PRECISION"
        );
        assert_eq!(parse_str("national varchar(4)").0.name, "NATIONAL VARCHAR");
        assert_eq!(parse_str("long varchar").0.name, "LONG VARCHAR");
        assert_eq!(
            parse_str("character varying(3)").0.name,
            "CHARACTER VARYING"
        );
        let (t, rest) = parse_str("char(3) binary NOT NULL");
        assert_eq!((t.name.as_str(), t.length, rest), ("CHAR", Some(3), 2));
    }

    #[test]
    fn implied_lengths_match_debezium() {
        let d = parse_str("decimal").0;
        assert_eq!((d.length, d.scale), (Some(10), Some(0)));
        let d = parse_str("numeric(5)").0;
        assert_eq!((d.length, d.scale), (Some(5), Some(0)));
        assert_eq!(parse_str("bit").0.length, Some(1));
        assert_eq!(parse_str("nchar").0.length, Some(1));
        assert_eq!(parse_str("int").0.length, None);
        let e = parse_str("enum('a','b''c','d\\\\e')").0;
        assert_eq!(e.enum_values, vec!["a", "b'c", "d\\e"]);
        assert_eq!(e.length, Some(1));
        assert_eq!(parse_str("set('x','y','z')").0.length, Some(5));
    }

    #[test]
    fn serial_is_bigint_unsigned() {
        let t = parse_str("serial").0;
        assert_eq!(
            (t.name.as_str(), t.unsigned, t.serial),
            ("BIGINT", true, true)
        );
    }

    #[test]
    fn jdbc_codes() {
        assert_eq!(jdbc_type("INT"), 4);
        assert_eq!(jdbc_type("TIMESTAMP"), 2014);
        assert_eq!(jdbc_type("DATETIME"), 93);
        assert_eq!(jdbc_type("ENUM"), 1);
        assert_eq!(jdbc_type("TEXT"), 12);
        assert_eq!(jdbc_type("JSON"), 1111);
        assert_eq!(jdbc_type("YEAR"), 4);
        assert_eq!(jdbc_type("BOOL"), 16);
        assert!(uses_charset("ENUM") && uses_charset("LONGTEXT") && !uses_charset("BLOB"));
    }
}
