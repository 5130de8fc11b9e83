//! Time norms: selection to arrival in principle within six months (the
//! letter), and UNHCR's submission-priority targets from submission to
//! departure (emergency about 7 days, urgent about 6 weeks, normal about 12
//! months). Which cases are on track, at risk or overdue, on a given day.

use crate::calendar::add_months;
use crate::case::Case;
use crate::lifecycle::CaseState;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// Months from selection to arrival, in principle.
pub const SELECTION_TO_ARRIVAL_MONTHS: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Norm {
    /// Selection to arrival within six months.
    SelectionToArrival,
    /// Submission to departure within the submission priority's target.
    SubmissionPriority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum NormStatus {
    Overdue,
    AtRisk,
    OnTrack,
    Met,
    Missed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NormCheck {
    pub norm: Norm,
    pub started: Date,
    pub deadline: Date,
    /// Days left on the day checked (negative when overdue); for met or
    /// missed norms, the days between the event and the deadline.
    pub days_left: i64,
    pub status: NormStatus,
}

fn check(
    norm: Norm,
    started: Date,
    deadline: Date,
    done: Option<Date>,
    open: bool,
    today: Date,
    at_risk_days: i64,
) -> Option<NormCheck> {
    let (days_left, status) = check_norm(deadline, done, open, today, at_risk_days)?;
    Some(NormCheck {
        norm,
        started,
        deadline,
        days_left,
        status,
    })
}

/// Days left and status of a norm with `deadline` on `today`: met or missed
/// once `done`, otherwise overdue, at risk or on track while `open`; `None`
/// when it no longer applies (refused, withdrawn or closed without the event).
pub(crate) fn check_norm(
    deadline: Date,
    done: Option<Date>,
    open: bool,
    today: Date,
    at_risk_days: i64,
) -> Option<(i64, NormStatus)> {
    Some(match done {
        Some(d) => (
            (deadline - d).whole_days(),
            if d <= deadline {
                NormStatus::Met
            } else {
                NormStatus::Missed
            },
        ),
        None if open => {
            let left = (deadline - today).whole_days();
            let status = if left < 0 {
                NormStatus::Overdue
            } else if left <= at_risk_days {
                NormStatus::AtRisk
            } else {
                NormStatus::OnTrack
            };
            (left, status)
        }
        None => return None,
    })
}

/// What the norms look at in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormFacts {
    pub state: CaseState,
    pub priority: crate::SubmissionPriority,
    pub submitted_on: Date,
    pub selected_on: Option<Date>,
    pub departed_on: Option<Date>,
    pub arrived_on: Option<Date>,
}

impl From<&Case> for NormFacts {
    fn from(c: &Case) -> Self {
        NormFacts {
            state: c.state,
            priority: c.submission.priority,
            submitted_on: c.submission.submitted_on,
            selected_on: c.selected_on,
            departed_on: c.departed_on,
            arrived_on: c.arrived_on,
        }
    }
}

/// The norms that apply to a case on `today`; a case is at risk when at most
/// `at_risk_days` are left.
pub fn check_norms(case: impl Into<NormFacts>, today: Date, at_risk_days: i64) -> Vec<NormCheck> {
    let f: NormFacts = case.into();
    let open = !matches!(
        f.state,
        CaseState::Rejected | CaseState::Withdrawn | CaseState::Closed
    );
    let mut out = Vec::new();
    if let Some(selected) = f.selected_on {
        let deadline = add_months(selected, SELECTION_TO_ARRIVAL_MONTHS);
        out.extend(check(
            Norm::SelectionToArrival,
            selected,
            deadline,
            f.arrived_on,
            open,
            today,
            at_risk_days,
        ));
    }
    let deadline = f.submitted_on + Duration::days(f.priority.target_days());
    out.extend(check(
        Norm::SubmissionPriority,
        f.submitted_on,
        deadline,
        f.departed_on,
        open,
        today,
        at_risk_days,
    ));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::lifecycle::Context;
    use crate::{CaseId, sample};
    use time::macros::{date, datetime};

    fn case_until(state: CaseState) -> Case {
        let on = date!(2025 - 01 - 06);
        let ctx = |d| Context {
            occurred_on: d,
            recorded_at: datetime!(2026-06-01 0:00 UTC),
            actor: "t".into(),
            reason: None,
        };
        let mut c = Case::submit(
            CaseId::generate(),
            sample::submission("LBN-25C00001", 2, on).unwrap(),
            &ctx(on),
        )
        .unwrap();
        for (i, k) in sample::path_to(state).into_iter().enumerate() {
            let d = on + Duration::days(10 * (i as i64 + 1));
            let mut cx = ctx(d);
            cx.reason = Some("r".into());
            c.apply(sample::action(k, d), &cx).unwrap();
        }
        c.case
    }

    #[test]
    fn six_months_from_selection_on_track_at_risk_overdue_and_met() {
        let c = case_until(CaseState::PreDeparture); // selected 2025-01-26
        let n = |today| {
            check_norms(&c, today, 30)
                .into_iter()
                .find(|n| n.norm == Norm::SelectionToArrival)
                .unwrap()
        };
        assert_eq!(n(date!(2025 - 03 - 01)).deadline, date!(2025 - 07 - 26));
        assert_eq!(n(date!(2025 - 03 - 01)).status, NormStatus::OnTrack);
        assert_eq!(n(date!(2025 - 07 - 01)).status, NormStatus::AtRisk);
        assert_eq!(n(date!(2025 - 08 - 01)).status, NormStatus::Overdue);
        let arrived = case_until(CaseState::Arrived);
        let m = check_norms(&arrived, date!(2026 - 01 - 01), 30);
        assert!(m.iter().all(|n| n.status == NormStatus::Met), "{m:?}");
        let withdrawn = case_until(CaseState::Withdrawn);
        assert!(check_norms(&withdrawn, date!(2026 - 01 - 01), 30).is_empty());
    }

    #[test]
    fn month_ends_and_priority_targets() {
        let mut c = case_until(CaseState::UnderAssessment);
        c.submission.priority = crate::SubmissionPriority::Emergency;
        let n = check_norms(&c, date!(2025 - 01 - 20), 3);
        assert_eq!(n[0].norm, Norm::SubmissionPriority);
        assert_eq!(
            (n[0].deadline, n[0].status),
            (date!(2025 - 01 - 13), NormStatus::Overdue)
        );
    }
}
