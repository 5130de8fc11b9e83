//! The home page of each role: its worklist. Every line links to the case
//! and names the action it waits for; each list says how many there are in
//! all and links to the full, filtered list.

use super::i18n::T;
use super::layout::page;
use crate::api::cases::shown;
use crate::auth::Principal;
use crate::state::AppState;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use resettle_domain::access::case_scope;
use resettle_domain::mission::MissionStatus;
use resettle_domain::norms::{Norm, NormStatus};
use resettle_domain::{ActionKind, CaseScope, CaseState, Permission, Role};
use resettle_store::{CaseFilter, CaseSummary, Page, PageRequest, StoreError};
use time::Date;

/// Lines a worklist shows before it links to the full list.
const SHOWN: u32 = 15;

/// One list of cases in one state that wait for the same action.
struct Waiting {
    title: String,
    /// What the cases wait for (the action's label).
    action: String,
    state: CaseState,
    page: Page<CaseSummary>,
}

/// A worklist's lists: the state its cases stand in, the list's title, and
/// the action they wait for.
type Lists = [(CaseState, &'static str, ActionKind)];

const IND_LISTS: &Lists = &[
    (
        CaseState::Submitted,
        "work-to-assess",
        ActionKind::StartAssessment,
    ),
    (
        CaseState::UnderAssessment,
        "work-to-decide",
        ActionKind::Accept,
    ),
];

const COA_LISTS: &Lists = &[
    (
        CaseState::Accepted,
        "work-to-orient",
        ActionKind::StartPreDeparture,
    ),
    (
        CaseState::PreDeparture,
        "work-to-travel",
        ActionKind::Depart,
    ),
    (CaseState::Departed, "work-arriving", ActionKind::Arrive),
    (CaseState::Arrived, "work-to-house", ActionKind::House),
];

/// The first cases of each list (IND and COA see every case), in order.
async fn waiting(state: &AppState, t: T, lists: &Lists) -> Result<Vec<Waiting>, StoreError> {
    let mut out = Vec::with_capacity(lists.len());
    for (case_state, title, action) in lists {
        let filter = CaseFilter {
            state: Some(*case_state),
            scope: Some(CaseScope::All),
            ..CaseFilter::default()
        };
        let page = state
            .store
            .list_cases(&filter, PageRequest::new(1, SHOWN))
            .await?;
        out.push(Waiting {
            title: t.t(title),
            action: t.term("action", action.as_str()),
            state: *case_state,
            page,
        });
    }
    Ok(out)
}

fn count(t: T, page: &Page<CaseSummary>) -> String {
    let key = if page.total_exact {
        "cases-count"
    } else {
        "cases-count-more"
    };
    t.with(key, &[("total", page.total.into())])
}

fn waiting_section(t: T, w: &Waiting) -> Markup {
    let id = format!("work-{}", w.state);
    html! {
        section.worklist aria-labelledby=(id) {
            h2 #(id) { (w.title) " (" (w.page.total) @if !w.page.total_exact { "+" } ")" }
            @if w.page.items.is_empty() {
                p { (t.t("work-none")) }
            } @else {
                div.table-scroll tabindex="0" { table {
                    caption.visually-hidden { (w.title) }
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("field-host-country")) }
                        th scope="col" { (t.t("field-priority")) }
                        th scope="col" class="num" { (t.t("field-persons")) }
                        th scope="col" { (t.t("field-submitted-on")) }
                        th scope="col" { (t.t("work-waits-for")) }
                    } }
                    tbody { @for c in &w.page.items { tr {
                        th scope="row" { a href={ "/cases/" (c.id) } { (c.case_number) } }
                        td { (t.country(c.host_country)) }
                        td { (t.term("priority", c.priority.as_str())) }
                        td.num { (c.persons) }
                        td { (t.date(c.submitted_on)) }
                        td { a href={ "/cases/" (c.id) "#actions-title" } { (w.action) } }
                    } } }
                } }
                p { a href={ "/cases?state=" (w.state) } { (t.with("work-all", &[("count", count(t, &w.page).into())])) } }
            }
        }
    }
}

