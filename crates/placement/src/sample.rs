//! Seeded synthetic instances at the sizes of the published studies, for
//! tests, the benchmark and the demo. No real family or municipality.
//!
//! Families have 1-8 persons; with three dimensions they also need a large
//! dwelling (five persons or more) and school places (their children). About
//! 5% of pairs are not allowed. Each dimension's total capacity is 1.0-1.1 ×
//! the total demand, shared unevenly over the municipalities. Scores follow a
//! logistic model of family and municipality traits, like an employment
//! probability.

use crate::instance::{FamilyInput, Instance, MunicipalityInput, ScoreInput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Share of family × municipality pairs that are not allowed.
pub const INCOMPATIBLE: f64 = 0.05;

/// Names of the dimensions in the order they are added.
pub const DIMENSIONS: [&str; 3] = ["persons", "largeDwellings", "schoolPlaces"];

/// An instance with `dims` dimensions (1 to 3, of [`DIMENSIONS`]); with
/// `unit_demand` every family needs exactly one slot instead.
pub fn generate(
    seed: u64,
    families: usize,
    municipalities: usize,
    dims: usize,
    unit_demand: bool,
) -> Instance {
    let dims = dims.clamp(1, DIMENSIONS.len());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let gauss = |rng: &mut ChaCha8Rng, mean: f64, sd: f64| -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        mean + sd * z
    };

    let mut family_list = Vec::with_capacity(families);
    let mut family_traits = Vec::with_capacity(families);
    for f in 0..families {
        let persons: u32 = rng.random_range(1..=8);
        let children = if persons > 1 {
            rng.random_range(0..persons)
        } else {
            0
        };
        let full = [
            persons as f64,
            if persons >= 5 { 1.0 } else { 0.0 },
            children as f64,
        ];
        let demand = if unit_demand {
            vec![1.0; dims]
        } else {
            full[..dims].to_vec()
        };
        family_list.push(FamilyInput {
            id: format!("F{:05}", f + 1),
            demand,
            expected: false,
        });
        family_traits.push((
            gauss(&mut rng, -0.6, 0.5),
            [gauss(&mut rng, 0.0, 0.7), gauss(&mut rng, 0.0, 0.7)],
        ));
    }
    let mut total = vec![0.0; dims];
    for f in &family_list {
        for (k, d) in f.demand.iter().enumerate() {
            total[k] += d;
        }
    }
    let weights: Vec<f64> = (0..municipalities)
        .map(|_| rng.random_range(0.5..1.5))
        .collect();
    let weight_sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let factors: Vec<f64> = (0..dims).map(|_| rng.random_range(1.0..1.1)).collect();
    let mut place_traits = Vec::with_capacity(municipalities);
    let municipality_list = (0..municipalities)
        .map(|m| {
            place_traits.push((
                gauss(&mut rng, 0.0, 0.35),
                [gauss(&mut rng, 0.0, 0.7), gauss(&mut rng, 0.0, 0.7)],
            ));
            let capacity = (0..dims)
                .map(|k| (total[k] * factors[k] * weights[m] / weight_sum).round())
                .collect();
            MunicipalityInput {
                id: format!("GM{:04}", m + 1),
                capacity,
            }
        })
        .collect::<Vec<_>>();
    let mut scores = Vec::with_capacity(families * municipalities);
    for (f, (alpha, u)) in family_traits.iter().enumerate() {
        for (m, (beta, v)) in place_traits.iter().enumerate() {
            if rng.random::<f64>() < INCOMPATIBLE {
                continue;
            }
            let z = alpha + beta + u[0] * v[0] + u[1] * v[1] + gauss(&mut rng, 0.0, 0.25);
            let score = 1.0 / (1.0 + (-z).exp());
            scores.push(ScoreInput {
                family: family_list[f].id.clone(),
                municipality: municipality_list[m].id.clone(),
                score: (score * 1e6).round() / 1e6,
            });
        }
    }
    Instance {
        dimensions: DIMENSIONS[..dims].iter().map(|d| d.to_string()).collect(),
        municipalities: municipality_list,
        families: family_list,
        scores,
    }
}
