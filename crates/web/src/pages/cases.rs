//! The case list and the case page, with the forms that move a case on.

use super::i18n::T;
use super::layout::{encode, error_summary, field_error, input, page};
use super::refusals;
use crate::api::cases::{act, allowed_for, history_for, load, record_consent, shown};
use crate::auth::{CaseActor, CaseReader, ConsentRecorder, Principal, audit};
use crate::filters::CaseQuery;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::audit::AuditResult;
use resettle_domain::{
    Action, ActionKind, Case, CaseId, Guidance, Housing, Permit, RejectionGround, TrainingMode,
    Transition,
};
use resettle_store::workflow::ActionError;
use resettle_store::{CaseSummary, Cursor, Page};
use serde::Deserialize;
use time::Date;

/// Field errors as (field id, message).
type Errors = Vec<(String, String)>;

fn date(t: T, d: Option<Date>) -> String {
    d.map(|d| t.date(d)).unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    t: T,
    reader: CaseReader,
    OriginalUri(uri): OriginalUri,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let path = uri.path_and_query().map_or("/cases", |p| p.as_str());
    let p = &reader.principal;
    let (result, errors) = match query.parse() {
        Ok((mut filter, page)) => {
            filter.scope = Some(reader.scope.clone());
            audit(
                &state,
                p.name(),
                "list-cases",
                "cases",
                AuditResult::Ok,
                &p.origin,
            )
            .await;
            (Some(state.store.list_cases(&filter, page).await?), vec![])
        }
        Err(errors) => {
            let errors: Errors = errors
                .into_iter()
                .map(|e| (format!("filter-{}", e.field), refusals::field(&t, &e)))
                .collect();
            (None, errors)
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = html! {
        h1 { (t.t("cases-title")) }
        (error_summary(&t.t("filter-errors-title"), &errors))
        (filter_form(t, &query, &errors))
        @if let Some(page) = &result { (case_table(t, page, &query)) }
    };
    Ok((status, page(t, &t.t("cases-title"), path, Some(p), body)).into_response())
}

fn select(
    t: T,
    id: &str,
    name: &str,
    label: &str,
    prefix: &str,
    values: &[&str],
    current: &Option<String>,
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select #(id) name=(name) {
                option value="" { (t.t("cases-any")) }
                @for v in values {
                    option value=(v) selected[current.as_deref() == Some(*v)] { (t.term(prefix, v)) }
                }
            }
        }
    }
}

fn text_filter(
    id: &str,
    name: &str,
    label: &str,
    hint: Option<&str>,
    current: &Option<String>,
    errors: &Errors,
    kind: &str,
) -> Markup {
    let described = hint.map(|_| format!("{id}-hint"));
    html! {
        div.field {
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id={ (id) "-hint" } { (h) } }
            (field_error(errors, id))
            input #(id) name=(name) type=(kind) value=(current.clone().unwrap_or_default())
                aria-describedby=[described] inputmode=[(kind == "number").then_some("numeric")];
        }
    }
}

fn filter_form(t: T, q: &CaseQuery, errors: &Errors) -> Markup {
    use resettle_domain::{CaseState, Programme, SubmissionPriority, Track};
    let states: Vec<&str> = CaseState::ALL.iter().map(|s| s.as_str()).collect();
    let priorities: Vec<&str> = SubmissionPriority::ALL.iter().map(|s| s.as_str()).collect();
    let programmes: Vec<&str> = Programme::ALL.iter().map(|s| s.as_str()).collect();
    let tracks: Vec<&str> = Track::ALL.iter().map(|s| s.as_str()).collect();
    html! {
        form.filters method="get" action="/cases" aria-labelledby="filters-title" {
            h2 #filters-title { (t.t("cases-filter")) }
            div.filter-grid {
                (select(t, "filter-state", "state", &t.t("field-state"), "state", &states, &q.state))
                (text_filter("filter-hostCountry", "hostCountry", &t.t("field-host-country"), Some(&t.t("field-host-country-hint")), &q.host_country, errors, "text"))
                (select(t, "filter-priority", "priority", &t.t("field-priority"), "priority", &priorities, &q.priority))
                (select(t, "filter-programme", "programme", &t.t("field-programme"), "programme", &programmes, &q.programme))
                (select(t, "filter-track", "track", &t.t("field-track"), "track", &tracks, &q.track))
                (text_filter("filter-year", "year", &t.t("field-year"), None, &q.year, errors, "number"))
                (text_filter("filter-arrivalYear", "arrivalYear", &t.t("field-arrival-year"), None, &q.arrival_year, errors, "number"))
            }
            div.actions {
                button type="submit" { (t.t("cases-filter-apply")) }
                a href="/cases" { (t.t("cases-filter-reset")) }
            }
        }
    }
}

