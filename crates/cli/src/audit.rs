//! `resettle audit verify`: reads the whole audit trail and checks its hash
//! chain, so an operator can show that nobody edited, deleted or reordered
//! entries behind the application's back (BIO2).
//!
//! The chain alone cannot show entries cut off at its end, nor a trail
//! rewritten from an edit onwards with every hash computed anew. Checkpoints
//! can: `resettle audit checkpoint --file FILE` appends the number of entries
//! and the head hash to a file kept outside the database, and `resettle audit
//! verify --checkpoints FILE` checks the trail against every line of it.

use crate::text::tr;
use anyhow::{Context, Result, bail};
use resettle_domain::audit::{AuditBreak, Checkpoint, CheckpointBreak, GENESIS_HASH};
use resettle_store::{AuditLog, SqlStore};
use std::fmt;
use std::path::Path;
use std::process::ExitCode;

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Intact {
        count: u64,
        head: String,
        checkpoints: usize,
    },
    Broken(AuditBreak),
    /// The chain is whole, but not the one a checkpoint recorded.
    NotAsRecorded(CheckpointBreak),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Intact {
                count,
                head,
                checkpoints,
            } => {
                let intact = tr!("audit-intact", count = *count, head = head.as_str());
                write!(f, "{intact}")?;
                if *checkpoints > 0 {
                    let matches = tr!("audit-matches", checkpoints = *checkpoints);
                    write!(f, "{matches}")?;
                }
                Ok(())
            }
            Verdict::Broken(b) => {
                let broken = tr!(
                    "audit-broken-at",
                    entry = b.seq.to_string(),
                    reason = b.reason.to_string()
                );
                write!(f, "{broken}")
            }
            Verdict::NotAsRecorded(b) => {
                let why = match b {
                    CheckpointBreak::Truncated {
                        checkpoint,
                        entries,
                    } => tr!(
                        "checkpoint-truncated",
                        entries = *entries,
                        recorded = checkpoint.seq,
                        at = rfc3339(checkpoint.at)
                    ),
                    CheckpointBreak::Rewritten { checkpoint } => tr!(
                        "checkpoint-rewritten",
                        entry = checkpoint.seq.to_string(),
                        at = rfc3339(checkpoint.at),
                        head = checkpoint.head.as_str()
                    ),
                };
                write!(f, "{}", tr!("audit-broken", why = why))
            }
        }
    }
}

/// A checkpoint's time as its line gives it.
fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The checkpoints in `file`, oldest first (blank lines and `#` comments skipped).
fn read_checkpoints(file: &Path) -> Result<Vec<Checkpoint>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| tr!("cannot-read", file = file.display().to_string()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            Checkpoint::parse(l.trim()).map_err(|e| {
                anyhow::anyhow!(tr!(
                    "file-line",
                    file = file.display().to_string(),
                    line = i + 1,
                    error = e.to_string()
                ))
            })
        })
        .collect()
}

/// The hash of entry `seq` ([`GENESIS_HASH`] for 0), if it exists.
async fn hash_at(store: &SqlStore, seq: i64) -> Result<Option<String>> {
    if seq == 0 {
        return Ok(Some(GENESIS_HASH.to_string()));
    }
    Ok(store.audit_entry(seq).await?.map(|e| e.hash))
}

async fn check(store: &SqlStore, checkpoints: &[Checkpoint]) -> Result<Verdict> {
    let count = match store
        .verify_audit()
        .await
        .context(tr!("cannot-read-audit"))?
    {
        Ok(count) => count,
        Err(b) => return Ok(Verdict::Broken(b)),
    };
    // The hash of the last entry verified (not of one appended since).
    let head = hash_at(store, i64::try_from(count)?)
        .await?
        .with_context(|| tr!("audit-entry-gone", entry = count.to_string()))?;
    for cp in checkpoints {
        let found = if u64::try_from(cp.seq).unwrap_or(0) <= count {
            hash_at(store, cp.seq).await?
        } else {
            None
        };
        if let Err(b) = cp.check(count, found.as_deref()) {
            return Ok(Verdict::NotAsRecorded(b));
        }
    }
    Ok(Verdict::Intact {
        count,
        head,
        checkpoints: checkpoints.len(),
    })
}

