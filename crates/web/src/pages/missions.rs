//! Pages for selection missions and the dossier track: the list with the plan
//! and a form to plan one, a mission with its status forms and its cases, the
//! printable request for submissions, and holds on departures.

use super::i18n::T;
use super::layout::{error_summary, input, page, typed};
use super::refusals;
use crate::api::missions::{
    build_request, change_mission, link_case, load_mission, mission_plan, plan_mission,
};
use crate::auth::{HoldManager, MissionManager, MissionReader, Principal, RequestReader, audit};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::audit::AuditResult;
use resettle_domain::mission::{
    Mission, MissionChange, MissionKind, MissionStatus, Modality, NewMission,
};
use resettle_domain::operations::{Hold, HoldMessage, HoldScope};
use resettle_domain::{CaseNumber, MissionId, Permission, Programme};
use resettle_store::CaseSummary;

type Errors = Vec<(String, String)>;
type Fields = Vec<(String, String)>;

fn get<'a>(form: &'a Fields, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Field errors of a problem, as (form field id, message); `populations[1]` links to `populations`.
fn errors_of(t: T, prefix: &str, p: &Problem) -> Errors {
    if p.errors.is_empty() {
        return vec![(format!("{prefix}-form"), refusals::whole(&t, p))];
    }
    p.errors
        .iter()
        .map(|e| {
            let field = e.field.split('[').next().unwrap_or(&e.field);
            let field = field.rsplit('.').next().unwrap_or(field);
            (format!("{prefix}-{field}"), refusals::field(&t, e))
        })
        .collect()
}

fn status_badge(t: T, s: MissionStatus) -> Markup {
    html! { span class={ "state state-" (s) } { (t.term("mission-status", s.as_str())) } }
}

/// A mission's name with its host country (or the dossier track): names recur across hosts.
pub(crate) fn mission_title(t: T, m: &Mission) -> String {
    match m.host_country {
        Some(h) => format!("{} — {}", m.name, t.country(h)),
        None => format!("{} — {}", m.name, t.t("mission-kind-dossier")),
    }
}

pub async fn index(
    State(state): State<AppState>,
    t: T,
    MissionReader(p): MissionReader,
) -> Result<Response, Problem> {
    index_page(&state, t, &p, &[], &[], StatusCode::OK).await
}

