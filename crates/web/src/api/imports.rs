//! Bulk import of UNHCR submissions (format `resettle-submissions/1`, see
//! docs/import-format.md): all or nothing, every problem listed.

use crate::api::cases::bad_body;
use crate::auth::{Importer, audit};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use resettle_domain::Role;
use resettle_domain::audit::AuditResult;
use resettle_domain::import::{ImportFile, validate_file};
use resettle_domain::{CaseId, CaseNumber, Context};
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

/// Imports a file of UNHCR submissions. Nothing is stored unless every record is valid.
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
        occurred_on: now.date(),
        recorded_at: now,
        actor: p.name().to_string(),
        reason: None,
    };
    let mut cases = validate_file(&file, &ctx).map_err(|problems| {
        Problem::bad_request(
            format!(
                "the import was refused with {} problem(s); nothing was stored",
                problems.len()
            ),
            problems.into_iter().map(FieldError::from).collect(),
        )
    })?;
    // A UNHCR liaison submits for their own office, whatever the file says.
    if p.user.role == Role::UnhcrLiaison {
        for c in &mut cases {
            c.case.submitted_by = p.user.organisation.clone();
        }
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
