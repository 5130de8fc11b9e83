//! Re-packing whole municipalities: every family of two to four
//! municipalities is freed, together with a few outsiders that could gain
//! there (unplaced families, and families placed elsewhere that score more
//! here), and the best way to put them back is searched by branch and bound,
//! everyone else staying where they are. A neighbourhood is first bounded by
//! its own Lagrangian dual (the LP bound of the small problem): most cannot
//! beat the current placement and are dismissed without any search.
//!
//! This reaches what the pairwise moves and the 16-family neighbourhoods
//! cannot: re-packing nearly full municipalities in three dimensions at once.

use crate::dual;
use crate::problem::{EPS, Problem};
use crate::search::{GAIN, State};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How much work the re-packing may do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effort {
    /// Neighbourhoods tried.
    pub(crate) iterations: usize,
    /// Largest number of municipalities re-packed at once.
    pub(crate) places: usize,
    /// Branch-and-bound nodes per neighbourhood before settling for the best found.
    pub(crate) nodes: usize,
    pub(crate) seed: u64,
}

/// Iterations of the small dual at each smoothing temperature: the bound of
/// a neighbourhood needs to be good, not exact.
const SUB_DUAL_EFFORT: usize = 15;

/// Outsiders offered a place in a neighbourhood: the unplaced and those
/// placed elsewhere that gain most here.
const OUTSIDERS: usize = 12;

/// Most municipalities in one neighbourhood (the options of a family are kept on the stack).
const MAX_PLACES: usize = 8;

/// Runs the re-packing; returns the number of neighbourhoods that improved.
pub(crate) fn search(state: &mut State<'_>, prices: &[f64], effort: &Effort) -> usize {
    let p = state.p;
    let (nm, dims) = (p.municipalities(), p.dims());
    if nm < 2 || p.families() == 0 || effort.places < 2 {
        return 0;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(effort.seed);
    if let Some(improved) = sweep(state, prices, effort, &mut rng) {
        return improved;
    }
    let preferences = crate::neighbourhood::preferences(p, 4);
    // How much the LP values a municipality's room: where capacity binds at
    // a high price, re-packing is most likely to pay.
    let worth: Vec<f64> = (0..nm)
        .map(|m| {
            (0..dims)
                .map(|k| prices[m * dims + k] * p.capacity(m)[k])
                .sum::<f64>()
        })
        .collect();
    let total_worth: f64 = worth.iter().sum();
    // Where the LP would put each family: its best score net of the price
    // of its room (None where nothing is worth its room).
    let lp_choice: Vec<Option<usize>> = (0..p.families())
        .map(|f| {
            let d = p.demand(f);
            (0..nm)
                .filter_map(|m| {
                    p.score(f, m).map(|s| {
                        let cost: f64 = (0..dims).map(|k| prices[m * dims + k] * d[k]).sum();
                        (s - cost, m)
                    })
                })
                .filter(|(r, _)| *r > 0.0)
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|(_, m)| m)
        })
        .collect();
    let mut improved = 0;
    let draw = |iteration: usize, state: &State<'_>, rng: &mut ChaCha8Rng| -> Vec<usize> {
        let mut places = Vec::with_capacity(effort.places);
        // A third of the neighbourhoods start from a family that is not where
        // the LP would put it: its place and the LP's; a third from a
        // municipality drawn by the worth of its room; a third uniformly.
        if iteration % 3 == 2 {
            for _ in 0..20 {
                let f = rng.random_range(0..p.families());
                if let Some(m) = lp_choice[f].filter(|m| state.assign[f] != Some(*m)) {
                    places.push(m);
                    if let Some(here) = state.assign[f] {
                        places.push(here);
                    }
                    break;
                }
            }
        }
        let anchor = if iteration % 3 == 1 && total_worth > 0.0 {
            let mut x = rng.random::<f64>() * total_worth;
            worth
                .iter()
                .position(|w| {
                    x -= w;
                    x <= 0.0
                })
                .unwrap_or(nm - 1)
        } else {
            rng.random_range(0..nm)
        };
        let want = rng.random_range(2..=effort.places.min(nm).min(MAX_PLACES));
        if places.is_empty() {
            places.push(anchor);
        }
        let mut tries = 0;
        while places.len() < want && tries < 20 {
            tries += 1;
            // A partner where a family of one of the places would rather be.
            let from = places[rng.random_range(0..places.len())];
            let partner = crate::neighbourhood::partner(state, &preferences, from, rng);
            if !places.contains(&partner) {
                places.push(partner);
            }
        }
        places.sort_unstable();
        places
    };
    let (mut bnb, mut other) = (Bnb::default(), Bnb::default());
    let mut iteration = 0;
    while iteration < effort.iterations {
        let first = draw(iteration, state, &mut rng);
        let second =
            (iteration + 1 < effort.iterations).then(|| draw(iteration + 1, state, &mut rng));
        iteration += 2;
        let Some(second) = second else {
            improved += usize::from(bnb.apply(state, prices, &first, effort));
            continue;
        };
        if second.iter().any(|m| first.contains(m)) {
            improved += usize::from(bnb.apply(state, prices, &first, effort));
            improved += usize::from(bnb.apply(state, prices, &second, effort));
            continue;
        }
        // Two neighbourhoods without a municipality in common are solved at
        // once on two threads, from the same placement. The second is kept
        // only if the first moved none of its families: then its room and
        // its gain are as they were when it was solved.
        let shared: &State<'_> = state;
        let (a, b) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| other.neighbourhood(shared, prices, &second, effort));
            let a = bnb.neighbourhood(shared, prices, &first, effort);
            (a, handle.join().ok().flatten())
        });
        let mut moved: Vec<usize> = Vec::new();
        if let Some(a) = a {
            moved.extend(a.iter().map(|(f, _)| *f));
            commit(state, a);
            improved += 1;
        }
        if let Some(b) = b.filter(|b| b.iter().all(|(f, _)| !moved.contains(f))) {
            commit(state, b);
            improved += 1;
        }
    }
    improved
}

