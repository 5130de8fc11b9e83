//! Selection missions and the dossier track: where cases are selected, how many
//! places each holds, and how a mission moves from plan to close (or is
//! postponed or cancelled, its places going back to the plan).

use crate::country::{CountryCode, Nationality};
use crate::ids::MissionId;
use crate::policy::AllocationPlan;
use crate::rule::{FieldProblem, Rule, ValueError};
use crate::submission::{Programme, SubmissionPriority, Track, vocabulary};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Date;

vocabulary!(
    /// A selection mission to a host country, or the dossier track (urgent and
    /// emergency cases from anywhere, against the unearmarked reservation).
    MissionKind {
        Selection = "selection",
        Dossier = "dossier",
    }
);

vocabulary!(
    /// How a mission interviews: in person, or remote (video) for the kinds of case that allow it.
    Modality {
        InPerson = "in-person",
        Remote = "remote",
    }
);

vocabulary!(
    /// Where a mission stands.
    MissionStatus {
        Planned = "planned",
        Confirmed = "confirmed",
        Postponed = "postponed",
        Held = "held",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

/// A selection mission, or the dossier track of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Mission {
    pub id: MissionId,
    pub kind: MissionKind,
    /// The programme the mission selects for: only national-quota missions
    /// fill the allocation plan (missions stored before programmes were
    /// recorded were all national quota).
    #[serde(default = "national_quota")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub programme: Programme,
    pub name: String,
    /// The host country visited; none for the dossier track.
    pub host_country: Option<CountryCode>,
    /// The refugee populations of the host country the mission selects from
    /// (their nationalities): the request for submissions lists the Dutch
    /// country policy that concerns them.
    pub populations: Vec<Nationality>,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The team: names or functions of IND, COA and Foreign Affairs members.
    pub team: Vec<String>,
    /// Places (persons) the mission may select.
    pub places: i64,
    /// Places taken by accepted cases.
    pub places_used: i64,
    pub modality: Modality,
    /// For remote selection: the kinds of case it is used for (most need in-person contact).
    pub remote_case_kinds: Vec<String>,
    pub status: MissionStatus,
    /// Why the mission was last postponed or cancelled.
    pub status_reason: Option<String>,
    /// Incremented by every change; a change against an older version is refused.
    pub version: i64,
}

/// A new mission or dossier track as an officer plans it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMission {
    pub kind: MissionKind,
    /// The programme it selects for; the national quota when not given.
    #[serde(default = "national_quota")]
    pub programme: Programme,
    pub name: String,
    pub host_country: Option<String>,
    #[serde(default)]
    pub populations: Vec<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    #[serde(default)]
    pub team: Vec<String>,
    pub places: i64,
    #[serde(default = "in_person")]
    pub modality: Modality,
    #[serde(default)]
    pub remote_case_kinds: Vec<String>,
}

fn in_person() -> Modality {
    Modality::InPerson
}

fn national_quota() -> Programme {
    Programme::NationalQuota
}

fn problem(field: &str, rule: Rule, message: impl Into<String>) -> FieldProblem {
    FieldProblem::new(field, rule, message)
}

/// The longest mission name (characters).
pub const MISSION_NAME_MAX: usize = 100;

/// More places than a mission could ever hold: a typing error.
pub const MAX_MISSION_PLACES: i64 = 100_000;

