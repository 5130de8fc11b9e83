//! The import format: the documented example is valid; bad records are reported
//! all at once, each by record and field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::import::{ImportFile, ImportProblem, validate_file};
use resettle_domain::{CaseState, Context};
use time::macros::{date, datetime};

const EXAMPLE: &str = include_str!("../../../docs/import-example.json");

fn ctx() -> Context {
    Context {
        occurred_on: date!(2025 - 12 - 01),
        recorded_at: datetime!(2025-12-01 12:00 UTC),
        actor: "importer.test".into(),
        reason: None,
    }
}

fn problems(json: &str) -> Vec<ImportProblem> {
    let file: ImportFile = serde_json::from_str(json).unwrap();
    validate_file(&file, &ctx()).unwrap_err()
}

#[test]
fn the_documented_example_imports_with_its_history() {
    let file: ImportFile = serde_json::from_str(EXAMPLE).unwrap();
    let cases = validate_file(&file, &ctx()).unwrap();
    assert_eq!(cases.len(), 3);
    let first = &cases[0];
    assert_eq!(first.case.state, CaseState::IntegrationGuidance);
    assert_eq!(first.history.len(), 8);
    assert_eq!(first.case.arrived_on, Some(date!(2024 - 08 - 21)));
    assert_eq!(first.case.persons(), 2);
    assert_eq!(
        cases[2].case.kind(),
        resettle_domain::CaseKind::FamilyReunification
    );
}

#[test]
fn every_problem_of_every_record_is_listed_with_record_and_field() {
    let mut file: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let subs = file["submissions"].as_array_mut().unwrap();
    subs[0]["hostCountry"] = "XYZ".into();
    subs[0]["members"][1]["dateOfBirth"] = "2099-01-01".into();
    subs[1]["submissionPriority"] = "soon".into();
    subs[1]["milestones"][0]["state"] = "arrived".into();
    subs[2]["caseNumber"] = "EGY-24C00101".into();
    let found = problems(&file.to_string());
    let keys: Vec<(Option<usize>, &str)> =
        found.iter().map(|p| (p.record, p.field.as_str())).collect();
    assert!(keys.contains(&(Some(0), "hostCountry")), "{found:?}");
    assert!(
        keys.contains(&(Some(0), "members[1].dateOfBirth")),
        "{found:?}"
    );
    assert!(keys.contains(&(Some(1), "submissionPriority")), "{found:?}");
    assert!(keys.contains(&(Some(2), "caseNumber")), "{found:?}");
    let shown = found
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(shown.contains("submissions[0] (case EGY-24C00101) members[1].dateOfBirth: date of birth 2099-01-01 lies in the future"), "{shown}");
    assert!(
        shown.contains("case EGY-24C00101 also appears at submissions[0]"),
        "{shown}"
    );
}

#[test]
fn an_illegal_milestone_order_is_refused_at_that_milestone() {
    let mut file: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    file["submissions"][1]["milestones"] = serde_json::json!([{ "state": "arrived", "on": "2024-11-06", "permitValidUntil": "2029-11-06" }]);
    let found = problems(&file.to_string());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "milestones[0].state");
    assert!(
        found[0]
            .message
            .contains("not allowed from state 'under-assessment'")
            || found[0]
                .message
                .contains("not allowed from state 'submitted'")
    );
}

#[test]
fn required_fields_and_structure() {
    let json =
        r#"{"format":"resettle-submissions/9","submissions":[{"caseNumber":"  ","members":[]}]}"#;
    let found = problems(json);
    let fields: Vec<&str> = found.iter().map(|p| p.field.as_str()).collect();
    for f in [
        "format",
        "caseNumber",
        "unhcrReference",
        "hostCountry",
        "submissionPriority",
        "primaryCategory",
        "programme",
        "track",
        "submittedOn",
        "members",
    ] {
        assert!(fields.contains(&f), "missing problem for {f}: {fields:?}");
    }
}

#[test]
fn a_case_needs_exactly_one_principal_applicant_and_dossier_needs_urgency() {
    let mut file: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    file["submissions"][0]["members"][1]["relationship"] = "principal-applicant".into();
    file["submissions"][1]["submissionPriority"] = "normal".into();
    let found = problems(&file.to_string());
    assert!(
        found
            .iter()
            .any(|p| p.record == Some(0) && p.field == "members" && p.message.contains("found 2"))
    );
    assert!(
        found
            .iter()
            .any(|p| p.record == Some(1) && p.field == "track")
    );
}