async fn index_page(
    state: &AppState,
    t: T,
    p: &Principal,
    errors: &[(String, String)],
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Problem> {
    let value = |name: &str| typed(form, name);
    let missions = state.store.missions().await?;
    let year = state.today().year();
    let plan = mission_plan(state, year).await?;
    let years = by_year(&missions);
    let body = html! {
        h1 { (t.t("missions-title")) }
        p { (t.t("missions-intro")) }
        (error_summary(&t.t("case-errors-title"), errors))
        @if missions.is_empty() { p { (t.t("missions-none")) } }
        @for (y, of_year) in years.iter().filter(|(y, _)| *y >= year) {
            h2 { (t.with("missions-year", &[("year", y.to_string().into())])) }
            (mission_table(t, *y, of_year))
        }
        @if years.iter().any(|(y, _)| *y < year) {
            h2 { (t.t("missions-earlier")) }
            @for (y, of_year) in years.iter().filter(|(y, _)| *y < year) {
                details.year-group {
                    summary { (t.with("missions-year-count", &[("year", y.to_string().into()), ("count", of_year.len().into())])) }
                    (mission_table(t, *y, of_year))
                }
            }
        }
        h2 { (t.with("plan-title", &[("year", year.to_string().into())])) }
        div.table-scroll tabindex="0" { table {
            caption { (t.with("plan-title", &[("year", year.to_string().into())])) }
            thead { tr {
                th scope="col" { (t.t("field-host-country")) }
                th scope="col" class="num" { (t.t("plan-planned")) }
                th scope="col" class="num" { (t.t("plan-on-missions")) }
                th scope="col" class="num" { (t.t("plan-returned")) }
                th scope="col" class="num" { (t.t("plan-unallocated")) }
                th scope="col" class="num" { (t.t("mission-places-used")) }
            } }
            tbody { @for l in &plan.lines { tr {
                th scope="row" { @match l.host_country { Some(h) => (t.country(h)), None => (t.t("plan-unearmarked")) } }
                td.num { (t.n(l.planned)) } td.num { (t.n(l.on_missions)) } td.num { (t.n(l.returned)) } td.num { @if l.unallocated < 0 { (t.with("plan-over", &[("n", t.n(-l.unallocated).into())])) } @else { (t.n(l.unallocated)) } } td.num { (t.n(l.used)) }
            } } }
        } }
        @for o in &plan.outside_plan {
            p.outside-plan { (t.with("plan-outside", &[
                ("programme", t.term("programme", o.programme.as_str()).into()),
                ("year", year.to_string().into()),
                ("missions", o.missions.into()),
                ("places", t.n(o.places).into()),
                ("used", t.n(o.used).into()),
            ])) }
        }
        @if p.allows(Permission::ManageMissions) {
            section aria-labelledby="plan-mission-title" {
                h2 #plan-mission-title { (t.t("mission-plan-new")) }
                form method="post" action="/missions" {
                    input type="hidden" name="csrf" value=(p.csrf());
                    div.field {
                        label for="mission-kind" { (t.t("mission-kind")) }
                        select #mission-kind name="kind" {
                            @for k in MissionKind::ALL { option value=(k.as_str()) selected[value("kind") == k.as_str()] { (t.term("mission-kind", k.as_str())) } }
                        }
                    }
                    div.field {
                        label for="mission-programme" { (t.t("mission-programme")) }
                        select #mission-programme name="programme" {
                            @for k in Programme::ALL { option value=(k.as_str()) selected[value("programme") == k.as_str()] { (t.term("programme", k.as_str())) } }
                        }
                    }
                    (input("mission-name", "name", &t.t("mission-name-required"), "text", value("name"), errors))
                    (input("mission-hostCountry", "hostCountry", &t.t("mission-host-country"), "text", value("hostCountry"), errors))
                    (input("mission-populations", "populations", &t.t("mission-populations"), "text", value("populations"), errors))
                    (input("mission-startsOn", "startsOn", &t.t("mission-starts-on"), "date", value("startsOn"), errors))
                    (input("mission-endsOn", "endsOn", &t.t("mission-ends-on"), "date", value("endsOn"), errors))
                    (input("mission-team", "team", &t.t("mission-team"), "text", value("team"), errors))
                    (input("mission-places", "places", &t.t("mission-places-required"), "number", value("places"), errors))
                    div.field {
                        label for="mission-modality" { (t.t("mission-modality")) }
                        select #mission-modality name="modality" {
                            @for k in Modality::ALL { option value=(k.as_str()) selected[value("modality") == k.as_str()] { (t.term("modality", k.as_str())) } }
                        }
                    }
                    (input("mission-remoteCaseKinds", "remoteCaseKinds", &t.t("mission-remote-kinds"), "text", "", errors))
                    button type="submit" { (t.t("mission-plan-new")) }
                }
            }
        }
    };
    Ok((
        status,
        page(t, &t.t("missions-title"), "/missions", Some(p), body),
    )
        .into_response())
}

/// The missions by the year they start in, newest year first (future and
/// current years lead); within a year, earliest start first.
fn by_year(missions: &[Mission]) -> Vec<(i32, Vec<&Mission>)> {
    let mut years: Vec<(i32, Vec<&Mission>)> = Vec::new();
    for m in missions {
        match years.iter_mut().find(|(y, _)| *y == m.year()) {
            Some((_, of_year)) => of_year.push(m),
            None => years.push((m.year(), vec![m])),
        }
    }
    years.sort_by_key(|(y, _)| std::cmp::Reverse(*y));
    for (_, of_year) in &mut years {
        of_year.sort_by_key(|m| (m.starts_on, m.id));
    }
    years
}

/// One year's missions as a table.
fn mission_table(t: T, year: i32, missions: &[&Mission]) -> Markup {
    html! {
        div.table-scroll tabindex="0" { table {
            caption { (t.with("missions-year", &[("year", year.to_string().into())])) }
            thead { tr {
                th scope="col" { (t.t("mission-name")) }
                th scope="col" { (t.t("mission-kind")) }
                th scope="col" { (t.t("mission-programme")) }
                th scope="col" { (t.t("mission-dates")) }
                th scope="col" { (t.t("mission-status")) }
                th scope="col" class="num" { (t.t("mission-places")) }
                th scope="col" class="num" { (t.t("mission-places-used")) }
            } }
            tbody { @for m in missions { tr {
                th scope="row" { a href={ "/missions/" (m.id) } { (mission_title(t, m)) } }
                td { (t.term("mission-kind", m.kind.as_str())) }
                td { (t.term("programme", m.programme.as_str())) }
                td { (t.date(m.starts_on)) " – " (t.date(m.ends_on)) }
                td { (status_badge(t, m.status)) }
                td.num { (t.n(m.places)) }
                td.num { (t.n(m.places_used)) }
            } } }
        } }
    }
}

