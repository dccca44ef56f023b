//! `bit(n)` / `varbit` text (`'10110'`) to Debezium's `io.debezium.data.Bits` bytes.
//!
//! Debezium (`PostgresValueConverter.convertBits`) fills a `java.util.BitSet` with the
//! rightmost character as bit 0 and emits `BitSet.toByteArray()`: little-endian bytes, only
//! as many as the highest set bit needs. So `B'101'` is `[0x05]` whatever the declared
//! length, and an all-zero string is an empty array.

pub(crate) fn bits_to_bytes(text: &str) -> Result<Vec<u8>, &'static str> {
    let b = text.as_bytes();
    let mut out = vec![0u8; b.len().div_ceil(8)];
    let mut used = 0;
    for (bit, &c) in b.iter().rev().enumerate() {
        match c {
            b'1' => {
                out[bit / 8] |= 1 << (bit % 8);
                used = bit / 8 + 1;
            }
            b'0' => {}
            _ => return Err("not a bit string"),
        }
    }
    out.truncate(used);
    Ok(out)
}

/// `bit(1)` / `varbit(1)` as a boolean: Debezium parses the string as a base-2 integer and
/// tests it for zero.
pub(crate) fn bit_to_bool(text: &str) -> Result<bool, &'static str> {
    let mut any = false;
    for c in text.bytes() {
        match c {
            b'1' => any = true,
            b'0' => {}
            _ => return Err("not a bit string"),
        }
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rightmost_character_is_bit_zero_little_endian() {
        assert_eq!(bits_to_bytes("101").unwrap(), vec![0x05]);
        // 9 bits 1_1000_0001: bits 0, 7 and 8 → [0b1000_0001, 0b0000_0001].
        assert_eq!(bits_to_bytes("110000001").unwrap(), vec![0x81, 0x01]);
        assert_eq!(bits_to_bytes("1111000011110000").unwrap(), vec![0xF0, 0xF0]);
        // Only the leftmost of 11 bits set: bit 10 → second byte 0x04.
        assert_eq!(bits_to_bytes("10000000000").unwrap(), vec![0x00, 0x04]);
        // Leading zeros of a wide bit(n) do not add bytes.
        assert_eq!(bits_to_bytes("0000000000000101").unwrap(), vec![0x05]);
        assert_eq!(bits_to_bytes("0000").unwrap(), Vec::<u8>::new());
        assert!(bits_to_bytes("10a").is_err());
    }

    #[test]
    fn single_bit_is_a_boolean() {
        assert!(bit_to_bool("1").unwrap());
        assert!(!bit_to_bool("0").unwrap());
        assert!(!bit_to_bool("").unwrap());
        assert!(bit_to_bool("x").is_err());
    }
}
