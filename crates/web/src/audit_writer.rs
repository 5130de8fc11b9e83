//! The audit trail's writer as the web layer sees it: a request hands its
//! entry to the store, whose single writer commits it together with whatever
//! else is waiting (transitions, other entries) in one transaction (group
//! commit, see `resettle_store`'s `group` module). A request still waits
//! until its entry is committed.

use resettle_store::{NewAuditEntry, Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AuditWriter {
    store: Arc<dyn Store>,
}

impl AuditWriter {
    /// The writer of `store`'s audit trail.
    pub fn start(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Appends `entry`; true once it is committed.
    pub async fn append(&self, entry: NewAuditEntry) -> bool {
        match self.store.append_audit(&entry).await {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, "cannot append to the audit trail");
                false
            }
        }
    }
}
