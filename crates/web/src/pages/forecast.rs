//! The forecast page: a fan chart of arrivals per month, the chance that each
//! commitment is met, and scenarios as plain form fields.

use super::i18n::T;
use super::layout::{error_summary, page};
use super::refusals;
use crate::api::forecast::{ForecastRequest, MAX_RUNS, run};
use crate::auth::{ReportReader, audit};
use crate::format;
use crate::reports::chart::fan;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use resettle_domain::CountryCode;
use resettle_domain::audit::AuditResult;
use resettle_domain::forecast::{Basis, Pause, RelativesForecast, Scenario};
use resettle_domain::rule::{self, ValueError};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForecastQuery {
    runs: Option<String>,
    seed: Option<String>,
    /// Host countries whose missions are cancelled, e.g. `EGY,LBN`.
    cancel: Option<String>,
    pause_from: Option<String>,
    pause_months: Option<String>,
    bring_forward: Option<String>,
}

fn codes(
    t: &T,
    raw: &Option<String>,
    field: &str,
    errors: &mut Vec<(String, String)>,
) -> Vec<CountryCode> {
    raw.as_deref()
        .unwrap_or("")
        .split([',', ' '])
        .filter(|c| !c.trim().is_empty())
        .filter_map(|c| {
            CountryCode::parse(c)
                .map_err(|e| {
                    errors.push((field.to_string(), refusals::field(t, &e.at(field).into())))
                })
                .ok()
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    t: T,
    reader: ReportReader,
    Query(q): Query<ForecastQuery>,
) -> Response {
    let p = &reader.0;
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut number = |raw: &Option<String>, field: &str, min: i64, max: i64| {
        let v = raw.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        rule::whole_number(v, min, max)
            .map_err(|e| errors.push((field.to_string(), refusals::field(&t, &e.at(field).into()))))
            .ok()
    };
    let runs = number(&q.runs, "forecast-runs", 1, MAX_RUNS.into()).map(|r| r as u32);
    let seed = number(&q.seed, "forecast-seed", 0, i64::MAX).map(|s| s as u64);
    let pause_months = number(&q.pause_months, "forecast-pauseMonths", 1, 60);
    let pause_from = q
        .pause_from
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| {
            refusals::date(&t, v)
                .map_err(|e| errors.push(("forecast-pauseFrom".into(), e)))
                .ok()
        });
    let scenario = Scenario {
        cancel_missions: codes(&t, &q.cancel, "forecast-cancel", &mut errors),
        pause: pause_from.map(|from| Pause {
            from,
            months: pause_months.unwrap_or(3) as u32,
        }),
        commitments: vec![],
        bring_forward: codes(&t, &q.bring_forward, "forecast-bringForward", &mut errors),
    };
    let what_if = scenario != Scenario::default();
    let cancelled = scenario.cancel_missions.clone();
    let request = ForecastRequest {
        runs,
        seed,
        horizon_months: Some(24),
        scenario,
    };
    audit(
        &state,
        p.name(),
        "forecast",
        "forecast",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    let result = if errors.is_empty() {
        Some(run(&state, &request).await)
    } else {
        None
    };
    // A scenario is read against the baseline: the same futures without it.
    let baseline = match &result {
        Some(Ok(f)) if what_if => run(
            &state,
            &ForecastRequest {
                runs: Some(f.runs),
                seed: Some(f.seed),
                horizon_months: Some(24),
                scenario: Scenario::default(),
            },
        )
        .await
        .ok(),
        _ => None,
    };
    // Why cancelling changes nothing: no mission still to come in that country.
    let missions = state.store.missions().await.unwrap_or_default();
    let no_mission: Vec<String> = cancelled
        .iter()
        .filter(|c| {
            !missions.iter().any(|m| {
                m.host_country.as_ref() == Some(*c)
                    && matches!(
                        m.status,
                        resettle_domain::mission::MissionStatus::Planned
                            | resettle_domain::mission::MissionStatus::Confirmed
                            | resettle_domain::mission::MissionStatus::Postponed
                    )
            })
        })
        .map(|c| c.to_string())
        .collect();
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        h1 { (t.t("forecast-title")) }
        p { (t.t("forecast-intro")) }
        (error_summary(&t.t("forecast-errors"), &errors))
        form.filters method="get" action="/forecast" {
            div.filter-grid {
                @for (name, label, v) in [
                    ("cancel", "forecast-cancel", value(&q.cancel)),
                    ("pauseFrom", "forecast-pause-from", value(&q.pause_from)),
                    ("pauseMonths", "forecast-pause-months", value(&q.pause_months)),
                    ("bringForward", "forecast-bring-forward", value(&q.bring_forward)),
                    ("runs", "forecast-runs", value(&q.runs)),
                    ("seed", "forecast-seed", value(&q.seed)),
                ] {
                    div.field {
                        label for={ "forecast-" (name) } { (t.t(label)) }
                        input id={ "forecast-" (name) } name=(name) type="text" value=(v);
                    }
                }
            }
            button type="submit" { (t.t("forecast-run")) }
        }
        @match &result {
            Some(Ok(f)) => {
                p.hint { (t.with("forecast-meta", &[("runs", f.runs.into()), ("seed", f.seed.to_string().into()), ("asOf", t.date(f.as_of).into())])) }
                @if let Some(b) = &baseline {
                    div.table-scroll tabindex="0" { table #forecast-compare {
                        caption { (t.t("forecast-compare")) }
                        thead { tr {
                            th scope="col" { (t.t("forecast-framework")) }
                            th scope="col" { (t.t("forecast-baseline")) " p50" }
                            th scope="col" { (t.t("forecast-scenario")) " p50" }
                            th scope="col" { (t.t("forecast-difference")) }
                            th scope="col" { (t.t("forecast-baseline")) ": " (t.t("forecast-probability")) }
                            th scope="col" { (t.t("forecast-scenario")) ": " (t.t("forecast-probability")) }
                        } }
                        tbody { @for (fw, base) in f.frameworks.iter().filter_map(|fw| b.frameworks.iter().find(|x| x.id == fw.id).map(|x| (fw, x))) { tr {
                            th scope="row" { (fw.id) }
                            td.num { (t.n(base.total.p50)) }
                            td.num { (t.n(fw.total.p50)) }
                            td.num { (signed_n(t, fw.total.p50 as i64 - base.total.p50 as i64)) }
                            td.num { (format::percent(t.0, base.probability_met * 100.0, 0)) }
                            td.num { (format::percent(t.0, fw.probability_met * 100.0, 0)) }
                        } } }
                    } }
                    @if !no_mission.is_empty() {
                        p.notice { (t.with("forecast-no-mission", &[("countries", no_mission.join(", ").into())])) }
                    }
                }
                div.table-scroll tabindex="0" { table {
                    caption { (t.t("forecast-commitments")) }
                    thead { tr {
                        th scope="col" { (t.t("forecast-framework")) }
                        th scope="col" { (t.t("report-commitment")) }
                        th scope="col" { (t.t("forecast-counted")) }
                        th scope="col" { "p10" } th scope="col" { "p50" } th scope="col" { "p90" }
                        th scope="col" { (t.t("forecast-probability")) }
                        th scope="col" { (t.t("forecast-excess")) }
                        th scope="col" { (t.t("forecast-shortfall")) }
                        th scope="col" { (t.t("forecast-relatives")) }
                        th scope="col" { (t.t("forecast-note")) }
                    } }
                    tbody { @for fw in &f.frameworks { tr {
                        th scope="row" { (fw.id) }
                        td.num { (t.n(fw.adjusted_commitment)) }
                        td.num { (t.n(fw.counted_so_far)) }
                        td.num { (t.n(fw.total.p10)) } td.num { (t.n(fw.total.p50)) } td.num { (t.n(fw.total.p90)) }
                        td.num { (format::percent(t.0, fw.probability_met * 100.0, 0)) }
                        td.num { (format::decimal(t.0, fw.expected_excess, 0)) }
                        td.num { (format::decimal(t.0, fw.expected_shortfall, 0)) }
                        td.num { (t.n(fw.expected_relatives.p50)) }
                        // A framework no future brings anyone to: say why instead of a bare 0%.
                        td { @if fw.total.p90 == fw.counted_so_far && fw.counted_so_far == 0 { (t.t("forecast-no-intake")) } }
                    } } }
                } }
                @if let Some(r) = &f.relatives { (relatives(t, r)) }
                @let points: Vec<(String, u64, u64, u64)> = f.months.iter().map(|m| (format!("{}-{:02}", m.month.year(), m.month.month() as u8), m.arrivals.p10, m.arrivals.p50, m.arrivals.p90)).collect();
                (fan("forecast-chart", &t.t("forecast-chart-title"), &points, t.0))
                div.table-scroll tabindex="0" { table {
                    caption { (t.t("forecast-months")) }
                    thead { tr { th scope="col" { (t.t("forecast-month")) } th scope="col" { "p10" } th scope="col" { "p50" } th scope="col" { "p90" } } }
                    tbody { @for (m, a, b, c) in &points { tr { th scope="row" { (m) } td.num { (t.n(*a)) } td.num { (t.n(*b)) } td.num { (t.n(*c)) } } } }
                } }
            },
            Some(Err(problem)) if problem.status() == StatusCode::CONFLICT => p.field-error { (t.t("forecast-no-policy")) },
            Some(Err(problem)) => p.field-error { (super::refusals::whole(&t, problem)) },
            None => {},
        }
    };
    page(t, &t.t("forecast-title"), "/forecast", Some(p), body).into_response()
}

