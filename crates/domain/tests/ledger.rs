//! Properties of the ledger over arbitrary arrivals and a policy of three
//! consecutive frameworks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use resettle_domain::ledger::{self, PersonGroup, round_to_tens};
use resettle_domain::policy::{
    Deduction, EuProgramme, Framework, FrameworkKind, FundingCategory, FundingRule, POLICY_FORMAT,
    Pledge, PolicySet,
};
use resettle_domain::{
    CountryCode, Nationality, Programme, SubmissionCategory, SubmissionPriority, Track,
};
use time::macros::date;
use time::{Date, Duration};

fn policy(c1: u64, deduct: u64, c2: u64, c3: u64) -> PolicySet {
    let fw =
        |id: &str, start: Date, end: Date, commitment: u64, deductions: Vec<Deduction>| Framework {
            id: id.into(),
            name: id.into(),
            kind: FrameworkKind::MultiYear,
            start,
            end,
            commitment,
            deductions,
        };
    PolicySet {
        format: POLICY_FORMAT.into(),
        frameworks: vec![
            fw(
                "b",
                date!(2022 - 01 - 01),
                date!(2022 - 12 - 31),
                c2,
                vec![],
            ),
            fw(
                "a",
                date!(2020 - 01 - 01),
                date!(2021 - 12 - 31),
                c1,
                vec![Deduction {
                    places: deduct.min(c1),
                    reason: "r".into(),
                    on: date!(2020 - 09 - 01),
                }],
            ),
            fw(
                "c",
                date!(2023 - 01 - 01),
                date!(2023 - 12 - 31),
                c3,
                vec![],
            ),
        ],
        quota_changes: vec![],
        suspensions: vec![],
        eu_programmes: vec![EuProgramme {
            id: "eu".into(),
            name: "eu".into(),
            start: date!(2021 - 01 - 01),
            end: date!(2022 - 12 - 31),
            pledges: vec![
                Pledge {
                    programme: Programme::NationalQuota,
                    places: 100,
                    note: String::new(),
                },
                Pledge {
                    programme: Programme::EuTurkey,
                    places: 100,
                    note: String::new(),
                },
            ],
            funding: vec![FundingRule {
                category: FundingCategory::Resettled,
                eur_per_person: 10_000,
            }],
        }],
        allocation_plans: vec![],
    }
}

prop_compose! {
    fn group()(selected in 0i64..1700, travel in 0i64..200, arrived in prop::bool::weighted(0.9),
               family in prop::bool::weighted(0.1), turkey in prop::bool::weighted(0.2), persons in 1u64..9)
               -> PersonGroup {
        let selected_on = date!(2019 - 10 - 01) + Duration::days(selected);
        PersonGroup {
            programme: if turkey { Programme::EuTurkey } else { Programme::NationalQuota },
            family_reunification: family,
            selected_on: Some(selected_on),
            arrived_on: arrived.then(|| selected_on + Duration::days(travel)),
            host_country: CountryCode::parse("LBN").unwrap(),
            nationality: Nationality::Stateless,
            primary_category: SubmissionCategory::MedicalNeeds,
            priority: SubmissionPriority::Normal,
            track: Track::SelectionMission,
            persons,
        }
    }
}

