//! Debezium's topic naming: which name parts make a data change topic, the delimiter
//! between them, and how a character Kafka refuses in a topic name is replaced.
//!
//! A schema or table name may hold any character (quoted identifiers, non-ASCII names), but
//! Kafka accepts only `[A-Za-z0-9._-]` and at most 249 characters. Debezium replaces every
//! other character (per UTF-16 unit, as Java does) and logs a warning; the record schema
//! names (`<topic>.Value`, `<topic>.Key`, `<topic>.Envelope`) use the same replaced name.

use std::fmt::Write;

use crate::Validated;

/// Kafka's longest topic name.
const MAX_NAME_LENGTH: usize = 249;

pub const SCHEMA_STRATEGY: &str = "io.debezium.schema.SchemaTopicNamingStrategy";
pub const DEFAULT_STRATEGY: &str = "io.debezium.schema.DefaultTopicNamingStrategy";
const SCHEMA_UNICODE_STRATEGY: &str = "io.debezium.schema.SchemaUnicodeTopicNamingStrategy";
const DEFAULT_UNICODE_STRATEGY: &str = "io.debezium.schema.DefaultUnicodeTopicNamingStrategy";

/// The name parts of a captured table, as Debezium's `TableId` holds them: PostgreSQL has
/// a schema and no catalog, MySQL/MariaDB a catalog (the database) and no schema.
#[derive(Debug, Clone, Copy)]
pub struct TableParts<'a> {
    pub catalog: Option<&'a str>,
    pub schema: Option<&'a str>,
    pub table: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parts {
    /// `<prefix>.<schema>.<table>` (`SchemaTopicNamingStrategy`).
    Schema,
    /// `<prefix>.<catalog>.<table>` (`DefaultTopicNamingStrategy`).
    Database,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replacement {
    /// Each refused character becomes `_`.
    Underscore,
    /// Each refused character (and `_` itself) becomes `_u` and its hex code, so names
    /// stay distinct.
    Unicode,
}

/// `topic.prefix`, `topic.delimiter` and `topic.naming.strategy`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNaming {
    pub prefix: String,
    pub delimiter: String,
    parts: Parts,
    replacement: Replacement,
}

impl TopicNaming {
    /// Reads the naming options; `connector_default` is the strategy the connector class
    /// defaults to (PostgreSQL: schema parts, MySQL/MariaDB: database parts).
    pub fn read(v: &Validated, connector_default: &str, problems: &mut Vec<String>) -> Self {
        let prefix = v.str_or_empty("topic.prefix").to_string();
        let delimiter = v.str_or_empty("topic.delimiter").to_string();
        for key in [
            "topic.prefix",
            "topic.delimiter",
            "topic.heartbeat.prefix",
            "topic.transaction",
        ] {
            let value = v.str_or_empty(key);
            if !value.is_empty() && !value.chars().all(is_valid) {
                problems.push(format!(
                    "option '{key}' is '{value}', which has invalid format: only the underscore, hyphen, dot and alphanumeric characters are allowed in a topic name"
                ));
            }
        }
        let strategy = v
            .string("topic.naming.strategy")
            .unwrap_or(connector_default);
        let (parts, replacement) = match strategy {
            SCHEMA_STRATEGY => (Parts::Schema, Replacement::Underscore),
            DEFAULT_STRATEGY => (Parts::Database, Replacement::Underscore),
            SCHEMA_UNICODE_STRATEGY => (Parts::Schema, Replacement::Unicode),
            DEFAULT_UNICODE_STRATEGY => (Parts::Database, Replacement::Unicode),
            other => {
                problems.push(format!(
                    "option 'topic.naming.strategy' is '{other}', which Ferrium does not support: use {SCHEMA_STRATEGY}, {DEFAULT_STRATEGY}, {SCHEMA_UNICODE_STRATEGY} or {DEFAULT_UNICODE_STRATEGY}"
                ));
                (Parts::Schema, Replacement::Underscore)
            }
        };
        TopicNaming {
            prefix,
            delimiter,
            parts,
            replacement,
        }
    }

