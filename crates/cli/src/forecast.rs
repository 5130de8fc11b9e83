//! `resettle forecast`: will each commitment be met?

use crate::database::DatabaseArgs;
use anyhow::{Context as _, Result, bail};
use resettle_domain::forecast::{Scenario, forecast};
use resettle_store::policy::PolicyStore;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;

#[derive(clap::Args)]
pub struct ForecastArgs {
    /// json or table.
    #[arg(long, default_value = "table")]
    format: String,
    /// The same seed gives the same forecast.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated futures.
    #[arg(long, default_value_t = 10_000)]
    runs: u32,
    /// Months ahead.
    #[arg(long, default_value_t = 24)]
    horizon: u32,
    /// A scenario file (JSON): cancelMissions, pause {from, months}, commitments, bringForward.
    #[arg(long)]
    scenario: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub async fn run(args: ForecastArgs) -> Result<ExitCode> {
    let scenario: Scenario = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not a valid scenario", path.display()))?
        }
        None => Scenario::default(),
    };
    let store = args.db.open().await?;
    let Some(policy) = store.policy().await? else {
        bail!("no policy is loaded yet: run 'resettle policy load FILE'")
    };
    let today = OffsetDateTime::now_utc().date();
    let input =
        resettle_web::forecasts::live_input(&store, &policy.document, today, args.horizon).await?;
    let f = forecast(&input, &policy.document, &scenario, args.runs, args.seed);
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&f)?),
        "table" => {
            println!(
                "Forecast from {} ({} runs, seed {})",
                f.as_of, f.runs, f.seed
            );
            println!(
                "{:<12} {:>10} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>9} {:>9}",
                "framework",
                "commitment",
                "counted",
                "p10",
                "p50",
                "p90",
                "P(met)",
                "excess",
                "shortfall",
                "relatives"
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
                        "expected to apply",
                        r.awaited_expected_to_apply,
                        &r.expected_to_apply,
                    ),
                    (
                        "not expected to apply",
                        r.awaited_not_expected_to_apply,
                        &r.not_expected_to_apply,
                    ),
                ] {
                    println!(
                        "relatives left behind, {label}: {awaited} awaited, chance {:.0}% ({:?}: {} sponsors, {} relatives, {} came)",
                        odds.probability * 100.0,
                        odds.basis,
                        odds.sponsors,
                        odds.relatives,
                        odds.arrived
                    );
                }
                println!(
                    "median delay after the sponsor {} months ({:?}, {} arrivals); within the horizon p10/p50/p90 {}/{}/{}",
                    r.median_delay_months,
                    r.delay_basis,
                    r.delays_seen,
                    r.within_horizon.p10,
                    r.within_horizon.p50,
                    r.within_horizon.p90
                );
            }
            println!("\n{:<8} {:>6} {:>6} {:>6}", "month", "p10", "p50", "p90");
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
        other => bail!("'{other}' is not a format; choose json or table"),
    }
    Ok(ExitCode::SUCCESS)
}
