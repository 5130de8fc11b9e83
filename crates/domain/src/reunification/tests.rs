use super::*;
use crate::access::Role;
use crate::ledger::{eu, frameworks, groups_from_cases};
use crate::lifecycle::Housing;
use crate::policy::{EuProgramme, Framework, FrameworkKind, POLICY_FORMAT, Pledge};
use crate::sample;
use proptest::prelude::*;
use time::macros::{date, datetime};

fn ctx(on: Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2026-12-01 12:00 UTC),
        actor: "ind.officer".into(),
        reason: None,
    }
}

fn because(on: Date, reason: &str) -> Context {
    Context {
        reason: Some(reason.into()),
        ..ctx(on)
    }
}

fn terms(from: Date, until: Option<Date>, window: u32) -> ReunificationTerms {
    ReunificationTerms {
        valid_from: from,
        valid_until: until,
        application_window_months: window,
        decision_term_days: 90,
        decision_extension_days: 90,
        travel_after_grant_days: 60,
        source: "test".into(),
    }
}

/// Two frameworks (2024, 2025), an EU programme over both, and terms whose
/// window changes from three to six months on 2025-07-01.
fn policy() -> PolicySet {
    let fw = |id: &str, start, end| Framework {
        id: id.into(),
        name: id.into(),
        name_en: None,
        kind: FrameworkKind::OneYear,
        start,
        end,
        commitment: 500,
        deductions: vec![],
    };
    PolicySet {
        format: POLICY_FORMAT.into(),
        frameworks: vec![
            fw("2024", date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
            fw("2025", date!(2025 - 01 - 01), date!(2025 - 12 - 31)),
        ],
        quota_changes: vec![],
        suspensions: vec![],
        eu_programmes: vec![EuProgramme {
            id: "eu".into(),
            name: "eu".into(),
            name_en: None,
            start: date!(2024 - 01 - 01),
            end: date!(2025 - 12 - 31),
            pledges: vec![Pledge {
                programme: Programme::NationalQuota,
                places: 100,
                note: String::new(),
                note_en: None,
            }],
            funding: vec![],
        }],
        allocation_plans: vec![],
        family_reunification: vec![
            terms(date!(2014 - 01 - 01), Some(date!(2025 - 06 - 30)), 3),
            terms(date!(2025 - 07 - 01), None, 6),
        ],
    }
}

/// A resettlement case of three selected in 2024 and housed in Utrecht in 2024.
fn sponsor() -> Case {
    let on = date!(2024 - 03 - 01);
    let s = sample::submission("LBN-24C00001", 3, on).unwrap();
    let mut c = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
    let mut day = on;
    for kind in sample::path_to(CaseState::Housed) {
        day = day.next_day().unwrap();
        c.apply(sample::action(kind, day), &ctx(day)).unwrap();
    }
    assert!(matches!(c.case.housing, Some(Housing::Municipality { .. })));
    c.case
}

fn relative(name: &str, relationship: Relationship) -> NewRelative {
    NewRelative {
        given_name: name.into(),
        family_name: "Testfamily".into(),
        date_of_birth: date!(1990 - 05 - 01),
        sex: Sex::Male,
        nationality: Nationality::parse("SYR").unwrap(),
        relationship,
    }
}

fn applied(sponsor: &Case, permit: Date, on: Date) -> Application {
    let new = NewApplication {
        sponsor_case_id: sponsor.id,
        permit_issued_on: permit,
        applied_on: on,
        relatives: vec![
            relative("Husband", Relationship::Spouse),
            relative("Son", Relationship::Child),
        ],
    };
    Application::apply(ApplicationId::generate(), &new, sponsor, &ctx(on))
        .unwrap()
        .0
}

#[test]
fn a_late_application_is_flagged_by_the_window_in_force_on_its_day_and_not_refused() {
    let p = policy();
    let s = sponsor();
    // Three months after 2025-01-10 end on 2025-04-10.
    let on_time = applied(&s, date!(2025 - 01 - 10), date!(2025 - 04 - 10));
    assert_eq!(on_time.late(&p), Some(false));
    let late = applied(&s, date!(2025 - 01 - 10), date!(2025 - 04 - 11));
    assert_eq!(late.late(&p), Some(true), "one day after the window");
    assert_eq!(
        late.version, 1,
        "a late application is registered all the same"
    );
    // From 2025-07-01 the window is six months (policy data, not a constant).
    let under_new_terms = applied(&s, date!(2025 - 03 - 01), date!(2025 - 08 - 15));
    assert_eq!(under_new_terms.late(&p), Some(false));
    assert_eq!(under_new_terms.window_ends(&p), Some(date!(2025 - 09 - 01)));
    let mut none = p.clone();
    none.family_reunification.clear();
    assert_eq!(late.late(&none), None, "no terms, no verdict");
    let norms = late.norms(&p, date!(2025 - 04 - 20), 14);
    let window = norms
        .iter()
        .find(|n| n.norm == ReunificationNorm::ApplicationWindow)
        .unwrap();
    assert_eq!((window.status, window.days_left), (NormStatus::Missed, -1));
}

#[test]
fn only_an_arrived_resettlement_case_can_sponsor() {
    let s = sponsor();
    let new = NewApplication {
        sponsor_case_id: s.id,
        permit_issued_on: date!(2025 - 01 - 10),
        applied_on: date!(2025 - 02 - 01),
        relatives: vec![relative("Husband", Relationship::Spouse)],
    };
    let mut not_arrived = s.clone();
    not_arrived.arrived_on = None;
    assert!(matches!(
        Application::apply(
            ApplicationId::generate(),
            &new,
            &not_arrived,
            &ctx(new.applied_on)
        ),
        Err(ReunificationError::SponsorNotArrived(_))
    ));
    let mut joined = s.clone();
    joined.submission.family_reunification_of = Some(s.submission.case_number.clone());
    assert!(matches!(
        Application::apply(
            ApplicationId::generate(),
            &new,
            &joined,
            &ctx(new.applied_on)
        ),
        Err(ReunificationError::SponsorIsReunification(_))
    ));
    let before = NewApplication {
        applied_on: date!(2025 - 01 - 01),
        ..new.clone()
    };
    assert!(matches!(
        Application::apply(
            ApplicationId::generate(),
            &before,
            &s,
            &ctx(before.applied_on)
        ),
        Err(ReunificationError::AppliedBeforePermit { .. })
    ));
    let nobody = NewApplication {
        relatives: vec![],
        ..new.clone()
    };
    assert_eq!(
        Application::apply(
            ApplicationId::generate(),
            &nobody,
            &s,
            &ctx(nobody.applied_on)
        ),
        Err(ReunificationError::NoRelatives)
    );
}

#[test]
fn a_relative_goes_from_application_to_arrival_and_counts_in_the_arrival_days_framework_not_the_eu()
{
    let p = policy();
    let s = sponsor();
    let mut a = applied(&s, date!(2024 - 11 - 01), date!(2024 - 12 - 01));
    let step = |a: &mut Application, change, on| a.change(change, &p, &ctx(on)).unwrap();
    step(
        &mut a,
        ApplicationChange::RecordEvidence {
            relative: 0,
            kind: EvidenceKind::Documents,
            note: "marriage certificate".into(),
        },
        date!(2024 - 12 - 10),
    );
    assert_eq!(a.relatives[0].status, RelativeStatus::Evidence);
    step(
        &mut a,
        ApplicationChange::Interview { relative: 0 },
        date!(2024 - 12 - 20),
    );
    // A grant without evidence is refused.
    assert_eq!(
        a.change(
            ApplicationChange::Decide {
                relative: 1,
                decision: DecisionKind::Grant,
                grounds: vec![]
            },
            &p,
            &ctx(date!(2024 - 12 - 28))
        ),
        Err(ReunificationError::GrantNeedsEvidence)
    );
    step(
        &mut a,
        ApplicationChange::Decide {
            relative: 0,
            decision: DecisionKind::Grant,
            grounds: vec![],
        },
        date!(2024 - 12 - 30),
    );
    // Travel after the grant; arrival in 2025, a year after the grant's framework.
    step(
        &mut a,
        ApplicationChange::ArrangeTravel {
            relative: 0,
            visa_issued_on: date!(2025 - 01 - 05),
            departs_on: date!(2025 - 01 - 20),
            booking_reference: "IOM-77".into(),
        },
        date!(2025 - 01 - 05),
    );
    assert_eq!(a.relatives[0].status, RelativeStatus::Travel);
    assert!(matches!(
        a.change(
            ApplicationChange::Arrive {
                relative: 0,
                permit_valid_until: date!(2030 - 01 - 19)
            },
            &p,
            &ctx(date!(2025 - 01 - 19))
        ),
        Err(ReunificationError::ArrivesBeforeDeparture { .. })
    ));
    step(
        &mut a,
        ApplicationChange::Arrive {
            relative: 0,
            permit_valid_until: date!(2030 - 01 - 21),
        },
        date!(2025 - 01 - 21),
    );
    assert_eq!(a.relatives[0].status, RelativeStatus::Arrived);
    assert_eq!(a.version, 6);
    let number = arrival_case_number("LBN", 2025, 1).unwrap();
    let arrived = a
        .arrival_case(
            0,
            &s,
            CaseId::generate(),
            number.clone(),
            date!(2030 - 01 - 21),
            &ctx(date!(2025 - 01 - 21)),
        )
        .unwrap();
    assert_eq!(arrived.case.state, CaseState::Arrived);
    assert_eq!(
        arrived.case.submission.family_reunification_of,
        Some(s.submission.case_number.clone())
    );
    assert_eq!(arrived.case.arrived_on, Some(date!(2025 - 01 - 21)));
    assert_eq!(
        arrived.case.assigned_municipality.as_deref(),
        s.municipality(),
        "the relative joins the sponsor's household"
    );
    assert_eq!(arrived.case.persons(), 1);
    // The ledger: the relative counts in 2025 (arrival), the sponsor's three in 2024.
    let groups = groups_from_cases([&s, &arrived.case]);
    let report = frameworks(&p, &groups);
    let line = |id: &str| report.frameworks.iter().find(|f| f.id == id).unwrap();
    assert_eq!(line("2024").attributed, 3);
    assert_eq!(line("2025").attributed, 1);
    assert_eq!(line("2025").years[0].family_reunification_arrivals, 1);
    let eu = eu(&p, &groups);
    assert_eq!(eu.programmes[0].realised_total, 3, "never in the EU count");
    assert_eq!(eu.programmes[0].family_reunification_excluded, 1);
    // Travel norm met: arrived 22 days after the grant, within 60.
    let travel = a
        .norms(&p, date!(2025 - 02 - 01), 14)
        .into_iter()
        .find(|n| n.norm == ReunificationNorm::TravelAfterGrant)
        .unwrap();
    assert_eq!((travel.relative, travel.status), (Some(0), NormStatus::Met));
}

#[test]
fn a_rejection_needs_grounds_and_a_motivation_and_keeps_them() {
    let p = policy();
    let s = sponsor();
    let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    let reject = |grounds: Vec<ReunificationGround>| ApplicationChange::Decide {
        relative: 1,
        decision: DecisionKind::Reject,
        grounds,
    };
    let on = date!(2025 - 03 - 01);
    assert_eq!(
        a.change(reject(vec![]), &p, &because(on, "no proof")),
        Err(ReunificationError::RejectionNeedsGround)
    );
    assert_eq!(
        a.change(
            reject(vec![ReunificationGround::FamilyTiesNotEstablished]),
            &p,
            &ctx(on)
        ),
        Err(ReunificationError::DecisionNeedsMotivation)
    );
    assert_eq!(a.version, 1, "refused changes change nothing");
    a.change(
        reject(vec![ReunificationGround::FamilyTiesNotEstablished]),
        &p,
        &because(on, "DNA test declined, no documents"),
    )
    .unwrap();
    let r = &a.relatives[1];
    assert_eq!(r.status, RelativeStatus::Rejected);
    assert_eq!(
        r.grounds,
        vec![ReunificationGround::FamilyTiesNotEstablished]
    );
    assert_eq!(
        r.motivation.as_deref(),
        Some("DNA test declined, no documents")
    );
    assert_eq!(r.decided_on, Some(on));
    // A rejected relative does not travel.
    assert!(matches!(
        a.change(
            ApplicationChange::ArrangeTravel {
                relative: 1,
                visa_issued_on: on,
                departs_on: on,
                booking_reference: "x".into()
            },
            &p,
            &ctx(on)
        ),
        Err(ReunificationError::NotAllowed {
            status: RelativeStatus::Rejected,
            ..
        })
    ));
}

/// Records documents for `relative` and grants them on `on`.
fn grant(a: &mut Application, p: &PolicySet, relative: usize, on: Date) {
    let evidence = ApplicationChange::RecordEvidence {
        relative,
        kind: EvidenceKind::Documents,
        note: String::new(),
    };
    a.change(evidence, p, &ctx(on)).unwrap();
    let decision = ApplicationChange::Decide {
        relative,
        decision: DecisionKind::Grant,
        grounds: vec![],
    };
    a.change(decision, p, &ctx(on)).unwrap();
}

#[test]
fn a_municipality_sees_names_of_granted_relatives_only_and_no_grounds() {
    let p = policy();
    let s = sponsor();
    let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    let on = date!(2025 - 03 - 01);
    let decide = |relative, decision, grounds| ApplicationChange::Decide {
        relative,
        decision,
        grounds,
    };
    grant(&mut a, &p, 0, on);
    a.change(
        decide(
            1,
            DecisionKind::Reject,
            vec![ReunificationGround::FamilyTiesNotEstablished],
        ),
        &p,
        &because(on, "no documents"),
    )
    .unwrap();
    assert_eq!(a.clone().seen_by(Role::IndOfficer), a, "the IND sees all");
    // COA knows who they are, not why the IND refused.
    let coa = a.clone().seen_by(Role::CoaOfficer);
    assert_eq!(coa.relatives[1].given_name, "Son");
    assert!(coa.relatives[1].grounds.is_empty() && coa.relatives[1].motivation.is_none());
    assert!(coa.relatives[0].evidence.iter().all(|e| e.note.is_empty()));
    assert!(
        !coa.relatives[0].evidence.is_empty(),
        "COA sees that evidence was recorded"
    );
    let seen = a.clone().seen_by(Role::MunicipalityOfficer);
    let (granted, rejected) = (&seen.relatives[0], &seen.relatives[1]);
    assert_eq!(granted.given_name, "Husband");
    assert!(!granted.identity_withheld);
    assert_eq!(rejected.given_name, "");
    assert_eq!(rejected.family_name, "");
    assert!(rejected.identity_withheld);
    assert_eq!(rejected.status, RelativeStatus::Rejected);
    assert!(rejected.grounds.is_empty() && rejected.motivation.is_none());
    let json = serde_json::to_string(&seen).unwrap();
    assert!(!json.contains("Son") && !json.contains("no documents"));
}

#[test]
fn a_relative_in_an_open_application_is_not_applied_for_again() {
    let p = policy();
    let s = sponsor();
    let mut first = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    let again = NewApplication {
        sponsor_case_id: s.id,
        permit_issued_on: date!(2025 - 01 - 10),
        applied_on: date!(2025 - 03 - 01),
        relatives: vec![relative(" son ", Relationship::Child)],
    };
    assert_eq!(
        Application::not_applied_before(&again, std::slice::from_ref(&first)),
        Err(ReunificationError::AlreadyApplied(0, first.id))
    );
    // A date of birth typed differently does not make another person.
    let retyped = NewApplication {
        relatives: vec![NewRelative {
            date_of_birth: date!(1991 - 05 - 01),
            ..relative("Son", Relationship::Child)
        }],
        ..again.clone()
    };
    assert!(Application::not_applied_before(&retyped, std::slice::from_ref(&first)).is_err());
    // Once refused, a new application for the same relative may be made.
    let reject = ApplicationChange::Decide {
        relative: 1,
        decision: DecisionKind::Reject,
        grounds: vec![ReunificationGround::FamilyTiesNotEstablished],
    };
    first
        .change(reject, &p, &because(date!(2025 - 02 - 20), "no ties"))
        .unwrap();
    assert_eq!(Application::not_applied_before(&again, &[first]), Ok(()));
    // Another sponsor's application is not this one's.
    let other = applied(&sponsor(), date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    assert_eq!(Application::not_applied_before(&again, &[other]), Ok(()));
}

#[test]
fn a_change_s_free_texts_are_bounded_and_read_as_stored() {
    let p = policy();
    let s = sponsor();
    let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    let on = date!(2025 - 03 - 01);
    let note = |note: &str| ApplicationChange::RecordEvidence {
        relative: 0,
        kind: EvidenceKind::Documents,
        note: note.into(),
    };
    for (change, ctx, field) in [
        (note(&"x".repeat(1001)), ctx(on), "note"),
        (note("a\u{202e}b"), ctx(on), "note"),
        (note("ok"), because(on, "bell\u{7}"), "reason"),
    ] {
        let e = a.change(change, &p, &ctx).unwrap_err();
        assert_eq!(e.problem().field, field, "{e}");
    }
    assert_eq!(a.version, 1, "nothing recorded");
    a.change(note("passport copy"), &p, &ctx(on)).unwrap();
}

#[test]
fn a_permit_before_the_family_arrived_is_refused() {
    let s = sponsor();
    let arrived = s.arrived_on.unwrap();
    let new = NewApplication {
        sponsor_case_id: s.id,
        permit_issued_on: arrived.previous_day().unwrap(),
        applied_on: arrived,
        relatives: vec![relative("Son", Relationship::Child)],
    };
    let e = Application::apply(ApplicationId::generate(), &new, &s, &ctx(arrived)).unwrap_err();
    assert!(
        matches!(e, ReunificationError::PermitBeforeArrival { .. }),
        "{e}"
    );
    assert_eq!(e.problem().field, "permitIssuedOn");
}

#[test]
fn open_applications_are_counted_by_where_their_relatives_stand() {
    let p = policy();
    let s = sponsor();
    let on = date!(2025 - 03 - 01);
    let decide = |relative, decision| ApplicationChange::Decide {
        relative,
        decision,
        grounds: vec![ReunificationGround::FamilyTiesNotEstablished],
    };
    // One relative granted, one waiting; applied within the window.
    let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    grant(&mut a, &p, 0, on);
    // Applied a year after the permit: late, nobody decided.
    let b = applied(&s, date!(2024 - 03 - 10), date!(2025 - 02 - 01));
    // Both refused: closed, not counted.
    let mut c = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    for i in 0..2 {
        c.change(decide(i, DecisionKind::Reject), &p, &because(on, "no ties"))
            .unwrap();
    }
    let apps = [a, b, c];
    let early = pending_applications(&apps, &p, date!(2025 - 03 - 02));
    assert_eq!(
        early,
        PendingApplications {
            applications: 2,
            awaiting_decision: 3,
            granted: 1,
            travelling: 0,
            late: 1,
            overdue_norms: 0,
        }
    );
    // Months later: a's and b's decision terms and a's travel after grant have passed.
    let late = pending_applications(&apps, &p, date!(2025 - 12 - 01));
    assert_eq!(late.overdue_norms, 3, "{late:?}");
    assert_eq!(
        pending_applications(&[], &p, on),
        PendingApplications::default()
    );
}

#[test]
fn the_decision_term_comes_from_policy_is_extended_once_within_its_limit_and_is_checked() {
    let p = policy();
    let s = sponsor();
    let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
    assert_eq!(a.decision_due(&p), Some(date!(2025 - 05 - 02)));
    let term = |a: &Application, today| {
        a.norms(&p, today, 14)
            .into_iter()
            .find(|n| n.norm == ReunificationNorm::DecisionTerm)
            .unwrap()
    };
    assert_eq!(term(&a, date!(2025 - 03 - 01)).status, NormStatus::OnTrack);
    assert_eq!(term(&a, date!(2025 - 04 - 25)).status, NormStatus::AtRisk);
    assert_eq!(term(&a, date!(2025 - 05 - 03)).status, NormStatus::Overdue);
    let on = date!(2025 - 04 - 20);
    assert_eq!(
        a.change(
            ApplicationChange::ExtendDecisionTerm { days: 91 },
            &p,
            &ctx(on)
        ),
        Err(ReunificationError::Extension { max: 90 })
    );
    a.change(
        ApplicationChange::ExtendDecisionTerm { days: 90 },
        &p,
        &ctx(on),
    )
    .unwrap();
    assert_eq!(a.decision_due(&p), Some(date!(2025 - 07 - 31)));
    assert_eq!(term(&a, date!(2025 - 05 - 03)).status, NormStatus::OnTrack);
    assert!(
        a.change(
            ApplicationChange::ExtendDecisionTerm { days: 10 },
            &p,
            &ctx(on)
        )
        .is_err(),
        "once"
    );
    let mut longer = p.clone();
    longer.family_reunification[0].decision_term_days = 180;
    assert_eq!(a.decision_due(&longer), Some(date!(2025 - 10 - 29)));
}

#[test]
fn policy_terms_are_validated() {
    let mut p = policy();
    assert_eq!(p.validate(), Ok(()));
    p.family_reunification[1].valid_from = date!(2025 - 06 - 30);
    p.family_reunification[0].decision_term_days = 0;
    let problems = p.validate().unwrap_err();
    let rules: Vec<_> = problems.iter().map(|f| f.rule).collect();
    assert!(
        rules.contains(&crate::rule::Rule::ReunificationTermsOverlap),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|f| f.field == "familyReunification[0].decisionTermDays"),
        "{problems:?}"
    );
    let nl: PolicySet =
        serde_json::from_str(include_str!("../../../../docs/policy-nl.json")).unwrap();
    assert_eq!(nl.validate(), Ok(()));
    let t = nl.reunification_terms_on(date!(2025 - 01 - 01)).unwrap();
    assert_eq!((t.application_window_months, t.decision_term_days), (3, 90));
}

#[test]
fn a_legacy_reunification_case_becomes_an_application_in_the_state_it_reached() {
    let s = sponsor();
    let on = date!(2025 - 02 - 01);
    let mut sub = sample::submission("LBN-25C00002", 2, on).unwrap();
    sub.family_reunification_of = Some(s.submission.case_number.clone());
    let mut c = Case::submit(CaseId::generate(), sub, &ctx(on)).unwrap();
    let mut day = on;
    for kind in sample::path_to(CaseState::Arrived) {
        day = day.next_day().unwrap();
        c.apply(sample::action(kind, day), &ctx(day)).unwrap();
    }
    let sponsor = Sponsor::of(&s).unwrap();
    let a = Application::from_case(ApplicationId::generate(), &c.case, &sponsor);
    let events = [a.imported_event(&c.case, "import")];
    assert_eq!(a.relatives.len(), 2);
    assert!(
        a.relatives
            .iter()
            .all(|r| r.status == RelativeStatus::Arrived
                && r.arrived_on == c.case.arrived_on
                && r.arrival_case.as_ref() == Some(&c.case.submission.case_number))
    );
    assert_eq!(a.sponsor_case_number, s.submission.case_number);
    assert!(
        events[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("LBN-25C00002")
    );
    let waiting = Case::submit(CaseId::generate(), c.case.submission.clone(), &ctx(on)).unwrap();
    let w = Application::from_case(ApplicationId::generate(), &waiting.case, &sponsor);
    assert!(w.pending());
    assert!(w.relatives.iter().all(|r| r.arrival_case.is_none()));
    // Its own principal applicant is not the sponsor's principal applicant.
    assert!(
        w.relatives
            .iter()
            .all(|r| r.relationship != Relationship::PrincipalApplicant)
    );
}

#[test]
fn arrival_case_numbers_are_valid_and_distinct() {
    let a = arrival_case_number("SYR", 2025, 0).unwrap();
    assert_eq!(a.as_str(), "SYR-25C900000");
    assert_eq!(
        arrival_case_number("SYR", 2025, 99_999).unwrap().as_str(),
        "SYR-25C999999"
    );
    assert_eq!(arrival_case_number("SYR", 2025, 100_000), None);
}

fn any_change() -> impl Strategy<Value = ApplicationChange> {
    let rel = 0usize..3;
    prop_oneof![
        (rel.clone(), 0usize..3).prop_map(|(relative, k)| ApplicationChange::RecordEvidence {
            relative,
            kind: EvidenceKind::ALL[k],
            note: String::new()
        }),
        rel.clone()
            .prop_map(|relative| ApplicationChange::Interview { relative }),
        (rel.clone(), 0usize..3, any::<bool>()).prop_map(|(relative, d, g)| {
            ApplicationChange::Decide {
                relative,
                decision: DecisionKind::ALL[d],
                grounds: if g {
                    vec![ReunificationGround::Other]
                } else {
                    vec![]
                },
            }
        }),
        (0u32..120).prop_map(|days| ApplicationChange::ExtendDecisionTerm { days }),
        (rel.clone(), 0i64..20).prop_map(|(relative, d)| ApplicationChange::ArrangeTravel {
            relative,
            visa_issued_on: date!(2025 - 06 - 01),
            departs_on: date!(2025 - 06 - 01) + Duration::days(d),
            booking_reference: "B".into()
        }),
        rel.prop_map(|relative| ApplicationChange::Arrive {
            relative,
            permit_valid_until: date!(2031 - 01 - 01)
        }),
    ]
}

proptest! {
    /// Whatever officers try, a relative only moves forward: a decided
    /// relative is never undecided again, an arrival stays an arrival, a
    /// refused change changes nothing, an accepted one adds one version.
    #[test]
    fn relatives_only_move_forward(changes in prop::collection::vec((any_change(), 0i64..60, any::<bool>()), 0..40)) {
        let p = policy();
        let s = sponsor();
        let mut a = applied(&s, date!(2025 - 01 - 10), date!(2025 - 02 - 01));
        let mut day = date!(2025 - 02 - 01);
        let rank = |st: RelativeStatus| match st {
            RelativeStatus::Applied => 0,
            RelativeStatus::Evidence | RelativeStatus::Interview => 1,
            RelativeStatus::Granted => 2,
            RelativeStatus::Rejected | RelativeStatus::Withdrawn => 9,
            RelativeStatus::Travel => 3,
            RelativeStatus::Arrived => 4,
        };
        for (change, later, motivated) in changes {
            day = day.saturating_add(Duration::days(later));
            let before = a.clone();
            let c = if motivated { because(day, "motivated") } else { ctx(day) };
            match a.change(change, &p, &c) {
                Ok(e) => {
                    prop_assert_eq!(a.version, before.version + 1);
                    prop_assert_eq!(e.seq, a.version);
                    for (x, y) in before.relatives.iter().zip(&a.relatives) {
                        prop_assert!(rank(y.status) >= rank(x.status), "{:?} -> {:?}", x.status, y.status);
                        if rank(x.status) == 9 || x.status == RelativeStatus::Arrived {
                            prop_assert_eq!(x, y);
                        }
                        if y.status == RelativeStatus::Rejected {
                            prop_assert!(!y.grounds.is_empty() && y.motivation.is_some());
                        }
                    }
                }
                Err(_) => prop_assert_eq!(&a, &before),
            }
        }
    }
}

#[test]
fn left_behind_needs_every_field_and_no_principal_applicant() {
    let r = RelativeLeftBehind {
        given_name: "Amal".into(),
        family_name: "Testfamily".into(),
        relationship: Relationship::Parent,
        whereabouts: "Beirut, Lebanon".into(),
        reason_stays: "cares for a sick relative".into(),
        expected_to_apply: true,
    };
    assert_eq!(validate_left_behind(std::slice::from_ref(&r)), Ok(()));
    let blank = RelativeLeftBehind {
        whereabouts: " ".into(),
        ..r.clone()
    };
    assert!(
        validate_left_behind(&[r.clone(), blank])
            .unwrap_err()
            .to_string()
            .starts_with("relatives[1].whereabouts")
    );
    // Too long, a control character, a direction override: each named.
    for (bad, field) in [
        (
            RelativeLeftBehind {
                given_name: "A".repeat(101),
                ..r.clone()
            },
            "relatives[0].givenName",
        ),
        (
            RelativeLeftBehind {
                whereabouts: "Cairo\u{7}".into(),
                ..r.clone()
            },
            "relatives[0].whereabouts",
        ),
        (
            RelativeLeftBehind {
                family_name: "Zq\u{202e}live".into(),
                ..r.clone()
            },
            "relatives[0].familyName",
        ),
    ] {
        let e = validate_left_behind(&[bad]).unwrap_err();
        assert_eq!(e.problem().field, field, "{e}");
        assert_eq!(e.problem().rule, crate::rule::Rule::TextBounded);
    }
    let pa = RelativeLeftBehind {
        relationship: Relationship::PrincipalApplicant,
        ..r
    };
    assert!(validate_left_behind(&[pa]).is_err());
}
