//! `resettle retention apply`: pseudonymise closed cases whose retention period ended.

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::Result;
use resettle_domain::retention::RetentionPolicy;
use resettle_store::retention::apply_retention;
use std::process::ExitCode;
use time::OffsetDateTime;

#[derive(clap::Subcommand)]
pub enum RetentionCommand {
    Apply {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, default_value_t = RetentionPolicy::default().arrived_years)]
        arrived_years: i32,
        #[arg(long, default_value_t = RetentionPolicy::default().not_arrived_years)]
        not_arrived_years: i32,
    },
}

pub async fn run(command: RetentionCommand) -> Result<ExitCode> {
    let RetentionCommand::Apply {
        db,
        dry_run,
        arrived_years,
        not_arrived_years,
    } = command;
    let store = db.open().await?;
    let policy = RetentionPolicy {
        arrived_years,
        not_arrived_years,
    };
    let cases = apply_retention(
        &store,
        &policy,
        OffsetDateTime::now_utc(),
        "retention",
        dry_run,
    )
    .await?;
    let summary = if dry_run {
        tr!("retention-would", cases = cases.len())
    } else {
        tr!("retention-done", cases = cases.len())
    };
    println!("{summary}");
    for id in cases {
        println!("  {}", tr!("retention-case", id = id.to_string()));
    }
    Ok(ExitCode::SUCCESS)
}