/// The home page of the signed-in account.
pub async fn home(state: &AppState, t: T, who: &Principal) -> Response {
    let role = who.user.role;
    let body = match role {
        Role::IndOfficer => ind(state, t).await,
        Role::CoaOfficer => coa(state, t).await,
        Role::MunicipalityOfficer => municipality(state, t, who).await,
        Role::IntegrationOrganisation => integration(state, t, who).await,
        Role::UnhcrLiaison => unhcr(state, t, who).await,
        Role::PolicyAnalyst => Ok(analyst(t)),
        Role::Administrator => Ok(administrator(t)),
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    let organisation = who.user.organisation.clone().unwrap_or_default();
    let title = t.with(
        &format!("work-title-{role}"),
        &[("organisation", organisation.into())],
    );
    let body = html! {
        h1 { (title) }
        p.lead { (t.t(&format!("work-intro-{role}"))) }
        (body)
    };
    page(t, &title, "/", Some(who), body).into_response()
}

async fn ind(state: &AppState, t: T) -> Result<Markup, StoreError> {
    let lists = waiting(state, t, IND_LISTS).await?;
    let risks = norms_at_risk(state, t).await?;
    let nareis = reunification(state, t, ReunificationDesk::Decide).await?;
    Ok(html! {
        @for w in &lists { (waiting_section(t, w)) }
        (nareis)
        (risks)
    })
}

/// Which family-reunification work a worklist shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReunificationDesk {
    /// The IND: relatives waiting for a decision.
    Decide,
    /// COA: granted relatives whose travel is to be arranged, or whose
    /// arrival is to be recorded.
    Travel,
}

/// Family-reunification applications with a relative waiting for this desk,
/// the one due first on top.
async fn reunification(
    state: &AppState,
    t: T,
    desk: ReunificationDesk,
) -> Result<Markup, StoreError> {
    use resettle_domain::reunification::RelativeStatus;
    let filter = resettle_store::ApplicationFilter {
        scope: CaseScope::All,
        pending: None,
        sponsor_case: None,
    };
    // Without a policy there are no terms, so no date is due.
    let policy = crate::api::reunification::policy(state).await.ok();
    let waits = |s: RelativeStatus| match desk {
        ReunificationDesk::Decide => s.undecided(),
        ReunificationDesk::Travel => matches!(s, RelativeStatus::Granted | RelativeStatus::Travel),
    };
    let mut lines: Vec<_> = crate::api::reunification::applications(state, &filter)
        .await?
        .into_iter()
        .filter_map(|a| {
            let n = a.relatives.iter().filter(|r| waits(r.status)).count();
            let due = policy.as_ref().and_then(|p| a.decision_due(p));
            (n > 0).then_some((a, n, due))
        })
        .collect();
    lines.sort_by_key(|(a, _, due)| (due.is_none(), *due, a.applied_on));
    let today = state.today();
    let (id, title) = match desk {
        ReunificationDesk::Decide => ("work-reun-decide", t.t("work-reun-decide")),
        ReunificationDesk::Travel => ("work-reun-travel", t.t("work-reun-travel")),
    };
    Ok(html! {
        section.worklist aria-labelledby=(id) {
            h2 #(id) { (title) " (" (lines.len()) ")" }
            @if lines.is_empty() { p { (t.t("work-none")) } } @else {
                div.table-scroll tabindex="0" { table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (t.t("reun-sponsor")) }
                        th scope="col" { (t.t("reun-applied-on")) }
                        th scope="col" class="num" { (t.t("work-reun-relatives")) }
                        @if desk == ReunificationDesk::Decide { th scope="col" { (t.t("reun-decision-due")) } }
                    } }
                    tbody { @for (a, n, due) in lines.iter().take(SHOWN as usize) { tr {
                        th scope="row" { a href={ "/family-reunification/" (a.id) } { (a.sponsor_case_number) } }
                        td { (t.date(a.applied_on)) }
                        td.num { (n) }
                        @if desk == ReunificationDesk::Decide { td {
                            (due.map(|d| t.date(d)).unwrap_or_default())
                            @if due.is_some_and(|d| d < today) { " · " strong { (t.t("norms-overdue")) } }
                        } }
                    } } }
                } }
                p { a href="/family-reunification" { (t.t("work-reun-all")) } }
            }
        }
    })
}

