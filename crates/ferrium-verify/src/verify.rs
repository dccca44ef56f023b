//! The comparison: the source is streamed into key → digest, the target is streamed
//! against it (each table read once, no row kept), then the few sample rows that differ
//! are read back by key to name their differing columns.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::{describe, ColumnInfo};
use crate::columns::Pairing;
use crate::db::{Database, Endpoint};
use crate::digest::{canonical_row, decode_key, digest_row};
use crate::error::{Side, VerifyError};
use crate::report::{ColumnDifference, DifferentRow, Key, KeyPart, Report, Samples};

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub source: Endpoint,
    pub target: Endpoint,
    /// Overrides the source's primary key.
    pub key: Option<Vec<String>>,
    /// Source columns not to compare.
    pub exclude: Vec<String>,
    /// Sample rows kept per kind of difference.
    pub samples: usize,
}

/// The table name the copy has by default: the source table's bare name.
pub fn default_target_table(source_table: &str) -> String {
    source_table
        .rsplit_once('.')
        .map_or(source_table, |(_, name)| name)
        .to_string()
}

/// A sample key, ordered part by part with integers by value, so samples read
/// `id=7, id=100007` and not in text order.
#[derive(PartialEq, Eq)]
struct SampleKey(Box<str>);

impl Ord for SampleKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (decode_key(&self.0), decode_key(&other.0));
        for (x, y) in a.iter().zip(&b) {
            let order = match (x, y) {
                (Some(x), Some(y)) => match (x.parse::<i128>(), y.parse::<i128>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                },
                _ => x.cmp(y),
            };
            if order.is_ne() {
                return order;
            }
        }
        a.len().cmp(&b.len()).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for SampleKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The smallest `limit` keys offered, so samples do not depend on read order.
struct Smallest {
    limit: usize,
    keys: BTreeSet<SampleKey>,
}

impl Smallest {
    fn new(limit: usize) -> Smallest {
        Smallest {
            limit,
            keys: BTreeSet::new(),
        }
    }

    fn offer(&mut self, key: &str) {
        if self.limit == 0 {
            return;
        }
        let key = SampleKey(key.into());
        if self.keys.len() >= self.limit {
            match self.keys.last() {
                Some(last) if *last > key => {}
                _ => return,
            }
        }
        self.keys.insert(key);
        if self.keys.len() > self.limit {
            self.keys.pop_last();
        }
    }
}

