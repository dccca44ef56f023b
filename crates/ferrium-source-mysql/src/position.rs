//! Binlog coordinates and GTID sets: where a change is in the server's binlog, ordered so
//! that the schema history can tell which DDL came before a resume point.
//!
//! Positions compare by binlog file sequence number (the numeric suffix, which MySQL and
//! MariaDB increase by one at each rotation), then by byte offset. That order only holds
//! within one server's binlog; after a fail-over to another server GTIDs are what matches,
//! and Ferrium refuses to resume a position the server does not have.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A byte position in a named binlog file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BinlogPosition {
    pub file: String,
    pub pos: u64,
}

impl BinlogPosition {
    pub fn new(file: impl Into<String>, pos: u64) -> Self {
        BinlogPosition {
            file: file.into(),
            pos,
        }
    }

    /// The numeric suffix of the file name (`binlog.000042` → 42).
    fn sequence(&self) -> Option<u64> {
        let (_, suffix) = self.file.rsplit_once('.')?;
        suffix.parse().ok()
    }
}

impl PartialOrd for BinlogPosition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BinlogPosition {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_file = match (self.sequence(), other.sequence()) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.file.cmp(&other.file),
        };
        by_file.then(self.pos.cmp(&other.pos))
    }
}

impl fmt::Display for BinlogPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.pos)
    }
}

/// The GTIDs a server (or Ferrium) has seen, in the server's own notation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GtidSet {
    /// No GTIDs known (GTIDs off, or nothing seen yet).
    #[default]
    Empty,
    /// MariaDB: the last `domain-server-seq` per replication domain (`gtid_binlog_pos`).
    MariaDb(BTreeMap<u32, (u32, u64)>),
    /// MySQL: per source UUID, the executed transaction-number intervals
    /// (`3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7`).
    Mysql(BTreeMap<String, Vec<(u64, u64)>>),
}

/// One transaction's GTID as the binlog announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gtid {
    MariaDb { domain: u32, server: u32, seq: u64 },
    Mysql { uuid: String, number: u64 },
}

impl fmt::Display for Gtid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gtid::MariaDb {
                domain,
                server,
                seq,
            } => write!(f, "{domain}-{server}-{seq}"),
            Gtid::Mysql { uuid, number } => write!(f, "{uuid}:{number}"),
        }
    }
}

impl GtidSet {
    /// Parses `gtid_binlog_pos` / `gtid_executed` text; MariaDB's form is recognised by
    /// its `domain-server-seq` triples.
    pub fn parse(text: &str) -> Result<GtidSet, String> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if text.is_empty() {
            return Ok(GtidSet::Empty);
        }
        let bad = || format!("'{text}' is not a GTID set");
        if !text.contains(':') {
            let mut map = BTreeMap::new();
            for part in text.split(',') {
                let mut it = part.split('-');
                let (Some(d), Some(s), Some(n), None) =
                    (it.next(), it.next(), it.next(), it.next())
                else {
                    return Err(bad());
                };
                let domain = d.parse().map_err(|_| bad())?;
                map.insert(
                    domain,
                    (s.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?),
                );
            }
            return Ok(GtidSet::MariaDb(map));
        }
        let mut map: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for part in text.split(',') {
            let mut it = part.split(':');
            let uuid = it.next().filter(|u| !u.is_empty()).ok_or_else(bad)?;
            let intervals = map.entry(uuid.to_ascii_lowercase()).or_default();
            for interval in it {
                let (a, b) = match interval.split_once('-') {
                    Some((a, b)) => (a, b),
                    None => (interval, interval),
                };
                let a: u64 = a.parse().map_err(|_| bad())?;
                let b: u64 = b.parse().map_err(|_| bad())?;
                if a > b {
                    return Err(bad());
                }
                intervals.push((a, b));
            }
            normalize(intervals);
        }
        Ok(GtidSet::Mysql(map))
    }

    /// Records a transaction as done.
    pub fn add(&mut self, gtid: &Gtid) {
        match gtid {
            Gtid::MariaDb {
                domain,
                server,
                seq,
            } => {
                if !matches!(self, GtidSet::MariaDb(_)) {
                    *self = GtidSet::MariaDb(BTreeMap::new());
                }
                if let GtidSet::MariaDb(map) = self {
                    map.insert(*domain, (*server, *seq));
                }
            }
            Gtid::Mysql { uuid, number } => {
                if !matches!(self, GtidSet::Mysql(_)) {
                    *self = GtidSet::Mysql(BTreeMap::new());
                }
                if let GtidSet::Mysql(map) = self {
                    let intervals = map.entry(uuid.to_ascii_lowercase()).or_default();
                    intervals.push((*number, *number));
                    normalize(intervals);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            GtidSet::Empty => true,
            GtidSet::MariaDb(m) => m.is_empty(),
            GtidSet::Mysql(m) => m.is_empty(),
        }
    }
}

/// Sorts and merges overlapping or adjacent intervals.
fn normalize(intervals: &mut Vec<(u64, u64)>) {
    intervals.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(intervals.len());
    for &(a, b) in intervals.iter() {
        match merged.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    *intervals = merged;
}

impl fmt::Display for GtidSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GtidSet::Empty => Ok(()),
            GtidSet::MariaDb(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(d, (s, n))| format!("{d}-{s}-{n}"))
                    .collect();
                f.write_str(&parts.join(","))
            }
            GtidSet::Mysql(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(uuid, intervals)| {
                        let mut s = uuid.clone();
                        for (a, b) in intervals {
                            if a == b {
                                s.push_str(&format!(":{a}"));
                            } else {
                                s.push_str(&format!(":{a}-{b}"));
                            }
                        }
                        s
                    })
                    .collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_file_sequence_then_offset() {
        let a = BinlogPosition::new("binlog.000009", 900);
        let b = BinlogPosition::new("binlog.000010", 4);
        let c = BinlogPosition::new("binlog.000010", 120);
        assert!(a < b && b < c);
        assert_eq!(c.to_string(), "binlog.000010:120");
    }

    #[test]
    fn mariadb_gtid_positions_keep_the_last_per_domain() {
        let mut set = GtidSet::parse("0-1-5, 1-2-9").unwrap();
        set.add(&Gtid::MariaDb {
            domain: 0,
            server: 1,
            seq: 6,
        });
        set.add(&Gtid::MariaDb {
            domain: 2,
            server: 3,
            seq: 1,
        });
        assert_eq!(set.to_string(), "0-1-6,1-2-9,2-3-1");
        assert!(GtidSet::parse("0-1").is_err());
    }

    #[test]
    fn mysql_gtid_sets_merge_intervals() {
        let uuid = "3E11FA47-71CA-11E1-9E33-C80AA9429562";
        let mut set = GtidSet::parse(&format!("{uuid}:1-5:7")).unwrap();
        set.add(&Gtid::Mysql {
            uuid: uuid.to_string(),
            number: 6,
        });
        assert_eq!(set.to_string(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7");
        set.add(&Gtid::Mysql {
            uuid: "aaaaaaaa-71ca-11e1-9e33-c80aa9429562".into(),
            number: 3,
        });
        assert_eq!(
            set.to_string(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7,aaaaaaaa-71ca-11e1-9e33-c80aa9429562:3"
        );
        assert!(GtidSet::parse(&format!("{uuid}:5-1")).is_err());
        assert_eq!(GtidSet::parse("").unwrap(), GtidSet::Empty);
    }
}
