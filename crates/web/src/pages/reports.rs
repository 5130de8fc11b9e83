//! The ledger's reports as pages: an SVG chart with a table alternative, file
//! downloads, a printable framework report for Parliament, and the policy.

use super::i18n::T;
use super::layout::{error_summary, page};
use super::refusals;
use crate::api::reports::{ReportParams, build, file, save};
use crate::auth::{PolicyAdmin, PolicyReader, ReportReader, audit};
use crate::problem::Problem;
use crate::reports::chart::{Group, bars};
use crate::reports::render::{self, Table};
use crate::reports::{Report, ReportName};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::audit::AuditResult;
use resettle_domain::ledger::{FrameworkLine, round_to_tens};
use resettle_domain::policy::PolicySet;
use resettle_domain::rule::{FieldProblem, Rule};
use serde::Deserialize;

fn table(t: T, tb: &Table, round: bool) -> Markup {
    html! {
        div.table-scroll tabindex="0" { table {
            caption { (tb.title) }
            thead { tr { @for h in &tb.headers { th scope="col" { (h) } } } }
            tbody { @for r in &tb.rows { tr {
                @for (i, c) in r.iter().enumerate() {
                    @let text = c.show_for(round, t.0);
                    @if i == 0 { th scope="row" { (text) } }
                    @else if c.is_number() { td.num { (text) } }
                    // A note or a reason wraps rather than widen the table.
                    @else if text.chars().count() > 40 { td.why { (text) } }
                    @else { td { (text) } }
                }
            } } }
        } }
    }
}

fn chart(t: T, report: &Report, round: bool) -> Markup {
    let r = |n: u64| if round { round_to_tens(n) } else { n };
    let groups: Vec<Group> = match report {
        Report::Frameworks(f) => f
            .frameworks
            .iter()
            .map(|l| Group {
                label: l.id.clone(),
                bars: vec![
                    (t.t("report-counted"), r(l.counted_total)),
                    (t.t("report-commitment"), r(l.adjusted_commitment)),
                ],
            })
            .collect(),
        Report::Eu(e) => e
            .programmes
            .iter()
            .flat_map(|p| p.pledges.iter().map(move |l| (p.id.clone(), l)))
            .map(|(id, l)| Group {
                label: format!("{id} {}", t.term("programme", l.programme.as_str())),
                bars: vec![
                    (t.t("report-realised"), r(l.realised)),
                    (t.t("report-pledged"), r(l.pledged)),
                ],
            })
            .collect(),
        Report::Composition(c) => c
            .frameworks
            .iter()
            .map(|f| Group {
                label: f.framework.clone(),
                bars: f
                    .by_nationality
                    .iter()
                    .take(4)
                    .map(|n| {
                        (
                            render::composition_value(t, "nationality", &n.key),
                            r(n.persons),
                        )
                    })
                    .collect(),
            })
            .collect(),
        Report::Allocation(a) => a
            .plans
            .iter()
            .flat_map(|p| p.lines.iter().map(move |l| (p.year, l)))
            .map(|(year, l)| Group {
                label: format!("{year} {}", render::plan_key(t, &l.key)),
                bars: vec![
                    (t.t("report-selected"), r(l.selected)),
                    (t.t("report-planned"), r(l.planned)),
                ],
            })
            .collect(),
    };
    bars("report-chart", &t.t("report-chart-title"), &groups, t.0)
}

