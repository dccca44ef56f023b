//! `Object.hashCode()` of the Java value Kafka Connect holds for a Connect value: what
//! `PartitionRouting`'s `java` hash function sums. Logical types count: a `Decimal` is a
//! `BigDecimal`, Connect's `Date`/`Time`/`Timestamp` are `java.util.Date`s.

use ferrium_event::{Schema, Value};

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// The hash of a value of `schema`; a null is 0 (`Objects.hashCode`).
pub fn hash(schema: &Schema, value: &Value) -> i32 {
    match (schema.name.as_deref(), value) {
        (_, Value::Null) => 0,
        (Some(DECIMAL), Value::Bytes(unscaled)) => {
            let scale = schema
                .parameter("scale")
                .and_then(|s| s.parse::<i32>().ok())
                .unwrap_or(0);
            big_decimal(unscaled, scale)
        }
        (Some(DATE), Value::Int32(days)) => long(i64::from(*days) * MILLIS_PER_DAY),
        (Some(TIME), Value::Int32(millis)) => long(i64::from(*millis)),
        (Some(TIMESTAMP), Value::Int64(millis)) => long(*millis),
        (_, Value::Boolean(b)) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        (_, Value::Int8(v)) => i32::from(*v),
        (_, Value::Int16(v)) => i32::from(*v),
        (_, Value::Int32(v)) => *v,
        (_, Value::Int64(v)) => long(*v),
        (_, Value::Float32(v)) => float(*v),
        (_, Value::Float64(v)) => double(*v),
        (_, Value::String(s)) => string(s),
        // Java hashes a `byte[]` by identity, which differs from run to run; the content
        // hash (`Arrays.hashCode`) is a stable stand-in.
        (_, Value::Bytes(bytes)) => bytes.iter().fold(1i32, |h, b| {
            h.wrapping_mul(31).wrapping_add(i32::from(*b as i8))
        }),
        (_, Value::Array(items)) => {
            let item_schema = schema.items.as_deref();
            items.iter().fold(1i32, |h, item| {
                let item_hash = item_schema.map_or(0, |s| hash(s, item));
                h.wrapping_mul(31).wrapping_add(item_hash)
            })
        }
        // `AbstractMap.hashCode`: the sum of each entry's `key ^ value`.
        (_, Value::Map(entries)) => entries.iter().fold(0i32, |sum, (k, v)| {
            let key_hash = schema.keys.as_deref().map_or(0, |s| hash(s, k));
            let value_hash = schema.values.as_deref().map_or(0, |s| hash(s, v));
            sum.wrapping_add(key_hash ^ value_hash)
        }),
        // Kafka's `Struct.hashCode` includes its schema's, which hashes an enum by
        // identity and so differs from run to run; the fields' list hash stands in.
        (_, Value::Struct(values)) => schema.fields.iter().zip(values).fold(1i32, |h, (f, v)| {
            h.wrapping_mul(31).wrapping_add(hash(&f.schema, v))
        }),
    }
}

/// `String.hashCode`, over UTF-16 code units.
pub fn string(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// `Long.hashCode`, and `Date.hashCode` of epoch milliseconds.
pub fn long(v: i64) -> i32 {
    (v ^ ((v as u64) >> 32) as i64) as i32
}

/// `Float.hashCode`: the bits, with every NaN as the canonical one.
pub fn float(v: f32) -> i32 {
    if v.is_nan() {
        0x7fc0_0000
    } else {
        v.to_bits() as i32
    }
}

/// `Double.hashCode`: the bits (every NaN canonical), folded as a long.
pub fn double(v: f64) -> i32 {
    let bits = if v.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        v.to_bits()
    };
    long(bits as i64)
}

/// `BigDecimal.hashCode` of `unscaled × 10^-scale`, the unscaled value given as Kafka's
/// big-endian two's complement: `31 × BigInteger.hashCode + scale`, where the
/// BigInteger's hash folds its magnitude's 32-bit words and takes its sign.
pub fn big_decimal(unscaled: &[u8], scale: i32) -> i32 {
    let negative = unscaled.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        negate(unscaled)
    } else {
        unscaled.to_vec()
    };
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let digits = &magnitude[start..];
    // Words are counted from the least significant end; the first may be partial.
    let first = digits.len() % 4;
    let mut words = Vec::with_capacity(digits.len() / 4 + 1);
    if first > 0 {
        words.push(&digits[..first]);
    }
    words.extend(digits[first..].chunks(4));
    let magnitude_hash = words.iter().fold(0i32, |h, word| {
        let w = word.iter().fold(0u32, |w, b| (w << 8) | u32::from(*b));
        h.wrapping_mul(31).wrapping_add(w as i32)
    });
    let signed = if negative {
        magnitude_hash.wrapping_neg()
    } else {
        magnitude_hash
    };
    signed.wrapping_mul(31).wrapping_add(scale)
}