/// The cases closest to missing a time norm (or past it), most urgent first.
async fn norms_at_risk(state: &AppState, t: T) -> Result<Markup, StoreError> {
    let cases = state
        .store
        .cases_in_pipeline(&CaseFilter {
            scope: Some(CaseScope::All),
            ..CaseFilter::default()
        })
        .await?;
    let today = state.today();
    let d = crate::norms::dashboard(
        &cases,
        today,
        crate::norms::AT_RISK_DAYS,
        &[NormStatus::Overdue, NormStatus::AtRisk],
        &[Norm::SelectionToArrival, Norm::SubmissionPriority],
    );
    let shown = d.cases.iter().take(SHOWN as usize);
    Ok(html! {
        section.worklist aria-labelledby="work-norms" {
            h2 #work-norms { (t.t("work-norms")) " (" (d.cases.len()) ")" }
            @if d.cases.is_empty() { p { (t.t("work-none")) } } @else {
                div.table-scroll tabindex="0" { table {
                    caption.visually-hidden { (t.t("work-norms")) }
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("field-state")) }
                        th scope="col" { (t.t("norms-norm")) }
                        th scope="col" { (t.t("norms-deadline")) }
                        th scope="col" class="num" { (t.t("norms-days-left")) }
                    } }
                    tbody { @for l in shown { tr {
                        th scope="row" { a href={ "/cases/" (l.id) } { (l.case_number) } }
                        td { (t.term("state", l.state.as_str())) }
                        td { (super::norms::norm_word(t, l.norm)) }
                        td { (t.date(l.deadline)) }
                        td.num { (super::norms::days_left(t, l.days_left)) }
                    } } }
                } }
                p { a href="/norms?status=at-risk-or-overdue" { (t.t("work-norms-all")) } }
            }
        }
    })
}

async fn coa(state: &AppState, t: T) -> Result<Markup, StoreError> {
    let lists = waiting(state, t, COA_LISTS).await?;
    let nareis = reunification(state, t, ReunificationDesk::Travel).await?;
    Ok(html! {
        p { a href="/placement" { (t.t("work-placement")) } }
        @for w in &lists { (waiting_section(t, w)) }
        (nareis)
    })
}

/// A family as the municipality needs to know it: who comes, when, and
/// what was shared with consent.
struct Family {
    id: resettle_domain::CaseId,
    case_number: String,
    state: CaseState,
    composition: String,
    arrival: Option<Date>,
    needs: Vec<String>,
    /// How many relatives stayed behind and may follow (for readers of
    /// family reunification: the municipality plans the household's housing).
    left_behind: Option<String>,
}

async fn families(
    state: &AppState,
    t: T,
    who: &Principal,
    scope: &CaseScope,
    states: &[CaseState],
) -> Result<(Vec<Family>, i64), StoreError> {
    let today = state.today();
    let mut out = Vec::new();
    let mut total = 0;
    for s in states {
        let filter = CaseFilter {
            state: Some(*s),
            scope: Some(scope.clone()),
            ..CaseFilter::default()
        };
        let page = state
            .store
            .list_cases(&filter, PageRequest::new(1, SHOWN))
            .await?;
        total += page.total;
        for c in &page.items {
            let Some(case) = state.store.case(c.id).await? else {
                continue;
            };
            // Shown as the role may see it (needs only with consent), audited.
            let case = shown(state, who, &case).await;
            let mut ages: Vec<i32> = case
                .submission
                .members
                .iter()
                .map(|m| m.date_of_birth.age_on(today))
                .collect();
            ages.sort_unstable_by(|a, b| b.cmp(a));
            let composition = t.with(
                "work-composition",
                &[
                    ("persons", ages.len().into()),
                    (
                        "ages",
                        ages.iter()
                            .map(i32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                            .into(),
                    ),
                ],
            );
            let arrival = match case.arrived_on {
                Some(d) => Some(d),
                None => state.store.travel(c.id).await?.and_then(|p| p.departs_on),
            };
            let needs = case
                .special
                .iter()
                .map(|i| format!("{}: {}", t.term("special", i.category.as_str()), i.value))
                .collect();
            let left_behind = if who.allows(Permission::ReadReunification) {
                let list = super::left_behind::for_reader(state, who, c.id).await?;
                Some(super::left_behind::count(t, &list))
            } else {
                None
            };
            out.push(Family {
                id: case.id,
                case_number: case.submission.case_number.to_string(),
                state: case.state,
                composition,
                arrival,
                needs,
                left_behind,
            });
        }
    }
    Ok((out, total))
}

/// A worklist of families; when it shows only the first of them, a link to
/// all of them (`all`: the scoped case list, filtered).
fn family_table(
    t: T,
    id: &str,
    title: &str,
    (list, total): (&[Family], i64),
    arrival: bool,
    all: &str,
) -> Markup {
    let left_behind = list.iter().any(|f| f.left_behind.is_some());
    html! {
        section.worklist aria-labelledby=(id) {
            h2 #(id) { (title) " (" (total) ")" }
            @if list.is_empty() { p { (t.t("work-none")) } } @else {
                div.table-scroll tabindex="0" { table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("field-state")) }
                        th scope="col" { (t.t("work-family")) }
                        @if arrival { th scope="col" { (t.t("work-arrival")) } }
                        th scope="col" { (t.t("work-needs")) }
                        @if left_behind { th scope="col" { (t.t("work-left-behind")) } }
                    } }
                    tbody { @for f in list { tr {
                        th scope="row" { a href={ "/cases/" (f.id) } { (f.case_number) } }
                        td { (t.term("state", f.state.as_str())) }
                        td.family { (f.composition) }
                        @if arrival {
                            td { @match f.arrival { Some(d) => (t.date(d)), None => (t.t("work-arrival-unknown")) } }
                        }
                        td.why { @if f.needs.is_empty() { (t.t("work-needs-none")) } @else { ul { @for n in &f.needs { li { (n) } } } } }
                        @if left_behind { td.why { (f.left_behind.clone().unwrap_or_default()) } }
                    } } }
                } }
                @if total > list.len() as i64 {
                    p { a href=(all) { (t.t("work-families-all")) } }
                }
            }
        }
    }
}

