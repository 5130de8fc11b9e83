//! The time-norms dashboard as JSON, CSV or XLSX.

use crate::auth::{CaseReader, Principal, audit};
use crate::filters::opt;
use crate::norms::{AT_RISK_DAYS, Dashboard, dashboard, tables};
use crate::pages::{Lang, T};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use resettle_domain::CountryCode;
use resettle_domain::audit::AuditResult;
use resettle_domain::norms::{Norm, NormStatus};
use resettle_domain::rule::{self, FieldProblem, Rule, ValueError};
use resettle_store::CaseFilter;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct NormParams {
    /// `at-risk-or-overdue` (default), `at-risk`, `overdue`, `on-track` or `all`.
    pub status: Option<String>,
    /// `selection-to-arrival`, `submission-priority` or both (default).
    pub norm: Option<String>,
    /// Host country, ISO alpha-3.
    pub host_country: Option<String>,
    /// Days left at which a case is at risk (default 30).
    pub at_risk_days: Option<i64>,
    /// The day to check the norms on (default today): a fixed day makes the dashboard reproducible.
    pub as_of: Option<String>,
    /// Only the cases selected on this mission (UUID), or `none` for cases on no mission.
    pub mission: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// The language of a file's headings and words: `nl` or `en` (default).
    pub lang: Option<String>,
}

impl NormParams {
    /// The language asked for, else `default`.
    pub fn lang(&self, default: T) -> T {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .map_or(default, T)
    }
}

/// Parses the parameters, builds the dashboard within the reader's scope.
pub(crate) async fn build(
    state: &AppState,
    reader: &CaseReader,
    q: &NormParams,
) -> Result<Dashboard, Problem> {
    let mut errors = Vec::new();
    let one_of = |field: &str, value: &str, allowed: &[&str]| {
        FieldProblem::new(
            field,
            Rule::OneOf,
            format!("'{value}' is not one of: {}", allowed.join(", ")),
        )
        .with("value", value)
        .with("allowed", allowed.join(", "))
        .into()
    };
    let statuses: Vec<NormStatus> = match q.status.as_deref().unwrap_or("at-risk-or-overdue") {
        "at-risk-or-overdue" | "" => vec![NormStatus::AtRisk, NormStatus::Overdue],
        "at-risk" => vec![NormStatus::AtRisk],
        "overdue" => vec![NormStatus::Overdue],
        "on-track" => vec![NormStatus::OnTrack],
        "all" => vec![NormStatus::AtRisk, NormStatus::Overdue, NormStatus::OnTrack],
        other => {
            let allowed = [
                "at-risk-or-overdue",
                "at-risk",
                "overdue",
                "on-track",
                "all",
            ];
            errors.push(one_of("status", other, &allowed));
            vec![]
        }
    };
    let norms: Vec<Norm> = match q.norm.as_deref().unwrap_or("") {
        "" => vec![Norm::SelectionToArrival, Norm::SubmissionPriority],
        "selection-to-arrival" => vec![Norm::SelectionToArrival],
        "submission-priority" => vec![Norm::SubmissionPriority],
        other => {
            let allowed = ["selection-to-arrival", "submission-priority"];
            errors.push(one_of("norm", other, &allowed));
            vec![]
        }
    };
    let host = opt(
        &mut errors,
        "hostCountry",
        &q.host_country,
        CountryCode::parse,
    );
    let at_risk_days = q.at_risk_days.unwrap_or(AT_RISK_DAYS);
    if let Err(e) = rule::whole_number(&at_risk_days.to_string(), 0, 365) {
        errors.push(e.at("atRiskDays").into());
    }
    let today = match q.as_of.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(_) => opt(&mut errors, "asOf", &q.as_of, rule::date),
        None => Some(state.today()),
    };
    let mission: Option<Option<resettle_domain::MissionId>> = match q
        .mission
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some("none") => Some(None),
        Some(m) => match m.parse() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                errors.push(
                    FieldProblem::new(
                        "mission",
                        Rule::MissionId,
                        format!("'{m}' is not a mission id"),
                    )
                    .with("value", m)
                    .into(),
                );
                None
            }
        },
    };
    let (false, Some(today)) = (!errors.is_empty(), today) else {
        return Err(Problem::bad_request("the norms filter is invalid", errors));
    };
    let filter = CaseFilter {
        host_country: host,
        scope: Some(reader.scope.clone()),
        ..CaseFilter::default()
    };
    let mut cases = state.store.cases_in_pipeline(&filter).await?;
    if let Some(m) = mission {
        cases.retain(|c| c.mission_id == m);
    }
    Ok(dashboard(&cases, today, at_risk_days, &statuses, &norms))
}

pub(crate) async fn respond(
    state: &AppState,
    p: &Principal,
    d: Dashboard,
    format: Option<&str>,
    t: T,
) -> Result<Response, Problem> {
    let format = format.unwrap_or("json");
    let action = if format == "json" {
        "read-norms"
    } else {
        "export-norms"
    };
    audit(
        state,
        p.name(),
        action,
        &format!("norms ({format})"),
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    if format == "json" {
        return Ok(Json(d).into_response());
    }
    let report_like = tables(&d, t);
    crate::api::reports::file_from_tables(&report_like, "norms", format, false, t.0)
}

/// Cases at risk of missing, or past, the time norms, within the reader's scope.
#[utoipa::path(get, path = "/norms", tag = "cases", params(NormParams),
    responses(
        (status = 200, description = "The dashboard: JSON, or a download in the `format` asked for", content(
            (Dashboard = "application/json"),
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "A filter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_norms(
    State(state): State<AppState>,
    reader: CaseReader,
    q: Result<Query<NormParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let d = build(&state, &reader, &q).await?;
    respond(
        &state,
        &reader.principal,
        d,
        q.format.as_deref(),
        q.lang(T(Lang::En)),
    )
    .await
}
