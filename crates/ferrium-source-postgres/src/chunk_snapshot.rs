//! The snapshot a chunk is read under, checked against what the stream already
//! delivered.
//!
//! PostgreSQL's visibility does not follow the WAL: a transaction whose commit record is
//! already in the WAL, and already decoded and delivered by the stream, can still be
//! running in a snapshot taken a moment later (it leaves the proc array after its commit
//! record is flushed, and the flush of another backend's commit can return first). A
//! chunk read under such a snapshot holds rows from before a change the stream has
//! already emitted, and nothing later in the stream would drop them. So a chunk is read
//! in a repeatable-read transaction whose snapshot is first checked: if a transaction
//! the stream delivered is still running in it, the snapshot is dropped and taken again,
//! which succeeds as soon as that transaction has finished leaving (microseconds to
//! milliseconds). Changes the stream has not delivered yet are dropped from the chunk by
//! the window (see `ferrium_snapshot::window`).

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

/// How many of the latest delivered transactions are remembered. A transaction is only
/// at risk while it finishes its commit, so the newest ones are all that matter; this
/// bounds the memory to about a megabyte.
const REMEMBERED: usize = 65_536;

/// How long a chunk waits for a delivered transaction to leave its snapshot before the
/// source gives up and is retried: the stream is held meanwhile, and the server drops a
/// replication connection that stays silent for `wal_sender_timeout` (60 s by default).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(10);
/// A wait this long is logged.
pub const REPORT_AFTER: Duration = Duration::from_secs(1);
pub const RETRY_EVERY: Duration = Duration::from_millis(2);

/// The ids of the transactions the stream delivered most recently (32-bit, as the
/// stream's BEGIN messages carry them).
#[derive(Debug, Default)]
pub struct DeliveredTransactions {
    order: VecDeque<u32>,
    set: HashSet<u32>,
}

impl DeliveredTransactions {
    pub fn record(&mut self, xid: u32) {
        if !self.set.insert(xid) {
            return;
        }
        self.order.push_back(xid);
        if self.order.len() > REMEMBERED {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
    }

    /// A delivered transaction among `running`, if any.
    pub fn any_of(&self, running: &[u32]) -> Option<u32> {
        running.iter().copied().find(|xid| self.set.contains(xid))
    }
}

/// The transactions a snapshot sees as running, from its text form `xmin:xmax:xip,…`
/// (`txid_current_snapshot()`, which every supported version has). The ids are 64-bit
/// with the epoch above the 32 bits the stream carries.
pub fn running_transactions(snapshot: &str) -> Result<Vec<u32>, String> {
    let malformed = || format!("unexpected snapshot '{snapshot}' (want xmin:xmax:xip,...)");
    let mut parts = snapshot.splitn(3, ':');
    let (Some(_), Some(_), Some(xip)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    xip.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.trim()
                .parse::<u64>()
                .map(|full| full as u32)
                .map_err(|_| malformed())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_ids_lose_their_epoch() {
        assert_eq!(running_transactions("100:105:").unwrap(), Vec::<u32>::new());
        assert_eq!(
            running_transactions("100:105:100,103").unwrap(),
            vec![100, 103]
        );
        // Epoch 1: the stream's 32-bit ids match the low half.
        assert_eq!(
            running_transactions("4294967396:4294967400:4294967397").unwrap(),
            vec![101]
        );
        assert!(running_transactions("garbage").is_err());
        assert!(running_transactions("1:2:x").is_err());
    }

    #[test]
    fn delivered_transactions_are_found_and_the_oldest_forgotten() {
        let mut delivered = DeliveredTransactions::default();
        for xid in 0..(REMEMBERED as u32 + 10) {
            delivered.record(xid);
        }
        delivered.record(20); // again: no second entry
        assert_eq!(delivered.order.len(), REMEMBERED);
        assert_eq!(delivered.any_of(&[3, 9]), None);
        assert_eq!(delivered.any_of(&[3, 20, 11]), Some(20));
    }
}
