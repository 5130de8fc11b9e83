//! The frame of every page: language, skip link, header, navigation, footer.

use super::i18n::T;
use maud::{DOCTYPE, Markup, html};

/// A full HTML page. `path` is the current path, so the language switch can return to it.
pub fn page(t: T, title: &str, path: &str, body: Markup) -> Markup {
    let other = t.0.other();
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
                        a.brand href="/cases" {
                            span.brand-name { (t.t("app-name")) }
                            span.brand-tagline { (t.t("app-tagline")) }
                        }
                        nav aria-label=(t.t("nav-cases")) {
                            ul {
                                li { a href="/cases" aria-current=[path.starts_with("/cases").then_some("page")] { (t.t("nav-cases")) } }
                                li { a href="/api/v1/openapi.json" { (t.t("nav-api")) } }
                                li {
                                    a href={ "/language?lang=" (other.code()) "&back=" (encode(path)) }
                                        lang=(other.code()) hreflang=(other.code()) {
                                        (t.t("language-switch"))
                                    }
                                }
                            }
                        }
                    }
                }
                main #content.wrap tabindex="-1" {
                    (body)
                }
                footer.site-footer {
                    div.wrap { p { (t.t("footer-note")) } }
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
