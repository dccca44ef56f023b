//! PostgreSQL `COPY … TO STDOUT` text format: splitting the byte stream into rows and rows
//! into fields, for the initial snapshot.
//!
//! Each row is one line ending in `\n`; fields are separated by tabs; `\N` is SQL NULL;
//! a backslash escapes `\b \f \n \r \t \v \\`, `\ddd` (octal), `\xHH` (hex), and any other
//! character stands for itself. Raw tabs and newlines never occur inside a field, so a
//! field without a backslash is a plain slice: the common case costs one word-at-a-time
//! scan and one allocation for the `String`.
//!
//! This runs for every row of a multi-million-row snapshot, so it avoids per-byte work
//! and per-field allocations beyond the output itself.

use std::borrow::Cow;

/// Why a COPY row could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyTextError {
    #[error("COPY field {field} is not valid UTF-8 (first bad byte at {valid_up_to} of the decoded field)")]
    InvalidUtf8 { field: usize, valid_up_to: usize },
    #[error("COPY field {field} ends with a lone backslash")]
    TrailingBackslash { field: usize },
}

/// Splits one row (without its trailing newline) into fields; `None` is SQL NULL.
///
/// An empty line is one empty-string field: a zero-column table's rows cannot be told
/// apart from that here, so the caller, who knows the column count, has to.
pub fn split_copy_row(line: &[u8]) -> Result<Vec<Option<String>>, CopyTextError> {
    let mut fields = Vec::new();
    split_copy_row_into(line, &mut fields)?;
    Ok(fields)
}

/// [`split_copy_row`] into a reused vector (cleared first), to save one allocation per row.
pub fn split_copy_row_into(
    line: &[u8],
    fields: &mut Vec<Option<String>>,
) -> Result<(), CopyTextError> {
    fields.clear();
    let mut pos = 0;
    let mut field = 0;
    loop {
        let rest = &line[pos..];
        match find_either(rest, b'\t', b'\\') {
            None => {
                fields.push(Some(plain(rest, field)?));
                return Ok(());
            }
            Some(i) if rest[i] == b'\t' => {
                fields.push(Some(plain(&rest[..i], field)?));
                pos += i + 1;
            }
            Some(0) if rest.get(1) == Some(&b'N') && matches!(rest.get(2), None | Some(b'\t')) => {
                fields.push(None);
                if rest.len() == 2 {
                    return Ok(());
                }
                pos += 3;
            }
            Some(i) => {
                let (value, consumed, more) = unescape(rest, i, field)?;
                fields.push(Some(value));
                if !more {
                    return Ok(());
                }
                pos += consumed;
            }
        }
        field += 1;
    }
}

fn plain(bytes: &[u8], field: usize) -> Result<String, CopyTextError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(CopyTextError::InvalidUtf8 {
            field,
            valid_up_to: e.valid_up_to(),
        }),
    }
}

/// Decodes a field of `rest` whose first backslash is at `first`. Returns the value, the
/// bytes consumed including the closing tab, and whether another field follows.
fn unescape(
    rest: &[u8],
    first: usize,
    field: usize,
) -> Result<(String, usize, bool), CopyTextError> {
    let mut buf = Vec::with_capacity(first + 32);
    buf.extend_from_slice(&rest[..first]);
    let mut j = first;
    loop {
        // rest[j] is a backslash.
        let c = *rest
            .get(j + 1)
            .ok_or(CopyTextError::TrailingBackslash { field })?;
        j += 2;
        match c {
            b'b' => buf.push(0x08),
            b'f' => buf.push(0x0C),
            b'n' => buf.push(b'\n'),
            b'r' => buf.push(b'\r'),
            b't' => buf.push(b'\t'),
            b'v' => buf.push(0x0B),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match rest.get(j) {
                        Some(&d @ b'0'..=b'7') => {
                            v = (v << 3) + u32::from(d - b'0');
                            j += 1;
                        }
                        _ => break,
                    }
                }
                // PostgreSQL keeps the low byte of `\777`.
                buf.push(v as u8);
            }
            b'x' => match rest.get(j).copied().and_then(hex_value) {
                Some(h) => {
                    j += 1;
                    let mut v = h;
                    if let Some(h2) = rest.get(j).copied().and_then(hex_value) {
                        v = (v << 4) | h2;
                        j += 1;
                    }
                    buf.push(v);
                }
                None => buf.push(b'x'),
            },
            other => buf.push(other),
        }
        let tail = &rest[j..];
        match find_either(tail, b'\t', b'\\') {
            None => {
                buf.extend_from_slice(tail);
                return Ok((into_string(buf, field)?, rest.len(), false));
            }
            Some(k) if tail[k] == b'\t' => {
                buf.extend_from_slice(&tail[..k]);
                return Ok((into_string(buf, field)?, j + k + 1, true));
            }
            Some(k) => {
                buf.extend_from_slice(&tail[..k]);
                j += k;
            }
        }
    }
}

