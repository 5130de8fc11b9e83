//! Dutch country-specific asylum policy as data (group persecution, risk
//! profiles, real risk of serious harm under article 29(1)(b) of the Aliens
//! Act 2000), with validity dates, and the request for submissions that the
//! Netherlands sends UNHCR for a mission.

use crate::country::Nationality;
use crate::ids::{MissionId, PolicyNoteId};
use crate::mission::{Mission, MissionKind};
use crate::operations::ResettlementProfile;
use crate::rule::{FieldProblem, Rule};
use crate::submission::vocabulary;
use serde::{Deserialize, Serialize};
use time::Date;

vocabulary!(
    /// The kind of policy a note states.
    PolicyNoteKind {
        GroupPersecution = "group-persecution",
        RiskProfile = "risk-profile",
        SeriousHarm = "article-29-1-b",
    }
);

/// One note of country policy, valid from a day until (not including) another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyNote {
    pub id: PolicyNoteId,
    /// The country of origin the policy concerns (a nationality; `XXA` for stateless).
    pub nationality: Nationality,
    /// The group concerned, e.g. "Christians"; none for the whole population.
    pub group: Option<String>,
    pub kind: PolicyNoteKind,
    pub summary: String,
    /// The request for submissions asks UNHCR for particular attention to this group
    /// (the parliamentary motion on Christians).
    pub particular_attention: bool,
    pub valid_from: Date,
    /// First day it no longer applies; none while in force.
    pub valid_until: Option<Date>,
}

/// A note as an officer enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPolicyNote {
    pub nationality: String,
    #[serde(default)]
    pub group: Option<String>,
    pub kind: PolicyNoteKind,
    pub summary: String,
    #[serde(default)]
    pub particular_attention: bool,
    pub valid_from: Date,
    #[serde(default)]
    pub valid_until: Option<Date>,
}

impl NewPolicyNote {
    pub fn validate(self, id: PolicyNoteId) -> Result<PolicyNote, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        let p = |f: &str, r: Rule, m: &str| FieldProblem::new(f, r, m);
        let nationality = Nationality::parse(&self.nationality)
            .map_err(|e| {
                let raw = self.nationality.trim();
                errors.push(
                    FieldProblem::new("nationality", Rule::CountryCode, e.to_string())
                        .with("value", raw),
                )
            })
            .ok();
        if self.summary.trim().is_empty() {
            errors.push(p("summary", Rule::StateThePolicy, "state the policy"));
        }
        if self.valid_until.is_some_and(|u| u <= self.valid_from) {
            errors.push(p(
                "validUntil",
                Rule::NoteEndsAfterStart,
                "a note ends after the day it starts",
            ));
        }
        let group = self
            .group
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty());
        if self.particular_attention && group.is_none() {
            errors.push(p(
                "group",
                Rule::NameTheGroup,
                "particular attention is asked for a group: name it",
            ));
        }
        match (nationality, errors.is_empty()) {
            (Some(nationality), true) => Ok(PolicyNote {
                id,
                nationality,
                group,
                kind: self.kind,
                summary: self.summary.trim().to_string(),
                particular_attention: self.particular_attention,
                valid_from: self.valid_from,
                valid_until: self.valid_until,
            }),
            _ => Err(errors),
        }
    }
}

impl PolicyNote {
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|u| day < u)
    }
}

/// The request for submissions sent to UNHCR for one mission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubmissionRequest {
    pub mission_id: MissionId,
    pub mission_name: String,
    pub host_country: Option<crate::CountryCode>,
    /// The day the policy is taken from: the mission's start.
    pub policy_date: Date,
    pub starts_on: Date,
    pub ends_on: Date,
    pub places: i64,
    pub modality: crate::mission::Modality,
    pub remote_case_kinds: Vec<String>,
    pub populations: Vec<Nationality>,
    /// Wishes from COA's resettlement profiles (aggregated, no personal data).
    pub profile_wishes: Vec<String>,
    /// The country policy valid on the policy date for the populations.
    pub policy_notes: Vec<PolicyNote>,
    /// Groups for which particular attention is asked.
    pub particular_attention: Vec<String>,
    /// The sentence that keeps UNHCR's choice free.
    pub freedom_of_choice: String,
}

