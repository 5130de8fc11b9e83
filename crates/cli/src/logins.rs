//! `resettle audit logins`: the login watch of the audit page, for a scheduled
//! job. Prints the report as JSON; exits 3 when it shows a spike of failed
//! logins or a login from a new address, so that `resettle audit logins ||
//! notify` alerts someone (BIO2: such logins must be detectable).

use anyhow::Result;
use resettle_domain::login_watch::{LoginReport, watch};
use resettle_store::{AuditLog, SqlStore};
use std::process::ExitCode;
use time::{Duration, OffsetDateTime};

/// The exit code of a report that shows something to look at.
const SIGNALS: u8 = 3;

async fn report(store: &SqlStore, hours: u32, now: OffsetDateTime) -> Result<LoginReport> {
    let window = Duration::hours(i64::from(hours));
    let look_back = Duration::days(30);
    let events = store
        .login_events((now - window - look_back).date())
        .await?;
    Ok(watch(&events, now, window, look_back))
}

pub async fn logins(database: &str, hours: u32) -> Result<ExitCode> {
    let store = crate::serve::open(database).await?;
    let r = report(&store, hours, OffsetDateTime::now_utc()).await;
    store.close().await;
    let r = r?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    Ok(if r.spikes.is_empty() && r.new_origins.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(SIGNALS)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use resettle_domain::audit::AuditResult;
    use resettle_store::NewAuditEntry;

    #[tokio::test]
    async fn a_quiet_day_succeeds_and_a_spike_exits_3() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        let store = SqlStore::connect(&url).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let failure = |i: usize| NewAuditEntry {
            at: now,
            actor: format!("guess{i}"),
            action: "login".into(),
            object: "session".into(),
            result: AuditResult::Failed,
            origin: "203.0.113.9".into(),
        };
        store.append_audit(&failure(0)).await.unwrap();
        assert_eq!(report(&store, 24, now).await.unwrap().failed, 1);
        store.close().await;
        assert_eq!(logins(&url, 24).await.unwrap(), ExitCode::SUCCESS);

        let store = SqlStore::connect(&url).await.unwrap();
        let more: Vec<NewAuditEntry> = (1..12).map(failure).collect();
        store.append_audit_batch(&more).await.unwrap();
        assert_eq!(report(&store, 24, now).await.unwrap().spikes.len(), 1);
        store.close().await;
        assert_eq!(logins(&url, 24).await.unwrap(), ExitCode::from(SIGNALS));
    }
}
