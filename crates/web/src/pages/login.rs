//! Logging in and out. Failed attempts are counted per name and client
//! address (growing waits) and per client address (rate limit), in
//! `login_guard`; attempts are audited without the password or code (while
//! refused, the first refusal only).

use super::i18n::T;
use super::layout::{error_summary, page};
use crate::auth::secrets::{random_token, token_hash, totp_step, verify_password_off_workers};
use crate::auth::{LOGIN_CSRF_COOKIE, MaybeSignedIn, SESSION_COOKIE, SignedIn, audit};
use crate::client::ClientAddr;
use crate::login_guard::Verdict;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::Username;
use resettle_domain::audit::AuditResult;
use serde::Deserialize;
use std::time::Instant;
use time::Duration;

/// How long a page session lasts.
pub const SESSION_HOURS: i64 = 8;

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// A local path to return to after logging in (never another site).
fn local(next: &str) -> &str {
    super::local_path(next).unwrap_or("/")
}

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn form(t: T, csrf: &str, next: &str, username: &str, error: Option<String>) -> Markup {
    let errors: Vec<(String, String)> = error
        .into_iter()
        .map(|e| ("username".to_string(), e))
        .collect();
    html! {
        h1 { (t.t("login-title")) }
        (error_summary(&t.t("login-failed"), &errors))
        form.login method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            div.field {
                label for="username" { (t.t("field-username")) }
                input #username name="username" type="text" autocomplete="username" value=(username) required;
            }
            div.field {
                label for="password" { (t.t("field-password")) }
                input #password name="password" type="password" autocomplete="current-password" required;
            }
            div.field {
                label for="code" { (t.t("field-code")) }
                p.hint #code-hint { (t.t("field-code-hint")) }
                input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint";
            }
            button type="submit" { (t.t("login")) }
        }
    }
}

/// The login form, with a fresh pre-session CSRF token in a cookie.
pub async fn show(
    State(state): State<AppState>,
    t: T,
    MaybeSignedIn(who): MaybeSignedIn,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = local(q.next.as_deref().unwrap_or("/")).to_string();
    if who.is_some() {
        return Redirect::to(&next).into_response();
    }
    let csrf = random_token();
    let mut r = page(
        t,
        &t.t("login-title"),
        "/login",
        None,
        form(t, &csrf, &next, "", None),
    )
    .into_response();
    if let Some(c) = cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

/// The name written to the audit trail for an attempt: a name that cannot
/// be an account's (too long, odd characters) is not copied there.
fn tried_name(raw: &str) -> String {
    match Username::parse(raw) {
        Ok(name) => name.as_str().to_string(),
        Err(_) => "(not a user name)".to_string(),
    }
}

/// Checks a login; the answer to a failure never says which part was wrong,
/// and is the same for a known and an unknown name (see `login_guard`).
pub async fn submit(
    State(state): State<AppState>,
    t: T,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let origin = addr.to_string();
    let next = local(&f.next).to_string();
    // The form keeps its CSRF token: the cookie stays valid for another try.
    let csrf = crate::auth::cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let again = |status: StatusCode, message: String| {
        let body = form(t, &csrf, &next, &f.username, Some(message));
        (status, page(t, &t.t("login-title"), "/login", None, body)).into_response()
    };
    let actor = tried_name(&f.username);
    let verdict = state.login_guard.attempt(&actor, addr, Instant::now());
    if verdict != Verdict::Allowed {
        // A refusal is audited once per block; the ones after it are counted.
        if verdict.first_refusal() {
            audit(
                &state,
                &actor,
                "login",
                "session",
                AuditResult::Denied,
                &origin,
            )
            .await;
        }
        return refusal(t, verdict).map_or_else(
            || again(StatusCode::UNAUTHORIZED, t.t("login-wrong")),
            |(status, message)| again(status, message),
        );
    }
    let now = state.now();
    let found = match Username::parse(&f.username) {
        Ok(name) => state.store.credentials(&name).await,
        Err(_) => Ok(None),
    };
    let creds = match found {
        Ok(c) => c,
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    let failed = || async {
        state.login_guard.failed(&actor, addr, Instant::now());
        audit(
            &state,
            &actor,
            "login",
            "session",
            AuditResult::Failed,
            &origin,
        )
        .await;
        again(StatusCode::UNAUTHORIZED, t.t("login-wrong"))
    };
    let Some(creds) = creds else {
        // Spend the same effort as for a real account, so timing reveals nothing.
        verify_password_off_workers(
            &f.password,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Kx9U3kMaGYqbDTzLeXrHj8e3bLWRvLxF3P0c1JbVPI",
        )
        .await;
        return failed().await;
    };
    let user = &creds.user;
    let password_ok = verify_password_off_workers(&f.password, &creds.password_hash).await;
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let code_ok = match &creds.totp_secret {
        // A code works once: its time step is taken, and an older or the same step is refused.
        Some(secret) if password_ok => match totp_step(secret, &f.code, unix) {
            Some(step) => match state
                .store
                .use_totp_step(user.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await
            {
                Ok(fresh) => fresh,
                Err(e) => return crate::problem::Problem::from(e).into_response(),
            },
            None => false,
        },
        Some(_) => false,
        // An account whose role requires a second factor cannot log in without one.
        None => !user.role.requires_second_factor(),
    };
    if !(password_ok && code_ok) {
        return failed().await;
    }
    state.login_guard.succeeded(&actor, addr);
    let session = random_token();
    let session_csrf = random_token();
    let stored = async {
        state.store.record_successful_login(user.id, now).await?;
        state
            .store
            .create_session(
                &token_hash(&session),
                user.id,
                &session_csrf,
                now,
                now + Duration::hours(SESSION_HOURS),
            )
            .await
    };
    if let Err(e) = stored.await {
        return crate::problem::Problem::from(e).into_response();
    }
    audit(
        &state,
        user.username.as_str(),
        "login",
        "session",
        AuditResult::Ok,
        &origin,
    )
    .await;
    let mut r = Redirect::to(&next).into_response();
    let h = r.headers_mut();
    if let Some(c) = cookie(
        SESSION_COOKIE,
        &session,
        SESSION_HOURS * 3600,
        state.secure_cookies,
    ) {
        h.append(header::SET_COOKIE, c);
    }
    if let Some(c) = cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies) {
        h.append(header::SET_COOKIE, c);
    }
    r
}

/// The answer to an attempt the guard refused: the status and message.
pub(super) fn refusal(t: T, verdict: Verdict) -> Option<(StatusCode, String)> {
    match verdict {
        Verdict::Allowed => None,
        Verdict::TooFast { .. } => Some((StatusCode::TOO_MANY_REQUESTS, t.t("login-rate-limited"))),
        Verdict::Waiting { minutes, .. } => Some((
            StatusCode::UNAUTHORIZED,
            t.with("login-locked", &[("minutes", minutes.into())]),
        )),
    }
}

/// Ends the session.
pub async fn logout(
    State(state): State<AppState>,
    SignedIn(who): SignedIn,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = crate::auth::cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.delete_session(&token_hash(&token)).await
    {
        return crate::problem::Problem::from(e).into_response();
    }
    audit(
        &state,
        who.name(),
        "logout",
        "session",
        AuditResult::Ok,
        &who.origin,
    )
    .await;
    let mut r = Redirect::to("/login").into_response();
    if let Some(c) = cookie(SESSION_COOKIE, "", 0, state.secure_cookies) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}
