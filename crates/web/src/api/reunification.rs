//! Family reunification (nareis): the applications of resettled refugees
//! (sponsors) for their relatives, decided per relative by the IND, with
//! travel and arrival arranged by COA; and the relatives a family leaves
//! behind, recorded at selection. UNHCR has no part in it; a municipality
//! sees the relatives joining families it houses, and no others.

use crate::api::cases::bad_body;
use crate::api::missions::{audit_failure, entry};
use crate::api::paging::{ListParams, Listed};
use crate::api::preparation::case_for;
use crate::auth::{
    LeftBehindRecorder, Principal, ReunificationDecider, ReunificationReader,
    ReunificationTravelArranger, audit,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use resettle_domain::access::{CaseScope, case_scope};
use resettle_domain::audit::AuditResult;
use resettle_domain::policy::{POLICY_FORMAT, PolicySet};
use resettle_domain::reunification::{
    Application, ApplicationChange, ApplicationEvent, ApplicationId, NewApplication,
    RelativeLeftBehind, RelativeLeftBehindSeen, ReunificationError, ReunificationNormCheck,
    validate_left_behind,
};
use resettle_domain::{CaseId, Context, Role};
use resettle_store::{ApplicationFilter, LeftBehind, StoredApplication};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// The days before a norm's deadline from which it counts as at risk.
pub(crate) const AT_RISK_DAYS: i64 = 14;

/// One page of family-reunification applications.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPage {
    pub items: Vec<ApplicationSummary>,
    /// The number of this page, from 1.
    pub page: u32,
    pub page_size: u32,
    /// The number of matches.
    pub total: i64,
    /// Always true: the list is counted whole.
    pub total_exact: bool,
    /// Link to the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = "uri-reference")]
    pub next: Option<String>,
    /// Link to the previous page; absent on the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = "uri-reference")]
    pub previous: Option<String>,
}

impl From<Listed<ApplicationSummary>> for ApplicationPage {
    fn from(l: Listed<ApplicationSummary>) -> Self {
        Self {
            items: l.items,
            page: l.page,
            page_size: l.page_size,
            total: l.total,
            total_exact: l.total_exact,
            next: l.next,
            previous: l.previous,
        }
    }
}

/// An application with what the policy says of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSummary {
    #[serde(flatten)]
    pub application: StoredApplication,
    /// Applied after the window of favourable conditions (flagged, not
    /// refused); absent when no terms are in force on the day of the application.
    pub late: Option<bool>,
    pub window_ends: Option<Date>,
    /// The day the IND decides by, with any extension.
    pub decision_due: Option<Date>,
    pub norms: Vec<ReunificationNormCheck>,
}

/// An application with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    pub history: Vec<ApplicationEvent>,
}

/// Filters of the application list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// `true`: only applications with relatives waiting for a decision;
    /// `false`: only those decided for every relative.
    pub pending: Option<String>,
    /// Only the applications of this sponsor's case (UUID).
    pub sponsor_case_id: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub page_size: Option<String>,
    /// From the `next` or `previous` link of another page: continues the list
    /// from there.
    pub cursor: Option<String>,
}

/// A change of an application, against the version the officer saw.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationChangeRequest {
    pub expected_version: i64,
    /// The day it happened; today when absent.
    #[serde(default)]
    pub occurred_on: Option<Date>,
    /// The motivation: required for a rejection or withdrawal.
    #[serde(default)]
    pub reason: Option<String>,
    pub change: ApplicationChange,
}

/// The relatives a case leaves behind, against the version the officer saw.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeftBehindRequest {
    /// 0 when none were recorded yet.
    pub expected_version: i64,
    pub relatives: Vec<RelativeLeftBehind>,
}

/// The relatives a family leaves behind as the reader may see them: a
/// municipality learns how they are related and whether they are expected to
/// apply, not their names, whereabouts or why they stayed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeftBehindSeen {
    /// Pass as `expectedVersion` to change the list (0: none recorded yet).
    pub version: i64,
    pub relatives: Vec<RelativeLeftBehindSeen>,
}