/// What the request says about particular attention, so that it never restricts UNHCR's choice.
pub const FREEDOM_OF_CHOICE: &str = "The Netherlands draws particular attention to current policy for the groups named here, \
     without limiting UNHCR's freedom to choose which cases to submit: UNHCR's own priority \
     for the most vulnerable refugees remains leading.";

/// Builds the request for submissions for `mission` from the notes valid on its start day.
pub fn submission_request(
    mission: &Mission,
    notes: &[PolicyNote],
    profile_wishes: Vec<String>,
) -> SubmissionRequest {
    let day = mission.starts_on;
    let mut policy_notes: Vec<PolicyNote> = notes
        .iter()
        .filter(|n| n.valid_on(day))
        .filter(|n| {
            mission.kind == MissionKind::Dossier || mission.populations.contains(&n.nationality)
        })
        .cloned()
        .collect();
    policy_notes.sort_by(|a, b| {
        (a.nationality.code(), &a.group, a.valid_from).cmp(&(
            b.nationality.code(),
            &b.group,
            b.valid_from,
        ))
    });
    let mut particular_attention: Vec<String> = policy_notes
        .iter()
        .filter(|n| n.particular_attention)
        .filter_map(|n| n.group.clone())
        .collect();
    particular_attention.sort();
    particular_attention.dedup();
    SubmissionRequest {
        mission_id: mission.id,
        mission_name: mission.name.clone(),
        host_country: mission.host_country,
        policy_date: day,
        starts_on: mission.starts_on,
        ends_on: mission.ends_on,
        places: mission.places,
        modality: mission.modality,
        remote_case_kinds: mission.remote_case_kinds.clone(),
        populations: mission.populations.clone(),
        profile_wishes,
        policy_notes,
        particular_attention,
        freedom_of_choice: FREEDOM_OF_CHOICE.into(),
    }
}

/// Profile wishes in aggregate: counts of needs across the mission's profiles.
pub fn profile_wishes(profiles: &[ResettlementProfile]) -> Vec<String> {
    let large = profiles.iter().filter(|p| p.dwelling_bedrooms >= 4).count();
    let accessible = profiles.iter().filter(|p| p.accessible_dwelling).count();
    let school: i64 = profiles.iter().map(|p| p.school_age_children).sum();
    let mut out = Vec::new();
    if large > 0 {
        out.push(format!(
            "{large} dwelling(s) with 4 or more bedrooms available"
        ));
    }
    if accessible > 0 {
        out.push(format!("{accessible} accessible dwelling(s) available"));
    }
    if school > 0 {
        out.push(format!("school places for {school} children prepared"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::mission::{Modality, NewMission};
    use time::macros::date;

    fn note(nat: &str, group: Option<&str>, from: Date, until: Option<Date>) -> PolicyNote {
        NewPolicyNote {
            nationality: nat.into(),
            group: group.map(str::to_string),
            kind: PolicyNoteKind::RiskProfile,
            summary: "s".into(),
            particular_attention: group.is_some(),
            valid_from: from,
            valid_until: until,
        }
        .validate(PolicyNoteId::generate())
        .unwrap()
    }

    #[test]
    fn the_request_holds_the_notes_valid_on_the_mission_day_for_its_populations() {
        let m = NewMission {
            kind: MissionKind::Selection,
            programme: crate::submission::Programme::NationalQuota,
            name: "EGY".into(),
            host_country: Some("EGY".into()),
            populations: vec!["SDN".into(), "ERI".into()],
            starts_on: date!(2025 - 03 - 01),
            ends_on: date!(2025 - 03 - 10),
            team: vec![],
            places: 10,
            modality: Modality::InPerson,
            remote_case_kinds: vec![],
        }
        .validate(MissionId::generate())
        .unwrap();
        let notes = [
            note("ERI", Some("Christians"), date!(2024 - 01 - 01), None),
            note(
                "SDN",
                None,
                date!(2025 - 03 - 01),
                Some(date!(2025 - 03 - 02)),
            ),
            note(
                "SDN",
                None,
                date!(2023 - 01 - 01),
                Some(date!(2025 - 03 - 01)),
            ),
            note("SDN", None, date!(2025 - 03 - 02), None),
            note("SYR", Some("Christians"), date!(2020 - 01 - 01), None),
        ];
        let r = submission_request(&m, &notes, vec![]);
        let ids: Vec<PolicyNoteId> = r.policy_notes.iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![notes[0].id, notes[1].id]);
        assert_eq!(r.particular_attention, vec!["Christians".to_string()]);
    }
}
