//! Synthetic sample data for tests, examples and documentation. No real persons.

use crate::case::Submission;
use crate::country::{CountryCode, Nationality};
use crate::ids::PersonId;
use crate::lifecycle::{
    Action, ActionKind, CaseState, Guidance, Housing, Permit, RejectionGround, TrainingMode,
};
use crate::person::{DateOfBirth, Member, Relationship, Sex};
use crate::submission::{CaseNumber, Programme, SubmissionCategory, SubmissionPriority, Track};
use time::{Date, Duration};

/// A valid action of `kind`, as if taken on `on`.
pub fn action(kind: ActionKind, on: Date) -> Action {
    match kind {
        ActionKind::Submit => Action::Submit,
        ActionKind::StartAssessment => Action::StartAssessment,
        ActionKind::Accept => Action::accept(),
        ActionKind::Reject => Action::Reject {
            grounds: vec![RejectionGround::NoNationalPolicyBasis],
        },
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::StartPreDeparture => Action::StartPreDeparture {
            training: TrainingMode::InPerson,
        },
        ActionKind::Depart => Action::Depart,
        ActionKind::Arrive => Action::Arrive {
            permit: Permit {
                valid_until: on + Duration::days(5 * 365),
            },
        },
        ActionKind::House => Action::House {
            housing: Housing::Municipality {
                municipality: "Utrecht".into(),
            },
        },
        ActionKind::StartIntegrationGuidance => Action::StartIntegrationGuidance {
            guidance: Guidance {
                organisation: "VluchtelingenWerk".into(),
                until: on + Duration::days(365),
                sponsor_group: None,
            },
        },
        ActionKind::Close => Action::Close,
        ActionKind::AssignHousing => Action::AssignHousing {
            municipality: "Utrecht".into(),
        },
        ActionKind::CancelHousingAssignment => Action::CancelHousingAssignment,
    }
}

/// The shortest sequence of actions from `submitted` to `state`.
pub fn path_to(state: CaseState) -> Vec<ActionKind> {
    use ActionKind::*;
    let full = [
        StartAssessment,
        Accept,
        StartPreDeparture,
        Depart,
        Arrive,
        House,
        StartIntegrationGuidance,
        Close,
    ];
    match state {
        CaseState::Submitted => vec![],
        CaseState::Rejected => vec![StartAssessment, Reject],
        CaseState::Withdrawn => vec![Withdraw],
        _ => {
            let n = full
                .iter()
                .position(|a| a.target() == Some(state))
                .map_or(0, |p| p + 1);
            full[..n].to_vec()
        }
    }
}

/// A submission of a family of `size` (at least 1), submitted on `on`.
pub fn submission(case_number: &str, size: usize, on: Date) -> Option<Submission> {
    let syr = CountryCode::parse("SYR").ok()?;
    let members = (0..size.max(1))
        .map(|i| {
            let (relationship, sex, years) = match i {
                0 => (Relationship::PrincipalApplicant, Sex::Female, 38),
                1 => (Relationship::Spouse, Sex::Male, 40),
                _ => (
                    Relationship::Child,
                    if i % 2 == 0 { Sex::Female } else { Sex::Male },
                    2 + i as i32,
                ),
            };
            let born = on.replace_year(on.year() - years).unwrap_or(on);
            Some(Member {
                id: PersonId::generate(),
                given_name: format!("Sample{i}"),
                family_name: "Testfamily".into(),
                date_of_birth: DateOfBirth::new(born, on).ok()?,
                sex,
                nationality: Nationality::Country(syr),
                relationship,
                documents: vec![],
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Submission {
        case_number: CaseNumber::parse(case_number).ok()?,
        unhcr_reference: format!("RRF-{case_number}"),
        host_country: CountryCode::parse("LBN").ok()?,
        priority: SubmissionPriority::Normal,
        primary_category: SubmissionCategory::LegalPhysicalProtection,
        secondary_category: Some(SubmissionCategory::MedicalNeeds),
        programme: Programme::NationalQuota,
        track: Track::SelectionMission,
        family_reunification_of: None,
        linked_cases: vec![],
        submitted_on: on,
        members,
    })
}
