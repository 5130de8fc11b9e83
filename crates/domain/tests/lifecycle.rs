//! Every lifecycle transition, legal and illegal, and properties of histories.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use resettle_domain::sample;
use resettle_domain::{ActionKind, Case, CaseId, CaseState, Context, NewCase, TransitionError};
use time::macros::{date, datetime};
use time::{Date, Duration};

const SUBMITTED: Date = date!(2025 - 01 - 06);

fn ctx(on: Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        reason: Some("test".into()),
    }
}

fn new_case() -> NewCase {
    let s = sample::submission("LBN-25C00001", 3, SUBMITTED).unwrap();
    Case::submit(CaseId::generate(), s, &ctx(SUBMITTED)).unwrap()
}

/// A case brought to `state` along the shortest path, one day per step.
fn case_in(state: CaseState) -> NewCase {
    let mut c = new_case();
    for (i, kind) in sample::path_to(state).into_iter().enumerate() {
        let on = SUBMITTED + Duration::days(i as i64 + 1);
        c.apply(sample::action(kind, on), &ctx(on)).unwrap();
    }
    assert_eq!(c.case.state, state);
    c
}

#[test]
fn every_action_from_every_state_is_allowed_exactly_as_declared() {
    let expected: &[(CaseState, &[ActionKind])] = {
        use ActionKind::*;
        use CaseState::*;
        &[
            (Submitted, &[StartAssessment, Withdraw]),
            (UnderAssessment, &[Accept, Reject, Withdraw]),
            // A housing assignment keeps the state; there is none to undo yet.
            (Accepted, &[Withdraw, StartPreDeparture, AssignHousing]),
            (Rejected, &[Close]),
            (Withdrawn, &[Close]),
            (PreDeparture, &[Withdraw, Depart, AssignHousing]),
            (Departed, &[Arrive, AssignHousing]),
            (Arrived, &[House, AssignHousing]),
            (Housed, &[House, StartIntegrationGuidance]),
            (IntegrationGuidance, &[Close]),
            (Closed, &[]),
        ]
    };
    assert_eq!(expected.len(), CaseState::ALL.len());
    for (state, allowed) in expected {
        for kind in ActionKind::ALL {
            let mut c = case_in(*state);
            let version = c.case.version;
            let on = date!(2025 - 06 - 01);
            let counted = (c.case.selected_on, c.case.arrived_on);
            let action = sample::action(*kind, on);
            let sets_counted_date = action.sets_counted_date();
            let result = c.apply(action, &ctx(on));
            if !sets_counted_date {
                assert_eq!(
                    (c.case.selected_on, c.case.arrived_on),
                    counted,
                    "{kind} from {state} must leave the counted dates alone"
                );
            }
            if allowed.contains(kind) {
                assert!(
                    result.is_ok(),
                    "{kind} from {state} should be allowed: {result:?}"
                );
                assert_eq!(c.case.state, kind.target_from(*state));
                assert_eq!(c.case.version, version + 1);
                let last = c.history.last().unwrap();
                assert_eq!(
                    (last.from, last.to, last.previous_version),
                    (Some(*state), kind.target_from(*state), version)
                );
            } else {
                match result {
                    Err(TransitionError::NotAllowed { from, .. }) => assert_eq!(from, *state),
                    Err(TransitionError::InvalidField {
                        rule: resettle_domain::FieldRule::NotAssigned,
                        ..
                    }) if *kind == ActionKind::CancelHousingAssignment => {}
                    other => panic!("{kind} from {state} should be refused, got {other:?}"),
                }
                assert_eq!(
                    c.case.state, *state,
                    "a refused action leaves the case unchanged"
                );
                assert_eq!(c.case.version, version);
            }
        }
    }
}

#[test]
fn refusal_names_the_states_the_action_is_allowed_from() {
    let mut c = new_case();
    let on = date!(2025 - 02 - 01);
    let err = c
        .apply(sample::action(ActionKind::Arrive, on), &ctx(on))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "'arrive' is not allowed from state 'submitted'; it is allowed from: departed"
    );
}

#[test]
fn events_cannot_be_dated_before_the_previous_one_or_in_the_future() {
    let mut c = case_in(CaseState::UnderAssessment);
    let early = SUBMITTED - Duration::days(1);
    assert!(matches!(
        c.apply(sample::action(ActionKind::Accept, early), &ctx(early)),
        Err(TransitionError::BeforePrevious { .. })
    ));
    let future = date!(2026 - 01 - 01);
    assert!(matches!(
        c.apply(sample::action(ActionKind::Accept, future), &ctx(future)),
        Err(TransitionError::InFuture { .. })
    ));
}

