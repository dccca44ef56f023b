//! The rows of one chunk while its window is open: filled by the chunk read, thinned by
//! the change stream (a key the stream touches inside the window is dropped, since the
//! stream carries a state at least as new), emitted in key order when the window
//! closes. Bounded by the chunk size.

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

    pub fn open(&mut self) {
        self.open = true;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The stream changed the row with this identity.
    pub fn dedupe(&mut self, identity: &str) {
        if !self.open {
            return;
        }
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
    fn keys_touched_inside_the_window_are_dropped_and_order_kept() {
        let mut w = Window::default();
        w.fill([
            ("1".to_string(), 'a'),
            ("2".to_string(), 'b'),
            ("3".to_string(), 'c'),
        ]);
        w.dedupe("2"); // before the window opens: the read is newer, keep it
        w.open();
        w.dedupe("3");
        w.dedupe("9");
        assert_eq!(w.close(), vec!['a', 'b']);
        assert!(!w.is_open());
        assert!(w.close().is_empty());
    }
}