impl NewMission {
    /// Checks every field at once and returns the mission, planned, version 1.
    pub fn validate(self, id: MissionId) -> Result<Mission, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(problem("name", Rule::NameMission, "name the mission"));
        } else if !crate::text::within(self.name.trim(), MISSION_NAME_MAX) {
            errors.push(
                problem(
                    "name",
                    Rule::TextBounded,
                    format!(
                        "give at most {MISSION_NAME_MAX} characters, without control or direction characters"
                    ),
                )
                .with("max", MISSION_NAME_MAX),
            );
        }
        let host_country = match (self.kind, self.host_country.as_deref().map(str::trim)) {
            (MissionKind::Selection, None | Some("")) => {
                errors.push(problem(
                    "hostCountry",
                    Rule::SelectionNeedsHostCountry,
                    "a selection mission needs a host country",
                ));
                None
            }
            (_, None | Some("")) => None,
            (_, Some(h)) => CountryCode::parse(h)
                .map_err(|e| errors.push(e.at("hostCountry")))
                .ok(),
        };
        let mut populations = Vec::new();
        for (i, p) in self.populations.iter().enumerate() {
            match Nationality::parse(p) {
                Ok(n) => populations.push(n),
                Err(e) => errors.push(e.at(&format!("populations[{i}]"))),
            }
        }
        if self.ends_on < self.starts_on {
            errors.push(problem(
                "endsOn",
                Rule::MissionEndsBeforeStart,
                "the mission must end on or after its start",
            ));
        }
        if !(1..=MAX_MISSION_PLACES).contains(&self.places) {
            errors.push(
                problem(
                    "places",
                    Rule::PlacesRange,
                    format!("must be 1 to {MAX_MISSION_PLACES}"),
                )
                .with("max", MAX_MISSION_PLACES),
            );
        }
        let team: Vec<String> = self
            .team
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let remote_case_kinds: Vec<String> = self
            .remote_case_kinds
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if self.modality == Modality::Remote && remote_case_kinds.is_empty() {
            errors.push(problem(
                "remoteCaseKinds",
                Rule::RemoteNeedsCaseKinds,
                "remote selection works only for some kinds of case: name them",
            ));
        }
        if self.modality == Modality::Remote && self.kind == MissionKind::Dossier {
            errors.push(problem(
                "modality",
                Rule::DossierHasNoModality,
                "the dossier track selects on the dossier; it has no modality of its own",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Mission {
            id,
            kind: self.kind,
            programme: self.programme,
            name: self.name.trim().to_string(),
            host_country,
            populations,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            team,
            places: self.places,
            places_used: 0,
            modality: self.modality,
            remote_case_kinds,
            status: MissionStatus::Planned,
            status_reason: None,
            version: 1,
        })
    }
}

/// A change of a mission's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum MissionChange {
    Confirm,
    /// New dates, with the reason.
    // The OpenAPI derive reads `rename_all` on the variant, not `rename_all_fields`.
    #[serde(rename_all = "camelCase")]
    Postpone {
        starts_on: Date,
        ends_on: Date,
        reason: String,
    },
    /// The mission took place.
    Hold,
    Close,
    /// With the reason (e.g. the security situation); its places go back to the plan.
    Cancel {
        reason: String,
    },
}

impl MissionChange {
    pub fn target(&self) -> MissionStatus {
        match self {
            Self::Confirm => MissionStatus::Confirmed,
            Self::Postpone { .. } => MissionStatus::Postponed,
            Self::Hold => MissionStatus::Held,
            Self::Close => MissionStatus::Closed,
            Self::Cancel { .. } => MissionStatus::Cancelled,
        }
    }

