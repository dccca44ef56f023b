//! Debezium's `SchemaNameAdjuster` for `schema.name.adjustment.mode` (record names made
//! valid Avro full names) and `field.name.adjustment.mode` (field names made valid Avro
//! names, where a `.` is invalid too). `avro` puts `_` for each invalid UTF-16 unit (and keeps a
//! leading digit after it); `avro_unicode` writes `_uXXXX` instead and also escapes `_`.
//! Like Debezium's, the adjuster remembers which name each replacement came from and
//! fails the first time two different names would collapse into one.

use std::collections::{HashMap, HashSet};

/// The values of `schema.name.adjustment.mode`.
pub const MODES: &[&str] = &["none", "avro", "avro_unicode"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    None,
    Avro,
    AvroUnicode,
}

pub struct SchemaNameAdjuster {
    mode: Mode,
    /// Field names: a `.` is replaced too.
    fields: bool,
    /// Originals already reported; Debezium checks each original once only.
    seen: HashSet<String>,
    original_by_replacement: HashMap<String, String>,
}

impl SchemaNameAdjuster {
    /// `mode` is one of [`MODES`].
    pub fn new(mode: &str) -> Self {
        let mode = match mode {
            "avro" => Mode::Avro,
            "avro_unicode" => Mode::AvroUnicode,
            _ => Mode::None,
        };
        SchemaNameAdjuster {
            mode,
            fields: false,
            seen: HashSet::new(),
            original_by_replacement: HashMap::new(),
        }
    }

    /// The adjuster of `field.name.adjustment.mode`.
    pub fn for_fields(mode: &str) -> Self {
        SchemaNameAdjuster {
            fields: true,
            ..SchemaNameAdjuster::new(mode)
        }
    }

    pub fn is_none(&self) -> bool {
        self.mode == Mode::None
    }

    /// The adjusted name, or the conflict Debezium raises as a `ConnectException`.
    pub fn adjust(&mut self, proposed: &str) -> Result<String, String> {
        let Some(replaced) = self.replace(proposed) else {
            return Ok(proposed.to_string());
        };
        if self.seen.insert(proposed.to_string()) {
            if let Some(other) = self
                .original_by_replacement
                .insert(replaced.clone(), proposed.to_string())
                .filter(|other| other != proposed)
            {
                return Err(format!(
                    "The Kafka Connect schema name '{proposed}' is not a valid Avro schema name and its replacement '{replaced}' conflicts with another different schema '{other}'"
                ));
            }
        }
        Ok(replaced)
    }

    /// The replacement, or `None` when the name is already valid.
    fn replace(&self, proposed: &str) -> Option<String> {
        let unicode = match self.mode {
            Mode::None => return None,
            Mode::Avro => false,
            Mode::AvroUnicode => true,
        };
        let mut out = String::with_capacity(proposed.len() + 8);
        let mut changed = false;
        // Java walks UTF-16 units, so a character outside the BMP is two replacements.
        for (position, unit) in proposed.encode_utf16().enumerate() {
            let valid = if position == 0 {
                valid_first(unit, unicode)
            } else {
                valid_first(unit, unicode)
                    || (!self.fields && unit == u16::from(b'.'))
                    || is_ascii_digit(unit)
            };
            if valid {
                out.push(char::from(unit as u8));
                continue;
            }
            changed = true;
            if unicode {
                let hex = format!("{unit:x}");
                out.push_str("_u");
                if hex.len() <= 2 {
                    out.push_str("00");
                }
                out.push_str(&hex);
            } else {
                out.push('_');
                // A leading digit is kept after the underscore so `1a` and `2a` stay apart.
                // (Java asks `Character.isDigit`; Kafka topic names are ASCII, so ASCII
                // digits are the only ones a topic-derived name can start with.)
                if position == 0 && is_ascii_digit(unit) {
                    out.push(char::from(unit as u8));
                }
            }
        }
        changed.then_some(out)
    }
}

