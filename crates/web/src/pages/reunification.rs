//! Family reunification (nareis) on pages: the applications with their
//! norms; one application with a form per relative for the IND (evidence,
//! interview, decision) and for COA (travel, arrival); and the relatives a
//! family left behind, shown on the case page. The forms go through the
//! same code as the API.

use super::i18n::T;
use super::layout::{error_summary, input, page, typed};
use super::refusals;
use crate::api::reunification::{
    ApplicationChangeRequest, ApplicationDetail, ApplicationSummary, Desk, application_for, change,
    detail, summaries,
};
use crate::auth::{
    Principal, ReunificationDecider, ReunificationReader, ReunificationTravelArranger,
};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::Permission;
use resettle_domain::reunification::{
    ApplicationChange, AppliedRelative, DecisionKind, EvidenceKind, RelativeStatus,
    ReunificationGround, ReunificationNorm,
};

type Errors = Vec<(String, String)>;
type Fields = Vec<(String, String)>;
/// A refused form's errors and the values it was posted with.
type Refused<'a> = (&'a [(String, String)], &'a [(String, String)]);

fn get<'a>(form: &'a Fields, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the IND's decision term passed with a relative still undecided.
pub(super) fn overdue(s: &ApplicationSummary, today: time::Date) -> bool {
    s.application.application.pending() && s.decision_due.is_some_and(|d| d < today)
}

/// Who a relative is, or only how they are related when the reader may not
/// know their name (a municipality, before the IND grants).
fn who(t: T, r: &AppliedRelative) -> String {
    let relationship = t.term("relationship", r.relationship.as_str());
    if r.identity_withheld {
        t.with(
            "reun-name-withheld",
            &[("relationship", relationship.into())],
        )
    } else {
        format!("{} {} ({relationship})", r.given_name, r.family_name)
    }
}

fn status_word(t: T, s: RelativeStatus) -> String {
    t.term("reun-status", s.as_str())
}

fn norm_word(t: T, n: ReunificationNorm) -> String {
    t.t(match n {
        ReunificationNorm::ApplicationWindow => "reun-norm-application-window",
        ReunificationNorm::DecisionTerm => "reun-norm-decision-term",
        ReunificationNorm::TravelAfterGrant => "reun-norm-travel-after-grant",
    })
}

/// The norms of one application, as a list.
pub(super) fn norms(t: T, s: &ApplicationSummary) -> Markup {
    html! {
        ul.norms { @for n in &s.norms {
            li {
                (norm_word(t, n.norm))
                @if let Some(r) = n.relative.and_then(|i| s.application.application.relatives.get(i)) { " · " (who(t, r)) }
                ": " (super::norms::status_word(t, n.status)) " · " (t.t("reun-deadline")) " " (t.date(n.deadline))
            }
        } }
    }
}

/// Every application the reader may see, with its norms; a form for the IND.
pub async fn list(
    State(state): State<AppState>,
    t: T,
    ReunificationReader(p): ReunificationReader,
) -> Result<Response, Problem> {
    list_page(&state, t, &p, &[], &[], StatusCode::OK).await
}

