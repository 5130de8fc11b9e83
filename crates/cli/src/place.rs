//! `resettle place`: solve a placement instance from a file, with no
//! database. Prints the placement as JSON (or a table for a person).

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use resettle_placement::explain::explain;
use resettle_placement::output::PlacementOutput;
use resettle_placement::{Instance, Options, solve};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct PlaceArgs {
    /// The instance: dimensions, municipalities with capacity, families with
    /// demand, and a score for every allowed pair (see docs/placement.md).
    #[arg(long)]
    instance: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Add an explanation of every proposal (rank, binding capacity, next best).
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
        .with_context(|| format!("cannot read the instance {}", args.instance.display()))?;
    let instance: Instance = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a placement instance", args.instance.display()))?;
    let problem = match instance.validate() {
        Ok(p) => p,
        Err(invalid) => {
            eprintln!(
                "error: {} is not a valid placement instance:",
                args.instance.display()
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
            println!("{:<12} {:<12} {:>8}", "family", "municipality", "score");
            for a in &output.assignments {
                println!("{:<12} {:<12} {:>8.4}", a.family, a.municipality, a.score);
            }
            for f in &output.unassigned {
                println!("{f:<12} {:<12} {:>8}", "(unplaced)", "");
            }
            for r in &output.reserved {
                let room: Vec<String> = r.room.iter().map(|v| v.to_string()).collect();
                println!(
                    "{:<12} {:<12} room {} kept for {} expected famil{}",
                    "(kept)",
                    r.municipality,
                    room.join(" / "),
                    r.families,
                    if r.families == 1 { "y" } else { "ies" }
                );
            }
            if let Some(score) = output.batch_score {
                println!("this batch's proposals score {score:.4}");
            }
            println!(
                "objective {:.4}, upper bound {:.4}, gap {:.3}%",
                output.objective, output.upper_bound, output.gap_percent
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
