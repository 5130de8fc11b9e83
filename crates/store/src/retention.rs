//! Applying the retention policy: pseudonymise every closed case whose period
//! has ended, each in its own transaction, and record each in the audit trail.

use crate::{NewAuditEntry, Store, StoreError};
use resettle_domain::CaseId;
use resettle_domain::audit::AuditResult;
use resettle_domain::retention::{RetentionPolicy, pseudonymise};
use time::OffsetDateTime;

/// Pseudonymises the cases due under `policy` at `now` (or only lists them
/// when `dry_run`); returns the cases concerned.
pub async fn apply_retention(
    store: &dyn Store,
    policy: &RetentionPolicy,
    now: OffsetDateTime,
    actor: &str,
    dry_run: bool,
) -> Result<Vec<CaseId>, StoreError> {
    let today = now.date();
    let mut done = Vec::new();
    for id in store.retention_candidates(today).await? {
        let Some(mut case) = store.case(id).await? else {
            continue;
        };
        if !policy.is_due(&case, today) {
            continue;
        }
        if !dry_run {
            pseudonymise(&mut case);
            store.store_pseudonymised(&case, now).await?;
            let entry = NewAuditEntry {
                at: now,
                actor: actor.to_string(),
                action: "pseudonymise".into(),
                object: format!("case {id}"),
                result: AuditResult::Ok,
                origin: "retention".into(),
            };
            store.append_audit(&entry).await?;
        }
        done.push(id);
    }
    Ok(done)
}
