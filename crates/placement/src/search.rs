//! The placement for families of different sizes: built from the dual prices
//! (families first where the LP values them most, each in the municipality
//! with the best score net of the price of the room it takes), then improved
//! by local search until no move, swap or ejection gains anything.

use crate::problem::{EPS, Problem};

/// Smallest gain worth a move; keeps rounding noise from cycling.
pub(crate) const GAIN: f64 = 1e-10;

/// A placement being improved: who is where and how full each municipality is.
#[derive(Debug, Clone)]
pub(crate) struct State<'a> {
    pub(crate) p: &'a Problem,
    pub(crate) assign: Vec<Option<usize>>,
    load: Vec<f64>,
    pub(crate) members: Vec<Vec<usize>>,
    pub(crate) objective: f64,
}

impl<'a> State<'a> {
    pub(crate) fn empty(p: &'a Problem) -> Self {
        Self {
            p,
            assign: vec![None; p.families()],
            load: vec![0.0; p.municipalities() * p.dims()],
            members: vec![Vec::new(); p.municipalities()],
            objective: 0.0,
        }
    }

    /// A state from a known assignment (which must respect the capacities).
    pub(crate) fn from_assignment(p: &'a Problem, assign: &[Option<usize>]) -> Self {
        let mut state = Self::empty(p);
        for (f, m) in assign.iter().enumerate() {
            if let Some(m) = m {
                state.place(f, *m);
            }
        }
        state
    }

    fn value(&self, f: usize, m: Option<usize>) -> Option<f64> {
        match m {
            None => Some(0.0),
            Some(m) => self.p.score(f, m),
        }
    }

    pub(crate) fn place(&mut self, f: usize, m: usize) {
        let dims = self.p.dims();
        for (k, d) in self.p.demand(f).iter().enumerate() {
            self.load[m * dims + k] += d;
        }
        self.members[m].push(f);
        self.assign[f] = Some(m);
        self.objective += self.p.score(f, m).unwrap_or(0.0);
    }

    pub(crate) fn remove(&mut self, f: usize) {
        let Some(m) = self.assign[f] else { return };
        let dims = self.p.dims();
        for (k, d) in self.p.demand(f).iter().enumerate() {
            self.load[m * dims + k] -= d;
        }
        self.members[m].retain(|g| *g != f);
        self.assign[f] = None;
        self.objective -= self.p.score(f, m).unwrap_or(0.0);
    }

    pub(crate) fn load_of(&self, m: usize, k: usize) -> f64 {
        self.load[m * self.p.dims() + k]
    }

    pub(crate) fn unplaced(&self) -> impl Iterator<Item = usize> + '_ {
        self.assign
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_none())
            .map(|(f, _)| f)
    }

    fn fits(&self, f: usize, m: usize) -> bool {
        self.p.fits(f, &self.load, m)
    }

    /// Whether `incoming` fits in `m` once `outgoing` (who is there) has left.
    fn fits_instead(&self, incoming: usize, outgoing: usize, m: usize) -> bool {
        let dims = self.p.dims();
        let (din, dout, c) = (
            self.p.demand(incoming),
            self.p.demand(outgoing),
            self.p.capacity(m),
        );
        (0..dims).all(|k| self.load[m * dims + k] - dout[k] + din[k] <= c[k] + EPS)
    }
}

