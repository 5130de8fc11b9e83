//! Who reads which free text: the audience of each field written out role by
//! role (not derived from `Role::reads`), and checked on a history and a case
//! that carry every kind of free text. Written for the mutants that survived
//! the domain's own tests (`cargo mutants`, bench/RESULTS.md): every
//! redaction in `redact_history` and `redact` can be dropped or inverted
//! without another domain test noticing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::access::{redact, redact_history};
use resettle_domain::lifecycle::{Action, Housing, Transition};
use resettle_domain::{Case, CaseId, CaseState, Consent, Role, sample};
use time::macros::{date, datetime};

/// What each role reads of text others wrote: history reasons, the COA
/// housing reason, a consent override's reason, a place override, the
/// country-policy basis (which may name religion or ethnicity).
fn audience(role: Role) -> [bool; 5] {
    match role {
        Role::IndOfficer => [true; 5],
        // COA sees health and the confidential profile, not religion or
        // ethnicity: everything but the country-policy basis.
        Role::CoaOfficer => [true, true, true, true, false],
        Role::UnhcrLiaison
        | Role::MunicipalityOfficer
        | Role::IntegrationOrganisation
        | Role::PolicyAnalyst
        | Role::Administrator => [false; 5],
    }
}

fn transition(seq: i64, action: Action, actor: &str) -> Transition {
    Transition {
        seq,
        from: Some(CaseState::UnderAssessment),
        to: action.kind().target_from(CaseState::UnderAssessment),
        action,
        occurred_on: date!(2025 - 03 - 01),
        recorded_at: datetime!(2025-03-01 12:00 UTC),
        actor: actor.into(),
        reason: Some(format!("reason of {actor}")),
        previous_version: seq,
    }
}

fn history() -> Vec<Transition> {
    vec![
        transition(
            1,
            Action::Accept {
                policy_basis: Some("country policy: religious minority".into()),
                place_override: Some("urgent medical need".into()),
            },
            "ind.officer",
        ),
        transition(
            2,
            Action::House {
                housing: Housing::CoaReception {
                    location: "Ter Apel".into(),
                    reason: "treatment nearby".into(),
                },
            },
            "coa.officer",
        ),
        // Written by the reader itself: its own reason stays.
        transition(3, Action::Close, "reader"),
    ]
}

#[test]
fn each_role_reads_exactly_the_free_text_of_its_audience_in_the_history() {
    for role in Role::ALL {
        let [
            history_reason,
            housing_reason,
            _,
            place_override,
            policy_basis,
        ] = audience(*role);
        let seen = redact_history(history(), *role, "reader");
        assert_eq!(seen.len(), 3, "{role}: nothing is dropped, only blanked");
        let reasons: Vec<bool> = seen.iter().map(|t| t.reason.is_some()).collect();
        assert_eq!(
            reasons,
            vec![history_reason, history_reason, true],
            "{role}: history reasons (the reader's own always)"
        );
        let Action::Accept {
            policy_basis: basis,
            place_override: over,
        } = &seen[0].action
        else {
            panic!("the acceptance stays an acceptance");
        };
        assert_eq!(basis.is_some(), policy_basis, "{role}: policy basis");
        assert_eq!(over.is_some(), place_override, "{role}: place override");
        let Action::House {
            housing: Housing::CoaReception { location, reason },
        } = &seen[1].action
        else {
            panic!("the housing stays a COA reception");
        };
        assert_eq!(location, "Ter Apel", "{role}: the location is no free text");
        assert_eq!(!reason.is_empty(), housing_reason, "{role}: housing reason");
    }
}

#[test]
fn each_role_reads_exactly_the_free_text_of_its_audience_on_the_case() {
    let on = date!(2025 - 01 - 06);
    let ctx = resettle_domain::Context {
        occurred_on: on,
        recorded_at: datetime!(2025-06-01 12:00 UTC),
        actor: "t".into(),
        reason: None,
    };
    let s = sample::submission("LBN-25C00003", 2, on).unwrap();
    let mut case: Case = Case::submit(CaseId::generate(), s, &ctx).unwrap().case;
    case.housing = Some(Housing::CoaReception {
        location: "Ter Apel".into(),
        reason: "treatment nearby".into(),
    });
    case.consents = vec![
        Consent {
            recipient: Some("Zwolle".into()),
            given_on: on,
            override_reason: Some("danger to life".into()),
            recorded_by: "coa".into(),
        },
        Consent {
            recipient: Some("Utrecht".into()),
            given_on: on,
            override_reason: None,
            recorded_by: "coa".into(),
        },
    ];
    for role in Role::ALL {
        let [_, housing_reason, override_reason, _, _] = audience(*role);
        let (seen, _) = redact(&case, *role, Some("Zwolle"));
        let Some(Housing::CoaReception { reason, .. }) = &seen.housing else {
            panic!("{role}: the housing is kept");
        };
        assert_eq!(!reason.is_empty(), housing_reason, "{role}: housing reason");
        let zwolle = seen
            .consents
            .iter()
            .find(|c| c.recipient.as_deref() == Some("Zwolle"))
            .expect("the reader's own consent is kept");
        // An override stays visible as an override, without its reason.
        let reason = zwolle.override_reason.as_deref().unwrap_or_default();
        assert!(zwolle.override_reason.is_some(), "{role}");
        assert_eq!(
            !reason.is_empty(),
            override_reason,
            "{role}: override reason"
        );
        // Consents for others are none of a municipality's business.
        let placement = matches!(
            role,
            Role::MunicipalityOfficer | Role::IntegrationOrganisation
        );
        assert_eq!(seen.consents.len(), if placement { 1 } else { 2 }, "{role}");
    }
}
