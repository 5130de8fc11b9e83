//! The solver against brute force on small instances: always feasible, never
//! above its bound, the bound never below the true optimum, and exact when
//! every family needs one slot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use resettle_placement::instance::{FamilyInput, Instance, MunicipalityInput, ScoreInput};
use resettle_placement::solve::{check, objective};
use resettle_placement::{Method, Options, Problem, solve};

/// The best objective over every assignment (families × (municipalities + unplaced)).
fn brute_force(p: &Problem) -> f64 {
    let (nf, nm) = (p.families(), p.municipalities());
    let mut best = 0.0_f64;
    let mut assign = vec![None; nf];
    let total = (nm + 1).pow(nf as u32);
    for code in 0..total {
        let mut c = code;
        for slot in assign.iter_mut() {
            let v = c % (nm + 1);
            c /= nm + 1;
            *slot = (v < nm).then_some(v);
        }
        if check(p, &assign).is_ok() {
            best = best.max(objective(p, &assign));
        }
    }
    best
}

fn instance(
    dims: usize,
    capacity: Vec<Vec<u8>>,
    demand: Vec<Vec<u8>>,
    scores: Vec<Option<u8>>,
) -> Instance {
    let nm = capacity.len();
    Instance {
        dimensions: (0..dims).map(|k| format!("d{k}")).collect(),
        municipalities: capacity
            .into_iter()
            .enumerate()
            .map(|(m, c)| MunicipalityInput {
                id: format!("M{m}"),
                capacity: c.into_iter().map(f64::from).collect(),
            })
            .collect(),
        families: demand
            .iter()
            .enumerate()
            .map(|(f, d)| FamilyInput {
                id: format!("F{f}"),
                demand: d.iter().copied().map(f64::from).collect(),
                expected: false,
            })
            .collect(),
        scores: scores
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.map(|s| ScoreInput {
                    family: format!("F{}", i / nm),
                    municipality: format!("M{}", i % nm),
                    score: f64::from(s) / 10.0,
                })
            })
            .collect(),
    }
}

fn arbitrary(unit: bool) -> impl Strategy<Value = Instance> {
    (1usize..=2, 1usize..=3, 1usize..=6).prop_flat_map(move |(dims, nm, nf)| {
        let dims = if unit { 1 } else { dims };
        (
            prop::collection::vec(prop::collection::vec(0u8..=6, dims), nm),
            prop::collection::vec(
                prop::collection::vec(if unit { 1u8..=1 } else { 0u8..=4 }, dims),
                nf,
            ),
            prop::collection::vec(prop::option::weighted(0.85, 0u8..=10), nf * nm),
        )
            .prop_map(move |(c, d, s)| instance(dims, c, d, s))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn one_slot_each_is_solved_exactly(inst in arbitrary(true)) {
        let p = inst.validate().unwrap();
        let s = solve(&p, &Options::for_problem(&p));
        prop_assert_eq!(s.method, Method::ExactTransportation);
        prop_assert!(check(&p, &s.assign).is_ok());
        let best = brute_force(&p);
        prop_assert!((s.objective - best).abs() < 1e-9, "objective {} but the optimum is {}", s.objective, best);
        prop_assert!((s.upper_bound - best).abs() < 1e-9);
    }

    #[test]
    fn any_sizes_are_feasible_and_bounded(inst in arbitrary(false)) {
        let p = inst.validate().unwrap();
        let s = solve(&p, &Options::for_problem(&p));
        prop_assert!(check(&p, &s.assign).is_ok(), "{:?}", check(&p, &s.assign));
        prop_assert!((objective(&p, &s.assign) - s.objective).abs() < 1e-9);
        let best = brute_force(&p);
        prop_assert!(s.objective <= best + 1e-9);
        prop_assert!(s.upper_bound >= best - 1e-7, "bound {} below the optimum {}", s.upper_bound, best);
    }
}

#[test]
fn seeded_instances_keep_a_small_gap_to_their_bound() {
    for (dims, unit) in [(1, false), (3, false), (1, true)] {
        let inst = resettle_placement::sample::generate(7, 120, 8, dims, unit);
        let p = inst.validate().unwrap();
        let s = solve(&p, &Options::for_problem(&p));
        check(&p, &s.assign).unwrap();
        let gap = (s.upper_bound - s.objective) / s.upper_bound;
        assert!(gap >= -1e-12, "objective above the bound");
        assert!(
            gap < 0.02,
            "dims {dims}, unit {unit}: gap {gap} to the bound"
        );
    }
}
