//! Solving a placement problem: the exact transportation algorithm where
//! every family needs the same room, otherwise dual prices and local search;
//! in both cases with the upper bound beside the objective.

use crate::dual;
use crate::neighbourhood;
use crate::problem::Problem;
use crate::repack;
use crate::search::{self, State};
use crate::transport;
use serde::Serialize;

/// How hard to work. `Options::for_problem` scales the effort to the
/// instance; the benchmark measures those defaults.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Iterations of the dual at each smoothing temperature.
    pub dual_iterations: usize,
    /// Passes of local search over all families.
    pub search_rounds: usize,
    /// Extra constructions from randomly perturbed prices.
    pub restarts: usize,
    /// Simulated-annealing moves.
    pub anneal_moves: usize,
    /// Large neighbourhoods solved by branch and bound.
    pub neighbourhoods: usize,
    /// Whole-municipality re-packings tried (at most).
    pub repacks: usize,
    /// Municipalities re-packed together (at most).
    pub repack_places: usize,
    /// Branch-and-bound nodes per re-packing before it settles for the best found.
    pub repack_nodes: usize,
    /// Seed of the randomised steps, so a placement can be reproduced.
    pub seed: u64,
}

impl Options {
    /// Effort that keeps the largest published size (5,000 families, 300
    /// municipalities) within seconds and spends more on small, tight ones.
    pub fn for_problem(p: &Problem) -> Self {
        let pairs = (p.families() * p.municipalities()).max(1);
        let families = p.families().max(1);
        let nm = p.municipalities().max(1);
        // With few municipalities every set of them is re-packed in turn:
        // sets as large as a pass over all of them allows, counting the
        // families each set frees. With many, sets of up to three are drawn.
        let per_place = families as f64 / nm as f64;
        let (repack_places, repacks) = match (2..=4)
            .rev()
            .find(|k| binomial(nm, *k) as f64 * *k as f64 * per_place <= SWEEP_WORK)
        {
            Some(k) => (k, SWEEP_NEIGHBOURHOODS),
            None => (3, REPACKS_PER_MUNICIPALITY * nm),
        };
        Self {
            dual_iterations: 60,
            search_rounds: 50,
            restarts: (1_000_000 / pairs).min(20),
            anneal_moves: (30_000 * families).min(10_000_000_000 / families),
            neighbourhoods: (4_000_000 / families).min(20_000),
            repacks,
            repack_places,
            repack_nodes: 200_000,
            seed: 1,
        }
    }
}

/// Families freed, summed over one pass of re-packings, that a pass over
/// every set of municipalities may take.
const SWEEP_WORK: f64 = 400_000.0;
/// Re-packings at most when every set is swept (a pass stops the sweep
/// once it finds nothing).
const SWEEP_NEIGHBOURHOODS: usize = 10_000;
/// Re-packings drawn at random per municipality when there are too many sets to sweep.
const REPACKS_PER_MUNICIPALITY: usize = 20;

/// n choose k, saturating.
fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| {
        acc.saturating_mul(n.saturating_sub(i)) / (i + 1)
    })
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
            let state = heuristic(p, &dual.prices, options);
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

/// Constructions from the prices (and perturbed prices), each improved by
/// local search; the best then goes through annealing, large
/// neighbourhoods and the re-packing of whole municipalities.
fn heuristic<'a>(p: &'a Problem, prices: &[f64], options: &Options) -> State<'a> {
    use rand::{Rng, SeedableRng};
    const PERTURBATION: f64 = 0.05;
    const POOL: usize = 16;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(options.seed);
    let mut best: Option<State<'a>> = None;
    for restart in 0..=options.restarts {
        let priced: Vec<f64> = if restart == 0 {
            prices.to_vec()
        } else {
            prices
                .iter()
                .map(|x| x * (1.0 + PERTURBATION * (rng.random::<f64>() * 2.0 - 1.0)))
                .collect()
        };
        for mut state in [
            search::construct(p, &priced),
            search::construct_by_regret(p, &priced),
        ] {
            search::improve(&mut state, options.search_rounds);
            if best.as_ref().is_none_or(|b| state.objective > b.objective) {
                best = Some(state);
            }
        }
    }
    let mut state = best.unwrap_or_else(|| State::empty(p));
    state = search::anneal(state, prices, options.anneal_moves, options.seed);
    search::improve(&mut state, options.search_rounds);
    neighbourhood::search(
        &mut state,
        prices,
        options.neighbourhoods,
        POOL,
        options.seed,
    );
    search::improve(&mut state, options.search_rounds);
    let effort = repack::Effort {
        iterations: options.repacks,
        places: options.repack_places,
        nodes: options.repack_nodes,
        seed: options.seed,
    };
    if repack::search(&mut state, prices, &effort) > 0 {
        search::improve(&mut state, options.search_rounds);
    }
    state
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

/// What is wrong with an assignment, by position.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// The pair has no score: it is not allowed.
    NotAllowed { family: usize, municipality: usize },
    /// More than the room in one dimension.
    OverRoom {
        municipality: usize,
        dimension: usize,
        load: f64,
        capacity: f64,
    },
}

/// Every violation of the hard rules in an assignment (empty: it can be confirmed).
pub fn violations(p: &Problem, assign: &[Option<usize>]) -> Vec<Violation> {
    let dims = p.dims();
    let mut found = Vec::new();
    let mut load = vec![0.0; p.municipalities() * dims];
    for (f, m) in assign.iter().enumerate() {
        let Some(m) = *m else { continue };
        if p.score(f, m).is_none() {
            found.push(Violation::NotAllowed {
                family: f,
                municipality: m,
            });
        }
        for (k, d) in p.demand(f).iter().enumerate() {
            load[m * dims + k] += d;
        }
    }
    for m in 0..p.municipalities() {
        for (k, c) in p.capacity(m).iter().enumerate() {
            if load[m * dims + k] > c + 1e-6 {
                found.push(Violation::OverRoom {
                    municipality: m,
                    dimension: k,
                    load: load[m * dims + k],
                    capacity: *c,
                });
            }
        }
    }
    found
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
