//! The letter's figures come out of the demo caseload and the policy file:
//! nothing of the letter is typed into report code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::ledger::{self, groups_from_cases};
use resettle_domain::policy::PolicySet;
use resettle_domain::{Case, Context, Programme, Track};
use std::collections::BTreeMap;
use time::macros::{date, datetime};

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

fn demo() -> Vec<Case> {
    let ctx = Context {
        occurred_on: date!(2026 - 11 - 28),
        recorded_at: datetime!(2026-11-28 12:00 UTC),
        actor: "t".into(),
        reason: None,
    };
    resettle_demo::generate(2026, &ctx)
        .unwrap()
        .into_iter()
        .map(|n| n.case)
        .collect()
}

fn policy() -> PolicySet {
    let p: PolicySet = serde_json::from_str(POLICY).unwrap();
    p.validate().unwrap();
    p
}

#[test]
fn the_frameworks_report_reads_the_letter_s_table() {
    let cases = demo();
    let report = ledger::frameworks(&policy(), &groups_from_cases(&cases));
    let f2020 = &report.frameworks[0];
    assert_eq!(f2020.id, "2020-2023");
    let years: Vec<(i32, u64)> = f2020
        .years
        .iter()
        .map(|y| (y.year, y.counted_national))
        .collect();
    assert_eq!(
        years,
        vec![(2020, 300), (2021, 90), (2022, 730), (2023, 800)]
    );
    assert_eq!(
        (
            f2020.commitment,
            f2020.adjusted_commitment,
            f2020.counted_total
        ),
        (2000, 1900, 1920)
    );
    assert_eq!(
        (f2020.excess, f2020.carried_out_to.as_deref(), f2020.met),
        (20, Some("2024"), true)
    );

    let f2024 = &report.frameworks[1];
    assert_eq!(f2024.carried_in, 20);
    // Selected in 2024 under the 2024 quota, arriving in 2024 or 2025, plus family
    // reunification arriving in 2024.
    let selected_2024: u64 = cases
        .iter()
        .filter(|c| c.submission.programme == Programme::NationalQuota && c.arrived_on.is_some())
        .filter(|c| match &c.submission.family_reunification_of {
            Some(_) => c.arrived_on.is_some_and(|d| d.year() == 2024),
            None => c.selected_on.is_some_and(|d| d.year() == 2024),
        })
        .map(|c| c.persons() as u64)
        .sum();
    assert_eq!(f2024.attributed, selected_2024);
    assert_eq!(f2024.counted_total, 20 + selected_2024);
    assert!(
        f2024
            .years
            .iter()
            .any(|y| y.year == 2025 && y.resettled_arrivals > 0),
        "2025 arrivals selected in 2024 count under 2024"
    );

    let f2025 = &report.frameworks[2];
    assert_eq!(
        (f2025.quota_per_year, f2025.quota_until_further_notice),
        (Some(200), true)
    );
}

#[test]
fn the_eu_count_leaves_family_reunification_out() {
    let cases = demo();
    let groups = groups_from_cases(&cases);
    let eu = &ledger::eu(&policy(), &groups).programmes[0];
    let in_period = |c: &&Case| {
        c.arrived_on
            .is_some_and(|d| (date!(2024 - 01 - 01)..=date!(2025 - 12 - 31)).contains(&d))
    };
    let resettled: u64 = cases
        .iter()
        .filter(in_period)
        .filter(|c| c.submission.family_reunification_of.is_none())
        .map(|c| c.persons() as u64)
        .sum();
    let family: u64 = cases
        .iter()
        .filter(in_period)
        .filter(|c| c.submission.family_reunification_of.is_some())
        .map(|c| c.persons() as u64)
        .sum();
    assert!(family > 0);
    assert_eq!(eu.realised_total, resettled);
    assert_eq!(eu.family_reunification_excluded, family);
    assert_eq!(eu.funding_eur, resettled * eu.eur_per_person);
    let turkey = eu
        .pledges
        .iter()
        .find(|p| p.programme == Programme::EuTurkey)
        .unwrap();
    assert!(turkey.realised > 0, "EU-Turkey counts for the EU pledge");
}

