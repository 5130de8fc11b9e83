//! Times the import path (`Store::import_cases`: validation done, all-or-nothing
//! transaction, cases, members, history, projection) on SQLite and PostgreSQL:
//! `cargo run --release -p resettle-bench --bin import -- --cases 100000 --postgres postgres://postgres@127.0.0.1:5432/test`

use anyhow::Result;
use clap::Parser;
use resettle_bench::Target;
use resettle_domain::{Case, CaseId, Context, NewCase, PersonId, sample};
use resettle_store::{SqlStore, Store};
use std::time::Instant;
use time::Duration;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    cases: u32,
    #[arg(long)]
    postgres: Option<String>,
    /// Give cases and persons random (v4) ids instead of the product's
    /// time-ordered ones, to measure what id order costs the indexes.
    #[arg(long)]
    v4_ids: bool,
}

/// Arrived families of four with a full history, each with its own case number.
fn caseload(n: u32, v4_ids: bool) -> Result<Vec<NewCase>> {
    let on = time::macros::date!(2024 - 01 - 08);
    let ctx = |d| Context {
        occurred_on: d,
        recorded_at: time::macros::datetime!(2025-01-01 0:00 UTC),
        actor: "bench".into(),
        reason: None,
    };
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let number = format!("BEN-{:02}C{:06}", 10 + i / 1_000_000, i % 1_000_000);
        let s = sample::submission(&number, 4, on).ok_or_else(|| anyhow::anyhow!("sample"))?;
        let mut c = Case::submit(CaseId::generate(), s, &ctx(on))?;
        for (k, step) in sample::path_to(resettle_domain::CaseState::Housed)
            .into_iter()
            .enumerate()
        {
            let d = on + Duration::days(k as i64 + 1);
            c.apply(sample::action(step, d), &ctx(d))?;
        }
        if v4_ids {
            c.case.id = CaseId::from_uuid(uuid::Uuid::new_v4());
            for m in &mut c.case.submission.members {
                m.id = PersonId::from_uuid(uuid::Uuid::new_v4());
            }
        }
        out.push(c);
    }
    Ok(out)
}

async fn run(label: &str, store: &SqlStore, cases: &[NewCase]) -> Result<()> {
    let t = Instant::now();
    store.import_cases(cases, &|_| {}).await?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "{label}: imported {} cases (4 persons, 7 history entries each) in {s:.1} s: {:.0} cases/s",
        cases.len(),
        cases.len() as f64 / s
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let t = Instant::now();
    let cases = caseload(args.cases, args.v4_ids)?;
    println!(
        "ids: {}",
        if args.v4_ids {
            "random (v4)"
        } else {
            "time-ordered (v7)"
        }
    );
    println!(
        "built {} cases in memory in {:.1} s",
        cases.len(),
        t.elapsed().as_secs_f64()
    );
    let (target, store) = Target::sqlite().await?;
    run("sqlite", &store, &cases).await?;
    target.finish(store).await?;
    if let Some(url) = &args.postgres {
        let (target, store) = Target::postgres(url).await?;
        run("postgres", &store, &cases).await?;
        target.finish(store).await?;
    }
    Ok(())
}