/// Reads the planning form; dates and places that do not parse are named.
fn read_new_mission(t: T, form: &Fields) -> Result<NewMission, Errors> {
    let mut errors: Errors = vec![];
    let mut date = |name: &str| match get(form, name).map(|d| refusals::date(&t, d)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push((format!("mission-{name}"), e));
            None
        }
        None => {
            errors.push((format!("mission-{name}"), t.t("form-required")));
            None
        }
    };
    let (starts_on, ends_on) = (date("startsOn"), date("endsOn"));
    let places = match get(form, "places").map(str::parse::<i64>) {
        Some(Ok(n)) => Some(n),
        _ => {
            errors.push(("mission-places".into(), t.t("form-whole-number")));
            None
        }
    };
    let kind = get(form, "kind").and_then(|k| MissionKind::parse(k).ok());
    let modality = get(form, "modality")
        .and_then(|k| Modality::parse(k).ok())
        .unwrap_or(Modality::InPerson);
    // Absent: the national quota (older forms); anything else is named.
    let programme = match get(form, "programme").map(Programme::parse) {
        None => Programme::NationalQuota,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            errors.push(("mission-programme".into(), t.t("form-choose")));
            Programme::NationalQuota
        }
    };
    match (kind, starts_on, ends_on, places) {
        (Some(kind), Some(starts_on), Some(ends_on), Some(places)) if errors.is_empty() => {
            Ok(NewMission {
                kind,
                programme,
                name: get(form, "name").unwrap_or_default().to_string(),
                host_country: get(form, "hostCountry").map(str::to_string),
                populations: list(get(form, "populations")),
                starts_on,
                ends_on,
                team: list(get(form, "team")),
                places,
                modality,
                remote_case_kinds: list(get(form, "remoteCaseKinds")),
            })
        }
        _ => {
            if errors.is_empty() {
                errors.push(("mission-kind".into(), t.t("form-choose-mission-kind")));
            }
            Err(errors)
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    t: T,
    MissionManager(p): MissionManager,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    let errors = match read_new_mission(t, &form) {
        Ok(new) => match plan_mission(&state, &p, new).await {
            Ok(m) => return Ok(Redirect::to(&format!("/missions/{}?done=1", m.id)).into_response()),
            Err(problem) if problem.status == 400 => errors_of(t, "mission", &problem),
            Err(problem) => return Err(problem),
        },
        Err(errors) => errors,
    };
    index_page(&state, t, &p, &errors, &form, StatusCode::BAD_REQUEST).await
}

fn not_found(t: T, p: &Principal) -> Response {
    super::not_found_page(t, Some(p))
}

async fn load(state: &AppState, t: T, p: &Principal, raw: &str) -> Result<Mission, Response> {
    let id: MissionId = raw.parse().map_err(|_| not_found(t, p))?;
    load_mission(state, id).await.map_err(|_| not_found(t, p))
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    t: T,
    MissionReader(p): MissionReader,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, Response> {
    let m = load(&state, t, &p, &id).await?;
    detail_page(&state, t, &p, &m, q.done.is_some(), &[], StatusCode::OK).await
}

async fn detail_page(
    state: &AppState,
    t: T,
    p: &Principal,
    m: &Mission,
    done: bool,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Response> {
    let cases: Option<Vec<CaseSummary>> = if p.allows(Permission::ReadCases) {
        audit(
            state,
            p.name(),
            "list-cases",
            &format!("mission {}", m.id),
            AuditResult::Ok,
            &p.origin,
        )
        .await;
        Some(
            state
                .store
                .mission_cases(m.id)
                .await
                .map_err(|e| Problem::from(e).into_response())?,
        )
    } else {
        None
    };
    let title = mission_title(t, m);
    let manage = p.allows(Permission::ManageMissions);
    let changes: Vec<&str> = ["confirm", "postpone", "hold", "close", "cancel"]
        .into_iter()
        .filter(|c| {
            let change = match *c {
                "confirm" => MissionChange::Confirm,
                "hold" => MissionChange::Hold,
                "close" => MissionChange::Close,
                "postpone" => MissionChange::Postpone {
                    starts_on: m.starts_on,
                    ends_on: m.ends_on,
                    reason: String::new(),
                },
                _ => MissionChange::Cancel {
                    reason: String::new(),
                },
            };
            change.allowed_from().contains(&m.status)
        })
        .collect();
    let body = html! {
        p { a href="/missions" { "← " (t.t("missions-title")) } }
        h1 { (title) " " (status_badge(t, m.status)) }
        @if done { div.notice role="status" { (t.t("case-done")) } }
        (error_summary(&t.t("case-errors-title"), errors))
        dl.summary {
            dt { (t.t("mission-kind")) } dd { (t.term("mission-kind", m.kind.as_str())) }
            dt { (t.t("mission-programme")) } dd { (t.term("programme", m.programme.as_str())) }
            dt { (t.t("mission-dates")) } dd { (t.date(m.starts_on)) " – " (t.date(m.ends_on)) }
            dt { (t.t("mission-modality")) } dd { (t.term("modality", m.modality.as_str()))
                @if !m.remote_case_kinds.is_empty() { " (" (m.remote_case_kinds.join(", ")) ")" } }
            dt { (t.t("mission-team-heading")) } dd { (m.team.join(", ")) }
            dt { (t.t("mission-populations-heading")) } dd { @for (i, n) in m.populations.iter().enumerate() { @if i > 0 { ", " } (t.nationality(*n)) } }
            dt { (t.t("mission-places")) } dd { (t.n(m.places)) }
            dt { (t.t("mission-places-used")) } dd { (t.n(m.places_used)) }
            @if let Some(r) = &m.status_reason { dt { (t.t("field-reason")) } dd { (r) } }
            dt { (t.t("field-version")) } dd { (m.version) }
        }
        @if p.allows(Permission::ReadSubmissionRequests) {
            p { a href={ "/missions/" (m.id) "/submission-request" } { (t.t("request-title")) } }
        }
        @if let Some(cases) = &cases {
            section aria-labelledby="mission-cases-title" {
                h2 #mission-cases-title { (t.t("mission-cases")) " (" (cases.len()) ")" }
                div.table-scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("field-priority")) }
                        th scope="col" { (t.t("field-state")) }
                        th scope="col" class="num" { (t.t("field-persons")) }
                    } }
                    tbody { @for c in cases { tr {
                        th scope="row" { a href={ "/cases/" (c.id) } { (c.case_number) } }
                        td { (t.term("priority", c.priority.as_str())) }
                        td { (t.term("state", c.state.as_str())) }
                        td.num { (c.persons) }
                    } } }
                } }
            }
        }
        // A closed or cancelled mission has no next step: no empty heading.
        @if manage && (m.takes_cases() || !changes.is_empty()) {
            section aria-labelledby="mission-actions-title" {
                h2 #mission-actions-title { (t.t("case-actions")) }
                @if m.takes_cases() {
                    details.action-form open[errors.iter().any(|(f, _)| f.starts_with("link-"))] {
                        summary { (t.t("mission-link-case")) }
                        form method="post" action={ "/missions/" (m.id) "/cases" } {
                            input type="hidden" name="csrf" value=(p.csrf());
                            (input("link-caseId", "caseNumber", &t.t("mission-case-number"), "text", "", errors))
                            button type="submit" { (t.t("mission-link-case")) }
                        }
                    }
                }
                @for c in &changes {
                    details.action-form open[errors.iter().any(|(f, _)| f.starts_with(&format!("{c}-")))] {
                        summary { (t.term("mission-change", c)) }
                        form method="post" action={ "/missions/" (m.id) "/changes" } {
                            input type="hidden" name="csrf" value=(p.csrf());
                            input type="hidden" name="change" value=(c);
                            input type="hidden" name="expectedVersion" value=(m.version);
                            @if *c == "postpone" {
                                (input("postpone-startsOn", "startsOn", &t.t("mission-starts-on"), "date", "", errors))
                                (input("postpone-endsOn", "endsOn", &t.t("mission-ends-on"), "date", "", errors))
                            }
                            @if *c == "postpone" || *c == "cancel" {
                                (input(&format!("{c}-reason"), "reason", &t.t("field-reason-required"), "text", "", errors))
                            }
                            button type="submit" { (t.term("mission-change", c)) }
                        }
                    }
                }
            }
        }
    };
    let path = format!("/missions/{}", m.id);
    Ok((status, page(t, &title, &path, Some(p), body)).into_response())
}

