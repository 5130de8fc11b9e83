//! `resettle place`: solve a placement instance from a file, with no
//! database. Prints the placement as JSON (or a table for a person).

use crate::text::{lang, tr};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use resettle_placement::explain::explain;
use resettle_placement::output::PlacementOutput;
use resettle_placement::{Instance, Options, solve};
use resettle_web::format::decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct PlaceArgs {
    #[arg(long)]
    instance: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    #[arg(long)]
    explain: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
}

pub fn run(args: PlaceArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.instance)
        .with_context(|| tr!("cannot-read", file = args.instance.display().to_string()))?;
    let instance: Instance = serde_json::from_str(&text).with_context(|| {
        tr!(
            "not-an-instance",
            file = args.instance.display().to_string()
        )
    })?;
    let problem = match instance.validate() {
        Ok(p) => p,
        Err(invalid) => {
            eprintln!(
                "{} {}",
                tr!("error-heading"),
                tr!(
                    "invalid-instance",
                    file = args.instance.display().to_string()
                )
            );
            for p in &invalid.problems {
                eprintln!("  {}: {}", p.field, p.message);
            }
            return Ok(ExitCode::from(2));
        }
    };
    let solution = solve(&problem, &Options::for_problem(&problem));
    let explanations = args
        .explain
        .then(|| explain(&problem, &solution.assign, &|_, _| Vec::new()));
    let output = PlacementOutput::new(&problem, &solution, explanations);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&output)?),
        Format::Table => {
            println!(
                "{:<12} {:<12} {:>8}",
                tr!("col-family"),
                tr!("col-municipality"),
                tr!("col-score")
            );
            for a in &output.assignments {
                println!("{:<12} {:<12} {:>8.4}", a.family, a.municipality, a.score);
            }
            for f in &output.unassigned {
                println!("{f:<12} {:<12} {:>8}", tr!("place-unplaced"), "");
            }
            for r in &output.reserved {
                let room: Vec<String> = r.room.iter().map(|v| v.to_string()).collect();
                println!(
                    "{:<12} {:<12} {}",
                    tr!("place-kept"),
                    r.municipality,
                    tr!(
                        "place-room-kept",
                        room = room.join(" / "),
                        families = r.families
                    )
                );
            }
            if let Some(score) = output.batch_score {
                println!(
                    "{}",
                    tr!("place-batch-score", score = decimal(lang(), score, 4))
                );
            }
            println!(
                "{}",
                tr!(
                    "place-objective",
                    objective = decimal(lang(), output.objective, 4),
                    bound = decimal(lang(), output.upper_bound, 4),
                    gap = decimal(lang(), output.gap_percent, 3)
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
