//! Why a column cannot be mapped or a value cannot be decoded.
//!
//! Every error names the table, column and type so an operator can act on it without a
//! debugger. Values may be sensitive, so a malformed value is quoted only by a short
//! excerpt.

/// The longest excerpt of a bad value that an error carries, in characters.
pub const EXCERPT_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("column {table}.{column} has type {type_name}, which has no Debezium-compatible mapping in Ferrium; {hint}")]
    Unsupported {
        table: String,
        column: String,
        type_name: String,
        hint: String,
    },
    #[error("cannot decode a value of column {table}.{column} (type {type_name}): {reason} (value starts with {text_excerpt:?})")]
    Malformed {
        table: String,
        column: String,
        type_name: String,
        /// At most [`EXCERPT_CHARS`] characters of the value, with `…` when cut.
        text_excerpt: String,
        reason: String,
    },
}

impl TypeError {
    pub fn is_unsupported(&self) -> bool {
        matches!(self, TypeError::Unsupported { .. })
    }
}

/// The first [`EXCERPT_CHARS`] characters of `text`, marked when shortened.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let mut s = String::with_capacity(cut + 3);
            s.push_str(&text[..cut]);
            s.push('…');
            s
        }
    }
}

/// An excerpt of raw bytes: the text when it is UTF-8, else hex of the first bytes.
pub fn excerpt_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => excerpt(text),
        Err(_) => {
            let shown = &bytes[..bytes.len().min(EXCERPT_CHARS / 2)];
            let mut s = String::from("0x");
            s.push_str(&super::binary::hex_lower(shown));
            if shown.len() < bytes.len() {
                s.push('…');
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_char_safe() {
        assert_eq!(excerpt("abc"), "abc");
        let cut = excerpt(&"é".repeat(50));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt_bytes(b"12x"), "12x");
        assert_eq!(excerpt_bytes(&[0xff, 0x00]), "0xff00");
        assert_eq!(
            excerpt_bytes(&[0xff; 30]),
            format!("0x{}…", "ff".repeat(20))
        );
    }

    #[test]
    fn messages_name_table_column_and_type() {
        let e = TypeError::Malformed {
            table: "shop.orders".into(),
            column: "total".into(),
            type_name: "DECIMAL".into(),
            text_excerpt: excerpt("12x"),
            reason: "not a decimal number".into(),
        };
        let msg = e.to_string();
        assert!(msg.contains("shop.orders.total"), "{msg}");
        assert!(msg.contains("DECIMAL"), "{msg}");
        assert!(msg.contains("\"12x\""), "{msg}");
        assert!(!e.is_unsupported());
    }
}