#[test]
fn moving_one_arrival_across_a_year_boundary_changes_the_report_accordingly() {
    let mut cases = demo();
    let policy = policy();
    let before = ledger::frameworks(&policy, &groups_from_cases(&cases));
    // A resettled family that arrived in 2023 now arrives on 2 January 2024:
    // its year moves, its framework (decided by the day of selection) does not.
    let i = cases
        .iter()
        .position(|c| {
            c.submission.family_reunification_of.is_none()
                && c.submission.programme == Programme::NationalQuota
                && c.arrived_on.is_some_and(|d| d.year() == 2023)
        })
        .unwrap();
    let n = cases[i].persons() as u64;
    cases[i].arrived_on = Some(date!(2024 - 01 - 02));
    let after = ledger::frameworks(&policy, &groups_from_cases(&cases));
    let year = |r: &ledger::FrameworkReport, y: i32| {
        r.frameworks[0]
            .years
            .iter()
            .find(|l| l.year == y)
            .map_or(0, |l| l.counted_national)
    };
    assert_eq!(year(&after, 2023), year(&before, 2023) - n);
    assert_eq!(year(&after, 2024), year(&before, 2024) + n);
    assert_eq!(
        after.frameworks[0].counted_total,
        before.frameworks[0].counted_total
    );

    // A later-arriving family member is counted by arrival: moving them into 2024 moves the place.
    let j = cases
        .iter()
        .position(|c| {
            c.submission.family_reunification_of.is_some()
                && c.arrived_on.is_some_and(|d| d.year() == 2023)
        })
        .unwrap();
    let m = cases[j].persons() as u64;
    cases[j].arrived_on = Some(date!(2024 - 01 - 02));
    let moved = ledger::frameworks(&policy, &groups_from_cases(&cases));
    assert_eq!(
        moved.frameworks[0].counted_total,
        before.frameworks[0].counted_total - m
    );
    assert_eq!(moved.frameworks[0].excess, before.frameworks[0].excess - m);
    assert_eq!(
        moved.frameworks[1].attributed,
        before.frameworks[1].attributed + m
    );
}

#[test]
fn bucketing_dates_by_policy_boundaries_changes_no_report_on_the_demo() {
    let cases = demo();
    let policy = policy();
    let exact = groups_from_cases(&cases);
    let bucketed = ledger::bucket(&exact, &policy.boundaries());
    assert!(
        bucketed.len() * 2 < exact.len(),
        "{} groups from {}",
        bucketed.len(),
        exact.len()
    );
    assert_eq!(
        ledger::frameworks(&policy, &exact),
        ledger::frameworks(&policy, &bucketed)
    );
    assert_eq!(ledger::eu(&policy, &exact), ledger::eu(&policy, &bucketed));
    assert_eq!(
        ledger::composition(&policy, &exact),
        ledger::composition(&policy, &bucketed)
    );
    assert_eq!(
        ledger::allocation(&policy, &exact),
        ledger::allocation(&policy, &bucketed)
    );
}

/// Persons per key, from a report's breakdown.
fn by_key(counts: &[ledger::Count]) -> BTreeMap<String, u64> {
    counts.iter().map(|c| (c.key.clone(), c.persons)).collect()
}

/// A breakdown as published: every cell it shows has the recomputed count and
/// at least five persons, every recomputed cell of fewer than five is not
/// shown, and the cells not shown are counted together under "suppressed"
/// (five or more persons, unless that is everything).
fn shown_with_small_cells_hidden(
    report: &[ledger::Count],
    recomputed: &BTreeMap<String, u64>,
    what: &str,
) {
    let shown = by_key(report);
    let mut hidden_total = 0;
    for (key, persons) in recomputed {
        match shown.get(key) {
            Some(n) => {
                assert_eq!(n, persons, "{what}: {key}");
                assert!(*n >= 5, "{what}: {key} shown with {n} persons");
            }
            None => hidden_total += persons,
        }
        if *persons < 5 {
            assert!(
                !shown.contains_key(key),
                "{what}: the small cell {key} is shown"
            );
        }
    }
    assert_eq!(
        shown.get("suppressed").copied().unwrap_or(0),
        hidden_total,
        "{what}: suppressed"
    );
    assert!(
        hidden_total == 0 || hidden_total >= 5 || hidden_total == recomputed.values().sum::<u64>(),
        "{what}: {hidden_total} suppressed persons could be told apart"
    );
    assert!(
        shown
            .keys()
            .all(|k| k == "suppressed" || recomputed.contains_key(k)),
        "{what}: a key the cases do not have"
    );
}

