//! The forecast on the demo caseload: deterministic per seed, scenarios move
//! it the right way, and a backtest of 2023 from the data as it stood on
//! 1 January 2023.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::forecast::{Pause, Scenario, forecast, input_from_history};
use resettle_domain::policy::PolicySet;
use resettle_domain::{Context, CountryCode, NewCase};
use time::macros::{date, datetime};

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

fn demo() -> Vec<NewCase> {
    let ctx = Context {
        occurred_on: date!(2026 - 11 - 28),
        recorded_at: datetime!(2026-11-28 12:00 UTC),
        actor: "t".into(),
        reason: None,
    };
    resettle_demo::generate(2026, &ctx).unwrap()
}

fn policy() -> PolicySet {
    serde_json::from_str(POLICY).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_forecast() {
    let cases = demo();
    let input = input_from_history(&cases, &policy(), date!(2025 - 01 - 01), 24);
    let a = forecast(&input, &policy(), &Scenario::default(), 200, 7);
    let b = forecast(&input, &policy(), &Scenario::default(), 200, 7);
    let c = forecast(&input, &policy(), &Scenario::default(), 200, 8);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let band = &a.months[3].arrivals;
    assert!(band.p10 <= band.p50 && band.p50 <= band.p90);
}

#[test]
fn backtest_2023_from_what_was_known_on_1_january_2023() {
    let cases = demo();
    let policy = policy();
    let input = input_from_history(&cases, &policy, date!(2023 - 01 - 01), 12);
    let f = forecast(&input, &policy, &Scenario::default(), 2000, 2023);
    let forecast_2023: u64 = f.months.iter().map(|m| m.arrivals.p50).sum();
    let actual_2023 = 800;
    let error = (forecast_2023 as f64 - actual_2023 as f64) / actual_2023 as f64;
    println!(
        "backtest 2023: forecast (sum of monthly medians) {forecast_2023}, actual {actual_2023}, error {:+.1}%",
        error * 100.0
    );
    let fw = f.frameworks.iter().find(|x| x.id == "2020-2023").unwrap();
    println!(
        "2020-2023: counted on 1 Jan 2023 {}, forecast total p10/p50/p90 {}/{}/{}, P(met) {:.2}",
        fw.counted_so_far, fw.total.p10, fw.total.p50, fw.total.p90, fw.probability_met
    );
    assert_eq!(
        fw.counted_so_far, 1120,
        "300 + 90 + 730 counted before 2023"
    );
    assert!(error.abs() < 0.35, "backtest error {error}");
}

#[test]
fn scenarios_move_the_forecast_the_right_way() {
    let cases = demo();
    let policy = policy();
    let input = input_from_history(&cases, &policy, date!(2024 - 01 - 01), 24);
    let base = forecast(&input, &policy, &Scenario::default(), 500, 1);
    let total = |f: &resettle_domain::forecast::Forecast| {
        f.frameworks
            .iter()
            .find(|x| x.id == "2024")
            .unwrap()
            .total
            .p50
    };
    let cancelled = Scenario {
        cancel_missions: vec![
            CountryCode::parse("LBN").unwrap(),
            CountryCode::parse("EGY").unwrap(),
        ],
        ..Scenario::default()
    };
    assert!(total(&forecast(&input, &policy, &cancelled, 500, 1)) < total(&base));
    let paused = Scenario {
        pause: Some(Pause {
            from: date!(2024 - 01 - 01),
            months: 12,
        }),
        ..Scenario::default()
    };
    let p = forecast(&input, &policy, &paused, 500, 1);
    assert!(
        p.months[..12].iter().map(|m| m.arrivals.p50).sum::<u64>()
            < base.months[..12]
                .iter()
                .map(|m| m.arrivals.p50)
                .sum::<u64>()
    );
    // Commitments: at the median forecast total about half the runs meet it,
    // at the 10th percentile about nine in ten, at the letter's 500 (below
    // every run's total) all of them. If the scenario's commitment were
    // ignored, all three would be equal.
    let prob = |f: &resettle_domain::forecast::Forecast| {
        f.frameworks
            .iter()
            .find(|x| x.id == "2024")
            .unwrap()
            .probability_met
    };
    let committed = |places: u64| {
        let s = Scenario {
            commitments: vec![resettle_domain::forecast::CommitmentChange {
                framework: "2024".into(),
                adjusted_commitment: places,
            }],
            ..Scenario::default()
        };
        prob(&forecast(&input, &policy, &s, 500, 1))
    };
    let band = &base
        .frameworks
        .iter()
        .find(|x| x.id == "2024")
        .unwrap()
        .total;
    let (at_median, at_p10) = (committed(band.p50 + 1), committed(band.p10));
    println!(
        "2024: P(met) {:.3} at 500 places, {at_p10:.3} at p10 {}, {at_median:.3} at p50 + 1 {}",
        prob(&base),
        band.p10,
        band.p50 + 1
    );
    assert!(
        0.0 < at_median && at_median < at_p10 && at_p10 < prob(&base),
        "P(met) {at_median} at the median, {at_p10} at p10, {} at 500",
        prob(&base)
    );
}

#[test]
fn an_excess_is_carried_into_the_next_framework() {
    let cases = demo();
    let policy = policy();
    let input = input_from_history(&cases, &policy, date!(2024 - 06 - 01), 24);
    let base = forecast(&input, &policy, &Scenario::default(), 300, 3);
    // With no places in 2024, everything counted there is excess, counted in 2025.
    let none = Scenario {
        commitments: vec![resettle_domain::forecast::CommitmentChange {
            framework: "2024".into(),
            adjusted_commitment: 0,
        }],
        ..Scenario::default()
    };
    let carried = forecast(&input, &policy, &none, 300, 3);
    let p50 = |f: &resettle_domain::forecast::Forecast, id: &str| {
        f.frameworks.iter().find(|x| x.id == id).unwrap().total.p50
    };
    // The difference is what 2024's commitment absorbed before: 500 places (in every run the
    // 2024 total exceeds 500, so base 2025 already holds the rest as carried excess).
    let moved = p50(&carried, "2025") - p50(&base, "2025");
    assert!((480..=520).contains(&moved), "moved {moved}");
}
