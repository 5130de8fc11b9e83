//! Demo municipalities with room for the families waiting in the demo
//! caseload: their housing task and dwellings shared out by weight, and the
//! features the placement model reads. Names and CBS codes are public; the
//! figures are synthetic.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// A demo municipality (the store's `Municipality` without the dependency).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMunicipality {
    pub code: &'static str,
    pub name: &'static str,
    pub partner: bool,
    /// Persons, large dwellings, school places.
    pub room: [u32; 3],
    pub features: BTreeMap<String, f64>,
}

/// (CBS code, name, partner, urban, academic hospital nearby)
const PLACES: &[(&str, &str, bool, bool, bool)] = &[
    ("GM0344", "Utrecht", true, true, true),
    ("GM0855", "Tilburg", true, true, false),
    ("GM0268", "Nijmegen", true, true, true),
    ("GM0014", "Groningen", true, true, true),
    ("GM0193", "Zwolle", true, true, false),
    ("GM0034", "Almere", false, true, false),
    ("GM0200", "Apeldoorn", true, false, false),
    ("GM0153", "Enschede", true, true, false),
    ("GM0080", "Leeuwarden", true, true, false),
    ("GM0307", "Amersfoort", false, true, false),
    ("GM0796", "'s-Hertogenbosch", false, true, false),
    ("GM0758", "Breda", false, true, false),
    ("GM0150", "Deventer", true, false, false),
    ("GM0228", "Ede", false, false, false),
    ("GM0202", "Arnhem", true, true, false),
    ("GM0392", "Haarlem", false, true, false),
    ("GM0546", "Leiden", false, true, true),
    ("GM0983", "Venlo", false, false, false),
    ("GM0917", "Heerlen", false, false, false),
    ("GM0114", "Emmen", true, false, false),
];

/// Municipalities whose room adds up to 1.05 × `need` (persons, large
/// dwellings, school places of the waiting families), shared unevenly.
pub fn municipalities(seed: u64, need: [u32; 3]) -> Vec<DemoMunicipality> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights: Vec<f64> = PLACES.iter().map(|_| rng.random_range(0.5..1.5)).collect();
    let total: f64 = weights.iter().sum();
    PLACES
        .iter()
        .zip(&weights)
        .map(|(&(code, name, partner, urban, hospital), w)| {
            let room = need.map(|n| (f64::from(n) * 1.05 * w / total).ceil() as u32);
            let features = [
                (
                    "jobs".to_string(),
                    (rng.random_range(0.3..1.0_f64) * 100.0).round() / 100.0,
                ),
                ("partner".to_string(), if partner { 1.0 } else { 0.0 }),
                ("urban".to_string(), if urban { 1.0 } else { 0.0 }),
                ("hospital".to_string(), if hospital { 1.0 } else { 0.0 }),
                (
                    "newcomerClasses".to_string(),
                    if urban || rng.random::<bool>() {
                        1.0
                    } else {
                        0.0
                    },
                ),
            ]
            .into();
            DemoMunicipality {
                code,
                name,
                partner,
                room,
                features,
            }
        })
        .collect()
}
