//! Hands a source's records to the runtime in batches, in source order, with checkpoints
//! after them. Shared by every source so batching and backpressure behave the same.

use crate::{Offset, SourceMessage, SourceRecord};
use tokio::sync::mpsc;

/// The runtime stopped listening (it is shutting down or failed on its side).
#[derive(Debug)]
pub struct Closed;

pub struct Emitter {
    tx: mpsc::Sender<SourceMessage>,
    pending: Vec<SourceRecord>,
    max_batch: usize,
}

impl Emitter {
    pub fn new(tx: mpsc::Sender<SourceMessage>, max_batch: usize) -> Self {
        Emitter {
            tx,
            pending: Vec::with_capacity(max_batch),
            max_batch,
        }
    }

    /// Queues a record; sends the batch when it is full (waiting if the runtime is busy,
    /// which is how backpressure reaches the source).
    pub async fn push(&mut self, record: SourceRecord) -> Result<(), Closed> {
        self.pending.push(record);
        if self.pending.len() >= self.max_batch {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<(), Closed> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(self.max_batch));
        self.tx
            .send(SourceMessage::Records(batch))
            .await
            .map_err(|_| Closed)
    }

    /// Sends everything queued, then marks it as committable without an offset.
    pub async fn boundary(&mut self) -> Result<(), Closed> {
        self.flush().await?;
        self.tx.send(SourceMessage::Flush).await.map_err(|_| Closed)
    }

    /// Sends everything queued, then the checkpoint that covers it.
    pub async fn checkpoint(&mut self, offset: Offset) -> Result<(), Closed> {
        self.flush().await?;
        self.tx
            .send(SourceMessage::Checkpoint(offset))
            .await
            .map_err(|_| Closed)
    }
}