/// The composition report recomputed from the cases themselves, member by
/// member, without the ledger's person groups.
#[test]
fn the_composition_report_equals_a_count_of_the_demo_s_cases_and_members() {
    let cases = demo();
    let policy = policy();
    let report = ledger::composition(&policy, &groups_from_cases(&cases));
    assert_eq!(report.frameworks.len(), policy.frameworks.len());
    let mut keys_seen = 0;
    for line in &report.frameworks {
        let f = policy
            .frameworks
            .iter()
            .find(|f| f.id == line.framework)
            .unwrap();
        let counted: Vec<&Case> = cases
            .iter()
            .filter(|c| c.submission.programme == Programme::NationalQuota)
            .filter(|c| {
                let day = match c.submission.family_reunification_of {
                    Some(_) => c.arrived_on,
                    None => c.selected_on.or(c.arrived_on),
                };
                c.arrived_on.is_some() && day.is_some_and(|d| f.start <= d && d <= f.end)
            })
            .collect();
        let mut host = BTreeMap::new();
        let mut nationality = BTreeMap::new();
        let mut category = BTreeMap::new();
        let mut priority = BTreeMap::new();
        for c in &counted {
            let s = &c.submission;
            let n = s.members.len() as u64;
            *host.entry(s.host_country.to_string()).or_insert(0) += n;
            *category.entry(s.primary_category.to_string()).or_insert(0) += n;
            *priority.entry(s.priority.to_string()).or_insert(0) += n;
            for m in &s.members {
                *nationality.entry(m.nationality.to_string()).or_insert(0) += 1;
            }
        }
        let what = &line.framework;
        assert_eq!(
            line.persons,
            counted.iter().map(|c| c.persons() as u64).sum::<u64>(),
            "{what}"
        );
        shown_with_small_cells_hidden(
            &line.by_host_country,
            &host,
            &format!("{what}: host countries"),
        );
        shown_with_small_cells_hidden(
            &line.by_nationality,
            &nationality,
            &format!("{what}: nationalities"),
        );
        shown_with_small_cells_hidden(&line.by_category, &category, &format!("{what}: categories"));
        shown_with_small_cells_hidden(&line.by_priority, &priority, &format!("{what}: priorities"));
        keys_seen += [
            host.len(),
            nationality.len(),
            category.len(),
            priority.len(),
        ]
        .iter()
        .filter(|n| **n > 1)
        .count();
    }
    assert!(
        keys_seen >= 8,
        "the demo gives breakdowns of several keys: {keys_seen}"
    );
}

/// The allocation report recomputed from the cases selected in each plan's year.
#[test]
fn the_allocation_report_equals_a_count_of_the_demo_s_selections() {
    let cases = demo();
    let policy = policy();
    let report = ledger::allocation(&policy, &groups_from_cases(&cases));
    assert_eq!(report.plans.len(), policy.allocation_plans.len());
    let mut caps_used = 0;
    for (line, plan) in report.plans.iter().zip(&policy.allocation_plans) {
        assert_eq!((&line.framework, line.year), (&plan.framework, plan.year));
        let selected: Vec<&Case> = cases
            .iter()
            .filter(|c| c.submission.programme == Programme::NationalQuota)
            .filter(|c| c.submission.family_reunification_of.is_none())
            .filter(|c| c.selected_on.is_some_and(|d| d.year() == plan.year))
            .collect();
        let persons = |keep: &dyn Fn(&Case) -> bool| -> u64 {
            selected
                .iter()
                .filter(|c| keep(c))
                .map(|c| c.persons() as u64)
                .sum()
        };
        let on_mission = |c: &Case, host: &str| {
            c.submission.track == Track::SelectionMission
                && c.submission.host_country.as_str() == host
        };
        let mut expected: Vec<(String, u64, u64)> = plan
            .missions
            .iter()
            .map(|m| {
                let host = m.host_country.as_str();
                (
                    host.to_string(),
                    m.places,
                    persons(&|c| on_mission(c, host)),
                )
            })
            .collect();
        let elsewhere = persons(&|c| {
            c.submission.track == Track::SelectionMission
                && !plan
                    .missions
                    .iter()
                    .any(|m| on_mission(c, m.host_country.as_str()))
        });
        if elsewhere > 0 {
            expected.push(("other-missions".into(), 0, elsewhere));
        }
        expected.push((
            "unearmarked".into(),
            plan.unearmarked,
            persons(&|c| c.submission.track == Track::Dossier),
        ));
        let got: Vec<(String, u64, u64)> = line
            .lines
            .iter()
            .map(|l| (l.key.clone(), l.planned, l.selected))
            .collect();
        assert_eq!(got, expected, "plan {}", plan.year);
        assert!(
            line.selected_total > 0,
            "plan {}: nobody selected",
            plan.year
        );
        assert_eq!(line.selected_total, persons(&|_| true));
        for (c, cap) in line.caps.iter().zip(&plan.caps) {
            let used = persons(&|k| {
                cap.priority.is_none_or(|p| k.submission.priority == p)
                    && cap
                        .category
                        .is_none_or(|x| k.submission.primary_category == x)
            });
            assert_eq!(
                (c.max, c.used, c.exceeded),
                (cap.max, used, used > cap.max),
                "plan {} cap {}",
                plan.year,
                c.label
            );
            caps_used += usize::from(used > 0);
        }
    }
    assert!(caps_used > 0, "the demo uses some cap of the plans");
}