/// Verifies the audit trail of `database` (and against the checkpoints in
/// `checkpoints`, if given): prints `audit trail intact: N entries, head hash
/// H` and succeeds, or prints where it breaks to stderr and fails.
pub async fn verify(database: &str, checkpoints: Option<&Path>) -> Result<ExitCode> {
    let checkpoints = match checkpoints {
        Some(file) => read_checkpoints(file)?,
        None => Vec::new(),
    };
    let store = crate::serve::open(database).await?;
    let verdict = check(&store, &checkpoints).await;
    store.close().await;
    Ok(match verdict? {
        v @ Verdict::Intact { .. } => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        v => {
            eprintln!("{v}");
            ExitCode::FAILURE
        }
    })
}

/// Verifies the trail (against the checkpoints already in `file`) and appends
/// a new checkpoint line to `file`, created only its owner can write. Refuses
/// to add to a file whose checkpoints the trail no longer matches.
pub async fn checkpoint(database: &str, file: &Path) -> Result<ExitCode> {
    let earlier = if file.exists() {
        read_checkpoints(file)?
    } else {
        Vec::new()
    };
    let store = crate::serve::open(database).await?;
    let verdict = check(&store, &earlier).await;
    store.close().await;
    let (count, head) = match verdict? {
        Verdict::Intact { count, head, .. } => (count, head),
        v => {
            eprintln!("{v}");
            eprintln!("{}", tr!("no-checkpoint-written"));
            return Ok(ExitCode::FAILURE);
        }
    };
    let cp = Checkpoint {
        seq: i64::try_from(count)?,
        head,
        at: time::OffsetDateTime::now_utc(),
    };
    append_line(file, &cp.to_line())?;
    println!("{}", cp.to_line());
    Ok(ExitCode::SUCCESS)
}

