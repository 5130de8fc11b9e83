//! The ledger's reports as JSON (or CSV, Markdown, XLSX for analysts), and the
//! policy they count against.

use crate::auth::{PolicyAdmin, PolicyReader, Principal, ReportReader, audit};
use crate::pages::{Lang, T};
use crate::problem::{FieldError, Problem};
use crate::reports::{self, ReportName, render};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resettle_domain::audit::AuditResult;
use resettle_domain::policy::PolicySet;
use resettle_domain::rule::{FieldProblem, Rule, ValueError};
use resettle_store::policy::PolicyVersion;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Round counts of persons to tens, as in publications.
    #[serde(default)]
    pub round_to_tens: bool,
    /// `json` (default), `csv`, `md` or `xlsx`.
    pub format: Option<String>,
    /// The language of a file's headings and words: `nl` or `en`. A page's
    /// download link sets its own; the API's default is English.
    pub lang: Option<String>,
}

impl ReportParams {
    /// The language asked for, else `default`.
    pub fn lang(&self, default: T) -> T {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .map_or(default, T)
    }
}

/// Builds a report from the policy in force and the live case data.
pub(crate) async fn build(state: &AppState, name: ReportName) -> Result<reports::Report, Problem> {
    let policy = state.store.policy().await?.ok_or_else(|| {
        Problem::new(
            StatusCode::CONFLICT,
            "no policy is loaded yet: load one with 'resettle policy load FILE'",
        )
    })?;
    let groups = state.store.person_groups().await?;
    Ok(reports::build(name, &policy.document, &groups))
}

/// A report in a file format, as a download.
pub(crate) fn file(
    report: &reports::Report,
    name: &str,
    format: &str,
    round: bool,
    t: T,
) -> Result<Response, Problem> {
    file_from_tables(&render::tables(report, t), name, format, round, t.0)
}

/// Tables in a file format (csv, md, xlsx), as a download.
pub(crate) fn file_from_tables(
    tables: &[render::Table],
    name: &str,
    format: &str,
    round: bool,
    lang: Lang,
) -> Result<Response, Problem> {
    let fail = |e: String| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e);
    let (body, kind, ext): (Vec<u8>, &str, &str) = match format {
        "csv" => (
            render::csv(tables, round).map_err(fail)?.into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        "md" => (
            render::markdown(tables, round, lang).into_bytes(),
            "text/markdown; charset=utf-8",
            "md",
        ),
        "xlsx" => (
            render::xlsx(tables, round).map_err(fail)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        other => {
            return Err(Problem::bad_request(
                format!("'{other}' is not a format"),
                vec![Problem::field("format", "choose json, csv, md or xlsx")],
            ));
        }
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"resettle-{name}.{ext}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

pub(crate) async fn report_response(
    state: &AppState,
    p: &Principal,
    raw: &str,
    params: &ReportParams,
) -> Result<Response, Problem> {
    let name = ReportName::parse(raw).map_err(|e| Problem::new(StatusCode::NOT_FOUND, e))?;
    let report = build(state, name).await?;
    let format = params.format.as_deref().unwrap_or("json");
    let action = if format == "json" {
        "read-report"
    } else {
        "export-report"
    };
    audit(
        state,
        p.name(),
        action,
        &format!("report {} ({format})", name.as_str()),
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    if format == "json" {
        Ok(Json(report.json(params.round_to_tens)).into_response())
    } else {
        file(
            &report,
            name.as_str(),
            format,
            params.round_to_tens,
            params.lang(T(Lang::En)),
        )
    }
}

/// One report of the quota ledger, computed live from case data and the policy:
/// `frameworks` (the letter's table), `eu` (pledges and funding),
/// `composition` (host countries, nationalities, categories, priorities) and
/// `allocation` (plans against selections).
#[utoipa::path(get, path = "/reports/{name}", tag = "reports",
    params(("name" = String, Path, description = "frameworks, eu, composition or allocation"), ReportParams),
    responses(
        (status = 200, description = "The report: JSON, or a download in the `format` asked for", content(
            (serde_json::Value = "application/json"),
            (String = "text/csv"),
            (String = "text/markdown"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "`format` or `roundToTens` is not one of the values listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No policy loaded", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_report(
    State(state): State<AppState>,
    reader: ReportReader,
    Path(name): Path<String>,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    report_response(&state, &reader.0, &name, &params).await
}

/// The policy in force.
#[utoipa::path(get, path = "/policy", tag = "reports",
    responses(
        (status = 200, description = "The newest policy version", body = serde_json::Value),
        (status = 404, description = "No policy loaded", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_policy(
    State(state): State<AppState>,
    _reader: PolicyReader,
) -> Result<Json<PolicyVersion>, Problem> {
    state
        .store
        .policy()
        .await?
        .map(Json)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "no policy is loaded yet"))
}

/// Every version of the policy, newest first, with who changed it, when and why.
#[utoipa::path(get, path = "/policy/versions", tag = "reports",
    responses((status = 200, description = "The versions", body = serde_json::Value)))]
pub async fn list_policy_versions(
    State(state): State<AppState>,
    _reader: PolicyReader,
) -> Result<Json<Vec<PolicyVersion>>, Problem> {
    Ok(Json(state.store.policy_versions().await?))
}

/// A new policy version.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyChange {
    /// The version the change was made against (absent for the first).
    pub expected_version: Option<i64>,
    /// Why the policy changes (kept with the version).
    pub reason: String,
    pub document: PolicySet,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicySaved {
    pub version: i64,
}

/// Replaces the policy with a new version; every problem of the document is listed.
#[utoipa::path(put, path = "/policy", tag = "reports", request_body = PolicyChange,
    responses(
        (status = 201, description = "Stored as a new version", body = PolicySaved),
        (status = 400, description = "The document is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone changed the policy since `expectedVersion`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_policy(
    State(state): State<AppState>,
    admin: PolicyAdmin,
    body: Result<Json<PolicyChange>, JsonRejection>,
) -> Result<(StatusCode, Json<PolicySaved>), Problem> {
    let Json(change) = body.map_err(crate::api::cases::bad_body)?;
    let p = &admin.0;
    let version = save(
        &state,
        p,
        &change.document,
        change.expected_version,
        &change.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(PolicySaved { version })))
}

/// Validates and stores a policy version, auditing the change.
pub(crate) async fn save(
    state: &AppState,
    p: &Principal,
    document: &PolicySet,
    expected: Option<i64>,
    reason: &str,
) -> Result<i64, Problem> {
    let mut errors: Vec<FieldError> = match document.validate() {
        Ok(()) => vec![],
        Err(problems) => problems
            .into_iter()
            .map(|e| {
                let field = format!("document.{}", e.field);
                e.at(&field).into()
            })
            .collect(),
    };
    if reason.trim().is_empty() {
        errors.push(
            FieldProblem::new(
                "reason",
                Rule::PolicyNeedsReason,
                "say why the policy changes",
            )
            .into(),
        );
    }
    if !errors.is_empty() {
        return Err(Problem::bad_request("the policy was not stored", errors));
    }
    let outcome = state
        .store
        .save_policy(document, expected, p.name(), state.now(), reason.trim())
        .await;
    let result = if outcome.is_ok() {
        AuditResult::Ok
    } else {
        AuditResult::Failed
    };
    audit(
        state,
        p.name(),
        "change-policy",
        "policy",
        result,
        &p.origin,
    )
    .await;
    outcome.map_err(|e| match e {
        resettle_store::StoreError::PolicyConflict { .. } => {
            Problem::new(StatusCode::CONFLICT, e.to_string())
        }
        other => other.into(),
    })
}
