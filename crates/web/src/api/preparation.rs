//! The assessment and preparation of one case: interviews (IND, COA social
//! intake, medical check), the COA resettlement profile, cultural orientation
//! attendance and travel.

use crate::api::cases::{bad_body, load, parse_id};
use crate::api::missions::{audit_failure, entry, field_problems};
use crate::auth::{CaseReader, Interviewer, PreparationReader, Preparer, Principal};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use resettle_domain::Case;
use resettle_domain::access::case_scope;
use resettle_domain::operations::{Interview, OrientationSession, ResettlementProfile, TravelPlan};
use resettle_store::Preparation;
use serde::Deserialize;
use utoipa::ToSchema;

fn reader(p: &Principal) -> CaseReader {
    CaseReader {
        principal: p.clone(),
        scope: case_scope(p.user.role, p.user.organisation.as_deref()),
    }
}

/// A case the principal may see, or 404 (audited like every case read).
pub(crate) async fn case_for(state: &AppState, p: &Principal, raw: &str) -> Result<Case, Problem> {
    let id = parse_id(raw)?;
    load(state, &reader(p), id).await
}

pub(crate) async fn preparation(state: &AppState, case: &Case) -> Result<Preparation, Problem> {
    Ok(state
        .store
        .preparation(case.id, &case.submission.case_number)
        .await?)
}

/// The interviews, profile, orientation and travel of a case.
#[utoipa::path(get, path = "/cases/{id}/preparation", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    responses(
        (status = 200, description = "The preparation", body = Preparation),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_preparation(
    State(state): State<AppState>,
    PreparationReader(p): PreparationReader,
    Path(id): Path<String>,
) -> Result<Json<Preparation>, Problem> {
    let case = case_for(&state, &p, &id).await?;
    Ok(Json(preparation(&state, &case).await?))
}

/// Records an interview: the IND its own and the medical check, COA the social intake.
#[utoipa::path(post, path = "/cases/{id}/interviews", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = Interview,
    responses(
        (status = 201, description = "Recorded", body = Interview),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another organisation holds this kind of interview", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_interview(
    State(state): State<AppState>,
    Interviewer(p): Interviewer,
    Path(id): Path<String>,
    body: Result<Json<Interview>, JsonRejection>,
) -> Result<(StatusCode, Json<Interview>), Problem> {
    let case = case_for(&state, &p, &id).await?;
    let Json(mut interview) = body.map_err(bad_body)?;
    let interview = record_interview(&state, &p, &case, &mut interview).await?;
    Ok((StatusCode::CREATED, Json(interview)))
}

pub(crate) async fn record_interview(
    state: &AppState,
    p: &Principal,
    case: &Case,
    interview: &mut Interview,
) -> Result<Interview, Problem> {
    let object = format!("case {}", case.id);
    let action = format!("record-interview:{}", interview.kind);
    if !p.user.role.may_interview(interview.kind) {
        audit_failure(state, p, &action, &object).await;
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "your role ({}) does not hold '{}' interviews",
                p.user.role, interview.kind
            ),
        ));
    }
    if let Err(problems) = interview.validate(state.today()) {
        audit_failure(state, p, &action, &object).await;
        return Err(field_problems("the interview is invalid", problems));
    }
    interview.recorded_by = p.name().to_string();
    state
        .store
        .add_interview(case.id, interview, &entry(state, p, &action, &object))
        .await?;
    Ok(interview.clone())
}

/// Writes (or replaces) the COA resettlement profile of a case.
#[utoipa::path(put, path = "/cases/{id}/profile", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = ResettlementProfile,
    responses(
        (status = 200, description = "Saved", body = ResettlementProfile),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_profile(
    State(state): State<AppState>,
    Preparer(p): Preparer,
    Path(id): Path<String>,
    body: Result<Json<ResettlementProfile>, JsonRejection>,
) -> Result<Json<ResettlementProfile>, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let Json(profile) = body.map_err(bad_body)?;
    let object = format!("case {}", case.id);
    if let Err(problems) = profile.validate(case.persons()) {
        audit_failure(&state, &p, "set-profile", &object).await;
        return Err(field_problems("the profile is invalid", problems));
    }
    state
        .store
        .set_profile(
            case.id,
            &profile,
            &entry(&state, &p, "set-profile", &object),
        )
        .await?;
    Ok(Json(profile))
}

/// Records a cultural orientation session with attendance per member.
#[utoipa::path(post, path = "/cases/{id}/orientation-sessions", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = OrientationSession,
    responses(
        (status = 201, description = "Recorded", body = OrientationSession),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_orientation(
    State(state): State<AppState>,
    Preparer(p): Preparer,
    Path(id): Path<String>,
    body: Result<Json<OrientationSession>, JsonRejection>,
) -> Result<(StatusCode, Json<OrientationSession>), Problem> {
    let case = case_for(&state, &p, &id).await?;
    let Json(mut session) = body.map_err(bad_body)?;
    let object = format!("case {}", case.id);
    if let Err(problems) = session.validate(case.persons(), state.today()) {
        audit_failure(&state, &p, "record-orientation", &object).await;
        return Err(field_problems("the session is invalid", problems));
    }
    session.recorded_by = p.name().to_string();
    state
        .store
        .add_orientation(
            case.id,
            &session,
            &entry(&state, &p, "record-orientation", &object),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// A new travel plan, against the one the officer saw.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TravelRequest {
    /// The booked departure the officer saw (none when there was no plan), so
    /// that a concurrent change is not overwritten.
    #[serde(default)]
    pub expected_departs_on: Option<time::Date>,
    pub plan: TravelPlan,
}

/// Writes the travel documents and booking of a case; bringing the departure
/// forward needs a reason.
#[utoipa::path(put, path = "/cases/{id}/travel", tag = "cases",
    params(("id" = String, Path, description = "Case id (UUID)")),
    request_body = TravelRequest,
    responses(
        (status = 200, description = "Saved", body = TravelPlan),
        (status = 400, description = "Every invalid field is listed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan changed meanwhile", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_travel(
    State(state): State<AppState>,
    Preparer(p): Preparer,
    Path(id): Path<String>,
    body: Result<Json<TravelRequest>, JsonRejection>,
) -> Result<Json<TravelPlan>, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let Json(request) = body.map_err(bad_body)?;
    let object = format!("case {}", case.id);
    let previous = state.store.travel(case.id).await?;
    let seen = previous.as_ref().and_then(|t| t.departs_on);
    if seen != request.expected_departs_on {
        audit_failure(&state, &p, "set-travel", &object).await;
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "the travel plan changed since you saw it; reload it and try again",
        ));
    }
    if let Err(problems) = request.plan.validate(case.persons(), previous.as_ref()) {
        audit_failure(&state, &p, "set-travel", &object).await;
        return Err(field_problems("the travel plan is invalid", problems));
    }
    let action = if request.plan.brought_forward_reason.is_some()
        && previous
            .as_ref()
            .and_then(|t| t.departs_on)
            .zip(request.plan.departs_on)
            .is_some_and(|(before, now)| now < before)
    {
        "bring-travel-forward"
    } else {
        "set-travel"
    };
    state
        .store
        .set_travel(
            case.id,
            previous.as_ref(),
            &request.plan,
            &entry(&state, &p, action, &object),
        )
        .await?;
    Ok(Json(request.plan))
}
