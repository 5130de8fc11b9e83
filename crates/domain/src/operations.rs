//! The work around a case between submission and arrival: interviews, the COA
//! resettlement profile, cultural orientation, travel, and holds that pause
//! departures (with the messages sent to accepted refugees while they wait).

use crate::ids::{HoldId, MissionId};
use crate::lifecycle::TrainingMode;
use crate::rule::{FieldProblem, Rule};
use crate::submission::{Programme, vocabulary};
use serde::{Deserialize, Serialize};
use time::Date;

vocabulary!(
    /// The interviews of a selection: IND, COA social intake, the IND's medical check.
    InterviewKind {
        Ind = "ind",
        CoaIntake = "coa-intake",
        Medical = "medical",
    }
);

vocabulary!(
    /// How an interview ended.
    InterviewOutcome {
        Completed = "completed",
        FollowUpNeeded = "follow-up-needed",
        NotHeld = "not-held",
    }
);

fn problem(field: &str, rule: Rule, message: impl Into<String>) -> FieldProblem {
    FieldProblem::new(field, rule, message)
}

/// A member position the case does not have.
fn no_such_member(field: &str, members: usize) -> FieldProblem {
    let last = members.saturating_sub(1);
    problem(
        field,
        Rule::NoSuchMember,
        format!("the case has {members} members (positions 0 to {last})"),
    )
    .with("members", members)
    .with("last", last)
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// One interview of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Interview {
    pub kind: InterviewKind,
    pub held_on: Date,
    pub outcome: InterviewOutcome,
    /// Who interviewed (a function or name), optional.
    #[serde(default)]
    pub interviewer: Option<String>,
    /// Set by the system: the account that recorded it.
    #[serde(default)]
    pub recorded_by: String,
}

impl Interview {
    pub fn validate(&self, today: Date) -> Result<(), Vec<FieldProblem>> {
        if self.held_on > today {
            return Err(vec![problem(
                "heldOn",
                Rule::InterviewAfterHeld,
                "an interview is recorded after it was held",
            )]);
        }
        Ok(())
    }
}

vocabulary!(
    /// Factors COA weighs for integration and matching to a municipality.
    IntegrationFactor {
        Education = "education",
        WorkExperience = "work-experience",
        LanguageSkills = "language-skills",
        FamilyInNetherlands = "family-in-netherlands",
        CommunityTies = "community-ties",
    }
);

/// The COA resettlement profile: integration factors and needs for housing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResettlementProfile {
    #[serde(default)]
    pub integration_factors: Vec<IntegrationFactor>,
    /// Bedrooms the dwelling needs.
    pub dwelling_bedrooms: i64,
    /// A dwelling without stairs or adapted for a wheelchair.
    #[serde(default)]
    pub accessible_dwelling: bool,
    /// Medical care is needed near the dwelling (health data: shown by need and consent).
    #[serde(default)]
    pub medical_care_nearby: bool,
    /// Children who need a school place.
    #[serde(default)]
    pub school_age_children: i64,
    /// Wishes for the request for submissions (e.g. family composition); no personal data.
    #[serde(default)]
    pub notes: Option<String>,
}