pub async fn index(t: T, reader: ReportReader) -> Response {
    let body = html! {
        h1 { (t.t("reports-title")) }
        p { (t.t("reports-intro")) }
        ul {
            @for name in ReportName::ALL {
                li { a href={ "/reports/" (name.as_str()) } { (t.t(&format!("report-{}", name.as_str()))) } }
            }
            li { a href="/reports/frameworks/print" { (t.t("report-print")) } }
            // COA reads reports but not the policy file.
            @if reader.0.allows(resettle_domain::Permission::ReadPolicy) {
                li { a href="/policy" { (t.t("nav-policy")) } }
            }
        }
    };
    page(t, &t.t("reports-title"), "/reports", Some(&reader.0), body).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    t: T,
    reader: ReportReader,
    Path(name): Path<String>,
    Query(params): Query<ReportParams>,
) -> Result<Response, Response> {
    let p = &reader.0;
    let Ok(report_name) = ReportName::parse(&name) else {
        return Err(super::not_found_page(t, Some(p)));
    };
    let report = build(&state, report_name)
        .await
        .map_err(IntoResponse::into_response)?;
    let round = params.round_to_tens;
    if let Some(format) = params.format.as_deref().filter(|f| *f != "html") {
        audit(
            &state,
            p.name(),
            "export-report",
            &format!("report {name} ({format})"),
            AuditResult::Ok,
            &p.origin,
        )
        .await;
        return file(&report, &name, format, round, params.lang(t))
            .map_err(IntoResponse::into_response);
    }
    audit(
        &state,
        p.name(),
        "read-report",
        &format!("report {name}"),
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    let pending = match report_name {
        ReportName::Frameworks => Some(
            pending(&state, t)
                .await
                .map_err(IntoResponse::into_response)?,
        ),
        _ => None,
    };
    let title = t.t(&format!("report-{name}"));
    let q = if round { "&roundToTens=true" } else { "" };
    let body = html! {
        h1 { (title) }
        p { (t.t(&format!("report-{name}-intro"))) }
        p {
            @if round { a href={ "/reports/" (name) } { (t.t("report-exact")) } }
            @else { a href={ "/reports/" (name) "?roundToTens=true" } { (t.t("report-rounded")) } }
            @let lang = t.0.code();
            " · " a href={ "/reports/" (name) "?format=csv&lang=" (lang) (q) } { "CSV" }
            " · " a href={ "/reports/" (name) "?format=xlsx&lang=" (lang) (q) } { "XLSX" }
            " · " a href={ "/reports/" (name) "?format=md&lang=" (lang) (q) } { "Markdown" }
            " · " a href={ "/api/v1/reports/" (name) } { "JSON (API)" }
        }
        (chart(t, &report, round))
        p.hint { (t.t("report-table-alternative")) }
        @for tb in render::tables(&report, t) { (table(t, &tb, round)) }
        @if let Some(p) = pending { (p) }
    };
    Ok(page(t, &title, &format!("/reports/{name}"), Some(p), body).into_response())
}

/// The family-reunification applications still open today, beside the
/// arrivals the frameworks count: numbers only, so every reader of the
/// reports may see them.
async fn pending(state: &AppState, t: T) -> Result<Markup, Problem> {
    use resettle_domain::reunification::pending_applications;
    let filter = resettle_store::ApplicationFilter {
        scope: resettle_domain::CaseScope::All,
        pending: None,
        sponsor_case: None,
    };
    let applications = crate::api::reunification::applications(state, &filter).await?;
    let policy = crate::api::reunification::policy(state).await?;
    let today = state.today();
    let p = pending_applications(&applications, &policy, today);
    let rows = [
        ("report-pending-applications", p.applications),
        ("report-pending-awaiting-decision", p.awaiting_decision),
        ("report-pending-granted", p.granted),
        ("report-pending-travelling", p.travelling),
        ("report-pending-late", p.late),
        ("report-pending-overdue", p.overdue_norms),
    ];
    Ok(html! {
        section aria-labelledby="report-pending" {
            h2 #report-pending { (t.with("report-pending-title", &[("date", t.date(today).into())])) }
            p { (t.t("report-pending-intro")) }
            div.table-scroll tabindex="0" { table {
                caption.visually-hidden { (t.with("report-pending-title", &[("date", t.date(today).into())])) }
                tbody { @for (key, n) in rows { tr { th scope="row" { (t.t(key)) } td.num { (t.n(n)) } } } }
            } }
        }
    })
}

/// The sentences that state a framework's figures, for a letter to Parliament,
/// right for each state of the framework on `today`: not begun, running
/// (a shortfall is what remains, not a miss), ended met or not; with or
/// without deductions.
fn sentences(t: T, f: &FrameworkLine, today: time::Date) -> Vec<String> {
    let r = round_to_tens;
    let years: Vec<String> = f
        .years
        .iter()
        .map(|y| format!("{} ({})", t.n(r(y.counted_national)), y.year))
        .collect();
    let mut s = vec![if f.counted_total == 0 {
        t.with("print-no-arrivals", &[("framework", f.id.clone().into())])
    } else {
        t.with(
            "print-arrivals",
            &[
                ("framework", f.id.clone().into()),
                ("total", r(f.counted_total).into()),
                ("years", years.join(", ").into()),
            ],
        )
    }];
    let deducted: u64 = f.deductions.iter().map(|d| d.places).sum();
    s.push(if deducted == 0 {
        t.with(
            "print-commitment-plain",
            &[("commitment", f.commitment.into())],
        )
    } else {
        let reasons: Vec<&str> = f
            .deductions
            .iter()
            .map(|d| t.policy(&d.reason, &d.reason_en))
            .collect();
        t.with(
            "print-commitment",
            &[
                ("commitment", f.commitment.into()),
                ("deducted", deducted.into()),
                ("adjusted", f.adjusted_commitment.into()),
                ("reasons", reasons.join("; ").into()),
            ],
        )
    });
    let long = |d| crate::format::date_long(t.0, d);
    let (start, end) = (long(f.start), long(f.end));
    s.push(if today < f.start {
        t.with("print-not-begun", &[("start", start.into())])
    } else if today <= f.end {
        if f.met {
            t.with("print-met-early", &[("end", end.into())])
        } else {
            t.with(
                "print-running",
                &[("end", end.into()), ("shortfall", r(f.shortfall).into())],
            )
        }
    } else if f.met {
        t.t("print-met")
    } else {
        t.with("print-not-met", &[("shortfall", r(f.shortfall).into())])
    });
    if let Some(to) = &f.carried_out_to {
        s.push(t.with(
            "print-carried",
            &[("excess", r(f.excess).into()), ("to", to.clone().into())],
        ));
    }
    if f.carried_in > 0 {
        s.push(t.with("print-carried-in", &[("excess", r(f.carried_in).into())]));
    }
    s
}

pub async fn print(
    State(state): State<AppState>,
    t: T,
    reader: ReportReader,
) -> Result<Response, Response> {
    let p = &reader.0;
    let Report::Frameworks(report) = build(&state, ReportName::Frameworks)
        .await
        .map_err(IntoResponse::into_response)?
    else {
        return Err(
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "unexpected report").into_response(),
        );
    };
    audit(
        &state,
        p.name(),
        "export-report",
        "report frameworks (print)",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    let tables = render::tables(&Report::Frameworks(report.clone()), t);
    let today = state.today();
    let version = state
        .store
        .policy()
        .await
        .map_err(|e| Problem::from(e).into_response())?
        .map(|v| v.version);
    let body = html! {
        article.print {
            h1 { (t.t("print-title")) }
            p.print-stand {
                (t.with("print-as-of", &[
                    ("date", crate::format::date_long(t.0, today).into()),
                    ("version", version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()).into()),
                ]))
            }
            p.hint { (t.t("print-rounded")) }
            @for f in &report.frameworks {
                section {
                    h2 { (t.policy(&f.name, &f.name_en)) }
                    @for s in sentences(t, f, today) { p { (s) } }
                }
            }
            @for tb in &tables { (table(t, tb, true)) }
        }
    };
    Ok(page(
        t,
        &t.t("print-title"),
        "/reports/frameworks/print",
        Some(p),
        body,
    )
    .into_response())
}