impl LeftBehindSeen {
    pub(crate) fn of(list: LeftBehind, role: Role) -> Self {
        Self {
            version: list.version,
            relatives: list.relatives.iter().map(|r| r.seen_by(role)).collect(),
        }
    }
}

/// The applications `p` may see (narrowed by `pending` and `sponsor_case`),
/// each as `p` may see it, with what the policy says of it today.
pub(crate) async fn summaries(
    state: &AppState,
    p: &Principal,
    pending: Option<bool>,
    sponsor_case: Option<CaseId>,
) -> Result<Vec<ApplicationSummary>, Problem> {
    let filter = ApplicationFilter {
        scope: case_scope(p.user.role, p.user.organisation.as_deref()),
        pending,
        sponsor_case,
    };
    let policy = policy(state).await?;
    let today = state.today();
    Ok(state
        .store
        .applications(&filter)
        .await?
        .into_iter()
        .map(|a| summary(a, &policy, p.user.role, today))
        .collect())
}

/// The applications `filter` selects, whole: for checks and counts, never
/// shown to a reader as they are (see [`summary`]).
pub(crate) async fn applications(
    state: &AppState,
    filter: &ApplicationFilter,
) -> Result<Vec<Application>, resettle_store::StoreError> {
    Ok(state
        .store
        .applications(filter)
        .await?
        .into_iter()
        .map(|a| a.application)
        .collect())
}

/// A refusal of the domain as a 400 that names its field and rule (the
/// pages translate the rule).
pub(crate) fn refusal(e: &ReunificationError) -> Problem {
    crate::api::missions::field_problems(&e.to_string(), vec![e.problem()])
}

/// The policy in force, or one without terms (then nothing is late and no
/// term is due: the policy says nothing).
pub(crate) async fn policy(state: &AppState) -> Result<PolicySet, Problem> {
    Ok(match state.store.policy().await? {
        Some(v) => v.document,
        None => PolicySet {
            format: POLICY_FORMAT.into(),
            frameworks: vec![],
            quota_changes: vec![],
            suspensions: vec![],
            eu_programmes: vec![],
            allocation_plans: vec![],
            family_reunification: vec![],
        },
    })
}

pub(crate) fn summary(
    a: StoredApplication,
    policy: &PolicySet,
    role: Role,
    today: Date,
) -> ApplicationSummary {
    let x = &a.application;
    ApplicationSummary {
        late: x.late(policy),
        window_ends: x.window_ends(policy),
        decision_due: x.decision_due(policy),
        norms: x.norms(policy, today, AT_RISK_DAYS),
        application: StoredApplication {
            application: a.application.seen_by(role),
            ..a
        },
    }
}

/// Whether `p` may see an application of the family `municipality` houses.
fn in_scope(p: &Principal, municipality: Option<&str>) -> bool {
    match case_scope(p.user.role, p.user.organisation.as_deref()) {
        CaseScope::All => true,
        CaseScope::Municipality(m) => municipality.is_some_and(|h| h.eq_ignore_ascii_case(&m)),
        _ => false,
    }
}

fn not_found(raw: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("there is no family-reunification application {raw}"),
    )
}

/// An application the principal may see, or 404: one outside the reader's
/// scope is answered like one that does not exist, and the attempt audited.
pub(crate) async fn application_for(
    state: &AppState,
    p: &Principal,
    raw: &str,
) -> Result<StoredApplication, Problem> {
    let id: ApplicationId = raw.parse().map_err(|_| not_found(raw))?;
    match state.store.application(id).await? {
        Some(a) if in_scope(p, a.sponsor_municipality.as_deref()) => Ok(a),
        found => {
            if found.is_some() {
                audit(
                    state,
                    p.name(),
                    "read-family-reunification-application",
                    &format!("application {id}"),
                    AuditResult::Denied,
                    &p.origin,
                )
                .await;
            }
            Err(not_found(raw))
        }
    }
}

fn parse_bool(raw: &Option<String>, field: &str) -> Result<Option<bool>, Problem> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(Problem::bad_request(
            format!("{field}: '{other}' is not true or false"),
            vec![Problem::field(
                field,
                format!("'{other}' is not true or false"),
            )],
        )),
    }
}

