//! The embedded default sink: one JSON line per record on stdout,
//! `{"topic": …, "key": …, "value": …}`, so a demo needs no Kafka.
//!
//! A batch is durable once it is written and flushed to the file descriptor: what a
//! pipe or file downstream receives is then out of Ferrium's hands.

use std::io::Write;

use ferrium_event::SerializedRecord;

use crate::{Delivery, Sink, SinkError};

pub struct StdoutSink<W: Write + Send = std::io::Stdout> {
    out: W,
    line: Vec<u8>,
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

impl<W: Write + Send> StdoutSink<W> {
    pub fn to(out: W) -> Self {
        StdoutSink {
            out,
            line: Vec::with_capacity(64 * 1024),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn encode(&mut self, record: &SerializedRecord) {
        // Key and value are already JSON (the JSON converter's output), so they are
        // embedded as they are rather than re-parsed.
        self.line.extend_from_slice(b"{\"topic\":");
        let _ = serde_json_escape(&mut self.line, &record.topic);
        self.line.extend_from_slice(b",\"key\":");
        match &record.key {
            Some(k) => self.line.extend_from_slice(k),
            None => self.line.extend_from_slice(b"null"),
        }
        self.line.extend_from_slice(b",\"value\":");
        match &record.value {
            Some(v) => self.line.extend_from_slice(v),
            None => self.line.extend_from_slice(b"null"),
        }
        self.line.extend_from_slice(b"}\n");
    }
}

fn serde_json_escape(out: &mut Vec<u8>, s: &str) -> std::fmt::Result {
    out.push(b'"');
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
    Ok(())
}

#[async_trait::async_trait]
impl<W: Write + Send> Sink for StdoutSink<W> {
    async fn write(&mut self, batch: Vec<SerializedRecord>) -> Result<Delivery, SinkError> {
        self.line.clear();
        for record in &batch {
            self.encode(record);
        }
        self.out.write_all(&self.line)?;
        self.out.flush()?;
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
            SerializedRecord {
                topic: "p.s.t".into(),
                key: Some(br#"{"id":1}"#.to_vec()),
                value: Some(br#"{"op":"c"}"#.to_vec()),
                headers: vec![],
            },
            SerializedRecord {
                topic: "p.s.t".into(),
                key: Some(br#"{"id":1}"#.to_vec()),
                value: None,
                headers: vec![],
            },
        ];
        let delivery = sink.write(batch).await.unwrap();
        delivery.await.unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        assert_eq!(
            text,
            "{\"topic\":\"p.s.t\",\"key\":{\"id\":1},\"value\":{\"op\":\"c\"}}\n{\"topic\":\"p.s.t\",\"key\":{\"id\":1},\"value\":null}\n"
        );
    }
}