async fn list_page(
    state: &AppState,
    t: T,
    p: &Principal,
    errors: &[(String, String)],
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Problem> {
    let value = |name: &str| typed(form, name);
    let today = state.today();
    let items = summaries(state, p, None, None).await?;
    let pending = items
        .iter()
        .filter(|s| s.application.application.pending())
        .count();
    let body = html! {
        h1 { (t.t("reun-title")) }
        p { (t.t("reun-intro")) }
        p { (t.t("reun-pending")) ": " strong { (pending) } }
        (error_summary(&t.t("case-errors-title"), errors))
        @if items.is_empty() { p { (t.t("reun-none")) } } @else {
            div.table-scroll { table {
                caption { (t.t("reun-title")) }
                thead { tr {
                    th scope="col" { (t.t("reun-sponsor")) }
                    th scope="col" { (t.t("reun-applied-on")) }
                    th scope="col" { (t.t("reun-window")) }
                    th scope="col" { (t.t("reun-decision-due")) }
                    th scope="col" { (t.t("reun-relatives")) }
                } }
                tbody { @for s in &items {
                    @let a = &s.application.application;
                    tr {
                        th scope="row" { a href={ "/family-reunification/" (a.id) } { (a.sponsor_case_number) } }
                        td { (t.date(a.applied_on)) }
                        td {
                            (s.window_ends.map(|d| t.date(d)).unwrap_or_else(|| "–".into()))
                            @if s.late == Some(true) { " · " strong { (t.t("reun-late")) } }
                        }
                        td {
                            (s.decision_due.map(|d| t.date(d)).unwrap_or_default())
                            @if overdue(s, today) { " · " strong { (t.t("norms-overdue")) } }
                        }
                        td { ul { @for r in &a.relatives { li { (who(t, r)) ": " (status_word(t, r.status)) } } } }
                    }
                } }
            } }
        }
        @if p.allows(Permission::DecideReunification) {
            section aria-labelledby="reun-new-title" {
                h2 #reun-new-title { (t.t("reun-new")) }
                p { (t.t("reun-new-intro")) }
                form method="post" action="/family-reunification" {
                    input type="hidden" name="csrf" value=(p.csrf());
                    (input("reun-sponsor", "sponsor", &t.t("reun-sponsor-number"), "text", value("sponsor"), errors))
                    (input("reun-permitIssuedOn", "permitIssuedOn", &t.t("reun-permit"), "date", value("permitIssuedOn"), errors))
                    (input("reun-appliedOn", "appliedOn", &t.t("reun-applied-on"), "date", value("appliedOn"), errors))
                    (input("reun-givenName", "givenName", &t.t("reun-given-name"), "text", value("givenName"), errors))
                    (input("reun-familyName", "familyName", &t.t("reun-family-name"), "text", value("familyName"), errors))
                    (input("reun-dateOfBirth", "dateOfBirth", &t.t("reun-date-of-birth"), "date", value("dateOfBirth"), errors))
                    (input("reun-nationality", "nationality", &t.t("reun-nationality"), "text", value("nationality"), errors))
                    div.field {
                        label for="reun-relationship" { (t.t("reun-relationship")) }
                        select #reun-relationship name="relationship" {
                            @for r in resettle_domain::Relationship::ALL.iter().filter(|r| **r != resettle_domain::Relationship::PrincipalApplicant) {
                                option value=(r.as_str()) selected[value("relationship") == r.as_str()] { (t.term("relationship", r.as_str())) }
                            }
                        }
                    }
                    div.field {
                        label for="reun-sex" { (t.t("reun-sex")) }
                        select #reun-sex name="sex" { @for s in resettle_domain::Sex::ALL { option value=(s.as_str()) selected[value("sex") == s.as_str()] { (t.term("sex", s.as_str())) } } }
                    }
                    button type="submit" { (t.t("reun-new")) }
                }
            }
        }
    };
    Ok((
        status,
        page(
            t,
            &t.t("reun-title"),
            "/family-reunification",
            Some(p),
            body,
        ),
    )
        .into_response())
}

/// Errors moved to the form's own field ids: `(api field, form field)`.
fn at_fields(errors: Errors, renames: &[(&str, &str)]) -> Errors {
    errors
        .into_iter()
        .map(|(id, message)| {
            let (prefix, field) = id.rsplit_once('-').unwrap_or(("", id.as_str()));
            match renames.iter().find(|(from, _)| *from == field) {
                Some((_, to)) => (format!("{prefix}-{to}"), message),
                None => (id, message),
            }
        })
        .collect()
}

/// Field errors of a problem, as (form field id, message).
fn errors_of(t: T, prefix: &str, p: &Problem) -> Errors {
    if p.errors.is_empty() {
        return vec![(format!("{prefix}-form"), refusals::whole(&t, p))];
    }
    p.errors
        .iter()
        .map(|e| {
            // `relatives[0].dateOfBirth` is the form's `dateOfBirth`.
            let last = e.field.rsplit('.').next().unwrap_or(&e.field);
            let field = last.split('[').next().unwrap_or(last);
            let field = if field.is_empty() { "form" } else { field };
            (format!("{prefix}-{field}"), refusals::field(&t, e))
        })
        .collect()
}

