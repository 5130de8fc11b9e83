//! The pipeline as it stands on the last event day: national-quota cases
//! submitted in 2025 in every lifecycle state (at least twice each), and a
//! few 2026 submissions still waiting or under assessment.
//!
//! The history periods already leave many 2025 cases arrived, housed or in
//! guidance; these cases make sure every state is shown regardless of the
//! seed. Each is planned backwards from the day of its last step, so the
//! state is where it stands on the last event day.

use crate::caseload::{Caseload, Selection};
use crate::dice::Dice;
use crate::family::years_after;
use crate::history::{Batch, EGYPT_2025};
use crate::journey::{Step, arrive, grounds, training};
use crate::{DemoError, places, reasons};
use resettle_domain::{
    Action, ActionKind, CaseState, Guidance, Housing, Programme, SubmissionPriority,
};
use time::macros::date;
use time::{Date, Duration};

/// UNHCR's submissions for the second Egypt group and the first mission of
/// the 2026-2027 Union plan, selected in 2026.
const EGYPT_PIPELINE: Batch = Batch {
    name: "Egypte, februari 2026",
    hosts: &[("EGY", 1)],
    nationalities: Some(EGYPT_2025),
    mission_on: Some(date!(2026 - 02 - 09)),
    select: (date!(2026 - 02 - 16), date!(2026 - 06 - 26)),
    arrive: (date!(2026 - 04 - 01), date!(2026 - 06 - 30)),
    share: 1,
    depart_reason: None,
};

/// Submissions of 2026 for the missions planned for the autumn.
const UNION_PLAN_2026: Batch = Batch {
    name: "Uniekader, september 2026",
    hosts: &[("LBN", 2), ("EGY", 2), ("KEN", 1), ("RWA", 1)],
    nationalities: None,
    mission_on: Some(date!(2026 - 09 - 14)),
    select: (date!(2026 - 09 - 21), date!(2026 - 10 - 30)),
    arrive: (date!(2026 - 11 - 02), date!(2027 - 03 - 31)),
    share: 1,
    depart_reason: None,
};

/// How many 2025 submissions stand in each state, and between which days
/// their last step falls.
const STATES_2025: &[(CaseState, usize, (Date, Date))] = &[
    (
        CaseState::Submitted,
        3,
        (date!(2025 - 10 - 01), date!(2025 - 12 - 19)),
    ),
    (
        CaseState::UnderAssessment,
        3,
        (date!(2026 - 01 - 12), date!(2026 - 06 - 19)),
    ),
    (
        CaseState::Accepted,
        3,
        (date!(2026 - 03 - 02), date!(2026 - 06 - 26)),
    ),
    (
        CaseState::Rejected,
        2,
        (date!(2025 - 11 - 03), date!(2026 - 06 - 19)),
    ),
    (
        CaseState::Withdrawn,
        2,
        (date!(2025 - 11 - 03), date!(2026 - 06 - 19)),
    ),
    (
        CaseState::PreDeparture,
        3,
        (date!(2026 - 04 - 13), date!(2026 - 06 - 26)),
    ),
    (
        CaseState::Departed,
        2,
        (date!(2026 - 06 - 29), date!(2026 - 06 - 30)),
    ),
    (
        CaseState::Arrived,
        2,
        (date!(2026 - 06 - 22), date!(2026 - 06 - 30)),
    ),
    (
        CaseState::Housed,
        2,
        (date!(2026 - 05 - 04), date!(2026 - 06 - 26)),
    ),
    (
        CaseState::IntegrationGuidance,
        2,
        (date!(2026 - 02 - 02), date!(2026 - 06 - 15)),
    ),
    (
        CaseState::Closed,
        2,
        (date!(2026 - 01 - 05), date!(2026 - 06 - 26)),
    ),
];

const STATES_2026: &[(CaseState, usize, (Date, Date))] = &[
    (
        CaseState::Submitted,
        4,
        (date!(2026 - 04 - 01), date!(2026 - 06 - 26)),
    ),
    (
        CaseState::UnderAssessment,
        4,
        (date!(2026 - 05 - 04), date!(2026 - 06 - 30)),
    ),
];

/// Adds the pipeline cases to the caseload.
pub(crate) fn add_pipeline(caseload: &mut Caseload<'_>) -> Result<(), DemoError> {
    let year_2025 = (date!(2025 - 01 - 02), date!(2025 - 12 - 19));
    for (state, count, last) in STATES_2025 {
        for _ in 0..*count {
            add_staged(caseload, &EGYPT_PIPELINE, *state, year_2025, *last)?;
        }
    }
    let year_2026 = (date!(2026 - 01 - 05), date!(2026 - 06 - 26));
    for (state, count, last) in STATES_2026 {
        for _ in 0..*count {
            add_staged(caseload, &UNION_PLAN_2026, *state, year_2026, *last)?;
        }
    }
    Ok(())
}