/// The relatives left behind who are expected to come later, and what the
/// odds of their coming are learnt from.
fn relatives(t: T, r: &RelativesForecast) -> maud::Markup {
    let basis = |b: Basis| match b {
        Basis::Data => t.t("forecast-basis-data"),
        Basis::Prior => t.t("forecast-basis-prior"),
    };
    html! {
        div.table-scroll tabindex="0" { table #forecast-relatives {
            caption { (t.t("forecast-relatives-title")) }
            thead { tr {
                th scope="col" { (t.t("forecast-relatives-group")) }
                th scope="col" { (t.t("forecast-relatives-awaited")) }
                th scope="col" { (t.t("forecast-relatives-chance")) }
                th scope="col" { (t.t("forecast-relatives-learnt")) }
            } }
            tbody {
                @for (label, awaited, odds) in [
                    ("forecast-relatives-expected", r.awaited_expected_to_apply, &r.expected_to_apply),
                    ("forecast-relatives-not-expected", r.awaited_not_expected_to_apply, &r.not_expected_to_apply),
                ] { tr {
                    th scope="row" { (t.t(label)) }
                    td.num { (t.n(awaited)) }
                    td.num { (format::percent(t.0, odds.probability * 100.0, 0)) }
                    td { (basis(odds.basis)) ": " (t.with("forecast-relatives-from", &[
                        ("sponsors", t.n(odds.sponsors).into()),
                        ("relatives", t.n(odds.relatives).into()),
                        ("arrived", t.n(odds.arrived).into()),
                    ])) }
                } }
            }
        } }
        p.hint { (t.t("forecast-relatives-intro")) " "
            (t.with("forecast-relatives-delay", &[
                ("months", t.n(r.median_delay_months).into()),
                ("basis", basis(r.delay_basis).into()),
                ("arrivals", t.n(r.delays_seen).into()),
            ])) " "
            (t.with("forecast-relatives-horizon", &[
                ("p10", t.n(r.within_horizon.p10).into()),
                ("p50", t.n(r.within_horizon.p50).into()),
                ("p90", t.n(r.within_horizon.p90).into()),
            ])) }
    }
}

/// A difference with its sign, grouped as the language groups: "+1.208".
fn signed_n(t: T, n: i64) -> String {
    if n > 0 {
        format!("+{}", t.n(n))
    } else {
        t.n(n)
    }
}