    /// The statuses this change may be made from.
    pub fn allowed_from(&self) -> &'static [MissionStatus] {
        use MissionStatus::*;
        match self {
            Self::Confirm => &[Planned, Postponed],
            Self::Postpone { .. } => &[Planned, Confirmed, Postponed],
            Self::Hold => &[Confirmed],
            Self::Close => &[Held],
            Self::Cancel { .. } => &[Planned, Confirmed, Postponed],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MissionError {
    #[error("a mission that is {from} cannot be changed to {to}; allowed from: {}", allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))]
    NotAllowed {
        from: MissionStatus,
        to: MissionStatus,
        allowed: Vec<MissionStatus>,
    },
    #[error("{0}")]
    Invalid(FieldProblem),
}

impl Mission {
    /// Applies `change`; the mission is unchanged on error.
    pub fn apply(&mut self, change: &MissionChange) -> Result<(), MissionError> {
        if !change.allowed_from().contains(&self.status) {
            return Err(MissionError::NotAllowed {
                from: self.status,
                to: change.target(),
                allowed: change.allowed_from().to_vec(),
            });
        }
        let invalid = |f: &str, r: Rule, m: &str| Err(MissionError::Invalid(problem(f, r, m)));
        match change {
            MissionChange::Postpone {
                starts_on,
                ends_on,
                reason,
            } => {
                if reason.trim().is_empty() {
                    return invalid(
                        "reason",
                        Rule::PostponeNeedsReason,
                        "say why the mission is postponed",
                    );
                }
                if ends_on < starts_on {
                    return invalid(
                        "endsOn",
                        Rule::MissionEndsBeforeStart,
                        "the mission must end on or after its start",
                    );
                }
                if *starts_on <= self.starts_on {
                    return invalid(
                        "startsOn",
                        Rule::PostponeStartsLater,
                        "a postponed mission starts later than planned",
                    );
                }
                self.starts_on = *starts_on;
                self.ends_on = *ends_on;
                self.status_reason = Some(reason.trim().to_string());
            }
            MissionChange::Cancel { reason } => {
                if reason.trim().is_empty() {
                    return invalid(
                        "reason",
                        Rule::CancelNeedsReason,
                        "say why the mission is cancelled",
                    );
                }
                self.status_reason = Some(reason.trim().to_string());
            }
            MissionChange::Confirm | MissionChange::Hold | MissionChange::Close => {}
        }
        self.status = change.target();
        self.version += 1;
        Ok(())
    }

    /// Whether cases may still be accepted against the mission's places.
    pub fn takes_cases(&self) -> bool {
        !matches!(
            self.status,
            MissionStatus::Cancelled | MissionStatus::Closed
        )
    }

    /// Places not taken (negative when an override went beyond them).
    pub fn places_free(&self) -> i64 {
        self.places - self.places_used
    }

    /// The year of the plan the mission's places count in.
    pub fn year(&self) -> i32 {
        self.starts_on.year()
    }

    /// Whether a case of `programme` may be selected on the mission: its
    /// places count for one programme only (the national quota's plan, or
    /// migration cooperation kept apart from it). The refusal names the
    /// linked case's field, `caseId`.
    pub fn admits_programme(&self, programme: Programme) -> Result<(), FieldProblem> {
        if programme == self.programme {
            return Ok(());
        }
        Err(problem(
            "caseId",
            Rule::ProgrammeDiffers,
            format!(
                "the case's programme is '{programme}' and the mission selects for '{}': a case is selected only on a mission of its own programme",
                self.programme
            ),
        )
        .with("programme", programme)
        .with("missionProgramme", self.programme))
    }

    /// Whether a case of this track and priority may be linked to the mission.
    pub fn admits(&self, track: Track, priority: SubmissionPriority) -> Result<(), String> {
        match (self.kind, track) {
            (MissionKind::Selection, Track::SelectionMission) => Ok(()),
            (MissionKind::Dossier, Track::Dossier)
                if matches!(
                    priority,
                    SubmissionPriority::Urgent | SubmissionPriority::Emergency
                ) =>
            {
                Ok(())
            }
            (MissionKind::Dossier, Track::Dossier) => {
                Err("the dossier track takes only urgent and emergency cases".into())
            }
            (kind, track) => Err(format!(
                "a case of track '{track}' cannot be selected on a mission of kind '{kind}'"
            )),
        }
    }
}

/// One line of the plan: a host country's planned places and how many of them
/// missions hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanLine {
    /// None for the unearmarked reservation (dossier track).
    pub host_country: Option<CountryCode>,
    pub planned: i64,
    /// Places on missions that are not cancelled.
    pub on_missions: i64,
    /// Places of cancelled missions, back in the plan.
    pub returned: i64,
    /// Planned places no mission holds (planned − on missions).
    pub unallocated: i64,
    /// Places taken by accepted cases.
    pub used: i64,
}

/// The places of a year's missions for a programme kept apart from the
/// national quota (migration cooperation such as the EU-Turkey Statement):
/// shown beside the plan, never counted against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OutsidePlan {
    pub programme: Programme,
    /// Missions of the programme that are not cancelled.
    pub missions: i64,
    /// Their places.
    pub places: i64,
    /// Places taken by accepted cases.
    pub used: i64,
}

/// The plan of a year against its missions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanStatus {
    pub year: i32,
    pub framework: Option<String>,
    /// National-quota missions against the allocation plan.
    pub lines: Vec<PlanLine>,
    /// The year's missions of other programmes, one entry per programme
    /// that has any; empty when all are national quota.
    pub outside_plan: Vec<OutsidePlan>,
}

