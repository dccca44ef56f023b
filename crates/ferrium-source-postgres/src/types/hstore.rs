//! `hstore` text (`"a"=>"1", "b"=>NULL`) to Debezium's JSON string or Connect map.
//!
//! Debezium parses hstore with pgjdbc's `HStoreConverter.fromString`, which fills a
//! `java.util.HashMap`, and then writes the entries in that map's iteration order (JSON via
//! Jackson, or the Connect map). To produce the same bytes the entries are put in Java
//! `HashMap` order here: by bucket (`String.hashCode` spread and masked by the table size
//! the map grew to), insertion order within a bucket. A bucket of nine or more keys in a
//! table of 64+ slots would be turned into a tree by Java, whose order is not reproduced;
//! that takes deliberately colliding keys.

use std::collections::hash_map::{Entry, HashMap};

pub(crate) type Entries = Vec<(String, Option<String>)>;

/// Parses hstore output in its source order.
pub(crate) fn parse_hstore(text: &str) -> Result<Entries, &'static str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        skip_ws(b, &mut i);
        if i == b.len() {
            return Ok(out);
        }
        let key = quoted(text, &mut i)?;
        skip_ws(b, &mut i);
        if !text[i..].starts_with("=>") {
            return Err("expected '=>' in hstore");
        }
        i += 2;
        skip_ws(b, &mut i);
        let value = if text[i..].starts_with("NULL") {
            i += 4;
            None
        } else {
            Some(quoted(text, &mut i)?)
        };
        out.push((key, value));
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            None => return Ok(out),
            Some(_) => return Err("expected ',' between hstore pairs"),
        }
    }
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
        *i += 1;
    }
}

fn quoted(text: &str, i: &mut usize) -> Result<String, &'static str> {
    let rest = text.get(*i..).ok_or("malformed hstore")?;
    let mut chars = rest.char_indices();
    if !matches!(chars.next(), Some((_, '"'))) {
        return Err("expected a quoted hstore key or value");
    }
    let mut s = String::new();
    while let Some((pos, c)) = chars.next() {
        match c {
            '"' => {
                *i += pos + 1;
                return Ok(s);
            }
            '\\' => s.push(chars.next().ok_or("unterminated hstore string")?.1),
            c => s.push(c),
        }
    }
    Err("unterminated hstore string")
}

/// `String.hashCode()`: over UTF-16 code units, wrapping.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Reorders `entries` (in insertion order) into `java.util.HashMap` iteration order.
/// A repeated key keeps its first position and takes the last value, as `put` does.
pub(crate) fn java_hashmap_order(mut entries: Entries) -> Entries {
    let mut keep = vec![true; entries.len()];
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    {
        let mut first_at: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for (n, (k, _)) in entries.iter().enumerate() {
            match first_at.entry(k.as_str()) {
                Entry::Occupied(first) => {
                    repeats.push((*first.get(), n));
                    keep[n] = false;
                }
                Entry::Vacant(slot) => {
                    slot.insert(n);
                }
            }
        }
    }
    for (first, repeat) in repeats {
        let value = entries[repeat].1.take();
        entries[first].1 = value;
    }
    let mut unique: Vec<(u32, String, Option<String>)> = entries
        .into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|((k, v), _)| {
            let h = java_string_hash(&k) as u32;
            (h ^ (h >> 16), k, v)
        })
        .collect();
    let mut capacity: usize = 16;
    let mut counts = vec![0u32; capacity];
    for n in 0..unique.len() {
        let bucket = unique[n].0 as usize & (capacity - 1);
        counts[bucket] += 1;
        // HashMap.treeifyBin resizes instead of treeifying while the table is small.
        if counts[bucket] >= 9 && capacity < 64 {
            capacity *= 2;
            counts = recount(&unique[..=n], capacity);
        }
        if n + 1 > capacity / 4 * 3 {
            capacity *= 2;
            counts = recount(&unique[..=n], capacity);
        }
    }
    let mask = capacity - 1;
    // Stable: equal buckets keep insertion order, as HashMap's bin lists do across resizes.
    unique.sort_by_key(|(h, _, _)| *h as usize & mask);
    unique.into_iter().map(|(_, k, v)| (k, v)).collect()
}

