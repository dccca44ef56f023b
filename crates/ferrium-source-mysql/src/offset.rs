//! The MySQL offset in Debezium's keys: `file`/`pos` (where reading resumes: the start of
//! the next transaction, or of the interrupted one), `gtids` (the GTID set done so far),
//! `event` and `row` (how much of the interrupted transaction is already durable),
//! `server_id` and `ts_sec`.

use ferrium_event::Offset;

use crate::position::{BinlogPosition, GtidSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MysqlOffset {
    pub position: BinlogPosition,
    pub gtids: GtidSet,
    /// Rows events of the transaction at `position` whose rows are all durable.
    pub skip_events: u64,
    /// Rows of the next rows event that are durable.
    pub skip_rows: u64,
    pub server_id: u32,
    pub ts_sec: i64,
}

impl MysqlOffset {
    pub fn to_offset(&self) -> Offset {
        let mut offset = Offset::new()
            .with("file", self.position.file.clone())
            .with("pos", self.position.pos)
            .with("ts_sec", self.ts_sec)
            .with("server_id", self.server_id);
        if !self.gtids.is_empty() {
            offset = offset.with("gtids", self.gtids.to_string());
        }
        if self.skip_events > 0 {
            offset = offset.with("event", self.skip_events);
        }
        if self.skip_rows > 0 {
            offset = offset.with("row", self.skip_rows);
        }
        offset
    }

    /// Reads an offset written by Ferrium or Debezium. An offset still marked
    /// `snapshot: true` belongs to an unfinished snapshot and cannot be resumed.
    pub fn from_offset(offset: &Offset) -> Result<Option<MysqlOffset>, String> {
        let Some(file) = offset.0.get("file").and_then(serde_json::Value::as_str) else {
            return Ok(None);
        };
        if offset.get_bool("snapshot") == Some(true) {
            return Ok(None);
        }
        let pos = offset
            .get_u64("pos")
            .ok_or_else(|| format!("offset has file '{file}' but no numeric 'pos'"))?;
        let gtids = match offset.0.get("gtids").and_then(serde_json::Value::as_str) {
            Some(text) => GtidSet::parse(text)?,
            None => GtidSet::Empty,
        };
        Ok(Some(MysqlOffset {
            position: BinlogPosition::new(file, pos),
            gtids,
            skip_events: offset.get_u64("event").unwrap_or(0),
            skip_rows: offset.get_u64("row").unwrap_or(0),
            server_id: offset.get_u64("server_id").unwrap_or(0) as u32,
            ts_sec: offset
                .0
                .get("ts_sec")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_debezium_keys() {
        let o = MysqlOffset {
            position: BinlogPosition::new("binlog.000003", 1234),
            gtids: GtidSet::parse("0-1-77").unwrap(),
            skip_events: 2,
            skip_rows: 5,
            server_id: 1,
            ts_sec: 1_700_000_000,
        };
        let stored = o.to_offset();
        assert_eq!(
            serde_json::Value::Object(stored.0.clone()),
            serde_json::json!({"file": "binlog.000003", "pos": 1234, "ts_sec": 1_700_000_000i64,
                "server_id": 1, "gtids": "0-1-77", "event": 2, "row": 5})
        );
        assert_eq!(MysqlOffset::from_offset(&stored).unwrap(), Some(o));
    }

    #[test]
    fn an_unfinished_snapshot_or_a_foreign_offset_is_not_resumable() {
        let snap = Offset::new()
            .with("file", "binlog.000001")
            .with("pos", 4u64)
            .with("snapshot", true);
        assert_eq!(MysqlOffset::from_offset(&snap).unwrap(), None);
        let pg = Offset::new().with("lsn", 5u64);
        assert_eq!(MysqlOffset::from_offset(&pg).unwrap(), None);
        let bad = Offset::new().with("file", "binlog.000001");
        assert!(MysqlOffset::from_offset(&bad).is_err());
    }
}
