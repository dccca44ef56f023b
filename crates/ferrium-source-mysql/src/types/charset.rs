//! Decoding binlog string bytes in the column's character set, the way Debezium does with
//! the Java charset Connector/J names for it (`latin1` is `Cp1252`, `binary` is
//! `ISO8859_1`, `ucs2` is `UnicodeBig`…). Malformed input becomes U+FFFD, as Java's
//! `new String(bytes, charset)` does.
//!
//! Only the character sets that need no conversion tables are implemented; the others
//! are refused when the column is compiled.

/// A character set Ferrium can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    Utf8,
    /// MySQL `latin1` is Windows-1252.
    Cp1252,
    /// `binary` (Connector/J maps it to ISO-8859-1).
    Latin1,
    Ascii,
    Utf16Be,
    Utf16Le,
    Utf32Be,
}

impl Charset {
    /// The charset for a MySQL character set name; `None` means "not implemented".
    /// Debezium falls back to UTF-8 for a column without a character set.
    pub(crate) fn for_mysql(name: Option<&str>) -> Option<Charset> {
        let Some(name) = name else {
            return Some(Charset::Utf8);
        };
        Some(match name.to_ascii_lowercase().as_str() {
            "utf8mb4" | "utf8mb3" | "utf8" => Charset::Utf8,
            "latin1" => Charset::Cp1252,
            "binary" => Charset::Latin1,
            "ascii" => Charset::Ascii,
            "ucs2" | "utf16" => Charset::Utf16Be,
            "utf16le" => Charset::Utf16Le,
            "utf32" => Charset::Utf32Be,
            _ => return None,
        })
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Cp1252 => bytes.iter().map(|&b| cp1252(b)).collect(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Ascii => bytes
                .iter()
                .map(|&b| if b < 0x80 { char::from(b) } else { '\u{FFFD}' })
                .collect(),
            Charset::Utf16Be | Charset::Utf16Le => {
                let units = bytes.chunks(2).map(|c| match (c, self) {
                    ([hi, lo], Charset::Utf16Be) => u16::from_be_bytes([*hi, *lo]),
                    ([lo, hi], _) => u16::from_be_bytes([*hi, *lo]),
                    // A dangling odd byte is malformed.
                    _ => 0xFFFD,
                });
                char::decode_utf16(units)
                    .map(|r| r.unwrap_or('\u{FFFD}'))
                    .collect()
            }
            Charset::Utf32Be => bytes
                .chunks(4)
                .map(|c| match c {
                    [a, b, c, d] => {
                        char::from_u32(u32::from_be_bytes([*a, *b, *c, *d])).unwrap_or('\u{FFFD}')
                    }
                    _ => '\u{FFFD}',
                })
                .collect(),
        }
    }
}

/// Java's `windows-1252` decoder: 0x80–0x9F map to typographic characters, and the five
/// unassigned bytes become U+FFFD.
fn cp1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_like_connector_j() {
        assert_eq!(Charset::for_mysql(None), Some(Charset::Utf8));
        assert_eq!(Charset::for_mysql(Some("UTF8MB4")), Some(Charset::Utf8));
        assert_eq!(Charset::for_mysql(Some("latin1")), Some(Charset::Cp1252));
        assert_eq!(Charset::for_mysql(Some("ucs2")), Some(Charset::Utf16Be));
        assert_eq!(Charset::for_mysql(Some("gbk")), None);
    }

    #[test]
    fn decodes_each_charset() {
        assert_eq!(Charset::Utf8.decode("é€".as_bytes()), "é€");
        assert_eq!(Charset::Utf8.decode(&[b'a', 0xFF]), "a\u{FFFD}");
        // 0x80 is the euro sign in cp1252, 0xE9 is é, 0x81 is unassigned.
        assert_eq!(Charset::Cp1252.decode(&[0x80, 0xE9, 0x81]), "€é\u{FFFD}");
        assert_eq!(Charset::Latin1.decode(&[0x80, 0xE9]), "\u{80}é");
        assert_eq!(Charset::Ascii.decode(&[b'a', 0xE9]), "a\u{FFFD}");
        assert_eq!(Charset::Utf16Be.decode(&[0x00, 0x41, 0x20, 0xAC]), "A€");
        assert_eq!(Charset::Utf16Le.decode(&[0x41, 0x00, 0xAC, 0x20]), "A€");
        assert_eq!(Charset::Utf16Be.decode(&[0xD8, 0x3D, 0xDE, 0x00]), "😀");
        assert_eq!(Charset::Utf32Be.decode(&[0, 1, 0xF6, 0x00]), "😀");
    }
}
