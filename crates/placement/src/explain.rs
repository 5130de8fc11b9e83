//! Why each family is proposed where it is: its score there and its rank
//! among the municipalities allowed for it, the dimensions in which that
//! municipality is now full, and the next-best municipality with the score
//! difference and the reason it was not chosen.

use crate::problem::{EPS, Problem};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub family: String,
    /// Where the family is proposed; `None` when it is left unplaced.
    pub municipality: Option<String>,
    pub score: Option<f64>,
    /// 1 for the family's best-scoring allowed municipality.
    pub rank: Option<usize>,
    /// How many municipalities are allowed for this family at all.
    pub allowed: usize,
    /// Dimensions in which the proposed municipality has no room left for
    /// even the smallest family: the binding capacities.
    pub full_dimensions: Vec<String>,
    /// The best municipality other than the proposed one.
    pub next_best: Option<Alternative>,
    /// Parts of the score, when the score came from the placement model.
    pub score_parts: Vec<ScorePart>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Alternative {
    pub municipality: String,
    pub score: f64,
    /// Its score minus the proposed one's (positive: it scores higher).
    pub difference: f64,
    pub why_not: WhyNot,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum WhyNot {
    /// It scores lower.
    LowerScore,
    /// It has no room left for this family in these dimensions, given the
    /// families proposed there.
    NoRoom { dimensions: Vec<String> },
    /// It has room and scores higher: the proposal was changed by hand.
    ChangedByHand,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScorePart {
    pub name: String,
    pub value: f64,
}

/// Explains every family's placement in `assign`; `parts` gives the score
/// parts of a pair where they are known.
pub fn explain(
    p: &Problem,
    assign: &[Option<usize>],
    parts: &dyn Fn(usize, usize) -> Vec<ScorePart>,
) -> Vec<Explanation> {
    let dims = p.dims();
    let mut load = vec![0.0; p.municipalities() * dims];
    for (f, m) in assign.iter().enumerate() {
        if let Some(m) = m {
            for (k, d) in p.demand(f).iter().enumerate() {
                load[m * dims + k] += d;
            }
        }
    }
    let smallest: Vec<f64> = (0..dims)
        .map(|k| {
            (0..p.families())
                .map(|f| p.demand(f)[k])
                .filter(|d| *d > EPS)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let room = |m: usize, k: usize| p.capacity(m)[k] - load[m * dims + k];

    (0..p.families())
        .map(|f| {
            let here = assign[f];
            let mut options: Vec<(f64, usize)> = (0..p.municipalities())
                .filter_map(|m| p.score(f, m).map(|s| (s, m)))
                .collect();
            options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let score = here.and_then(|m| p.score(f, m));
            let rank = here.and_then(|m| options.iter().position(|(_, o)| *o == m).map(|i| i + 1));
            let full_dimensions = here
                .map(|m| {
                    (0..dims)
                        .filter(|k| smallest[*k].is_finite() && room(m, *k) < smallest[*k] - EPS)
                        .map(|k| p.dimension_name(k).to_string())
                        .collect()
                })
                .unwrap_or_default();
            let next_best = options
                .iter()
                .find(|(_, m)| Some(*m) != here)
                .map(|(s, m)| {
                    // Room there for this family, counting it out where it is now.
                    let short: Vec<String> = (0..dims)
                        .filter(|k| p.demand(f)[*k] > room(*m, *k) + EPS)
                        .map(|k| p.dimension_name(k).to_string())
                        .collect();
                    let difference = s - score.unwrap_or(0.0);
                    let why_not = if !short.is_empty() {
                        WhyNot::NoRoom { dimensions: short }
                    } else if difference <= EPS {
                        WhyNot::LowerScore
                    } else {
                        WhyNot::ChangedByHand
                    };
                    Alternative {
                        municipality: p.municipality_id(*m).to_string(),
                        score: *s,
                        difference,
                        why_not,
                    }
                });
            Explanation {
                family: p.family_id(f).to_string(),
                municipality: here.map(|m| p.municipality_id(m).to_string()),
                score,
                rank,
                allowed: options.len(),
                full_dimensions,
                next_best,
                score_parts: here.map(|m| parts(f, m)).unwrap_or_default(),
            }
        })
        .collect()
}