/// Builds a placement from capacity prices (`prices[m * dims + k]`).
pub(crate) fn construct<'a>(p: &'a Problem, prices: &[f64]) -> State<'a> {
    let (nm, dims) = (p.municipalities(), p.dims());
    let reduced = |f: usize, m: usize| -> Option<f64> {
        let d = p.demand(f);
        p.score(f, m)
            .map(|s| s - (0..dims).map(|k| prices[m * dims + k] * d[k]).sum::<f64>())
    };
    let mut state = State::empty(p);
    let best_reduced: Vec<f64> = (0..p.families())
        .map(|f| {
            (0..nm)
                .filter_map(|m| reduced(f, m))
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let mut order: Vec<usize> = (0..p.families()).collect();
    order.sort_by(|a, b| best_reduced[*b].total_cmp(&best_reduced[*a]).then(a.cmp(b)));
    // Pass 1: where the LP wants the family, by net value.
    for &f in &order {
        let mut options: Vec<(f64, usize)> = (0..nm)
            .filter_map(|m| reduced(f, m).map(|r| (r, m)))
            .filter(|(r, _)| *r >= -EPS)
            .collect();
        options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if let Some((_, m)) = options.into_iter().find(|(_, m)| state.fits(f, *m)) {
            state.place(f, m);
        }
    }
    // Pass 2: whoever is left, wherever room remains, by score.
    fill(&mut state, order.iter().copied());
    state
}

/// Local search to a local optimum of three neighbourhoods; `rounds` caps
/// the passes over all families.
pub(crate) fn improve(state: &mut State<'_>, rounds: usize) {
    let p = state.p;
    // Each family's municipalities, best score first: the first with room is
    // where it would best move on to.
    let ranked: Vec<Vec<(f64, usize)>> = (0..p.families())
        .map(|f| {
            let mut r: Vec<(f64, usize)> = (0..p.municipalities())
                .filter_map(|m| p.score(f, m).map(|s| (s, m)))
                .collect();
            r.sort_by(|a, b| b.0.total_cmp(&a.0));
            r
        })
        .collect();
    for _ in 0..rounds {
        let mut changed = false;
        changed |= relocate_all(state);
        changed |= swap_all(state);
        changed |= eject_all(state, &ranked);
        if !changed {
            break;
        }
    }
}

/// Moves a family (placed or not) to a municipality with room, if that gains.
fn relocate_all(state: &mut State<'_>) -> bool {
    let p = state.p;
    let mut changed = false;
    for f in 0..p.families() {
        let here = state.assign[f];
        let Some(now) = state.value(f, here) else {
            continue;
        };
        let mut best: Option<(f64, Option<usize>)> = None;
        if here.is_some() && -now > GAIN {
            best = Some((-now, None));
        }
        for m in 0..p.municipalities() {
            if Some(m) == here {
                continue;
            }
            let Some(s) = p.score(f, m) else { continue };
            let gain = s - now;
            if gain > GAIN && best.is_none_or(|(g, _)| gain > g) && state.fits(f, m) {
                best = Some((gain, Some(m)));
            }
        }
        if let Some((_, target)) = best {
            state.remove(f);
            if let Some(m) = target {
                state.place(f, m);
            }
            changed = true;
        }
    }
    changed
}

/// Exchanges two placed families between municipalities: f goes to one of
/// the municipalities where it would score more, a family there comes to f's.
fn swap_all(state: &mut State<'_>) -> bool {
    const CANDIDATES: usize = 20;
    let p = state.p;
    let mut changed = false;
    let mut better: Vec<(f64, usize)> = Vec::new();
    for f in 0..p.families() {
        let Some(mf) = state.assign[f] else { continue };
        let Some(sf) = p.score(f, mf) else { continue };
        better.clear();
        better.extend(
            (0..p.municipalities())
                .filter_map(|m| p.score(f, m).map(|s| (s, m)))
                .filter(|(s, _)| *s > sf),
        );
        better.sort_by(|a, b| b.0.total_cmp(&a.0));
        better.truncate(CANDIDATES);
        let mut best: Option<(f64, usize)> = None;
        for &(sfg, mg) in &better {
            for &g in &state.members[mg] {
                let (Some(sgf), Some(sg)) = (p.score(g, mf), p.score(g, mg)) else {
                    continue;
                };
                let gain = sgf + sfg - sf - sg;
                if gain > GAIN
                    && best.is_none_or(|(b, _)| gain > b)
                    && state.fits_instead(g, f, mf)
                    && state.fits_instead(f, g, mg)
                {
                    best = Some((gain, g));
                }
            }
        }
        if let Some((_, g)) = best {
            let mg = state.assign[g];
            state.remove(f);
            state.remove(g);
            state.place(g, mf);
            if let Some(m) = mg {
                state.place(f, m);
            }
            changed = true;
        }
    }
    changed
}

/// An unplaced family takes the place of one who moves on to another
/// municipality with room (or out, if that still gains).
fn eject_all(state: &mut State<'_>, ranked: &[Vec<(f64, usize)>]) -> bool {
    let p = state.p;
    let top = |f: usize| ranked[f].first().map_or(0.0, |r| r.0.max(0.0));
    let mut changed = false;
    for g in 0..p.families() {
        if state.assign[g].is_some() {
            continue;
        }
        let mut best: Option<(f64, usize, usize, Option<usize>)> = None;
        for m in 0..p.municipalities() {
            let Some(sg) = p.score(g, m) else { continue };
            for &f in &state.members[m] {
                let Some(sf) = p.score(f, m) else { continue };
                if sg - sf + top(f) <= best.map_or(GAIN, |b| b.0) || !state.fits_instead(g, f, m) {
                    continue;
                }
                let onward = ranked[f]
                    .iter()
                    .find(|(s, m2)| *m2 != m && (*s <= 0.0 || state.fits(f, *m2)))
                    .filter(|(s, _)| *s > 0.0)
                    .map_or((0.0, None), |(s, m2)| (*s, Some(*m2)));
                let gain = sg - sf + onward.0;
                if gain > best.map_or(GAIN, |b| b.0) {
                    best = Some((gain, m, f, onward.1));
                }
            }
        }
        if let Some((_, m, f, onward)) = best {
            state.remove(f);
            state.place(g, m);
            if let Some(m2) = onward {
                state.place(f, m2);
            }
            changed = true;
        }
    }
    changed
}

/// Families in the order given, each to the best-scoring municipality with room.
pub(crate) fn greedy(state: &mut State<'_>) {
    fill(state, 0..state.p.families());
}

/// Places each unplaced family of `order`, in turn, in the best-scoring
/// municipality that still has room for it.
fn fill(state: &mut State<'_>, order: impl Iterator<Item = usize>) {
    let p = state.p;
    for f in order {
        if state.assign[f].is_some() {
            continue;
        }
        let best = (0..p.municipalities())
            .filter_map(|m| p.score(f, m).map(|s| (s, m)))
            .filter(|(s, m)| *s > GAIN && state.fits(f, *m))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, m)) = best {
            state.place(f, m);
        }
    }
}

