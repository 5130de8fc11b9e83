//! The login watch on the audit page: spikes of failed logins and logins
//! from addresses new for their account, over the last day (BIO2).

use super::i18n::T;
use crate::problem::Problem;
use crate::state::AppState;
use maud::{Markup, html};
use resettle_domain::login_watch::{LoginReport, SPIKE_FACTOR, SPIKE_MIN};
use time::{Duration, OffsetDateTime};

/// The day watched (the month before it says what is usual).
const WINDOW: Duration = Duration::hours(24);

pub(super) async fn report(state: &AppState) -> Result<LoginReport, Problem> {
    crate::api::audit::login_report(state, WINDOW).await
}

fn minute(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

pub(super) fn section(t: T, r: &LoginReport) -> Markup {
    html! {
        section aria-labelledby="login-watch-title" {
            h2 #login-watch-title { (t.t("login-watch-title")) }
            p { (t.with("login-watch-summary", &[("succeeded", r.succeeded.into()), ("failed", r.failed.into())])) }
            p.hint { (t.with("login-watch-rules", &[("min", SPIKE_MIN.into()), ("factor", SPIKE_FACTOR.into())])) }
            @if r.spikes.is_empty() && r.new_origins.is_empty() {
                p role="status" { (t.t("login-watch-quiet")) }
            }
            @if !r.spikes.is_empty() {
                div.table-scroll tabindex="0" { table {
                    caption { (t.t("login-watch-spikes")) }
                    thead { tr {
                        th scope="col" { (t.t("login-watch-hour")) }
                        th scope="col" { (t.t("login-watch-failures")) }
                        th scope="col" { (t.t("login-watch-usual")) }
                        th scope="col" { (t.t("login-watch-accounts")) }
                        th scope="col" { (t.t("field-origin")) }
                    } }
                    tbody { @for s in &r.spikes { tr {
                        th scope="row" { (minute(s.hour)) }
                        td.num { (s.failures) }
                        td.num { (s.usual) }
                        td { (s.accounts.join(", ")) }
                        td { (s.origins.join(", ")) }
                    } } }
                } }
            }
            @if !r.new_origins.is_empty() {
                div.table-scroll tabindex="0" { table {
                    caption { (t.t("login-watch-new-origins")) }
                    thead { tr {
                        th scope="col" { (t.t("field-recorded-at")) }
                        th scope="col" { (t.t("field-actor")) }
                        th scope="col" { (t.t("field-origin")) }
                    } }
                    tbody { @for n in &r.new_origins { tr {
                        th scope="row" { (minute(n.at)) }
                        td { (n.account) }
                        td { (n.origin) }
                    } } }
                } }
            }
        }
    }
}
