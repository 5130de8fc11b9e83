//! The exact solution when every family needs the same room (one slot, as in
//! GeoMatch's setting): then the placement is a transportation problem and
//! successive shortest paths solve it to optimality.
//!
//! The residual graph is kept over municipalities only (plus "unplaced", a
//! municipality of score 0 and unlimited room): moving family g from u to v
//! costs s_gu − s_gv, and the cheapest such move per pair (u, v) is the top
//! of a heap with lazy deletion. Each family is inserted by one Dijkstra over
//! the M + 1 nodes with Johnson potentials, so the work is O(F·M²) rather than
//! over the F·M pair edges.

use crate::problem::{EPS, Problem};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Slots per municipality when every family has the same non-zero demand,
/// and whether every capacity is an exact multiple of it (then the LP
/// relaxation is integral and the optimum is also the LP bound).
pub(crate) fn uniform_slots(p: &Problem) -> Option<(Vec<usize>, bool)> {
    if p.families() == 0 {
        return None;
    }
    let first = p.demand(0);
    if first.iter().all(|d| *d <= EPS) {
        return None;
    }
    if !(0..p.families()).all(|f| {
        p.demand(f)
            .iter()
            .zip(first)
            .all(|(a, b)| (a - b).abs() <= EPS)
    }) {
        return None;
    }
    let mut exact_multiples = true;
    let slots = (0..p.municipalities())
        .map(|m| {
            let mut slots = f64::INFINITY;
            for (c, d) in p.capacity(m).iter().zip(first) {
                if *d > EPS {
                    let q = c / d;
                    let whole = (q + EPS).floor();
                    if q - whole > EPS {
                        exact_multiples = false;
                    }
                    slots = slots.min(whole);
                }
            }
            slots.clamp(0.0, p.families() as f64) as usize
        })
        .collect();
    Some((slots, exact_multiples))
}

#[derive(Clone, Copy)]
struct Move {
    cost: f64,
    family: u32,
    stamp: u32,
}

impl PartialEq for Move {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Move {}
impl PartialOrd for Move {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Move {
    /// Reversed, so that `BinaryHeap` yields the cheapest move first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then(other.family.cmp(&self.family))
    }
}

/// An optimal assignment: `assign[f]` is the municipality of family `f`, or
/// `None` when it stays unplaced.
pub(crate) fn solve(p: &Problem, slots: &[usize]) -> Vec<Option<usize>> {
    let nm = p.municipalities();
    let nodes = nm + 1;
    let unplaced = nm;
    // Score of family g at node v, with "unplaced" worth 0.
    let value = |g: usize, v: usize| {
        if v == unplaced {
            Some(0.0)
        } else {
            p.score(g, v)
        }
    };

    let mut at: Vec<Option<usize>> = vec![None; p.families()];
    let mut stamp = vec![0u32; p.families()];
    let mut count = vec![0usize; nodes];
    let mut potential = vec![0.0f64; nodes];
    let mut heaps: Vec<BinaryHeap<Move>> = (0..nodes * nodes).map(|_| BinaryHeap::new()).collect();

    let enter = |heaps: &mut Vec<BinaryHeap<Move>>, g: usize, u: usize, stamp: u32| {
        let Some(here) = value(g, u) else { return };
        for v in (0..nodes).filter(|v| *v != u) {
            if let Some(there) = value(g, v) {
                heaps[u * nodes + v].push(Move {
                    cost: here - there,
                    family: g as u32,
                    stamp,
                });
            }
        }
    };

    let mut dist = vec![f64::INFINITY; nodes];
    let mut done = vec![false; nodes];
    let mut pred: Vec<Option<(usize, usize)>> = vec![None; nodes];
    for f in 0..p.families() {
        // Dijkstra from family f over reduced costs c + π(u) − π(v).
        for v in 0..nodes {
            done[v] = false;
            pred[v] = None;
            dist[v] = match value(f, v) {
                Some(s) => -s - potential[v],
                None => f64::INFINITY,
            };
        }
        for _ in 0..nodes {
            let Some(u) = (0..nodes)
                .filter(|v| !done[*v] && dist[*v].is_finite())
                .min_by(|a, b| dist[*a].total_cmp(&dist[*b]))
            else {
                break;
            };
            done[u] = true;
            if count[u] == 0 {
                continue;
            }
            for v in 0..nodes {
                if done[v] || v == u {
                    continue;
                }
                let heap = &mut heaps[u * nodes + v];
                while heap.peek().is_some_and(|m| {
                    let g = m.family as usize;
                    stamp[g] != m.stamp || at[g] != Some(u)
                }) {
                    heap.pop();
                }
                if let Some(best) = heap.peek() {
                    let d = dist[u] + best.cost + potential[u] - potential[v];
                    if d < dist[v] {
                        dist[v] = d;
                        pred[v] = Some((u, best.family as usize));
                    }
                }
            }
        }
        // The cheapest node with room, by true cost.
        let Some(target) = (0..nodes)
            .filter(|v| dist[*v].is_finite() && (*v == unplaced || count[*v] < slots[*v]))
            .min_by(|a, b| (dist[*a] + potential[*a]).total_cmp(&(dist[*b] + potential[*b])))
        else {
            continue; // cannot happen: "unplaced" is always reachable
        };
        let reach = dist
            .iter()
            .copied()
            .filter(|d| d.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        for v in 0..nodes {
            potential[v] += if dist[v].is_finite() { dist[v] } else { reach };
        }
        // Shift families along the path, from the target back to f's entry.
        count[target] += 1;
        let mut v = target;
        while let Some((u, g)) = pred[v] {
            at[g] = Some(v);
            stamp[g] += 1;
            enter(&mut heaps, g, v, stamp[g]);
            v = u;
        }
        at[f] = Some(v);
        enter(&mut heaps, f, v, stamp[f]);
    }
    at.into_iter()
        .map(|v| v.filter(|v| *v != unplaced))
        .collect()
}