/// Registers an application for one relative (more through the API).
pub async fn create(
    State(state): State<AppState>,
    t: T,
    decider: ReunificationDecider,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    let p = decider.0.clone();
    let mut errors: Errors = vec![];
    let mut date = |name: &str| match get(&form, name).map(|d| refusals::date(&t, d)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push((format!("reun-{name}"), e));
            None
        }
        None => {
            errors.push((format!("reun-{name}"), t.t("form-required")));
            None
        }
    };
    let permit = date("permitIssuedOn");
    let applied = date("appliedOn");
    let born = date("dateOfBirth");
    let sponsor = match get(&form, "sponsor").map(resettle_domain::CaseNumber::parse) {
        Some(Ok(n)) => state.store.case_by_number(&n).await?,
        _ => None,
    };
    if sponsor.is_none() {
        errors.push(("reun-sponsor".into(), t.t("reun-no-such-sponsor")));
    }
    let nationality = match get(&form, "nationality") {
        None => {
            errors.push(("reun-nationality".into(), t.t("form-required")));
            None
        }
        Some(raw) => resettle_domain::Nationality::parse(raw)
            .map_err(|_| {
                let e = t.with("rule-country-code", &[("value", raw.into())]);
                errors.push(("reun-nationality".into(), e));
            })
            .ok(),
    };
    // The choices come from the form's own lists; anything else is named.
    let relationship = get(&form, "relationship")
        .and_then(|r| resettle_domain::Relationship::parse(r).ok())
        .filter(|r| *r != resettle_domain::Relationship::PrincipalApplicant);
    if relationship.is_none() {
        errors.push(("reun-relationship".into(), t.t("form-choose")));
    }
    let sex = get(&form, "sex").and_then(|s| resettle_domain::Sex::parse(s).ok());
    if sex.is_none() {
        errors.push(("reun-sex".into(), t.t("form-choose")));
    }
    let (
        Some(permit),
        Some(applied),
        Some(born),
        Some(sponsor),
        Some(nationality),
        Some(relationship),
        Some(sex),
    ) = (
        permit,
        applied,
        born,
        sponsor,
        nationality,
        relationship,
        sex,
    )
    else {
        return list_page(&state, t, &p, &errors, &form, StatusCode::BAD_REQUEST).await;
    };
    let new = resettle_domain::reunification::NewApplication {
        sponsor_case_id: sponsor.id,
        permit_issued_on: permit,
        applied_on: applied,
        relatives: vec![resettle_domain::reunification::NewRelative {
            given_name: get(&form, "givenName").unwrap_or_default().to_string(),
            family_name: get(&form, "familyName").unwrap_or_default().to_string(),
            date_of_birth: born,
            sex,
            nationality,
            relationship,
        }],
    };
    match crate::api::reunification::create_application(
        State(state.clone()),
        decider,
        Ok(axum::Json(new)),
    )
    .await
    {
        Ok((_, axum::Json(d))) => Ok(Redirect::to(&format!(
            "/family-reunification/{}",
            d.summary.application.application.id
        ))
        .into_response()),
        Err(problem) if problem.status == 400 => {
            // The API's fields as this form names them.
            let errors = at_fields(
                errors_of(t, "reun", &problem),
                &[("occurredOn", "appliedOn"), ("sponsorCaseId", "sponsor")],
            );
            list_page(&state, t, &p, &errors, &form, StatusCode::BAD_REQUEST).await
        }
        Err(problem) => Err(problem),
    }
}

