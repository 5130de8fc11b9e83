//! Placement: COA proposes where each waiting family is housed (the best
//! total expected-integration score within every municipality's room),
//! reviews it with the reasons per family, changes it by hand and sees what
//! that costs, then confirms, which records the housing assignments.

use super::i18n::T;
use super::layout::{error_summary, page};
use crate::auth::{PlacementPlanner, audit};
use crate::placement::{Plan, plan};
use crate::problem::Problem as HttpProblem;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::audit::AuditResult;
use resettle_domain::{Action, ActionKind, Context};
use resettle_placement::explain::{WhyNot, explain};
use resettle_placement::solve::{Violation, objective, violations};
use resettle_placement::{Options, solve};
use resettle_store::NewAuditEntry;
use resettle_store::placement::{DIMENSIONS, HousingAssignment, Placement};
use serde::Deserialize;
use std::collections::HashMap;

/// Form value for "not placed now".
const UNPLACED: &str = "-";

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    confirmed: Option<usize>,
    /// Propose for arrived families only, keeping room for those on their way.
    keep: Option<String>,
}

/// Whether a posted form asks to keep room for families on their way.
fn keeps_room(form: &[(String, String)]) -> bool {
    form.iter().any(|(k, _)| k == "keep")
}

fn field(case_number: &str) -> String {
    format!("m-{case_number}")
}

/// The officer's choices from the form: family position → municipality
/// position (None: unplaced), with errors for values that name nothing.
fn choices(
    plan: &Plan,
    form: &[(String, String)],
    t: &T,
    errors: &mut Vec<(String, String)>,
) -> HashMap<usize, Option<usize>> {
    let families: HashMap<String, usize> = plan
        .families
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.expected)
        .map(|(i, f)| (field(f.case_number.as_str()), i))
        .collect();
    let places: HashMap<&str, usize> = plan
        .municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.as_str(), i))
        .collect();
    let mut chosen = HashMap::new();
    for (name, value) in form.iter().filter(|(n, _)| n.starts_with("m-")) {
        let Some(&f) = families.get(name) else {
            errors.push((
                name.clone(),
                t.with(
                    "placement-not-waiting",
                    &[("case", name[2..].to_string().into())],
                ),
            ));
            continue;
        };
        if value == UNPLACED {
            chosen.insert(f, None);
        } else if let Some(&m) = places.get(value.as_str()) {
            chosen.insert(f, Some(m));
        } else {
            errors.push((
                name.clone(),
                t.with(
                    "placement-no-municipality",
                    &[
                        ("case", name[2..].to_string().into()),
                        ("code", value.clone().into()),
                    ],
                ),
            ));
        }
    }
    chosen
}