#[test]
fn actions_check_their_own_fields() {
    let on = date!(2025 - 06 - 01);
    let mut c = case_in(CaseState::UnderAssessment);
    let err = c
        .apply(
            resettle_domain::Action::Reject { grounds: vec![] },
            &ctx(on),
        )
        .unwrap_err();
    assert_eq!(err.field(), "grounds");

    let mut no_reason = ctx(on);
    no_reason.reason = None;
    let err = c
        .apply(resettle_domain::Action::Withdraw, &no_reason)
        .unwrap_err();
    assert_eq!(err.field(), "reason");

    let mut c = case_in(CaseState::Departed);
    let permit = resettle_domain::Permit { valid_until: on };
    let err = c
        .apply(resettle_domain::Action::Arrive { permit }, &ctx(on))
        .unwrap_err();
    assert_eq!(err.field(), "permit.validUntil");

    let mut c = case_in(CaseState::Arrived);
    let housing = resettle_domain::Housing::CoaReception {
        location: "Budel".into(),
        reason: " ".into(),
    };
    let err = c
        .apply(resettle_domain::Action::House { housing }, &ctx(on))
        .unwrap_err();
    assert_eq!(err.field(), "housing.reason");

    let mut anonymous = ctx(on);
    anonymous.actor = "  ".into();
    assert_eq!(
        c.apply(sample::action(ActionKind::House, on), &anonymous),
        Err(TransitionError::NoActor)
    );
}

#[test]
fn milestone_dates_are_kept_on_the_case() {
    let c = case_in(CaseState::Closed);
    assert_eq!(c.case.selected_on, Some(SUBMITTED + Duration::days(2)));
    assert_eq!(c.case.arrived_on, Some(SUBMITTED + Duration::days(5)));
    assert!(c.case.permit.is_some() && c.case.housing.is_some() && c.case.guidance.is_some());
    assert_eq!(c.history.len(), 9);
    assert_eq!(c.history[0].from, None);
    assert_eq!(
        c.history.iter().map(|t| t.seq).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
}

proptest! {
    /// Whatever officers try, in whatever order, the history explains the case:
    /// consecutive entries chain, versions count the entries, dates never go back.
    #[test]
    fn any_sequence_of_attempts_leaves_a_consistent_history(
        attempts in prop::collection::vec((0..ActionKind::ALL.len(), 0i64..40), 0..30)
    ) {
        let mut c = new_case();
        let mut day = SUBMITTED;
        for (k, step) in attempts {
            let on = day + Duration::days(step - 5);
            let counted = (c.case.selected_on, c.case.arrived_on);
            let action = sample::action(ActionKind::ALL[k], on);
            let sets_counted_date = action.sets_counted_date();
            if c.apply(action, &ctx(on)).is_ok() {
                day = on;
            }
            if !sets_counted_date {
                prop_assert_eq!((c.case.selected_on, c.case.arrived_on), counted);
            }
        }
        prop_assert_eq!(c.case.version as usize, c.history.len());
        for pair in c.history.windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from.unwrap());
            prop_assert!(pair[0].occurred_on <= pair[1].occurred_on);
            prop_assert_eq!(pair[0].previous_version + 1, pair[1].previous_version);
        }
        prop_assert_eq!(c.history.last().unwrap().to, c.case.state);
    }
}

/// Recorded at 00:30 on 1 January Dutch time (23:30 UTC on 31 December): the
/// arrival is dated 1 January and counts in the new year; an hour earlier it
/// would be dated in the future. The same across the change to summer time.
#[test]
fn the_day_of_an_action_is_the_dutch_date() {
    let at = |recorded_at, on| Context {
        occurred_on: on,
        recorded_at,
        actor: "officer.test".into(),
        reason: None,
    };
    let mut c = case_in(CaseState::Departed);
    let new_year = date!(2026 - 01 - 01);
    let before_midnight = at(datetime!(2025-12-31 22:30 UTC), new_year);
    assert!(matches!(
        c.apply(sample::action(ActionKind::Arrive, new_year), &before_midnight),
        Err(TransitionError::InFuture { today, .. }) if today == date!(2025 - 12 - 31)
    ));
    let night = at(datetime!(2025-12-31 23:30 UTC), new_year);
    assert_eq!(night.today(), new_year);
    c.apply(sample::action(ActionKind::Arrive, new_year), &night)
        .unwrap();
    assert_eq!(c.case.arrived_on, Some(new_year));
    assert_eq!(c.case.arrived_on.map(|d| d.year()), Some(2026));

    // 00:30 on 31 March 2025 in summer time is 22:30 UTC on 30 March.
    let mut c = case_in(CaseState::UnderAssessment);
    let on = date!(2025 - 03 - 31);
    assert!(matches!(
        c.apply(
            sample::action(ActionKind::Accept, on),
            &at(datetime!(2025-03-30 21:30 UTC), on)
        ),
        Err(TransitionError::InFuture { .. })
    ));
    c.apply(
        sample::action(ActionKind::Accept, on),
        &at(datetime!(2025-03-30 22:30 UTC), on),
    )
    .unwrap();
}