async fn municipality(state: &AppState, t: T, who: &Principal) -> Result<Markup, StoreError> {
    let scope = case_scope(who.user.role, who.user.organisation.as_deref());
    let incoming = [
        CaseState::Accepted,
        CaseState::PreDeparture,
        CaseState::Departed,
        CaseState::Arrived,
    ];
    let (coming, coming_total) = families(state, t, who, &scope, &incoming).await?;
    let housed_states = [CaseState::Housed, CaseState::IntegrationGuidance];
    let (housed, housed_total) = families(state, t, who, &scope, &housed_states).await?;
    Ok(html! {
        (family_table(t, "work-incoming", &t.t("work-incoming"), (&coming, coming_total), true, "/cases"))
        (family_table(t, "work-housed", &t.t("work-housed"), (&housed, housed_total), false, "/cases"))
    })
}

async fn integration(state: &AppState, t: T, who: &Principal) -> Result<Markup, StoreError> {
    let scope = case_scope(who.user.role, who.user.organisation.as_deref());
    let (guided, total) =
        families(state, t, who, &scope, &[CaseState::IntegrationGuidance]).await?;
    Ok(family_table(
        t,
        "work-guide",
        &t.t("work-guide"),
        (&guided, total),
        false,
        "/cases?state=integration-guidance",
    ))
}

async fn unhcr(state: &AppState, t: T, who: &Principal) -> Result<Markup, StoreError> {
    let scope = case_scope(who.user.role, who.user.organisation.as_deref());
    let mut counts = Vec::new();
    for s in CaseState::ALL {
        let filter = CaseFilter {
            state: Some(*s),
            scope: Some(scope.clone()),
            ..CaseFilter::default()
        };
        let page = state
            .store
            .list_cases(&filter, PageRequest::new(1, 1))
            .await?;
        if page.total > 0 {
            counts.push((*s, page.total));
        }
    }
    let requests: Vec<_> = state
        .store
        .missions()
        .await?
        .into_iter()
        .filter(|m| {
            matches!(
                m.status,
                MissionStatus::Planned | MissionStatus::Confirmed | MissionStatus::Postponed
            )
        })
        .collect();
    Ok(html! {
        p { a href="/submissions" { (t.t("work-submit")) } }
        section.worklist aria-labelledby="work-requests" {
            h2 #work-requests { (t.t("work-requests")) " (" (requests.len()) ")" }
            @if requests.is_empty() { p { (t.t("work-none")) } }
            ul { @for m in &requests {
                li { a href={ "/missions/" (m.id) "/submission-request" } { (m.name) } " · " (t.date(m.starts_on)) " – " (t.date(m.ends_on)) " · " (t.with("work-places", &[("places", m.places.into())])) }
            } }
        }
        section.worklist aria-labelledby="work-submissions" {
            h2 #work-submissions { (t.t("work-submissions")) }
            @if counts.is_empty() { p { (t.t("work-none")) } }
            ul { @for (s, n) in &counts {
                li { a href={ "/cases?state=" (s) } { (t.term("state", s.as_str())) } ": " (n) }
            } }
        }
    })
}

fn links(t: T, items: &[(&str, &str)]) -> Markup {
    html! {
        ul.worklinks { @for (href, key) in items { li { a href=(href) { (t.t(key)) } } } }
    }
}

fn analyst(t: T) -> Markup {
    links(
        t,
        &[
            ("/reports", "work-reports"),
            ("/reports/frameworks/print", "work-report-print"),
            ("/forecast", "work-forecast"),
            ("/missions", "work-missions"),
            ("/policy", "work-policy"),
        ],
    )
}

fn administrator(t: T) -> Markup {
    links(
        t,
        &[
            ("/admin/users", "work-accounts"),
            ("/admin/audit", "work-login-watch"),
            ("/admin/audit#audit-trail", "work-audit"),
            ("/policy", "work-policy"),
        ],
    )
}
