//! Large-neighbourhood search: free a few families from two or three
//! municipalities (and some unplaced families that could go there), and put
//! them back in the best possible way by branch and bound, everyone else
//! staying where they are. This finds the exchanges that pairwise moves
//! cannot: two small families for one large one, cycles over three
//! municipalities, an unplaced family let in by a chain of moves.

use crate::problem::{EPS, Problem};
use crate::search::{GAIN, State};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Branch-and-bound nodes per neighbourhood before it settles for the best found.
const NODE_LIMIT: usize = 50_000;

pub(crate) fn search(
    state: &mut State<'_>,
    prices: &[f64],
    iterations: usize,
    pool: usize,
    seed: u64,
) {
    let p = state.p;
    let nm = p.municipalities();
    if nm == 0 || p.families() == 0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let preferences = preferences(p, 6);
    let mut solver = Repair {
        prices: prices.to_vec(),
        ..Repair::default()
    };
    for _ in 0..iterations {
        let a = rng.random_range(0..nm);
        let mut places = vec![a];
        for _ in 0..2 {
            let from = places[rng.random_range(0..places.len())];
            let partner = partner(state, &preferences, from, &mut rng);
            if !places.contains(&partner) {
                places.push(partner);
            }
            if rng.random::<f64>() < 0.5 {
                break;
            }
        }
        let mut families: Vec<usize> = places
            .iter()
            .flat_map(|m| state.members[*m].iter().copied())
            .collect();
        families.shuffle(&mut rng);
        families.truncate(pool - pool / 4);
        // Unplaced families that could go to one of these places, most valuable first.
        let mut outside: Vec<(f64, usize)> = state
            .unplaced()
            .filter_map(|f| {
                let best = places
                    .iter()
                    .filter_map(|m| p.score(f, *m))
                    .fold(f64::NEG_INFINITY, f64::max);
                (best > GAIN).then_some((best, f))
            })
            .collect();
        outside.sort_by(|x, y| y.0.total_cmp(&x.0));
        families.extend(outside.iter().take(pool - families.len()).map(|(_, f)| *f));
        if families.len() < 2 {
            continue;
        }
        if let Some(assignment) = solver.best(state, &places, &families) {
            for &f in &families {
                state.remove(f);
            }
            for (f, m) in families.iter().zip(assignment) {
                if let Some(m) = m {
                    state.place(*f, m);
                }
            }
        }
    }
}

/// Branch and bound over the freed families (reused buffers).
#[derive(Default)]
struct Repair {
    order: Vec<usize>,
    room: Vec<f64>,
    choice: Vec<Option<usize>>,
    best_choice: Vec<Option<usize>>,
    suffix: Vec<f64>,
    /// Lagrangian version of `suffix`: net of the price of the room used.
    priced_suffix: Vec<f64>,
    prices: Vec<f64>,
    best: f64,
    nodes: usize,
}

impl Repair {
    /// The best placement of `families` in `places` (or out), if it beats the current one.
    fn best(
        &mut self,
        state: &State<'_>,
        places: &[usize],
        families: &[usize],
    ) -> Option<Vec<Option<usize>>> {
        let p = state.p;
        let dims = p.dims();
        let current: f64 = families
            .iter()
            .map(|f| state.assign[*f].and_then(|m| p.score(*f, m)).unwrap_or(0.0))
            .sum();
        // Room in each place once the freed families have left.
        self.room.clear();
        for &m in places {
            for k in 0..dims {
                let freed: f64 = families
                    .iter()
                    .filter(|f| state.assign[**f] == Some(m))
                    .map(|f| p.demand(*f)[k])
                    .sum();
                self.room
                    .push(p.capacity(m)[k] - state.load_of(m, k) + freed);
            }
        }
        let top = |f: usize| {
            places
                .iter()
                .filter_map(|m| p.score(f, *m))
                .fold(0.0, f64::max)
        };
        self.order.clear();
        self.order.extend(0..families.len());
        self.order
            .sort_by(|a, b| top(families[*b]).total_cmp(&top(families[*a])));
        self.suffix = vec![0.0; families.len() + 1];
        for i in (0..families.len()).rev() {
            self.suffix[i] = self.suffix[i + 1] + top(families[self.order[i]]);
        }
        let net = |f: usize| {
            places
                .iter()
                .filter_map(|m| {
                    p.score(f, *m).map(|s| {
                        s - (0..dims)
                            .map(|k| self.prices[m * dims + k] * p.demand(f)[k])
                            .sum::<f64>()
                    })
                })
                .fold(0.0, f64::max)
        };
        self.priced_suffix = vec![0.0; families.len() + 1];
        for i in (0..families.len()).rev() {
            self.priced_suffix[i] = self.priced_suffix[i + 1] + net(families[self.order[i]]);
        }
        self.choice = vec![None; families.len()];
        self.best_choice = families.iter().map(|f| state.assign[*f]).collect();
        self.best = current;
        self.nodes = 0;
        self.branch(p, places, families, 0, 0.0);
        (self.best > current + GAIN).then(|| self.best_choice.clone())
    }

