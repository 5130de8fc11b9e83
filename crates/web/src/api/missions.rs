//! Selection missions and the dossier track, the plan they fill, the
//! country-policy notes, the request for submissions sent to UNHCR, and holds
//! on departures.

use crate::api::cases::bad_body;
use crate::api::paging::{HoldPage, ListParams, MissionPage, PolicyNotePage};
use crate::auth::{
    CountryPolicyEditor, HoldManager, MissionManager, MissionReader, Principal, RequestReader,
    audit,
};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use resettle_domain::audit::AuditResult;
use resettle_domain::country_policy::{
    NewPolicyNote, PolicyNote, SubmissionRequest, profile_wishes, submission_request,
};
use resettle_domain::mission::{
    Mission, MissionChange, MissionError, NewMission, PlanStatus, plan_status,
};
use resettle_domain::operations::{Hold, HoldMessage, HoldScope};
use resettle_domain::rule::{FieldProblem, Rule};
use resettle_domain::{CaseId, HoldId, MissionId, Permission, PolicyNoteId};
use resettle_store::{CaseSummary, NewAuditEntry, StoreError};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// An audit entry for a write by `p` (written in the write's own transaction).
pub(crate) fn entry(state: &AppState, p: &Principal, action: &str, object: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: state.now(),
        actor: p.name().to_string(),
        action: action.to_string(),
        object: object.to_string(),
        result: AuditResult::Ok,
        origin: p.origin.clone(),
    }
}

/// Records a refused or failed write apart (the write's transaction did not commit).
pub(crate) async fn audit_failure(state: &AppState, p: &Principal, action: &str, object: &str) {
    audit(
        state,
        p.name(),
        action,
        object,
        AuditResult::Failed,
        &p.origin,
    )
    .await;
}

pub(crate) fn field_problems(detail: &str, problems: Vec<FieldProblem>) -> Problem {
    Problem::bad_request(
        detail,
        problems
            .into_iter()
            .map(FieldError::from)
            .collect::<Vec<FieldError>>(),
    )
}

pub(crate) fn parse_mission(raw: &str) -> Result<MissionId, Problem> {
    raw.parse()
        .map_err(|_| Problem::new(StatusCode::NOT_FOUND, format!("there is no mission {raw}")))
}

pub(crate) async fn load_mission(state: &AppState, id: MissionId) -> Result<Mission, Problem> {
    state
        .store
        .mission(id)
        .await?
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, format!("there is no mission {id}")))
}

/// A mission with the cases selected on it (for roles that read cases).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MissionDetail {
    #[serde(flatten)]
    pub mission: Mission,
    /// The cases selected on the mission; left out for roles that see no cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<CaseSummary>>,
}