/// Family-reunification applications, oldest application first: all for
/// the IND and COA, those of families it houses for a municipality.
///
/// Paged like every list: follow a page's `next` and `previous` links.
#[utoipa::path(get, path = "/family-reunification-applications", tag = "family-reunification",
    params(ApplicationQuery),
    responses(
        (status = 200, description = "One page of applications", body = ApplicationPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_applications(
    State(state): State<AppState>,
    ReunificationReader(p): ReunificationReader,
    uri: Uri,
    query: Result<Query<ApplicationQuery>, QueryRejection>,
) -> Result<Json<ApplicationPage>, Problem> {
    let Query(q) = query.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let pending = parse_bool(&q.pending, "pending")?;
    let sponsor_case = match q.sponsor_case_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<CaseId>().map_err(|_| {
            Problem::bad_request(
                format!("sponsorCaseId: '{raw}' is not a case id"),
                vec![Problem::field(
                    "sponsorCaseId",
                    format!("'{raw}' is not a case id"),
                )],
            )
        })?),
    };
    let items = summaries(&state, &p, pending, sponsor_case).await?;
    let paging = ListParams {
        page: q.page,
        page_size: q.page_size,
        cursor: q.cursor,
    };
    Ok(Json(
        paging
            .page(&uri, items, |a| a.application.application.id.to_string())?
            .into(),
    ))
}