/// Simulated annealing that may pass through overfull municipalities: an
/// overload costs a penalty per unit that starts at the dual price of that
/// room and grows until only placements within room remain, so the search
/// can shift a chain of families that no single feasible move connects.
/// Returns the best placement within room seen (never worse than `state`).
pub(crate) fn anneal<'a>(state: State<'a>, prices: &[f64], moves: usize, seed: u64) -> State<'a> {
    use rand::{Rng, SeedableRng};
    let p = state.p;
    let (nf, nm, dims) = (p.families(), p.municipalities(), p.dims());
    if nf < 2 || nm == 0 || moves == 0 {
        return state;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut spread = 0.0;
    let mut samples = 0;
    for _ in 0..1000 {
        let f = rng.random_range(0..nf);
        let (a, b) = (rng.random_range(0..nm), rng.random_range(0..nm));
        if let (Some(x), Some(y)) = (p.score(f, a), p.score(f, b)) {
            spread += (x - y).abs();
            samples += 1;
        }
    }
    let spread = if samples > 0 && spread > 0.0 {
        spread / samples as f64
    } else {
        1.0
    };
    let (t0, t1) = (0.01 * spread, 1e-4 * spread);
    let cooling = (t1 / t0).powf(1.0 / moves as f64);
    // Penalty per unit of overload: the dual price, at least a small share of
    // the typical score per unit, growing a hundredfold over the run.
    let floor: Vec<f64> = (0..dims)
        .map(|k| {
            let mean = (0..nf).map(|f| p.demand(f)[k]).sum::<f64>() / nf as f64;
            0.1 * spread / mean.max(EPS)
        })
        .collect();
    let base: Vec<f64> = prices
        .iter()
        .enumerate()
        .map(|(i, x)| x.max(floor[i % dims]))
        .collect();
    let growth = 100f64.powf(1.0 / moves as f64);
    let mut weight = 1.0;
    let overload =
        |load: &[f64], m: usize, k: usize| (load[m * dims + k] - p.capacity(m)[k]).max(0.0);
    // Penalty change in municipality m when `add` comes in and `sub` leaves.
    let change = |load: &[f64], m: usize, add: Option<usize>, sub: Option<usize>, w: f64| -> f64 {
        (0..dims)
            .map(|k| {
                let mut l = load[m * dims + k];
                let before = (l - p.capacity(m)[k]).max(0.0);
                if let Some(a) = add {
                    l += p.demand(a)[k];
                }
                if let Some(s) = sub {
                    l -= p.demand(s)[k];
                }
                ((l - p.capacity(m)[k]).max(0.0) - before) * base[m * dims + k] * w
            })
            .sum()
    };
    let mut total_over: f64 = (0..nm)
        .flat_map(|m| (0..dims).map(move |k| (m, k)))
        .map(|(m, k)| overload(&state.load, m, k))
        .sum();
    let mut best = state.clone();
    let mut state = state;
    let mut temperature = t0;
    for _ in 0..moves {
        temperature *= cooling;
        weight *= growth;
        let f = rng.random_range(0..nf);
        let here = state.assign[f];
        let Some(now) = state.value(f, here) else {
            continue;
        };
        let (g, there) = if rng.random::<bool>() {
            let target = rng.random_range(0..=nm);
            (None, (target < nm).then_some(target))
        } else {
            let g = rng.random_range(0..nf);
            (Some(g), state.assign[g])
        };
        if there == here || g == Some(f) {
            continue;
        }
        let Some(then) = state.value(f, there) else {
            continue;
        };
        let mut delta = then - now;
        if let Some(g) = g {
            let (Some(sg), Some(sgf)) = (state.value(g, there), state.value(g, here)) else {
                continue;
            };
            delta += sgf - sg;
        }
        let mut penalty = 0.0;
        if let Some(m) = here {
            penalty += change(&state.load, m, g, Some(f), weight);
        }
        if let Some(m) = there {
            penalty += change(&state.load, m, Some(f), g, weight);
        }
        let objective_change = delta - penalty;
        if objective_change < 0.0 && rng.random::<f64>() >= (objective_change / temperature).exp() {
            continue;
        }
        for m in [here, there].into_iter().flatten() {
            total_over -= (0..dims).map(|k| overload(&state.load, m, k)).sum::<f64>();
        }
        state.remove(f);
        if let Some(g) = g {
            state.remove(g);
            if let Some(m) = here {
                state.place(g, m);
            }
        }
        if let Some(m) = there {
            state.place(f, m);
        }
        for m in [here, there].into_iter().flatten() {
            total_over += (0..dims).map(|k| overload(&state.load, m, k)).sum::<f64>();
        }
        if total_over <= EPS && state.objective > best.objective + GAIN {
            best = state.clone();
        }
    }
    best
}

