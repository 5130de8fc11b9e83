//! `resettle backup` and `resettle restore`: a consistent copy of a SQLite
//! database taken while it is in use, and its restore with checks.

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::{Context as _, Result, bail};
use resettle_store::{AuditLog, SqlStore, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BackupArgs {
    #[arg(long)]
    output: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    #[arg(long)]
    from: PathBuf,
    #[arg(long)]
    to: PathBuf,
}

pub async fn backup(args: BackupArgs) -> Result<ExitCode> {
    let store = args.db.open().await?;
    store.backup_to(&args.output).await?;
    let cases = store.count_cases().await?;
    println!(
        "{}",
        tr!(
            "backup-written",
            file = args.output.display().to_string(),
            cases = cases
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Copies the backup into place, then opens it and checks it: migrations,
/// the audit chain, and that the cases can be counted.
pub async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    if args.to.exists() {
        bail!(tr!("restore-exists", file = args.to.display().to_string()));
    }
    copy_private(&args.from, &args.to).with_context(|| {
        tr!(
            "cannot-copy",
            from = args.from.display().to_string(),
            to = args.to.display().to_string()
        )
    })?;
    let store = SqlStore::connect(&args.to.display().to_string()).await?;
    let cases = store.count_cases().await?;
    match store.verify_audit().await? {
        Ok(entries) => {
            println!(
                "{}",
                tr!(
                    "restored",
                    from = args.from.display().to_string(),
                    to = args.to.display().to_string(),
                    cases = cases,
                    entries = entries
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            eprintln!(
                "{}",
                tr!(
                    "restored-broken",
                    entry = b.seq.to_string(),
                    reason = b.reason.to_string()
                )
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Copies `from` into a new file `to` that only its owner can read
/// (`std::fs::copy` would give it the mode of `from`).
fn copy_private(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut target = options.open(to)?;
    std::io::copy(&mut source, &mut target)?;
    target.sync_all()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use resettle_domain::Context;
    use resettle_store::crypto::DataKeys;
    use time::OffsetDateTime;

    #[tokio::test]
    async fn a_backup_taken_in_use_restores_to_the_same_data() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let keys = DataKeys::parse(&DataKeys::generate_spec("k1")).unwrap();
        let store = SqlStore::connect(&live.display().to_string())
            .await
            .unwrap()
            .with_data_keys(keys.clone());
        let now = OffsetDateTime::now_utc();
        let ctx = Context {
            occurred_on: now.date(),
            recorded_at: now,
            actor: "t".into(),
            reason: None,
        };
        let cases = resettle_demo::generate(7, &ctx).unwrap();
        store.import_cases(&cases, &|_| {}).await.unwrap();
        crate::report::load_policy(&store, include_str!("../../../docs/policy-nl.json"), "t")
            .await
            .unwrap();

        let copy = dir.path().join("backup.db");
        store.backup_to(&copy).await.unwrap();
        assert!(store.backup_to(&copy).await.is_err(), "never overwrites");
        let restored = dir.path().join("restored.db");
        let code = restore(RestoreArgs {
            from: copy,
            to: restored.clone(),
        })
        .await
        .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);

        let back = SqlStore::connect(&restored.display().to_string())
            .await
            .unwrap()
            .with_data_keys(keys);
        assert_eq!(back.count_cases().await.unwrap(), cases.len() as i64);
        for c in cases.iter().step_by(97) {
            assert_eq!(
                back.case(c.case.id).await.unwrap().unwrap(),
                store.case(c.case.id).await.unwrap().unwrap()
            );
        }
        use resettle_store::policy::PolicyStore;
        assert_eq!(
            back.person_groups().await.unwrap().len(),
            store.person_groups().await.unwrap().len()
        );
        assert_eq!(
            back.verify_audit().await.unwrap(),
            store.verify_audit().await.unwrap()
        );

        // Names, dates of birth and reasons: no file of them is open to others.
        for name in ["live.db", "live.db-wal", "backup.db", "restored.db"] {
            let path = dir.path().join(name);
            assert!(path.exists(), "{name}");
            assert_eq!(
                resettle_store::files::open_to_others(&path),
                None,
                "{name} is readable by others"
            );
        }
    }
}
