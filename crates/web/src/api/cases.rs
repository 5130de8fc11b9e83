//! Cases: list with filters and paging, detail with members and history, and
//! the transitions that move a case through its lifecycle.

use crate::api::paging::{self, CasePage};
use crate::auth::{CaseActor, CaseReader, ConsentRecorder, Principal, audit};
use crate::filters::CaseQuery;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use resettle_domain::access::{redact, redact_history};
use resettle_domain::audit::AuditResult;
use resettle_domain::{Action, ActionKind, Case, CaseId, Consent, Context, Permission, Transition};
use resettle_store::workflow::{take_action, take_action_on};
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
    /// The day the event took place; today (the Dutch date) when left out.
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

/// A body the handler could not read: 415 when it is not JSON at all, 400
/// (naming the field `body`) when its JSON does not have the documented shape.
pub(crate) fn bad_body(rejection: JsonRejection) -> Problem {
    let detail = rejection.body_text();
    if let JsonRejection::MissingJsonContentType(_) = rejection {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON, with 'Content-Type: application/json'",
        );
    }
    Problem::bad_request(detail.clone(), vec![Problem::field("body", detail)])
}

/// Loads a case the reader may see. A case outside the reader's scope is
/// answered exactly like a case that does not exist, and the attempt is audited.
pub(crate) async fn load(
    state: &AppState,
    reader: &CaseReader,
    id: CaseId,
) -> Result<Case, Problem> {
    let p = &reader.principal;
    let missing = || Problem::new(StatusCode::NOT_FOUND, format!("there is no case {id}"));
    match state.store.case(id).await? {
        Some(case) if case.in_scope(&reader.scope) => Ok(case),
        found => {
            let result = if found.is_some() {
                AuditResult::Denied
            } else {
                AuditResult::NotFound
            };
            audit(
                state,
                p.name(),
                "read-case",
                &format!("case {id}"),
                result,
                &p.origin,
            )
            .await;
            Err(missing())
        }
    }
}

