//! The PostgreSQL offset: Debezium's keys (`lsn`, `lsn_proc`, `lsn_commit`, `txId`,
//! `ts_usec`), with the resume rule Ferrium applies.
//!
//! `lsn_proc` is the end LSN of the last transaction whose every record is durable. A
//! restart asks the server for changes after it: PostgreSQL skips transactions whose
//! commit record starts below the requested position, so the last durable transaction
//! is never sent twice and the next one is never skipped.

use ferrium_event::Offset;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgOffset {
    /// Where streaming resumes: the end of the last durable transaction (or the
    /// snapshot's consistent point).
    pub lsn: u64,
    /// Commit LSN of the last durable transaction.
    pub lsn_commit: Option<u64>,
    pub tx_id: Option<i64>,
    pub ts_us: i64,
    /// Inside a transaction: its commit LSN and how many of its records are durable.
    /// A restart skips those records when the server sends the transaction again, so a
    /// large transaction need not be delivered whole to be resumable.
    pub partial: Option<PartialTransaction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialTransaction {
    pub commit_lsn: u64,
    pub records: u64,
}

impl PgOffset {
    /// The offset of a position with nothing committed after it yet (a snapshot's
    /// consistent point).
    pub fn at(lsn: u64) -> PgOffset {
        PgOffset {
            lsn,
            lsn_commit: None,
            tx_id: None,
            ts_us: crate::events::now_us(),
            partial: None,
        }
    }

    pub fn to_offset(self) -> Offset {
        let mut offset = Offset::new()
            .with("lsn", self.lsn)
            .with("lsn_proc", self.lsn)
            .with("ts_usec", self.ts_us);
        if let Some(commit) = self.lsn_commit {
            offset = offset.with("lsn_commit", commit);
        }
        if let Some(tx) = self.tx_id {
            offset = offset.with("txId", tx);
        }
        if let Some(partial) = self.partial {
            offset = offset
                .with("txn_commit_lsn", partial.commit_lsn)
                .with("txn_records", partial.records);
        }
        offset
    }

    /// Reads an offset written by Ferrium or by Debezium (which may lack `lsn_proc`).
    pub fn from_offset(offset: &Offset) -> Option<PgOffset> {
        let lsn = offset
            .get_u64("lsn_proc")
            .or_else(|| offset.get_u64("lsn"))?;
        Some(PgOffset {
            lsn,
            lsn_commit: offset.get_u64("lsn_commit"),
            tx_id: offset.0.get("txId").and_then(serde_json::Value::as_i64),
            ts_us: offset
                .0
                .get("ts_usec")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
            partial: match (
                offset.get_u64("txn_commit_lsn"),
                offset.get_u64("txn_records"),
            ) {
                (Some(commit_lsn), Some(records)) => Some(PartialTransaction {
                    commit_lsn,
                    records,
                }),
                _ => None,
            },
        })
    }
}

/// Formats an LSN the way PostgreSQL prints it (`16/B374D848`).
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
}

/// Parses PostgreSQL's `X/Y` LSN text.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.trim().split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_debezium_offsets() {
        let o = PgOffset {
            lsn: 42,
            lsn_commit: Some(40),
            tx_id: Some(7),
            ts_us: 1,
            partial: None,
        };
        assert_eq!(PgOffset::from_offset(&o.to_offset()), Some(o));
        let mid = PgOffset {
            partial: Some(PartialTransaction {
                commit_lsn: 90,
                records: 4096,
            }),
            ..o
        };
        assert_eq!(PgOffset::from_offset(&mid.to_offset()), Some(mid));
        let debezium = Offset::new()
            .with("lsn", 99u64)
            .with("txId", 5)
            .with("ts_usec", 3);
        let parsed = PgOffset::from_offset(&debezium).unwrap();
        assert_eq!((parsed.lsn, parsed.tx_id, parsed.ts_us), (99, Some(5), 3));
        assert_eq!(PgOffset::from_offset(&Offset::new()), None);
    }

    #[test]
    fn lsn_text_round_trip() {
        assert_eq!(parse_lsn("16/B374D848"), Some(0x16_B374_D848));
        assert_eq!(format_lsn(0x16_B374_D848), "16/B374D848");
        assert_eq!(parse_lsn("nonsense"), None);
    }
}