fn recount(entries: &[(u32, String, Option<String>)], capacity: usize) -> Vec<u32> {
    let mut counts = vec![0u32; capacity];
    for (h, _, _) in entries {
        counts[*h as usize & (capacity - 1)] += 1;
    }
    counts
}

/// The entries as Jackson writes them: `{"k":"v","n":null}`, no spaces.
pub(crate) fn to_json(entries: &[(String, Option<String>)]) -> String {
    let mut out = String::with_capacity(2 + entries.len() * 16);
    out.push('{');
    for (n, (k, v)) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_json_string(&mut out, k);
        out.push(':');
        match v {
            Some(v) => push_json_string(&mut out, v),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

/// Jackson's default escaping: `"` `\` and control characters only; `\u00XX` in upper case.
fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(k: &str, v: Option<&str>) -> (String, Option<String>) {
        (k.to_string(), v.map(str::to_string))
    }

    #[test]
    fn parses_quotes_escapes_and_nulls() {
        let parsed =
            parse_hstore(r#""a"=>"1", "b"=>NULL, "q\"uote"=>"back\\slash", "NULL"=>"NULL""#)
                .unwrap();
        assert_eq!(
            parsed,
            vec![
                e("a", Some("1")),
                e("b", None),
                e("q\"uote", Some("back\\slash")),
                e("NULL", Some("NULL")),
            ]
        );
        assert_eq!(parse_hstore("").unwrap(), vec![]);
        assert_eq!(
            parse_hstore(r#""ключ"=>"значение""#).unwrap(),
            vec![e("ключ", Some("значение"))]
        );
        assert!(parse_hstore(r#""a"=>"1"#).is_err());
        assert!(parse_hstore(r#""a"="1""#).is_err());
    }

    #[test]
    fn java_string_hash_matches_known_values() {
        // "a".hashCode() == 97, "ab" == 3105, "hello" == 99162322, "" == 0.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 3105);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // Overflows wrap: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn orders_like_a_java_hashmap() {
        // Buckets in a 16-slot table: "b" = 98 & 15 = 2, "a" = 97 & 15 = 1, "q" = 113 & 15 = 1,
        // "key10": hash 101943486, spread h ^ (h >>> 16) = 101945005 → & 15 = 13.
        let ordered = java_hashmap_order(vec![
            e("key10", Some("x")),
            e("b", Some("2")),
            e("q", None),
            e("a", Some("1")),
        ]);
        let keys: Vec<&str> = ordered.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["q", "a", "b", "key10"]);
        // A repeated key keeps its first slot and its last value.
        let dup = java_hashmap_order(vec![
            e("a", Some("1")),
            e("b", None),
            e("a", Some("2")),
            e("a", Some("3")),
        ]);
        assert_eq!(dup, vec![e("a", Some("3")), e("b", None)]);
    }

    #[test]
    fn grows_the_table_past_twelve_entries() {
        // With 13 keys the table is 32 slots: "k" (107) lands in bucket 11 of 32 but 11 of 16
        // too; "p" (112) is bucket 16 of 32 (0 of 16), so it must come after "k".
        let keys: Vec<String> = [
            "p", "k", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "l",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let ordered = java_hashmap_order(keys.iter().map(|k| (k.clone(), None)).collect());
        let pos = |k: &str| ordered.iter().position(|(x, _)| x == k).unwrap();
        assert!(pos("k") < pos("p"));
        // With 12 keys (no resize) "p" is bucket 0 and comes first.
        let ordered12 = java_hashmap_order(keys[..12].iter().map(|k| (k.clone(), None)).collect());
        assert_eq!(ordered12[0].0, "p");
    }

    #[test]
    fn json_matches_jacksons_output() {
        let json = to_json(&[
            e("a", Some("1")),
            e("b", None),
            e("t\"ab", Some("x\ty\u{1}\\")),
        ]);
        assert_eq!(json, r#"{"a":"1","b":null,"t\"ab":"x\ty\u0001\\"}"#);
        assert_eq!(to_json(&[]), "{}");
        assert_eq!(to_json(&[e("k", Some("\u{1f}é/"))]), r#"{"k":"\u001Fé/"}"#);
    }
}