/// Compares the source table with its copy.
pub async fn verify(options: &VerifyOptions) -> Result<Report, VerifyError> {
    let mut source = Database::open(Side::Source, &options.source).await?;
    let mut target = Database::open(Side::Target, &options.target).await?;
    let source_table = describe(&mut source, &options.source.table).await?;
    let target_table = describe(&mut target, &options.target.table).await?;
    let pairing = Pairing::build(
        &source_table,
        &target_table,
        options.key.as_deref(),
        &options.exclude,
    )?;
    let source_columns: Vec<&ColumnInfo> = pairing.pairs.iter().map(|p| &p.source).collect();
    let target_columns: Vec<&ColumnInfo> = pairing.pairs.iter().map(|p| &p.target).collect();
    let (pairs, key_len) = (&pairing.pairs, pairing.key_len);

    tracing::info!(
        source = %source_table.display(),
        target = %target_table.display(),
        columns = pairs.len(),
        "verify: reading the source"
    );
    let mut digests: HashMap<Box<str>, u128> = HashMap::new();
    let mut duplicates = 0u64;
    let mut duplicate_samples = Smallest::new(options.samples);
    let source_rows = source
        .scan(&source_table, &source_columns, |values| {
            let (key, digest) = digest_row(pairs, key_len, Side::Source, values);
            if digests.contains_key(&key) {
                duplicates += 1;
                duplicate_samples.offer(&key);
            }
            digests.insert(key, digest);
        })
        .await?;

    tracing::info!(rows = source_rows, "verify: reading the target");
    let (mut matched, mut different, mut extra) = (0u64, 0u64, 0u64);
    let mut different_samples = Smallest::new(options.samples);
    let mut extra_samples = Smallest::new(options.samples);
    let target_rows = target
        .scan(&target_table, &target_columns, |values| {
            let (key, digest) = digest_row(pairs, key_len, Side::Target, values);
            // Removed once matched: a second target row with the key is an extra row.
            match digests.remove(&key) {
                Some(d) if d == digest => matched += 1,
                Some(_) => {
                    different += 1;
                    different_samples.offer(&key);
                }
                None => {
                    extra += 1;
                    extra_samples.offer(&key);
                }
            }
        })
        .await?;
    let missing = digests.len() as u64;
    let mut missing_samples = Smallest::new(options.samples);
    for key in digests.keys() {
        missing_samples.offer(key);
    }
    drop(digests);
    tracing::info!(
        source_rows,
        target_rows,
        matched,
        missing,
        extra,
        different,
        "verify: compared"
    );

    let key_names = pairing.key_names();
    let to_key = |encoded: &str| -> Key {
        key_names
            .iter()
            .zip(decode_key(encoded))
            .map(|(column, value)| KeyPart {
                column: column.clone(),
                value,
            })
            .collect()
    };
    let mut different_rows = Vec::new();
    for SampleKey(encoded) in &different_samples.keys {
        let key = decode_key(encoded);
        let s = source.lookup(&source_table, &source_columns, &key).await?;
        let t = target.lookup(&target_table, &target_columns, &key).await?;
        let columns = match (s, t) {
            (Some(s), Some(t)) => {
                let s = as_cow(&s);
                let t = as_cow(&t);
                let s = canonical_row(pairs, Side::Source, &s);
                let t = canonical_row(pairs, Side::Target, &t);
                pairs
                    .iter()
                    .zip(s.iter().zip(&t))
                    .skip(key_len)
                    .filter(|(_, (a, b))| a != b)
                    .map(|(pair, (a, b))| ColumnDifference {
                        column: pair.source.name.clone(),
                        source: a.as_deref().map(str::to_string),
                        target: b.as_deref().map(str::to_string),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        different_rows.push(DifferentRow {
            key: to_key(encoded),
            columns,
        });
    }
    let keys = |s: &Smallest| s.keys.iter().map(|k| to_key(&k.0)).collect::<Vec<_>>();
    Ok(Report {
        source: format!("{} {}", source.url.display(), source_table.display()),
        target: format!("{} {}", target.url.display(), target_table.display()),
        key: key_names.clone(),
        compared: pairing.compared_names(),
        source_rows,
        target_rows,
        matched,
        missing_in_target: missing,
        extra_in_target: extra,
        different,
        duplicate_source_keys: duplicates,
        shape: pairing.shape.clone(),
        notes: pairing.notes.clone(),
        samples: Samples {
            missing_in_target: keys(&missing_samples),
            extra_in_target: keys(&extra_samples),
            different: different_rows,
            duplicate_source_keys: keys(&duplicate_samples),
        },
    })
}

fn as_cow(values: &[Option<String>]) -> Vec<Option<std::borrow::Cow<'_, str>>> {
    values
        .iter()
        .map(|v| v.as_deref().map(std::borrow::Cow::Borrowed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_target_is_the_bare_table_name() {
        assert_eq!(default_target_table("public.orders"), "orders");
        assert_eq!(default_target_table("orders"), "orders");
    }

    #[test]
    fn samples_are_the_smallest_keys_whatever_the_order() {
        let mut s = Smallest::new(3);
        for k in [r#"["d"]"#, r#"["b"]"#, r#"["e"]"#, r#"["a"]"#, r#"["c"]"#] {
            s.offer(k);
        }
        let kept: Vec<&str> = s.keys.iter().map(|k| &*k.0).collect();
        assert_eq!(kept, [r#"["a"]"#, r#"["b"]"#, r#"["c"]"#]);
        // Integers by value, part by part.
        let mut s = Smallest::new(3);
        for k in [r#"["100007"]"#, r#"["7"]"#, r#"["999991"]"#, r#"["-1"]"#] {
            s.offer(k);
        }
        let kept: Vec<&str> = s.keys.iter().map(|k| &*k.0).collect();
        assert_eq!(kept, [r#"["-1"]"#, r#"["7"]"#, r#"["100007"]"#]);
        let mut s = Smallest::new(2);
        for k in [r#"["b","10"]"#, r#"["a","9"]"#, r#"["a","10"]"#] {
            s.offer(k);
        }
        let kept: Vec<&str> = s.keys.iter().map(|k| &*k.0).collect();
        assert_eq!(kept, [r#"["a","9"]"#, r#"["a","10"]"#]);
    }
}