/// Registers a sponsor's application for named relatives (the IND). The
/// sponsor's case must be an arrived resettlement case. An application after
/// the window is registered and flagged `late`, never refused.
#[utoipa::path(post, path = "/family-reunification-applications", tag = "family-reunification",
    request_body = NewApplication,
    responses(
        (status = 201, description = "Registered", body = ApplicationDetail),
        (status = 400, description = "An invalid field is named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_application(
    State(state): State<AppState>,
    ReunificationDecider(p): ReunificationDecider,
    body: Result<Json<NewApplication>, JsonRejection>,
) -> Result<(StatusCode, Json<ApplicationDetail>), Problem> {
    let Json(new) = body.map_err(bad_body)?;
    let id = ApplicationId::generate();
    let object = format!("application {id}");
    let action = "apply-family-reunification";
    let sponsor = match case_for(&state, &p, &new.sponsor_case_id.to_string()).await {
        Ok(c) => c,
        Err(_) => {
            audit_failure(&state, &p, action, &object).await;
            return Err(Problem::bad_request(
                format!("sponsorCaseId: there is no case {}", new.sponsor_case_id),
                vec![Problem::field(
                    "sponsorCaseId",
                    format!("there is no case {}", new.sponsor_case_id),
                )],
            ));
        }
    };
    let ctx = context(&state, &p, Some(new.applied_on), None);
    let filter = ApplicationFilter {
        scope: CaseScope::All,
        pending: None,
        sponsor_case: Some(sponsor.id),
    };
    let existing = applications(&state, &filter).await?;
    if let Err(e) = Application::not_applied_before(&new, &existing) {
        audit_failure(&state, &p, action, &object).await;
        return Err(refusal(&e));
    }
    let (application, event) = match Application::apply(id, &new, &sponsor, &ctx) {
        Ok(x) => x,
        Err(e) => {
            audit_failure(&state, &p, action, &object).await;
            return Err(refusal(&e));
        }
    };
    state
        .store
        .create_application(&application, &event, &entry(&state, &p, action, &object))
        .await?;
    let detail = detail(&state, &p, id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// One application with its norms and history.
#[utoipa::path(get, path = "/family-reunification-applications/{id}", tag = "family-reunification",
    params(("id" = String, Path, description = "Application id (UUID)")),
    responses(
        (status = 200, description = "The application", body = ApplicationDetail),
        (status = 404, description = "No such application (or not yours to see)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_application(
    State(state): State<AppState>,
    ReunificationReader(p): ReunificationReader,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetail>, Problem> {
    let a = application_for(&state, &p, &id).await?;
    Ok(Json(read(&state, &p, a.application.id).await?))
}

/// An application read by `p`, the reading audited like a case's: it names
/// the relatives (and, for the IND, the grounds).
pub(crate) async fn read(
    state: &AppState,
    p: &Principal,
    id: ApplicationId,
) -> Result<ApplicationDetail, Problem> {
    audit(
        state,
        p.name(),
        "read-family-reunification-application",
        &format!("application {id}"),
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    detail(state, p, id).await
}

pub(crate) async fn detail(
    state: &AppState,
    p: &Principal,
    id: ApplicationId,
) -> Result<ApplicationDetail, Problem> {
    let a = state
        .store
        .application(id)
        .await?
        .ok_or_else(|| not_found(&id.to_string()))?;
    let policy = policy(state).await?;
    let history = state
        .store
        .application_history(id)
        .await?
        .into_iter()
        .map(|e| e.seen_by(p.user.role))
        .collect();
    Ok(ApplicationDetail {
        summary: summary(a, &policy, p.user.role, state.today()),
        history,
    })
}

fn context(state: &AppState, p: &Principal, on: Option<Date>, reason: Option<String>) -> Context {
    let now = state.now();
    Context {
        occurred_on: on.unwrap_or(resettle_domain::calendar::business_day(now)),
        recorded_at: now,
        actor: p.name().to_string(),
        reason: reason.filter(|r| !r.trim().is_empty()),
    }
}

/// The IND's work on an application: evidence of identity and family ties
/// (`record-evidence`, with `dna-offered` when documents are lacking), an
/// `interview`, the decision per relative (`decide`: `grant`, `reject` with
/// grounds and a motivation in `reason`, or `withdrawn`), and an extension
/// of the decision term (`extend-decision-term`, once, within the policy's limit).
#[utoipa::path(post, path = "/family-reunification-applications/{id}/decisions", tag = "family-reunification",
    params(("id" = String, Path, description = "Application id (UUID)")),
    request_body = ApplicationChangeRequest,
    responses(
        (status = 200, description = "Recorded", body = ApplicationDetail),
        (status = 400, description = "An invalid field is named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The application changed meanwhile", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_decision(
    State(state): State<AppState>,
    ReunificationDecider(p): ReunificationDecider,
    Path(id): Path<String>,
    body: Result<Json<ApplicationChangeRequest>, JsonRejection>,
) -> Result<Json<ApplicationDetail>, Problem> {
    let a = application_for(&state, &p, &id).await?;
    let Json(request) = body.map_err(bad_body)?;
    Ok(Json(change(&state, &p, a, request, Desk::Ind).await?))
}

/// COA's work for a granted relative: the visa for temporary stay and the
/// booking (`arrange-travel`), then the arrival with the derived asylum
/// permit (`arrive`). On arrival the relative becomes a family-reunification
/// case linked to the sponsor's, assigned to the sponsor's municipality, and
/// counts in the national quota of the framework in force that day.
#[utoipa::path(post, path = "/family-reunification-applications/{id}/travel", tag = "family-reunification",
    params(("id" = String, Path, description = "Application id (UUID)")),
    request_body = ApplicationChangeRequest,
    responses(
        (status = 200, description = "Recorded", body = ApplicationDetail),
        (status = 400, description = "An invalid field is named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The application changed meanwhile", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_travel(
    State(state): State<AppState>,
    ReunificationTravelArranger(p): ReunificationTravelArranger,
    Path(id): Path<String>,
    body: Result<Json<ApplicationChangeRequest>, JsonRejection>,
) -> Result<Json<ApplicationDetail>, Problem> {
    let a = application_for(&state, &p, &id).await?;
    let Json(request) = body.map_err(bad_body)?;
    Ok(Json(change(&state, &p, a, request, Desk::Coa).await?))
}

/// The desk a change is recorded at: the IND's (evidence, interviews,
/// decisions, extensions) or COA's (travel and arrival).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Desk {
    Ind,
    Coa,
}

/// Applies one change recorded at `desk` and stores it.
pub(crate) async fn change(
    state: &AppState,
    p: &Principal,
    stored: StoredApplication,
    request: ApplicationChangeRequest,
    desk: Desk,
) -> Result<ApplicationDetail, Problem> {
    let mut a = stored.application;
    let object = format!("application {}", a.id);
    let action = request.change.name();
    let ind = desk == Desk::Ind;
    if request.change.by_ind() != ind || matches!(request.change, ApplicationChange::Apply) {
        audit_failure(state, p, action, &object).await;
        let detail = if ind {
            "the IND records evidence, interviews, decisions and extensions here; travel and arrival go to /travel"
        } else {
            "COA records travel and arrival here; evidence, interviews and decisions go to /decisions"
        };
        return Err(Problem::bad_request(
            detail,
            vec![Problem::field("change.type", detail)],
        ));
    }
    if a.version != request.expected_version {
        audit_failure(state, p, action, &object).await;
        return Err(resettle_store::StoreError::ApplicationConflict {
            application: a.id,
            expected: request.expected_version,
        }
        .into());
    }
    let policy = policy(state).await?;
    let ctx = context(state, p, request.occurred_on, request.reason);
    let expected = a.version;
    let change = request.change;
    let arrival = match &change {
        ApplicationChange::Arrive {
            relative,
            permit_valid_until,
        } => Some((*relative, *permit_valid_until)),
        _ => None,
    };
    let event = match a.change(change, &policy, &ctx) {
        Ok(e) => e,
        Err(e) => {
            audit_failure(state, p, action, &object).await;
            return Err(refusal(&e));
        }
    };
    let audit_entry = entry(state, p, action, &object);
    match arrival {
        None => {
            state
                .store
                .save_application_change(&a, expected, &event, &audit_entry)
                .await?
        }
        Some((relative, permit_valid_until)) => {
            let sponsor = state
                .store
                .case(a.sponsor_case_id)
                .await?
                .ok_or(resettle_store::StoreError::NotFound(a.sponsor_case_id))?;
            let snapshot = a.clone();
            let build = move |number| {
                snapshot.arrival_case(
                    relative,
                    &sponsor,
                    CaseId::generate(),
                    number,
                    permit_valid_until,
                    &ctx,
                )
            };
            state
                .store
                .save_arrival(&a, expected, &event, relative, &build, &audit_entry)
                .await?;
        }
    }
    detail(state, p, a.id).await
}

/// The relatives a family leaves behind.
#[utoipa::path(get, path = "/cases/{id}/relatives-left-behind", tag = "family-reunification",
    params(("id" = String, Path, description = "Case id (UUID)")),
    responses(
        (status = 200, description = "The relatives as the reader may see them, with the version to change them against", body = LeftBehindSeen),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_left_behind(
    State(state): State<AppState>,
    ReunificationReader(p): ReunificationReader,
    Path(id): Path<String>,
) -> Result<Json<LeftBehindSeen>, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let list = state.store.relatives_left_behind(case.id).await?;
    Ok(Json(LeftBehindSeen::of(list, p.user.role)))
}

/// Records the relatives a family leaves behind (at the mission interview
/// or the dossier assessment): relationship, whereabouts, why they stay and
/// whether they are expected to apply. Replaces the list.
#[utoipa::path(put, path = "/cases/{id}/relatives-left-behind", tag = "family-reunification",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = LeftBehindRequest,
    responses(
        (status = 200, description = "Saved", body = LeftBehind),
        (status = 400, description = "An invalid field is named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The list changed meanwhile", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_left_behind(
    State(state): State<AppState>,
    LeftBehindRecorder(p): LeftBehindRecorder,
    Path(id): Path<String>,
    body: Result<Json<LeftBehindRequest>, JsonRejection>,
) -> Result<Json<LeftBehind>, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let Json(request) = body.map_err(bad_body)?;
    let object = format!("case {}", case.id);
    let action = "record-relatives-left-behind";
    if let Err(e) = validate_left_behind(&request.relatives) {
        audit_failure(&state, &p, action, &object).await;
        return Err(refusal(&e));
    }
    let version = state
        .store
        .set_relatives_left_behind(
            case.id,
            request.expected_version,
            &request.relatives,
            &entry(&state, &p, action, &object),
        )
        .await?;
    Ok(Json(LeftBehind {
        version,
        relatives: request.relatives,
    }))
}