/// One application: its relatives, norms, history and the forms of the
/// reader's role.
pub async fn show(
    State(state): State<AppState>,
    t: T,
    ReunificationReader(p): ReunificationReader,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, Problem> {
    let a = match application_for(&state, &p, &id).await {
        Ok(a) => a,
        Err(_) => return Ok(super::not_found_page(t, Some(&p))),
    };
    let d = crate::api::reunification::read(&state, &p, a.application.id).await?;
    Ok(detail_page(
        t,
        &p,
        &d,
        (&[], &[]),
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// `?done=1`: the page a recorded change redirects to says so.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    pub(super) done: Option<String>,
}

/// One application's page; after a refused form, that relative's form shows
/// what was typed (`form`).
fn detail_page(
    t: T,
    p: &Principal,
    d: &ApplicationDetail,
    (errors, form): Refused<'_>,
    done: bool,
    status: StatusCode,
) -> Response {
    let filled = |i: usize| -> &[(String, String)] {
        if typed(form, "relative") == i.to_string() {
            form
        } else {
            &[]
        }
    };
    let s = &d.summary;
    let a = &s.application.application;
    let ind = p.allows(Permission::DecideReunification);
    let coa = p.allows(Permission::ArrangeReunificationTravel);
    let path = format!("/family-reunification/{}", a.id);
    let version = a.version.to_string();
    let body = html! {
        h1 { (t.t("reun-application")) " " (a.sponsor_case_number) }
        @if done { div.notice role="status" { (t.t("reun-recorded")) } }
        (error_summary(&t.t("case-errors-title"), errors))
        dl {
            dt { (t.t("reun-sponsor")) } dd { a href={ "/cases/" (a.sponsor_case_id) } { (a.sponsor_case_number) } }
            dt { (t.t("reun-permit")) } dd { (t.date(a.permit_issued_on)) }
            dt { (t.t("reun-applied-on")) } dd { (t.date(a.applied_on)) }
            dt { (t.t("reun-window")) } dd {
                (s.window_ends.map(|d| t.date(d)).unwrap_or_default()) " "
                @match s.late { Some(true) => strong.late { (t.t("reun-late")) }, Some(false) => (t.t("reun-on-time")), None => "" }
            }
            dt { (t.t("reun-decision-due")) } dd { (s.decision_due.map(|d| t.date(d)).unwrap_or_default()) }
            @if let Some(m) = &s.application.sponsor_municipality { dt { (t.t("reun-municipality")) } dd { (m) } }
        }
        h2 { (t.t("reun-norms")) }
        (norms(t, s))
        @for (i, r) in a.relatives.iter().enumerate() {
            section.relative aria-labelledby={ "rel-" (i) "-title" } {
                h2 id={ "rel-" (i) "-title" } { (who(t, r)) }
                p.status { (t.t("reun-status")) ": " strong id={ "rel-" (i) "-status" } { (status_word(t, r.status)) } }
                @if !r.evidence.is_empty() { p { (t.t("reun-evidence")) ": " @for e in &r.evidence { (t.term("reun-evidence", e.kind.as_str())) " (" (t.date(e.on)) ") " } } }
                @if !r.grounds.is_empty() { p { (t.t("reun-grounds")) ": " @for g in &r.grounds { (t.term("reun-ground", g.as_str())) " " } } }
                @if let Some(m) = &r.motivation { p { (t.t("field-reason")) ": " (m) } }
                @if let Some(tr) = &r.travel { p { (t.t("reun-visa-issued-on")) " " (t.date(tr.visa_issued_on)) " · " (t.t("reun-departs-on")) " " (t.date(tr.departs_on)) " · " (tr.booking_reference) } }
                @if let Some(n) = &r.arrival_case { p { (t.t("reun-arrival-case")) ": " (n) " (" (r.arrived_on.map(|d| t.date(d)).unwrap_or_default()) ")" } }
                @if ind && r.status.undecided() {
                    (ind_form(t, p, &path, &version, i, (errors, filled(i))))
                }
                @if ind && r.status == RelativeStatus::Granted {
                    (withdraw_form(t, p, &path, &version, i, (errors, filled(i))))
                }
                @if coa && matches!(r.status, RelativeStatus::Granted | RelativeStatus::Travel) {
                    (coa_form(t, p, &path, &version, i, r.status, (errors, filled(i))))
                }
            }
        }
        h2 { (t.t("reun-history")) }
        ol { @for e in &d.history {
            li { (t.date(e.occurred_on)) " · " (t.term("reun-change", e.change.name())) " · " (e.actor) @if let Some(r) = &e.reason { " · " (r) } }
        } }
        p { a href="/family-reunification" { (t.t("reun-back")) } }
    };
    (
        status,
        page(t, &t.t("reun-application"), &path, Some(p), body),
    )
        .into_response()
}

fn ind_form(
    t: T,
    p: &Principal,
    path: &str,
    version: &str,
    i: usize,
    (errors, form): Refused<'_>,
) -> Markup {
    let value = |name: &str| typed(form, name);
    let id = |n: &str| format!("dec-{i}-{n}");
    html! {
        details.action-form id={ "dec-" (i) } {
            summary { (t.t("reun-ind-work")) }
            form method="post" action={ (path) "/decisions" } {
                input type="hidden" name="csrf" value=(p.csrf());
                input type="hidden" name="expectedVersion" value=(version);
                input type="hidden" name="relative" value=(i);
                div.field {
                    label for=(id("op")) { (t.t("reun-step")) }
                    select #(id("op")) name="op" {
                        @for e in EvidenceKind::ALL {
                            @let v = format!("evidence:{}", e.as_str());
                            option value=(v) selected[value("op") == v] { (t.term("reun-evidence", e.as_str())) }
                        }
                        @for (v, key) in [("interview", "reun-interview"), ("grant", "reun-grant"), ("reject", "reun-reject"), ("withdraw", "reun-withdraw"), ("extend", "reun-extend")] {
                            option value=(v) selected[value("op") == v] { (t.t(key)) }
                        }
                    }
                }
                fieldset id=(id("grounds")) {
                    legend { (t.t("reun-grounds")) }
                    @for g in ReunificationGround::ALL {
                        div.choice {
                            input id={ "dec-" (i) "-g-" (g.as_str()) } type="checkbox" name="grounds" value=(g.as_str())
                                checked[form.iter().any(|(k, v)| k == "grounds" && v == g.as_str())];
                            label for={ "dec-" (i) "-g-" (g.as_str()) } { (t.term("reun-ground", g.as_str())) }
                        }
                    }
                }
                (input(&id("days"), "days", &t.t("reun-extend-days"), "number", value("days"), errors))
                (input(&id("reason"), "reason", &t.t("field-reason"), "text", value("reason"), errors))
                (input(&id("occurredOn"), "occurredOn", &t.t("reun-occurred-on"), "date", value("occurredOn"), errors))
                button type="submit" { (t.t("reun-record")) }
            }
        }
    }
}

fn withdraw_form(
    t: T,
    p: &Principal,
    path: &str,
    version: &str,
    i: usize,
    (errors, form): Refused<'_>,
) -> Markup {
    let value = |name: &str| typed(form, name);
    html! {
        details.action-form id={ "wd-" (i) } {
            summary { (t.t("reun-withdraw")) }
            form method="post" action={ (path) "/decisions" } {
                input type="hidden" name="csrf" value=(p.csrf());
                input type="hidden" name="expectedVersion" value=(version);
                input type="hidden" name="relative" value=(i);
                input type="hidden" name="op" value="withdraw";
                (input(&format!("wd-{i}-reason"), "reason", &t.t("field-reason-required"), "text", value("reason"), errors))
                button type="submit" { (t.t("reun-withdraw")) }
            }
        }
    }
}

fn coa_form(
    t: T,
    p: &Principal,
    path: &str,
    version: &str,
    i: usize,
    status: RelativeStatus,
    (errors, form): Refused<'_>,
) -> Markup {
    let value = |name: &str| typed(form, name);
    let id = |n: &str| format!("trv-{i}-{n}");
    html! {
        details.action-form id={ "trv-" (i) } {
            summary { @if status == RelativeStatus::Granted { (t.t("reun-arrange-travel")) } @else { (t.t("reun-arrive")) } }
            form method="post" action={ (path) "/travel" } {
                input type="hidden" name="csrf" value=(p.csrf());
                input type="hidden" name="expectedVersion" value=(version);
                input type="hidden" name="relative" value=(i);
                @if status == RelativeStatus::Granted {
                    input type="hidden" name="op" value="travel";
                    (input(&id("visaIssuedOn"), "visaIssuedOn", &t.t("reun-visa-issued-on"), "date", value("visaIssuedOn"), errors))
                    (input(&id("departsOn"), "departsOn", &t.t("reun-departs-on"), "date", value("departsOn"), errors))
                    (input(&id("bookingReference"), "bookingReference", &t.t("reun-booking"), "text", value("bookingReference"), errors))
                } @else {
                    input type="hidden" name="op" value="arrive";
                    (input(&id("occurredOn"), "occurredOn", &t.t("reun-arrived-on"), "date", value("occurredOn"), errors))
                    (input(&id("permitValidUntil"), "permitValidUntil", &t.t("reun-permit-valid-until"), "date", value("permitValidUntil"), errors))
                }
                button type="submit" { @if status == RelativeStatus::Granted { (t.t("reun-arrange-travel")) } @else { (t.t("reun-arrive")) } }
            }
        }
    }
}

/// The IND's forms post here.
pub async fn decide(
    State(state): State<AppState>,
    t: T,
    ReunificationDecider(p): ReunificationDecider,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    form_change(&state, t, &p, &id, &form, Desk::Ind).await
}

/// COA's forms post here.
pub async fn travel(
    State(state): State<AppState>,
    t: T,
    ReunificationTravelArranger(p): ReunificationTravelArranger,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    form_change(&state, t, &p, &id, &form, Desk::Coa).await
}

async fn form_change(
    state: &AppState,
    t: T,
    p: &Principal,
    id: &str,
    form: &Fields,
    desk: Desk,
) -> Result<Response, Problem> {
    let a = match application_for(state, p, id).await {
        Ok(a) => a,
        Err(_) => return Ok(super::not_found_page(t, Some(p))),
    };
    let relative: usize = get(form, "relative")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let prefix = if desk == Desk::Ind {
        format!("dec-{relative}")
    } else {
        format!("trv-{relative}")
    };
    let mut errors: Errors = vec![];
    let mut date = |name: &str, required: bool| match get(form, name).map(|d| refusals::date(&t, d))
    {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push((format!("{prefix}-{name}"), e));
            None
        }
        None => {
            if required {
                errors.push((format!("{prefix}-{name}"), t.t("form-required")));
            }
            None
        }
    };
    let op = get(form, "op").unwrap_or_default();
    let occurred_on = date("occurredOn", op == "arrive");
    let change = match op.split_once(':').unwrap_or((op, "")) {
        ("evidence", kind) => {
            EvidenceKind::parse(kind)
                .ok()
                .map(|kind| ApplicationChange::RecordEvidence {
                    relative,
                    kind,
                    note: String::new(),
                })
        }
        ("interview", _) => Some(ApplicationChange::Interview { relative }),
        ("grant" | "reject" | "withdraw", _) => Some(ApplicationChange::Decide {
            relative,
            decision: match op {
                "grant" => DecisionKind::Grant,
                "reject" => DecisionKind::Reject,
                _ => DecisionKind::Withdrawn,
            },
            grounds: form
                .iter()
                .filter(|(k, _)| k == "grounds")
                .filter_map(|(_, v)| ReunificationGround::parse(v).ok())
                .collect(),
        }),
        ("extend", _) => Some(ApplicationChange::ExtendDecisionTerm {
            days: get(form, "days").and_then(|d| d.parse().ok()).unwrap_or(0),
        }),
        ("travel", _) => {
            let visa = date("visaIssuedOn", true);
            let departs = date("departsOn", true);
            visa.zip(departs).map(
                |(visa_issued_on, departs_on)| ApplicationChange::ArrangeTravel {
                    relative,
                    visa_issued_on,
                    departs_on,
                    booking_reference: get(form, "bookingReference")
                        .unwrap_or_default()
                        .to_string(),
                },
            )
        }
        ("arrive", _) => {
            date("permitValidUntil", true).map(|permit_valid_until| ApplicationChange::Arrive {
                relative,
                permit_valid_until,
            })
        }
        _ => None,
    };
    let occurred_on = if op == "travel" {
        get(form, "visaIssuedOn").and_then(|d| refusals::date(&t, d).ok())
    } else {
        occurred_on
    };
    let Some(change) = change.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push((format!("{prefix}-op"), t.t("form-required")));
        }
        let d = detail(state, p, a.application.id).await?;
        return Ok(detail_page(
            t,
            p,
            &d,
            (&errors, form),
            false,
            StatusCode::BAD_REQUEST,
        ));
    };
    let request = ApplicationChangeRequest {
        expected_version: get(form, "expectedVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1),
        occurred_on,
        reason: get(form, "reason").map(str::to_string),
        change,
    };
    match change_outcome(state, p, a, request, desk).await {
        // Redirected, so that reloading the page does not post again.
        Ok(d) => Ok(Redirect::to(&format!(
            "/family-reunification/{}?done=1",
            d.summary.application.application.id
        ))
        .into_response()),
        Err((problem, app)) if problem.status == 400 || problem.status == 409 => {
            // Travel is dated by its visa: the form's field for the day.
            let day = if op == "travel" {
                "visaIssuedOn"
            } else {
                "occurredOn"
            };
            let errors = at_fields(errors_of(t, &prefix, &problem), &[("occurredOn", day)]);
            let d = detail(state, p, app).await?;
            Ok(detail_page(
                t,
                p,
                &d,
                (&errors, form),
                false,
                problem.status(),
            ))
        }
        Err((problem, _)) => Err(problem),
    }
}

