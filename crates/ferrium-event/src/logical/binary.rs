//! Binary column values as `binary.handling.mode` shapes them.

use base64::Engine as _;

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
        BinaryMode::Base64 => Value::String(base64_standard(&bytes)),
        // Java's URL encoder pads too.
        BinaryMode::Base64UrlSafe => {
            Value::String(base64::engine::general_purpose::URL_SAFE.encode(&bytes))
        }
        BinaryMode::Hex => Value::String(hex_lower(&bytes)),
    }
}

/// Standard-alphabet padded base64, as `java.util.Base64.getEncoder()` writes it.
pub fn base64_standard(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
