//! One column definition (`name type attributes…`) turned into a [`ColumnDef`] with the
//! values Debezium derives from it: nullability, `hasDefaultValue` and
//! `defaultValueExpression`, auto-increment, charset.
//!
//! The data type is read by `datatype`; the attributes (`NOT NULL`, `DEFAULT <expr>`,
//! `AUTO_INCREMENT`, `GENERATED ALWAYS AS (…)`, `CHECK (…)`, `REFERENCES …`) by sqlparser's
//! column-option parser, after the few attributes it does not know are taken out here.

use sqlparser::ast::{ColumnOption, Expr, Spanned, UnaryOperator, Value};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

use super::datatype;
use super::lexer::{is_kw, keyword, Cursor, Lexed};
use crate::model::ColumnDef;

/// Debezium's stand-in for a `CURRENT_TIMESTAMP`/`NOW()` default.
const EPOCH_DEFAULT: &str = "1970-01-01 00:00:00";

/// A column definition and the key attributes that act on the table.
#[derive(Debug, Clone)]
pub(crate) struct ParsedColumn {
    /// The column; `charset` holds only an explicit charset until the table resolves it.
    pub def: ColumnDef,
    /// Inline `PRIMARY KEY` (or `KEY`, which means the same in a column definition).
    pub primary_key: bool,
    /// Inline `UNIQUE [KEY]` (or `SERIAL`): Debezium makes it the key of a table without one.
    pub unique: bool,
}

/// What a `DEFAULT` clause contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DefaultClause {
    /// `DEFAULT NULL`, or a literal Debezium does not record (hex): the column's
    /// nullability alone decides `hasDefaultValue`.
    NoValue,
    /// A default Debezium records; `None` for an expression default it cannot evaluate.
    Value(Option<String>),
}

/// Parses `name type attributes…`.
pub(crate) fn parse(lexed: &Lexed, tokens: &[TokenWithSpan]) -> Result<ParsedColumn, String> {
    let mut cursor = Cursor::new(tokens);
    let name = cursor.ident()?;
    parse_after_name(lexed, name, &mut cursor)
}

/// Parses `type attributes…` for a column whose name was read already.
pub(crate) fn parse_after_name(
    lexed: &Lexed,
    name: String,
    cursor: &mut Cursor<'_>,
) -> Result<ParsedColumn, String> {
    let ty = datatype::parse(cursor)?;
    let attrs = Attributes::extract(cursor.rest())?;

    let mut explicit_nullable: Option<bool> = None;
    let mut default: Option<DefaultClause> = None;
    let mut auto_increment = false;
    let mut generated = false;
    let mut primary_key = false;
    let mut unique = false;
    let mut charset = attrs.charset.clone();
    let mut collation = attrs.collation.clone();

    let dialect = MySqlDialect {};
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(attrs.rest);
    loop {
        let option = parser
            .parse_optional_column_option()
            .map_err(|e| format!("column `{name}`: {e}"))?;
        let Some(option) = option else { break };
        match option {
            ColumnOption::Null => explicit_nullable = Some(true),
            ColumnOption::NotNull => explicit_nullable = Some(false),
            ColumnOption::Default(expr) => default = Some(default_clause(lexed, &expr)),
            ColumnOption::DialectSpecific(tokens)
                if tokens.iter().any(|t| is_kw(t, "AUTO_INCREMENT")) =>
            {
                auto_increment = true
            }
            ColumnOption::PrimaryKey(_) => primary_key = true,
            ColumnOption::Unique(_) => unique = true,
            ColumnOption::Generated { .. } => generated = true,
            ColumnOption::CharacterSet(n) => charset = Some(n.to_string()),
            ColumnOption::Collation(n) => collation = Some(n.to_string()),
            // Comments are left out as by Debezium's default (include.schema.comments=false);
            // constraints, visibility and the rest do not change the column's shape.
            _ => {}
        }
    }
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "column `{name}`: unexpected `{}` in its definition",
            next.token
        ));
    }

    if ty.serial || attrs.serial_default_value {
        auto_increment = true;
        unique = true;
        explicit_nullable.get_or_insert(false);
    }
    if primary_key {
        explicit_nullable = Some(false);
    }
    let nullable = explicit_nullable.unwrap_or(true);

    let charset = if ty.national {
        Some("utf8".to_string())
    } else if datatype::uses_charset(&ty.name) {
        charset
            .filter(|c| !c.eq_ignore_ascii_case("DEFAULT"))
            .or_else(|| collation.as_deref().and_then(charset_of_collation))
    } else {
        None
    };

    let mut def = ColumnDef {
        name,
        type_name: ty.name,
        unsigned: ty.unsigned,
        zerofill: ty.zerofill,
        length: ty.length,
        scale: ty.scale,
        nullable,
        charset,
        enum_values: ty.enum_values,
        // Debezium marks AUTO_INCREMENT columns as both auto-incremented and generated in
        // its JSON; the model keeps the two apart (see `json`).
        auto_increment,
        generated,
        default: None,
        has_default: false,
    };
    set_default(&mut def, default.unwrap_or(DefaultClause::NoValue));
    Ok(ParsedColumn {
        def,
        primary_key,
        unique,
    })
}

