//! Each field rule of an action, one action at a time: the invalid value gives
//! exactly its field and rule, the valid value none. Written for the mutants
//! of `Action::field_problems`, `FieldRule::code`, `allowed_actions` and
//! `sets_counted_date` that survived the domain's other tests (`cargo
//! mutants`, bench/RESULTS.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::lifecycle::{
    Action, ActionKind, FieldRule, Guidance, Housing, Permit, RejectionGround, TransitionError,
};
use resettle_domain::{Case, CaseId, CaseState, Context, sample};
use time::macros::{date, datetime};

fn case() -> Case {
    let ctx = Context {
        occurred_on: date!(2025 - 01 - 06),
        recorded_at: datetime!(2025-01-06 12:00 UTC),
        actor: "t".into(),
        reason: None,
    };
    let s = sample::submission("LBN-25C00004", 2, ctx.occurred_on).unwrap();
    Case::submit(CaseId::generate(), s, &ctx).unwrap().case
}

/// The field rules broken by taking `action` with `reason` (state and
/// assignment refusals left out: this is about the fields).
fn broken(action: &Action, reason: Option<&str>) -> Vec<(&'static str, &'static str)> {
    let ctx = Context {
        occurred_on: date!(2025 - 03 - 03),
        recorded_at: datetime!(2025-03-03 12:00 UTC),
        actor: "officer".into(),
        reason: reason.map(str::to_string),
    };
    case()
        .problems(action, &ctx)
        .into_iter()
        .filter_map(|e| match e {
            TransitionError::InvalidField { field, rule } => Some((field, rule.code())),
            _ => None,
        })
        .collect()
}

#[test]
fn each_field_rule_names_its_field_and_only_an_invalid_value_breaks_it() {
    let coa = |location: &str, reason: &str| Action::House {
        housing: Housing::CoaReception {
            location: location.into(),
            reason: reason.into(),
        },
    };
    let guidance = |organisation: &str| Action::StartIntegrationGuidance {
        guidance: Guidance {
            organisation: organisation.into(),
            until: date!(2026 - 03 - 03),
            sponsor_group: None,
        },
    };
    // An action, its reason, and the (field, rule code) pairs it breaks.
    type Row<'a> = (Action, Option<&'a str>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Row> = vec![
        (
            Action::Accept {
                policy_basis: None,
                place_override: Some("  ".into()),
            },
            None,
            vec![("action.placeOverride", "override-needs-reason")],
        ),
        (
            Action::Accept {
                policy_basis: None,
                place_override: Some("urgent medical need".into()),
            },
            None,
            vec![],
        ),
        (Action::accept(), None, vec![]),
        (
            Action::Reject { grounds: vec![] },
            Some(" "),
            vec![
                ("grounds", "rejection-needs-ground"),
                ("reason", "rejection-needs-motivation"),
            ],
        ),
        (
            Action::Reject {
                grounds: vec![RejectionGround::Exclusion],
            },
            Some("art. 1F"),
            vec![],
        ),
        (
            Action::Withdraw,
            None,
            vec![("reason", "withdrawal-needs-reason")],
        ),
        (Action::Withdraw, Some("the family withdrew"), vec![]),
        (
            Action::Arrive {
                permit: Permit {
                    valid_until: date!(2025 - 03 - 03),
                },
            },
            None,
            vec![("permit.validUntil", "permit-after-arrival")],
        ),
        (
            Action::Arrive {
                permit: Permit {
                    valid_until: date!(2030 - 03 - 03),
                },
            },
            None,
            vec![],
        ),
        (
            Action::House {
                housing: Housing::Municipality {
                    municipality: " ".into(),
                },
            },
            None,
            vec![("housing.municipality", "name-municipality")],
        ),
        (
            Action::House {
                housing: Housing::Municipality {
                    municipality: "Zwolle".into(),
                },
            },
            None,
            vec![],
        ),
        (
            Action::AssignHousing {
                municipality: "".into(),
            },
            None,
            vec![("action.municipality", "name-municipality")],
        ),
        (
            coa("", ""),
            None,
            vec![
                ("housing.location", "name-coa-location"),
                ("housing.reason", "say-why-coa-first"),
            ],
        ),
        (coa("Ter Apel", "no dwelling yet"), None, vec![]),
        (
            guidance(" "),
            None,
            vec![("guidance.organisation", "name-organisation")],
        ),
        (guidance("VluchtelingenWerk"), None, vec![]),
    ];
    for (action, reason, expected) in cases {
        assert_eq!(broken(&action, reason), expected, "{action:?}");
    }
}

#[test]
fn every_rule_has_its_own_code() {
    let mut codes: Vec<&str> = FieldRule::ALL.iter().map(|r| r.code()).collect();
    assert!(
        codes
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
    );
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), FieldRule::ALL.len(), "two rules share a code");
}

#[test]
fn what_each_state_allows_and_which_actions_move_a_counted_date() {
    let submitted = CaseState::Submitted.allowed_actions();
    assert!(
        submitted.contains(&ActionKind::StartAssessment),
        "{submitted:?}"
    );
    assert!(submitted.contains(&ActionKind::Withdraw), "{submitted:?}");
    assert!(!submitted.contains(&ActionKind::Arrive), "{submitted:?}");
    assert_eq!(CaseState::Closed.allowed_actions(), vec![]);
    assert!(Action::accept().sets_counted_date());
    assert!(
        Action::Arrive {
            permit: Permit {
                valid_until: date!(2030 - 01 - 01)
            }
        }
        .sets_counted_date()
    );
    assert!(!Action::Withdraw.sets_counted_date());
    assert!(!Action::Close.sets_counted_date());
}
