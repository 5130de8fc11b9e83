//! Solving a placement problem: the exact transportation algorithm where
//! every family needs the same room, otherwise dual prices and local search;
//! in both cases with the upper bound beside the objective.

use crate::dual;
use crate::problem::Problem;
use crate::search::{self, State};
use crate::transport;
use serde::Serialize;

/// How hard to work; the defaults are what the benchmark measures.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Iterations of the dual at each smoothing temperature.
    pub dual_iterations: usize,
    /// Passes of local search over all families.
    pub search_rounds: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dual_iterations: 60,
            search_rounds: 50,
        }
    }
}

/// Which algorithm produced a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Method {
    /// Every family needs the same room: solved exactly (successive shortest paths).
    ExactTransportation,
    /// Families of different sizes: dual prices, then local search.
    DualPricesLocalSearch,
}

/// A placement with its bound.
#[derive(Debug, Clone)]
pub struct Solution {
    /// `assign[f]`: the municipality of family `f`, or `None` if unplaced.
    pub assign: Vec<Option<usize>>,
    pub objective: f64,
    /// No placement, not even a fractional one, scores more than this.
    pub upper_bound: f64,
    pub method: Method,
    /// Price per unit of room, `prices[m * dims + k]`: what the LP says a
    /// unit of dimension `k` in municipality `m` is worth to the others.
    pub prices: Vec<f64>,
}

pub fn solve(p: &Problem, options: &Options) -> Solution {
    let dual = dual::solve(p, options.dual_iterations);
    match transport::uniform_slots(p) {
        Some((slots, exact_multiples)) => {
            let assign = transport::solve(p, &slots);
            let objective = objective(p, &assign);
            // With whole slots the transportation LP is integral: the optimum is the bound.
            let upper_bound = if exact_multiples {
                objective
            } else {
                dual.bound.max(objective)
            };
            Solution {
                assign,
                objective,
                upper_bound,
                method: Method::ExactTransportation,
                prices: dual.prices,
            }
        }
        None => {
            let mut state = search::construct(p, &dual.prices);
            search::improve(&mut state, options.search_rounds);
            let objective = objective(p, &state.assign);
            Solution {
                assign: state.assign,
                objective,
                upper_bound: dual.bound.max(objective),
                method: Method::DualPricesLocalSearch,
                prices: dual.prices,
            }
        }
    }
}

/// A greedy baseline for comparison: families in the order given, each to
/// the municipality with the best score that still has room.
pub fn greedy(p: &Problem) -> Vec<Option<usize>> {
    let mut state = State::empty(p);
    search::greedy(&mut state);
    state.assign
}

/// The total score of an assignment.
pub fn objective(p: &Problem, assign: &[Option<usize>]) -> f64 {
    assign
        .iter()
        .enumerate()
        .filter_map(|(f, m)| m.and_then(|m| p.score(f, m)))
        .sum()
}

/// Checks an assignment against the hard rules: allowed pairs and every
/// capacity. Returns the first violation, in words.
pub fn check(p: &Problem, assign: &[Option<usize>]) -> Result<(), String> {
    let dims = p.dims();
    let mut load = vec![0.0; p.municipalities() * dims];
    for (f, m) in assign.iter().enumerate() {
        let Some(m) = *m else { continue };
        if p.score(f, m).is_none() {
            return Err(format!(
                "family {} is placed in {}, a pair that is not allowed",
                p.family_id(f),
                p.municipality_id(m)
            ));
        }
        for (k, d) in p.demand(f).iter().enumerate() {
            load[m * dims + k] += d;
        }
    }
    for m in 0..p.municipalities() {
        for (k, c) in p.capacity(m).iter().enumerate() {
            if load[m * dims + k] > c + 1e-6 {
                return Err(format!(
                    "{} holds {} {} but has room for {}",
                    p.municipality_id(m),
                    load[m * dims + k],
                    p.dimension_name(k),
                    c
                ));
            }
        }
    }
    Ok(())
}

/// Improves a given assignment by local search.
pub fn polish(p: &Problem, assign: &[Option<usize>], rounds: usize) -> Vec<Option<usize>> {
    let mut state = State::from_assignment(p, assign);
    search::improve(&mut state, rounds);
    state.assign
}