proptest! {
    #[test]
    fn totals_do_not_depend_on_the_order_of_records(groups in prop::collection::vec(group(), 0..80), seed in any::<u64>()) {
        let p = policy(300, 20, 100, 100);
        let mut shuffled = groups.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (n as u64)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(ledger::frameworks(&p, &groups), ledger::frameworks(&p, &shuffled));
        prop_assert_eq!(ledger::eu(&p, &groups), ledger::eu(&p, &shuffled));
        prop_assert_eq!(ledger::composition(&p, &groups), ledger::composition(&p, &shuffled));
    }

    #[test]
    fn every_counted_arrival_is_attributed_to_exactly_one_framework(groups in prop::collection::vec(group(), 0..80)) {
        let p = policy(300, 20, 100, 100);
        let r = ledger::frameworks(&p, &groups);
        let counted: u64 = groups.iter().filter(|g| g.counts_national()).map(|g| g.persons).sum();
        let attributed: u64 = r.frameworks.iter().map(|f| f.attributed).sum();
        prop_assert_eq!(attributed + r.unattributed, counted);
        for f in &r.frameworks {
            prop_assert_eq!(f.years.iter().map(|y| y.resettled_arrivals + y.family_reunification_arrivals).sum::<u64>(), f.attributed);
        }
    }

    #[test]
    fn the_excess_carried_forward_is_what_exceeds_the_adjusted_commitment(
        groups in prop::collection::vec(group(), 0..80), c1 in 0u64..400, d in 0u64..100, c2 in 0u64..200, c3 in 0u64..200,
    ) {
        let p = policy(c1, d, c2, c3);
        let r = ledger::frameworks(&p, &groups);
        let mut carried = 0;
        for (i, f) in r.frameworks.iter().enumerate() {
            prop_assert_eq!(f.carried_in, carried);
            prop_assert_eq!(f.counted_total, f.attributed + f.carried_in);
            prop_assert_eq!(f.excess, f.counted_total.saturating_sub(f.adjusted_commitment));
            prop_assert_eq!(f.met, f.shortfall == 0);
            let last = i + 1 == r.frameworks.len();
            prop_assert_eq!(f.carried_out_to.is_some(), f.excess > 0 && !last);
            carried = if f.carried_out_to.is_some() { f.excess } else { 0 };
        }
    }

    #[test]
    fn the_eu_count_never_includes_family_reunification(groups in prop::collection::vec(group(), 0..80)) {
        let p = policy(300, 20, 100, 100);
        let without: Vec<PersonGroup> = groups.iter().filter(|g| !g.family_reunification).cloned().collect();
        let a = ledger::eu(&p, &groups).programmes.remove(0);
        let b = ledger::eu(&p, &without).programmes.remove(0);
        prop_assert_eq!(a.realised_total, b.realised_total);
        prop_assert_eq!(a.funding_eur, a.realised_total * 10_000);
        prop_assert_eq!(b.family_reunification_excluded, 0);
    }
}

proptest! {
    /// Grouping dates into policy buckets changes no report.
    #[test]
    fn bucketed_dates_give_the_same_reports(groups in prop::collection::vec(group(), 0..80), c1 in 0u64..400) {
        let p = policy(c1, 20, 100, 100);
        let bucketed = ledger::bucket(&groups, &p.boundaries());
        prop_assert!(bucketed.len() <= groups.len());
        prop_assert_eq!(ledger::frameworks(&p, &groups), ledger::frameworks(&p, &bucketed));
        prop_assert_eq!(ledger::eu(&p, &groups), ledger::eu(&p, &bucketed));
        prop_assert_eq!(ledger::composition(&p, &groups), ledger::composition(&p, &bucketed));
        prop_assert_eq!(ledger::allocation(&p, &groups), ledger::allocation(&p, &bucketed));
    }
}

#[test]
fn rounding_to_tens_happens_half_up() {
    assert_eq!(
        [0, 4, 5, 14, 15, 1916, 1925].map(round_to_tens),
        [0, 0, 10, 10, 20, 1920, 1930]
    );
}

#[test]
fn the_letter_s_policy_file_is_valid_and_bad_policies_list_every_problem() {
    let p: PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    p.validate().unwrap();
    assert!(
        p.allocation_plans
            .iter()
            .all(|a| !a.below_unearmarked_target())
    );
    let mut bad = p.clone();
    bad.format = "x".into();
    bad.frameworks[1].start = date!(2023 - 06 - 01);
    bad.frameworks[2].deductions.push(Deduction {
        places: 999,
        reason: " ".into(),
        on: date!(2025 - 01 - 01),
    });
    bad.allocation_plans[0].framework = "nope".into();
    let fields: Vec<String> = bad
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|p| p.field)
        .collect();
    for f in [
        "format",
        "frameworks",
        "frameworks[2].deductions",
        "frameworks[2].deductions[0].reason",
        "allocationPlans[0].framework",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }
    let mut low = p.allocation_plans[0].clone();
    low.unearmarked = 10;
    assert!(low.below_unearmarked_target());
}
