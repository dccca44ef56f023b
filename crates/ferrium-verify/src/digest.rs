//! A row reduced to what the comparison keeps of it: its key as canonical text and a
//! 128-bit digest of its canonical values. Key and values are framed (NULL marked,
//! lengths given) so no two different rows can feed the hash the same bytes.

use std::borrow::Cow;

use xxhash_rust::xxh3::Xxh3;

use crate::canonical::canonical;
use crate::columns::Pair;
use crate::error::Side;

/// The canonical texts of one side's row, in the pairs' order.
pub fn canonical_row<'a>(
    pairs: &[Pair],
    side: Side,
    values: &'a [Option<Cow<'a, str>>],
) -> Vec<Option<Cow<'a, str>>> {
    pairs
        .iter()
        .zip(values)
        .map(|(pair, value)| {
            let family = match side {
                Side::Source => pair.source.family,
                Side::Target => pair.target.family,
            };
            value.as_deref().map(|v| canonical(family, pair.canon, v))
        })
        .collect()
}

/// The key (the first `key_len` values) as text, and the digest of the whole row.
pub fn digest_row(
    pairs: &[Pair],
    key_len: usize,
    side: Side,
    values: &[Option<Cow<'_, str>>],
) -> (Box<str>, u128) {
    let row = canonical_row(pairs, side, values);
    let mut hasher = Xxh3::new();
    for value in &row {
        match value {
            None => hasher.update(&[0]),
            Some(v) => {
                hasher.update(&[1]);
                hasher.update(&(v.len() as u64).to_le_bytes());
                hasher.update(v.as_bytes());
            }
        }
    }
    (encode_key(&row[..key_len]), hasher.digest128())
}

/// A key as a JSON array of its canonical texts: unambiguous, and readable back.
pub fn encode_key(values: &[Option<Cow<'_, str>>]) -> Box<str> {
    let parts: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
    // Serialising strings and nulls cannot fail.
    serde_json::to_string(&parts)
        .unwrap_or_default()
        .into_boxed_str()
}

pub fn decode_key(key: &str) -> Vec<Option<String>> {
    serde_json::from_str(key).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ColumnInfo;
    use crate::family::{Canon, Family};

    fn pair(name: &str, source: Family, target: Family, canon: Canon) -> Pair {
        let info = |family| ColumnInfo {
            name: name.into(),
            type_name: String::new(),
            family,
        };
        Pair {
            source: info(source),
            target: info(target),
            canon,
        }
    }

    fn row(values: &[Option<&'static str>]) -> Vec<Option<Cow<'static, str>>> {
        values.iter().map(|v| v.map(Cow::Borrowed)).collect()
    }

    #[test]
    fn the_same_values_from_either_side_give_the_same_digest() {
        let pairs = [
            pair(
                "id",
                Family::Int { boolish: false },
                Family::Int { boolish: false },
                Canon::Int,
            ),
            pair(
                "ok",
                Family::Bool,
                Family::Int { boolish: true },
                Canon::Bool,
            ),
            pair("price", Family::Decimal, Family::Decimal, Canon::Decimal),
        ];
        let source = digest_row(
            &pairs,
            1,
            Side::Source,
            &row(&[Some("7"), Some("true"), Some("1.50")]),
        );
        let target = digest_row(
            &pairs,
            1,
            Side::Target,
            &row(&[Some("7"), Some("1"), Some("1.5")]),
        );
        assert_eq!(source, target);
        assert_eq!(&*source.0, r#"["7"]"#);
        let changed = digest_row(
            &pairs,
            1,
            Side::Target,
            &row(&[Some("7"), Some("0"), Some("1.5")]),
        );
        assert_ne!(source.1, changed.1);
    }

    #[test]
    fn null_empty_and_shifted_text_differ() {
        let text = Family::Text { padded: false };
        let pairs = [
            pair("a", text, text, Canon::Text),
            pair("b", text, text, Canon::Text),
        ];
        let d = |v: &[Option<&'static str>]| digest_row(&pairs, 1, Side::Source, &row(v)).1;
        assert_ne!(d(&[Some("x"), None]), d(&[Some("x"), Some("")]));
        assert_ne!(d(&[Some("ab"), Some("c")]), d(&[Some("a"), Some("bc")]));
        assert_eq!(decode_key(r#"["a",null]"#), [Some("a".to_string()), None]);
    }
}