pub async fn change(
    State(state): State<AppState>,
    t: T,
    MissionManager(p): MissionManager,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Response> {
    let m = load(&state, t, &p, &id).await?;
    let kind = get(&form, "change").unwrap_or_default().to_string();
    let version = get(&form, "expectedVersion").and_then(|v| v.parse::<i64>().ok());
    let reason = get(&form, "reason").unwrap_or_default().to_string();
    let mut errors: Errors = vec![];
    let change = match kind.as_str() {
        "confirm" => Some(MissionChange::Confirm),
        "hold" => Some(MissionChange::Hold),
        "close" => Some(MissionChange::Close),
        "cancel" => Some(MissionChange::Cancel { reason }),
        "postpone" => {
            let mut date = |name: &str| match get(&form, name).map(|d| refusals::date(&t, d)) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    errors.push((format!("postpone-{name}"), e));
                    None
                }
                None => {
                    errors.push((format!("postpone-{name}"), t.t("form-required")));
                    None
                }
            };
            let (s, e) = (date("startsOn"), date("endsOn"));
            s.zip(e)
                .map(|(starts_on, ends_on)| MissionChange::Postpone {
                    starts_on,
                    ends_on,
                    reason,
                })
        }
        _ => None,
    };
    let (status, errors) = match (change, version) {
        (Some(change), Some(version)) if errors.is_empty() => {
            match change_mission(&state, &p, m.id, version, change).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!("/missions/{}?done=1", m.id)).into_response());
                }
                Err(problem) => (problem.status(), errors_of(t, &kind, &problem)),
            }
        }
        _ => {
            if errors.is_empty() {
                errors.push(("mission-actions-title".into(), t.t("form-incomplete")));
            }
            (StatusCode::BAD_REQUEST, errors)
        }
    };
    let m = load(&state, t, &p, &id).await?;
    detail_page(&state, t, &p, &m, false, &errors, status).await
}

