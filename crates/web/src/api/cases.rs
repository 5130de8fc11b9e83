//! Cases: list with filters and paging, detail with members and history, and
//! the transitions that move a case through its lifecycle.

use crate::filters::CaseQuery;
use crate::problem::Problem;
use crate::state::{Actor, AppState};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resettle_domain::{Action, ActionKind, Case, CaseId, Context, Transition};
use resettle_store::workflow::take_action;
use resettle_store::{CaseSummary, Page};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// A case with its members, its history and what may be done next.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    /// The actions that may be taken from the current state.
    pub allowed_actions: Vec<ActionKind>,
    pub history: Vec<Transition>,
}

/// A request to take an action on a case.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransitionRequest {
    /// The version of the case the officer saw; a newer version means someone
    /// else changed the case meanwhile, and the request is refused with 409.
    pub expected_version: i64,
    /// The day the event took place; today (UTC) when left out.
    pub occurred_on: Option<Date>,
    /// Why; required for a withdrawal.
    pub reason: Option<String>,
    pub action: Action,
}

/// The case after the transition, and the history entry it made.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransitionResult {
    pub case: Case,
    pub transition: Transition,
}

pub(crate) fn parse_id(raw: &str) -> Result<CaseId, Problem> {
    raw.parse()
        .map_err(|_| Problem::new(StatusCode::NOT_FOUND, format!("there is no case {raw}")))
}

pub(crate) fn bad_body(rejection: JsonRejection) -> Problem {
    let detail = rejection.body_text();
    Problem::bad_request(detail.clone(), vec![Problem::field("body", detail)])
}

async fn load(state: &AppState, id: CaseId) -> Result<Case, Problem> {
    state
        .store
        .case(id)
        .await?
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, format!("there is no case {id}")))
}

/// Lists cases, newest submission first.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseQuery),
    responses(
        (status = 200, description = "One page of cases", body = Page<CaseSummary>),
        (status = 400, description = "A filter is invalid; every bad parameter is listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_cases(
    State(state): State<AppState>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Json<Page<CaseSummary>>, Problem> {
    let Query(query) = query.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let (filter, page) = query
        .parse()
        .map_err(|errors| Problem::bad_request("the case filter is invalid", errors))?;
    Ok(Json(state.store.list_cases(&filter, page).await?))
}

/// One case with its members and full history.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_case(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let case = load(&state, id).await?;
    let history = state.store.history(id).await?;
    let etag = format!("\"{}\"", case.version);
    let detail = CaseDetail {
        allowed_actions: case.allowed_actions(),
        case,
        history,
    };
    let mut response = Json(detail).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// The history of a case, oldest first.
#[utoipa::path(get, path = "/cases/{id}/transitions", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    responses(
        (status = 200, description = "The history", body = Vec<Transition>),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_transitions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Transition>>, Problem> {
    let id = parse_id(&id)?;
    load(&state, id).await?;
    Ok(Json(state.store.history(id).await?))
}

/// One entry of the history.
#[utoipa::path(get, path = "/cases/{id}/transitions/{seq}", tag = "cases",
    params(
        ("id" = String, Path, description = "Case id (UUID)"),
        ("seq" = i64, Path, description = "Position in the history, from 1"),
    ),
    responses(
        (status = 200, description = "The history entry", body = Transition),
        (status = 404, description = "No such case or entry", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_transition(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Json<Transition>, Problem> {
    let id = parse_id(&id)?;
    let history = state.store.history(id).await?;
    seq.parse::<i64>()
        .ok()
        .and_then(|seq| history.into_iter().find(|t| t.seq == seq))
        .map(Json)
        .ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                format!("case {id} has no history entry {seq}"),
            )
        })
}

/// Takes an action on a case: the case moves to the action's target state and
/// the history gains an entry with actor, time and reason.
#[utoipa::path(post, path = "/cases/{id}/transitions", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = TransitionRequest,
    responses(
        (status = 201, description = "The action was taken", body = TransitionResult),
        (status = 400, description = "The request is invalid; every bad field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case changed since `expectedVersion`, or the action is not allowed from its state", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_transition(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: Result<Json<TransitionRequest>, JsonRejection>,
) -> Result<(StatusCode, HeaderMap, Json<TransitionResult>), Problem> {
    let id = parse_id(&id)?;
    let Json(request) = body.map_err(bad_body)?;
    if matches!(request.action, Action::Submit) {
        return Err(Problem::bad_request(
            "a case is submitted by importing it, not by a transition",
            vec![Problem::field(
                "action.type",
                "'submit' cannot be taken on an existing case",
            )],
        ));
    }
    let now = state.now();
    let ctx = Context {
        occurred_on: request.occurred_on.unwrap_or(now.date()),
        recorded_at: now,
        actor: actor.0,
        reason: request.reason.filter(|r| !r.trim().is_empty()),
    };
    let (case, transition) = take_action(
        state.store.as_ref(),
        id,
        request.expected_version,
        request.action,
        &ctx,
    )
    .await?;
    let mut headers = HeaderMap::new();
    let location = format!("/api/v1/cases/{id}/transitions/{}", transition.seq);
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, v);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(TransitionResult { case, transition }),
    ))
}
