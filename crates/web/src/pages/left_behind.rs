//! The relatives a family leaves behind, recorded by the IND or COA at the
//! mission interview or the dossier assessment. The case page shows them as
//! the reader may see them (a municipality: how they are related and whether
//! they are expected to apply, no names); a page of their own lets those who
//! record them add and remove relatives, through the same store operation as
//! the API, against the version they saw.

use super::i18n::T;
use super::layout::{error_summary, field_error, input, page, typed};
use crate::api::missions::{audit_failure, entry};
use crate::api::preparation::case_for;
use crate::auth::{LeftBehindRecorder, Principal};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::reunification::{RelativeLeftBehind, validate_left_behind};
use resettle_domain::{Case, CaseId, Permission, Relationship};
use resettle_store::{LeftBehind, StoreError};

type Fields = Vec<(String, String)>;
type Errors = Vec<(String, String)>;

/// The relatives a family left behind, if the reader may read family
/// reunification (else none).
pub(super) async fn for_reader(
    state: &AppState,
    p: &Principal,
    case: CaseId,
) -> Result<Vec<RelativeLeftBehind>, StoreError> {
    if !p.allows(Permission::ReadReunification) {
        return Ok(vec![]);
    }
    Ok(state.store.relatives_left_behind(case).await?.relatives)
}

/// What the case page shows of the relatives a family left behind.
pub(super) fn section(t: T, p: &Principal, case: CaseId, list: &[RelativeLeftBehind]) -> Markup {
    if !p.allows(Permission::ReadReunification) {
        return html! {};
    }
    let whole = p.allows(Permission::RecordRelativesLeftBehind);
    html! {
        section aria-labelledby="left-behind-title" {
            h2 #left-behind-title { (t.t("reun-left-behind-title")) }
            @if list.is_empty() { p { (t.t("reun-left-behind-none")) } } @else {
                ul { @for r in list { li { (line(t, p, r)) } } }
                @if !whole { p.hint { (t.t("reun-left-behind-minimised")) } }
            }
            @if whole {
                p { a href={ "/cases/" (case) "/relatives-left-behind" } { (t.t("reun-left-behind-record")) } }
            }
            p { a href={ "/family-reunification?sponsor=" (case) } { (t.t("reun-title")) } }
        }
    }
}

/// One relative as the reader may see them.
fn line(t: T, p: &Principal, r: &RelativeLeftBehind) -> Markup {
    let seen = r.seen_by(p.user.role);
    html! {
        @if let (Some(g), Some(f)) = (&seen.given_name, &seen.family_name) { (g) " " (f) " · " }
        (t.term("relationship", seen.relationship.as_str()))
        @if let Some(w) = &seen.whereabouts { " · " (t.t("reun-whereabouts")) ": " (w) }
        @if let Some(why) = &seen.reason_stays { " · " (t.t("reun-reason-stays")) ": " (why) }
        @if seen.expected_to_apply { " · " strong { (t.t("reun-expected-to-apply")) } }
    }
}

/// How many relatives were left behind and how many are expected to apply:
/// for the COA profile and the municipality's incoming families.
pub(super) fn count(t: T, list: &[RelativeLeftBehind]) -> String {
    if list.is_empty() {
        return t.t("reun-left-behind-count-none");
    }
    t.with(
        "reun-left-behind-count",
        &[
            ("n", list.len().into()),
            (
                "expected",
                list.iter().filter(|r| r.expected_to_apply).count().into(),
            ),
        ],
    )
}

/// The recording page: the list with a remove button per relative, and a
/// form to add one.
pub async fn show(
    State(state): State<AppState>,
    t: T,
    LeftBehindRecorder(p): LeftBehindRecorder,
    Path(id): Path<String>,
    Query(q): Query<super::reunification::Done>,
) -> Result<Response, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let list = state.store.relatives_left_behind(case.id).await?;
    Ok(recording_page(
        t,
        &p,
        &case,
        &list,
        &[],
        &[],
        q.done.is_some(),
        StatusCode::OK,
    ))
}

