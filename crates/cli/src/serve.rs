//! `resettle serve` and the demo database behind `--demo`.

use anyhow::{Context as _, Result, bail};
use resettle_domain::Context;
use resettle_store::{SqlStore, Store};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use time::OffsetDateTime;

/// The file `serve --demo` creates anew at every start.
const DEMO_FILE: &str = "resettle-demo.db";

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Database URL; default the SQLite file resettle.db (or resettle-demo.db with --demo).
    #[arg(long, env = "RESETTLE_DATABASE_URL")]
    database: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Start on a fresh demo database (a new resettle-demo.db unless --database names an empty one).
    #[arg(long)]
    demo: bool,
    /// Name recorded as the actor of changes made through this server.
    #[arg(long, default_value = "operator")]
    operator: String,
}

pub async fn open(url: &str) -> Result<SqlStore> {
    SqlStore::connect(url).await.with_context(|| format!("cannot open the database {url}"))
}

/// Fills an empty store with the demo caseload; returns (cases, persons).
pub async fn fill_demo(store: &SqlStore, seed: u64) -> Result<(usize, usize)> {
    if store.count_cases().await? > 0 {
        bail!("the database already holds cases; the demo only fills an empty database");
    }
    let now = OffsetDateTime::now_utc();
    let ctx = Context { occurred_on: now.date(), recorded_at: now, actor: "demo".into(), reason: None };
    let cases = resettle_demo::generate(seed, &ctx)?;
    let persons = cases.iter().map(|c| c.case.persons()).sum();
    store.import_cases(&cases, &|_| {}).await?;
    Ok((cases.len(), persons))
}

fn remove_demo_files() -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{DEMO_FILE}{suffix}");
        if Path::new(&path).exists() {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove the old {path}"))?;
        }
    }
    Ok(())
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let url = match (&args.database, args.demo) {
        (Some(url), _) => url.clone(),
        (None, true) => {
            remove_demo_files()?;
            format!("sqlite:{DEMO_FILE}")
        }
        (None, false) => crate::DEFAULT_DATABASE.to_string(),
    };
    let store = open(&url).await?;
    if args.demo {
        let (cases, persons) = fill_demo(&store, crate::DEMO_SEED).await?;
        tracing::info!(cases, persons, "demo caseload stored");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("Resettle is running at http://{addr}/ (database: {:?}); stop with Ctrl-C", store.backend());
    let state = resettle_web::AppState::new(Arc::new(store.clone()), &args.operator);
    resettle_web::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    store.close().await;
    Ok(())
}
