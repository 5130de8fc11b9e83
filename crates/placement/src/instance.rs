//! The placement instance as it arrives (JSON), and its validation into a
//! [`Problem`] the solver can trust. Every problem is reported at once, each
//! with the path of the field it concerns.

use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A placement instance: municipalities with capacity in named dimensions,
/// families with a demand in the same dimensions, and the expected-integration
/// score of every allowed family × municipality pair. A pair without a score
/// is not allowed (a hard constraint: no medical care nearby, no accessible
/// dwelling, …).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instance {
    pub dimensions: Vec<String>,
    pub municipalities: Vec<MunicipalityInput>,
    pub families: Vec<FamilyInput>,
    pub scores: Vec<ScoreInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MunicipalityInput {
    pub id: String,
    pub capacity: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FamilyInput {
    pub id: String,
    pub demand: Vec<f64>,
    /// A family expected in a later batch: it is placed with this batch's
    /// families only so that room is kept for it, and no proposal is made
    /// for it. Its scores are estimates, weighted by the chance that it comes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expected: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreInput {
    pub family: String,
    pub municipality: String,
    pub score: f64,
}

/// One thing wrong with an instance: the field (a JSON path such as
/// `families[3].demand`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceProblem {
    pub field: String,
    pub message: String,
}

/// An instance that cannot be solved as given; lists every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the placement instance has {} problem(s): {}", .problems.len(), summary(.problems))]
pub struct InvalidInstance {
    pub problems: Vec<InstanceProblem>,
}

fn summary(problems: &[InstanceProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Instance {
    /// Checks the instance and builds the dense problem.
    pub fn validate(&self) -> Result<Problem, InvalidInstance> {
        let mut problems = Vec::new();
        let mut report = |field: String, message: String| {
            problems.push(InstanceProblem { field, message });
        };
        let dims = self.dimensions.len();
        if dims == 0 {
            report(
                "dimensions".into(),
                "at least one capacity dimension is needed (for example \"persons\")".into(),
            );
        }
        let mut seen = HashSet::new();
        for (i, name) in self.dimensions.iter().enumerate() {
            if name.trim().is_empty() {
                report(
                    format!("dimensions[{i}]"),
                    "a dimension needs a name".into(),
                );
            } else if !seen.insert(name.as_str()) {
                report(
                    format!("dimensions[{i}]"),
                    format!("\"{name}\" is named twice"),
                );
            }
        }

        let mut municipality_index = HashMap::new();
        let mut capacity = Vec::with_capacity(self.municipalities.len() * dims);
        for (i, m) in self.municipalities.iter().enumerate() {
            let at = format!("municipalities[{i}]");
            if m.id.trim().is_empty() {
                report(format!("{at}.id"), "a municipality needs an id".into());
            } else if municipality_index.insert(m.id.as_str(), i).is_some() {
                report(
                    format!("{at}.id"),
                    format!("municipality \"{}\" appears twice", m.id),
                );
            }
            check_vector(
                &m.capacity,
                dims,
                &format!("{at}.capacity"),
                "capacity",
                &mut report,
            );
            capacity.extend(resized(&m.capacity, dims));
        }

        let mut family_index = HashMap::new();
        let mut demand = Vec::with_capacity(self.families.len() * dims);
        for (i, f) in self.families.iter().enumerate() {
            let at = format!("families[{i}]");
            if f.id.trim().is_empty() {
                report(format!("{at}.id"), "a family needs an id".into());
            } else if family_index.insert(f.id.as_str(), i).is_some() {
                report(
                    format!("{at}.id"),
                    format!("family \"{}\" appears twice", f.id),
                );
            }
            check_vector(
                &f.demand,
                dims,
                &format!("{at}.demand"),
                "demand",
                &mut report,
            );
            demand.extend(resized(&f.demand, dims));
        }

        let nm = self.municipalities.len();
        let mut score = vec![f64::NAN; self.families.len() * nm];
        for (i, s) in self.scores.iter().enumerate() {
            let at = format!("scores[{i}]");
            let family = family_index.get(s.family.as_str()).copied();
            let municipality = municipality_index.get(s.municipality.as_str()).copied();
            if family.is_none() {
                report(
                    format!("{at}.family"),
                    format!("unknown family \"{}\"", s.family),
                );
            }
            if municipality.is_none() {
                report(
                    format!("{at}.municipality"),
                    format!("unknown municipality \"{}\"", s.municipality),
                );
            }
            if !s.score.is_finite() {
                report(
                    format!("{at}.score"),
                    "the score must be a finite number".into(),
                );
            }
            if let (Some(f), Some(m)) = (family, municipality) {
                let cell = &mut score[f * nm + m];
                if !cell.is_nan() {
                    report(
                        at.clone(),
                        format!(
                            "the pair family \"{}\" × municipality \"{}\" is scored twice",
                            s.family, s.municipality
                        ),
                    );
                } else if s.score.is_finite() {
                    *cell = s.score;
                }
            }
        }

        if !problems.is_empty() {
            return Err(InvalidInstance { problems });
        }
        Ok(Problem {
            dims,
            dimension_names: self.dimensions.clone(),
            municipality_ids: self.municipalities.iter().map(|m| m.id.clone()).collect(),
            family_ids: self.families.iter().map(|f| f.id.clone()).collect(),
            expected: self.families.iter().map(|f| f.expected).collect(),
            capacity,
            demand,
            score,
        })
    }
}

fn check_vector(
    values: &[f64],
    dims: usize,
    field: &str,
    what: &str,
    report: &mut impl FnMut(String, String),
) {
    if values.len() != dims {
        report(
            field.to_string(),
            format!(
                "has {} value(s) but there are {dims} dimension(s); give one {what} per dimension",
                values.len()
            ),
        );
    }
    for (k, v) in values.iter().enumerate() {
        if !v.is_finite() {
            report(
                format!("{field}[{k}]"),
                format!("the {what} must be a finite number"),
            );
        } else if *v < 0.0 {
            report(
                format!("{field}[{k}]"),
                format!("the {what} cannot be negative ({v})"),
            );
        }
    }
}

/// The vector cut or padded to `dims`, so the dense arrays keep their shape
/// while every problem is still being collected.
fn resized(values: &[f64], dims: usize) -> impl Iterator<Item = f64> + '_ {
    (0..dims).map(move |k| values.get(k).copied().unwrap_or(0.0))
}