/// The magnitude of a negative two's complement number.
fn negate(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for byte in out.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    // Read as unsigned, so -2^(8n-1) (which negates to its own bit pattern) is right.
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::SchemaType;
    use std::sync::Arc;

    // Expected values printed by `hashCode()` on a JVM.
    #[test]
    fn strings_hash_as_java_does() {
        assert_eq!(string("hello"), 99162322);
        assert_eq!(string("orange"), -1008851410);
        assert_eq!(string("APPLE"), 62491450);
        assert_eq!(string(""), 0);
        assert_eq!(string("héllo wörld"), 1628148953);
        // UTF-16 code units: the emoji is a surrogate pair.
        assert_eq!(string("€😀"), 9810703);
    }

    #[test]
    fn primitives_hash_as_java_does() {
        let of = |kind, value| hash(&Schema::of(kind), &value);
        assert_eq!(of(SchemaType::Int64, Value::Int64(1)), 1);
        assert_eq!(of(SchemaType::Int64, Value::Int64(-1)), 0);
        assert_eq!(
            of(SchemaType::Int64, Value::Int64(123456789012345)),
            -2045923535
        );
        assert_eq!(of(SchemaType::Int64, Value::Int64(i64::MIN)), i32::MIN);
        assert_eq!(of(SchemaType::Int32, Value::Int32(-7)), -7);
        assert_eq!(of(SchemaType::Int16, Value::Int16(-3)), -3);
        assert_eq!(of(SchemaType::Int8, Value::Int8(-3)), -3);
        assert_eq!(of(SchemaType::Float32, Value::Float32(1.0)), 1065353216);
        assert_eq!(of(SchemaType::Float32, Value::Float32(-0.0)), i32::MIN);
        assert_eq!(
            of(SchemaType::Float32, Value::Float32(f32::NAN)),
            2143289344
        );
        assert_eq!(of(SchemaType::Float64, Value::Float64(1.5)), 1073217536);
        assert_eq!(
            of(SchemaType::Float64, Value::Float64(-f64::NAN)),
            2146959360
        );
        assert_eq!(of(SchemaType::Boolean, Value::Boolean(true)), 1231);
        assert_eq!(of(SchemaType::Boolean, Value::Boolean(false)), 1237);
        assert_eq!(of(SchemaType::String, Value::Null), 0);
    }

    #[test]
    fn decimals_hash_as_big_decimal_does() {
        // (unscaled bytes as Kafka writes them, scale, BigDecimal.hashCode())
        let cases: &[(&[u8], i32, i32)] = &[
            (&[48, 57], 2, 382697),
            (&[0xcf, 0xc7], 2, -382693),
            (&[0], 2, 2),
            (&[0xff], 0, -31),
            (&[0x80], 0, -3968),
            (&[0, 0x80], 0, 3968),
            (&[66, 0xed, 18, 59, 11, 0xd8, 32, 58, 20], 2, 494185783),
            (
                &[
                    0xd8, 27, 0xe4, 0xcd, 0xb9, 65, 54, 78, 0x91, 0xc6, 126, 0xeb,
                ],
                0,
                -354583178,
            ),
            (&[1, 0, 0, 0, 0], 0, 961),
            (&[0x80, 0, 0, 0], 0, i32::MIN),
            // Leading sign bytes do not change the number.
            (&[0, 0, 48, 57], 2, 382697),
        ];
        for (bytes, scale, expected) in cases {
            let schema = Schema::of(SchemaType::Bytes)
                .named(DECIMAL)
                .param("scale", scale.to_string());
            assert_eq!(
                hash(&schema, &Value::Bytes(bytes.to_vec())),
                *expected,
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn connect_dates_hash_as_java_util_date_does() {
        let date = Schema::of(SchemaType::Int32).named(DATE);
        assert_eq!(hash(&date, &Value::Int32(19000)), 922493310);
        let timestamp = Schema::of(SchemaType::Int64).named(TIMESTAMP);
        assert_eq!(hash(&timestamp, &Value::Int64(-5)), 4);
    }

    #[test]
    fn lists_and_maps_hash_as_java_collections_do() {
        let list = Schema::array(Schema::of(SchemaType::Int32).optional());
        let items = Value::Array(vec![Value::Int32(1), Value::Null, Value::Int32(3)]);
        assert_eq!(hash(&list, &items), 30755);
        let map = Schema::map(
            Schema::of(SchemaType::String),
            Schema::of(SchemaType::Int32),
        );
        let entries = Value::Map(vec![
            (Value::from("a"), Value::Int32(1)),
            (Value::from("b"), Value::Int32(2)),
        ]);
        assert_eq!(hash(&map, &entries), 192);
    }

    #[test]
    fn bytes_and_structs_get_stable_stand_ins() {
        let bytes = Schema::of(SchemaType::Bytes);
        assert_eq!(hash(&bytes, &Value::Bytes(vec![0x80])), -97);
        let row = Schema::record("r")
            .field("a", Arc::new(Schema::of(SchemaType::Int32)))
            .field("b", Arc::new(Schema::of(SchemaType::String)));
        let value = Value::Struct(vec![Value::Int32(1), Value::from("a")]);
        assert_eq!(hash(&row, &value), (31 + 1) * 31 + 97);
    }
}
