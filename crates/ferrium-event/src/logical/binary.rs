//! Binary column values as `binary.handling.mode` shapes them.

use super::modes::BinaryMode;
use crate::{Schema, SchemaType, Value};

/// The plain schema of a binary column: `bytes`, or `string` for the text encodings.
pub fn binary_schema(mode: BinaryMode) -> Schema {
    match mode {
        BinaryMode::Bytes => Schema::of(SchemaType::Bytes),
        BinaryMode::Base64 | BinaryMode::Base64UrlSafe | BinaryMode::Hex => {
            Schema::of(SchemaType::String)
        }
    }
}

/// Encodes `bytes` for `mode`. Java's `Base64.getEncoder()` and `getUrlEncoder()` both pad,
/// and Debezium's `HexConverter` writes lower case.
pub fn binary_value(mode: BinaryMode, bytes: Vec<u8>) -> Value {
    match mode {
        BinaryMode::Bytes => Value::Bytes(bytes),
        BinaryMode::Base64 => Value::String(base64_padded(&bytes, STANDARD)),
        BinaryMode::Base64UrlSafe => Value::String(base64_padded(&bytes, URL_SAFE)),
        BinaryMode::Hex => Value::String(hex_lower(&bytes)),
    }
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 base64 with `=` padding (written here so this crate needs no codec dependency).
pub fn base64_padded(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[((n >> (18 - 6 * i)) & 0x3F) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard-alphabet padded base64, as `java.util.Base64.getEncoder()` writes it.
pub fn base64_standard(bytes: &[u8]) -> String {
    base64_padded(bytes, STANDARD)
}

/// Lower-case hex, two digits per byte.
pub fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xF)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_java() {
        let bytes = vec![0xFB, 0xFF, 0x00, 0x41];
        assert_eq!(
            binary_value(BinaryMode::Bytes, bytes.clone()),
            Value::Bytes(bytes.clone())
        );
        assert_eq!(
            binary_value(BinaryMode::Base64, bytes.clone()),
            Value::String("+/8AQQ==".into())
        );
        assert_eq!(
            binary_value(BinaryMode::Base64UrlSafe, bytes.clone()),
            Value::String("-_8AQQ==".into())
        );
        assert_eq!(
            binary_value(BinaryMode::Hex, bytes),
            Value::String("fbff0041".into())
        );
        assert_eq!(base64_standard(b""), "");
        assert_eq!(base64_standard(b"f"), "Zg==");
        assert_eq!(base64_standard(b"fo"), "Zm8=");
        assert_eq!(base64_standard(b"foo"), "Zm9v");
        assert_eq!(base64_standard(b"foobar"), "Zm9vYmFy");
        assert_eq!(binary_schema(BinaryMode::Bytes).kind, SchemaType::Bytes);
        assert_eq!(binary_schema(BinaryMode::Hex).kind, SchemaType::String);
    }
}
