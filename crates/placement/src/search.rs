//! The placement for families of different sizes: built from the dual prices
//! (families first where the LP values them most, each in the municipality
//! with the best score net of the price of the room it takes), then improved
//! by local search until no move, swap or ejection gains anything.

use crate::problem::{EPS, Problem};

/// Smallest gain worth a move; keeps rounding noise from cycling.
const GAIN: f64 = 1e-10;

/// A placement being improved: who is where and how full each municipality is.
#[derive(Debug, Clone)]
pub(crate) struct State<'a> {
    p: &'a Problem,
    pub(crate) assign: Vec<Option<usize>>,
    load: Vec<f64>,
    members: Vec<Vec<usize>>,
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

    fn place(&mut self, f: usize, m: usize) {
        let dims = self.p.dims();
        for (k, d) in self.p.demand(f).iter().enumerate() {
            self.load[m * dims + k] += d;
        }
        self.members[m].push(f);
        self.assign[f] = Some(m);
        self.objective += self.p.score(f, m).unwrap_or(0.0);
    }

    fn remove(&mut self, f: usize) {
        let Some(m) = self.assign[f] else { return };
        let dims = self.p.dims();
        for (k, d) in self.p.demand(f).iter().enumerate() {
            self.load[m * dims + k] -= d;
        }
        self.members[m].retain(|g| *g != f);
        self.assign[f] = None;
        self.objective -= self.p.score(f, m).unwrap_or(0.0);
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

    /// Room left in `m` after `outgoing` leaves, compared with `incoming`'s needs.
    fn fits_in_or_instead(
        &self,
        incoming: usize,
        outgoing: Option<usize>,
        m: Option<usize>,
    ) -> bool {
        match (m, outgoing) {
            (None, _) => true,
            (Some(m), None) => self.fits(incoming, m),
            (Some(m), Some(out)) => self.fits_instead(incoming, out, m),
        }
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
    for &f in &order {
        if state.assign[f].is_some() {
            continue;
        }
        let best = (0..nm)
            .filter_map(|m| p.score(f, m).map(|s| (s, m)))
            .filter(|(s, m)| *s > GAIN && state.fits(f, *m))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, m)) = best {
            state.place(f, m);
        }
    }
    state
}

/// Local search to a local optimum of three neighbourhoods; `rounds` caps
/// the passes over all families.
pub(crate) fn improve(state: &mut State<'_>, rounds: usize) {
    for _ in 0..rounds {
        let mut changed = false;
        changed |= relocate_all(state);
        changed |= swap_all(state);
        changed |= eject_all(state);
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

/// Exchanges two families between municipalities (or with the unplaced).
fn swap_all(state: &mut State<'_>) -> bool {
    let p = state.p;
    let mut changed = false;
    for f in 0..p.families() {
        let Some(mf) = state.assign[f] else { continue };
        let Some(sf) = p.score(f, mf) else { continue };
        let mut best: Option<(f64, usize)> = None;
        for g in 0..p.families() {
            let mg = state.assign[g];
            if g == f || mg == Some(mf) {
                continue;
            }
            // f goes where g is (or out), g comes to mf.
            let (Some(sgf), Some(sfg), Some(sg)) =
                (p.score(g, mf), state.value(f, mg), state.value(g, mg))
            else {
                continue;
            };
            let gain = sgf + sfg - sf - sg;
            if gain > GAIN
                && best.is_none_or(|(b, _)| gain > b)
                && state.fits_instead(g, f, mf)
                && state.fits_in_or_instead(f, Some(g), mg)
            {
                best = Some((gain, g));
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
fn eject_all(state: &mut State<'_>) -> bool {
    let p = state.p;
    let top: Vec<f64> = (0..p.families())
        .map(|f| {
            (0..p.municipalities())
                .filter_map(|m| p.score(f, m))
                .fold(0.0, f64::max)
        })
        .collect();
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
                if sg - sf + top[f] <= best.map_or(GAIN, |b| b.0) {
                    continue;
                }
                if !state.fits_instead(g, f, m) {
                    continue;
                }
                let mut onward: (f64, Option<usize>) = (0.0, None);
                for m2 in 0..p.municipalities() {
                    if m2 == m {
                        continue;
                    }
                    if let Some(s2) = p.score(f, m2)
                        && s2 > onward.0
                        && state.fits(f, m2)
                    {
                        onward = (s2, Some(m2));
                    }
                }
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
    let p = state.p;
    for f in 0..p.families() {
        let best = (0..p.municipalities())
            .filter_map(|m| p.score(f, m).map(|s| (s, m)))
            .filter(|(s, m)| *s > GAIN && state.fits(f, *m))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, m)) = best {
            state.place(f, m);
        }
    }
}