#[allow(clippy::too_many_arguments)]
fn recording_page(
    t: T,
    p: &Principal,
    case: &Case,
    list: &LeftBehind,
    errors: &[(String, String)],
    form: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Response {
    let number = case.submission.case_number.to_string();
    let path = format!("/cases/{}/relatives-left-behind", case.id);
    let version = list.version.to_string();
    let value = |name: &str| typed(form, name);
    let chosen = value("relationship");
    let body = html! {
        p { a href={ "/cases/" (case.id) } { "← " (t.with("case-title", &[("number", number.clone().into())])) } }
        h1 { (t.t("reun-left-behind-title")) " · " (number) }
        p { (t.t("reun-left-behind-intro")) }
        @if done { div.notice role="status" { (t.t("reun-recorded")) } }
        (error_summary(&t.t("case-errors-title"), errors))
        @if list.relatives.is_empty() { p { (t.t("reun-left-behind-none")) } } @else {
            ul.left-behind { @for (i, r) in list.relatives.iter().enumerate() {
                li {
                    (line(t, p, r))
                    form.inline method="post" action=(path) {
                        input type="hidden" name="csrf" value=(p.csrf());
                        input type="hidden" name="op" value="remove";
                        input type="hidden" name="index" value=(i);
                        input type="hidden" name="expectedVersion" value=(version);
                        button.secondary type="submit" aria-label=(t.with("reun-left-behind-remove-who", &[("n", (i + 1).into())])) { (t.t("reun-left-behind-remove")) }
                    }
                }
            } }
        }
        h2 #left-behind-add { (t.t("reun-left-behind-add")) }
        form method="post" action=(path) {
            input type="hidden" name="csrf" value=(p.csrf());
            input type="hidden" name="op" value="add";
            input type="hidden" name="expectedVersion" value=(version);
            (input("lb-givenName", "givenName", &t.t("reun-given-name"), "text", value("givenName"), errors))
            (input("lb-familyName", "familyName", &t.t("reun-family-name"), "text", value("familyName"), errors))
            div.field {
                label for="lb-relationship" { (t.t("reun-left-behind-relationship")) }
                (field_error(errors, "lb-relationship"))
                select #lb-relationship name="relationship" {
                    @for r in Relationship::ALL.iter().filter(|r| **r != Relationship::PrincipalApplicant) {
                        option value=(r.as_str()) selected[chosen == r.as_str()] { (t.term("relationship", r.as_str())) }
                    }
                }
            }
            (input("lb-whereabouts", "whereabouts", &t.t("reun-left-behind-whereabouts"), "text", value("whereabouts"), errors))
            (input("lb-reasonStays", "reasonStays", &t.t("reun-reason-stays"), "text", value("reasonStays"), errors))
            div.choice {
                input #lb-expected type="checkbox" name="expectedToApply" value="yes" checked[!value("expectedToApply").is_empty()];
                label for="lb-expected" { (t.t("reun-left-behind-expected")) }
            }
            button type="submit" { (t.t("reun-left-behind-add")) }
        }
    };
    let title = t.t("reun-left-behind-title");
    (status, page(t, &title, &path, Some(p), body)).into_response()
}

fn get<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// Adds or removes one relative, against the version the officer saw.
pub async fn change(
    State(state): State<AppState>,
    t: T,
    LeftBehindRecorder(p): LeftBehindRecorder,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    let case = case_for(&state, &p, &id).await?;
    let current = state.store.relatives_left_behind(case.id).await?;
    let object = format!("case {}", case.id);
    let action = "record-relatives-left-behind";
    let mut errors: Errors = vec![];
    let Ok(expected) = get(&form, "expectedVersion").parse::<i64>() else {
        // Only a tampered form lacks it: say so, change nothing.
        return Err(Problem::bad_request(
            "expectedVersion: give the version of the list the form was filled in against",
            vec![Problem::field("expectedVersion", "give a whole number")],
        ));
    };
    let mut list = current.relatives.clone();
    match get(&form, "op") {
        "add" => {
            let relationship = Relationship::parse(get(&form, "relationship")).ok();
            if relationship.is_none() {
                errors.push(("lb-relationship".into(), t.t("form-required")));
            }
            for (field, name) in [
                ("lb-givenName", "givenName"),
                ("lb-familyName", "familyName"),
                ("lb-whereabouts", "whereabouts"),
                ("lb-reasonStays", "reasonStays"),
            ] {
                if get(&form, name).is_empty() {
                    errors.push((field.into(), t.t("form-required")));
                }
            }
            let expected_to_apply = match get(&form, "expectedToApply") {
                "" => false,
                "yes" => true,
                _ => {
                    errors.push(("lb-expected".into(), t.t("form-choose")));
                    false
                }
            };
            if let Some(relationship) = relationship {
                list.push(RelativeLeftBehind {
                    given_name: get(&form, "givenName").into(),
                    family_name: get(&form, "familyName").into(),
                    relationship,
                    whereabouts: get(&form, "whereabouts").into(),
                    reason_stays: get(&form, "reasonStays").into(),
                    expected_to_apply,
                });
            }
        }
        "remove" => match get(&form, "index").parse::<usize>() {
            Ok(i) if i < list.len() => {
                list.remove(i);
            }
            _ => errors.push(("left-behind-add".into(), t.t("reun-left-behind-gone"))),
        },
        _ => errors.push(("left-behind-add".into(), t.t("form-required"))),
    }
    if errors.is_empty()
        && let Err(e) = validate_left_behind(&list)
    {
        // The domain names the field as the API would (relatives[i].x).
        let problem = e.problem();
        let field = problem.field.rsplit('.').next().unwrap_or("givenName");
        let field = format!("lb-{field}");
        errors.push((field, super::refusals::field(&t, &problem.into())));
    }
    if !errors.is_empty() {
        audit_failure(&state, &p, action, &object).await;
        return Ok(recording_page(
            t,
            &p,
            &case,
            &current,
            &errors,
            &form,
            false,
            StatusCode::BAD_REQUEST,
        ));
    }
    let saved = state
        .store
        .set_relatives_left_behind(
            case.id,
            expected,
            &list,
            &entry(&state, &p, action, &object),
        )
        .await;
    match saved {
        Ok(_) => Ok(
            Redirect::to(&format!("/cases/{}/relatives-left-behind?done=1", case.id))
                .into_response(),
        ),
        Err(StoreError::Conflict { .. }) => {
            audit_failure(&state, &p, action, &object).await;
            let fresh = state.store.relatives_left_behind(case.id).await?;
            let errors = vec![("left-behind-add".into(), t.t("reun-left-behind-changed"))];
            Ok(recording_page(
                t,
                &p,
                &case,
                &fresh,
                &errors,
                &form,
                false,
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
