//! The norms dashboard: cases at risk of missing, or past, the six months from
//! selection to arrival and UNHCR's submission-priority targets, per host
//! country and overall, within the reader's scope.

use crate::pages::T;
use crate::reports::render::{Cell, Table};
use resettle_domain::norms::{Norm, NormFacts, NormStatus, check_norms};
use resettle_domain::{CaseId, CaseNumber, CaseState, CountryCode, MissionId, SubmissionPriority};
use resettle_store::CaseSummary;
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;

/// Days left at which a case counts as at risk, unless asked otherwise.
pub const AT_RISK_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NormLine {
    pub id: CaseId,
    pub case_number: CaseNumber,
    pub host_country: CountryCode,
    pub priority: SubmissionPriority,
    pub state: CaseState,
    /// The mission (or dossier track) the case is selected on.
    pub mission_id: Option<MissionId>,
    pub norm: Norm,
    pub deadline: Date,
    pub days_left: i64,
    pub status: NormStatus,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub on_track: u64,
    pub at_risk: u64,
    pub overdue: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostCounts {
    pub host_country: CountryCode,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The counts of one mission; `missionId` absent for cases on no mission.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MissionCounts {
    pub mission_id: Option<MissionId>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub as_of: Date,
    pub at_risk_days: i64,
    pub total: Counts,
    pub by_host_country: Vec<HostCounts>,
    pub by_mission: Vec<MissionCounts>,
    /// The checks that match the filters, most urgent first.
    pub cases: Vec<NormLine>,
}

fn facts(c: &CaseSummary) -> NormFacts {
    NormFacts {
        state: c.state,
        priority: c.priority,
        submitted_on: c.submitted_on,
        selected_on: c.selected_on,
        departed_on: c.departed_on,
        arrived_on: c.arrived_on,
    }
}

fn count(counts: &mut Counts, status: NormStatus) {
    match status {
        NormStatus::OnTrack => counts.on_track += 1,
        NormStatus::AtRisk => counts.at_risk += 1,
        NormStatus::Overdue => counts.overdue += 1,
        NormStatus::Met | NormStatus::Missed => {}
    }
}

/// Checks every pipeline case; lists those with a status in `statuses` and a norm in `norms`.
pub fn dashboard(
    cases: &[CaseSummary],
    today: Date,
    at_risk_days: i64,
    statuses: &[NormStatus],
    norms: &[Norm],
) -> Dashboard {
    let mut total = Counts::default();
    let mut hosts: BTreeMap<CountryCode, Counts> = BTreeMap::new();
    let mut missions: BTreeMap<Option<MissionId>, Counts> = BTreeMap::new();
    let mut lines = Vec::new();
    for c in cases {
        for check in check_norms(facts(c), today, at_risk_days) {
            count(&mut total, check.status);
            count(hosts.entry(c.host_country).or_default(), check.status);
            count(missions.entry(c.mission_id).or_default(), check.status);
            if statuses.contains(&check.status) && norms.contains(&check.norm) {
                lines.push(NormLine {
                    id: c.id,
                    case_number: c.case_number.clone(),
                    host_country: c.host_country,
                    priority: c.priority,
                    state: c.state,
                    mission_id: c.mission_id,
                    norm: check.norm,
                    deadline: check.deadline,
                    days_left: check.days_left,
                    status: check.status,
                });
            }
        }
    }
    lines.sort_by(|a, b| {
        a.days_left
            .cmp(&b.days_left)
            .then(a.case_number.cmp(&b.case_number))
    });
    Dashboard {
        as_of: today,
        at_risk_days,
        total,
        by_host_country: hosts
            .into_iter()
            .map(|(host_country, counts)| HostCounts {
                host_country,
                counts,
            })
            .collect(),
        by_mission: missions
            .into_iter()
            .map(|(mission_id, counts)| MissionCounts { mission_id, counts })
            .collect(),
        cases: lines,
    }
}

/// The translation key of a norm.
pub fn norm_key(n: Norm) -> &'static str {
    match n {
        Norm::SelectionToArrival => "norms-selection-to-arrival",
        Norm::SubmissionPriority => "norms-submission-priority",
    }
}

/// The translation key of a norm's standing.
pub fn status_key(s: NormStatus) -> &'static str {
    match s {
        NormStatus::Overdue => "norms-overdue",
        NormStatus::AtRisk => "norms-at-risk",
        NormStatus::OnTrack => "norms-on-track",
        NormStatus::Met => "norms-met",
        NormStatus::Missed => "norms-missed",
    }
}

/// The dashboard as tables in the reader's language, for CSV and XLSX exports.
pub fn tables(d: &Dashboard, t: T) -> Vec<Table> {
    let text = |s: String| Cell::Text(s);
    vec![
        Table {
            title: t.t("norms-summary-title"),
            headers: vec![
                t.t("field-host-country"),
                t.t("norms-on-track"),
                t.t("norms-at-risk"),
                t.t("norms-overdue"),
            ],
            rows: d
                .by_host_country
                .iter()
                .map(|h| {
                    vec![
                        text(t.country(h.host_country)),
                        Cell::Count(h.counts.on_track),
                        Cell::Count(h.counts.at_risk),
                        Cell::Count(h.counts.overdue),
                    ]
                })
                .collect(),
        },
        Table {
            title: t.t("norms-cases-title"),
            headers: [
                "field-case-number",
                "field-host-country",
                "field-priority",
                "field-state",
                "mission-name",
                "norms-norm",
                "norms-deadline",
                "norms-days-left",
                "norms-norm-status",
            ]
            .map(|k| t.t(k))
            .to_vec(),
            rows: d
                .cases
                .iter()
                .map(|l| {
                    vec![
                        text(l.case_number.to_string()),
                        text(t.country(l.host_country)),
                        text(t.term("priority", l.priority.as_str())),
                        text(t.term("state", l.state.as_str())),
                        text(l.mission_id.map(|m| m.to_string()).unwrap_or_default()),
                        text(t.t(norm_key(l.norm))),
                        // ISO dates stay sortable in a spreadsheet.
                        text(l.deadline.to_string()),
                        Cell::Number(l.days_left),
                        text(t.t(status_key(l.status))),
                    ]
                })
                .collect(),
        },
    ]
}