fn into_string(buf: Vec<u8>, field: usize) -> Result<String, CopyTextError> {
    String::from_utf8(buf).map_err(|e| CopyTextError::InvalidUtf8 {
        field,
        valid_up_to: e.utf8_error().valid_up_to(),
    })
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Reassembles COPY rows from data chunks that may split a row or carry several.
///
/// Complete rows inside a chunk are handed out borrowed from that chunk; only a row cut by
/// a chunk boundary is copied (its head waits in a carry-over buffer). PostgreSQL sends one
/// row per CopyData message, so in practice nothing is copied.
#[derive(Debug, Default)]
pub struct CopyLineSplitter {
    carry: Vec<u8>,
}

impl CopyLineSplitter {
    pub fn new() -> Self {
        CopyLineSplitter::default()
    }

    /// Feeds one chunk; the iterator yields every row it completes, newline stripped.
    ///
    /// Rows not taken from the iterator before it is dropped are kept for the next call.
    pub fn push<'a>(&'a mut self, chunk: &'a [u8]) -> CopyLines<'a> {
        let source = if self.carry.is_empty() {
            Source::Chunk {
                first: None,
                rest: chunk,
            }
        } else if find_byte(&self.carry, b'\n').is_none() {
            match find_byte(chunk, b'\n') {
                None => {
                    self.carry.extend_from_slice(chunk);
                    Source::Done
                }
                Some(i) => {
                    let mut first = std::mem::take(&mut self.carry);
                    first.extend_from_slice(&chunk[..i]);
                    Source::Chunk {
                        first: Some(first),
                        rest: &chunk[i + 1..],
                    }
                }
            }
        } else {
            // Only after an earlier iterator was dropped with rows still in it.
            let mut buf = std::mem::take(&mut self.carry);
            buf.extend_from_slice(chunk);
            Source::Owned { buf, pos: 0 }
        };
        CopyLines {
            carry: &mut self.carry,
            source,
        }
    }

    /// Bytes after the last newline. PostgreSQL ends every row with a newline, so anything
    /// left once the COPY is complete means a truncated stream.
    pub fn remainder(&self) -> &[u8] {
        &self.carry
    }
}

/// The rows completed by one [`CopyLineSplitter::push`].
#[derive(Debug)]
pub struct CopyLines<'a> {
    carry: &'a mut Vec<u8>,
    source: Source<'a>,
}

#[derive(Debug)]
enum Source<'a> {
    Chunk {
        first: Option<Vec<u8>>,
        rest: &'a [u8],
    },
    Owned {
        buf: Vec<u8>,
        pos: usize,
    },
    Done,
}

impl<'a> Iterator for CopyLines<'a> {
    type Item = Cow<'a, [u8]>;

    fn next(&mut self) -> Option<Cow<'a, [u8]>> {
        match &mut self.source {
            Source::Chunk { first, rest } => {
                if let Some(line) = first.take() {
                    return Some(Cow::Owned(line));
                }
                let chunk: &'a [u8] = rest;
                match find_byte(chunk, b'\n') {
                    Some(i) => {
                        *rest = &chunk[i + 1..];
                        Some(Cow::Borrowed(&chunk[..i]))
                    }
                    None => {
                        self.carry.extend_from_slice(chunk);
                        self.source = Source::Done;
                        None
                    }
                }
            }
            Source::Owned { buf, pos } => match find_byte(&buf[*pos..], b'\n') {
                Some(i) => {
                    let line = buf[*pos..*pos + i].to_vec();
                    *pos += i + 1;
                    Some(Cow::Owned(line))
                }
                None => {
                    let mut buf = std::mem::take(buf);
                    buf.drain(..*pos);
                    *self.carry = buf;
                    self.source = Source::Done;
                    None
                }
            },
            Source::Done => None,
        }
    }
}