fn policy_page(
    t: T,
    who: &crate::auth::Principal,
    current: Option<&resettle_store::policy::PolicyVersion>,
    versions: &[resettle_store::policy::PolicyVersion],
    errors: &[(String, String)],
    draft: Option<&str>,
) -> Markup {
    let may_change = who.allows(resettle_domain::Permission::ManagePolicy);
    html! {
        h1 { (t.t("nav-policy")) }
        (error_summary(&t.t("policy-errors"), errors))
        @match current {
            None => p { (t.t("policy-none")) },
            Some(v) => {
                p { (t.with("policy-version", &[("version", v.version.into()), ("by", v.changed_by.clone().into()), ("at", t.date(v.changed_at.date()).into()), ("reason", v.reason.clone().into())])) }
                div.table-scroll tabindex="0" { table {
                    caption { (t.t("policy-frameworks")) }
                    thead { tr { th scope="col" { (t.t("col-framework")) } th scope="col" { (t.t("policy-period")) } th scope="col" { (t.t("report-commitment")) } th scope="col" { (t.t("policy-deductions")) } } }
                    tbody { @for f in &v.document.frameworks { tr {
                        th scope="row" { (f.id) }
                        td { (t.date(f.start)) " – " (t.date(f.end)) }
                        td.num { (t.n(f.commitment)) }
                        td { @for d in &f.deductions { (t.n(d.places)) " (" (t.policy(&d.reason, &d.reason_en)) ")" br; } }
                    } } }
                } }
                @for q in &v.document.quota_changes {
                    p { (t.with("policy-quota", &[("from", t.date(q.effective_from).into()), ("places", q.places_per_year.into()), ("reason", t.policy(&q.reason, &q.reason_en).into())])) }
                }
                @for s in &v.document.suspensions {
                    p { (t.with("policy-suspension", &[("programme", t.term("programme", s.programme.as_str()).into()), ("from", t.date(s.from).into()), ("until", s.until.map(|u| t.date(u)).unwrap_or_default().into()), ("reason", t.policy(&s.reason, &s.reason_en).into())])) }
                }
            }
        }
        h2 { (t.t("policy-history")) }
        ol { @for v in versions { li { "v" (v.version) " · " (t.date(v.changed_at.date())) " · " (v.changed_by) " · " (v.reason) } } }
        @if may_change {
            h2 { (t.t("policy-change")) }
            form method="post" action="/policy" {
                input type="hidden" name="csrf" value=(who.csrf());
                input type="hidden" name="expectedVersion" value=(current.map(|v| v.version.to_string()).unwrap_or_default());
                div.field {
                    label for="policy-document" { (t.t("policy-document")) }
                    textarea #policy-document name="document" rows="20" cols="80" {
                        (draft.map(str::to_string).or_else(|| current.and_then(|v| serde_json::to_string_pretty(&v.document).ok())).unwrap_or_default())
                    }
                }
                div.field {
                    label for="policy-reason" { (t.t("policy-reason")) }
                    input #policy-reason name="reason" type="text";
                }
                button type="submit" { (t.t("policy-save")) }
            }
        }
    }
}