/// One case standing in `state`, submitted within `year`, its last step on a
/// day in `last` (for `submitted`, the day of submission itself).
fn add_staged(
    caseload: &mut Caseload<'_>,
    batch: &Batch,
    state: CaseState,
    year: (Date, Date),
    last: (Date, Date),
) -> Result<(), DemoError> {
    let kinds = path(state);
    let dice = &mut caseload.dice;
    let last_on = dice.date_between(last.0, last.1);
    // Walk back from the last step: each step lies a typical gap after the one before.
    let mut days = vec![last_on; kinds.len()];
    for i in (1..kinds.len()).rev() {
        let (fewest, most) = gap(kinds[i]);
        days[i - 1] = days[i] - Duration::days(dice.between(fewest, most));
    }
    let submitted = match (kinds.first(), days.first()) {
        (Some(kind), Some(first)) => {
            let (fewest, most) = gap(*kind);
            let lead = dice.date_between(year.0, year.1);
            lead.min(*first - Duration::days(dice.between(fewest, most)))
                .max(year.0)
                .min(*first)
        }
        _ => last_on,
    };
    if submitted < year.0 || submitted > year.1 {
        return Err(DemoError::plan(format!(
            "a {state} case would be submitted on {submitted}"
        )));
    }
    let mut steps = Vec::with_capacity(kinds.len());
    for (kind, on) in kinds.iter().zip(days) {
        steps.push(step(dice, *kind, on, state)?);
    }
    let selection = Selection {
        programme: Programme::NationalQuota,
        batch,
        priority: SubmissionPriority::Normal,
    };
    let (host, nationality) = caseload.origin(batch)?;
    let draft = caseload.draft(selection, host, nationality, submitted, steps)?;
    caseload.submit_in(draft, batch)
}

/// The actions from submission to `state`. Withdrawn cases were accepted
/// first; closed cases were refused.
fn path(state: CaseState) -> &'static [ActionKind] {
    use ActionKind::*;
    const ARRIVING: &[ActionKind] = &[
        StartAssessment,
        Accept,
        StartPreDeparture,
        Depart,
        Arrive,
        House,
        StartIntegrationGuidance,
    ];
    match state {
        CaseState::Submitted => &[],
        CaseState::UnderAssessment => &ARRIVING[..1],
        CaseState::Accepted => &ARRIVING[..2],
        CaseState::PreDeparture => &ARRIVING[..3],
        CaseState::Departed => &ARRIVING[..4],
        CaseState::Arrived => &ARRIVING[..5],
        CaseState::Housed => &ARRIVING[..6],
        CaseState::IntegrationGuidance => ARRIVING,
        CaseState::Rejected => &[StartAssessment, Reject],
        CaseState::Withdrawn => &[StartAssessment, Accept, Withdraw],
        CaseState::Closed => &[StartAssessment, Reject, Close],
    }
}

/// Fewest and most days between the step before and a step of `kind`.
fn gap(kind: ActionKind) -> (i64, i64) {
    match kind {
        ActionKind::Submit => (0, 0),
        ActionKind::StartAssessment => (20, 75),
        ActionKind::Accept | ActionKind::Reject => (20, 60),
        ActionKind::Withdraw => (10, 60),
        ActionKind::StartPreDeparture => (14, 40),
        ActionKind::Depart => (20, 80),
        ActionKind::Arrive => (0, 1),
        ActionKind::House => (0, 3),
        ActionKind::StartIntegrationGuidance => (7, 30),
        ActionKind::Close => (30, 120),
        ActionKind::AssignHousing | ActionKind::CancelHousingAssignment => (0, 0),
    }
}

/// The step of `kind` on `on` for a case that will stand in `state`. A
/// housed case waits in a COA location for a dwelling.
fn step(dice: &mut Dice, kind: ActionKind, on: Date, state: CaseState) -> Result<Step, DemoError> {
    Ok(match kind {
        ActionKind::Submit => return Err(DemoError::plan("submission is not a step")),
        ActionKind::StartAssessment => Step::new(on, Action::StartAssessment),
        ActionKind::Accept => Step::new(on, Action::accept()),
        ActionKind::Reject => {
            let grounds = grounds(dice)?;
            let motivation = reasons::refusal_motivation(&grounds);
            Step::new(on, Action::Reject { grounds }).because(Some(motivation))
        }
        // Placement happens on the placement page, not in the staged caseload.
        ActionKind::AssignHousing | ActionKind::CancelHousingAssignment => {
            return Err(DemoError::plan("housing assignments are not staged"));
        }
        ActionKind::Withdraw => {
            Step::new(on, Action::Withdraw).because(Some(dice.pick(reasons::WITHDRAWALS)?))
        }
        ActionKind::StartPreDeparture => {
            let (training, reason) = training(dice, on, SubmissionPriority::Normal);
            Step::new(on, Action::StartPreDeparture { training }).because(reason)
        }
        ActionKind::Depart => Step::new(on, Action::Depart),
        ActionKind::Arrive => Step::new(on, arrive(on)),
        ActionKind::House if state == CaseState::Housed => Step::new(
            on,
            Action::House {
                housing: Housing::CoaReception {
                    location: dice.pick(places::COA_LOCATIONS)?.to_string(),
                    reason: dice.pick(reasons::COA_FIRST)?.to_string(),
                },
            },
        ),
        ActionKind::House => Step::new(
            on,
            Action::House {
                housing: Housing::Municipality {
                    municipality: dice.weighted(places::MUNICIPALITIES)?.to_string(),
                },
            },
        ),
        ActionKind::StartIntegrationGuidance => Step::new(
            on,
            Action::StartIntegrationGuidance {
                guidance: Guidance {
                    organisation: dice.weighted(places::GUIDANCE)?.to_string(),
                    until: years_after(on, 2) - Duration::days(dice.between(0, 182)),
                    sponsor_group: None,
                },
            },
        ),
        ActionKind::Close => {
            Step::new(on, Action::Close).because(Some(reasons::CLOSED_WITHOUT_ARRIVAL))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_staged_at_least_twice() {
        for state in CaseState::ALL {
            let count: usize = STATES_2025
                .iter()
                .filter(|(s, _, _)| s == state)
                .map(|(_, n, _)| n)
                .sum();
            assert!(count >= 2, "{state}");
            let path = path(*state);
            let target = path
                .last()
                .and_then(|k| k.target())
                .unwrap_or(CaseState::Submitted);
            assert_eq!(target, *state);
        }
    }
}