impl Drop for CopyLines<'_> {
    fn drop(&mut self) {
        // Keep whatever was not taken, so the stream stays intact.
        match std::mem::replace(&mut self.source, Source::Done) {
            Source::Chunk { first, rest } => {
                if let Some(line) = first {
                    self.carry.extend_from_slice(&line);
                    self.carry.push(b'\n');
                }
                self.carry.extend_from_slice(rest);
            }
            Source::Owned { mut buf, pos } => {
                buf.drain(..pos);
                *self.carry = buf;
            }
            Source::Done => {}
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each zero byte of `v`. Borrows can flag bytes above a real zero, never
/// below one, so the lowest flag is always exact.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(LO) & !v & HI
}

#[inline]
fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_le_bytes(w)
}

/// Position of the first `a` or `b`, eight bytes at a time.
fn find_either(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    let (va, vb) = (LO * u64::from(a), LO * u64::from(b));
    let mut chunks = hay.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let w = word(chunk);
        let hits = zero_bytes(w ^ va) | zero_bytes(w ^ vb);
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|p| offset + p)
}

/// Position of the first `a`, eight bytes at a time.
fn find_byte(hay: &[u8], a: u8) -> Option<usize> {
    let va = LO * u64::from(a);
    let mut chunks = hay.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let hits = zero_bytes(word(chunk) ^ va);
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a)
        .map(|p| offset + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: &[u8]) -> Vec<Option<String>> {
        split_copy_row(line).unwrap()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn splits_plain_fields_and_nulls() {
        assert_eq!(row(b"1\tabc\t\\N\t"), vec![s("1"), s("abc"), None, s("")]);
        assert_eq!(row(b"\\N"), vec![None]);
        assert_eq!(row(b"\\N\t\\N"), vec![None, None]);
        assert_eq!(row(b""), vec![s("")]);
        assert_eq!(row(b"\t"), vec![s(""), s("")]);
        assert_eq!(
            row(b"a long first field here\tand another long one 0123456789"),
            vec![
                s("a long first field here"),
                s("and another long one 0123456789")
            ]
        );
    }

    #[test]
    fn decodes_every_escape() {
        assert_eq!(row(b"a\\tb\\nc\\\\d\\re"), vec![s("a\tb\nc\\d\re")]);
        assert_eq!(row(b"\\b\\f\\v"), vec![s("\u{8}\u{c}\u{b}")]);
        assert_eq!(row(b"\\101\\7x\\0"), vec![s("A\u{7}x\0")]);
        assert_eq!(row(b"\\x41\\x4z\\xg"), vec![s("A\u{4}zxg")]);
        assert_eq!(row(b"\\q\\.\\\\N"), vec![s("q.\\N")]);
        // Octal bytes forming UTF-8.
        assert_eq!(row(b"caf\\303\\251"), vec![s("café")]);
        // Only an exact \N is NULL.
        assert_eq!(row(b"\\Nx\t\\N"), vec![s("Nx"), None]);
        // A backslash before a raw tab escapes the tab.
        assert_eq!(row(b"a\\\tb\tc"), vec![s("a\tb"), s("c")]);
        assert_eq!(
            row(b"x\tescaped\\tfield that is rather long\\\\\tz"),
            vec![s("x"), s("escaped\tfield that is rather long\\"), s("z")]
        );
    }

    #[test]
    fn reports_bad_utf8_and_dangling_backslash_with_the_field() {
        assert_eq!(
            split_copy_row(b"ok\t\xff").unwrap_err(),
            CopyTextError::InvalidUtf8 {
                field: 1,
                valid_up_to: 0
            }
        );
        assert_eq!(
            split_copy_row(b"ok\tok\tab\\377").unwrap_err(),
            CopyTextError::InvalidUtf8 {
                field: 2,
                valid_up_to: 2
            }
        );
        assert_eq!(
            split_copy_row(b"a\tb\\").unwrap_err(),
            CopyTextError::TrailingBackslash { field: 1 }
        );
        assert!(split_copy_row(b"a\tb\\")
            .unwrap_err()
            .to_string()
            .contains("field 1"));
    }

    #[test]
    fn reuses_the_output_vector() {
        let mut fields = vec![s("stale")];
        split_copy_row_into(b"1\t2", &mut fields).unwrap();
        assert_eq!(fields, vec![s("1"), s("2")]);
    }

    #[test]
    fn word_scans_agree_with_a_naive_search() {
        // Deterministic pseudo-random bytes drawn mostly from a small alphabet.
        let alphabet = [b'a', b'\t', b'\\', 0x80, 0xff, 0x00, b'\n', b'z'];
        let mut x: u32 = 12345;
        for len in 0..70 {
            for _ in 0..20 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        if (x >> 16) % 5 == 1 {
                            alphabet[((x >> 8) % 8) as usize]
                        } else {
                            b'q'
                        }
                    })
                    .collect();
                assert_eq!(
                    find_either(&hay, b'\t', b'\\'),
                    hay.iter().position(|&c| c == b'\t' || c == b'\\')
                );
                assert_eq!(find_byte(&hay, b'\n'), hay.iter().position(|&c| c == b'\n'));
            }
        }
    }

    fn lines_of(splitter: &mut CopyLineSplitter, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(splitter.push(chunk).map(Cow::into_owned));
        }
        out
    }

    #[test]
    fn splitter_rejoins_rows_across_chunks() {
        let data = b"1\tone\n2\ttwo\n3\tthree that is long\n";
        let expected: Vec<Vec<u8>> = vec![
            b"1\tone".to_vec(),
            b"2\ttwo".to_vec(),
            b"3\tthree that is long".to_vec(),
        ];
        // Whole, byte by byte, and at every split point.
        let mut sp = CopyLineSplitter::new();
        assert_eq!(lines_of(&mut sp, &[data]), expected);
        assert!(sp.remainder().is_empty());
        let mut sp = CopyLineSplitter::new();
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(lines_of(&mut sp, &bytes), expected);
        for cut in 0..data.len() {
            let mut sp = CopyLineSplitter::new();
            assert_eq!(
                lines_of(&mut sp, &[&data[..cut], &data[cut..]]),
                expected,
                "cut at {cut}"
            );
        }
        // An unterminated tail stays in the remainder.
        let mut sp = CopyLineSplitter::new();
        assert_eq!(lines_of(&mut sp, &[b"a\nb", b"c"]), vec![b"a".to_vec()]);
        assert_eq!(sp.remainder(), b"bc");
    }

    #[test]
    fn splitter_borrows_rows_that_a_chunk_holds_whole() {
        let mut sp = CopyLineSplitter::new();
        let chunk = b"x\ny\n".to_vec();
        assert!(sp.push(&chunk).all(|line| matches!(line, Cow::Borrowed(_))));
    }

    #[test]
    fn splitter_keeps_rows_of_an_abandoned_iterator() {
        let data = b"r1\nr2\nr3\nr4";
        for cut in 0..data.len() {
            let mut sp = CopyLineSplitter::new();
            let mut got = Vec::new();
            // Take one row from each push, then drop the iterator.
            for chunk in [&data[..cut], &data[cut..]] {
                got.extend(sp.push(chunk).next().map(Cow::into_owned));
            }
            got.extend(sp.push(b"\n").map(Cow::into_owned));
            assert_eq!(
                got,
                vec![
                    b"r1".to_vec(),
                    b"r2".to_vec(),
                    b"r3".to_vec(),
                    b"r4".to_vec()
                ],
                "cut at {cut}"
            );
            assert!(sp.remainder().is_empty());
        }
    }
}

#[cfg(test)]
#[path = "copy_text_prop_tests.rs"]
mod prop_tests;