fn is_ascii_digit(unit: u16) -> bool {
    (u16::from(b'0')..=u16::from(b'9')).contains(&unit)
}

fn valid_first(unit: u16, unicode: bool) -> bool {
    let letter = (u16::from(b'a')..=u16::from(b'z')).contains(&unit)
        || (u16::from(b'A')..=u16::from(b'Z')).contains(&unit);
    // The unicode form escapes with `_`, so a literal `_` must itself be escaped.
    letter || (!unicode && unit == u16::from(b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adjust(mode: &str, name: &str) -> String {
        SchemaNameAdjuster::new(mode).adjust(name).unwrap()
    }

    #[test]
    fn field_names_have_no_dots() {
        let mut fields = SchemaNameAdjuster::for_fields("avro");
        assert_eq!(fields.adjust("a.b-c").unwrap(), "a_b_c");
        assert_eq!(fields.adjust("plain_1").unwrap(), "plain_1");
    }

    #[test]
    fn none_keeps_every_name() {
        assert_eq!(adjust("none", "my-server.db.t.Key"), "my-server.db.t.Key");
    }

    // Including the cases of Debezium's SchemaNameAdjusterTest.
    #[test]
    fn avro_replaces_invalid_characters_with_underscores() {
        assert_eq!(
            adjust("avro", "mysql-server-1.inventory.customers_all_shards.Key"),
            "mysql_server_1.inventory.customers_all_shards.Key"
        );
        assert_eq!(adjust("avro", "a.b.c"), "a.b.c");
        assert_eq!(adjust("avro", "_a.b_c"), "_a.b_c");
        assert_eq!(adjust("avro", "24ColumnName"), "_24ColumnName");
        assert_eq!(
            adjust("avro", "t1234.connector_test.products.Key"),
            "t1234.connector_test.products.Key"
        );
        assert_eq!(adjust("avro", "a:b"), "a_b");
        assert_eq!(adjust("avro", "a-b-c"), "a_b_c");
        assert_eq!(adjust("avro", "ä.b"), "_.b");
        // Outside the BMP: two UTF-16 units, two underscores.
        assert_eq!(adjust("avro", "a😀"), "a__");
    }

    #[test]
    fn avro_unicode_escapes_with_code_units() {
        assert_eq!(
            adjust("avro_unicode", "_hello_语言."),
            "_u005fhello_u005f_u8bed_u8a00."
        );
        assert_eq!(adjust("avro_unicode", "a_b"), "a_u005fb");
        assert_eq!(adjust("avro_unicode", "_a"), "_u005fa");
        assert_eq!(adjust("avro_unicode", "1a"), "_u0031a");
        assert_eq!(adjust("avro_unicode", "a-b.c"), "a_u002db.c");
        // Integer.toHexString: lower case, padded to four only from one or two digits.
        assert_eq!(adjust("avro_unicode", "aā"), "a_u101");
        assert_eq!(adjust("avro_unicode", "a€"), "a_u20ac");
        assert_eq!(adjust("avro_unicode", "ab"), "ab");
    }

    #[test]
    fn two_names_with_one_replacement_conflict_the_first_time() {
        let mut adjuster = SchemaNameAdjuster::new("avro");
        assert_eq!(adjuster.adjust("a-b.Key").unwrap(), "a_b.Key");
        assert_eq!(adjuster.adjust("a-b.Key").unwrap(), "a_b.Key");
        let err = adjuster.adjust("a+b.Key").unwrap_err();
        assert!(
            err.contains("conflicts with another different schema 'a-b.Key'"),
            "{err}"
        );
        // Debezium checks an original once only.
        assert_eq!(adjuster.adjust("a+b.Key").unwrap(), "a_b.Key");
        // A valid name that equals a replacement is not a conflict.
        assert_eq!(adjuster.adjust("a_b.Key").unwrap(), "a_b.Key");
    }
}
