//! The placement as JSON: what `resettle place` prints.

use crate::explain::Explanation;
use crate::problem::Problem;
use crate::solve::{Method, Solution};
use serde::Serialize;

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
}

impl PlacementOutput {
    pub fn new(p: &Problem, solution: &Solution, explanations: Option<Vec<Explanation>>) -> Self {
        let mut assignments = Vec::new();
        let mut unassigned = Vec::new();
        for (f, m) in solution.assign.iter().enumerate() {
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
        Self {
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