/// Applies a default clause the way Debezium's column editor does: a recorded value sets
/// `hasDefaultValue`; otherwise a nullable column still has the implicit `NULL` default.
pub(crate) fn set_default(def: &mut ColumnDef, clause: DefaultClause) {
    match clause {
        DefaultClause::Value(v) => {
            def.default = v;
            def.has_default = true;
        }
        DefaultClause::NoValue => {
            def.default = None;
            def.has_default = def.nullable;
        }
    }
}

/// The charset a collation belongs to: MySQL names collations `<charset>_<rest>`, and a
/// collation without an underscore (`binary`) is its own charset.
pub(crate) fn charset_of_collation(collation: &str) -> Option<String> {
    let c = collation.to_ascii_lowercase();
    match c.split_once('_') {
        Some((cs, _)) if !cs.is_empty() => Some(cs.to_string()),
        _ => Some(c),
    }
}

/// Reads a `DEFAULT` expression into what Debezium records for it.
pub(crate) fn default_clause(lexed: &Lexed, expr: &Expr) -> DefaultClause {
    match expr {
        Expr::Value(v) => {
            let raw = lexed.source(v.span);
            match &v.value {
                Value::Null => DefaultClause::NoValue,
                Value::HexStringLiteral(_) => DefaultClause::NoValue,
                Value::SingleQuotedByteStringLiteral(_)
                | Value::DoubleQuotedByteStringLiteral(_) => {
                    // b'101' is recorded as its digits.
                    let inner = raw.get(2..raw.len().saturating_sub(1)).unwrap_or("");
                    DefaultClause::Value(Some(inner.to_string()))
                }
                Value::Number(..) | Value::Boolean(_) => {
                    DefaultClause::Value(Some(raw.to_string()))
                }
                _ => DefaultClause::Value(Some(strip_quotes(raw).to_string())),
            }
        }
        Expr::UnaryOp {
            op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
            expr: inner,
        } if matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..))) => {
            let sign = if *op == UnaryOperator::Minus {
                "-"
            } else {
                "+"
            };
            DefaultClause::Value(Some(format!("{sign}{}", lexed.source(inner.span()))))
        }
        Expr::Function(f) if is_now(&f.name.to_string()) => {
            let name = f.name.to_string().to_ascii_uppercase();
            if name == "CURRENT_TIMESTAMP" || name == "NOW" {
                DefaultClause::Value(Some(EPOCH_DEFAULT.to_string()))
            } else {
                let raw: String = lexed.source(expr.span()).split_whitespace().collect();
                DefaultClause::Value(Some(raw))
            }
        }
        Expr::Identifier(id) if id.quote_style.is_none() && is_now(&id.value) => {
            let name = id.value.to_ascii_uppercase();
            if name == "CURRENT_TIMESTAMP" {
                DefaultClause::Value(Some(EPOCH_DEFAULT.to_string()))
            } else {
                DefaultClause::Value(Some(id.value.clone()))
            }
        }
        // An expression default cannot be evaluated here: Debezium records that there is a
        // default but no expression.
        _ => DefaultClause::Value(None),
    }
}