pub async fn link(
    State(state): State<AppState>,
    t: T,
    MissionManager(p): MissionManager,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Response> {
    let m = load(&state, t, &p, &id).await?;
    let number = get(&form, "caseNumber").unwrap_or_default();
    let case = match CaseNumber::parse(number) {
        Ok(n) => state
            .store
            .case_by_number(&n)
            .await
            .map_err(|e| Problem::from(e).into_response())?,
        Err(_) => None,
    };
    let errors = match case {
        None => vec![("link-caseId".to_string(), t.t("mission-no-such-case"))],
        Some(c) => match link_case(&state, &p, m.id, c.id).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/missions/{}?done=1", m.id)).into_response());
            }
            Err(problem) => errors_of(t, "link", &problem),
        },
    };
    detail_page(&state, t, &p, &m, false, &errors, StatusCode::BAD_REQUEST).await
}

/// The request for submissions, printable (the browser's print makes the PDF).
pub async fn request(
    State(state): State<AppState>,
    t: T,
    RequestReader(p): RequestReader,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let m = load(&state, t, &p, &id).await?;
    let r = build_request(&state, &p, m.id)
        .await
        .map_err(IntoResponse::into_response)?;
    let body = html! {
        article.printable {
            h1 { (t.t("request-title")) ": " (mission_title(t, &m)) }
            p { (t.with("request-intro", &[("places", r.places.into()), ("from", t.date(r.starts_on).into()), ("to", t.date(r.ends_on).into())])) }
            p { (t.t("mission-modality")) ": " (t.term("modality", r.modality.as_str()))
                @if !r.remote_case_kinds.is_empty() { " (" (r.remote_case_kinds.join(", ")) ")" } }
            h2 { (t.t("request-wishes")) }
            @if r.profile_wishes.is_empty() { p { (t.t("request-no-wishes")) } }
            ul { @for w in &r.profile_wishes { li { (w) } } }
            h2 { (t.with("request-policy", &[("date", r.policy_date.to_string().into())])) }
            @if r.policy_notes.is_empty() { p { (t.t("request-no-policy")) } }
            @for n in &r.policy_notes {
                section.policy-note data-note=(n.id) {
                    h3 { (t.nationality(n.nationality)) @if let Some(g) = &n.group { " — " (g) } }
                    p { strong { (t.term("note-kind", n.kind.as_str())) } ": " (n.summary) }
                    p.meta { (t.with("request-valid", &[("from", n.valid_from.to_string().into()), ("until", n.valid_until.map(|d| d.to_string()).unwrap_or_else(|| "—".into()).into())])) }
                }
            }
            @if !r.particular_attention.is_empty() {
                h2 { (t.t("request-attention")) }
                p { (t.with("request-attention-text", &[("groups", r.particular_attention.join(", ").into())])) }
            }
            p { em { (t.t("request-freedom")) } }
            p.no-print { a href={ "/api/v1/missions/" (m.id) "/submission-request" } { "JSON" } " · " (t.t("request-print")) }
        }
    };
    let path = format!("/missions/{}/submission-request", m.id);
    Ok(page(t, &t.t("request-title"), &path, Some(&p), body).into_response())
}

