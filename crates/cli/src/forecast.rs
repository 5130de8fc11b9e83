//! `resettle forecast`: will each commitment be met?

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::{Context as _, Result, bail};
use resettle_domain::forecast::{Scenario, forecast};
use resettle_store::policy::PolicyStore;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;

#[derive(clap::Args)]
pub struct ForecastArgs {
    #[arg(long, default_value = "table")]
    format: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 10_000)]
    runs: u32,
    #[arg(long, default_value_t = 24)]
    horizon: u32,
    #[arg(long)]
    scenario: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub async fn run(args: ForecastArgs) -> Result<ExitCode> {
    let scenario: Scenario = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| tr!("cannot-read", file = path.display().to_string()))?;
            serde_json::from_str(&text)
                .with_context(|| tr!("not-a-scenario", file = path.display().to_string()))?
        }
        None => Scenario::default(),
    };
    let store = args.db.open().await?;
    let Some(policy) = store.policy().await? else {
        bail!(tr!("no-policy-load"))
    };
    let today = OffsetDateTime::now_utc().date();
    let input =
        resettle_web::forecasts::live_input(&store, &policy.document, today, args.horizon).await?;
    let f = forecast(&input, &policy.document, &scenario, args.runs, args.seed);
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&f)?),
        "table" => {
            println!(
                "{}",
                tr!(
                    "forecast-heading",
                    date = f.as_of.to_string(),
                    runs = f.runs,
                    seed = f.seed.to_string()
                )
            );
            println!(
                "{:<12} {:>10} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>9}",
                tr!("col-framework"),
                tr!("col-commitment"),
                tr!("col-counted"),
                "p10",
                "p50",
                "p90",
                tr!("col-p-met"),
                tr!("col-excess"),
                tr!("col-shortfall"),
                tr!("col-relatives")
            );
            for fw in &f.frameworks {
                println!(
                    "{:<12} {:>10} {:>8} {:>6} {:>6} {:>6} {:>6.0}% {:>8.0} {:>9.0} {:>9}",
                    fw.id,
                    fw.adjusted_commitment,
                    fw.counted_so_far,
                    fw.total.p10,
                    fw.total.p50,
                    fw.total.p90,
                    fw.probability_met * 100.0,
                    fw.expected_excess,
                    fw.expected_shortfall,
                    fw.expected_relatives.p50
                );
            }
            if let Some(r) = &f.relatives {
                // "relatives" above: of the p50, relatives left behind expected to come later.
                for (label, awaited, odds) in [
                    (
                        tr!("relatives-expected-to-apply"),
                        r.awaited_expected_to_apply,
                        &r.expected_to_apply,
                    ),
                    (
                        tr!("relatives-not-expected-to-apply"),
                        r.awaited_not_expected_to_apply,
                        &r.not_expected_to_apply,
                    ),
                ] {
                    println!(
                        "{}",
                        tr!(
                            "relatives-line",
                            group = label,
                            awaited = awaited,
                            chance = format!("{:.0}", odds.probability * 100.0),
                            basis = basis(odds.basis),
                            sponsors = odds.sponsors,
                            relatives = odds.relatives,
                            came = odds.arrived
                        )
                    );
                }
                println!(
                    "{}",
                    tr!(
                        "relatives-delay",
                        months = r.median_delay_months,
                        basis = basis(r.delay_basis),
                        arrivals = r.delays_seen,
                        p10 = r.within_horizon.p10,
                        p50 = r.within_horizon.p50,
                        p90 = r.within_horizon.p90
                    )
                );
            }
            println!(
                "\n{:<8} {:>6} {:>6} {:>6}",
                tr!("col-month"),
                "p10",
                "p50",
                "p90"
            );
            for m in &f.months {
                println!(
                    "{}-{:02}  {:>6} {:>6} {:>6}",
                    m.month.year(),
                    m.month.month() as u8,
                    m.arrivals.p10,
                    m.arrivals.p50,
                    m.arrivals.p90
                );
            }
        }
        other => bail!(tr!("not-a-format", format = other, choices = "json, table")),
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a learnt figure comes from, in the reader's language.
fn basis(b: resettle_domain::forecast::Basis) -> String {
    use resettle_domain::forecast::Basis;
    match b {
        Basis::Data => tr!("basis-data"),
        Basis::Prior => tr!("basis-prior"),
    }
}
