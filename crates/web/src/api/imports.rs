//! Bulk import of UNHCR submissions (format `resettle-submissions/1`, see
//! docs/import-format.md): all or nothing, every problem listed.

use crate::api::cases::bad_body;
use crate::auth::{Importer, Principal, audit};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use resettle_domain::Role;
use resettle_domain::access::case_scope;
use resettle_domain::audit::AuditResult;
use resettle_domain::import::{ImportFile, ImportProblem, milestones_refused, validate_file};
use resettle_domain::{CaseId, CaseNumber, Context};
use resettle_domain::{CaseScope, NewCase};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedCase {
    pub id: CaseId,
    pub case_number: CaseNumber,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// Number of cases stored.
    pub imported: usize,
    /// Number of persons in them.
    pub persons: usize,
    pub cases: Vec<ImportedCase>,
}

/// Imports a file of UNHCR submissions, each as a case in state `submitted`.
/// Nothing is stored unless every record is valid; records with history
/// `milestones` are refused (an operator migrates histories on the command line).
#[utoipa::path(post, path = "/submission-imports", tag = "imports",
    request_body(content = ImportFile, description = "A `resettle-submissions/1` file (docs/import-format.md)"),
    responses(
        (status = 201, description = "Every case was stored", body = ImportResult),
        (status = 400, description = "Nothing was stored; every problem is listed by record and field", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_import(
    State(state): State<AppState>,
    importer: Importer,
    body: Result<Json<ImportFile>, JsonRejection>,
) -> Result<(StatusCode, Json<ImportResult>), Problem> {
    let Json(file) = body.map_err(bad_body)?;
    let p = &importer.0;
    let now = state.now();
    let ctx = Context {
        occurred_on: resettle_domain::calendar::business_day(now),
        recorded_at: now,
        actor: p.name().to_string(),
        reason: None,
    };
    let refused = |mut problems: Vec<ImportProblem>| {
        problems.sort_by_key(|p| p.record);
        Problem::bad_request(
            format!(
                "the import was refused with {} problem(s); nothing was stored",
                problems.len()
            ),
            problems.into_iter().map(FieldError::from).collect(),
        )
    };
    let mut problems = milestones_refused(&file);
    let checked = validate_file(&file, &ctx);
    let mut cases = match checked {
        Ok(cases) if problems.is_empty() => cases,
        Ok(_) => return Err(refused(problems)),
        Err(more) => {
            problems.extend(more);
            return Err(refused(problems));
        }
    };
    // A UNHCR liaison submits for their own office, whatever the file says.
    if p.user.role == Role::UnhcrLiaison {
        for c in &mut cases {
            c.case.submitted_by = p.user.organisation.clone();
        }
    }
    let unseen = unseen_relatives(&state, p, &cases).await?;
    if !unseen.is_empty() {
        let object = format!("{} submissions", cases.len());
        audit(
            &state,
            p.name(),
            "import-submissions",
            &object,
            AuditResult::Failed,
            &p.origin,
        )
        .await;
        return Err(refused(unseen));
    }
    let outcome = state.store.import_cases(&cases, &|_| {}).await;
    let result = if outcome.is_ok() {
        AuditResult::Ok
    } else {
        AuditResult::Failed
    };
    let object = format!("{} submissions", cases.len());
    audit(
        &state,
        p.name(),
        "import-submissions",
        &object,
        result,
        &p.origin,
    )
    .await;
    outcome?;
    let result = ImportResult {
        imported: cases.len(),
        persons: cases.iter().map(|c| c.case.persons()).sum(),
        cases: cases
            .into_iter()
            .map(|c| ImportedCase {
                id: c.case.id,
                case_number: c.case.submission.case_number,
            })
            .collect(),
    };
    Ok((StatusCode::CREATED, Json(result)))
}

/// Family reunification with a case the importer may not see is refused as
/// "not found", exactly like a case that does not exist: an import never tells
/// whether a case outside the importer's scope exists, has arrived, or is
/// itself family reunification.
async fn unseen_relatives(
    state: &AppState,
    p: &Principal,
    cases: &[NewCase],
) -> Result<Vec<ImportProblem>, Problem> {
    let scope = case_scope(p.user.role, p.user.organisation.as_deref());
    if scope == CaseScope::All {
        return Ok(Vec::new());
    }
    let in_file: std::collections::HashSet<&str> = cases
        .iter()
        .map(|c| c.case.submission.case_number.as_str())
        .collect();
    let mut problems = Vec::new();
    for (index, new) in cases.iter().enumerate() {
        let Some(of) = &new.case.submission.family_reunification_of else {
            continue;
        };
        if in_file.contains(of.as_str()) {
            continue;
        }
        let seen = state
            .store
            .case_by_number(of)
            .await?
            .is_some_and(|c| c.in_scope(&scope));
        if !seen {
            problems.push(ImportProblem {
                record: Some(index),
                case_number: Some(new.case.submission.case_number.to_string()),
                field: "familyReunificationOf".into(),
                message: format!("case {of} was not found"),
            });
        }
    }
    Ok(problems)
}
