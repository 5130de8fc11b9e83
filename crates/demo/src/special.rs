//! Special-category data and consent in the demo caseload, so that their
//! protection (encryption, role-based showing, audit, consent) is visible.
//! All values are synthetic.

use crate::DemoError;
use crate::dice::Dice;
use resettle_domain::{
    Consent, NewCase, Relationship, SpecialCategory, SpecialItem, SubmissionCategory,
};

/// The office that submits every demo case.
pub const DEMO_OFFICE: &str = "UNHCR";

const HEALTH: &[&str] = &[
    "Insulin-dependent diabetes; needs a GP and pharmacy nearby",
    "Wheelchair user; needs a ground-floor or lift-accessible dwelling",
    "Post-traumatic stress; referred for specialised mental health care",
    "Child with a heart condition; needs follow-up at a university hospital",
    "Hearing impairment; needs a sign-language interpreter for appointments",
];
const RELIGION: &[&str] = &[
    "Christian",
    "Muslim",
    "Yazidi",
    "Christian (Orthodox)",
    "No religion",
];

pub(crate) fn enrich(cases: &mut [NewCase], seed: u64) -> Result<(), DemoError> {
    // A stream of its own, so the caseload itself stays as it was for a seed.
    let mut dice = Dice::new(seed ^ 0x5350_4543_4941_4c00);
    for new in cases {
        let case = &mut new.case;
        let s = &case.submission;
        case.submitted_by = Some(DEMO_OFFICE.to_string());
        let medical = s.primary_category == SubmissionCategory::MedicalNeeds
            || s.secondary_category == Some(SubmissionCategory::MedicalNeeds);
        if medical {
            let value = dice.pick(HEALTH)?.to_string();
            case.special.push(SpecialItem {
                category: SpecialCategory::Health,
                member: None,
                value,
            });
        }
        if dice.chance(0.25) {
            let principal = s
                .members
                .iter()
                .position(|m| m.relationship == Relationship::PrincipalApplicant);
            let value = dice.pick(RELIGION)?.to_string();
            case.special.push(SpecialItem {
                category: SpecialCategory::Religion,
                member: principal,
                value,
            });
        }
        if s.primary_category == SubmissionCategory::SurvivorsOfViolenceTorture {
            let value =
                "Account of persecution kept from other family members at the refugee's request"
                    .to_string();
            case.special.push(SpecialItem {
                category: SpecialCategory::Confidential,
                member: Some(0),
                value,
            });
        }
        // Most families sign the RRF declaration that lets UNHCR share their needs
        // with service providers; some do not, so sharing stays blocked for them.
        if dice.chance(0.8) {
            case.consents.push(Consent {
                recipient: None,
                given_on: s.submitted_on,
                override_reason: None,
                recorded_by: "demo".into(),
            });
        }
    }
    Ok(())
}
