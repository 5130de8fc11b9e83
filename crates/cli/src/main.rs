//! `resettle`: the one binary of the resettlement case system.

mod accounts;
mod audit;
mod backup;
mod database;
mod forecast;
mod import;
mod keys;
mod logins;
mod place;
mod report;
mod retention;
mod serve;
mod text;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use database::DatabaseArgs;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: requests and imports allocate and free
/// many small values across threads (the server's and SQLite's), where glibc
/// spent about a fifth of the CPU; 8-10% more transitions/s under load and
/// 5-7% faster imports (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Seed of the demo caseload, so every demo shows the same cases.
const DEMO_SEED: u64 = 2026;

#[derive(Parser)]
#[command(
    name = "resettle",
    version,
    about = "Refugee resettlement case system: UNHCR submissions, IND assessment, COA preparation, arrival and housing, counted against policy frameworks."
)]
struct Cli {
    /// Log lines as text for people, or as one JSON object a line for a log
    /// collector (fields: timestamp, level, message, target, and the request's
    /// id, method, path, status and latency).
    #[arg(
        long,
        global = true,
        env = "RESETTLE_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the JSON API.
    Serve(serve::ServeArgs),
    /// Fill an empty database with the synthetic demo caseload and one account per role.
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Seed of the generator; the same seed gives the same caseload.
        #[arg(long, default_value_t = DEMO_SEED)]
        seed: u64,
    },
    /// Import records from a file.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Personal accounts: add, remove, list (the access review).
    Users {
        #[command(subcommand)]
        command: accounts::UsersCommand,
    },
    /// API tokens: create, revoke, list.
    Tokens {
        #[command(subcommand)]
        command: accounts::TokensCommand,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Keys that encrypt special-category data at rest.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// A report of the quota ledger, computed from case data and the policy:
    /// frameworks, eu, composition or allocation.
    Report(report::ReportArgs),
    /// Forecast arrivals and the chance that each commitment is met.
    Forecast(forecast::ForecastArgs),
    /// Policy data: frameworks, quotas, EU programmes, allocation plans.
    Policy {
        #[command(subcommand)]
        command: report::PolicyCommand,
    },
    /// Write a consistent copy of a SQLite database while it is in use.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new SQLite file, and check it.
    Restore(backup::RestoreArgs),
    /// Place families in municipalities from an instance file (no database):
    /// the best total score within capacity, with its upper bound.
    Place(place::PlaceArgs),
    /// Retention of personal data in closed cases.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
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
        db: DatabaseArgs,
        /// Name recorded as the actor of the imported history.
        #[arg(long, default_value = "import")]
        actor: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits non-zero and names the first bad entry when
    /// any entry was edited, deleted or reordered.
    Verify {
        /// Also check the trail against every checkpoint in this file
        /// (written by `resettle audit checkpoint`): finds entries removed
        /// from the end and a trail rewritten with its hashes computed anew.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Verify the trail and append its entry count and head hash to FILE, a
    /// file kept where the database's administrators cannot write.
    Checkpoint {
        #[arg(long)]
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// The login watch as JSON: spikes of failed logins and logins from new
    /// addresses; exits 3 when there is any (for a scheduled job that alerts).
    Logins {
        /// The hours watched, up to now (the 30 days before them say what is usual).
        #[arg(long, default_value_t = 24)]
        hours: u32,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // The help and the mistakes in the language of the environment.
    let parsed = text::command(Cli::command(), text::lang())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => match text::usage_error(&e) {
            None => e.exit(),
            Some(said) => {
                eprint!("{said}");
                return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
            }
        },
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{} {e:#}", text::tr!("error-heading"));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Demo { db, seed } => {
            let store = db.open().await?;
            serve::fill_demo(&store, seed).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            what: ImportCommand::Submissions { file, db, actor },
        } => import::submissions(&file, &db, &actor).await,
        Command::Users { command } => accounts::users(command).await,
        Command::Tokens { command } => accounts::tokens(command).await,
        Command::Audit {
            command: AuditCommand::Verify { checkpoints, db },
        } => audit::verify(&db.database, checkpoints.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Checkpoint { file, db },
        } => audit::checkpoint(&db.database, &file).await,
        Command::Audit {
            command: AuditCommand::Logins { hours, db },
        } => logins::logins(&db.database, hours).await,
        Command::Keys { command } => keys::run(command).await,
        Command::Retention { command } => retention::run(command).await,
        Command::Report(args) => report::report(args).await,
        Command::Forecast(args) => forecast::run(args).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Policy { command } => report::policy(command).await,
        Command::Place(args) => place::run(args),
    }
}
