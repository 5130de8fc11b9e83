//! The placement as JSON: what `resettle place` prints.

use crate::explain::Explanation;
use crate::problem::Problem;
use crate::solve::{Method, Solution};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub family: String,
    pub municipality: String,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementOutput {
    pub assignments: Vec<Assignment>,
    pub objective: f64,
    pub upper_bound: f64,
    /// Families left unplaced (no allowed municipality with room, or worth
    /// less than the families their room went to).
    pub unassigned: Vec<String>,
    pub method: Method,
    /// (upperBound − objective) / upperBound, in percent.
    pub gap_percent: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanations: Option<Vec<Explanation>>,
    /// With families expected in later batches: the score of this batch's
    /// proposals alone (`objective` and `upperBound` are then those of the
    /// whole plan, this batch and the expected families together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_score: Option<f64>,
    /// The room kept for the expected families, per municipality.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<Reservation>,
}

/// Room kept in one municipality for families expected later.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub municipality: String,
    /// Expected families the room is kept for.
    pub families: usize,
    /// The room, one value per dimension.
    pub room: Vec<f64>,
}

impl PlacementOutput {
    pub fn new(p: &Problem, solution: &Solution, explanations: Option<Vec<Explanation>>) -> Self {
        let mut assignments = Vec::new();
        let mut unassigned = Vec::new();
        // Kept room by municipality id, so the list comes out in id order.
        let mut kept: BTreeMap<&str, Reservation> = BTreeMap::new();
        let batch = (0..p.families()).any(|f| p.expected(f));
        for (f, m) in solution.assign.iter().enumerate() {
            if p.expected(f) {
                if let Some(m) = m {
                    let id = p.municipality_id(*m);
                    let r = kept.entry(id).or_insert_with(|| Reservation {
                        municipality: id.to_string(),
                        families: 0,
                        room: vec![0.0; p.dims()],
                    });
                    r.families += 1;
                    for (k, d) in p.demand(f).iter().enumerate() {
                        r.room[k] += d;
                    }
                }
                continue;
            }
            match m {
                Some(m) => assignments.push(Assignment {
                    family: p.family_id(f).to_string(),
                    municipality: p.municipality_id(*m).to_string(),
                    score: p.score(f, *m).unwrap_or(0.0),
                }),
                None => unassigned.push(p.family_id(f).to_string()),
            }
        }
        let gap_percent = if solution.upper_bound.abs() > f64::EPSILON {
            (solution.upper_bound - solution.objective) / solution.upper_bound.abs() * 100.0
        } else {
            0.0
        };
        let reserved: Vec<Reservation> = kept.into_values().collect();
        let batch_score = batch.then(|| assignments.iter().map(|a| a.score).sum());
        let explanations = explanations.map(|all| {
            all.into_iter()
                .enumerate()
                .filter(|(f, _)| !p.expected(*f))
                .map(|(_, e)| e)
                .collect()
        });
        Self {
            batch_score,
            reserved,
            assignments,
            objective: solution.objective,
            upper_bound: solution.upper_bound,
            unassigned,
            method: solution.method,
            gap_percent,
            explanations,
        }
    }
}