pub async fn holds(
    State(state): State<AppState>,
    t: T,
    MissionReader(p): MissionReader,
) -> Result<Response, Problem> {
    holds_page(&state, t, &p, &[], StatusCode::OK).await
}

async fn holds_page(
    state: &AppState,
    t: T,
    p: &Principal,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Problem> {
    let holds: Vec<Hold> = state.store.holds().await?;
    let missions = state.store.missions().await?;
    let manage = p.allows(Permission::ManageHolds);
    let today = state.today();
    let body = html! {
        h1 { (t.t("holds-title")) }
        p { (t.t("holds-intro")) }
        (error_summary(&t.t("case-errors-title"), errors))
        @for h in &holds {
            section.hold {
                h2 {
                    @match &h.scope {
                        HoldScope::Programme { programme } => (t.term("programme", programme.as_str())),
                        HoldScope::Mission { mission_id } => (missions.iter().find(|m| m.id == *mission_id).map(|m| mission_title(t, m)).unwrap_or_default()),
                    }
                    " · " (t.date(h.starts_on)) " – " (h.released_on.map(|d| t.date(d)).unwrap_or_default())
                    @if h.active_on(today) { " " strong { (t.t("holds-active")) } }
                }
                p { (t.t("field-reason")) ": " (h.reason) }
                h3 { (t.t("holds-messages")) }
                @if h.messages.is_empty() { p { (t.t("holds-no-messages")) } }
                ul { @for msg in &h.messages { li { (t.date(msg.sent_on)) " · " (msg.channel) ": " (msg.text) " (" (msg.sent_by) ")" } } }
                @if manage {
                    @let hid = h.id.to_string();
                    details.action-form {
                        summary { (t.t("holds-log-message")) }
                        form method="post" action="/holds" {
                            input type="hidden" name="csrf" value=(p.csrf());
                            input type="hidden" name="op" value="message";
                            input type="hidden" name="hold" value=(hid);
                            (input(&format!("msg-{hid}-sentOn"), "sentOn", &t.t("holds-sent-on"), "date", "", errors))
                            (input(&format!("msg-{hid}-channel"), "channel", &t.t("holds-channel"), "text", "", errors))
                            (input(&format!("msg-{hid}-text"), "text", &t.t("holds-text"), "text", "", errors))
                            button type="submit" { (t.t("holds-log-message")) }
                        }
                    }
                    @if h.released_on.is_none() {
                        details.action-form {
                            summary { (t.t("holds-release")) }
                            form method="post" action="/holds" {
                                input type="hidden" name="csrf" value=(p.csrf());
                                input type="hidden" name="op" value="release";
                                input type="hidden" name="hold" value=(hid);
                                (input(&format!("rel-{hid}-releasedOn"), "releasedOn", &t.t("holds-released-on"), "date", "", errors))
                                button type="submit" { (t.t("holds-release")) }
                            }
                        }
                    }
                }
            }
        }
        @if manage {
            section aria-labelledby="hold-new-title" {
                h2 #hold-new-title { (t.t("holds-new")) }
                form method="post" action="/holds" {
                    input type="hidden" name="csrf" value=(p.csrf());
                    input type="hidden" name="op" value="create";
                    div.field {
                        label for="hold-scope" { (t.t("holds-scope")) }
                        select #hold-scope name="scope" {
                            @for pr in Programme::ALL { option value={ "programme:" (pr.as_str()) } { (t.term("programme", pr.as_str())) } }
                            @for m in &missions { option value={ "mission:" (m.id) } { (mission_title(t, m)) } }
                        }
                    }
                    (input("hold-startsOn", "startsOn", &t.t("holds-starts-on"), "date", "", errors))
                    (input("hold-reason", "reason", &t.t("field-reason-required"), "text", "", errors))
                    button type="submit" { (t.t("holds-new")) }
                }
            }
        }
    };
    Ok((
        status,
        page(t, &t.t("holds-title"), "/holds", Some(p), body),
    )
        .into_response())
}