/// Errors for a plan that breaks the room or an allowed pair, each at the
/// first family placed there.
fn broken(plan: &Plan, assign: &[Option<usize>], t: &T) -> Vec<(String, String)> {
    violations(&plan.problem, assign)
        .into_iter()
        .map(|v| match v {
            Violation::NotAllowed {
                family,
                municipality,
            } => (
                field(plan.families[family].case_number.as_str()),
                t.with(
                    "placement-not-allowed",
                    &[
                        ("case", plan.families[family].case_number.to_string().into()),
                        (
                            "municipality",
                            plan.municipalities[municipality].name.clone().into(),
                        ),
                    ],
                ),
            ),
            Violation::OverRoom {
                municipality,
                dimension,
                load,
                capacity,
            } => {
                // The first family on the page placed there (kept room is not on the page).
                let first = (0..assign.len())
                    .find(|&f| assign[f] == Some(municipality) && !plan.families[f].expected)
                    .unwrap_or(0);
                (
                    field(
                        plan.families
                            .get(first)
                            .map_or("", |f| f.case_number.as_str()),
                    ),
                    t.with(
                        "placement-over-room",
                        &[
                            (
                                "municipality",
                                plan.municipalities[municipality].name.clone().into(),
                            ),
                            (
                                "dimension",
                                t.t(&format!("placement-dim-{}", DIMENSIONS[dimension]))
                                    .into(),
                            ),
                            ("load", load.into()),
                            ("room", capacity.into()),
                        ],
                    ),
                )
            }
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    t: T,
    planner: PlacementPlanner,
    Query(q): Query<Shown>,
) -> Response {
    let keep = q.keep.is_some();
    review(state, t, planner, Vec::new(), q.confirmed, keep).await
}

/// "Recalculate": the proposal with the officer's changes.
pub async fn adjust(
    State(state): State<AppState>,
    t: T,
    planner: PlacementPlanner,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let keep = keeps_room(&form);
    review(state, t, planner, form, None, keep).await
}

async fn review(
    state: AppState,
    t: T,
    planner: PlacementPlanner,
    form: Vec<(String, String)>,
    confirmed: Option<usize>,
    keep: bool,
) -> Response {
    let p = &planner.0;
    let today = state.today();
    let plan = match plan(state.store.as_ref(), None, today, keep).await {
        Ok(plan) => plan,
        Err(e) => {
            return HttpProblem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
                .into_response();
        }
    };
    audit(
        &state,
        p.name(),
        "placement-proposal",
        "placement",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    let solution = solve(&plan.problem, &Options::for_problem(&plan.problem));
    let mut errors = Vec::new();
    let chosen = choices(&plan, &form, &t, &mut errors);
    let mut assign = solution.assign.clone();
    for (f, m) in &chosen {
        assign[*f] = *m;
    }
    errors.extend(broken(&plan, &assign, &t));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = body(&t, p.csrf(), &plan, &solution, &assign, &errors, confirmed);
    (
        status,
        page(t, &t.t("placement-title"), "/placement", Some(p), body),
    )
        .into_response()
}

/// The plan as the officer chose it, checked: every family on the page has
/// a choice, and every choice fits. On a problem, the page again with every
/// problem listed and the choices kept.
async fn chosen_plan(
    state: &AppState,
    t: &T,
    planner: &PlacementPlanner,
    form: &[(String, String)],
) -> Result<(Plan, Vec<Option<usize>>), Response> {
    let p = &planner.0;
    let today = state.today();
    let keep = keeps_room(form);
    let plan = match plan(state.store.as_ref(), None, today, keep).await {
        Ok(plan) => plan,
        Err(e) => {
            return Err(
                HttpProblem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
            );
        }
    };
    let mut errors = Vec::new();
    let chosen = choices(&plan, form, t, &mut errors);
    // Only the families on the page are confirmed; the room kept for those
    // on their way was advice, and is not recorded.
    for (i, f) in plan.families.iter().enumerate() {
        if !f.expected && !chosen.contains_key(&i) {
            errors.push((
                field(f.case_number.as_str()),
                t.with(
                    "placement-missing",
                    &[("case", f.case_number.to_string().into())],
                ),
            ));
        }
    }
    let assign: Vec<Option<usize>> = (0..plan.families.len())
        .map(|i| chosen.get(&i).copied().flatten())
        .collect();
    errors.extend(broken(&plan, &assign, t));
    if !errors.is_empty() {
        let solution = solve(&plan.problem, &Options::for_problem(&plan.problem));
        let body = body(t, p.csrf(), &plan, &solution, &assign, &errors, None);
        return Err((
            StatusCode::BAD_REQUEST,
            page(*t, &t.t("placement-title"), "/placement", Some(p), body),
        )
            .into_response());
    }
    Ok((plan, assign))
}

/// "Confirm": the confirmation step, every assignment the officer is about
/// to record, with the way back to the proposal.
pub async fn confirm_step(
    State(state): State<AppState>,
    t: T,
    planner: PlacementPlanner,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (plan, assign) = match chosen_plan(&state, &t, &planner, &form).await {
        Ok(chosen) => chosen,
        Err(page) => return page,
    };
    let p = &planner.0;
    let placed: Vec<(usize, usize)> = assign
        .iter()
        .enumerate()
        .filter(|(f, _)| !plan.families[*f].expected)
        .filter_map(|(f, m)| m.map(|m| (f, m)))
        .collect();
    let today = state.today();
    let body = html! {
        h1 { (t.t("placement-confirm-title")) }
        p { (t.with("placement-confirm-intro", &[("count", placed.len().into()), ("date", today.to_string().into())])) }
        form method="post" action="/placement/confirmations" {
            input type="hidden" name="csrf" value=(p.csrf());
            @if plan.keep_room { input type="hidden" name="keep" value="1"; }
            @for (f, family) in plan.families.iter().enumerate().filter(|(_, f)| !f.expected) {
                input type="hidden" name=(field(family.case_number.as_str()))
                    value=(assign[f].map_or(UNPLACED, |m| plan.municipalities[m].code.as_str()));
            }
            div.table-scroll tabindex="0" { table {
                caption { (t.t("placement-confirm-caption")) }
                thead { tr {
                    th scope="col" { (t.t("field-case-number")) }
                    th scope="col" { (t.t("placement-persons")) }
                    th scope="col" { (t.t("placement-municipality")) }
                } }
                tbody { @for (f, m) in &placed {
                    @let family = &plan.families[*f];
                    tr {
                        th scope="row" { a href={ "/cases/" (family.case_id) } { (family.case_number) } }
                        td.num { (family.persons) }
                        td { (plan.municipalities[*m].name) }
                    }
                } }
            } }
            @let unplaced = plan.families.iter().enumerate().filter(|(f, fam)| !fam.expected && assign[*f].is_none()).count();
            @if unplaced > 0 { p { (t.with("placement-confirm-unplaced", &[("count", unplaced.into())])) } }
            div.actions {
                button type="submit" { (t.t("placement-record")) }
                button.secondary type="submit" formaction="/placement/review" { (t.t("placement-back")) }
            }
        }
    };
    page(
        t,
        &t.t("placement-confirm-title"),
        "/placement",
        Some(p),
        body,
    )
    .into_response()
}

/// "Record": each assignment becomes a transition of its case (municipality
/// and date in the history, a new version, seen by that municipality at
/// once), all together or none.
pub async fn confirm(
    State(state): State<AppState>,
    t: T,
    planner: PlacementPlanner,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (plan, assign) = match chosen_plan(&state, &t, &planner, &form).await {
        Ok(chosen) => chosen,
        Err(page) => return page,
    };
    let p = &planner.0;
    let at = state.now();
    let mut list = Vec::new();
    for (f, m) in assign.iter().enumerate() {
        let Some(m) = *m else { continue };
        let family = &plan.families[f];
        let place = &plan.municipalities[m];
        let mut case = match state.store.case(family.case_id).await {
            Ok(Some(case)) => case,
            Ok(None) => continue,
            Err(e) => return HttpProblem::from(e).into_response(),
        };
        let ctx = Context {
            occurred_on: at.date(),
            recorded_at: at,
            actor: p.name().to_string(),
            reason: None,
        };
        let action = Action::AssignHousing {
            municipality: place.name.clone(),
        };
        let mut transition = match case.apply(action, &ctx) {
            Ok(t) => t,
            Err(e) => {
                return HttpProblem::new(
                    StatusCode::CONFLICT,
                    format!("case {}: {e}", family.case_number),
                )
                .into_response();
            }
        };
        transition.seq = case.version;
        list.push(Placement {
            assignment: HousingAssignment {
                case_id: family.case_id,
                municipality: place.code.clone(),
                room: family.room,
                score: plan.problem.score(f, m).unwrap_or(0.0),
                assigned_by: p.name().to_string(),
                assigned_at: at,
            },
            audit: NewAuditEntry {
                at,
                actor: p.name().to_string(),
                action: ActionKind::AssignHousing.as_str().to_string(),
                object: format!("case {}", case.id),
                result: AuditResult::Ok,
                origin: p.origin.clone(),
            },
            case,
            transition,
        });
    }
    if let Err(e) = state.store.assign_housing(&list).await {
        return HttpProblem::from(e).into_response();
    }
    Redirect::to(&format!("/placement?confirmed={}", list.len())).into_response()
}

fn body(
    t: &T,
    csrf: &str,
    plan: &Plan,
    solution: &resettle_placement::Solution,
    assign: &[Option<usize>],
    errors: &[(String, String)],
    confirmed: Option<usize>,
) -> Markup {
    let keep = plan.keep_room;
    let explanations = explain(&plan.problem, assign, &|f, m| plan.parts(f, m));
    let adjusted = objective(&plan.problem, assign);
    let changed = assign != solution.assign.as_slice();
    let dims = DIMENSIONS.map(|d| t.t(&format!("placement-dim-{d}")));
    // Room proposed for the families on the page, and kept for those on their way.
    let mut used = vec![[0u32; 3]; plan.municipalities.len()];
    let mut kept = vec![[0u32; 3]; plan.municipalities.len()];
    for (f, m) in assign.iter().enumerate() {
        if let Some(m) = m {
            let to = if plan.families[f].expected {
                &mut kept[*m]
            } else {
                &mut used[*m]
            };
            for (u, r) in to.iter_mut().zip(plan.families[f].room) {
                *u += r;
            }
        }
    }
    let on_their_way = plan.families.iter().filter(|f| f.expected).count();
    let proposed = plan.families.len() - on_their_way;
    // Families no municipality has room for, whatever else is placed.
    let never_fit: Vec<&crate::placement::Family> = plan
        .families
        .iter()
        .filter(|f| !f.expected)
        .filter(|f| {
            !plan
                .room_left
                .iter()
                .any(|left| (0..3).all(|k| f64::from(f.room[k]) <= left[k] + 1e-9))
        })
        .collect();
    let most_room = plan.room_left.iter().map(|l| l[0]).fold(0.0_f64, f64::max);
    html! {
        h1 { (t.t("placement-title")) }
        p { (t.t("placement-intro")) }
        @if let Some(n) = confirmed {
            p.notice role="status" { (t.with("placement-confirmed", &[("count", n.into())])) }
        }
        (error_summary(&t.t("placement-errors"), errors))
        @if plan.families.is_empty() {
            p { (t.t("placement-none")) }
        } @else {
            form method="get" action="/placement" {
                div.choice {
                    input type="checkbox" id="keep" name="keep" value="1" checked[keep];
                    label for="keep" { (t.t("placement-keep-room")) }
                }
                button type="submit" { (t.t("placement-show")) }
            }
            @if keep {
                p { (t.with("placement-kept-count", &[("count", on_their_way.into())])) }
            }
            @if !never_fit.is_empty() {
                div.notice.never-fit role="note" {
                    h2 { (t.with("placement-never-fit", &[("count", never_fit.len().into())])) }
                    p { (t.with("placement-never-fit-text", &[("room", format!("{most_room:.0}").into())])) }
                    ul { @for f in &never_fit {
                        li { a href={ "/cases/" (f.case_id) } { (f.case_number) } " · " (t.with("placement-never-fit-family", &[("persons", f.persons.into()), ("children", f.children.into())])) }
                    } }
                }
            }
            // Figures only when the proposal places someone: a bound over
            // families that fit nowhere says nothing.
            @if proposed > 0 && solution.assign.iter().all(Option::is_none) {
                p { (t.t("placement-nothing-fits")) }
            }
            @if proposed > 0 && solution.assign.iter().any(Option::is_some) { dl.figures {
                dt { (t.t("placement-objective")) } dd { (figure(solution.objective)) }
                dt { (t.t("placement-bound")) } dd { (figure(solution.upper_bound)) " " (t.with("placement-gap", &[("gap", format!("{:.2}", gap(solution.objective, solution.upper_bound)).into())])) }
                @if changed {
                    dt { (t.t("placement-adjusted")) } dd { (figure(adjusted)) " (" (format!("{:+.3}", adjusted - solution.objective + 0.0)) ")" }
                }
            } }
            form method="post" action="/placement/review" {
                input type="hidden" name="csrf" value=(csrf);
                @if keep { input type="hidden" name="keep" value="1"; }
                div.table-scroll tabindex="0" { table {
                    caption { (t.with("placement-families", &[("count", proposed.into())])) }
                    thead { tr {
                        th scope="col" { (t.t("field-case-number")) }
                        th scope="col" { (t.t("placement-persons")) }
                        th scope="col" { (t.t("placement-children")) }
                        th scope="col" { (t.t("placement-municipality")) }
                        th scope="col" { (t.t("placement-score")) }
                        th scope="col" { (t.t("placement-why")) }
                    } }
                    tbody { @for (f, family) in plan.families.iter().enumerate().filter(|(_, f)| !f.expected) {
                        @let e = &explanations[f];
                        @let name = field(family.case_number.as_str());
                        tr {
                            th scope="row" { a href={ "/cases/" (family.case_id) } { (family.case_number) } }
                            td.num { (family.persons) }
                            td.num { (family.children) }
                            td {
                                label.visually-hidden for=(name) { (t.with("placement-choose", &[("case", family.case_number.to_string().into())])) }
                                select id=(name) name=(name) {
                                    option value=(UNPLACED) selected[assign[f].is_none()] { (t.t("placement-unplaced")) }
                                    @for (m, place) in plan.municipalities.iter().enumerate() {
                                        option value=(place.code) selected[assign[f] == Some(m)] { (place.name) }
                                    }
                                }
                            }
                            td.num { (e.score.map(|s| crate::format::decimal(t.0, s, 3)).unwrap_or_default()) }
                            td.why {
                                @if let Some(rank) = e.rank { (t.with("placement-rank", &[("rank", rank.into()), ("of", e.allowed.into())])) " " }
                                @if !e.full_dimensions.is_empty() {
                                    (t.with("placement-full", &[("dimensions", e.full_dimensions.iter().map(|d| t.t(&format!("placement-dim-{d}"))).collect::<Vec<_>>().join(", ").into())])) " "
                                }
                                @if let Some(alt) = &e.next_best {
                                    @let place = plan.municipalities.iter().find(|m| m.code == alt.municipality).map_or(alt.municipality.as_str(), |m| m.name.as_str());
                                    (t.with("placement-next", &[("municipality", place.to_string().into()), ("difference", format!("{:+.3}", alt.difference).into())])) " "
                                    (match &alt.why_not {
                                        WhyNot::LowerScore => t.t("placement-why-lower"),
                                        WhyNot::NoRoom { dimensions } => t.with("placement-why-room", &[("dimensions", dimensions.iter().map(|d| t.t(&format!("placement-dim-{d}"))).collect::<Vec<_>>().join(", ").into())]),
                                        WhyNot::ChangedByHand => t.t("placement-why-hand"),
                                    })
                                }
                                @if !e.score_parts.is_empty() {
                                    details { summary { (t.t("placement-parts")) }
                                        ul { @for part in &e.score_parts { li { (part_label(*t, &part.name)) ": " (signed(*t, part.value)) } } }
                                    }
                                }
                            }
                        }
                    } }
                } }
                div.actions {
                    button type="submit" { (t.t("placement-recalculate")) }
                    button type="submit" formaction="/placement/confirm" { (t.t("placement-confirm")) }
                }
            }
        }
        div.table-scroll tabindex="0" { table {
            caption { (t.t("placement-municipalities")) }
            thead { tr {
                th scope="col" { (t.t("placement-municipality")) }
                th scope="col" { (t.t("placement-partner")) }
                @for d in &dims { th scope="col" { (d) " " (t.t("placement-used-of-room")) } }
                @if keep { th scope="col" { (t.t("placement-kept")) } }
            } }
            tbody { @for (m, place) in plan.municipalities.iter().enumerate() { tr {
                th scope="row" { (place.name) " (" (place.code) ")" }
                td { (if place.partner { t.t("yes") } else { t.t("no") }) }
                @for k in 0..3 { td.num { (used[m][k]) " / " (plan.room_left[m][k]) } }
                @if keep { td.num { (kept[m].iter().map(u32::to_string).collect::<Vec<_>>().join(" / ")) } }
            } } }
        } }
    }
}

/// A score to three decimals, never "-0.000".
fn figure(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

/// How far the proposal may lie below the best possible, in percent: 0
/// when the bound is reached (within rounding), at most 100.
fn gap(objective: f64, bound: f64) -> f64 {
    if (bound - objective).abs() < 1e-6 || bound.abs() < 1e-9 {
        0.0
    } else {
        ((bound - objective) / bound.abs() * 100.0).clamp(0.0, 100.0)
    }
}

/// A part of a score in words: the model file names its terms in English
/// ("working-age adults × jobs"); the translations have them by that name
/// in kebab case (`placement-term-working-age-adults-jobs`). A term a newer
/// model adds shows by its name until it is translated.
fn part_label(t: T, name: &str) -> String {
    let slug = name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    t.lookup(&format!("placement-term-{slug}"))
        .unwrap_or_else(|| name.to_string())
}

/// A score part with its sign, as the language writes decimals: "+0,350".
fn signed(t: T, value: f64) -> String {
    let sign = if value >= 0.0 { "+" } else { "" };
    format!("{sign}{}", crate::format::decimal(t.0, value, 3))
}
