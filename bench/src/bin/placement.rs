//! Placement benchmark: writes seeded instances at the published sizes, and
//! solves one instance with Resettle's solver and with the greedy baseline,
//! printing one JSON line (objective, bound, seconds). `bench/placement/run.sh`
//! runs HiGHS on the same files and makes the table. `season` places a
//! half-year's families in batches as they arrive, with and without room
//! kept for the families expected later.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use rand::{Rng, SeedableRng};
use resettle_placement::instance::{FamilyInput, MunicipalityInput, ScoreInput};
use resettle_placement::{Instance, Options, sample, solve};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the benchmark instances into a folder.
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Solve one instance file with Resettle and with the greedy baseline.
    Solve {
        instance: PathBuf,
        /// Repetitions; the fastest time is reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Also write the placement (the JSON of `resettle place`) here.
        #[arg(long)]
        write: Option<PathBuf>,
    },
    /// Place one season's families (a seeded instance) in batches, in the
    /// order they arrive: each batch on its own, and each batch with room
    /// kept for the families still to come (drawn from those seen so far);
    /// both against the placement made with hindsight of the whole season.
    Season {
        #[arg(long, default_value_t = 1000)]
        families: usize,
        #[arg(long, default_value_t = 20)]
        municipalities: usize,
        #[arg(long, default_value_t = 3)]
        dims: usize,
        #[arg(long, default_value_t = 8)]
        batches: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

/// (name, families, municipalities, dimensions, unit demand)
const SIZES: [(&str, usize, usize, usize, bool); 5] = [
    ("hias-329x20x1", 329, 20, 1, false),
    ("hias-329x20x3", 329, 20, 3, false),
    ("1000x20x3", 1000, 20, 3, false),
    ("5000x300x3", 5000, 300, 3, false),
    ("unit-5000x300x1", 5000, 300, 1, true),
];

fn main() -> Result<()> {
    match Args::parse().command {
        Command::Season {
            families,
            municipalities,
            dims,
            batches,
            seed,
        } => season(
            &sample::generate(seed, families, municipalities, dims, false),
            batches.max(1),
            seed,
        )?,
        Command::Generate { out, seed } => {
            std::fs::create_dir_all(&out)?;
            for (i, (name, f, m, d, unit)) in SIZES.iter().enumerate() {
                let instance = sample::generate(seed + i as u64, *f, *m, *d, *unit);
                let path = out.join(format!("{name}.json"));
                std::fs::write(&path, serde_json::to_vec(&instance)?)?;
                println!("{}", path.display());
            }
        }
        Command::Solve {
            instance,
            repeat,
            write,
        } => {
            let text = std::fs::read_to_string(&instance)
                .with_context(|| instance.display().to_string())?;
            let instance_data: Instance = serde_json::from_str(&text)?;
            let problem = instance_data.validate()?;
            let options = Options::for_problem(&problem);
            let mut best = f64::INFINITY;
            let mut best_cpu = f64::INFINITY;
            let mut solution = None;
            for _ in 0..repeat.max(1) {
                let start = Instant::now();
                let cpu_start = cpu_seconds();
                let s = solve(&problem, &options);
                best = best.min(start.elapsed().as_secs_f64());
                best_cpu = best_cpu.min(cpu_seconds() - cpu_start);
                solution = Some(s);
            }
            let solution = solution.context("no run")?;
            resettle_placement::solve::check(&problem, &solution.assign)
                .map_err(anyhow::Error::msg)?;
            if let Some(path) = write {
                let output =
                    resettle_placement::output::PlacementOutput::new(&problem, &solution, None);
                std::fs::write(path, serde_json::to_vec(&output)?)?;
            }
            let start = Instant::now();
            let greedy = resettle_placement::solve::greedy(&problem);
            let greedy_seconds = start.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "instance": instance.display().to_string(),
                    "method": solution.method,
                    "objective": solution.objective,
                    "upperBound": solution.upper_bound,
                    "seconds": best,
                    "cpuSeconds": best_cpu.is_finite().then_some(best_cpu),
                    "unplaced": solution.assign.iter().filter(|a| a.is_none()).count(),
                    "greedyObjective": resettle_placement::solve::objective(&problem, &greedy),
                    "greedySeconds": greedy_seconds,
                })
            );
        }
    }
    Ok(())
}