/// The three hold forms (new hold, release, message) post here, told apart by `op`.
pub async fn hold_form(
    State(state): State<AppState>,
    t: T,
    HoldManager(p): HoldManager,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    use crate::api::missions::{
        HoldRequest, ReleaseRequest, create_hold, create_hold_message, create_release,
    };
    let mut errors: Errors = vec![];
    let op = get(&form, "op").unwrap_or_default();
    let hold = get(&form, "hold").unwrap_or_default().to_string();
    let date = |name: &str, id: String, errors: &mut Errors| match get(&form, name)
        .map(|d| refusals::date(&t, d))
    {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push((id, e));
            None
        }
        None => {
            errors.push((id, t.t("form-required")));
            None
        }
    };
    let st = axum::extract::State(state.clone());
    let outcome = match op {
        "create" => {
            let scope = match get(&form, "scope").and_then(|s| s.split_once(':')) {
                Some(("mission", id)) => id
                    .parse()
                    .ok()
                    .map(|mission_id| HoldScope::Mission { mission_id }),
                Some(("programme", pr)) => Programme::parse(pr)
                    .ok()
                    .map(|programme| HoldScope::Programme { programme }),
                _ => None,
            };
            let starts_on = date("startsOn", "hold-startsOn".into(), &mut errors);
            match (scope, starts_on) {
                (Some(scope), Some(starts_on)) => {
                    let r = HoldRequest {
                        scope,
                        starts_on,
                        reason: get(&form, "reason").unwrap_or_default().to_string(),
                    };
                    create_hold(st, HoldManager(p.clone()), Ok(axum::Json(r)))
                        .await
                        .map(|_| ())
                        .map_err(|e| errors_of(t, "hold", &e))
                }
                _ => Err(std::mem::take(&mut errors)),
            }
        }
        "release" => match date("releasedOn", format!("rel-{hold}-releasedOn"), &mut errors) {
            Some(released_on) => create_release(
                st,
                HoldManager(p.clone()),
                Path(hold.clone()),
                Ok(axum::Json(ReleaseRequest { released_on })),
            )
            .await
            .map(|_| ())
            .map_err(|e| errors_of(t, &format!("rel-{hold}"), &e)),
            None => Err(std::mem::take(&mut errors)),
        },
        "message" => match date("sentOn", format!("msg-{hold}-sentOn"), &mut errors) {
            Some(sent_on) => {
                let m = HoldMessage {
                    sent_on,
                    channel: get(&form, "channel").unwrap_or_default().to_string(),
                    text: get(&form, "text").unwrap_or_default().to_string(),
                    sent_by: String::new(),
                };
                create_hold_message(
                    st,
                    HoldManager(p.clone()),
                    Path(hold.clone()),
                    Ok(axum::Json(m)),
                )
                .await
                .map(|_| ())
                .map_err(|e| errors_of(t, &format!("msg-{hold}"), &e))
            }
            None => Err(std::mem::take(&mut errors)),
        },
        _ => Err(vec![("hold-new-title".into(), t.t("form-incomplete"))]),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/holds").into_response()),
        Err(errors) => holds_page(&state, t, &p, &errors, StatusCode::BAD_REQUEST).await,
    }
}

/// Country-policy notes: the list (with validity), and a form for the IND.
pub async fn notes(
    State(state): State<AppState>,
    t: T,
    RequestReader(p): RequestReader,
) -> Result<Response, Problem> {
    notes_page(&state, t, &p, &[], StatusCode::OK).await
}