/// The query string of `q` on another page, continued from `cursor`.
fn page_link(q: &CaseQuery, page: u32, cursor: &Cursor) -> String {
    let pairs = [
        ("state", &q.state),
        ("hostCountry", &q.host_country),
        ("priority", &q.priority),
        ("programme", &q.programme),
        ("track", &q.track),
        ("year", &q.year),
        ("arrivalYear", &q.arrival_year),
        ("pageSize", &q.page_size),
    ];
    let mut s = format!("/cases?page={page}&cursor={}", encode(&cursor.encode()));
    for (k, v) in pairs {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    s
}

fn case_table(t: T, page: &Page<CaseSummary>, q: &CaseQuery) -> Markup {
    let (count, of_pages) = if page.total_exact {
        ("cases-count", "cases-page")
    } else {
        ("cases-count-more", "cases-page-more")
    };
    let pages = page.pages();
    let position = t.with(
        of_pages,
        &[("page", page.page.into()), ("pages", pages.into())],
    );
    html! {
        p.count aria-live="polite" { (t.with(count, &[("total", page.total.into())])) }
        @if page.items.is_empty() {
            p { (t.t("cases-none")) }
        } @else {
            div.table-scroll tabindex="0" {
                table {
                    caption.visually-hidden { (t.t("cases-title")) }
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("field-host-country")) }
                        th scope="col" { (t.t("field-priority")) }
                        th scope="col" { (t.t("field-programme")) }
                        th scope="col" { (t.t("field-state")) }
                        th scope="col" class="num" { (t.t("field-persons")) }
                        th scope="col" { (t.t("field-submitted-on")) }
                        th scope="col" { (t.t("field-arrived-on")) }
                    } }
                    tbody {
                        @for c in &page.items {
                            tr {
                                th scope="row" { a href={ "/cases/" (c.id) } { (c.case_number) } }
                                td { (t.country(c.host_country)) }
                                td { (t.term("priority", c.priority.as_str())) }
                                td { (t.term("programme", c.programme.as_str())) }
                                td { span class={ "state state-" (c.state) } { (t.term("state", c.state.as_str())) } }
                                td.num { (c.persons) }
                                td { (t.date(c.submitted_on)) }
                                td { (date(t, c.arrived_on)) }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label=(position) {
                @if let Some(c) = &page.previous { a rel="prev" href=(page_link(q, page.page.saturating_sub(1).max(1), c)) { (t.t("cases-previous")) } }
                span { (position) }
                @if let Some(c) = &page.next { a rel="next" href=(page_link(q, page.page.saturating_add(1), c)) { (t.t("cases-next")) } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    done: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    t: T,
    reader: CaseReader,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, Response> {
    let id: CaseId = id
        .parse()
        .map_err(|_| super::not_found_page(t, Some(&reader.principal)))?;
    let case = load(&state, &reader, id)
        .await
        .map_err(|_| super::not_found_page(t, Some(&reader.principal)))?;
    let case = shown(&state, &reader.principal, &case).await;
    let history = state
        .store
        .history(id)
        .await
        .map_err(|e| Problem::from(e).into_response())?;
    let history = history_for(&reader.principal, history);
    let page = case_page(
        t,
        &reader.principal,
        &case,
        &history,
        q.done.is_some(),
        None,
        &[],
        &[],
    );
    let page = with_sections(&state, t, &reader.principal, &case, page, &[]).await?;
    Ok(page.into_response())
}

// The refused form's kind, errors and typed values travel with the page.
#[allow(clippy::too_many_arguments)]
fn case_page(
    t: T,
    who: &Principal,
    case: &Case,
    history: &[Transition],
    done: bool,
    failed: Option<ActionKind>,
    errors: &[(String, String)],
    typed: &[(String, String)],
) -> Markup {
    let s = &case.submission;
    let title = t.with(
        "case-title",
        &[("number", s.case_number.to_string().into())],
    );
    let path = format!("/cases/{}", case.id);
    let body = html! {
        p { a href="/cases" { "← " (t.t("back-to-cases")) } }
        h1 { (title) " " span class={ "state state-" (case.state) } { (t.term("state", case.state.as_str())) } }
        @if done { div.notice role="status" { (t.t("case-done")) } }
        (error_summary(&t.t("case-errors-title"), errors))
        section aria-labelledby="summary-title" {
            h2 #summary-title { (t.t("case-summary")) }
            @if s.family_reunification_of.is_some() { p.tag { (t.t("case-kind-reunification")) } }
            dl.summary {
                dt { (t.t("field-unhcr-reference")) } dd { (s.unhcr_reference) }
                dt { (t.t("field-host-country")) } dd { (t.country(s.host_country)) }
                dt { (t.t("field-priority")) } dd { (t.term("priority", s.priority.as_str())) }
                dt { (t.t("field-primary-category")) } dd { (t.term("category", s.primary_category.as_str())) }
                @if let Some(c) = s.secondary_category { dt { (t.t("field-secondary-category")) } dd { (t.term("category", c.as_str())) } }
                dt { (t.t("field-programme")) } dd { (t.term("programme", s.programme.as_str())) }
                dt { (t.t("field-track")) } dd { (t.term("track", s.track.as_str())) }
                @if let Some(of) = &s.family_reunification_of { dt { (t.t("field-family-reunification-of")) } dd { (of) } }
                @if !s.linked_cases.is_empty() {
                    dt { (t.t("field-linked-cases")) }
                    dd { @for (i, l) in s.linked_cases.iter().enumerate() { @if i > 0 { ", " } (l) } }
                }
                dt { (t.t("field-submitted-on")) } dd { (t.date(s.submitted_on)) }
                @if let Some(d) = case.selected_on { dt { (t.t("field-selected-on")) } dd { (t.date(d)) } }
                @if let Some(d) = case.departed_on { dt { (t.t("field-departed-on")) } dd { (t.date(d)) } }
                @if let Some(d) = case.arrived_on { dt { (t.t("field-arrived-on")) } dd { (t.date(d)) } }
                @if let Some(p) = &case.permit { dt { (t.t("field-permit")) } dd { (t.date(p.valid_until)) } }
                @if let Some(h) = &case.housing { dt { (t.t("field-housing")) } dd { (housing(t, h)) } }
                @if let Some(m) = &case.assigned_municipality { dt { (t.t("field-assigned-municipality")) } dd { (m) } }
                @if let Some(g) = &case.guidance {
                    dt { (t.t("field-guidance")) }
                    dd { (t.with("guidance-text", &[("organisation", g.organisation.clone().into()), ("until", t.date(g.until).into())])) }
                }
                @if let Some(d) = case.closed_on { dt { (t.t("field-closed-on")) } dd { (t.date(d)) } }
                dt { (t.t("field-version")) } dd { (case.version) }
            }
        }
        section aria-labelledby="members-title" {
            h2 #members-title { (t.t("case-members")) " (" (s.members.len()) ")" }
            div.table-scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (t.t("field-name")) }
                    th scope="col" { (t.t("field-relationship")) }
                    th scope="col" { (t.t("field-date-of-birth")) }
                    th scope="col" { (t.t("field-sex")) }
                    th scope="col" { (t.t("field-nationality")) }
                    th scope="col" { (t.t("field-documents")) }
                } }
                tbody { @for m in &s.members { tr {
                    th scope="row" { (m.given_name) " " (m.family_name) }
                    td { (t.term("relationship", m.relationship.as_str())) }
                    td { (t.date(m.date_of_birth.date())) }
                    td { (t.term("sex", m.sex.as_str())) }
                    td { (t.nationality(m.nationality)) }
                    td { @for d in &m.documents { (t.term("document-kind", d.kind.as_str())) " " (d.number) br; } }
                } } }
            } }
        }
        @if !case.special.is_empty() {
            section aria-labelledby="special-title" {
                h2 #special-title { (t.t("case-special")) }
                p.hint { (t.t("case-special-hint")) }
                dl.summary {
                    @for item in &case.special {
                        dt {
                            (t.term("special", item.category.as_str()))
                            @if let Some(m) = item.member.and_then(|m| s.members.get(m)) { " — " (m.given_name) " " (m.family_name) }
                        }
                        dd { (item.value) }
                    }
                }
            }
        }
        @let may_record = who.allows(resettle_domain::Permission::RecordConsent);
        @if !case.consents.is_empty() || may_record {
            section aria-labelledby="consent-title" {
                h2 #consent-title { (t.t("case-consents")) }
                @if case.consents.is_empty() { p { (t.t("consent-none")) } }
                ul {
                    @for c in &case.consents {
                        li {
                            (c.recipient.clone().unwrap_or_else(|| t.t("consent-any"))) " · " (t.date(c.given_on))
                            @if let Some(r) = &c.override_reason { " · " strong { (t.t("consent-override")) } @if !r.is_empty() { ": " (r) } }
                        }
                    }
                }
                @if may_record {
                    details.action-form {
                        summary { (t.t("consent-record")) }
                        form method="post" action={ "/cases/" (case.id) "/consents" } {
                            input type="hidden" name="csrf" value=(who.csrf());
                            div.field {
                                label for="consent-recipient" { (t.t("consent-recipient")) }
                                input #consent-recipient name="recipient" type="text";
                            }
                            div.choice {
                                input #consent-given type="checkbox" name="consentGiven" value="yes";
                                label for="consent-given" { (t.t("consent-given")) }
                            }
                            div.field {
                                label for="consent-overrideReason" { (t.t("consent-override-reason")) }
                                (field_error(errors, "consent-overrideReason"))
                                input #consent-overrideReason name="overrideReason" type="text";
                            }
                            button type="submit" { (t.t("consent-record")) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="actions-title" {
            h2 #actions-title { (t.t("case-actions")) }
            @let allowed = allowed_for(who, case);
            @if allowed.is_empty() { p { (t.t("case-no-actions")) } }
            @for kind in allowed {
                (action_form(t, who, case, kind, failed == Some(kind), errors, typed))
            }
        }
        section aria-labelledby="history-title" #history {
            h2 #history-title { (t.t("case-history")) }
            ol.timeline {
                @for h in history.iter().rev() {
                    li {
                        p.when { time datetime=(h.occurred_on) { (t.date(h.occurred_on)) } }
                        p.what {
                            strong { (t.term("action", h.action.kind().as_str())) }
                            " — "
                            @match h.from {
                                Some(from) => (t.with("history-from-to", &[("from", t.term("state", from.as_str()).into()), ("to", t.term("state", h.to.as_str()).into())])),
                                None => (t.t("history-created")),
                            }
                        }
                        (decision_detail(t, &h.action))
                        @if let Some(r) = &h.reason { p.reason { (t.t("field-reason")) ": " (r) } }
                        p.meta { (t.t("field-actor")) " " (h.actor) " · " (t.t("field-recorded-at")) " " (t.date(h.recorded_at.date())) " · v" (h.previous_version + 1) }
                    }
                }
            }
        }
    };
    page(t, &title, &path, Some(who), body)
}

/// The case page's sections after the case itself: its preparation (for
/// those who may read it) and the relatives the family left behind (for those
/// who may read family reunification), with the errors of a refused
/// preparation form.
async fn with_sections(
    state: &AppState,
    t: T,
    who: &Principal,
    case: &Case,
    page: Markup,
    errors: &[(String, String)],
) -> Result<Markup, Response> {
    let left = super::left_behind::for_reader(state, who, case.id)
        .await
        .map_err(|e| Problem::from(e).into_response())?;
    let page = if who.allows(resettle_domain::Permission::ReadPreparation) {
        let prep = crate::api::preparation::preparation(state, case)
            .await
            .map_err(IntoResponse::into_response)?;
        with_preparation(page, t, who, case, &prep, &left, errors)
    } else {
        page
    };
    let section = super::left_behind::section(t, who, case.id, &left);
    Ok(super::layout::append_section(page, section))
}

/// Adds the preparation of a case (interviews, profile, orientation, travel,
/// later-arriving relatives) before the footer of the case page.
fn with_preparation(
    page: Markup,
    t: T,
    who: &Principal,
    case: &Case,
    p: &resettle_store::Preparation,
    left_behind: &[resettle_domain::reunification::RelativeLeftBehind],
    errors: &[(String, String)],
) -> Markup {
    use resettle_domain::Permission;
    use resettle_domain::operations::{InterviewKind, InterviewOutcome};
    let errors: Errors = errors.to_vec();
    let open = |op: &str| errors.iter().any(|(f, _)| f.starts_with(&format!("{op}-")));
    let action = format!("/cases/{}/preparation", case.id);
    let kinds: Vec<InterviewKind> = InterviewKind::ALL
        .iter()
        .copied()
        .filter(|k| who.user.role.may_interview(*k))
        .collect();
    let prepare = who.allows(Permission::ManagePreparation);
    let forms = html! {
        @if !kinds.is_empty() {
            details.action-form open[open("interview")] {
                summary { (t.t("prep-record-interview")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="op" value="interview";
                    div.field {
                        label for="interview-kind" { (t.t("prep-interview-kind")) }
                        select #interview-kind name="kind" { @for k in &kinds { option value=(k.as_str()) { (t.term("interview", k.as_str())) } } }
                    }
                    (input("interview-heldOn", "heldOn", &t.t("prep-held-on"), "date", "", &errors))
                    div.field {
                        label for="interview-outcome" { (t.t("prep-outcome")) }
                        select #interview-outcome name="outcome" { @for o in InterviewOutcome::ALL { option value=(o.as_str()) { (t.term("interview-outcome", o.as_str())) } } }
                    }
                    button type="submit" { (t.t("prep-record-interview")) }
                }
            }
        }
        @if prepare {
            details.action-form open[open("profile")] {
                summary { (t.t("prep-profile")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="op" value="profile";
                    (input("profile-dwellingBedrooms", "dwellingBedrooms", &t.t("prep-bedrooms"), "number", "", &errors))
                    (input("profile-schoolAgeChildren", "schoolAgeChildren", &t.t("prep-school"), "number", "", &errors))
                    div.choice {
                        input #profile-accessible type="checkbox" name="accessibleDwelling" value="yes";
                        label for="profile-accessible" { (t.t("prep-accessible")) }
                    }
                    button type="submit" { (t.t("prep-save")) }
                }
            }
            details.action-form open[open("orientation")] {
                summary { (t.t("prep-orientation")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="op" value="orientation";
                    (input("orientation-heldOn", "heldOn", &t.t("prep-held-on"), "date", "", &errors))
                    (input("orientation-training", "training", &t.t("prep-training-number"), "number", "", &errors))
                    div.field {
                        label for="orientation-mode" { (t.t("field-training")) }
                        select #orientation-mode name="mode" { @for m in TrainingMode::ALL { option value=(m.as_str()) { (t.term("training", m.as_str())) } } }
                    }
                    fieldset.field id="orientation-attended" {
                        legend { (t.t("prep-present")) }
                        (field_error(&errors, "orientation-attended"))
                        @for (i, m) in case.submission.members.iter().enumerate() {
                            div.choice {
                                input type="checkbox" name="attended" value=(i) id={ "orientation-attended-" (i) };
                                label for={ "orientation-attended-" (i) } { (m.given_name) " " (m.family_name) }
                            }
                        }
                    }
                    button type="submit" { (t.t("prep-save")) }
                }
            }
            details.action-form open[open("travel")] {
                summary { (t.t("prep-travel")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="op" value="travel";
                    input type="hidden" name="expectedDepartsOn" value=(p.travel.as_ref().and_then(|t| t.departs_on).map(|d| d.to_string()).unwrap_or_default());
                    (input("travel-departsOn", "departsOn", &t.t("prep-departs-on"), "date", "", &errors))
                    (input("travel-bookingReference", "bookingReference", &t.t("prep-booking"), "text", "", &errors))
                    (input("travel-broughtForwardReason", "broughtForwardReason", &t.t("prep-brought-forward-reason"), "text", "", &errors))
                    button type="submit" { (t.t("prep-save")) }
                }
            }
            details.action-form open[open("document")] {
                summary { (t.t("prep-document")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="op" value="document";
                    div.field {
                        label for="document-member" { (t.t("prep-document-member")) }
                        select #document-member name="member" {
                            @for (i, m) in case.submission.members.iter().enumerate() {
                                option value=(i) { (m.given_name) " " (m.family_name) }
                            }
                        }
                    }
                    (input("document-kind", "kind", &t.t("prep-document-kind"), "text", "", &errors))
                    (input("document-number", "number", &t.t("prep-document-number"), "text", "", &errors))
                    (input("document-validUntil", "validUntil", &t.t("prep-document-valid-until"), "date", "", &errors))
                    button type="submit" { (t.t("prep-save")) }
                }
            }
        }
    };
    let section = html! {
        section aria-labelledby="prep-title" #preparation {
            h2 #prep-title { (t.t("prep-title")) }
            (error_summary(&t.t("case-errors-title"), &errors))
            @if let Some(m) = p.mission_id { p { a href={ "/missions/" (m) } { (t.t("prep-mission")) } } }
            h3 { (t.t("prep-interviews")) }
            @if p.interviews.is_empty() { p { (t.t("prep-none")) } }
            ul { @for i in &p.interviews { li { (t.term("interview", i.kind.as_str())) " · " (t.date(i.held_on)) " · " (t.term("interview-outcome", i.outcome.as_str())) " (" (i.recorded_by) ")" } } }
            h3 { (t.t("prep-profile")) }
            @match &p.profile {
                Some(pr) => p { (t.with("prep-profile-text", &[("bedrooms", pr.dwelling_bedrooms.into()), ("school", pr.school_age_children.into())])) }
                None => p { (t.t("prep-none")) }
            }
            @if who.allows(resettle_domain::Permission::ReadReunification) {
                p #prep-left-behind { (t.t("work-left-behind")) ": " (super::left_behind::count(t, left_behind)) }
            }
            h3 { (t.t("prep-orientation")) }
            @if p.orientation.is_empty() { p { (t.t("prep-none")) } }
            ul { @for o in &p.orientation { li { (t.date(o.held_on)) " · " (t.term("training", o.mode.as_str())) " · " (o.training) "/3 · " (t.with("prep-attended", &[("n", o.attended.len().into())])) } } }
            h3 { (t.t("prep-travel")) }
            @match &p.travel {
                Some(tr) => {
                    p { (date(t, tr.departs_on)) " · " (tr.booking_reference.clone().unwrap_or_default())
                        @if let Some(r) = &tr.brought_forward_reason { " · " (t.t("prep-brought-forward")) ": " (r) } }
                    @if !tr.documents.is_empty() {
                        ul { @for d in &tr.documents { li {
                            @if let Some(m) = case.submission.members.get(d.member) { (m.given_name) " " (m.family_name) " · " }
                            (d.kind) " " (d.number) " · " (t.t("prep-document-valid-until")) " " (t.date(d.valid_until))
                        } } }
                    }
                }
                None => p { (t.t("prep-none")) }
            }
            (forms)
            @if !p.relatives.is_empty() {
                h3 { (t.t("prep-relatives")) }
                ul { @for r in &p.relatives { li { a href={ "/cases/" (r.id) } { (r.case_number) } " · " (t.term("state", r.state.as_str())) @if let Some(d) = r.arrived_on { " · " (t.date(d)) } } } }
            }
        }
    };
    super::layout::append_section(page, section)
}

/// What a history entry decided, beside its states: the grounds of a
/// refusal, the municipality of a housing assignment, the housing.
fn decision_detail(t: T, action: &Action) -> Markup {
    html! {
        @match action {
            Action::Reject { grounds } => p.grounds {
                (t.t("field-grounds")) ": "
                (grounds.iter().map(|g| t.term("ground", g.as_str())).collect::<Vec<_>>().join(", "))
            },
            Action::AssignHousing { municipality } => p { (t.t("field-assigned-municipality")) ": " (municipality) },
            Action::House { housing: h } => p { (housing(t, h)) },
            _ => {}
        }
    }
}

fn housing(t: T, h: &Housing) -> String {
    match h {
        Housing::Municipality { municipality } => t.with(
            "housing-municipality",
            &[("name", municipality.clone().into())],
        ),
        // The reason is withheld from readers outside its audience.
        Housing::CoaReception { location, reason } if reason.is_empty() => t.with(
            "housing-coa-location",
            &[("location", location.clone().into())],
        ),
        Housing::CoaReception { location, reason } => t.with(
            "housing-coa",
            &[
                ("location", location.clone().into()),
                ("reason", reason.clone().into()),
            ],
        ),
    }
}

fn action_form(
    t: T,
    who: &Principal,
    case: &Case,
    kind: ActionKind,
    open: bool,
    errors: &[(String, String)],
    typed: &[(String, String)],
) -> Markup {
    let k = kind.as_str();
    let id = |f: &str| format!("{k}-{f}");
    let errors: Errors = if open { errors.to_vec() } else { vec![] };
    // What the user typed is kept in the form that was refused.
    let typed: &[(String, String)] = if open { typed } else { &[] };
    let value = |name: &str| super::layout::typed(typed, name);
    let checked = |name: &str, v: &str| typed.iter().any(|(k, x)| k == name && x == v);
    let field =
        |f: &str, label: String, kind: &str| input(&id(f), f, &label, kind, value(f), &errors);
    html! {
        details.action-form open[open] {
            summary { (t.term("action", k)) }
            form method="post" action={ "/cases/" (case.id) "/transitions" } {
                input type="hidden" name="csrf" value=(who.csrf());
                input type="hidden" name="action" value=(k);
                input type="hidden" name="expectedVersion" value=(case.version);
                div.field {
                    label for=(id("occurredOn")) { (t.t("field-occurred-on")) }
                    p.hint id={ (id("occurredOn")) "-hint" } { (t.t("field-occurred-on-hint")) }
                    (field_error(&errors, &id("occurredOn")))
                    input id=(id("occurredOn")) name="occurredOn" type="date" value=(value("occurredOn")) aria-describedby={ (id("occurredOn")) "-hint" };
                }
                @match kind {
                    ActionKind::Accept => {
                        (field("policyBasis", t.t("field-policy-basis"), "text"))
                        (field("placeOverride", t.t("field-place-override"), "text"))
                    }
                    ActionKind::Reject => {
                        fieldset.field id=(id("grounds")) {
                            legend { (t.t("field-grounds")) }
                            (field_error(&errors, &id("grounds")))
                            @for g in RejectionGround::ALL {
                                div.choice {
                                    input type="checkbox" name="grounds" value=(g.as_str()) id={ (id("grounds")) "-" (g.as_str()) } checked[checked("grounds", g.as_str())];
                                    label for={ (id("grounds")) "-" (g.as_str()) } { (t.term("ground", g.as_str())) }
                                }
                            }
                        }
                    }
                    ActionKind::StartPreDeparture => {
                        div.field {
                            label for=(id("training")) { (t.t("field-training")) }
                            select id=(id("training")) name="training" {
                                @for m in TrainingMode::ALL { option value=(m.as_str()) selected[checked("training", m.as_str())] { (t.term("training", m.as_str())) } }
                            }
                        }
                    }
                    ActionKind::Arrive => { (field("permitValidUntil", t.t("field-permit-valid-until"), "date")) }
                    ActionKind::House => {
                        fieldset.field id=(id("housingType")) {
                            legend { (t.t("field-housing-type")) }
                            (field_error(&errors, &id("housingType")))
                            div.choice {
                                input type="radio" name="housingType" value="municipality" id={ (id("housingType")) "-m" } checked[!checked("housingType", "coa")];
                                label for={ (id("housingType")) "-m" } { (t.t("housing-type-municipality")) }
                            }
                            div.choice {
                                input type="radio" name="housingType" value="coa" id={ (id("housingType")) "-c" } checked[checked("housingType", "coa")];
                                label for={ (id("housingType")) "-c" } { (t.t("housing-type-coa")) }
                            }
                        }
                        // The municipality the family is assigned to, unless the user typed another.
                        @let assigned = case.assigned_municipality.as_deref().unwrap_or_default();
                        @let municipality = if typed.is_empty() { assigned } else { value("municipality") };
                        (input(&id("municipality"), "municipality", &t.t("field-municipality"), "text", municipality, &errors))
                        (field("coaLocation", t.t("field-coa-location"), "text"))
                        (field("coaReason", t.t("field-coa-reason"), "text"))
                    }
                    ActionKind::StartIntegrationGuidance => {
                        (field("organisation", t.t("field-organisation"), "text"))
                        (field("until", t.t("field-until"), "date"))
                        (field("sponsorGroup", t.t("field-sponsor-group"), "text"))
                    }
                    _ => {}
                }
                @let reason_label = match kind {
                    ActionKind::Withdraw => t.t("field-reason-required"),
                    ActionKind::Reject => t.t("field-motivation-required"),
                    _ => t.t("field-reason-optional"),
                };
                (field("reason", reason_label, "text"))
                button type="submit" { (t.term("action", k)) }
            }
        }
    }
}

/// An action form as submitted.
struct ActionForm {
    kind: ActionKind,
    expected_version: i64,
    occurred_on: Option<Date>,
    reason: Option<String>,
    action: Action,
}

/// Reads the action form into an action, collecting every field error.
fn read_form(t: &T, form: &[(String, String)]) -> Result<ActionForm, (Option<ActionKind>, Errors)> {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let kind = get("action").and_then(|a| ActionKind::parse(a).ok());
    let Some(kind) = kind else {
        return Err((
            None,
            vec![("actions-title".into(), t.t("form-unknown-action"))],
        ));
    };
    let k = kind.as_str();
    let mut errors: Errors = vec![];
    let mut err = |field: &str, message: String| errors.push((format!("{k}-{field}"), message));
    let version = get("expectedVersion").and_then(|v| v.parse::<i64>().ok());
    let parse_date = |raw: &str| refusals::date(t, raw);
    let occurred_on = match get("occurredOn").map(parse_date) {
        Some(Err(e)) => {
            err("occurredOn", e);
            None
        }
        other => other.and_then(Result::ok),
    };
    let required_date =
        |field: &str, err: &mut dyn FnMut(&str, String)| match get(field).map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                err(field, e);
                None
            }
            None => {
                err(field, t.t("form-required"));
                None
            }
        };
    let action = match kind {
        ActionKind::Submit => None,
        ActionKind::StartAssessment => Some(Action::StartAssessment),
        ActionKind::Accept => Some(Action::Accept {
            policy_basis: get("policyBasis").map(str::to_string),
            place_override: get("placeOverride").map(str::to_string),
        }),
        ActionKind::Reject => {
            let grounds: Vec<RejectionGround> = form
                .iter()
                .filter(|(k, _)| k == "grounds")
                .filter_map(|(_, v)| RejectionGround::parse(v).ok())
                .collect();
            Some(Action::Reject { grounds })
        }
        ActionKind::Withdraw => Some(Action::Withdraw),
        ActionKind::StartPreDeparture => Some(Action::StartPreDeparture {
            training: get("training")
                .and_then(|v| TrainingMode::parse(v).ok())
                .unwrap_or(TrainingMode::InPerson),
        }),
        ActionKind::Depart => Some(Action::Depart),
        ActionKind::Arrive => {
            required_date("permitValidUntil", &mut err).map(|valid_until| Action::Arrive {
                permit: Permit { valid_until },
            })
        }
        ActionKind::House => {
            let housing = if get("housingType") == Some("coa") {
                Housing::CoaReception {
                    location: get("coaLocation").unwrap_or_default().to_string(),
                    reason: get("coaReason").unwrap_or_default().to_string(),
                }
            } else {
                Housing::Municipality {
                    municipality: get("municipality").unwrap_or_default().to_string(),
                }
            };
            Some(Action::House { housing })
        }
        ActionKind::StartIntegrationGuidance => {
            let until = required_date("until", &mut err);
            until.map(|until| Action::StartIntegrationGuidance {
                guidance: Guidance {
                    organisation: get("organisation").unwrap_or_default().to_string(),
                    until,
                    sponsor_group: get("sponsorGroup").map(str::to_string),
                },
            })
        }
        ActionKind::Close => Some(Action::Close),
        ActionKind::CancelHousingAssignment => Some(Action::CancelHousingAssignment),
        // Assigned on the placement page, with the room the family takes.
        ActionKind::AssignHousing => None,
    };
    match (version, action) {
        (Some(v), Some(a)) if errors.is_empty() => Ok(ActionForm {
            kind,
            expected_version: v,
            occurred_on,
            reason: get("reason").map(str::to_string),
            action: a,
        }),
        _ => {
            if errors.is_empty() {
                errors.push((format!("{k}-occurredOn"), t.t("form-incomplete")));
            }
            Err((Some(kind), errors))
        }
    }
}

/// Maps a domain field name to the id of its form field.
fn form_field(kind: ActionKind, field: &str) -> String {
    let f = match field {
        "permit.validUntil" => "permitValidUntil",
        "housing.municipality" => "municipality",
        "housing.location" => "coaLocation",
        "housing.reason" => "coaReason",
        "guidance.organisation" => "organisation",
        "guidance.until" => "until",
        "guidance.sponsorGroup" => "sponsorGroup",
        "action.placeOverride" => "placeOverride",
        "action.policyBasis" => "policyBasis",
        "action" | "actor" => "occurredOn",
        other => other,
    };
    format!("{}-{f}", kind.as_str())
}

pub async fn take(
    State(state): State<AppState>,
    t: T,
    actor: CaseActor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let p = &actor.reader.principal;
    let not_found = || super::not_found_page(t, Some(p));
    let id: CaseId = id.parse().map_err(|_| not_found())?;
    let loaded = load(&state, &actor.reader, id)
        .await
        .map_err(|_| not_found())?;
    let object = format!("case {id}");
    let outcome = match read_form(&t, &form) {
        Ok(ActionForm { kind, .. }) if !actor.may(kind) => {
            audit(
                &state,
                p.name(),
                kind.as_str(),
                &object,
                AuditResult::Denied,
                &p.origin,
            )
            .await;
            let action = t.term("action", kind.as_str());
            let detail = t.with(
                "refused-action",
                &[
                    ("role", t.term("role", p.user.role.as_str()).into()),
                    ("action", action.into()),
                ],
            );
            return Err(super::forbidden_page(t, &detail, Some(p)));
        }
        Ok(ActionForm {
            kind,
            expected_version,
            occurred_on,
            reason,
            action,
        }) => {
            let now = state.now();
            let ctx = resettle_domain::Context {
                occurred_on: occurred_on.unwrap_or(now.date()),
                recorded_at: now,
                actor: p.name().to_string(),
                reason: reason.clone().filter(|r| !r.trim().is_empty()),
            };
            let problems = loaded.problems(&action, &ctx);
            let done = act(&state, p, id, expected_version, action, occurred_on, reason).await;
            match done {
                Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}?done=1")).into_response()),
                Err(ActionError::NotFound(_)) => return Err(not_found()),
                Err(ActionError::Store(e)) => return Err(Problem::from(e).into_response()),
                Err(ActionError::Blocked(e)) => {
                    let field = crate::problem::blocked_field(&e);
                    (
                        StatusCode::CONFLICT,
                        Some(kind),
                        vec![(form_field(kind, field), refusals::store(&t, &e))],
                    )
                }
                Err(e @ ActionError::Conflict { .. }) => (
                    StatusCode::CONFLICT,
                    Some(kind),
                    vec![(form_field(kind, "occurredOn"), refusals::action(&t, &e))],
                ),
                Err(ActionError::Refused(e)) => {
                    let status = if e.field() == "action" {
                        StatusCode::CONFLICT
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    // Every mistake at once, not only the first the rules met.
                    let mut errors: Errors = problems
                        .iter()
                        .map(|e| (form_field(kind, e.field()), refusals::transition(&t, e)))
                        .collect();
                    if errors.is_empty() {
                        errors.push((form_field(kind, e.field()), refusals::transition(&t, &e)));
                    }
                    (status, Some(kind), errors)
                }
            }
        }
        Err((kind, errors)) => (StatusCode::BAD_REQUEST, kind, errors),
    };
    let (status, kind, errors) = outcome;
    let case = load(&state, &actor.reader, id)
        .await
        .map_err(|_| not_found())?;
    let case = shown(&state, p, &case).await;
    let history = state
        .store
        .history(id)
        .await
        .map_err(|e| Problem::from(e).into_response())?;
    let history = history_for(p, history);
    let page = case_page(t, p, &case, &history, false, kind, &errors, &form);
    // The page otherwise as it was: with its sections.
    let page = with_sections(&state, t, p, &case, page, &[]).await?;
    Ok((status, page).into_response())
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    recipient: String,
    #[serde(rename = "consentGiven", default)]
    consent_given: Option<String>,
    #[serde(rename = "overrideReason", default)]
    override_reason: String,
}

/// Records the family's consent, or an override with its reason (COA).
pub async fn consent(
    State(state): State<AppState>,
    t: T,
    recorder: ConsentRecorder,
    reader: CaseReader,
    Path(id): Path<String>,
    Form(f): Form<ConsentForm>,
) -> Result<Response, Response> {
    let p = &recorder.0;
    let not_found = || super::not_found_page(t, Some(p));
    let id: CaseId = id.parse().map_err(|_| not_found())?;
    load(&state, &reader, id).await.map_err(|_| not_found())?;
    let override_reason = Some(f.override_reason.trim().to_string()).filter(|r| !r.is_empty());
    if f.consent_given.is_none() && override_reason.is_none() {
        let case = load(&state, &reader, id).await.map_err(|_| not_found())?;
        let case = shown(&state, p, &case).await;
        let history = state
            .store
            .history(id)
            .await
            .map_err(|e| Problem::from(e).into_response())?;
        let errors = vec![(
            "consent-overrideReason".to_string(),
            t.t("consent-needs-reason"),
        )];
        let page = case_page(t, p, &case, &history, false, None, &errors, &[]);
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let recipient = Some(f.recipient.trim()).filter(|r| !r.is_empty());
    record_consent(&state, p, id, recipient, state.today(), override_reason)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(Redirect::to(&format!("/cases/{id}?done=1")).into_response())
}

/// The preparation forms of the case page (interview, profile, orientation,
/// travel) post here, told apart by `op`; each is authorised as its API route is.
pub async fn prepare(
    State(state): State<AppState>,
    t: T,
    crate::auth::Interviewer(p): crate::auth::Interviewer,
    reader: CaseReader,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Response> {
    use crate::api::preparation as api;
    use resettle_domain::operations::{
        Interview, InterviewKind, InterviewOutcome, OrientationSession, ResettlementProfile,
        TravelPlan,
    };
    let not_found = || super::not_found_page(t, Some(&p));
    let id: CaseId = id.parse().map_err(|_| not_found())?;
    let case = load(&state, &reader, id).await.map_err(|_| not_found())?;
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let op = get("op").unwrap_or_default().to_string();
    let mut errors: Errors = vec![];
    let date = |name: &str, errors: &mut Errors| match get(name).map(|d| refusals::date(&t, d)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push((format!("{op}-{name}"), e));
            None
        }
        None => {
            errors.push((format!("{op}-{name}"), t.t("form-required")));
            None
        }
    };
    let number = |name: &str, errors: &mut Errors| match get(name).map(str::parse::<i64>) {
        Some(Ok(n)) => Some(n),
        _ => {
            errors.push((format!("{op}-{name}"), t.t("form-whole-number")));
            None
        }
    };
    let st = State(state.clone());
    let preparer = || crate::auth::Preparer(p.clone());
    let may_prepare = p.allows(resettle_domain::Permission::ManagePreparation);
    let outcome: Result<(), Problem> = match op.as_str() {
        "interview" => {
            let held_on = date("heldOn", &mut errors);
            let kind = get("kind").and_then(|k| InterviewKind::parse(k).ok());
            let outcome = get("outcome").and_then(|k| InterviewOutcome::parse(k).ok());
            match (held_on, kind, outcome) {
                (Some(held_on), Some(kind), Some(outcome)) => {
                    let mut i = Interview {
                        kind,
                        held_on,
                        outcome,
                        interviewer: None,
                        recorded_by: String::new(),
                    };
                    api::record_interview(&state, &p, &case, &mut i)
                        .await
                        .map(|_| ())
                }
                _ => Ok(()),
            }
        }
        "profile" | "orientation" | "travel" | "document" if !may_prepare => Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "your role ({}) may not prepare cases for travel",
                p.user.role
            ),
        )),
        "profile" => {
            let bedrooms = number("dwellingBedrooms", &mut errors);
            let school = number("schoolAgeChildren", &mut errors);
            match (bedrooms, school) {
                (Some(dwelling_bedrooms), Some(school_age_children)) => {
                    let profile = ResettlementProfile {
                        integration_factors: vec![],
                        dwelling_bedrooms,
                        accessible_dwelling: get("accessibleDwelling").is_some(),
                        medical_care_nearby: false,
                        school_age_children,
                        notes: None,
                    };
                    api::put_profile(
                        st,
                        preparer(),
                        Path(id.to_string()),
                        Ok(axum::Json(profile)),
                    )
                    .await
                    .map(|_| ())
                }
                _ => Ok(()),
            }
        }
        "orientation" => {
            let held_on = date("heldOn", &mut errors);
            let training = number("training", &mut errors);
            let attended: Vec<usize> = form
                .iter()
                .filter(|(k, _)| k == "attended")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let mode = get("mode")
                .and_then(|m| TrainingMode::parse(m).ok())
                .unwrap_or(TrainingMode::InPerson);
            match (held_on, training) {
                (Some(held_on), Some(training)) => {
                    let s = OrientationSession {
                        held_on,
                        mode,
                        training,
                        attended,
                        recorded_by: String::new(),
                    };
                    api::create_orientation(st, preparer(), Path(id.to_string()), Ok(axum::Json(s)))
                        .await
                        .map(|_| ())
                }
                _ => Ok(()),
            }
        }
        "travel" => {
            let departs_on = date("departsOn", &mut errors);
            let expected = get("expectedDepartsOn").and_then(|d| refusals::date(&t, d).ok());
            match departs_on {
                Some(departs_on) => {
                    let previous = state
                        .store
                        .travel(id)
                        .await
                        .map_err(|e| Problem::from(e).into_response())?;
                    let plan = TravelPlan {
                        documents: previous.map(|p| p.documents).unwrap_or_default(),
                        departs_on: Some(departs_on),
                        booking_reference: get("bookingReference").map(str::to_string),
                        brought_forward_reason: get("broughtForwardReason").map(str::to_string),
                    };
                    let r = api::TravelRequest {
                        expected_departs_on: expected,
                        plan,
                    };
                    api::put_travel(st, preparer(), Path(id.to_string()), Ok(axum::Json(r)))
                        .await
                        .map(|_| ())
                }
                None => Ok(()),
            }
        }
        "document" => {
            let valid_until = date("validUntil", &mut errors);
            let member = get("member").and_then(|m| m.parse::<usize>().ok());
            let (kind, number) = (get("kind").unwrap_or(""), get("number").unwrap_or(""));
            if kind.trim().is_empty() {
                errors.push(("document-kind".into(), t.t("prep-document-kind-missing")));
            }
            if number.trim().is_empty() {
                errors.push((
                    "document-number".into(),
                    t.t("prep-document-number-missing"),
                ));
            }
            match (valid_until, member) {
                (Some(valid_until), Some(member))
                    if !kind.trim().is_empty() && !number.trim().is_empty() =>
                {
                    let previous = state
                        .store
                        .travel(id)
                        .await
                        .map_err(|e| Problem::from(e).into_response())?;
                    let expected = previous.as_ref().and_then(|p| p.departs_on);
                    let mut plan = previous.unwrap_or(TravelPlan {
                        documents: Vec::new(),
                        departs_on: None,
                        booking_reference: None,
                        brought_forward_reason: None,
                    });
                    plan.brought_forward_reason = None;
                    plan.documents
                        .push(resettle_domain::operations::TravelDocument {
                            member,
                            kind: kind.trim().to_string(),
                            number: number.trim().to_string(),
                            valid_until,
                        });
                    let r = api::TravelRequest {
                        expected_departs_on: expected,
                        plan,
                    };
                    api::put_travel(st, preparer(), Path(id.to_string()), Ok(axum::Json(r)))
                        .await
                        .map(|_| ())
                }
                _ => Ok(()),
            }
        }
        _ => {
            errors.push(("prep-title".into(), t.t("form-incomplete")));
            Ok(())
        }
    };
    let status = match outcome {
        Ok(()) if errors.is_empty() => {
            return Ok(Redirect::to(&format!("/cases/{id}?done=1#preparation")).into_response());
        }
        Ok(()) => StatusCode::BAD_REQUEST,
        Err(problem) if problem.status == 403 => {
            // The API's refusal is in English; the page says it in the reader's language.
            let role = t.term("role", p.user.role.as_str());
            let detail = t.with("refused-form", &[("role", role.into())]);
            return Err(super::forbidden_page(t, &detail, Some(&p)));
        }
        Err(problem) => {
            if problem.errors.is_empty() {
                errors.push((format!("{op}-heldOn"), refusals::whole(&t, &problem)));
            }
            for e in &problem.errors {
                let field = e.field.split('[').next().unwrap_or(&e.field);
                errors.push((format!("{op}-{field}"), refusals::field(&t, e)));
            }
            problem.status()
        }
    };
    let case = shown(&state, &p, &case).await;
    let history = state
        .store
        .history(id)
        .await
        .map_err(|e| Problem::from(e).into_response())?;
    let history = history_for(&p, history);
    let page = case_page(t, &p, &case, &history, false, None, &[], &[]);
    let page = with_sections(&state, t, &p, &case, page, &errors).await?;
    Ok((status, page).into_response())
}