async fn change_outcome(
    state: &AppState,
    p: &Principal,
    a: resettle_store::StoredApplication,
    request: ApplicationChangeRequest,
    desk: Desk,
) -> Result<ApplicationDetail, (Problem, resettle_domain::reunification::ApplicationId)> {
    let id = a.application.id;
    change(state, p, a, request, desk)
        .await
        .map_err(|e| (e, id))
}

/// The family-reunification norms for the norms dashboard: every open or
/// missed norm of the applications the reader may see (window, decision
/// term, travel after grant), at risk and overdue first.
pub(super) async fn norms_section(state: &AppState, t: T, p: &Principal) -> Markup {
    use resettle_domain::norms::NormStatus;
    if !p.allows(Permission::ReadReunification) {
        return html! {};
    }
    let Ok(list) = summaries(state, p, None, None).await else {
        return html! {};
    };
    let mut lines: Vec<(
        ApplicationSummary,
        resettle_domain::reunification::ReunificationNormCheck,
    )> = Vec::new();
    for s in list {
        for n in s.norms.iter().filter(|n| n.status != NormStatus::Met) {
            lines.push((s.clone(), n.clone()));
        }
    }
    lines.sort_by_key(|(_, n)| (n.status, n.deadline));
    html! {
        section aria-labelledby="reun-norms-title" {
            h2 #reun-norms-title { (t.t("reun-norms-title")) }
            @if lines.is_empty() { p { (t.t("reun-norms-none")) } } @else {
                div.table-scroll { table {
                    caption { (t.t("reun-norms-title")) }
                    thead { tr {
                        th scope="col" { (t.t("reun-sponsor")) }
                        th scope="col" { (t.t("reun-norm")) }
                        th scope="col" { (t.t("reun-deadline")) }
                        th scope="col" { (t.t("norms-status")) }
                    } }
                    tbody { @for (s, n) in &lines { tr {
                        @let a = &s.application.application;
                        th scope="row" { a href={ "/family-reunification/" (a.id) } { (a.sponsor_case_number) } }
                        td { (norm_word(t, n.norm)) @if let Some(r) = n.relative.and_then(|i| a.relatives.get(i)) { " · " (who(t, r)) } }
                        td { (t.date(n.deadline)) }
                        td { strong { (super::norms::status_word(t, n.status)) } }
                    } } }
                } }
            }
        }
    }
}