async fn notes_page(
    state: &AppState,
    t: T,
    p: &Principal,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Problem> {
    use resettle_domain::country_policy::PolicyNoteKind;
    let notes = state.store.policy_notes().await?;
    let body = html! {
        h1 { (t.t("notes-title")) }
        p { (t.t("notes-intro")) }
        (error_summary(&t.t("case-errors-title"), errors))
        div.table-scroll tabindex="0" { table {
            caption { (t.t("notes-title")) }
            thead { tr {
                th scope="col" { (t.t("field-nationality")) }
                th scope="col" { (t.t("notes-group")) }
                th scope="col" { (t.t("notes-kind")) }
                th scope="col" { (t.t("notes-summary")) }
                th scope="col" { (t.t("notes-valid-from")) }
                th scope="col" { (t.t("notes-valid-until")) }
                th scope="col" { (t.t("request-attention")) }
            } }
            tbody { @for n in &notes { tr {
                th scope="row" { (t.nationality(n.nationality)) }
                td { (n.group.clone().unwrap_or_default()) }
                td { (t.term("note-kind", n.kind.as_str())) }
                td { (n.summary) }
                td { (n.valid_from) }
                td { (n.valid_until.map(|d| d.to_string()).unwrap_or_default()) }
                td { @if n.particular_attention { "✔" } }
            } } }
        } }
        @if p.allows(Permission::ManageCountryPolicy) {
            section aria-labelledby="note-new-title" {
                h2 #note-new-title { (t.t("notes-new")) }
                form method="post" action="/country-policy-notes" {
                    input type="hidden" name="csrf" value=(p.csrf());
                    (input("note-nationality", "nationality", &t.t("notes-nationality-required"), "text", "", errors))
                    (input("note-group", "group", &t.t("notes-group-optional"), "text", "", errors))
                    div.field {
                        label for="note-kind" { (t.t("notes-kind")) }
                        select #note-kind name="kind" { @for k in PolicyNoteKind::ALL { option value=(k.as_str()) { (t.term("note-kind", k.as_str())) } } }
                    }
                    (input("note-summary", "summary", &t.t("notes-summary-required"), "text", "", errors))
                    (input("note-validFrom", "validFrom", &t.t("notes-valid-from-required"), "date", "", errors))
                    (input("note-validUntil", "validUntil", &t.t("notes-valid-until-optional"), "date", "", errors))
                    div.choice {
                        input #note-attention type="checkbox" name="particularAttention" value="yes";
                        label for="note-attention" { (t.t("notes-attention")) }
                    }
                    button type="submit" { (t.t("notes-new")) }
                }
            }
        }
    };
    Ok((
        status,
        page(
            t,
            &t.t("notes-title"),
            "/country-policy-notes",
            Some(p),
            body,
        ),
    )
        .into_response())
}

pub async fn add_note(
    State(state): State<AppState>,
    t: T,
    editor: crate::auth::CountryPolicyEditor,
    Form(form): Form<Fields>,
) -> Result<Response, Problem> {
    use resettle_domain::country_policy::{NewPolicyNote, PolicyNoteKind};
    let p = editor.0.clone();
    let mut errors: Errors = vec![];
    let mut date =
        |name: &str, required: bool| match get(&form, name).map(|d| refusals::date(&t, d)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                errors.push((format!("note-{name}"), e));
                None
            }
            None => {
                if required {
                    errors.push((format!("note-{name}"), t.t("form-required")));
                }
                None
            }
        };
    let valid_from = date("validFrom", true);
    let valid_until = date("validUntil", false);
    let kind = get(&form, "kind").and_then(|k| PolicyNoteKind::parse(k).ok());
    let (Some(valid_from), Some(kind)) = (valid_from, kind) else {
        return notes_page(&state, t, &p, &errors, StatusCode::BAD_REQUEST).await;
    };
    if !errors.is_empty() {
        return notes_page(&state, t, &p, &errors, StatusCode::BAD_REQUEST).await;
    }
    let new = NewPolicyNote {
        nationality: get(&form, "nationality").unwrap_or_default().to_string(),
        group: get(&form, "group").map(str::to_string),
        kind,
        summary: get(&form, "summary").unwrap_or_default().to_string(),
        particular_attention: get(&form, "particularAttention").is_some(),
        valid_from,
        valid_until,
    };
    match crate::api::missions::create_policy_note(
        State(state.clone()),
        editor,
        Ok(axum::Json(new)),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/country-policy-notes").into_response()),
        Err(problem) if problem.status == 400 => {
            let errors = errors_of(t, "note", &problem);
            notes_page(&state, t, &p, &errors, StatusCode::BAD_REQUEST).await
        }
        Err(problem) => Err(problem),
    }
}
