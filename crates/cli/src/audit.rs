//! `resettle audit verify`: reads the whole audit trail and checks its hash
//! chain, so an operator can show that nobody edited, deleted or reordered
//! entries behind the application's back (BIO2).
//!
//! The chain cannot show entries cut off at the end. The head hash printed on
//! success is the answer: keep it somewhere the database administrators cannot
//! write (an operator log, a ticket) and compare it at the next run.

use anyhow::{Context, Result};
use resettle_domain::audit::{AuditBreak, GENESIS_HASH};
use resettle_store::{AuditLog, SqlStore};
use std::fmt;
use std::process::ExitCode;

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Intact { count: u64, head: String },
    Broken(AuditBreak),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Intact { count, head } => {
                write!(f, "audit trail intact: {count} entries, head hash {head}")
            }
            Verdict::Broken(b) => {
                write!(f, "audit trail BROKEN at entry {}: {}", b.seq, b.reason)
            }
        }
    }
}

async fn check(store: &SqlStore) -> Result<Verdict> {
    let count = match store
        .verify_audit()
        .await
        .context("cannot read the audit trail")?
    {
        Ok(count) => count,
        Err(b) => return Ok(Verdict::Broken(b)),
    };
    // The hash of the last entry verified (not of one appended since).
    let head = match i64::try_from(count)? {
        0 => GENESIS_HASH.to_string(),
        seq => {
            store
                .audit_entry(seq)
                .await?
                .with_context(|| format!("audit entry {seq} disappeared during verification"))?
                .hash
        }
    };
    Ok(Verdict::Intact { count, head })
}

/// Verifies the audit trail of `database`: prints `audit trail intact: N
/// entries, head hash H` and succeeds, or prints where the chain breaks to
/// stderr and fails.
pub async fn verify(database: &str) -> Result<ExitCode> {
    let store = crate::serve::open(database).await?;
    let verdict = check(&store).await;
    store.close().await;
    Ok(match verdict? {
        v @ Verdict::Intact { .. } => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        v @ Verdict::Broken(_) => {
            eprintln!("{v}");
            ExitCode::FAILURE
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use resettle_domain::audit::{AuditBreakReason, AuditResult};
    use resettle_store::NewAuditEntry;
    use time::macros::datetime;

    async fn store_with(n: usize) -> (tempfile::TempDir, String, SqlStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        let store = SqlStore::connect(&url).await.unwrap();
        for i in 0..n {
            store
                .append_audit(&NewAuditEntry {
                    at: datetime!(2025-06-01 09:00 UTC),
                    actor: "officer.jansen".into(),
                    action: "case.view".into(),
                    object: format!("case {i}"),
                    result: AuditResult::Ok,
                    origin: "cli".into(),
                })
                .await
                .unwrap();
        }
        (dir, url, store)
    }

    #[tokio::test]
    async fn an_empty_trail_is_intact() {
        let (_dir, _url, store) = store_with(0).await;
        assert_eq!(
            check(&store).await.unwrap().to_string(),
            format!("audit trail intact: 0 entries, head hash {GENESIS_HASH}")
        );
    }

    #[tokio::test]
    async fn an_intact_trail_reports_its_head() {
        let (_dir, url, store) = store_with(3).await;
        let head = store.audit_entry(3).await.unwrap().unwrap().hash;
        assert_eq!(
            check(&store).await.unwrap(),
            Verdict::Intact { count: 3, head }
        );
        store.close().await;
        assert_eq!(verify(&url).await.unwrap(), ExitCode::SUCCESS);
    }

    #[tokio::test]
    async fn a_broken_trail_fails() {
        let (_dir, url, store) = store_with(3).await;
        store
            .execute_raw("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2")
            .await
            .unwrap();
        let v = check(&store).await.unwrap();
        assert_eq!(
            v,
            Verdict::Broken(AuditBreak {
                seq: 2,
                reason: AuditBreakReason::OutOfSequence { found: 3 }
            })
        );
        assert!(
            v.to_string().starts_with("audit trail BROKEN at entry 2: "),
            "{v}"
        );
        store.close().await;
        assert_eq!(verify(&url).await.unwrap(), ExitCode::FAILURE);
    }
}
