//! Will each commitment be met? The forecast, with scenarios.

use crate::auth::{ReportReader, audit};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use resettle_domain::audit::AuditResult;
use resettle_domain::forecast::{Forecast, Scenario, forecast};
use resettle_domain::rule::{self, ValueError};
use serde::Deserialize;
use utoipa::ToSchema;

/// Most runs one request may ask for.
pub const MAX_RUNS: u32 = 20_000;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForecastRequest {
    /// Simulated futures (default 2,000, at most 20,000).
    pub runs: Option<u32>,
    /// The same seed gives the same forecast (default 1); 0 to 2^63 - 1, the
    /// range the document can state (int64).
    pub seed: Option<u64>,
    /// Months ahead (default 24, at most 60).
    pub horizon_months: Option<u32>,
    /// What-ifs: cancelled missions, a pause, changed commitments, hosts brought forward.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub scenario: Scenario,
}

/// Runs the forecast from the live pipeline and the policy in force.
pub(crate) async fn run(state: &AppState, request: &ForecastRequest) -> Result<Forecast, Problem> {
    let runs = request.runs.unwrap_or(2000);
    let horizon = request.horizon_months.unwrap_or(24);
    let mut errors = Vec::new();
    for (field, value, max) in [("runs", runs, MAX_RUNS), ("horizonMonths", horizon, 60)] {
        if let Err(e) = rule::whole_number(&value.to_string(), 1, max.into()) {
            errors.push(e.at(field).into());
        }
    }
    if let Some(seed) = request.seed
        && let Err(e) = rule::whole_number(&seed.to_string(), 0, i64::MAX)
    {
        errors.push(e.at("seed").into());
    }
    if !errors.is_empty() {
        return Err(Problem::bad_request(
            "the forecast request is invalid",
            errors,
        ));
    }
    let policy = state.store.policy().await?.ok_or_else(|| {
        Problem::new(
            StatusCode::CONFLICT,
            "no policy is loaded yet: load one with 'resettle policy load FILE'",
        )
    })?;
    let input = crate::forecasts::live_input(
        state.store.as_ref(),
        &policy.document,
        state.today(),
        horizon,
    )
    .await?;
    let seed = request.seed.unwrap_or(1);
    let scenario = request.scenario.clone();
    let doc = policy.document.clone();
    // The simulation is CPU work: keep it off the request threads.
    tokio::task::spawn_blocking(move || forecast(&input, &doc, &scenario, runs, seed))
        .await
        .map_err(|e| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the forecast failed: {e}"),
            )
        })
}

/// Forecasts arrivals per month (10/50/90% bands) and, per framework, the
/// probability that its commitment is met, under an optional scenario.
#[utoipa::path(post, path = "/forecasts", tag = "reports", request_body = ForecastRequest,
    responses(
        (status = 200, description = "The forecast", body = Forecast),
        (status = 400, description = "The request is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No policy loaded", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_forecast(
    State(state): State<AppState>,
    reader: ReportReader,
    body: Result<Json<ForecastRequest>, JsonRejection>,
) -> Result<Json<Forecast>, Problem> {
    let Json(request) = body.map_err(crate::api::cases::bad_body)?;
    let p = &reader.0;
    audit(
        &state,
        p.name(),
        "forecast",
        "forecast",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    Ok(Json(run(&state, &request).await?))
}