impl ResettlementProfile {
    pub fn validate(&self, persons: usize) -> Result<(), Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if !(0..=20).contains(&self.dwelling_bedrooms) {
            errors.push(problem(
                "dwellingBedrooms",
                Rule::BedroomsRange,
                "must be 0 to 20",
            ));
        }
        let persons = i64::try_from(persons).unwrap_or(i64::MAX);
        if !(0..=persons).contains(&self.school_age_children) {
            errors.push(
                problem(
                    "schoolAgeChildren",
                    Rule::SchoolAgeChildrenRange,
                    format!("must be 0 to the {persons} persons of the case"),
                )
                .with("persons", persons),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One cultural orientation session of a case with attendance per member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrientationSession {
    pub held_on: Date,
    pub mode: TrainingMode,
    /// Which of the three trainings (1 to 3).
    pub training: i64,
    /// Positions (in the case's members) of those who attended.
    pub attended: Vec<usize>,
    #[serde(default)]
    pub recorded_by: String,
}

impl OrientationSession {
    pub fn validate(&self, members: usize, today: Date) -> Result<(), Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if self.held_on > today {
            errors.push(problem(
                "heldOn",
                Rule::SessionAfterHeld,
                "a session is recorded after it was held",
            ));
        }
        if !(1..=3).contains(&self.training) {
            errors.push(problem(
                "training",
                Rule::TrainingRange,
                "COA gives three trainings: 1, 2 or 3",
            ));
        }
        for (i, m) in self.attended.iter().enumerate() {
            if *m >= members {
                errors.push(no_such_member(&format!("attended[{i}]"), members));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A travel document issued for one member (Foreign Affairs: laissez-passer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TravelDocument {
    pub member: usize,
    pub kind: String,
    pub number: String,
    pub valid_until: Date,
}

/// The travel of a case: documents and the booking (IOM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TravelPlan {
    #[serde(default)]
    pub documents: Vec<TravelDocument>,
    /// The booked day of departure.
    pub departs_on: Option<Date>,
    /// The booking reference (IOM).
    pub booking_reference: Option<String>,
    /// Set when the departure is brought forward: why (e.g. the security situation).
    #[serde(default)]
    pub brought_forward_reason: Option<String>,
}

impl TravelPlan {
    /// Checks the plan against the case and the booking it replaces.
    pub fn validate(
        &self,
        members: usize,
        previous: Option<&TravelPlan>,
    ) -> Result<(), Vec<FieldProblem>> {
        let mut errors = Vec::new();
        for (i, d) in self.documents.iter().enumerate() {
            if d.member >= members {
                errors.push(no_such_member(&format!("documents[{i}].member"), members));
            }
            if blank(&d.kind) {
                errors.push(problem(
                    &format!("documents[{i}].kind"),
                    Rule::NameDocumentKind,
                    "name the kind of document",
                ));
            }
            if blank(&d.number) {
                errors.push(problem(
                    &format!("documents[{i}].number"),
                    Rule::GiveDocumentNumber,
                    "give the document number",
                ));
            }
        }
        if self.departs_on.is_some() && self.booking_reference.as_deref().is_none_or(blank) {
            errors.push(problem(
                "bookingReference",
                Rule::BookingNeedsReference,
                "a booked departure has a booking reference",
            ));
        }
        let earlier = match (previous.and_then(|p| p.departs_on), self.departs_on) {
            (Some(before), Some(now)) => now < before,
            _ => false,
        };
        if earlier && self.brought_forward_reason.as_deref().is_none_or(blank) {
            errors.push(problem(
                "broughtForwardReason",
                Rule::BroughtForwardNeedsReason,
                "the departure is brought forward: say why",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What a hold pauses: one mission's departures, or a whole programme's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum HoldScope {
    // The OpenAPI derive reads `rename_all` on the variant, not `rename_all_fields`.
    #[serde(rename_all = "camelCase")]
    Mission {
        mission_id: MissionId,
    },
    Programme {
        programme: Programme,
    },
}

/// A pause of departures (pandemic, reception crisis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    pub id: HoldId,
    pub scope: HoldScope,
    pub starts_on: Date,
    pub reason: String,
    pub released_on: Option<Date>,
    pub created_by: String,
    pub messages: Vec<HoldMessage>,
}

impl Hold {
    /// Whether departures are paused on `day`.
    pub fn active_on(&self, day: Date) -> bool {
        self.starts_on <= day && self.released_on.is_none_or(|r| day < r)
    }
}

/// A message sent to the accepted refugees waiting under a hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldMessage {
    pub sent_on: Date,
    /// How it was sent (UNHCR office, phone, letter …).
    pub channel: String,
    pub text: String,
    #[serde(default)]
    pub sent_by: String,
}

impl HoldMessage {
    pub fn validate(&self, hold: &Hold) -> Result<(), Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if blank(&self.channel) {
            errors.push(problem(
                "channel",
                Rule::NameMessageChannel,
                "say how the message was sent",
            ));
        }
        if blank(&self.text) {
            errors.push(problem("text", Rule::GiveMessageText, "give the message"));
        }
        if self.sent_on < hold.starts_on {
            errors.push(problem(
                "sentOn",
                Rule::MessageBeforeHold,
                "the message belongs to the hold: send it on or after its start",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn a_hold_is_active_from_its_start_until_its_release() {
        let mut h = Hold {
            id: HoldId::generate(),
            scope: HoldScope::Programme {
                programme: Programme::NationalQuota,
            },
            starts_on: date!(2020 - 03 - 15),
            reason: "pandemic".into(),
            released_on: None,
            created_by: "t".into(),
            messages: vec![],
        };
        assert!(!h.active_on(date!(2020 - 03 - 14)));
        assert!(h.active_on(date!(2020 - 03 - 15)));
        h.released_on = Some(date!(2020 - 09 - 01));
        assert!(h.active_on(date!(2020 - 08 - 31)));
        assert!(!h.active_on(date!(2020 - 09 - 01)));
    }

    #[test]
    fn travel_brought_forward_needs_a_reason() {
        let before = TravelPlan {
            documents: vec![],
            departs_on: Some(date!(2023 - 12 - 20)),
            booking_reference: Some("IOM-1".into()),
            brought_forward_reason: None,
        };
        let mut sooner = before.clone();
        sooner.departs_on = Some(date!(2023 - 11 - 10));
        let e = sooner.validate(2, Some(&before)).unwrap_err();
        assert_eq!(e[0].field, "broughtForwardReason");
        sooner.brought_forward_reason = Some("security situation in Lebanon".into());
        assert!(sooner.validate(2, Some(&before)).is_ok());
        let later = TravelPlan {
            departs_on: Some(date!(2024 - 01 - 10)),
            ..before.clone()
        };
        assert!(later.validate(2, Some(&before)).is_ok());
    }

    #[test]
    fn attendance_names_only_members_of_the_case() {
        let s = OrientationSession {
            held_on: date!(2025 - 01 - 01),
            mode: TrainingMode::Digital,
            training: 4,
            attended: vec![0, 3],
            recorded_by: String::new(),
        };
        let e = s.validate(2, date!(2025 - 02 - 01)).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["training", "attended[1]"]);
    }
}
