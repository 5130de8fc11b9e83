//! Server-rendered pages for case workers: plain HTML forms, no JavaScript
//! needed, Dutch and English.

mod account;
mod admin;
mod api_reference;
mod cases;
mod forecast;
mod i18n;
mod layout;
mod left_behind;
mod login;
mod login_watch;
mod missions;
mod norms;
mod placement;
mod refusals;
mod reports;
mod reunification;
mod submissions;
mod worklist;

pub use api_reference::show as api_reference;
pub use layout::encode;

use crate::auth::{MaybeSignedIn, Principal};
use crate::state::AppState;
use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
pub use i18n::{Catalog, LANG_COOKIE, Lang, T, key_problems, keys};
use maud::html;
use serde::Deserialize;

const STYLE: &str = include_str!("../../assets/style.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", axum::routing::post(login::logout))
        .route("/admin/users", get(admin::users).post(admin::create))
        .route(
            "/admin/users/{name}/removal",
            axum::routing::post(admin::remove),
        )
        .route(
            "/admin/users/{name}/password-reset",
            axum::routing::post(admin::reset_password),
        )
        .route(
            crate::auth::PASSWORD_PAGE,
            get(account::show).post(account::change),
        )
        .route("/admin/audit", get(admin::audit_page))
        .route("/reports", get(reports::index))
        .route("/reports/frameworks/print", get(reports::print))
        .route("/reports/{name}", get(reports::show))
        .route("/policy", get(reports::policy).post(reports::change_policy))
        .route("/forecast", get(forecast::show))
        .route("/norms", get(norms::show))
        .route("/placement", get(placement::show))
        .route("/placement/review", axum::routing::post(placement::adjust))
        .route(
            "/placement/confirm",
            axum::routing::post(placement::confirm_step),
        )
        .route(
            "/placement/confirmations",
            axum::routing::post(placement::confirm),
        )
        .route("/submissions", get(submissions::show))
        .route(
            "/submissions/preview",
            axum::routing::post(submissions::preview),
        )
        .route(
            "/submissions/import",
            axum::routing::post(submissions::import),
        )
        .route("/submissions/case", axum::routing::post(submissions::one))
        .route("/submission-requests", get(submissions::requests))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::detail))
        .route("/cases/{id}/transitions", axum::routing::post(cases::take))
        .route("/cases/{id}/consents", axum::routing::post(cases::consent))
        .route(
            "/cases/{id}/preparation",
            axum::routing::post(cases::prepare),
        )
        .route("/missions", get(missions::index).post(missions::create))
        .route("/missions/{id}", get(missions::detail))
        .route(
            "/missions/{id}/changes",
            axum::routing::post(missions::change),
        )
        .route("/missions/{id}/cases", axum::routing::post(missions::link))
        .route("/missions/{id}/submission-request", get(missions::request))
        .route("/holds", get(missions::holds).post(missions::hold_form))
        .route(
            "/country-policy-notes",
            get(missions::notes).post(missions::add_note),
        )
        .route(
            "/family-reunification",
            get(reunification::list).post(reunification::create),
        )
        .route("/family-reunification/{id}", get(reunification::show))
        .route(
            "/cases/{id}/relatives-left-behind",
            get(left_behind::show).post(left_behind::change),
        )
        .route(
            "/family-reunification/{id}/decisions",
            axum::routing::post(reunification::decide),
        )
        .route(
            "/family-reunification/{id}/travel",
            axum::routing::post(reunification::travel),
        )
        .route("/language", get(language))
        .route("/accessibility", get(accessibility))
        .route("/assets/style.css", get(style))
}

async fn style() -> Response {
    let mut r = STYLE.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

#[derive(Deserialize)]
struct LanguageQuery {
    lang: String,
    back: Option<String>,
}

/// `raw` if it is a path on this site, to redirect to; `None` for anything a
/// browser could resolve to another site (`//host`, `/\host`, a tab or line
/// break that browsers drop, a scheme) or that is no valid header value.
pub(crate) fn local_path(raw: &str) -> Option<&str> {
    let safe = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    safe.then_some(raw)
}

/// Sets the language cookie and returns to the page the user came from.
async fn language(Query(q): Query<LanguageQuery>) -> Response {
    let lang = Lang::parse(&q.lang).unwrap_or(Lang::Nl);
    let back = q
        .back
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/cases")
        .to_string();
    let mut r = Redirect::to(&back).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// The accessibility statement (required of Dutch government sites).
async fn accessibility(t: T, MaybeSignedIn(who): MaybeSignedIn) -> Response {
    let body = html! {
        h1 { (t.t("a11y-title")) }
        p { (t.t("a11y-intro")) }
        h2 { (t.t("a11y-how-title")) }
        ul {
            li { (t.t("a11y-how-1")) }
            li { (t.t("a11y-how-2")) }
            li { (t.t("a11y-how-3")) }
            li { (t.t("a11y-how-4")) }
        }
        h2 { (t.t("a11y-known-title")) }
        p { (t.t("a11y-known")) }
    };
    layout::page(t, &t.t("a11y-title"), "/accessibility", who.as_ref(), body).into_response()
}

/// The start page: each role's worklist, or the login.
async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    t: T,
    MaybeSignedIn(who): MaybeSignedIn,
) -> Response {
    let Some(who) = who else {
        return Redirect::to("/login").into_response();
    };
    worklist::home(&state, t, &who).await
}

/// The HTML answer for a page or case that does not exist.
pub fn not_found_page(t: T, who: Option<&Principal>) -> Response {
    let body = html! {
        h1 { (t.t("not-found-title")) }
        p { (t.t("not-found-text")) }
        p { a href="/" { (t.t("back-to-start")) } }
    };
    (
        StatusCode::NOT_FOUND,
        layout::page(t, &t.t("not-found-title"), "/", who, body),
    )
        .into_response()
}

/// The HTML answer when the signed-in account may not do something; `detail`
/// is already in the language of `t`.
pub fn forbidden_page(t: T, detail: &str, who: Option<&Principal>) -> Response {
    let title = t.t("forbidden-title");
    let body = html! {
        h1 { (title) }
        p { (t.t("forbidden-text")) }
        p { (detail) }
        p { a href="/" { (t.t("back-to-start")) } }
    };
    (
        StatusCode::FORBIDDEN,
        layout::page(t, &title, "/", who, body),
    )
        .into_response()
}

/// Fallback for unknown paths: a problem document for the API, a page otherwise.
pub async fn fallback(t: T, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::problem::not_found(uri).await.into_response()
    } else {
        not_found_page(t, None)
    }
}
