//! The changes of one flush, grouped into statements that keep each key's order: writes
//! of a table gather in one segment until a delete or truncate of that table closes it
//! (and the reverse), as Debezium's sink flushes pending upserts before a delete
//! (DBZ-7830). Within a segment a key appears once — the last change wins — because one
//! statement cannot change a row twice; in `insert` mode without the reduction buffer
//! a repeated key stays, so the database refuses the duplicate as Debezium's would.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::InsertMode;
use crate::render::SqlValue;
use crate::table::TargetTable;

/// One statement's worth of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Write {
        table: Arc<TargetTable>,
        /// Column names, key columns first.
        columns: Vec<String>,
        key_len: usize,
        rows: Vec<Vec<SqlValue>>,
    },
    Delete {
        table: Arc<TargetTable>,
        key: Vec<String>,
        rows: Vec<Vec<SqlValue>>,
    },
    Truncate {
        table: Arc<TargetTable>,
    },
}

/// Open segments of one table: at most one per column list, and where each key is.
#[derive(Default)]
struct Open {
    writes: HashMap<Vec<String>, usize>,
    delete: Option<usize>,
    /// Key values → (segment, row) of the open segment that holds the key.
    keys: HashMap<Vec<SqlValue>, (usize, usize)>,
}

/// The segments of one flush, in the order they are applied.
pub struct Batch {
    mode: InsertMode,
    dedupe: bool,
    pub segments: Vec<Segment>,
    open: HashMap<String, Open>,
}

fn table_key(table: &TargetTable) -> String {
    table.name.to_string()
}

impl Batch {
    pub fn new(mode: InsertMode, use_reduction_buffer: bool) -> Batch {
        Batch {
            mode,
            dedupe: use_reduction_buffer || mode != InsertMode::Insert,
            segments: Vec::new(),
            open: HashMap::new(),
        }
    }

    pub fn mode(&self) -> InsertMode {
        self.mode
    }

    /// Adds a row write; `row` holds the key values first.
    pub fn write(
        &mut self,
        table: &Arc<TargetTable>,
        columns: Vec<String>,
        key_len: usize,
        row: Vec<SqlValue>,
    ) {
        let open = self.open.entry(table_key(table)).or_default();
        // A write after a delete of the same table goes after it: the delete's
        // segment closes (its keys were cleared when it opened).
        open.delete = None;
        let key: Vec<SqlValue> = row[..key_len].to_vec();
        let target = open.writes.get(&columns).copied();
        if self.dedupe && key_len > 0 {
            if let Some(&(segment, index)) = open.keys.get(&key) {
                if Some(segment) == target {
                    if let Segment::Write { rows, .. } = &mut self.segments[segment] {
                        rows[index] = row;
                        return;
                    }
                }
                // The key sits in a segment of another column list: close the table's
                // segments so this write is applied after that one.
                open.writes.clear();
                open.keys.clear();
            }
        }
        let segment = match open.writes.get(&columns).copied() {
            Some(s) => s,
            None => {
                self.segments.push(Segment::Write {
                    table: table.clone(),
                    columns: columns.clone(),
                    key_len,
                    rows: Vec::new(),
                });
                let s = self.segments.len() - 1;
                open.writes.insert(columns, s);
                s
            }
        };
        if let Segment::Write { rows, .. } = &mut self.segments[segment] {
            rows.push(row);
            if key_len > 0 {
                open.keys.insert(key, (segment, rows.len() - 1));
            }
        }
    }

    /// Adds a delete by key.
    pub fn delete(&mut self, table: &Arc<TargetTable>, key: Vec<String>, row: Vec<SqlValue>) {
        let open = self.open.entry(table_key(table)).or_default();
        open.writes.clear();
        open.keys.clear();
        let segment = match open.delete {
            Some(s) if matches!(&self.segments[s], Segment::Delete { key: k, .. } if *k == key) => {
                s
            }
            _ => {
                self.segments.push(Segment::Delete {
                    table: table.clone(),
                    key,
                    rows: Vec::new(),
                });
                let s = self.segments.len() - 1;
                open.delete = Some(s);
                s
            }
        };
        if let Segment::Delete { rows, .. } = &mut self.segments[segment] {
            rows.push(row);
        }
    }

    pub fn truncate(&mut self, table: &Arc<TargetTable>) {
        self.open.remove(&table_key(table));
        self.segments.push(Segment::Truncate {
            table: table.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::TableName;

    fn table() -> Arc<TargetTable> {
        Arc::new(TargetTable {
            name: TableName {
                schema: None,
                table: "t".into(),
            },
            columns: Vec::new(),
            primary_key: vec!["id".into()],
        })
    }

    fn v(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn rows(segment: &Segment) -> Vec<Vec<SqlValue>> {
        match segment {
            Segment::Write { rows, .. } | Segment::Delete { rows, .. } => rows.clone(),
            Segment::Truncate { .. } => Vec::new(),
        }
    }

    #[test]
    fn upserts_keep_the_last_change_per_key_and_deletes_split_segments() {
        let t = table();
        let mut b = Batch::new(InsertMode::Upsert, false);
        b.write(&t, cols(&["id", "a"]), 1, vec![v("1"), v("x")]);
        b.write(&t, cols(&["id", "a"]), 1, vec![v("2"), v("y")]);
        b.write(&t, cols(&["id", "a"]), 1, vec![v("1"), v("z")]);
        b.delete(&t, cols(&["id"]), vec![v("2")]);
        b.write(&t, cols(&["id", "a"]), 1, vec![v("2"), v("again")]);
        assert_eq!(b.segments.len(), 3);
        assert_eq!(
            rows(&b.segments[0]),
            vec![vec![v("1"), v("z")], vec![v("2"), v("y")]]
        );
        assert_eq!(rows(&b.segments[1]), vec![vec![v("2")]]);
        assert_eq!(rows(&b.segments[2]), vec![vec![v("2"), v("again")]]);
    }

    #[test]
    fn a_key_moving_between_column_lists_keeps_its_order() {
        let t = table();
        let mut b = Batch::new(InsertMode::Upsert, false);
        b.write(
            &t,
            cols(&["id", "a", "big"]),
            1,
            vec![v("1"), v("x"), v("B")],
        );
        // The TOASTed column was unavailable: the row is written without it.
        b.write(&t, cols(&["id", "a"]), 1, vec![v("1"), v("y")]);
        b.write(
            &t,
            cols(&["id", "a", "big"]),
            1,
            vec![v("1"), v("z"), v("C")],
        );
        assert_eq!(b.segments.len(), 3);
        assert_eq!(rows(&b.segments[2]), vec![vec![v("1"), v("z"), v("C")]]);
    }

    #[test]
    fn insert_mode_keeps_duplicates_for_the_database_to_refuse() {
        let t = table();
        let mut b = Batch::new(InsertMode::Insert, false);
        b.write(&t, cols(&["id"]), 1, vec![v("1")]);
        b.write(&t, cols(&["id"]), 1, vec![v("1")]);
        assert_eq!(rows(&b.segments[0]).len(), 2);
        let mut b = Batch::new(InsertMode::Insert, true);
        b.write(&t, cols(&["id"]), 1, vec![v("1")]);
        b.write(&t, cols(&["id"]), 1, vec![v("1")]);
        assert_eq!(rows(&b.segments[0]).len(), 1);
    }
}
