//! The Lagrangian dual of the placement LP: a price per unit of capacity in
//! every municipality and dimension. For any prices λ ≥ 0,
//!
//! L(λ) = Σ_mk λ_mk·C_mk + Σ_f max(0, max_m (s_fm − Σ_k λ_mk·d_fk))
//!
//! bounds the best placement from above (even the fractional one), and its
//! minimum over λ equals the LP-relaxation bound: the constraints kept in the
//! inner problem (each family at most once) have integral vertices. The
//! minimum is found on an entropy-smoothed L with decreasing temperature
//! (spectral projected gradient, preconditioned per dimension). The bound
//! reported is always the exact L over every pair at prices actually found,
//! so it is valid whatever the optimiser did.

use crate::problem::Problem;

/// Prices of capacity and the upper bound they prove.
#[derive(Debug, Clone)]
pub struct Dual {
    /// `prices[m * dims + k]`, per unit of dimension `k` in municipality `m`.
    pub prices: Vec<f64>,
    pub bound: f64,
}

/// Work above which one evaluation is split over two threads.
const PARALLEL_PAIRS: usize = 200_000;
/// Terms smaller than e^-40 of the largest do not change the sums.
const NEGLIGIBLE: f64 = -40.0;
/// With many municipalities, each smoothing stage looks only at each
/// family's most promising ones (by net score at the stage's start).
const CANDIDATES: usize = 24;

/// The municipalities each family is evaluated against.
struct Candidates {
    /// `list[f * width..(f + 1) * width]`; all municipalities when `width` is M.
    list: Vec<u32>,
    width: usize,
}

impl Candidates {
    fn all(p: &Problem) -> Self {
        let nm = p.municipalities();
        Self {
            list: (0..p.families()).flat_map(|_| 0..nm as u32).collect(),
            width: nm,
        }
    }

    /// Each family's best `CANDIDATES` municipalities by net score at `prices`.
    fn best(p: &Problem, prices: &[f64]) -> Self {
        let (nm, dims) = (p.municipalities(), p.dims());
        let width = CANDIDATES.min(nm);
        let mut list = Vec::with_capacity(p.families() * width);
        let mut net: Vec<(f64, u32)> = Vec::with_capacity(nm);
        for f in 0..p.families() {
            let d = p.demand(f);
            net.clear();
            net.extend((0..nm).map(|m| {
                let r = p.score(f, m).map_or(f64::NEG_INFINITY, |s| {
                    s - (0..dims).map(|k| prices[m * dims + k] * d[k]).sum::<f64>()
                });
                (r, m as u32)
            }));
            net.select_nth_unstable_by(width - 1, |a, b| b.0.total_cmp(&a.0));
            list.extend(net[..width].iter().map(|(_, m)| *m));
        }
        Self { list, width }
    }
}