/// Every mission and dossier track, earliest start first.
///
/// Paged like every list: follow a page's `next` and `previous` links.
#[utoipa::path(get, path = "/missions", tag = "missions", params(ListParams),
    responses(
        (status = 200, description = "One page of missions", body = MissionPage),
        (status = 400, description = "A paging parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_missions(
    State(state): State<AppState>,
    _reader: MissionReader,
    uri: Uri,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<MissionPage>, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let missions = state.store.missions().await?;
    Ok(Json(
        params.page(&uri, missions, |m| m.id.to_string())?.into(),
    ))
}

/// Plans a selection mission or the dossier track of a year (status `planned`).
#[utoipa::path(post, path = "/missions", tag = "missions", request_body = NewMission,
    responses(
        (status = 201, description = "Planned", body = Mission),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_mission(
    State(state): State<AppState>,
    MissionManager(p): MissionManager,
    body: Result<Json<NewMission>, JsonRejection>,
) -> Result<(StatusCode, Json<Mission>), Problem> {
    let Json(new) = body.map_err(bad_body)?;
    let mission = plan_mission(&state, &p, new).await?;
    Ok((StatusCode::CREATED, Json(mission)))
}

/// Validates and stores a new mission (API and pages).
pub(crate) async fn plan_mission(
    state: &AppState,
    p: &Principal,
    new: NewMission,
) -> Result<Mission, Problem> {
    let id = MissionId::generate();
    let object = format!("mission {id}");
    let mission = match new.validate(id) {
        Ok(m) => m,
        Err(problems) => {
            audit_failure(state, p, "create-mission", &object).await;
            return Err(field_problems("the mission is invalid", problems));
        }
    };
    state
        .store
        .create_mission(&mission, &entry(state, p, "create-mission", &object))
        .await?;
    Ok(mission)
}

/// One mission, with its cases for roles that read cases.
#[utoipa::path(get, path = "/missions/{id}", tag = "missions",
    params(("id" = String, Path, description = "Mission id (UUID)")),
    responses(
        (status = 200, description = "The mission", body = MissionDetail),
        (status = 404, description = "No such mission", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_mission(
    State(state): State<AppState>,
    MissionReader(p): MissionReader,
    Path(id): Path<String>,
) -> Result<Json<MissionDetail>, Problem> {
    let id = parse_mission(&id)?;
    let mission = load_mission(&state, id).await?;
    let cases = if p.allows(Permission::ReadCases) {
        audit(
            &state,
            p.name(),
            "list-cases",
            &format!("mission {id}"),
            AuditResult::Ok,
            &p.origin,
        )
        .await;
        Some(state.store.mission_cases(id).await?)
    } else {
        None
    };
    Ok(Json(MissionDetail { mission, cases }))
}

/// A change of a mission's status, against the version the officer saw.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MissionChangeRequest {
    pub expected_version: i64,
    pub change: MissionChange,
}

/// Confirms, postpones (new dates, reason), holds, closes or cancels (reason) a mission.
#[utoipa::path(post, path = "/missions/{id}/changes", tag = "missions",
    params(("id" = String, Path, description = "Mission id (UUID)")),
    request_body = MissionChangeRequest,
    responses(
        (status = 201, description = "Changed", body = Mission),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else, or not allowed from its status", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_mission_change(
    State(state): State<AppState>,
    MissionManager(p): MissionManager,
    Path(id): Path<String>,
    body: Result<Json<MissionChangeRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Mission>), Problem> {
    let id = parse_mission(&id)?;
    let Json(request) = body.map_err(bad_body)?;
    let mission = change_mission(&state, &p, id, request.expected_version, request.change).await?;
    Ok((StatusCode::CREATED, Json(mission)))
}

/// Applies a status change to a stored mission (API and pages).
pub(crate) async fn change_mission(
    state: &AppState,
    p: &Principal,
    id: MissionId,
    expected_version: i64,
    change: MissionChange,
) -> Result<Mission, Problem> {
    let object = format!("mission {id}");
    let action = format!("change-mission:{}", change.target());
    let mut mission = load_mission(state, id).await?;
    let outcome = if mission.version != expected_version {
        Err(Problem::new(
            StatusCode::CONFLICT,
            format!(
                "mission {id} was changed by someone else since version {expected_version}; reload it and try again"
            ),
        ))
    } else {
        match mission.apply(&change) {
            Ok(()) => state
                .store
                .save_mission_change(
                    &mission,
                    expected_version,
                    &change,
                    &entry(state, p, &action, &object),
                )
                .await
                .map_err(Problem::from),
            Err(e @ MissionError::NotAllowed { .. }) => {
                Err(Problem::new(StatusCode::CONFLICT, e.to_string()))
            }
            Err(MissionError::Invalid(f)) => Err(field_problems(
                &f.to_string(),
                vec![FieldProblem {
                    field: format!("change.{}", f.field),
                    ..f
                }],
            )),
        }
    };
    if let Err(e) = outcome {
        audit_failure(state, p, &action, &object).await;
        return Err(e);
    }
    Ok(mission)
}

/// A case to select on a mission.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MissionCaseRequest {
    pub case_id: CaseId,
}

/// Selects a case (not yet decided) on the mission or the dossier track; its
/// acceptance will take places of it.
#[utoipa::path(post, path = "/missions/{id}/cases", tag = "missions",
    params(("id" = String, Path, description = "Mission id (UUID)")),
    request_body = MissionCaseRequest,
    responses(
        (status = 201, description = "Selected on the mission"),
        (status = 400, description = "The case does not fit the mission", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mission or case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_mission_case(
    State(state): State<AppState>,
    MissionManager(p): MissionManager,
    Path(id): Path<String>,
    body: Result<Json<MissionCaseRequest>, JsonRejection>,
) -> Result<StatusCode, Problem> {
    let id = parse_mission(&id)?;
    let Json(request) = body.map_err(bad_body)?;
    link_case(&state, &p, id, request.case_id).await?;
    Ok(StatusCode::CREATED)
}

pub(crate) async fn link_case(
    state: &AppState,
    p: &Principal,
    mission: MissionId,
    case: CaseId,
) -> Result<(), Problem> {
    let object = format!("case {case} mission {mission}");
    let outcome = state
        .store
        .link_case(mission, case, &entry(state, p, "link-case", &object))
        .await;
    if let Err(e) = outcome {
        audit_failure(state, p, "link-case", &object).await;
        return Err(match e {
            StoreError::NotFound(_) => Problem::bad_request(
                format!("there is no case {case}"),
                vec![Problem::field("caseId", format!("there is no case {case}"))],
            ),
            other => other.into(),
        });
    }
    Ok(())
}

/// The allocation plan of a year against its missions: places on missions,
/// places of cancelled missions back in the plan, and the unearmarked reservation.
#[utoipa::path(get, path = "/mission-plans/{year}", tag = "missions",
    params(("year" = i32, Path, description = "Framework year")),
    responses(
        (status = 200, description = "The plan", body = PlanStatus),
        (status = 400, description = "Not a year", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_mission_plan(
    State(state): State<AppState>,
    _reader: MissionReader,
    Path(year): Path<String>,
) -> Result<Json<PlanStatus>, Problem> {
    let year = mission_plan_year(&year)?;
    Ok(Json(mission_plan(&state, year).await?))
}

pub(crate) fn mission_plan_year(raw: &str) -> Result<i32, Problem> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (1984..=2200).contains(y))
        .ok_or_else(|| {
            Problem::bad_request(
                format!("'{raw}' is not a year"),
                vec![Problem::field("year", "a year from 1984 to 2200")],
            )
        })
}

pub(crate) async fn mission_plan(state: &AppState, year: i32) -> Result<PlanStatus, Problem> {
    let policy = state.store.policy().await?;
    let plan = policy
        .as_ref()
        .and_then(|p| p.document.allocation_plans.iter().find(|a| a.year == year));
    let missions = state.store.missions().await?;
    Ok(plan_status(year, plan, &missions))
}

/// The request for submissions for a mission: places, profile wishes, and the
/// Dutch country policy valid on its start day that concerns its populations.
#[utoipa::path(get, path = "/missions/{id}/submission-request", tag = "missions",
    params(("id" = String, Path, description = "Mission id (UUID)")),
    responses(
        (status = 200, description = "The request", body = SubmissionRequest),
        (status = 404, description = "No such mission", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_submission_request(
    State(state): State<AppState>,
    RequestReader(p): RequestReader,
    Path(id): Path<String>,
) -> Result<Json<SubmissionRequest>, Problem> {
    let id = parse_mission(&id)?;
    Ok(Json(build_request(&state, &p, id).await?))
}

pub(crate) async fn build_request(
    state: &AppState,
    p: &Principal,
    id: MissionId,
) -> Result<SubmissionRequest, Problem> {
    let mission = load_mission(state, id).await?;
    let notes = state.store.policy_notes().await?;
    let wishes = profile_wishes(&state.store.mission_profiles(id).await?);
    audit(
        state,
        p.name(),
        "read-submission-request",
        &format!("mission {id}"),
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    Ok(submission_request(&mission, &notes, wishes))
}

/// Every country-policy note, oldest validity first.
///
/// Paged like every list: follow a page's `next` and `previous` links.
#[utoipa::path(get, path = "/country-policy-notes", tag = "missions", params(ListParams),
    responses(
        (status = 200, description = "One page of notes", body = PolicyNotePage),
        (status = 400, description = "A paging parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_policy_notes(
    State(state): State<AppState>,
    _reader: RequestReader,
    uri: Uri,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<PolicyNotePage>, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let notes = state.store.policy_notes().await?;
    Ok(Json(params.page(&uri, notes, |n| n.id.to_string())?.into()))
}

/// Records a note of country policy with its validity.
#[utoipa::path(post, path = "/country-policy-notes", tag = "missions", request_body = NewPolicyNote,
    responses(
        (status = 201, description = "Recorded", body = PolicyNote),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_policy_note(
    State(state): State<AppState>,
    CountryPolicyEditor(p): CountryPolicyEditor,
    body: Result<Json<NewPolicyNote>, JsonRejection>,
) -> Result<(StatusCode, Json<PolicyNote>), Problem> {
    let Json(new) = body.map_err(bad_body)?;
    let id = PolicyNoteId::generate();
    let object = format!("policy-note {id}");
    let note = match new.validate(id) {
        Ok(n) => n,
        Err(problems) => {
            audit_failure(&state, &p, "add-policy-note", &object).await;
            return Err(field_problems("the policy note is invalid", problems));
        }
    };
    state
        .store
        .add_policy_note(&note, &entry(&state, &p, "add-policy-note", &object))
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// Every hold, newest first, with the messages sent under it.
///
/// Paged like every list: follow a page's `next` and `previous` links.
#[utoipa::path(get, path = "/holds", tag = "missions", params(ListParams),
    responses(
        (status = 200, description = "One page of holds", body = HoldPage),
        (status = 400, description = "A paging parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_holds(
    State(state): State<AppState>,
    _reader: MissionReader,
    uri: Uri,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<HoldPage>, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let holds = state.store.holds().await?;
    Ok(Json(params.page(&uri, holds, |h| h.id.to_string())?.into()))
}

/// A hold on the departures of a mission or a whole programme.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldRequest {
    pub scope: HoldScope,
    pub starts_on: Date,
    pub reason: String,
}

/// Pauses departures (pandemic, reception crisis): a departure during an active hold is refused.
#[utoipa::path(post, path = "/holds", tag = "missions", request_body = HoldRequest,
    responses(
        (status = 201, description = "On hold", body = Hold),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_hold(
    State(state): State<AppState>,
    HoldManager(p): HoldManager,
    body: Result<Json<HoldRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Hold>), Problem> {
    let Json(r) = body.map_err(bad_body)?;
    let id = HoldId::generate();
    let object = format!("hold {id}");
    if r.reason.trim().is_empty() {
        audit_failure(&state, &p, "create-hold", &object).await;
        return Err(Problem::bad_request(
            "a hold needs a reason",
            vec![
                FieldProblem::new(
                    "reason",
                    Rule::HoldNeedsReason,
                    "say why departures are paused",
                )
                .into(),
            ],
        ));
    }
    let hold = Hold {
        id,
        scope: r.scope,
        starts_on: r.starts_on,
        reason: r.reason.trim().to_string(),
        released_on: None,
        created_by: p.name().to_string(),
        messages: vec![],
    };
    if let Err(e) = state
        .store
        .create_hold(&hold, &entry(&state, &p, "create-hold", &object))
        .await
    {
        audit_failure(&state, &p, "create-hold", &object).await;
        return Err(e.into());
    }
    Ok((StatusCode::CREATED, Json(hold)))
}

async fn load_hold(state: &AppState, raw: &str) -> Result<Hold, Problem> {
    let missing = || Problem::new(StatusCode::NOT_FOUND, format!("there is no hold {raw}"));
    let id: HoldId = raw.parse().map_err(|_| missing())?;
    state.store.hold(id).await?.ok_or_else(missing)
}

/// The day departures resume.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseRequest {
    pub released_on: Date,
}

/// Releases a hold: departures from `releasedOn` on are allowed again.
#[utoipa::path(post, path = "/holds/{id}/release", tag = "missions",
    params(("id" = String, Path, description = "Hold id (UUID)")),
    request_body = ReleaseRequest,
    responses(
        (status = 201, description = "Released", body = Hold),
        (status = 400, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hold", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Released already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_release(
    State(state): State<AppState>,
    HoldManager(p): HoldManager,
    Path(id): Path<String>,
    body: Result<Json<ReleaseRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Hold>), Problem> {
    let Json(r) = body.map_err(bad_body)?;
    let mut hold = load_hold(&state, &id).await?;
    let object = format!("hold {}", hold.id);
    let refused = if hold.released_on.is_some() {
        Some(Problem::new(
            StatusCode::CONFLICT,
            "the hold was released already",
        ))
    } else if r.released_on < hold.starts_on {
        Some(Problem::bad_request(
            "a hold is released on or after its start",
            vec![
                FieldProblem::new(
                    "releasedOn",
                    Rule::ReleaseBeforeHold,
                    format!("the hold started on {}", hold.starts_on),
                )
                .with("startsOn", hold.starts_on)
                .into(),
            ],
        ))
    } else {
        None
    };
    if let Some(problem) = refused {
        audit_failure(&state, &p, "release-hold", &object).await;
        return Err(problem);
    }
    hold.released_on = Some(r.released_on);
    state
        .store
        .save_hold(&hold, &entry(&state, &p, "release-hold", &object))
        .await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// Logs a message sent to the accepted refugees waiting under the hold.
#[utoipa::path(post, path = "/holds/{id}/messages", tag = "missions",
    params(("id" = String, Path, description = "Hold id (UUID)")),
    request_body = HoldMessage,
    responses(
        (status = 201, description = "Logged", body = Hold),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hold", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_hold_message(
    State(state): State<AppState>,
    HoldManager(p): HoldManager,
    Path(id): Path<String>,
    body: Result<Json<HoldMessage>, JsonRejection>,
) -> Result<(StatusCode, Json<Hold>), Problem> {
    let Json(mut message) = body.map_err(bad_body)?;
    let mut hold = load_hold(&state, &id).await?;
    let object = format!("hold {}", hold.id);
    if let Err(problems) = message.validate(&hold) {
        audit_failure(&state, &p, "hold-message", &object).await;
        return Err(field_problems("the message is invalid", problems));
    }
    message.sent_by = p.name().to_string();
    hold.messages.push(message);
    state
        .store
        .save_hold(&hold, &entry(&state, &p, "hold-message", &object))
        .await?;
    Ok((StatusCode::CREATED, Json(hold)))
}
