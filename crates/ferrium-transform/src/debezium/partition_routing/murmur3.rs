//! Debezium's `MurmurHash3` (`io.debezium.util`, from Infinispan): the x64 128-bit
//! algorithm cut to its first 64 bits, with seed 9001, returning the upper 32 bits.
//! Its tail bytes are sign-extended (Java's `(long) byte`), unlike the reference C code,
//! so this is not interchangeable with other MurmurHash3 crates.

const SEED: u64 = 9001;

struct State {
    h1: u64,
    h2: u64,
    k1: u64,
    k2: u64,
    c1: u64,
    c2: u64,
}

impl State {
    fn new() -> Self {
        State {
            h1: 0x9368_e53c_2f6a_f274 ^ SEED,
            h2: 0x586d_cd20_8f7c_d3fd ^ SEED,
            k1: 0,
            k2: 0,
            c1: 0x87c3_7b91_1142_53d5,
            c2: 0x4cf5_ad43_2745_937f,
        }
    }

    fn mix(&mut self) {
        self.k1 = self
            .k1
            .wrapping_mul(self.c1)
            .rotate_left(23)
            .wrapping_mul(self.c2);
        self.h1 ^= self.k1;
        self.h1 = self.h1.wrapping_add(self.h2);
        self.h2 = self.h2.rotate_left(41);
        self.k2 = self
            .k2
            .wrapping_mul(self.c2)
            .rotate_left(23)
            .wrapping_mul(self.c1);
        self.h2 ^= self.k2;
        self.h2 = self.h2.wrapping_add(self.h1);
        self.h1 = self.h1.wrapping_mul(3).wrapping_add(0x52dc_e729);
        self.h2 = self.h2.wrapping_mul(3).wrapping_add(0x3849_5ab5);
        self.c1 = self.c1.wrapping_mul(5).wrapping_add(0x7b7d_159c);
        self.c2 = self.c2.wrapping_mul(5).wrapping_add(0x6bce_6396);
    }
}

fn final_mix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// `MurmurHash3.hash(byte[])`.
pub fn hash_bytes(key: &[u8]) -> i32 {
    let mut state = State::new();
    let mut blocks = key.chunks_exact(16);
    for block in &mut blocks {
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&block[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        state.k1 = word(0);
        state.k2 = word(8);
        state.mix();
    }
    let tail = blocks.remainder();
    state.k1 = 0;
    state.k2 = 0;
    for (i, &byte) in tail.iter().enumerate() {
        let extended = i64::from(byte as i8) as u64;
        if i < 8 {
            state.k1 ^= extended << (8 * i);
        } else {
            state.k2 ^= extended << (8 * (i - 8));
        }
    }
    if !tail.is_empty() {
        state.mix();
    }
    state.h2 ^= key.len() as u64;
    state.h1 = state.h1.wrapping_add(state.h2);
    state.h2 = state.h2.wrapping_add(state.h1);
    state.h1 = final_mix(state.h1);
    state.h2 = final_mix(state.h2);
    state.h1 = state.h1.wrapping_add(state.h2);
    ((state.h1 >> 32) as u32) as i32
}

/// `MurmurHash3.hash(int)`, which Debezium uses for any value but a string or bytes:
/// the same as hashing the int's four little-endian bytes.
pub fn hash_int(hash_code: i32) -> i32 {
    hash_bytes(&hash_code.to_le_bytes())
}

/// `MurmurHash3.hash(String)`: the string's UTF-8 bytes (a Rust string has no lone
/// surrogates, which Java would encode as `?`).
pub fn hash_string(s: &str) -> i32 {
    hash_bytes(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by Debezium's MurmurHash3 on a JVM: a wrong rotation, constant, tail
    // order or missing sign extension changes them.
    #[test]
    fn strings_hash_as_debezium_does() {
        assert_eq!(hash_string("hello"), 1671093224);
        assert_eq!(hash_string("orange"), -1471092080);
        assert_eq!(hash_string("APPLE"), -56245222);
        assert_eq!(hash_string(""), 89125410);
        assert_eq!(hash_string("a"), -1119243492);
        assert_eq!(hash_string("héllo wörld"), -1835486873);
        assert_eq!(hash_string("abcdefghijklmno"), 1310993084);
        assert_eq!(hash_string("0123456789abcdef"), 26898387);
        assert_eq!(hash_string("0123456789abcdefg"), -1536414354);
        assert_eq!(hash_string("€😀"), -1526030803);
    }

    #[test]
    fn ints_hash_as_debezium_does() {
        assert_eq!(hash_int(0), 1805505889);
        assert_eq!(hash_int(1), -1931162451);
        assert_eq!(hash_int(-1), 171705313);
        assert_eq!(hash_int(42), -1311320038);
        assert_eq!(hash_int(i32::MIN), -797218156);
        assert_eq!(hash_int(i32::MAX), 925940511);
        assert_eq!(hash_int(99162322), -605162500);
    }

    #[test]
    fn bytes_hash_as_debezium_does() {
        assert_eq!(hash_bytes(&[]), 89125410);
        assert_eq!(hash_bytes(&[1]), 788465426);
        assert_eq!(hash_bytes(&[0x80]), -1816053548);
        assert_eq!(
            hash_bytes(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
            -1463255995
        );
        let high: Vec<u8> = (0..16u8).map(|i| 0xff - i).chain([0x80, 0x81]).collect();
        assert_eq!(hash_bytes(&high), 500117094);
    }
}
