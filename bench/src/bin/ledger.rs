//! Times every report of the quota ledger over a large synthetic caseload, on
//! SQLite and (with --postgres) PostgreSQL:
//! `cargo run --release -p resettle-bench --bin ledger -- --cases 1000000 --postgres postgres://postgres@127.0.0.1:5432/test`

use anyhow::Result;
use clap::Parser;
use resettle_bench::{Target, fill};
use resettle_domain::policy::PolicySet;
use resettle_store::SqlStore;
use resettle_store::policy::PolicyStore;
use resettle_web::reports::{self, ReportName};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Number of cases (four persons each).
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Timed runs per report; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also run on a scratch database on this PostgreSQL server.
    #[arg(long)]
    postgres: Option<String>,
}

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

async fn run(label: &str, store: &SqlStore, args: &Args) -> Result<()> {
    let t = Instant::now();
    fill(store, args.cases).await?;
    println!(
        "{label}: generated {} cases ({} persons) in {:.1} s",
        args.cases,
        args.cases * 4,
        t.elapsed().as_secs_f64()
    );
    let policy: PolicySet = serde_json::from_str(POLICY)?;
    // Loading the policy builds the buckets the reports read.
    let t = Instant::now();
    store
        .save_policy(
            &policy,
            None,
            "bench",
            time::OffsetDateTime::now_utc(),
            "bench",
        )
        .await?;
    println!(
        "{label}: policy stored and buckets built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let fly = store.person_groups_for(&policy.boundaries()).await?;
    println!(
        "{label}: projection computed on the fly (without buckets): {:.1} ms ({} groups)",
        t.elapsed().as_secs_f64() * 1000.0,
        fly.len()
    );
    for name in ReportName::ALL {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..args.runs {
            let t = Instant::now();
            let groups = store.person_groups().await?;
            let report = reports::build(*name, &policy, &groups);
            size = report.json(false).to_string().len();
            times.push(t.elapsed());
        }
        println!(
            "{label}: report {:<12} median {:>7.1} ms over {} runs ({size} bytes of JSON)",
            name.as_str(),
            median(times).as_secs_f64() * 1000.0,
            args.runs
        );
    }
    let t = Instant::now();
    let groups = store.person_groups().await?;
    for name in ReportName::ALL {
        reports::build(*name, &policy, &groups);
    }
    println!(
        "{label}: all four reports from one projection: {:.1} ms ({} person groups)",
        t.elapsed().as_secs_f64() * 1000.0,
        groups.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let (target, store) = Target::sqlite().await?;
    run("sqlite", &store, &args).await?;
    target.finish(store).await?;
    if let Some(url) = &args.postgres {
        let (target, store) = Target::postgres(url).await?;
        run("postgres", &store, &args).await?;
        target.finish(store).await?;
    }
    Ok(())
}