/// What the reader sees of a case, recording every showing of personal and
/// special-category data.
pub(crate) async fn shown(state: &AppState, p: &Principal, case: &Case) -> Case {
    let (seen, categories) = redact(case, p.user.role, p.user.organisation.as_deref());
    let object = format!("case {}", case.id);
    audit(
        state,
        p.name(),
        "read-case",
        &object,
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    for c in categories {
        audit(
            state,
            p.name(),
            &format!("show-special:{c}"),
            &object,
            AuditResult::Ok,
            &p.origin,
        )
        .await;
    }
    seen
}

/// The history as the reader may see it: free text only for its audience
/// (`resettle_domain::access::FreeText`).
pub(crate) fn history_for(p: &Principal, history: Vec<Transition>) -> Vec<Transition> {
    redact_history(history, p.user.role, p.name())
}

/// The actions the reader may take on `case` now.
pub(crate) fn allowed_for(p: &Principal, case: &Case) -> Vec<ActionKind> {
    case.allowed_actions()
        .into_iter()
        .filter(|a| p.allows(Permission::Act(*a)))
        .collect()
}

/// Lists cases, newest submission first.
///
/// Filters narrow the list; every bad parameter is listed at once. A page
/// gives links to the `next` and `previous` page, which keep the filters
/// and carry a `cursor`: follow them to walk the whole list (numbered pages
/// reach the first 10,000 cases only). Roles with a scope (UNHCR, a
/// municipality, an integration organisation) see only their own cases.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseQuery),
    responses(
        (status = 200, description = "One page of cases", body = CasePage),
        (status = 400, description = "A filter is invalid; every bad parameter is listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_cases(
    State(state): State<AppState>,
    reader: CaseReader,
    uri: Uri,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Json<CasePage>, Problem> {
    let Query(query) = query.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let (mut filter, page) = query
        .parse()
        .map_err(|errors| Problem::bad_request("the case filter is invalid", errors))?;
    filter.scope = Some(reader.scope.clone());
    let p = &reader.principal;
    audit(
        &state,
        p.name(),
        "list-cases",
        "cases",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    Ok(Json(paging::cases(
        &uri,
        state.store.list_cases(&filter, page).await?,
    )))
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
    reader: CaseReader,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let case = load(&state, &reader, id).await?;
    let case = shown(&state, &reader.principal, &case).await;
    let history = history_for(&reader.principal, state.store.history(id).await?);
    let etag = format!("\"{}\"", case.version);
    let detail = CaseDetail {
        allowed_actions: allowed_for(&reader.principal, &case),
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
    reader: CaseReader,
    Path(id): Path<String>,
) -> Result<Json<Vec<Transition>>, Problem> {
    let id = parse_id(&id)?;
    load(&state, &reader, id).await?;
    Ok(Json(history_for(
        &reader.principal,
        state.store.history(id).await?,
    )))
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
    reader: CaseReader,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Json<Transition>, Problem> {
    let id = parse_id(&id)?;
    load(&state, &reader, id).await?;
    let history = history_for(&reader.principal, state.store.history(id).await?);
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
    actor: CaseActor,
    Path(id): Path<String>,
    body: Result<Json<TransitionRequest>, JsonRejection>,
) -> Result<(StatusCode, HeaderMap, Json<TransitionResult>), Problem> {
    let id = parse_id(&id)?;
    let loaded = load(&state, &actor.reader, id).await?;
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
    let p = &actor.reader.principal;
    let kind = request.action.kind();
    let object = format!("case {id}");
    if !actor.may(kind) {
        audit(
            &state,
            p.name(),
            kind.as_str(),
            &object,
            AuditResult::Denied,
            &p.origin,
        )
        .await;
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "your role ({}) may not take the action '{kind}'",
                p.user.role
            ),
        ));
    }
    let outcome = act(
        &state,
        p,
        Target::Loaded(Box::new(loaded)),
        request.expected_version,
        request.action,
        request.occurred_on,
        request.reason,
    )
    .await;
    let (case, transition) = outcome?;
    let (case, _) = redact(&case, p.user.role, p.user.organisation.as_deref());
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

/// Consent to share a family's needs with a municipality or organisation, or an
/// authorised override of its absence.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentRequest {
    /// The municipality or organisation; leave out for any service provider.
    pub recipient: Option<String>,
    /// The day consent was given; today when left out.
    pub given_on: Option<Date>,
    /// True when the family consented.
    #[serde(default)]
    pub consent_given: bool,
    /// To share without the family's consent: why (required then).
    pub override_reason: Option<String>,
}

/// Records consent to share (or an authorised override) for a case.
#[utoipa::path(post, path = "/cases/{id}/consents", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = ConsentRequest,
    responses(
        (status = 201, description = "Recorded", body = Consent),
        (status = 400, description = "Neither consent nor an override reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_consent(
    State(state): State<AppState>,
    recorder: ConsentRecorder,
    Path(id): Path<String>,
    body: Result<Json<ConsentRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Consent>), Problem> {
    let id = parse_id(&id)?;
    let Json(request) = body.map_err(bad_body)?;
    let p = &recorder.0;
    let override_reason = request
        .override_reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if !request.consent_given && override_reason.is_none() {
        return Err(Problem::bad_request(
            "sharing needs the family's consent or an override with a reason",
            vec![Problem::field(
                "overrideReason",
                "give the reason to share without consent, or set consentGiven",
            )],
        ));
    }
    let recipient = request
        .recipient
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let given_on = request.given_on.unwrap_or(state.today());
    let consent = record_consent(&state, p, id, recipient, given_on, override_reason).await?;
    Ok((StatusCode::CREATED, Json(consent)))
}

/// Stores a consent (or an override with its reason) and records it in the audit trail.
pub(crate) async fn record_consent(
    state: &AppState,
    p: &Principal,
    id: CaseId,
    recipient: Option<&str>,
    given_on: Date,
    override_reason: Option<String>,
) -> Result<Consent, Problem> {
    let consent = Consent {
        recipient: recipient.map(str::to_string),
        given_on,
        override_reason,
        recorded_by: p.name().to_string(),
    };
    let action = if consent.override_reason.is_some() {
        "consent-override"
    } else {
        "consent"
    };
    let outcome = state.store.add_consent(id, &consent).await;
    let result = if outcome.is_ok() {
        AuditResult::Ok
    } else {
        AuditResult::Failed
    };
    audit(
        state,
        p.name(),
        action,
        &format!("case {id}"),
        result,
        &p.origin,
    )
    .await;
    outcome?;
    Ok(consent)
}

/// The case an action is taken on: by id, or as the handler has just read it
/// (in scope for the reader), which saves reading it again.
pub(crate) enum Target {
    Id(CaseId),
    Loaded(Box<Case>),
}

impl From<CaseId> for Target {
    fn from(id: CaseId) -> Self {
        Target::Id(id)
    }
}

/// Takes an action on a case as `p`: the action and its audit entry are
/// written in one transaction; a refusal is audited apart. Shared by the API
/// and the pages.
pub(crate) async fn act(
    state: &AppState,
    p: &Principal,
    target: impl Into<Target>,
    expected_version: i64,
    action: Action,
    occurred_on: Option<Date>,
    reason: Option<String>,
) -> Result<(Case, Transition), resettle_store::workflow::ActionError> {
    let now = state.now();
    let kind = action.kind();
    let ctx = Context {
        occurred_on: occurred_on.unwrap_or(resettle_domain::calendar::business_day(now)),
        recorded_at: now,
        actor: p.name().to_string(),
        reason: reason.filter(|r| !r.trim().is_empty()),
    };
    let store = state.store.as_ref();
    let origin = Some(p.origin.as_str());
    let (id, outcome) = match target.into() {
        Target::Id(id) => (
            id,
            take_action(store, id, expected_version, action, &ctx, origin).await,
        ),
        Target::Loaded(case) => (
            case.id,
            take_action_on(store, *case, expected_version, action, &ctx, origin).await,
        ),
    };
    if outcome.is_err() {
        audit(
            state,
            p.name(),
            kind.as_str(),
            &format!("case {id}"),
            AuditResult::Failed,
            &p.origin,
        )
        .await;
    }
    outcome
}