    /// The data change topic of a table, which is also the prefix of its record schema
    /// names. A replaced name is logged once per call, as Debezium does per table.
    pub fn data_change_topic(&self, id: TableParts<'_>) -> String {
        let middle = match self.parts {
            Parts::Schema => id.schema,
            Parts::Database => id.catalog,
        };
        let joined = [Some(self.prefix.as_str()), middle, Some(id.table)]
            .into_iter()
            .flatten()
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join(&self.delimiter);
        let sanitized = sanitize(&joined, self.replacement);
        if sanitized != joined {
            tracing::warn!(
                "topic name '{joined}' isn't a valid Kafka topic name, replacing it with '{sanitized}'"
            );
        }
        sanitized
    }

    /// `<topic.prefix><delimiter><topic.transaction>`.
    pub fn transaction_topic(&self, transaction: &str) -> String {
        format!("{}{}{transaction}", self.prefix, self.delimiter)
    }

    /// `topic.heartbeat.name` when set, else `<topic.heartbeat.prefix><delimiter><topic.prefix>`.
    pub fn heartbeat_topic(&self, heartbeat_prefix: &str, heartbeat_name: &str) -> String {
        if heartbeat_name.is_empty() {
            format!("{heartbeat_prefix}{}{}", self.delimiter, self.prefix)
        } else {
            heartbeat_name.to_string()
        }
    }
}

fn is_valid(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Debezium's `sanitizedTopicName`: replaces per UTF-16 unit, cuts at 249 units, and
/// never leaves `.` or `..` (names Kafka reserves).
fn sanitize(name: &str, replacement: Replacement) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let keep = match replacement {
            Replacement::Underscore => is_valid(c),
            Replacement::Unicode => is_valid(c) && c != '_',
        };
        if keep {
            out.push(c);
            continue;
        }
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            match replacement {
                Replacement::Underscore => out.push('_'),
                // Java's Integer.toHexString, padded with "00" only when it has at most two digits.
                Replacement::Unicode => {
                    let hex = format!("{unit:x}");
                    let pad = if hex.len() <= 2 { "00" } else { "" };
                    let _ = write!(out, "_u{pad}{hex}");
                }
            }
        }
    }
    // Every char left is ASCII, so byte length is the UTF-16 length.
    out.truncate(MAX_NAME_LENGTH);
    match out.as_str() {
        "." | ".." => out
            .chars()
            .map(|_| match replacement {
                Replacement::Underscore => "_".to_string(),
                Replacement::Unicode => "_u002e".to_string(),
            })
            .collect(),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_characters_become_underscores_per_utf16_unit() {
        assert_eq!(
            sanitize("shop.public.Order Items", Replacement::Underscore),
            "shop.public.Order_Items"
        );
        assert_eq!(
            sanitize("shop.straße.zółw", Replacement::Underscore),
            "shop.stra_e.z__w"
        );
        // A character outside the BMP is two UTF-16 units in Java, so two underscores.
        assert_eq!(sanitize("a🦀b", Replacement::Underscore), "a__b");
        assert_eq!(
            sanitize("ok.name-1_x", Replacement::Underscore),
            "ok.name-1_x"
        );
    }

    #[test]
    fn unicode_replacement_escapes_the_underscore_too() {
        assert_eq!(
            sanitize("p.my_table é", Replacement::Unicode),
            "p.my_u005ftable_u0020_u00e9"
        );
        // Three hex digits get no padding, as Java's replacement does.
        assert_eq!(sanitize("ł", Replacement::Unicode), "_u142");
    }

    #[test]
    fn names_are_cut_at_kafkas_limit_and_never_dot_or_dot_dot() {
        assert_eq!(
            sanitize(&"x".repeat(300), Replacement::Underscore).len(),
            249
        );
        assert_eq!(sanitize(".", Replacement::Underscore), "_");
        assert_eq!(sanitize("..", Replacement::Underscore), "__");
    }
}
