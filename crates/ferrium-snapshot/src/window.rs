//! The rows of one chunk from its read until its window closes: filled by the chunk
//! read, thinned by the change stream, emitted in key order when the window closes.
//! Bounded by the chunk size.
//!
//! A key the stream touches from the read on is dropped, not only inside the window
//! (between the watermarks). On PostgreSQL a transaction's commit record can precede the
//! open watermark in the WAL while the transaction is still visible to the chunk's
//! snapshot as running (it has not yet left the proc array, typically because the
//! watermark's commit flushed its record in the same group commit): its change comes
//! before the window, and the chunk holds the state before it. Keeping that row would
//! put a deleted or outdated row after the stream's event. Dropping a row the stream
//! changed is always safe, because the stream delivers every change up to the close
//! watermark, so the key's last event is the newest state either way.

use std::collections::HashMap;

#[derive(Debug)]
pub struct Window<R> {
    open: bool,
    rows: Vec<Option<R>>,
    index: HashMap<String, usize>,
}

impl<R> Default for Window<R> {
    fn default() -> Self {
        Window {
            open: false,
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<R> Window<R> {
    /// The chunk's rows, in key order, each with its identity.
    pub fn fill(&mut self, rows: impl IntoIterator<Item = (String, R)>) {
        self.clear();
        for (identity, row) in rows {
            self.index.insert(identity, self.rows.len());
            self.rows.push(Some(row));
        }
    }

    /// The open watermark arrived: the close watermark that follows is this chunk's.
    pub fn open(&mut self) {
        self.open = true;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The stream changed the row with this identity.
    pub fn dedupe(&mut self, identity: &str) {
        if let Some(i) = self.index.remove(identity) {
            self.rows[i] = None;
        }
    }

    /// Closes the window; the rows the stream did not touch, in key order.
    pub fn close(&mut self) -> Vec<R> {
        let rows = std::mem::take(&mut self.rows)
            .into_iter()
            .flatten()
            .collect();
        self.clear();
        rows
    }

    pub fn clear(&mut self) {
        self.open = false;
        self.rows.clear();
        self.index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_touched_from_the_read_on_are_dropped_and_order_kept() {
        let mut w = Window::default();
        w.fill([
            ("1".to_string(), 'a'),
            ("2".to_string(), 'b'),
            ("3".to_string(), 'c'),
        ]);
        w.dedupe("2"); // before the open watermark: the read may predate it
        w.open();
        w.dedupe("3");
        w.dedupe("9");
        assert_eq!(w.close(), vec!['a']);
        assert!(!w.is_open());
        assert!(w.close().is_empty());
    }
}
