//! Decoding binlog string bytes in the column's character set, the way Debezium does with
//! the Java charset Connector/J names for it (`latin1` is `Cp1252`, `latin2` is
//! `ISO8859_2`, `binary` is `ISO8859_1`, `ucs2` is `UnicodeBig`…). Malformed input becomes
//! U+FFFD, as Java's `new String(bytes, charset)` does.
//!
//! The single- and multi-byte legacy character sets go through `encoding_rs`; a MySQL
//! character set with no mapping here is refused when the column is compiled (Debezium
//! would decode it as UTF-8 and write replacement characters).
//!
//! Only the binlog needs this: the snapshot connection receives every string converted
//! by the server to utf8mb4.

use encoding_rs::Encoding;

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
    /// A legacy character set decoded by `encoding_rs`. `windows` marks the Windows code
    /// pages, whose unassigned bytes Java decodes as U+FFFD where the WHATWG tables that
    /// `encoding_rs` follows give the C1 control of the same number.
    Table {
        encoding: &'static Encoding,
        windows: bool,
    },
}

impl Charset {
    /// The charset for a MySQL character set name; `None` means "not implemented".
    /// Debezium falls back to UTF-8 for a column without a character set.
    pub(crate) fn for_mysql(name: Option<&str>) -> Option<Charset> {
        let Some(name) = name else {
            return Some(Charset::Utf8);
        };
        let table = |encoding: &'static Encoding| Charset::Table {
            encoding,
            windows: false,
        };
        let windows = |encoding: &'static Encoding| Charset::Table {
            encoding,
            windows: true,
        };
        Some(match name.to_ascii_lowercase().as_str() {
            "utf8mb4" | "utf8mb3" | "utf8" => Charset::Utf8,
            "latin1" => Charset::Cp1252,
            "binary" => Charset::Latin1,
            "ascii" => Charset::Ascii,
            "ucs2" | "utf16" => Charset::Utf16Be,
            "utf16le" => Charset::Utf16Le,
            "utf32" => Charset::Utf32Be,
            "latin2" => table(encoding_rs::ISO_8859_2),
            "greek" => table(encoding_rs::ISO_8859_7),
            "hebrew" => table(encoding_rs::ISO_8859_8),
            "latin7" => table(encoding_rs::ISO_8859_13),
            "koi8r" => table(encoding_rs::KOI8_R),
            "koi8u" => table(encoding_rs::KOI8_U),
            "cp866" => table(encoding_rs::IBM866),
            "macroman" => table(encoding_rs::MACINTOSH),
            "cp1250" => windows(encoding_rs::WINDOWS_1250),
            "cp1251" => windows(encoding_rs::WINDOWS_1251),
            "cp1256" => windows(encoding_rs::WINDOWS_1256),
            "cp1257" => windows(encoding_rs::WINDOWS_1257),
            // MySQL's latin5 is ISO-8859-9, which differs from Windows-1254 only in
            // 0x80–0x9F, where ISO-8859-9 has the C1 controls.
            "latin5" => Charset::Table {
                encoding: encoding_rs::WINDOWS_1254,
                windows: false,
            },
            "tis620" => windows(encoding_rs::WINDOWS_874),
            "sjis" | "cp932" => table(encoding_rs::SHIFT_JIS),
            "ujis" | "eucjpms" => table(encoding_rs::EUC_JP),
            "euckr" => table(encoding_rs::EUC_KR),
            // GBK is a superset of GB2312 (Connector/J maps gb2312 to GBK as well).
            "gbk" | "gb2312" => table(encoding_rs::GBK),
            "gb18030" => table(encoding_rs::GB18030),
            "big5" => table(encoding_rs::BIG5),
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
            Charset::Table { encoding, windows } => {
                let (text, _) = encoding.decode_without_bom_handling(bytes);
                if windows && text.chars().any(is_c1) {
                    text.chars()
                        .map(|c| if is_c1(c) { '\u{FFFD}' } else { c })
                        .collect()
                } else {
                    text.into_owned()
                }
            }
        }
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
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
        assert!(matches!(
            Charset::for_mysql(Some("latin2")),
            Some(Charset::Table { windows: false, .. })
        ));
        assert!(matches!(
            Charset::for_mysql(Some("CP1250")),
            Some(Charset::Table { windows: true, .. })
        ));
        assert_eq!(Charset::for_mysql(Some("armscii8")), None);
        assert_eq!(Charset::for_mysql(Some("nonsense")), None);
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

    #[test]
    fn decodes_legacy_code_pages() {
        let cs = |name| Charset::for_mysql(Some(name)).unwrap_or(Charset::Utf8);
        // "Łódź" in ISO-8859-2 and in Windows-1250 (which moves Ł, ź… elsewhere).
        assert_eq!(cs("latin2").decode(&[0xA3, 0xF3, 0x64, 0xBC]), "Łódź");
        assert_eq!(cs("cp1250").decode(&[0xA3, 0xF3, 0x64, 0x9F]), "Łódź");
        // Windows-1250 leaves 0x81 unassigned: Java gives U+FFFD, not U+0081.
        assert_eq!(cs("cp1250").decode(&[0x81, b'a']), "\u{FFFD}a");
        // ISO-8859-2 assigns the C1 controls.
        assert_eq!(cs("latin2").decode(&[0x81]), "\u{81}");
        assert_eq!(cs("cp1251").decode(&[0xCF, 0xF0, 0xE8]), "При");
        assert_eq!(cs("koi8r").decode(&[0xF0, 0xD2, 0xC9]), "При");
        assert_eq!(cs("greek").decode(&[0xE1]), "α");
        assert_eq!(cs("latin5").decode(&[0xD0, 0xFD]), "Ğı");
        assert_eq!(cs("sjis").decode(&[0x93, 0xFA, 0x96, 0x7B]), "日本");
        assert_eq!(cs("gbk").decode(&[0xD6, 0xD0, 0xCE, 0xC4]), "中文");
        assert_eq!(cs("euckr").decode(&[0xC7, 0xD1]), "한");
        assert_eq!(cs("big5").decode(&[0xA4, 0xA4]), "中");
        // A truncated multi-byte character is malformed.
        assert_eq!(cs("gbk").decode(&[b'a', 0xD6]), "a\u{FFFD}");
    }
}
