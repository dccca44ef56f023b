//! GTID events the driver does not parse: MariaDB's GTID event (type 162), which starts
//! every MariaDB event group. Written by hand because mysql_async only knows MySQL's GTID
//! events; the layout is MariaDB's `Gtid_log_event`: sequence number (u64 LE), domain id
//! (u32 LE), flags (u8), with the server id taken from the event header.

use crate::position::Gtid;

/// MariaDB's GTID event type code.
pub const MARIADB_GTID_EVENT: u8 = 162;
/// MariaDB's ANNOTATE_ROWS event (the statement behind the following rows events).
pub const MARIADB_ANNOTATE_ROWS_EVENT: u8 = 160;
/// `FL_STANDALONE`: the group is one statement without BEGIN/COMMIT (DDL).
const FL_STANDALONE: u8 = 1;

/// A parsed MariaDB GTID event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MariaDbGtid {
    pub gtid: Gtid,
    /// True for a DDL (or other non-transactional) group with no BEGIN/COMMIT around it.
    pub standalone: bool,
}

pub fn parse_mariadb_gtid(data: &[u8], server_id: u32) -> Result<MariaDbGtid, String> {
    if data.len() < 13 {
        return Err(format!(
            "a MariaDB GTID event of {} bytes is too short (13 expected)",
            data.len()
        ));
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&data[0..8]);
    let mut domain = [0u8; 4];
    domain.copy_from_slice(&data[8..12]);
    Ok(MariaDbGtid {
        gtid: Gtid::MariaDb {
            domain: u32::from_le_bytes(domain),
            server: server_id,
            seq: u64::from_le_bytes(seq),
        },
        standalone: data[12] & FL_STANDALONE != 0,
    })
}

/// The text of a MariaDB ANNOTATE_ROWS event: the whole body is the statement.
pub fn annotate_rows_text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A MySQL GTID as `uuid:number` from the 16 raw SID bytes.
pub fn mysql_gtid(sid: [u8; 16], number: u64) -> Gtid {
    let hex: String = sid.iter().map(|b| format!("{b:02x}")).collect();
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    Gtid::Mysql { uuid, number }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mariadb_gtid_bodies() {
        // seq 5, domain 0, flags: standalone (a DDL group), as MariaDB 10.11 writes it.
        let mut body = 5u64.to_le_bytes().to_vec();
        body.extend_from_slice(&0u32.to_le_bytes());
        body.push(0x01);
        let parsed = parse_mariadb_gtid(&body, 1).unwrap();
        assert_eq!(parsed.gtid.to_string(), "0-1-5");
        assert!(parsed.standalone);
        // A transactional group (flags FL_TRANSACTIONAL|FL_ALLOW_PARALLEL) in domain 3.
        let mut body = 77u64.to_le_bytes().to_vec();
        body.extend_from_slice(&3u32.to_le_bytes());
        body.push(0x0c);
        let parsed = parse_mariadb_gtid(&body, 9).unwrap();
        assert_eq!(parsed.gtid.to_string(), "3-9-77");
        assert!(!parsed.standalone);
        assert!(parse_mariadb_gtid(&body[..10], 9).is_err());
    }

    #[test]
    fn formats_mysql_sids_as_uuids() {
        let sid = [
            0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42,
            0x95, 0x62,
        ];
        assert_eq!(
            mysql_gtid(sid, 23).to_string(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:23"
        );
    }
}
