//! `resettle`: the one binary of the resettlement case system.

mod import;
mod serve;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The default database: an embedded SQLite file in the working directory.
const DEFAULT_DATABASE: &str = "sqlite:resettle.db";

/// Seed of the demo caseload, so every demo shows the same cases.
const DEMO_SEED: u64 = 2026;

#[derive(Parser)]
#[command(name = "resettle", version, about = "Refugee resettlement case system: UNHCR submissions, IND assessment, COA preparation, arrival and housing, counted against policy frameworks.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DatabaseArg {
    /// Database URL: a SQLite file (sqlite:resettle.db, or a plain path) or postgres://user@host/db.
    #[arg(long, env = "RESETTLE_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the JSON API.
    Serve(serve::ServeArgs),
    /// Fill an empty database with the synthetic demo caseload.
    Demo {
        #[command(flatten)]
        db: DatabaseArg,
        /// Seed of the generator; the same seed gives the same caseload.
        #[arg(long, default_value_t = crate::DEMO_SEED)]
        seed: u64,
    },
    /// Import records from a file.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import UNHCR submissions (format resettle-submissions/1, see docs/import-format.md).
    /// All or nothing: one bad record means nothing is imported, and every problem is listed.
    Submissions {
        /// The JSON file to import.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Name recorded as the actor of the imported history.
        #[arg(long, default_value = "import")]
        actor: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Demo { db, seed } => {
            let store = serve::open(&db.database).await?;
            let (cases, persons) = serve::fill_demo(&store, seed).await?;
            println!("demo caseload stored: {cases} cases, {persons} persons in {}", db.database);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what: ImportCommand::Submissions { file, db, actor } } => {
            import::submissions(&file, &db.database, &actor).await
        }
    }
}