/// Runs the season both ways and prints one JSON line each, and the hindsight line.
fn season(all: &Instance, batches: usize, seed: u64) -> Result<()> {
    let whole = all.validate()?;
    let start = Instant::now();
    let hindsight = solve(&whole, &Options::for_problem(&whole));
    println!(
        "{}",
        serde_json::json!({
            "mode": "hindsight (the whole season at once)",
            "score": hindsight.objective,
            "upperBound": hindsight.upper_bound,
            "placed": hindsight.assign.iter().flatten().count(),
            "seconds": start.elapsed().as_secs_f64(),
        })
    );
    let mut rows: HashMap<&str, Vec<&ScoreInput>> = HashMap::new();
    for s in &all.scores {
        rows.entry(s.family.as_str()).or_default().push(s);
    }
    let n = all.families.len();
    let size = n.div_ceil(batches);
    for keep_room in [false, true] {
        let mut room: Vec<Vec<f64>> = all
            .municipalities
            .iter()
            .map(|m| m.capacity.clone())
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let (mut score, mut placed, mut seconds) = (0.0, 0, 0.0);
        for first in (0..n).step_by(size) {
            let arrived = (first + size).min(n);
            let mut families: Vec<FamilyInput> = all.families[first..arrived].to_vec();
            if keep_room {
                // Those still to come, modelled on the families seen so far.
                for i in 0..n - arrived {
                    let like = &all.families[rng.random_range(0..arrived)];
                    families.push(FamilyInput {
                        id: format!("expected-{i}-{}", like.id),
                        demand: like.demand.clone(),
                        expected: true,
                    });
                }
            }
            let scores = families
                .iter()
                .flat_map(|f| {
                    let original = f.id.rsplit('-').next().unwrap_or(&f.id);
                    rows.get(original)
                        .into_iter()
                        .flatten()
                        .map(|s| ScoreInput {
                            family: f.id.clone(),
                            ..(*s).clone()
                        })
                })
                .collect();
            let batch = Instance {
                dimensions: all.dimensions.clone(),
                municipalities: all
                    .municipalities
                    .iter()
                    .zip(&room)
                    .map(|(m, r)| MunicipalityInput {
                        id: m.id.clone(),
                        capacity: r.iter().map(|v| v.max(0.0)).collect(),
                    })
                    .collect(),
                families,
                scores,
            };
            let p = batch.validate()?;
            let start = Instant::now();
            let s = solve(&p, &Options::for_problem(&p));
            seconds += start.elapsed().as_secs_f64();
            resettle_placement::solve::check(&p, &s.assign).map_err(anyhow::Error::msg)?;
            for (f, m) in s.assign.iter().enumerate() {
                if let (false, Some(m)) = (p.expected(f), m) {
                    score += p.score(f, *m).unwrap_or(0.0);
                    placed += 1;
                    for (k, d) in p.demand(f).iter().enumerate() {
                        room[*m][k] -= d;
                    }
                }
            }
        }
        println!(
            "{}",
            serde_json::json!({
                "mode": if keep_room { "batches, room kept for expected families" } else { "batches, each on its own" },
                "batches": n.div_ceil(size),
                "score": score,
                "ofHindsight": score / hindsight.objective,
                "placed": placed,
                "seconds": seconds,
            })
        );
    }
    Ok(())
}

/// CPU time of this process so far (user + system, every thread, also
/// those that have ended), from /proc/self/stat; NaN where that is not there.
fn cpu_seconds() -> f64 {
    // utime and stime are counted in USER_HZ ticks, which Linux fixes at 100
    // for user space whatever the kernel's own tick.
    const USER_HZ: f64 = 100.0;
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which may hold spaces) end with ')'.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ')'.
    match (fields.get(11), fields.get(12)) {
        (Some(u), Some(s)) => match (u.parse::<f64>(), s.parse::<f64>()) {
            (Ok(u), Ok(s)) => (u + s) / USER_HZ,
            _ => f64::NAN,
        },
        _ => f64::NAN,
    }
}
