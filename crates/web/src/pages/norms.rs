//! The norms dashboard page for IND and COA officers (and, within their scope,
//! UNHCR, municipalities and organisations).

use super::i18n::T;
use super::layout::{error_summary, page};
use super::refusals;
use crate::api::norms::{NormParams, build, respond};
use crate::auth::CaseReader;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use resettle_domain::norms::{Norm, NormStatus};

pub(super) fn status_word(t: T, s: NormStatus) -> String {
    t.t(crate::norms::status_key(s))
}

pub(super) fn norm_word(t: T, n: Norm) -> String {
    t.t(crate::norms::norm_key(n))
}

pub async fn show(
    State(state): State<AppState>,
    t: T,
    reader: CaseReader,
    Query(q): Query<NormParams>,
) -> Response {
    let p = reader.principal.clone();
    if q.format.as_deref().is_some_and(|f| f != "html") {
        return match build(&state, &reader, &q).await {
            Ok(d) => respond(&state, &p, d, q.format.as_deref(), q.lang(t))
                .await
                .into_response(),
            Err(problem) => problem.into_response(),
        };
    }
    let result = build(&state, &reader, &q).await;
    let missions = state.store.missions().await.unwrap_or_default();
    let may_open_missions = p.allows(resettle_domain::Permission::ReadMissions);
    let mission_name = |id: &Option<resettle_domain::MissionId>| match id {
        Some(id) => missions
            .iter()
            .find(|m| m.id == *id)
            .map_or_else(|| id.to_string(), |m| super::missions::mission_title(t, m)),
        None => t.t("norms-no-mission"),
    };
    let errors: Vec<(String, String)> = match &result {
        Err(problem) => problem
            .errors
            .iter()
            .map(|e| (format!("norms-{}", e.field), refusals::field(&t, e)))
            .collect(),
        Ok(_) => vec![],
    };
    let query = format!(
        "status={}&norm={}&hostCountry={}&asOf={}&mission={}",
        q.status.clone().unwrap_or_default(),
        q.norm.clone().unwrap_or_default(),
        q.host_country.clone().unwrap_or_default(),
        q.as_of.clone().unwrap_or_default(),
        q.mission.clone().unwrap_or_default()
    );
    let body = html! {
        h1 { (t.t("norms-title")) }
        p { (t.t("norms-intro")) }
        (error_summary(&t.t("filter-errors-title"), &errors))
        form.filters method="get" action="/norms" {
            div.filter-grid {
                div.field {
                    label for="norms-status" { (t.t("norms-status")) }
                    select #norms-status name="status" {
                        @for (v, k) in [("at-risk-or-overdue", "norms-at-risk-or-overdue"), ("overdue", "norms-overdue"), ("at-risk", "norms-at-risk"), ("on-track", "norms-on-track"), ("all", "cases-any")] {
                            option value=(v) selected[q.status.as_deref() == Some(v)] { (t.t(k)) }
                        }
                    }
                }
                div.field {
                    label for="norms-norm" { (t.t("norms-norm")) }
                    select #norms-norm name="norm" {
                        option value="" { (t.t("cases-any")) }
                        option value="selection-to-arrival" selected[q.norm.as_deref() == Some("selection-to-arrival")] { (norm_word(t, Norm::SelectionToArrival)) }
                        option value="submission-priority" selected[q.norm.as_deref() == Some("submission-priority")] { (norm_word(t, Norm::SubmissionPriority)) }
                    }
                }
                div.field {
                    label for="norms-hostCountry" { (t.t("field-host-country")) }
                    input #norms-hostCountry name="hostCountry" type="text" value=(q.host_country.clone().unwrap_or_default());
                }
                div.field {
                    label for="norms-asOf" { (t.t("norms-as-of")) }
                    (super::layout::field_error(&errors, "norms-asOf"))
                    input #norms-asOf name="asOf" type="date" value=(q.as_of.clone().unwrap_or_default());
                }
                div.field {
                    label for="norms-mission" { (t.t("norms-by-mission")) }
                    (super::layout::field_error(&errors, "norms-mission"))
                    select #norms-mission name="mission" {
                        option value="" { (t.t("cases-any")) }
                        option value="none" selected[q.mission.as_deref() == Some("none")] { (t.t("norms-no-mission")) }
                        @for m in &missions {
                            option value=(m.id) selected[q.mission.as_deref() == Some(m.id.to_string().as_str())] { (m.name) }
                        }
                    }
                }
            }
            button type="submit" { (t.t("cases-filter-apply")) }
        }
        @if let Ok(d) = &result {
            p {
                a href={ "/norms?" (query) "&format=csv&lang=" (t.0.code()) } { "CSV" } " · "
                a href={ "/norms?" (query) "&format=xlsx&lang=" (t.0.code()) } { "XLSX" }
            }
            div.table-scroll tabindex="0" { table {
                caption { (t.with("norms-summary", &[("days", d.at_risk_days.into())])) }
                thead { tr { th scope="col" { (t.t("field-host-country")) } th scope="col" { (t.t("norms-on-track")) } th scope="col" { (t.t("norms-at-risk")) } th scope="col" { (t.t("norms-overdue")) } } }
                tbody {
                    @for h in &d.by_host_country { tr {
                        th scope="row" { (t.country(h.host_country)) }
                        td.num { (t.n(h.counts.on_track)) } td.num { (t.n(h.counts.at_risk)) } td.num { (t.n(h.counts.overdue)) }
                    } }
                    tr { th scope="row" { (t.t("norms-total")) } td.num { (t.n(d.total.on_track)) } td.num { (t.n(d.total.at_risk)) } td.num { (t.n(d.total.overdue)) } }
                }
            } }
            div.table-scroll tabindex="0" { table {
                caption { (t.t("norms-by-mission")) " · " (d.as_of) }
                thead { tr { th scope="col" { (t.t("mission-name")) } th scope="col" { (t.t("norms-on-track")) } th scope="col" { (t.t("norms-at-risk")) } th scope="col" { (t.t("norms-overdue")) } } }
                tbody {
                    @for m in &d.by_mission { tr {
                        // A link only for those who may open the mission (UNHCR may not).
                        th scope="row" { @if let (Some(id), true) = (m.mission_id, may_open_missions) { a href={ "/missions/" (id) } { (mission_name(&m.mission_id)) } } @else { (mission_name(&m.mission_id)) } }
                        td.num { (t.n(m.counts.on_track)) } td.num { (t.n(m.counts.at_risk)) } td.num { (t.n(m.counts.overdue)) }
                    } }
                }
            } }
            div.table-scroll tabindex="0" { table {
                // A case can be checked against two norms: count cases, not lines.
                @let cases = d.cases.iter().map(|l| l.id).collect::<std::collections::HashSet<_>>().len();
                caption { (t.with("norms-cases-checks", &[("cases", cases.into()), ("checks", d.cases.len().into())])) }
                thead { tr {
                    th scope="col" { (t.t("field-case-number")) } th scope="col" { (t.t("field-host-country")) }
                    th scope="col" { (t.t("field-priority")) } th scope="col" { (t.t("field-state")) }
                    th scope="col" { (t.t("mission-name")) }
                    th scope="col" { (t.t("norms-norm")) } th scope="col" { (t.t("norms-deadline")) }
                    th scope="col" { (t.t("norms-days-left")) } th scope="col" { (t.t("norms-norm-status")) }
                } }
                tbody { @for l in &d.cases { tr {
                    th scope="row" { a href={ "/cases/" (l.id) } { (l.case_number) } }
                    td { (t.country(l.host_country)) } td { (t.term("priority", l.priority.as_str())) } td { (t.term("state", l.state.as_str())) }
                    td { (mission_name(&l.mission_id)) }
                    td { (norm_word(t, l.norm)) } td { (t.date(l.deadline)) } td.num { (days_left(t, l.days_left)) }
                    td { strong { (status_word(t, l.status)) } }
                } } }
            } }
        }
    };
    let reunification = super::reunification::norms_section(&state, t, &p).await;
    super::layout::append_section(
        page(t, &t.t("norms-title"), "/norms", Some(&p), body),
        reunification,
    )
    .into_response()
}

/// Days left before a deadline; past it, how many days late (not a negative
/// number of days left).
pub(super) fn days_left(t: T, days: i64) -> String {
    if days < 0 {
        t.with("norms-days-late", &[("days", t.n(-days).into())])
    } else {
        t.n(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;

    #[test]
    fn a_missed_deadline_is_days_late_not_negative_days_left() {
        assert_eq!(days_left(T(Lang::Nl), -1290), "1.290 te laat");
        assert_eq!(days_left(T(Lang::En), -3), "3 late");
        assert_eq!(days_left(T(Lang::Nl), 14), "14");
        assert_eq!(days_left(T(Lang::En), 0), "0");
    }
}