/// Appends `line` to `file` (created with mode 0600 if new).
fn append_line(file: &Path, line: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(file)
        .with_context(|| tr!("cannot-open", file = file.display().to_string()))?;
    if f.metadata()?.len() > 0 {
        // A file that does not end its last line would join two checkpoints.
        let text = std::fs::read_to_string(file)?;
        if !text.ends_with('\n') {
            bail!(tr!("no-final-newline", file = file.display().to_string()));
        }
    }
    writeln!(f, "{line}")?;
    f.sync_all()?;
    Ok(())
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
            check(&store, &[]).await.unwrap().to_string(),
            format!("audit trail intact: 0 entries, head hash {GENESIS_HASH}")
        );
    }

    #[tokio::test]
    async fn an_intact_trail_reports_its_head() {
        let (_dir, url, store) = store_with(3).await;
        let head = store.audit_entry(3).await.unwrap().unwrap().hash;
        assert_eq!(
            check(&store, &[]).await.unwrap(),
            Verdict::Intact {
                count: 3,
                head,
                checkpoints: 0
            }
        );
        store.close().await;
        assert_eq!(verify(&url, None).await.unwrap(), ExitCode::SUCCESS);
    }

    #[tokio::test]
    async fn a_broken_trail_fails() {
        let (_dir, url, store) = store_with(3).await;
        store
            .execute_raw("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2")
            .await
            .unwrap();
        let v = check(&store, &[]).await.unwrap();
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
        assert_eq!(verify(&url, None).await.unwrap(), ExitCode::FAILURE);
    }

    /// A store on every configured engine with `n` entries, and its URL.
    async fn stores_with(n: usize) -> Vec<(String, SqlStore, Option<ScratchPostgres>)> {
        let (dir, url, store) = store_with(n).await;
        // Kept until the test ends.
        std::mem::forget(dir);
        let mut out = vec![(url, store, None)];
        if let Some(admin) = postgres_url().map_err(anyhow::Error::msg).unwrap() {
            let scratch = ScratchPostgres::create(&admin).await.unwrap();
            let store = SqlStore::connect(&scratch.url).await.unwrap();
            append(&store, n).await;
            out.push((scratch.url.clone(), store, Some(scratch)));
        }
        out
    }

    async fn append(store: &SqlStore, n: usize) {
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
    }

    /// Drops the triggers that keep the trail append-only, as someone with
    /// the database's rights could.
    async fn allow_tampering(store: &SqlStore) {
        let sql = match store.backend() {
            resettle_store::Backend::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
            }
            resettle_store::Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        };
        store.execute_raw(sql).await.unwrap();
    }

    use resettle_store::Store;
    use resettle_store::testing::{ScratchPostgres, postgres_url};

    #[tokio::test]
    async fn truncation_fails_verification_against_a_checkpoint() {
        for (url, store, scratch) in stores_with(60).await {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("checkpoints");
            assert_eq!(checkpoint(&url, &file).await.unwrap(), ExitCode::SUCCESS);
            append(&store, 5).await;
            assert_eq!(checkpoint(&url, &file).await.unwrap(), ExitCode::SUCCESS);
            assert_eq!(read_checkpoints(&file).unwrap().len(), 2);
            assert_eq!(verify(&url, Some(&file)).await.unwrap(), ExitCode::SUCCESS);

            allow_tampering(&store).await;
            store
                .execute_raw("DELETE FROM audit_log WHERE seq > 15")
                .await
                .unwrap();
            // The chain alone is whole; the checkpoints show what is missing.
            assert!(matches!(
                check(&store, &[]).await.unwrap(),
                Verdict::Intact { count: 15, .. }
            ));
            let v = check(&store, &read_checkpoints(&file).unwrap())
                .await
                .unwrap();
            assert!(
                matches!(
                    &v,
                    Verdict::NotAsRecorded(CheckpointBreak::Truncated { entries: 15, .. })
                ),
                "{v}"
            );
            assert!(v.to_string().contains("removed from its end"), "{v}");
            assert_eq!(verify(&url, Some(&file)).await.unwrap(), ExitCode::FAILURE);
            // Nor is a checkpoint added to a file the trail no longer matches.
            assert_eq!(checkpoint(&url, &file).await.unwrap(), ExitCode::FAILURE);
            assert_eq!(read_checkpoints(&file).unwrap().len(), 2);
            store.close().await;
            if let Some(s) = scratch {
                s.drop_database().await.unwrap();
            }
        }
    }

    #[tokio::test]
    async fn a_rebuilt_chain_fails_verification_against_a_checkpoint() {
        use resettle_domain::audit::chain_hash;
        for (url, store, scratch) in stores_with(10).await {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("checkpoints");
            assert_eq!(checkpoint(&url, &file).await.unwrap(), ExitCode::SUCCESS);

            // Delete entry 4 and recompute the plain SHA-256 chain after it.
            let mut kept = Vec::new();
            for seq in 1..=10 {
                let e = store.audit_entry(seq).await.unwrap().unwrap();
                if seq != 4 {
                    kept.push(e);
                }
            }
            allow_tampering(&store).await;
            store.execute_raw("DELETE FROM audit_log").await.unwrap();
            let mut prev = GENESIS_HASH.to_string();
            for (i, e) in kept.iter().enumerate() {
                let seq = i as i64 + 1;
                let hash = chain_hash(
                    &prev, seq, e.at, &e.actor, &e.action, &e.object, e.result, &e.origin,
                );
                let at =
                    e.at.format(&time::format_description::well_known::Rfc3339)
                        .unwrap();
                let at = match store.backend() {
                    resettle_store::Backend::Sqlite => format!("'{at}'"),
                    resettle_store::Backend::Postgres => format!("'{at}'::timestamptz"),
                };
                store
                    .execute_raw(&format!(
                        "INSERT INTO audit_log (seq, at, actor, action, object, result, origin, prev_hash, hash) \
                         VALUES ({seq}, {at}, '{}', '{}', '{}', '{}', '{}', '{prev}', '{hash}')",
                        e.actor, e.action, e.object, e.result.as_str(), e.origin
                    ))
                    .await
                    .unwrap();
                prev = hash;
            }
            assert!(
                matches!(
                    check(&store, &[]).await.unwrap(),
                    Verdict::Intact { count: 9, .. }
                ),
                "the rebuilt chain is whole in itself"
            );
            // One entry appended since hides the length; the hash does not.
            append(&store, 1).await;
            let v = check(&store, &read_checkpoints(&file).unwrap())
                .await
                .unwrap();
            assert!(
                matches!(
                    &v,
                    Verdict::NotAsRecorded(CheckpointBreak::Rewritten { .. })
                ),
                "{v}"
            );
            assert_eq!(verify(&url, Some(&file)).await.unwrap(), ExitCode::FAILURE);
            store.close().await;
            if let Some(s) = scratch {
                s.drop_database().await.unwrap();
            }
        }
    }
}
