#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The demo caseload follows the government letter's history, is valid for
//! the domain, and is deterministic per seed.

use resettle_demo::{DemoError, LAST_EVENT_ON, generate};
use resettle_domain::{
    Action, Case, CaseKind, CaseState, Context, Housing, Nationality, NewCase, Programme,
    SubmissionCategory, SubmissionPriority, Track,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use time::macros::{date, datetime};

fn ctx() -> Context {
    Context {
        occurred_on: date!(2000 - 01 - 01), // ignored by the generator
        recorded_at: datetime!(2026 - 11 - 28 10:00 UTC),
        actor: "demo-seed".into(),
        reason: None,
    }
}

/// The caseload for seed 2026, generated once for all tests.
fn caseload() -> &'static [NewCase] {
    static CASES: OnceLock<Vec<NewCase>> = OnceLock::new();
    CASES.get_or_init(|| generate(2026, &ctx()).expect("the demo generates"))
}

fn cases() -> impl Iterator<Item = &'static Case> {
    caseload().iter().map(|c| &c.case)
}

fn quota_persons_arriving_in(year: i32, kind: Option<CaseKind>) -> usize {
    cases()
        .filter(|c| c.submission.programme == Programme::NationalQuota)
        .filter(|c| kind.is_none_or(|k| c.kind() == k))
        .filter(|c| c.arrived_on.is_some_and(|a| a.year() == year))
        .map(Case::persons)
        .sum()
}

#[test]
fn national_quota_arrivals_are_the_letters_figures() {
    let by_year: Vec<usize> = (2020..=2023)
        .map(|y| quota_persons_arriving_in(y, None))
        .collect();
    assert_eq!(by_year, [300, 90, 730, 800]);
    for year in 2020..=2023 {
        let reunited = quota_persons_arriving_in(year, Some(CaseKind::FamilyReunification));
        assert!(reunited > 0 && reunited < 10, "{year}: {reunited}");
    }
}

#[test]
fn framework_arrivals_were_selected_in_the_framework_within_six_months() {
    for c in cases().filter(|c| {
        c.submission.programme == Programme::NationalQuota
            && c.kind() == CaseKind::Resettlement
            && c.arrived_on
                .is_some_and(|a| (2020..=2023).contains(&a.year()))
    }) {
        let arrived = c.arrived_on.unwrap();
        let selected = c.selected_on.expect("an arrived case was selected");
        assert!(
            selected >= date!(2020 - 01 - 01),
            "{}",
            c.submission.case_number
        );
        assert!(
            (arrived - selected).whole_days() <= 183,
            "{}: selected {selected}, arrived {arrived}",
            c.submission.case_number
        );
    }
}

#[test]
fn eu_turkey_arrivals_stop_during_the_suspension() {
    let arrivals: Vec<_> = cases()
        .filter(|c| c.submission.programme == Programme::EuTurkey)
        .filter_map(|c| c.arrived_on)
        .collect();
    assert!(
        arrivals
            .iter()
            .all(|a| *a < date!(2022 - 09 - 01) || *a > date!(2023 - 12 - 31))
    );
    assert!(arrivals.iter().any(|a| a.year() == 2021));
    assert!(arrivals.iter().any(|a| a.year() == 2024));
    // Received by COA on arrival.
    for c in caseload()
        .iter()
        .filter(|c| c.case.submission.programme == Programme::EuTurkey)
    {
        let first_housing = c.history.iter().find_map(|t| match &t.action {
            Action::House { housing } => Some(housing),
            _ => None,
        });
        if let Some(h) = first_housing {
            assert!(matches!(h, Housing::CoaReception { .. }));
        }
    }
}

#[test]
fn cases_submitted_in_2025_stand_in_every_state() {
    let mut counts: BTreeMap<CaseState, usize> = BTreeMap::new();
    for c in cases().filter(|c| {
        c.submission.programme == Programme::NationalQuota
            && c.submission.submitted_on.year() == 2025
    }) {
        *counts.entry(c.state).or_default() += 1;
    }
    for state in CaseState::ALL {
        assert!(
            counts.get(state).copied().unwrap_or(0) >= 2,
            "{state}: {counts:?}"
        );
    }
}

#[test]
fn nationalities_case_numbers_and_priorities() {
    let nationalities: BTreeSet<Nationality> = cases()
        .flat_map(|c| c.submission.members.iter().map(|m| m.nationality))
        .collect();
    assert!(nationalities.len() >= 18, "{nationalities:?}");
    assert!(nationalities.contains(&Nationality::Stateless));

    let numbers: BTreeSet<_> = cases().map(|c| &c.submission.case_number).collect();
    assert_eq!(numbers.len(), caseload().len());
    for c in cases() {
        let number = c.submission.case_number.as_str();
        assert!(number.starts_with(c.submission.host_country.as_str()));
        let yy = format!("{:02}", c.submission.submitted_on.year() % 100);
        assert_eq!(&number[4..6], yy);
    }

    for c in cases()
        .filter(|c| c.submission.track == Track::Dossier && c.kind() == CaseKind::Resettlement)
    {
        assert!(matches!(
            c.submission.priority,
            SubmissionPriority::Urgent | SubmissionPriority::Emergency
        ));
    }
}