/// Puts every family of a re-packing where it says (None: unplaced).
fn commit(state: &mut State<'_>, assignment: Vec<(usize, Option<usize>)>) {
    for &(f, _) in &assignment {
        state.remove(f);
    }
    for (f, m) in assignment {
        if let Some(m) = m {
            state.place(f, m);
        }
    }
}

/// With few municipalities every set of `places` of them is tried, in a
/// shuffled order, pass after pass until a whole pass finds nothing (or the
/// budget runs out). Returns the number of neighbourhoods that improved, or
/// None when there are too many sets to go through.
fn sweep(
    state: &mut State<'_>,
    prices: &[f64],
    effort: &Effort,
    rng: &mut ChaCha8Rng,
) -> Option<usize> {
    let nm = state.p.municipalities();
    let size = effort.places.min(nm).min(MAX_PLACES);
    let mut sets: Vec<Vec<usize>> = Vec::new();
    let mut set: Vec<usize> = (0..size).collect();
    loop {
        sets.push(set.clone());
        if sets.len() > effort.iterations {
            return None;
        }
        // The next set in lexicographic order.
        let Some(i) = (0..size).rev().find(|&i| set[i] < nm - size + i) else {
            break;
        };
        set[i] += 1;
        for j in i + 1..size {
            set[j] = set[j - 1] + 1;
        }
    }
    let mut bnb = Bnb::default();
    let (mut improved, mut budget) = (0, effort.iterations);
    loop {
        sets.shuffle(rng);
        let mut found = false;
        for places in &sets {
            if budget == 0 {
                return Some(improved);
            }
            budget -= 1;
            if bnb.apply(state, prices, places, effort) {
                improved += 1;
                found = true;
            }
        }
        if !found {
            return Some(improved);
        }
    }
}

