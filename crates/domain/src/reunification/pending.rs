//! The family-reunification applications still open, as numbers for the
//! reports (beside the arrivals per framework, which the ledger counts):
//! how many relatives wait for a decision, for travel or for arrival, how
//! many applications came late, and how many norms are overdue. No names:
//! every reader of the reports may see these.

use super::{Application, RelativeStatus};
use crate::norms::NormStatus;
use crate::policy::PolicySet;
use serde::Serialize;
use time::Date;

/// The open part of family reunification on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PendingApplications {
    /// Applications with a relative who has not yet arrived, been refused
    /// or withdrawn.
    pub applications: u64,
    /// Relatives waiting for the IND's decision (applied, evidence, interview).
    pub awaiting_decision: u64,
    /// Relatives granted whose travel is not yet arranged.
    pub granted: u64,
    /// Relatives whose travel is arranged, not yet arrived.
    pub travelling: u64,
    /// Open applications made after the window of favourable conditions.
    pub late: u64,
    /// Open norms past their deadline (decision term, travel after grant).
    pub overdue_norms: u64,
}

impl RelativeStatus {
    /// Neither arrived nor refused nor withdrawn: the process still runs.
    pub fn open(self) -> bool {
        !matches!(self, Self::Arrived | Self::Rejected | Self::Withdrawn)
    }
}

/// Counts the open applications among `applications` on `today`.
pub fn pending_applications(
    applications: &[Application],
    policy: &PolicySet,
    today: Date,
) -> PendingApplications {
    let mut out = PendingApplications::default();
    for a in applications {
        let open: Vec<RelativeStatus> = a
            .relatives
            .iter()
            .map(|r| r.status)
            .filter(|s| s.open())
            .collect();
        if open.is_empty() {
            continue;
        }
        out.applications += 1;
        for s in open {
            match s {
                RelativeStatus::Granted => out.granted += 1,
                RelativeStatus::Travel => out.travelling += 1,
                _ => out.awaiting_decision += 1,
            }
        }
        if a.late(policy) == Some(true) {
            out.late += 1;
        }
        out.overdue_norms += a
            .norms(policy, today, 0)
            .iter()
            .filter(|n| n.status == NormStatus::Overdue)
            .count() as u64;
    }
    out
}
