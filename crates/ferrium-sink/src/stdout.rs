//! The embedded default sink: one JSON line per record on stdout,
//! `{"topic": …, "key": …, "value": …}`, so a demo needs no Kafka.
//!
//! A batch is durable once it is written and flushed to the file descriptor: what a
//! pipe or file downstream receives is then out of Ferrium's hands.

use std::io::{IoSlice, Write};

use ferrium_event::SerializedRecord;

use crate::{Delivery, Sink, SinkError};

pub struct StdoutSink<W: Write + Send = std::io::Stdout> {
    out: W,
    /// The text around each record's key and value, for the whole batch.
    frames: Vec<u8>,
}

impl StdoutSink {
    pub fn new() -> Self {
        StdoutSink::to(std::io::stdout())
    }
}

impl Default for StdoutSink {
    fn default() -> Self {
        Self::new()
    }
}

/// At most this many slices per `writev` (Linux's `IOV_MAX`).
const MAX_SLICES: usize = 1024;

impl<W: Write + Send> StdoutSink<W> {
    pub fn to(out: W) -> Self {
        StdoutSink {
            out,
            frames: Vec::with_capacity(16 * 1024),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes the batch as lines `{"topic":…,"key":…,"value":…}`, with `"headers":{…}`
    /// after the value when the record has headers. Key and value are already JSON (the
    /// JSON converter's output), so they are embedded as they are, and handed to the
    /// kernel where they lie (vectored writes) rather than copied into one line buffer
    /// first: they are most of the bytes.
    fn write_lines(&mut self, batch: &[SerializedRecord]) -> std::io::Result<()> {
        // Per record: `{"topic":"…","key":` up to its first mark, then what follows the
        // value (`}` and a newline, headers before them) up to its second.
        self.frames.clear();
        let mut marks = Vec::with_capacity(batch.len());
        for record in batch {
            self.frames.extend_from_slice(b"{\"topic\":");
            json_string(&mut self.frames, &record.topic);
            self.frames.extend_from_slice(b",\"key\":");
            let prefix_end = self.frames.len();
            if !record.headers.is_empty() {
                self.frames.extend_from_slice(b",\"headers\":{");
                for (i, (key, value)) in record.headers.iter().enumerate() {
                    if i > 0 {
                        self.frames.push(b',');
                    }
                    json_string(&mut self.frames, key);
                    self.frames.push(b':');
                    match value {
                        None => self.frames.extend_from_slice(b"null"),
                        // Header converters write text; other bytes are shown lossily.
                        Some(bytes) => {
                            json_string(&mut self.frames, &String::from_utf8_lossy(bytes))
                        }
                    }
                }
                self.frames.push(b'}');
            }
            self.frames.extend_from_slice(b"}\n");
            marks.push((prefix_end, self.frames.len()));
        }
        let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(MAX_SLICES);
        let mut start = 0;
        for (record, &(prefix_end, end)) in batch.iter().zip(&marks) {
            if slices.len() + 5 > MAX_SLICES {
                write_all_vectored(&mut self.out, &mut slices)?;
            }
            slices.push(IoSlice::new(&self.frames[start..prefix_end]));
            slices.push(IoSlice::new(record.key.as_deref().unwrap_or(b"null")));
            slices.push(IoSlice::new(b",\"value\":"));
            slices.push(IoSlice::new(record.value.as_deref().unwrap_or(b"null")));
            slices.push(IoSlice::new(&self.frames[prefix_end..end]));
            start = end;
        }
        write_all_vectored(&mut self.out, &mut slices)?;
        self.out.flush()
    }
}

/// Writes every slice, however the writer splits them up; leaves `slices` empty.
fn write_all_vectored<W: Write>(out: &mut W, slices: &mut Vec<IoSlice<'_>>) -> std::io::Result<()> {
    let mut rest: &mut [IoSlice<'_>] = slices.as_mut_slice();
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    slices.clear();
    Ok(())
}

fn json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Topic names need no escaping in practice.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[async_trait::async_trait]
impl<W: Write + Send> Sink for StdoutSink<W> {
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        self.write_lines(&batch)?;
        Ok(Box::pin(async { Ok(()) }))
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_one_json_line_per_record_with_null_tombstones() {
        let mut sink = StdoutSink::to(Vec::new());
        let batch = vec![
            SerializedRecord::new(
                "p.s.t".into(),
                Some(br#"{"id":1}"#.to_vec()),
                Some(br#"{"op":"c"}"#.to_vec()),
            ),
            SerializedRecord::new("p.s.t".into(), Some(br#"{"id":1}"#.to_vec()), None),
        ];
        let delivery = sink.write(batch).await.unwrap();
        delivery.await.unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        assert_eq!(
            text,
            "{\"topic\":\"p.s.t\",\"key\":{\"id\":1},\"value\":{\"op\":\"c\"}}\n{\"topic\":\"p.s.t\",\"key\":{\"id\":1},\"value\":null}\n"
        );
    }

    #[tokio::test]
    async fn headers_follow_the_value_as_text() {
        let mut sink = StdoutSink::to(Vec::new());
        let mut record = SerializedRecord::new("t".into(), None, Some(b"1".to_vec()));
        record.headers = vec![
            ("id".into(), Some(b"a\"b".to_vec())),
            ("empty".into(), None),
        ];
        sink.write(vec![record]).await.unwrap().await.unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        assert_eq!(
            text,
            "{\"topic\":\"t\",\"key\":null,\"value\":1,\"headers\":{\"id\":\"a\\\"b\",\"empty\":null}}\n"
        );
        let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["headers"]["id"], "a\"b");
    }

    /// A pipe that takes a few bytes at a time.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Partial writes and batches larger than one `writev` still give whole lines, in order.
    #[tokio::test]
    async fn partial_writes_and_long_batches_keep_every_line_whole() {
        let mut sink = StdoutSink::to(Trickle(Vec::new()));
        let batch: Vec<SerializedRecord> = (0..500)
            .map(|i| {
                SerializedRecord::new(
                    "p.s.\"t\"".into(),
                    Some(format!(r#"{{"id":{i}}}"#).into_bytes()),
                    (i % 3 != 0).then(|| format!(r#"{{"v":{i}}}"#).into_bytes()),
                )
            })
            .collect();
        sink.write(batch).await.unwrap().await.unwrap();
        let text = String::from_utf8(sink.into_inner().0).unwrap();
        let expected: String = (0..500)
            .map(|i| {
                let value = if i % 3 != 0 {
                    format!(r#"{{"v":{i}}}"#)
                } else {
                    "null".into()
                };
                format!(
                    "{{\"topic\":\"p.s.\\\"t\\\"\",\"key\":{{\"id\":{i}}},\"value\":{value}}}\n"
                )
            })
            .collect();
        assert_eq!(text, expected);
    }
}
