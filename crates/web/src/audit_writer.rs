//! One writer for the audit trail: entries from concurrent requests are
//! appended in batches, one transaction each, instead of one write transaction
//! per entry. A request still waits until its entry is committed.

use resettle_store::{NewAuditEntry, Store};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most entries committed in one transaction.
const BATCH: usize = 512;

type Request = (NewAuditEntry, oneshot::Sender<bool>);

#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::Sender<Request>,
}

impl AuditWriter {
    /// Starts the writer task (needs a running tokio runtime).
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Request>(8192);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let entries: Vec<NewAuditEntry> = batch.iter().map(|(e, _)| e.clone()).collect();
                let ok = match store.append_audit_batch(&entries).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::error!(error = %e, entries = entries.len(), "cannot append to the audit trail");
                        false
                    }
                };
                for (_, ack) in batch {
                    let _ = ack.send(ok);
                }
            }
        });
        Self { tx }
    }

    /// Appends `entry`; true once it is committed.
    pub async fn append(&self, entry: NewAuditEntry) -> bool {
        let (ack, done) = oneshot::channel();
        if self.tx.send((entry, ack)).await.is_err() {
            return false;
        }
        done.await.unwrap_or(false)
    }
}