fn is_now(name: &str) -> bool {
    matches!(
        name.to_ascii_uppercase().as_str(),
        "CURRENT_TIMESTAMP" | "NOW" | "LOCALTIME" | "LOCALTIMESTAMP"
    )
}

/// Removes one pair of enclosing quotes, leaving escapes as written (as Debezium does).
fn strip_quotes(raw: &str) -> &str {
    for q in ['\'', '"'] {
        if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
            return &raw[1..raw.len() - 1];
        }
    }
    raw
}

/// Column attributes sqlparser does not parse, taken out of the token list.
struct Attributes {
    charset: Option<String>,
    collation: Option<String>,
    serial_default_value: bool,
    rest: Vec<TokenWithSpan>,
}

impl Attributes {
    fn extract(tokens: &[TokenWithSpan]) -> Result<Self, String> {
        let mut out = Attributes {
            charset: None,
            collation: None,
            serial_default_value: false,
            rest: Vec::with_capacity(tokens.len()),
        };
        let mut c = Cursor::new(tokens);
        let mut depth = 0i32;
        while let Some(t) = c.peek() {
            if depth == 0 {
                if c.eat_kws(&["CHARACTER", "SET"])
                    || c.eat_kws(&["CHAR", "SET"])
                    || c.eat_kw("CHARSET")
                {
                    out.charset = c.option_value();
                    continue;
                }
                if c.eat_kw("COLLATE") {
                    out.collation = c.option_value();
                    continue;
                }
                if c.eat_kws(&["SERIAL", "DEFAULT", "VALUE"]) {
                    out.serial_default_value = true;
                    continue;
                }
                if c.eat_kw("COLUMN_FORMAT") || c.eat_kw("STORAGE") {
                    c.next();
                    continue;
                }
                if c.eat_kws(&["WITH", "SYSTEM", "VERSIONING"])
                    || c.eat_kws(&["WITHOUT", "SYSTEM", "VERSIONING"])
                    || c.eat_kw("VISIBLE")
                    || c.eat_kw("BINARY")
                    || c.eat_kw("ASCII")
                    || c.eat_kw("UNICODE")
                {
                    continue;
                }
                if let Some(kw) = keyword(t) {
                    if matches!(
                        kw.as_str(),
                        "REF_SYSTEM_ID" | "ENGINE_ATTRIBUTE" | "SECONDARY_ENGINE_ATTRIBUTE"
                    ) {
                        c.next();
                        c.option_value();
                        continue;
                    }
                    // MariaDB's synonym for STORED.
                    if kw == "PERSISTENT" {
                        if let Some(tok) = c.tokens.get(c.pos) {
                            out.rest.push(TokenWithSpan {
                                token: Token::Word(Word {
                                    value: "STORED".to_string(),
                                    quote_style: None,
                                    keyword: sqlparser::keywords::Keyword::STORED,
                                }),
                                span: tok.span,
                            });
                        }
                        c.next();
                        continue;
                    }
                }
            }
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            if let Some(tok) = c.tokens.get(c.pos) {
                out.rest.push(tok.clone());
            }
            c.next();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(sql: &str) -> ParsedColumn {
        let lexed = Lexed::new(sql.to_string()).unwrap();
        parse(&lexed, &lexed.tokens).unwrap()
    }

    #[test]
    fn auto_increment_not_null_has_no_default() {
        let c = col("`id` int(11) NOT NULL AUTO_INCREMENT");
        assert_eq!(c.def.name, "id");
        assert!(c.def.auto_increment && !c.def.nullable && !c.def.has_default);
        assert_eq!(c.def.default, None);
    }

    #[test]
    fn nullable_column_has_implicit_null_default() {
        let c =
            col("`note` varchar(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL");
        assert!(c.def.nullable && c.def.has_default);
        assert_eq!(c.def.default, None);
        assert_eq!(c.def.charset.as_deref(), Some("latin1"));
    }

    #[test]
    fn literal_defaults_are_recorded_as_debezium_does() {
        assert_eq!(
            col("a char(4) DEFAULT 'it''s'").def.default.as_deref(),
            Some("it''s")
        );
        assert_eq!(
            col("a smallint(6) DEFAULT -5").def.default.as_deref(),
            Some("-5")
        );
        assert_eq!(
            col("a decimal(10,2) NOT NULL DEFAULT 1.50")
                .def
                .default
                .as_deref(),
            Some("1.50")
        );
        assert_eq!(
            col("a bit(5) DEFAULT b'101'").def.default.as_deref(),
            Some("101")
        );
        assert_eq!(
            col("a tinyint(1) DEFAULT TRUE").def.default.as_deref(),
            Some("TRUE")
        );
        let ts = col("`created` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()");
        assert_eq!(ts.def.default.as_deref(), Some("1970-01-01 00:00:00"));
        assert!(ts.def.has_default && !ts.def.auto_increment);
        assert_eq!(
            col("a datetime DEFAULT CURRENT_TIMESTAMP")
                .def
                .default
                .as_deref(),
            Some("1970-01-01 00:00:00")
        );
        let expr = col("a int NOT NULL DEFAULT (1 + 2)");
        assert!(expr.def.has_default);
        assert_eq!(expr.def.default, None);
        let not_null = col("a int NOT NULL");
        assert!(!not_null.def.has_default);
    }

    #[test]
    fn generated_and_mariadb_only_attributes() {
        let g = col("`q` int(11) GENERATED ALWAYS AS (`a` + 1) VIRTUAL");
        assert!(g.def.generated && !g.def.auto_increment);
        assert!(col("a int AS (b) PERSISTENT").def.generated);
        let j = col("`doc` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`doc`))");
        assert_eq!(j.def.charset.as_deref(), Some("utf8mb4"));
        assert_eq!(j.def.type_name, "LONGTEXT");
        let s = col("a int COLUMN_FORMAT FIXED STORAGE DISK INVISIBLE COMMENT 'x'");
        assert_eq!(s.def.type_name, "INT");
    }

    #[test]
    fn charset_from_collation_and_national_types() {
        assert_eq!(
            col("a varchar(5) COLLATE utf8mb4_bin")
                .def
                .charset
                .as_deref(),
            Some("utf8mb4")
        );
        assert_eq!(
            col("a text charset latin1").def.charset.as_deref(),
            Some("latin1")
        );
        assert_eq!(col("a nchar(3)").def.charset.as_deref(), Some("utf8"));
        assert_eq!(col("a int").def.charset, None);
    }

    #[test]
    fn key_attributes() {
        let pk = col("a int PRIMARY KEY");
        assert!(pk.primary_key && !pk.def.nullable && !pk.def.has_default);
        assert!(col("a int KEY").primary_key);
        assert!(col("a int UNIQUE KEY").unique);
        let serial = col("a serial");
        assert!(serial.unique && serial.def.auto_increment && !serial.def.nullable);
        assert!(col("a int SERIAL DEFAULT VALUE").def.auto_increment);
    }

    #[test]
    fn garbage_after_the_type_is_an_error() {
        let lexed = Lexed::new("a int FROBNICATE".to_string()).unwrap();
        let err = parse(&lexed, &lexed.tokens).unwrap_err();
        assert!(err.contains("FROBNICATE"), "{err}");
    }
}
