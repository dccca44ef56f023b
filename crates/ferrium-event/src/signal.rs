//! Signals: instructions to a running source, in Debezium's shape (`id`, `type`, `data`),
//! whichever channel brought them — the source's signalling table, the Kafka signal
//! topic, or Ferrium's REST API.
//!
//! Channels outside the source (Kafka, REST) hand signals to the source through one
//! [`SignalInbox`] per connector. The inbox outlives a single run of the source: a
//! signal sent while the connector restarts waits for the next run instead of being lost.

use std::sync::Arc;

use tokio::sync::{mpsc, Mutex};

/// Where a signal came from; logged with it and used to answer the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalChannel {
    /// An insert into `signal.data.collection`, read from the change stream.
    Source,
    /// A record on `signal.kafka.topic`.
    Kafka,
    /// `POST /connectors/{name}/signals`.
    Rest,
}

impl SignalChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalChannel::Source => "source",
            SignalChannel::Kafka => "kafka",
            SignalChannel::Rest => "rest",
        }
    }
}

/// One signal, as Debezium's signalling table stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub id: String,
    /// Debezium's `type` column: `execute-snapshot`, `stop-snapshot`, `log`, …
    pub kind: String,
    /// Debezium's `data` column: a JSON document, or empty.
    pub data: String,
    pub channel: SignalChannel,
}

/// How many signals may wait for a source; more are refused to the sender.
pub const INBOX_CAPACITY: usize = 64;

/// The sending side, held by the Kafka channel and the REST API.
pub type SignalSender = mpsc::Sender<Signal>;

/// The receiving side, held by whichever run of the source is current.
#[derive(Clone)]
pub struct SignalInbox(Arc<Mutex<mpsc::Receiver<Signal>>>);

impl SignalInbox {
    /// A connector's inbox and the sender that feeds it.
    pub fn channel() -> (SignalSender, SignalInbox) {
        let (tx, rx) = mpsc::channel(INBOX_CAPACITY);
        (tx, SignalInbox(Arc::new(Mutex::new(rx))))
    }

    /// An inbox nothing ever sends to (tools and tests that run a source alone).
    pub fn closed() -> SignalInbox {
        SignalInbox::channel().1
    }

    /// The next signal; pending forever when every sender is gone, so a `select!` arm
    /// on it never fires spuriously.
    pub async fn recv(&self) -> Signal {
        let mut rx = self.0.lock().await;
        match rx.recv().await {
            Some(signal) => signal,
            None => {
                drop(rx);
                std::future::pending().await
            }
        }
    }
}