    fn branch(
        &mut self,
        p: &Problem,
        places: &[usize],
        families: &[usize],
        depth: usize,
        value: f64,
    ) {
        self.nodes += 1;
        if value + self.suffix[depth] <= self.best + GAIN || self.nodes > NODE_LIMIT {
            return;
        }
        // For any prices, value + Σ price × room left + Σ net scores bounds
        // what the rest can add (the Lagrangian bound of the subproblem).
        let dims = p.dims();
        let room_value: f64 = places
            .iter()
            .enumerate()
            .map(|(j, m)| {
                (0..dims)
                    .map(|k| self.prices[m * dims + k] * self.room[j * dims + k].max(0.0))
                    .sum::<f64>()
            })
            .sum();
        if value + room_value + self.priced_suffix[depth] <= self.best + GAIN {
            return;
        }
        if depth == families.len() {
            self.best = value;
            self.best_choice.clone_from(&self.choice);
            return;
        }
        let i = self.order[depth];
        let f = families[i];
        let mut options: Vec<(f64, usize)> = places
            .iter()
            .enumerate()
            .filter_map(|(j, m)| p.score(f, *m).map(|s| (s, j)))
            .collect();
        options.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (s, j) in options {
            let d = p.demand(f);
            if (0..dims).all(|k| d[k] <= self.room[j * dims + k] + EPS) {
                (0..dims).for_each(|k| self.room[j * dims + k] -= d[k]);
                self.choice[i] = Some(places[j]);
                self.branch(p, places, families, depth + 1, value + s);
                (0..dims).for_each(|k| self.room[j * dims + k] += d[k]);
            }
        }
        self.choice[i] = None;
        self.branch(p, places, families, depth + 1, value);
    }
}

/// Each family's `keep` best-scoring municipalities, best first, for choosing
/// partners of a neighbourhood.
pub(crate) fn preferences(p: &Problem, keep: usize) -> Vec<Vec<usize>> {
    (0..p.families())
        .map(|f| {
            let mut m: Vec<(f64, usize)> = (0..p.municipalities())
                .filter_map(|m| p.score(f, m).map(|s| (s, m)))
                .collect();
            m.sort_by(|a, b| b.0.total_cmp(&a.0));
            m.truncate(keep);
            m.into_iter().map(|(_, m)| m).collect()
        })
        .collect()
}

/// A partner for municipality `from`: where one of its families would rather
/// be, or any municipality when it has none.
pub(crate) fn partner(
    state: &State<'_>,
    preferences: &[Vec<usize>],
    from: usize,
    rng: &mut impl Rng,
) -> usize {
    let nm = state.p.municipalities();
    match state.members[from].as_slice() {
        [] => rng.random_range(0..nm),
        members => {
            let prefs = &preferences[members[rng.random_range(0..members.len())]];
            if prefs.is_empty() {
                rng.random_range(0..nm)
            } else {
                prefs[rng.random_range(0..prefs.len())]
            }
        }
    }
}
