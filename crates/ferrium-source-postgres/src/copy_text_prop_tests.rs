//! Property tests of the COPY text splitter (#13 item 8): any bytes split into fields or
//! give a `CopyTextError`, never a panic; escaped fields come back as they were; any
//! chunking of the stream gives the same rows.
//! `PROPTEST_CASES` raises the case count (`bench/fuzz.sh` runs a million).

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use super::*;

/// `cases` unless `PROPTEST_CASES` says otherwise (`with_cases` alone ignores it).
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    config.failure_persistence = None;
    config
}

/// Bytes rich in the characters the splitter looks at.
fn row_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(
            prop::sample::select(b"\t\\Nxn0178aF\xc3\xa9\xff ".to_vec()),
            0..64
        ),
    ]
}

/// One field as PostgreSQL could write it, each special byte escaped one of its ways.
fn escape(field: &Option<String>, styles: &[u8]) -> Vec<u8> {
    let Some(text) = field else {
        return b"\\N".to_vec();
    };
    let mut out = Vec::new();
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let style = styles.get(i % styles.len().max(1)).copied().unwrap_or(0) % 3;
        match (b, style) {
            (b'\\', _) => out.extend_from_slice(b"\\\\"),
            (b'\t', 0) => out.extend_from_slice(b"\\t"),
            (b'\n', 0) => out.extend_from_slice(b"\\n"),
            (b'\r', 0) => out.extend_from_slice(b"\\r"),
            (b'\t' | b'\n' | b'\r', 1) => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            (b'\t' | b'\n' | b'\r', _) => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

proptest! {
    #![proptest_config(config(5_000))]

    #[test]
    fn any_row_splits_or_fails_cleanly(line in row_bytes()) {
        let mut reused = vec![Some("stale".to_string())];
        let fields = split_copy_row(&line);
        let again = split_copy_row_into(&line, &mut reused).map(|()| reused);
        prop_assert_eq!(fields, again);
    }

    #[test]
    fn escaped_fields_round_trip(
        fields in prop::collection::vec(prop::option::of("[a-z\t\n\r\\\\N\u{e9}]{0,12}"), 1..8),
        styles in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let line = fields
            .iter()
            .map(|f| escape(f, &styles))
            .collect::<Vec<_>>()
            .join(&b'\t');
        prop_assert_eq!(split_copy_row(&line).unwrap(), fields);
    }

    #[test]
    fn any_chunking_gives_the_same_rows(
        data in prop::collection::vec(prop::sample::select(b"ab\n\t\\".to_vec()), 0..96),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        takes in prop::collection::vec(0usize..4, 8),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
        cuts.push(0);
        cuts.push(data.len());
        cuts.sort_unstable();
        let mut splitter = CopyLineSplitter::new();
        let mut rows: Vec<Vec<u8>> = Vec::new();
        for (n, pair) in cuts.windows(2).enumerate() {
            // Some iterators are dropped before they are drained: rows must not be lost.
            let take = if n + 2 == cuts.len() { usize::MAX } else { takes[n % takes.len()] };
            rows.extend(splitter.push(&data[pair[0]..pair[1]]).take(take).map(|l| l.into_owned()));
        }
        rows.extend(splitter.push(&[]).map(|l| l.into_owned()));
        let mut expected: Vec<Vec<u8>> = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let tail = expected.pop().unwrap_or_default();
        prop_assert_eq!(rows, expected);
        prop_assert_eq!(splitter.remainder(), tail.as_slice());
    }
}
