//! The frame of every page: language, skip link, header, navigation, footer.

use super::i18n::T;
use crate::auth::Principal;
use maud::{DOCTYPE, Markup, html};
use resettle_domain::Permission;

/// A full HTML page. `path` is the current path, so the language switch can
/// return to it; `who` decides the menu: each role sees only what it may use.
pub fn page(t: T, title: &str, path: &str, who: Option<&Principal>, body: Markup) -> Markup {
    let other = t.0.other();
    let may = |p: Permission| who.is_some_and(|w| w.allows(p));
    html! {
        (DOCTYPE)
        html lang=(t.0.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t.t("app-name")) }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                a.skip-link href="#content" { (t.t("skip-to-content")) }
                header.site-header {
                    div.wrap {
                        a.brand href="/" {
                            span.brand-name { (t.t("app-name")) }
                            span.brand-tagline { (t.t("app-tagline")) }
                        }
                        nav aria-label=(t.t("nav-main")) {
                            ul {
                                @if may(Permission::ReadCases) {
                                    li { a href="/cases" aria-current=[path.starts_with("/cases").then_some("page")] { (t.t("nav-cases")) } }
                                }
                                @if may(Permission::ReadCases) {
                                    li { a href="/norms" aria-current=[path.starts_with("/norms").then_some("page")] { (t.t("nav-norms")) } }
                                }
                                @if may(Permission::ReadReunification) {
                                    li { a href="/family-reunification" aria-current=[path.starts_with("/family-reunification").then_some("page")] { (t.t("nav-reunification")) } }
                                }
                                @if may(Permission::ReadMissions) {
                                    li { a href="/missions" aria-current=[path.starts_with("/missions").then_some("page")] { (t.t("nav-missions")) } }
                                    li { a href="/holds" aria-current=[path.starts_with("/holds").then_some("page")] { (t.t("nav-holds")) } }
                                }
                                // UNHCR's own entry; COA imports from the command line or the page's address.
                                @if may(Permission::ImportSubmissions) && !may(Permission::ReadMissions) {
                                    li { a href="/submissions" aria-current=[path.starts_with("/submissions").then_some("page")] { (t.t("nav-submit")) } }
                                }
                                // Those who do not see missions still see the requests addressed to them.
                                @if may(Permission::ReadSubmissionRequests) && !may(Permission::ReadMissions) {
                                    li { a href="/submission-requests" aria-current=[path.starts_with("/submission-requests").then_some("page")] { (t.t("nav-requests")) } }
                                }
                                @if may(Permission::ReadSubmissionRequests) {
                                    li { a href="/country-policy-notes" aria-current=[path.starts_with("/country-policy-notes").then_some("page")] { (t.t("nav-notes")) } }
                                }
                                @if may(Permission::ReadReports) {
                                    li { a href="/reports" aria-current=[path.starts_with("/reports").then_some("page")] { (t.t("nav-reports")) } }
                                }
                                @if may(Permission::ReadReports) {
                                    li { a href="/forecast" aria-current=[path.starts_with("/forecast").then_some("page")] { (t.t("nav-forecast")) } }
                                }
                                @if may(Permission::PlanPlacement) {
                                    li { a href="/placement" aria-current=[path.starts_with("/placement").then_some("page")] { (t.t("nav-placement")) } }
                                }
                                @if may(Permission::ReadPolicy) {
                                    li { a href="/policy" aria-current=[path.starts_with("/policy").then_some("page")] { (t.t("nav-policy")) } }
                                }
                                @if may(Permission::ManageUsers) {
                                    li { a href="/admin/users" aria-current=[path.starts_with("/admin/users").then_some("page")] { (t.t("nav-users")) } }
                                }
                                @if may(Permission::ReadAudit) {
                                    li { a href="/admin/audit" aria-current=[path.starts_with("/admin/audit").then_some("page")] { (t.t("nav-audit")) } }
                                }
                                li { a href="/api-reference" aria-current=[path.starts_with("/api-reference").then_some("page")] { (t.t("nav-api")) } }
                                li {
                                    a href={ "/language?lang=" (other.code()) "&back=" (encode(path)) }
                                        lang=(other.code()) hreflang=(other.code()) {
                                        (t.t("language-switch"))
                                    }
                                }
                                @match who {
                                    Some(w) => li.account {
                                        span { (w.user.display_name) " (" (t.term("role", w.user.role.as_str()))
                                            // Whose officer this is: the municipality, organisation or office.
                                            @if let Some(o) = &w.user.organisation { ", " (o) }
                                            ")" }
                                        a href=(crate::auth::PASSWORD_PAGE) aria-current=[(path == crate::auth::PASSWORD_PAGE).then_some("page")] { (t.t("password-link")) }
                                        form method="post" action="/logout" {
                                            input type="hidden" name="csrf" value=(w.csrf());
                                            button.link type="submit" { (t.t("logout")) }
                                        }
                                    },
                                    None => li { a href="/login" { (t.t("login")) } },
                                }
                            }
                        }
                    }
                }
                main #content.wrap tabindex="-1" {
                    (body)
                }
                footer.site-footer {
                    div.wrap { p { (t.t("footer-note")) " · " a href="/accessibility" { (t.t("a11y-title")) } } }
                }
            }
        }
    }
}

/// Percent-encodes a path and query for use inside a query parameter.
pub fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `page` with `section` at the end of its main content.
pub fn append_section(page: Markup, section: Markup) -> Markup {
    let html = page.into_string();
    match html.rfind("</main>") {
        Some(at) => maud::PreEscaped(format!(
            "{}{}{}",
            html.get(..at).unwrap_or_default(),
            section.into_string(),
            html.get(at..).unwrap_or_default()
        )),
        None => maud::PreEscaped(html),
    }
}

/// The error summary at the top of a form: takes focus, links to each field.
pub fn error_summary(title: &str, errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus {
                h2 #error-summary-title { (title) }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// One labelled input showing `value` (what the user typed before a
/// refusal, or ""), with its error repeated at the field.
pub fn input(
    id: &str,
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    errors: &[(String, String)],
) -> Markup {
    let invalid = errors.iter().any(|(f, _)| f == id);
    html! {
        div.field {
            label for=(id) { (label) }
            (field_error(errors, id))
            input #(id) name=(name) type=(kind) value=(value) aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| format!("{id}-error"))];
        }
    }
}

/// The value the user typed in field `name` of a refused form, or "".
pub fn typed<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The message for one field, repeated at the field itself.
pub fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! {
        @for (f, message) in errors {
            @if f == field {
                p.field-error id={ (field) "-error" } { (message) }
            }
        }
    }
}
