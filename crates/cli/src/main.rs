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

// The help of every command and argument is in `locales/nl.ftl` and
// `locales/en.ftl` (keys `help-COMMAND`, `help-COMMAND--ARG`, `arg-ARG`),
// set when the command line is built (`text::command`); a test fails for a
// command or argument without both.
#[derive(Parser)]
#[command(name = "resettle", version)]
struct Cli {
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
    Serve(serve::ServeArgs),
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long, default_value_t = DEMO_SEED)]
        seed: u64,
    },
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    Users {
        #[command(subcommand)]
        command: accounts::UsersCommand,
    },
    Tokens {
        #[command(subcommand)]
        command: accounts::TokensCommand,
    },
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    Report(report::ReportArgs),
    Forecast(forecast::ForecastArgs),
    Policy {
        #[command(subcommand)]
        command: report::PolicyCommand,
    },
    Backup(backup::BackupArgs),
    Restore(backup::RestoreArgs),
    Place(place::PlaceArgs),
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    Submissions {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long, default_value = "import")]
        actor: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    Verify {
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    Checkpoint {
        #[arg(long)]
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    Logins {
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
