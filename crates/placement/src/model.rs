//! Where scores come from: a transparent logistic model whose coefficients
//! are data (format `resettle-placement-model/1`), or scores computed by an
//! external model and brought in as CSV (`family,municipality,score`).
//!
//! The model's linear predictor is a sum of terms, each a coefficient times
//! a family feature times a municipality feature ("1" stands for a constant,
//! so main effects are terms too); the score is its logistic transform, an
//! expected probability such as finding work within two years.

use crate::explain::ScorePart;
use crate::instance::{InstanceProblem, InvalidInstance, ScoreInput};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MODEL_FORMAT: &str = "resettle-placement-model/1";
/// The feature name that stands for the constant 1.
pub const CONSTANT: &str = "1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreModel {
    pub format: String,
    pub intercept: f64,
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Term {
    /// How the term is shown in an explanation.
    pub name: String,
    pub family_feature: String,
    pub municipality_feature: String,
    pub coefficient: f64,
}

/// Named numeric features of a family or a municipality.
pub type Features = BTreeMap<String, f64>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("the model's format is \"{0}\"; expected \"{MODEL_FORMAT}\"")]
    Format(String),
    #[error("terms[{index}].coefficient: must be a finite number")]
    Coefficient { index: usize },
    #[error("intercept: must be a finite number")]
    Intercept,
    #[error("{owner} has no feature \"{feature}\", which the term \"{term}\" needs")]
    MissingFeature {
        owner: String,
        feature: String,
        term: String,
    },
}

impl ScoreModel {
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.format != MODEL_FORMAT {
            return Err(ModelError::Format(self.format.clone()));
        }
        if !self.intercept.is_finite() {
            return Err(ModelError::Intercept);
        }
        match self.terms.iter().position(|t| !t.coefficient.is_finite()) {
            Some(index) => Err(ModelError::Coefficient { index }),
            None => Ok(()),
        }
    }

    /// The parts of the linear predictor: the intercept, then each term.
    pub fn parts(
        &self,
        family: (&str, &Features),
        municipality: (&str, &Features),
    ) -> Result<Vec<ScorePart>, ModelError> {
        let value = |owner: (&str, &Features), feature: &str, term: &str| {
            if feature == CONSTANT {
                return Ok(1.0);
            }
            owner
                .1
                .get(feature)
                .copied()
                .ok_or_else(|| ModelError::MissingFeature {
                    owner: owner.0.to_string(),
                    feature: feature.to_string(),
                    term: term.to_string(),
                })
        };
        let mut parts = vec![ScorePart {
            name: "intercept".into(),
            value: self.intercept,
        }];
        for t in &self.terms {
            let x = value(family, &t.family_feature, &t.name)?
                * value(municipality, &t.municipality_feature, &t.name)?;
            parts.push(ScorePart {
                name: t.name.clone(),
                value: t.coefficient * x,
            });
        }
        Ok(parts)
    }

    /// The score: the logistic transform of the summed parts.
    pub fn score(
        &self,
        family: (&str, &Features),
        municipality: (&str, &Features),
    ) -> Result<f64, ModelError> {
        let z: f64 = self
            .parts(family, municipality)?
            .iter()
            .map(|p| p.value)
            .sum();
        Ok(logistic(z))
    }
}

pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Scores from an external model: CSV with the header
/// `family,municipality,score`. Every bad line is reported, by line number.
pub fn scores_from_csv(text: &str) -> Result<Vec<ScoreInput>, InvalidInstance> {
    let mut problems = Vec::new();
    let mut scores = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim().replace(' ', "") == "family,municipality,score" => {}
        _ => problems.push(InstanceProblem {
            field: "line 1".into(),
            message: "the first line must be the header family,municipality,score".into(),
        }),
    }
    for (i, line) in lines {
        let field = format!("line {}", i + 1);
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let [family, municipality, score] = cells.as_slice() else {
            problems.push(InstanceProblem {
                field,
                message: format!("has {} cells; expected 3", cells.len()),
            });
            continue;
        };
        match score.parse::<f64>() {
            Ok(s) if s.is_finite() => scores.push(ScoreInput {
                family: family.to_string(),
                municipality: municipality.to_string(),
                score: s,
            }),
            _ => problems.push(InstanceProblem {
                field: format!("{field}, score"),
                message: format!("\"{score}\" is not a number"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(scores)
    } else {
        Err(InvalidInstance { problems })
    }
}