#[test]
fn family_reunification_joins_a_family_that_arrived_before() {
    let by_number: BTreeMap<_, _> = cases().map(|c| (&c.submission.case_number, c)).collect();
    let reunions: Vec<_> = cases()
        .filter(|c| c.kind() == CaseKind::FamilyReunification)
        .collect();
    assert!(!reunions.is_empty());
    for c in reunions {
        let anchor = by_number[c.submission.family_reunification_of.as_ref().unwrap()];
        assert_eq!(anchor.kind(), CaseKind::Resettlement);
        assert_eq!(c.submission.track, Track::Dossier);
        assert_eq!(
            c.submission.primary_category,
            SubmissionCategory::FamilyReunification
        );
        let (joined, came) = (anchor.arrived_on.unwrap(), c.arrived_on.unwrap());
        assert!(joined < came, "{}", c.submission.case_number);
    }
}

#[test]
fn histories_are_complete_dated_and_consistent() {
    for NewCase { case, history } in caseload() {
        assert_eq!(history.len() as i64, case.version);
        assert_eq!(history.last().map(|t| t.to), Some(case.state));
        for pair in history.windows(2) {
            assert!(pair[0].occurred_on <= pair[1].occurred_on);
        }
        assert!(history.iter().all(|t| t.occurred_on <= LAST_EVENT_ON));
        assert!(history.iter().all(|t| t.actor == "demo-seed"));
        let c = &case.submission;
        assert!(!c.members.is_empty() && c.members.len() <= 8);
        assert_ne!(Some(c.primary_category), c.secondary_category);
        for m in &c.members {
            assert!(m.date_of_birth.date() <= c.submitted_on);
        }
        // Integration guidance runs 18 to 24 months from its start.
        for t in history {
            if let Action::StartIntegrationGuidance { guidance } = &t.action {
                let days = (guidance.until - t.occurred_on).whole_days();
                assert!((540..=731).contains(&days), "{days}");
            }
        }
    }
    // Linked cases point at each other.
    let linked: Vec<_> = cases()
        .filter(|c| !c.submission.linked_cases.is_empty())
        .collect();
    assert!(!linked.is_empty());
    for c in &linked {
        for other in &c.submission.linked_cases {
            let o = cases()
                .find(|x| &x.submission.case_number == other)
                .unwrap();
            assert!(
                o.submission
                    .linked_cases
                    .contains(&c.submission.case_number)
            );
        }
    }
}

#[test]
fn the_lebanon_cases_of_late_2023_were_brought_forward() {
    let brought_forward = caseload()
        .iter()
        .filter(|c| c.case.submission.host_country.as_str() == "LBN")
        .flat_map(|c| &c.history)
        .filter(|t| t.action == Action::Depart && t.reason.is_some())
        .count();
    assert!(brought_forward > 0);
}

#[test]
fn the_same_seed_gives_the_same_caseload_and_another_seed_another() {
    fn fingerprint(cases: &[NewCase]) -> Vec<String> {
        cases
            .iter()
            .map(|c| {
                let names: Vec<_> = c
                    .case
                    .submission
                    .members
                    .iter()
                    .map(|m| format!("{} {} {}", m.given_name, m.family_name, m.id))
                    .collect();
                format!(
                    "{} {} {} {:?} {:?} {} {:?}",
                    c.case.id,
                    c.case.submission.case_number,
                    c.case.state,
                    c.case.selected_on,
                    c.case.arrived_on,
                    c.case.submission.submitted_on,
                    names
                )
            })
            .collect()
    }
    let again = generate(2026, &ctx()).unwrap();
    assert_eq!(fingerprint(caseload()), fingerprint(&again));
    assert_eq!(caseload(), again.as_slice());
    let other = generate(7, &ctx()).unwrap();
    assert_ne!(fingerprint(caseload()), fingerprint(&other));
}

#[test]
fn other_seeds_keep_the_letters_figures() {
    for seed in [1, 42, 99_999] {
        let cases = generate(seed, &ctx()).unwrap();
        let by_year: Vec<usize> = (2020..=2023)
            .map(|y| {
                cases
                    .iter()
                    .map(|c| &c.case)
                    .filter(|c| c.submission.programme == Programme::NationalQuota)
                    .filter(|c| c.arrived_on.is_some_and(|a| a.year() == y))
                    .map(Case::persons)
                    .sum()
            })
            .collect();
        assert_eq!(by_year, [300, 90, 730, 800], "seed {seed}");
    }
}

#[test]
fn a_now_before_the_last_event_is_refused() {
    let mut early = ctx();
    early.recorded_at = datetime!(2026 - 06 - 29 23:00 UTC);
    assert_eq!(
        generate(1, &early),
        Err(DemoError::TooEarly {
            now: date!(2026 - 06 - 29),
            needed: LAST_EVENT_ON
        })
    );
    early.recorded_at = datetime!(2026 - 06 - 30 00:00 UTC);
    assert!(generate(1, &early).is_ok());
}

#[test]
fn an_empty_actor_is_a_domain_error() {
    let mut anonymous = ctx();
    anonymous.actor = " ".into();
    assert!(matches!(
        generate(1, &anonymous),
        Err(DemoError::Domain { .. })
    ));
}