/// Minimises L over λ ≥ 0; `effort` is the iterations per temperature.
pub fn solve(p: &Problem, effort: usize) -> Dual {
    let n = p.municipalities() * p.dims();
    let mut x = vec![0.0; n];
    let all = Candidates::all(p);
    let mut grad = vec![0.0; n];
    let (_, exact0) = evaluate(p, &all, &x, None, &mut grad);
    let mut best = Dual {
        prices: x.clone(),
        bound: exact0,
    };
    if n == 0 || p.families() == 0 {
        return best;
    }
    let scale = p
        .score
        .iter()
        .filter(|s| !s.is_nan())
        .fold(0.0_f64, |a, s| a.max(s.abs()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    // Diagonal preconditioning: a unit of a dimension families need a lot of
    // (persons) moves its price less than one they need little of (large
    // dwellings), so steps are scaled by 1 / mean(d²) per dimension.
    let dims = p.dims();
    let metric: Vec<f64> = (0..n)
        .map(|i| {
            let k = i % dims;
            let mean = (0..p.families())
                .map(|f| p.demand(f)[k].powi(2))
                .sum::<f64>()
                / p.families() as f64;
            if mean > 0.0 { 1.0 / mean } else { 1.0 }
        })
        .collect();
    let prune = p.municipalities() > 2 * CANDIDATES;
    for (stage, tau) in [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4]
        .into_iter()
        .enumerate()
    {
        // The first stage sees every pair; later ones the candidates, renewed
        // at every stage from the prices reached.
        let candidates = if prune && stage > 0 {
            Candidates::best(p, &x)
        } else {
            Candidates::all(p)
        };
        let mut stage_best = Dual {
            prices: x.clone(),
            bound: f64::INFINITY,
        };
        spectral_projected_gradient(
            p,
            &candidates,
            &mut x,
            &metric,
            tau * scale,
            effort,
            &mut stage_best,
        );
        // The bound counts every pair, whatever the stage looked at.
        for prices in [&stage_best.prices, &x.clone()] {
            let (_, exact) = evaluate(p, &all, prices, None, &mut grad);
            keep(&mut best, prices, exact);
        }
    }
    best
}

/// Minimises the smoothed L at temperature `tau` from `x` (Birgin, Martínez
/// and Raydan's SPG with a non-monotone Armijo search), keeping in `best`
/// the prices with the lowest exact L over the candidates.
fn spectral_projected_gradient(
    p: &Problem,
    candidates: &Candidates,
    x: &mut [f64],
    metric: &[f64],
    tau: f64,
    iterations: usize,
    best: &mut Dual,
) {
    const MEMORY: usize = 8;
    const SUFFICIENT: f64 = 1e-4;
    let n = x.len();
    let mut g = vec![0.0; n];
    let (mut f, exact) = evaluate(p, candidates, x, Some(tau), &mut g);
    keep(best, x, exact);
    let mut history = [f; MEMORY];
    let mut step = 1.0 / norm_inf(&g).max(1e-12) * tau.max(1e-6);
    let mut trial = vec![0.0; n];
    let mut g_trial = vec![0.0; n];
    for iteration in 0..iterations {
        // Projected direction.
        let mut direction_dot_g = 0.0;
        for i in 0..n {
            trial[i] = (x[i] - step * metric[i] * g[i]).max(0.0);
            direction_dot_g += (trial[i] - x[i]) * g[i];
        }
        if direction_dot_g > -1e-14 * (1.0 + f.abs()) {
            break; // stationary at this temperature
        }
        let reference = history.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..30 {
            let candidate: Vec<f64> = (0..n).map(|i| x[i] + alpha * (trial[i] - x[i])).collect();
            let (fc, exact) = evaluate(p, candidates, &candidate, Some(tau), &mut g_trial);
            keep(best, &candidate, exact);
            if fc <= reference + SUFFICIENT * alpha * direction_dot_g {
                accepted = Some((candidate, fc));
                break;
            }
            alpha *= 0.5;
        }
        let Some((next, f_next)) = accepted else {
            break;
        };
        // Barzilai-Borwein step from the change in x and in the gradient.
        let (mut ss, mut sy) = (0.0, 0.0);
        for i in 0..n {
            let s = next[i] - x[i];
            let y = g_trial[i] - g[i];
            ss += s * s / metric[i];
            sy += s * y;
        }
        step = if sy > 0.0 {
            (ss / sy).clamp(1e-12, 1e12)
        } else {
            step * 2.0
        };
        x.copy_from_slice(&next);
        std::mem::swap(&mut g, &mut g_trial);
        f = f_next;
        history[iteration % MEMORY] = f;
    }
}

fn keep(best: &mut Dual, x: &[f64], exact: f64) {
    if exact < best.bound {
        best.bound = exact;
        best.prices.copy_from_slice(x);
    }
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, x| a.max(x.abs()))
}

/// Returns (smoothed L at `tau`, exact L) over the candidate pairs and
/// writes the smoothed gradient (the exact subgradient when `tau` is `None`)
/// into `grad`.
fn evaluate(
    p: &Problem,
    candidates: &Candidates,
    prices: &[f64],
    tau: Option<f64>,
    grad: &mut [f64],
) -> (f64, f64) {
    let nf = p.families();
    let (mut smooth, mut exact) = (0.0, 0.0);
    grad.iter_mut().for_each(|g| *g = 0.0);
    if nf * candidates.width >= PARALLEL_PAIRS {
        let half = nf / 2;
        let mut other = vec![0.0; grad.len()];
        let (a, b) = std::thread::scope(|scope| {
            let second =
                scope.spawn(|| families_part(p, candidates, prices, tau, half..nf, &mut other));
            let first = families_part(p, candidates, prices, tau, 0..half, grad);
            (first, second.join().unwrap_or((f64::NAN, f64::NAN)))
        });
        grad.iter_mut().zip(&other).for_each(|(g, o)| *g += o);
        smooth += a.0 + b.0;
        exact += a.1 + b.1;
    } else {
        let (s, e) = families_part(p, candidates, prices, tau, 0..nf, grad);
        smooth += s;
        exact += e;
    }
    for (i, c) in p.capacity.iter().enumerate() {
        smooth += prices[i] * c;
        exact += prices[i] * c;
        grad[i] += c;
    }
    (smooth, exact)
}

fn families_part(
    p: &Problem,
    candidates: &Candidates,
    prices: &[f64],
    tau: Option<f64>,
    families: std::ops::Range<usize>,
    grad: &mut [f64],
) -> (f64, f64) {
    let (nm, dims, width) = (p.municipalities(), p.dims(), candidates.width);
    let mut reduced = vec![f64::NAN; width];
    let (mut smooth, mut exact) = (0.0, 0.0);
    for f in families {
        let d = p.demand(f);
        let scores = &p.score[f * nm..(f + 1) * nm];
        let list = &candidates.list[f * width..(f + 1) * width];
        let mut top = 0.0_f64; // staying unplaced is worth 0
        let mut arg = None;
        for (slot, &m) in list.iter().enumerate() {
            let m = m as usize;
            let s = scores[m];
            if s.is_nan() {
                reduced[slot] = f64::NAN;
                continue;
            }
            let cost: f64 = (0..dims).map(|k| prices[m * dims + k] * d[k]).sum();
            let r = s - cost;
            reduced[slot] = r;
            if r > top {
                top = r;
                arg = Some(m);
            }
        }
        exact += top;
        match tau {
            None => {
                if let Some(m) = arg {
                    (0..dims).for_each(|k| grad[m * dims + k] -= d[k]);
                }
                smooth += top;
            }
            Some(t) => {
                // One exponential per pair: weights first, then the gradient.
                let mut z = (-top / t).exp();
                for r in reduced.iter_mut() {
                    let e = (*r - top) / t;
                    *r = if e > NEGLIGIBLE { e.exp() } else { 0.0 };
                    z += *r;
                }
                smooth += top + t * z.ln();
                for (slot, w) in reduced.iter().enumerate() {
                    if *w > 0.0 {
                        let m = list[slot] as usize;
                        let w = w / z;
                        (0..dims).for_each(|k| grad[m * dims + k] -= w * d[k]);
                    }
                }
            }
        }
    }
    (smooth, exact)
}
