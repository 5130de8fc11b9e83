//! `resettle report NAME` and `resettle policy load FILE`.

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::{Context as _, Result, bail};
use resettle_domain::policy::PolicySet;
use resettle_store::policy::PolicyStore;
use resettle_store::{AuditLog, NewAuditEntry, SqlStore};
use resettle_web::reports::{self, ReportName, render};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;

#[derive(clap::Args)]
pub struct ReportArgs {
    name: String,
    #[arg(long, default_value = "table")]
    format: String,
    #[arg(long)]
    round_to_tens: bool,
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(clap::Subcommand)]
pub enum PolicyCommand {
    Load {
        file: PathBuf,
        #[arg(long, default_value = "loaded from a policy file")]
        reason: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    Show {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

async fn record(store: &SqlStore, action: &str, object: &str) -> Result<()> {
    let entry = NewAuditEntry {
        at: OffsetDateTime::now_utc(),
        actor: "cli".into(),
        action: action.into(),
        object: object.into(),
        result: resettle_domain::audit::AuditResult::Ok,
        origin: "cli".into(),
    };
    store.append_audit(&entry).await?;
    Ok(())
}

/// Loads a policy document as a new version of the policy in `store`.
pub async fn load_policy(store: &SqlStore, text: &str, reason: &str) -> Result<i64> {
    let doc: PolicySet = serde_json::from_str(text).context(tr!("policy-not-valid"))?;
    if let Err(problems) = doc.validate() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        bail!(
            "{}\n  {}",
            tr!("policy-problems", problems = list.len()),
            list.join("\n  ")
        );
    }
    let newest = store.policy().await?.map(|v| v.version);
    let version = store
        .save_policy(&doc, newest, "cli", OffsetDateTime::now_utc(), reason)
        .await?;
    record(store, "change-policy", "policy").await?;
    Ok(version)
}

pub async fn policy(command: PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Load { file, reason, db } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| tr!("cannot-read", file = file.display().to_string()))?;
            let store = db.open().await?;
            let version = load_policy(&store, &text, &reason).await?;
            println!(
                "{}",
                tr!(
                    "policy-stored",
                    version = version.to_string(),
                    file = file.display().to_string()
                )
            );
        }
        PolicyCommand::Show { db } => {
            let store = db.open().await?;
            match store.policy().await? {
                Some(v) => println!("{}", serde_json::to_string_pretty(&v)?),
                None => bail!(tr!("no-policy")),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn report(args: ReportArgs) -> Result<ExitCode> {
    let name = ReportName::parse(&args.name).map_err(anyhow::Error::msg)?;
    let store = args.db.open().await?;
    let Some(policy) = store.policy().await? else {
        bail!(tr!("no-policy-load"))
    };
    let groups = store.person_groups().await?;
    let report = reports::build(name, &policy.document, &groups);
    let lang = crate::text::lang();
    let tables = render::tables(&report, resettle_web::T(lang));
    let round = args.round_to_tens;
    let bytes = match args.format.as_str() {
        "table" => render::text(&tables, round, lang).into_bytes(),
        "json" => serde_json::to_string_pretty(&report.json(round))?.into_bytes(),
        "csv" => render::csv(&tables, round)
            .map_err(anyhow::Error::msg)?
            .into_bytes(),
        "md" => render::markdown(&tables, round, lang).into_bytes(),
        "xlsx" => render::xlsx(&tables, round).map_err(anyhow::Error::msg)?,
        other => bail!(tr!(
            "not-a-format",
            format = other,
            choices = "table, json, csv, xlsx, md"
        )),
    };
    record(
        &store,
        "export-report",
        &format!("report {} ({})", name.as_str(), args.format),
    )
    .await?;
    match args.output {
        Some(path) => std::fs::write(&path, bytes)
            .with_context(|| tr!("cannot-write", file = path.display().to_string()))?,
        None if args.format == "xlsx" => bail!(tr!("xlsx-needs-output")),
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
