//! `resettle import submissions FILE`, with a progress bar for large files.

use crate::text::tr;
use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use resettle_domain::Context;
use resettle_domain::import::{ImportFile, ImportProblem, validate_file_with_progress};
use resettle_store::{Store, StoreError};
use std::path::Path;
use std::process::ExitCode;
use time::OffsetDateTime;

fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

fn report(problems: &[ImportProblem]) -> ExitCode {
    eprintln!("{}", tr!("import-refused", problems = problems.len()));
    for p in problems {
        eprintln!("  {p}");
    }
    ExitCode::FAILURE
}

pub async fn submissions(
    file: &Path,
    db: &crate::database::DatabaseArgs,
    actor: &str,
) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| tr!("cannot-read", file = file.display().to_string()))?;
    let parsed: ImportFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "{}",
                tr!(
                    "not-an-import-file",
                    file = file.display().to_string(),
                    error = e.to_string()
                )
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let now = OffsetDateTime::now_utc();
    let ctx = Context {
        occurred_on: now.date(),
        recorded_at: now,
        actor: actor.to_string(),
        reason: None,
    };

    // Check every record first, listing every problem; store nothing unless all are good.
    let checking = bar(parsed.submissions.len(), &tr!("progress-checking"));
    let checked =
        validate_file_with_progress(&parsed, &ctx, &mut |n| checking.set_position(n as u64));
    checking.finish_and_clear();
    let cases = match checked {
        Ok(cases) => cases,
        Err(problems) => return Ok(report(&problems)),
    };

    let store = db.open().await?;
    let storing = bar(cases.len(), &tr!("progress-storing"));
    let progress = |n: usize| storing.set_position(n as u64);
    match store.import_cases(&cases, &progress).await {
        Ok(()) => {
            storing.finish_and_clear();
            let persons: usize = cases.iter().map(|c| c.case.persons()).sum();
            println!(
                "{}",
                tr!(
                    "imported",
                    cases = cases.len(),
                    persons = persons,
                    file = file.display().to_string()
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::ImportRejected(problems)) => {
            storing.finish_and_clear();
            Ok(report(&problems))
        }
        Err(e) => Err(e.into()),
    }
}