pub async fn policy(
    State(state): State<AppState>,
    t: T,
    reader: PolicyReader,
) -> Result<Response, Problem> {
    let current = state.store.policy().await?;
    let versions = state.store.policy_versions().await?;
    let body = policy_page(t, &reader.0, current.as_ref(), &versions, &[], None);
    Ok(page(t, &t.t("nav-policy"), "/policy", Some(&reader.0), body).into_response())
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(rename = "expectedVersion", default)]
    expected_version: String,
    document: String,
    #[serde(default)]
    reason: String,
}

pub async fn change_policy(
    State(state): State<AppState>,
    t: T,
    admin: PolicyAdmin,
    Form(f): Form<PolicyForm>,
) -> Result<Response, Problem> {
    let p = &admin.0;
    let expected = f.expected_version.trim().parse::<i64>().ok();
    let outcome = match serde_json::from_str::<PolicySet>(&f.document) {
        Ok(doc) => save(&state, p, &doc, expected, &f.reason).await.map(|_| ()),
        Err(e) => Err(Problem::bad_request(
            e.to_string(),
            vec![
                FieldProblem::new("document", Rule::PolicyJson, e.to_string())
                    .with("line", e.line())
                    .with("column", e.column())
                    .with("detail", e)
                    .into(),
            ],
        )),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/policy").into_response()),
        Err(problem) => {
            let status = problem.status();
            let mut errors: Vec<(String, String)> = problem
                .errors
                .iter()
                .map(|e| match e.field.as_str() {
                    "reason" => ("policy-reason".to_string(), refusals::field(&t, e)),
                    "document" => ("policy-document".to_string(), refusals::field(&t, e)),
                    // Where in the document, by its path, then why.
                    path => (
                        "policy-document".to_string(),
                        format!("{path}: {}", refusals::field(&t, e)),
                    ),
                })
                .collect();
            if errors.is_empty() {
                errors.push(("policy-document".into(), refusals::whole(&t, &problem)));
            }
            let current = state.store.policy().await?;
            let versions = state.store.policy_versions().await?;
            let body = policy_page(
                t,
                p,
                current.as_ref(),
                &versions,
                &errors,
                Some(&f.document),
            );
            Ok((
                status,
                page(t, &t.t("nav-policy"), "/policy", Some(p), body),
            )
                .into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;
    use resettle_domain::ledger::DeductionLine;
    use resettle_domain::policy::FrameworkKind;
    use time::macros::date;

    /// A framework for 2026-2027 with a commitment of 500.
    fn framework(counted: u64, deducted: u64) -> FrameworkLine {
        let adjusted = 500 - deducted;
        FrameworkLine {
            id: "2026-2027".into(),
            name: "Hervestiging 2026-2027".into(),
            name_en: None,
            kind: FrameworkKind::MultiYear,
            start: date!(2026 - 01 - 01),
            end: date!(2027 - 12 - 31),
            commitment: 500,
            deductions: (deducted > 0)
                .then(|| DeductionLine {
                    places: deducted,
                    reason: "Oekraïne".into(),
                    reason_en: None,
                })
                .into_iter()
                .collect(),
            adjusted_commitment: adjusted,
            quota_per_year: None,
            quota_until_further_notice: false,
            carried_in: 0,
            years: vec![],
            attributed: counted,
            counted_total: counted,
            excess: counted.saturating_sub(adjusted),
            shortfall: adjusted.saturating_sub(counted),
            met: counted >= adjusted,
            carried_out_to: None,
        }
    }

    fn said(f: &FrameworkLine, today: time::Date) -> String {
        sentences(T(Lang::Nl), f, today).join(" ")
    }

    #[test]
    fn a_running_framework_is_not_called_missed() {
        let s = said(&framework(120, 0), date!(2026 - 12 - 07));
        assert!(s.contains("loopt nog tot en met 31 december 2027"), "{s}");
        assert!(s.contains("resteren nog 380 plaatsen"), "{s}");
        assert!(!s.contains("niet gehaald"), "{s}");
        // No deduction: no "lowered by 0".
        assert!(s.contains("De toezegging is 500 plaatsen."), "{s}");
        assert!(!s.contains("verlaagd"), "{s}");
    }

    #[test]
    fn each_state_of_a_framework_has_its_own_sentence() {
        let s = said(&framework(120, 0), date!(2028 - 01 - 01));
        assert!(
            s.contains("niet gehaald: 380 plaatsen zijn niet benut"),
            "{s}"
        );
        let s = said(&framework(500, 0), date!(2027 - 06 - 01));
        assert!(s.contains("al gehaald"), "{s}");
        let s = said(&framework(500, 0), date!(2028 - 01 - 01));
        assert!(s.contains("De toezegging is gehaald."), "{s}");
        let s = said(&framework(0, 0), date!(2025 - 06 - 01));
        assert!(s.contains("begint op 1 januari 2026"), "{s}");
        assert!(s.contains("nog geen aankomsten"), "{s}");
        let s = said(&framework(120, 100), date!(2028 - 01 - 01));
        assert!(
            s.contains("500 plaatsen is met 100 verlaagd tot 400 (Oekraïne)"),
            "{s}"
        );
        let en = sentences(T(Lang::En), &framework(120, 0), date!(2026 - 12 - 07)).join(" ");
        assert!(
            en.contains("runs until 31 December 2027 inclusive; 380 places remain"),
            "{en}"
        );
    }
}