/// Builds a placement the way the LP would, then repairs it: every family
/// first goes where its score net of the price of its room is best (ignoring
/// room); while a municipality is over its room, the family there that loses
/// least by moving to its best alternative with room (or out) moves.
pub(crate) fn construct_by_regret<'a>(p: &'a Problem, prices: &[f64]) -> State<'a> {
    let (nm, dims) = (p.municipalities(), p.dims());
    let reduced = |f: usize, m: usize| -> Option<f64> {
        let d = p.demand(f);
        p.score(f, m)
            .map(|s| s - (0..dims).map(|k| prices[m * dims + k] * d[k]).sum::<f64>())
    };
    let mut state = State::empty(p);
    for f in 0..p.families() {
        let best = (0..nm)
            .filter_map(|m| reduced(f, m).map(|r| (r, m)))
            .filter(|(r, _)| *r > -EPS)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, m)) = best {
            state.place(f, m);
        }
    }
    let over = |state: &State<'_>, m: usize| -> Vec<usize> {
        (0..dims)
            .filter(|k| state.load[m * dims + k] > p.capacity(m)[*k] + EPS)
            .collect()
    };
    // Each round moves one family out of one overloaded municipality.
    for _ in 0..p.families() * 2 {
        let Some((m, dims_over)) = (0..nm)
            .map(|m| (m, over(&state, m)))
            .find(|(_, o)| !o.is_empty())
        else {
            break;
        };
        let mut pick: Option<(f64, usize, Option<usize>)> = None;
        for &f in &state.members[m] {
            if dims_over.iter().all(|k| p.demand(f)[*k] <= EPS) {
                continue;
            }
            let here = reduced(f, m).unwrap_or(0.0);
            let (alt, target) = (0..nm)
                .filter(|o| *o != m && state.fits(f, *o))
                .filter_map(|o| reduced(f, o).map(|r| (r, Some(o))))
                .fold((0.0, None), |acc, x| if x.0 > acc.0 { x } else { acc });
            let relief: f64 = dims_over
                .iter()
                .map(|k| p.demand(f)[*k] / p.capacity(m)[*k].max(1.0))
                .sum();
            let regret = (here - alt) / relief.max(EPS);
            if pick.is_none_or(|(r, _, _)| regret < r) {
                pick = Some((regret, f, target));
            }
        }
        let Some((_, f, target)) = pick else { break };
        state.remove(f);
        if let Some(o) = target {
            state.place(f, o);
        }
    }
    // Whoever is left, wherever room remains, by score.
    let mut left: Vec<usize> = state.unplaced().collect();
    left.sort_by(|a, b| {
        let best = |f: usize| (0..nm).filter_map(|m| p.score(f, m)).fold(0.0, f64::max);
        best(*b).total_cmp(&best(*a))
    });
    fill(&mut state, left.into_iter());
    state
}