/// One neighbourhood's small problem and its branch and bound (buffers reused).
#[derive(Default)]
struct Bnb {
    families: Vec<usize>,
    /// `value[i * q + j]`: what family i adds in place j over where it stays
    /// otherwise (NaN: not allowed or no gain).
    value: Vec<f64>,
    demand: Vec<f64>,
    room: Vec<f64>,
    prices: Vec<f64>,
    order: Vec<usize>,
    /// Per depth, the best each later family can add, plain and priced.
    suffix: Vec<f64>,
    priced_suffix: Vec<f64>,
    choice: Vec<Option<usize>>,
    best_choice: Vec<Option<usize>>,
    best: f64,
    nodes: usize,
    limit: usize,
    q: usize,
    dims: usize,
}

impl Bnb {
    /// Re-packs `places` if that gains; whether it did.
    fn apply(
        &mut self,
        state: &mut State<'_>,
        prices: &[f64],
        places: &[usize],
        effort: &Effort,
    ) -> bool {
        let Some(assignment) = self.neighbourhood(state, prices, places, effort) else {
            return false;
        };
        commit(state, assignment);
        true
    }

    /// The best re-packing of `places`, as (family, new municipality) for
    /// every family involved, if it beats the current placement.
    fn neighbourhood(
        &mut self,
        state: &State<'_>,
        prices: &[f64],
        places: &[usize],
        effort: &Effort,
    ) -> Option<Vec<(usize, Option<usize>)>> {
        let p = state.p;
        let (q, dims) = (places.len(), p.dims());
        self.q = q;
        self.dims = dims;
        self.families.clear();
        for &m in places {
            self.families.extend(state.members[m].iter().copied());
        }
        let members = self.families.len();
        let current: f64 = self
            .families
            .iter()
            .map(|f| state.assign[*f].and_then(|m| p.score(*f, m)).unwrap_or(0.0))
            .sum();
        // Outsiders by what the LP would gain from them here (net of the
        // price of the room they take), best first.
        let priced_gain = |f: usize| -> f64 {
            let stay = state.assign[f].and_then(|m| p.score(f, m)).unwrap_or(0.0);
            places
                .iter()
                .filter_map(|&m| {
                    p.score(f, m).map(|s| {
                        s - stay
                            - (0..dims)
                                .map(|k| prices[m * dims + k] * p.demand(f)[k])
                                .sum::<f64>()
                    })
                })
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let mut outside: Vec<(f64, usize)> = (0..p.families())
            .filter(|f| state.assign[*f].is_none_or(|m| !places.contains(&m)))
            .filter_map(|f| {
                let g = priced_gain(f);
                (g > -EPS && g.is_finite()).then_some((g, f))
            })
            .collect();
        let take = OUTSIDERS.min(outside.len());
        if take > 0 && take < outside.len() {
            outside.select_nth_unstable_by(take - 1, |a, b| b.0.total_cmp(&a.0));
        }
        outside.truncate(take);
        outside.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        self.families.extend(outside.iter().map(|(_, f)| *f));
        let n = self.families.len();
        if n == 0 {
            return None;
        }
        self.value.clear();
        self.demand.clear();
        for (i, &f) in self.families.iter().enumerate() {
            let stay = if i < members {
                0.0
            } else {
                state.assign[f].and_then(|m| p.score(f, m)).unwrap_or(0.0)
            };
            for &m in places {
                let v = p.score(f, m).map_or(f64::NAN, |s| s - stay);
                self.value.push(if v > GAIN { v } else { f64::NAN });
            }
            self.demand.extend_from_slice(p.demand(f));
        }
        self.room.clear();
        for &m in places {
            self.room.extend_from_slice(p.capacity(m));
        }
        // The small problem's own dual: prices for its bound.
        let sub = Problem {
            dims,
            dimension_names: vec![String::new(); dims],
            municipality_ids: vec![String::new(); q],
            family_ids: vec![String::new(); n],
            expected: vec![false; n],
            capacity: self.room.clone(),
            demand: self.demand.clone(),
            score: self.value.clone(),
        };
        let sub_dual = dual::solve(&sub, SUB_DUAL_EFFORT);
        if sub_dual.bound <= current + GAIN {
            return None;
        }
        self.prices = sub_dual.prices;
        // Families with the most to gain first; each one's options best first.
        let top = |i: usize, v: &[f64]| -> f64 {
            (0..q)
                .map(|j| v[i * q + j])
                .filter(|x| !x.is_nan())
                .fold(0.0, f64::max)
        };
        let priced = |i: usize, v: &[f64], d: &[f64], lambda: &[f64]| -> f64 {
            (0..q)
                .filter(|j| !v[i * q + j].is_nan())
                .map(|j| {
                    v[i * q + j]
                        - (0..dims)
                            .map(|k| lambda[j * dims + k] * d[i * dims + k])
                            .sum::<f64>()
                })
                .fold(0.0, f64::max)
        };
        self.order.clear();
        self.order.extend(0..n);
        let value = &self.value;
        self.order
            .sort_by(|a, b| top(*b, value).total_cmp(&top(*a, value)).then(a.cmp(b)));
        self.suffix = vec![0.0; n + 1];
        self.priced_suffix = vec![0.0; n + 1];
        for depth in (0..n).rev() {
            let i = self.order[depth];
            self.suffix[depth] = self.suffix[depth + 1] + top(i, &self.value);
            self.priced_suffix[depth] =
                self.priced_suffix[depth + 1] + priced(i, &self.value, &self.demand, &self.prices);
        }
        self.choice = vec![None; n];
        self.best_choice = (0..n)
            .map(|i| {
                if i < members {
                    state.assign[self.families[i]].and_then(|m| places.iter().position(|x| *x == m))
                } else {
                    None
                }
            })
            .collect();
        self.best = current;
        self.nodes = 0;
        self.limit = effort.nodes;
        self.branch(0, 0.0);
        if self.best <= current + GAIN {
            return None;
        }
        // An outsider left out stays where it is; a member left out is unplaced.
        Some(
            (0..n)
                .filter(|i| *i < members || self.best_choice[*i].is_some())
                .map(|i| (self.families[i], self.best_choice[i].map(|j| places[j])))
                .collect(),
        )
    }

    fn branch(&mut self, depth: usize, value: f64) {
        self.nodes += 1;
        if self.nodes > self.limit || value + self.suffix[depth] <= self.best + GAIN {
            return;
        }
        let (q, dims) = (self.q, self.dims);
        // For the small problem's prices, value + Σ price × room left + Σ
        // net values of the families left bounds every completion.
        let room_value: f64 = self
            .room
            .iter()
            .zip(&self.prices)
            .map(|(r, l)| r.max(0.0) * l)
            .sum();
        if value + room_value + self.priced_suffix[depth] <= self.best + GAIN {
            return;
        }
        if depth == self.order.len() {
            self.best = value;
            self.best_choice.clone_from(&self.choice);
            return;
        }
        let i = self.order[depth];
        let mut options = [(0.0, 0usize); MAX_PLACES];
        let mut count = 0;
        for j in 0..q.min(options.len()) {
            let v = self.value[i * q + j];
            if !v.is_nan() {
                options[count] = (v, j);
                count += 1;
            }
        }
        let options = &mut options[..count];
        options.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &(v, j) in options.iter() {
            let fits =
                (0..dims).all(|k| self.demand[i * dims + k] <= self.room[j * dims + k] + EPS);
            if fits {
                (0..dims).for_each(|k| self.room[j * dims + k] -= self.demand[i * dims + k]);
                self.choice[i] = Some(j);
                self.branch(depth + 1, value + v);
                (0..dims).for_each(|k| self.room[j * dims + k] += self.demand[i * dims + k]);
            }
        }
        self.choice[i] = None;
        self.branch(depth + 1, value);
    }
}