/// Compares the allocation plan of a year (if any) with that year's
/// national-quota missions; other programmes' missions are summed apart.
pub fn plan_status(year: i32, plan: Option<&AllocationPlan>, missions: &[Mission]) -> PlanStatus {
    let mut lines: Vec<PlanLine> = Vec::new();
    let mut outside_plan: Vec<OutsidePlan> = Vec::new();
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    if let Some(plan) = plan {
        for m in &plan.missions {
            lines.push(PlanLine {
                host_country: Some(m.host_country),
                planned: clamp(m.places),
                on_missions: 0,
                returned: 0,
                unallocated: 0,
                used: 0,
            });
        }
        lines.push(PlanLine {
            host_country: None,
            planned: clamp(plan.unearmarked),
            on_missions: 0,
            returned: 0,
            unallocated: 0,
            used: 0,
        });
    }
    for m in missions.iter().filter(|m| m.year() == year) {
        if m.programme != Programme::NationalQuota {
            // Cancelled places of another programme go back to that
            // programme, not to the national plan: nothing to show.
            if m.status == MissionStatus::Cancelled {
                continue;
            }
            let idx = match outside_plan.iter().position(|o| o.programme == m.programme) {
                Some(i) => i,
                None => {
                    outside_plan.push(OutsidePlan {
                        programme: m.programme,
                        missions: 0,
                        places: 0,
                        used: 0,
                    });
                    outside_plan.len() - 1
                }
            };
            if let Some(o) = outside_plan.get_mut(idx) {
                o.missions += 1;
                o.places += m.places;
                o.used += m.places_used;
            }
            continue;
        }
        let key = match m.kind {
            MissionKind::Selection => m.host_country,
            MissionKind::Dossier => None,
        };
        let idx = match lines.iter().position(|l| l.host_country == key) {
            Some(i) => i,
            None => {
                lines.push(PlanLine {
                    host_country: key,
                    planned: 0,
                    on_missions: 0,
                    returned: 0,
                    unallocated: 0,
                    used: 0,
                });
                lines.len() - 1
            }
        };
        let Some(line) = lines.get_mut(idx) else {
            continue;
        };
        if m.status == MissionStatus::Cancelled {
            line.returned += m.places;
        } else {
            line.on_missions += m.places;
            line.used += m.places_used;
        }
    }
    for l in &mut lines {
        l.unallocated = l.planned - l.on_missions;
    }
    outside_plan.sort_by_key(|o| o.programme);
    PlanStatus {
        year,
        framework: plan.map(|p| p.framework.clone()),
        lines,
        outside_plan,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn egypt() -> Mission {
        NewMission {
            kind: MissionKind::Selection,
            programme: Programme::NationalQuota,
            name: "Egypt 2025".into(),
            host_country: Some("EGY".into()),
            populations: vec!["SDN".into(), "SSD".into()],
            starts_on: date!(2025 - 03 - 01),
            ends_on: date!(2025 - 03 - 14),
            team: vec!["IND".into(), "COA".into()],
            places: 100,
            modality: Modality::InPerson,
            remote_case_kinds: vec![],
        }
        .validate(MissionId::generate())
        .unwrap()
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = NewMission {
            kind: MissionKind::Selection,
            programme: Programme::NationalQuota,
            name: " ".into(),
            host_country: None,
            populations: vec!["XXX".into()],
            starts_on: date!(2025 - 03 - 01),
            ends_on: date!(2025 - 02 - 01),
            team: vec![],
            places: 0,
            modality: Modality::Remote,
            remote_case_kinds: vec![],
        }
        .validate(MissionId::generate())
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "hostCountry",
                "populations[0]",
                "endsOn",
                "places",
                "remoteCaseKinds"
            ]
        );
    }

    #[test]
    fn postpone_then_cancel_returns_the_places_to_the_plan() {
        let mut m = egypt();
        m.apply(&MissionChange::Confirm).unwrap();
        let early = MissionChange::Postpone {
            starts_on: date!(2025 - 02 - 01),
            ends_on: date!(2025 - 02 - 10),
            reason: "x".into(),
        };
        assert!(matches!(m.apply(&early), Err(MissionError::Invalid(_))));
        m.apply(&MissionChange::Postpone {
            starts_on: date!(2025 - 05 - 01),
            ends_on: date!(2025 - 05 - 14),
            reason: "elections".into(),
        })
        .unwrap();
        assert_eq!(m.status, MissionStatus::Postponed);
        assert!(m.apply(&MissionChange::Hold).is_err());
        let plan = AllocationPlan {
            framework: "2025".into(),
            year: 2025,
            missions: vec![crate::policy::MissionPlaces {
                host_country: CountryCode::parse("EGY").unwrap(),
                places: 150,
            }],
            unearmarked: 50,
            caps: vec![],
        };
        let before = plan_status(2025, Some(&plan), std::slice::from_ref(&m));
        assert_eq!(
            (before.lines[0].on_missions, before.lines[0].unallocated),
            (100, 50)
        );
        m.apply(&MissionChange::Cancel {
            reason: "security".into(),
        })
        .unwrap();
        let after = plan_status(2025, Some(&plan), std::slice::from_ref(&m));
        assert_eq!(
            (
                after.lines[0].on_missions,
                after.lines[0].returned,
                after.lines[0].unallocated
            ),
            (0, 100, 150)
        );
        assert!(!m.takes_cases());
        assert!(m.apply(&MissionChange::Confirm).is_err());
    }

    fn plan_2025() -> AllocationPlan {
        AllocationPlan {
            framework: "2025".into(),
            year: 2025,
            missions: vec![crate::policy::MissionPlaces {
                host_country: CountryCode::parse("EGY").unwrap(),
                places: 150,
            }],
            unearmarked: 50,
            caps: vec![],
        }
    }

    fn turkey(programme: Programme, places: i64) -> Mission {
        let mut m = NewMission {
            kind: MissionKind::Selection,
            programme,
            name: "Turkey 2025".into(),
            host_country: Some("TUR".into()),
            places,
            ..egypt_new()
        }
        .validate(MissionId::generate())
        .unwrap();
        m.places_used = places / 2;
        m
    }

    fn egypt_new() -> NewMission {
        NewMission {
            kind: MissionKind::Selection,
            programme: Programme::NationalQuota,
            name: "Egypt 2025".into(),
            host_country: Some("EGY".into()),
            populations: vec!["SYR".into()],
            starts_on: date!(2025 - 03 - 01),
            ends_on: date!(2025 - 03 - 14),
            team: vec![],
            places: 100,
            modality: Modality::InPerson,
            remote_case_kinds: vec![],
        }
    }

    #[test]
    fn an_eu_turkey_mission_stays_outside_the_national_plan() {
        let plan = plan_2025();
        let national = plan_status(2025, Some(&plan), &[egypt()]);
        let with_turkey = plan_status(
            2025,
            Some(&plan),
            &[egypt(), turkey(Programme::EuTurkey, 110)],
        );
        assert_eq!(with_turkey.lines, national.lines);
        assert!(national.outside_plan.is_empty());
        assert_eq!(
            with_turkey.outside_plan,
            [OutsidePlan {
                programme: Programme::EuTurkey,
                missions: 1,
                places: 110,
                used: 55,
            }]
        );
        assert!(with_turkey.lines.iter().all(|l| l.unallocated >= 0));
        // A cancelled EU-Turkey mission gives no places back to the national plan.
        let mut cancelled = turkey(Programme::EuTurkey, 110);
        cancelled
            .apply(&MissionChange::Cancel {
                reason: "suspended".into(),
            })
            .unwrap();
        let after = plan_status(2025, Some(&plan), &[egypt(), cancelled]);
        assert_eq!(after.lines, national.lines);
        assert!(after.outside_plan.is_empty());
    }

    #[test]
    fn a_national_mission_outside_the_plan_shows_as_unplanned() {
        let plan = plan_2025();
        let status = plan_status(
            2025,
            Some(&plan),
            &[egypt(), turkey(Programme::NationalQuota, 40)],
        );
        let tur = CountryCode::parse("TUR").unwrap();
        let line = status
            .lines
            .iter()
            .find(|l| l.host_country == Some(tur))
            .unwrap();
        assert_eq!(
            (line.planned, line.on_missions, line.unallocated, line.used),
            (0, 40, -40, 20)
        );
        assert!(status.outside_plan.is_empty());
    }

    #[test]
    fn a_case_is_selected_only_on_a_mission_of_its_programme() {
        let national = egypt();
        assert!(national.admits_programme(Programme::NationalQuota).is_ok());
        let refused = national.admits_programme(Programme::EuTurkey).unwrap_err();
        assert_eq!(
            (refused.field.as_str(), refused.rule),
            ("caseId", Rule::ProgrammeDiffers)
        );
        assert!(
            turkey(Programme::EuTurkey, 10)
                .admits_programme(Programme::NationalQuota)
                .is_err()
        );
    }

    #[test]
    fn a_mission_stored_without_a_programme_is_national_quota() {
        let mut stored = serde_json::to_value(egypt()).unwrap();
        stored.as_object_mut().unwrap().remove("programme");
        let read: Mission = serde_json::from_value(stored).unwrap();
        assert_eq!(read.programme, Programme::NationalQuota);
        let new: NewMission = serde_json::from_value(serde_json::json!({
            "kind": "dossier", "name": "Dossier", "startsOn": "2025-01-01",
            "endsOn": "2025-12-31", "places": 10
        }))
        .unwrap();
        assert_eq!(new.programme, Programme::NationalQuota);
    }

    #[test]
    fn the_dossier_track_takes_only_urgent_and_emergency_dossier_cases() {
        let mut d = egypt();
        d.kind = MissionKind::Dossier;
        assert!(
            d.admits(Track::Dossier, SubmissionPriority::Emergency)
                .is_ok()
        );
        assert!(
            d.admits(Track::Dossier, SubmissionPriority::Normal)
                .is_err()
        );
        assert!(
            d.admits(Track::SelectionMission, SubmissionPriority::Urgent)
                .is_err()
        );
        assert!(
            egypt()
                .admits(Track::Dossier, SubmissionPriority::Urgent)
                .is_err()
        );
    }
}
