//! Times the forecast over a large synthetic caseload (target: 10,000 runs over
//! 1 million cases in under 5 s on 2 cores):
//! `cargo run --release -p resettle-bench --bin forecast -- --cases 1000000 --runs 10000 --postgres postgres://postgres@127.0.0.1:5432/test`

use anyhow::Result;
use clap::Parser;
use resettle_bench::{Target, fill, open_pipeline};
use resettle_domain::forecast::{Scenario, forecast};
use resettle_domain::policy::PolicySet;
use resettle_store::SqlStore;
use resettle_store::policy::PolicyStore;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    #[arg(long, default_value_t = 10_000)]
    runs: u32,
    #[arg(long)]
    postgres: Option<String>,
}

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

async fn run(label: &str, store: &SqlStore, args: &Args) -> Result<()> {
    fill(store, args.cases).await?;
    open_pipeline(store).await?;
    let policy: PolicySet = serde_json::from_str(POLICY)?;
    store
        .save_policy(
            &policy,
            None,
            "bench",
            time::OffsetDateTime::now_utc(),
            "bench",
        )
        .await?;
    let as_of = time::macros::date!(2026 - 01 - 01);
    for round in 0..3 {
        let t = Instant::now();
        let input = resettle_web::forecasts::live_input(store, &policy, as_of, 24).await?;
        let loaded = t.elapsed();
        let t2 = Instant::now();
        let f = forecast(&input, &policy, &Scenario::default(), args.runs, 1);
        let simulated = t2.elapsed();
        let cases: u64 = input.cohorts.iter().map(|c| c.cases).sum();
        println!(
            "{label} #{round}: {} pipeline cases in {} cohorts, {} relatives left behind awaited; input read in {:.0} ms, {} runs simulated in {:.0} ms, total {:.2} s (first framework p50 {})",
            cases,
            input.cohorts.len(),
            input.relatives.as_ref().map_or(0, |r| r
                .awaited
                .iter()
                .map(|a| a.relatives)
                .sum::<u64>()),
            loaded.as_secs_f64() * 1000.0,
            args.runs,
            simulated.as_secs_f64() * 1000.0,
            t.elapsed().as_secs_f64(),
            f.frameworks.first().map_or(0, |x| x.total.p50)
        );
    }
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
