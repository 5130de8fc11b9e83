//! An account changes its own password: it proves the current one, chooses a
//! new one by the password rules, and every other session of the account
//! ends. After an administrator's reset this is the only page the account
//! may open until it has chosen its own password.

use super::i18n::T;
use super::layout::{error_summary, field_error, page};
use super::refusals;
use crate::auth::secrets::{hash_password_off_workers, token_hash, verify_password_off_workers};
use crate::auth::{PASSWORD_PAGE, SESSION_COOKIE, SignedIn, audit, cookie_value};
use crate::client::ClientAddr;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use resettle_domain::account::check_password;
use resettle_domain::audit::AuditResult;
use serde::Deserialize;
use std::time::Instant;

/// Missing fields read as empty, so that they are refused like wrong ones.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// The form; `reset` says an administrator set the current password.
fn password_page(
    t: T,
    who: &crate::auth::Principal,
    reset: bool,
    errors: &[(String, String)],
    changed: bool,
) -> Response {
    let body = html! {
        h1 { (t.t("password-title")) }
        @if changed { div.notice role="status" { p { (t.t("password-changed")) } } }
        @if reset { div.notice role="status" { p { (t.t("password-reset-notice")) } } }
        (error_summary(&t.t("password-errors"), errors))
        p { (t.t("password-rules")) }
        form method="post" action=(PASSWORD_PAGE) {
            input type="hidden" name="csrf" value=(who.csrf());
            @for (name, label) in [("current", "password-current"), ("new", "password-new"), ("repeat", "password-repeat")] {
                div.field {
                    label for={ "password-" (name) } { (t.t(label)) }
                    (field_error(errors, &format!("password-{name}")))
                    input id={ "password-" (name) } name=(name) type="password"
                        autocomplete=(if name == "current" { "current-password" } else { "new-password" })
                        aria-invalid=[errors.iter().any(|(f, _)| *f == format!("password-{name}")).then_some("true")];
                }
            }
            button type="submit" { (t.t("password-save")) }
        }
    };
    page(t, &t.t("password-title"), PASSWORD_PAGE, Some(who), body).into_response()
}

/// Whether the account's password was set by an administrator.
async fn was_reset(state: &AppState, who: &crate::auth::Principal) -> Result<bool, Problem> {
    let creds = state.store.credentials(&who.user.username).await?;
    Ok(creds.is_some_and(|c| c.password_must_change))
}

pub async fn show(
    State(state): State<AppState>,
    t: T,
    SignedIn(who): SignedIn,
) -> Result<Response, Problem> {
    let reset = was_reset(&state, &who).await?;
    Ok(password_page(t, &who, reset, &[], false))
}

pub async fn change(
    State(state): State<AppState>,
    t: T,
    SignedIn(who): SignedIn,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, Problem> {
    let creds = state
        .store
        .credentials(&who.user.username)
        .await?
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "the account was removed"))?;
    // The current password is guessed no faster here than at the login.
    let verdict = state.login_guard.attempt(who.name(), addr, Instant::now());
    if let Some((status, message)) = super::login::refusal(t, verdict) {
        if verdict.first_refusal() {
            let object = format!("user {}", who.name());
            audit(
                &state,
                who.name(),
                "change-password",
                &object,
                AuditResult::Denied,
                &who.origin,
            )
            .await;
        }
        let errors = [("password-current".to_string(), message)];
        let page = password_page(t, &who, creds.password_must_change, &errors, false);
        return Ok((status, page).into_response());
    }
    let mut errors = Vec::new();
    if verify_password_off_workers(&f.current, &creds.password_hash).await {
        state.login_guard.succeeded(who.name(), addr);
    } else {
        state.login_guard.failed(who.name(), addr, Instant::now());
        errors.push(("password-current".to_string(), t.t("password-wrong")));
    }
    if let Err(e) = check_password(&f.new, &who.user.username, &who.user.display_name) {
        errors.push(("password-new".to_string(), refusals::account(&t, &e)));
    } else if f.new == f.current {
        errors.push(("password-new".to_string(), t.t("password-same")));
    }
    if f.repeat != f.new {
        errors.push(("password-repeat".to_string(), t.t("password-mismatch")));
    }
    if !errors.is_empty() {
        audit(
            &state,
            who.name(),
            "change-password",
            &format!("user {}", who.name()),
            AuditResult::Failed,
            &who.origin,
        )
        .await;
        let page = password_page(t, &who, creds.password_must_change, &errors, false);
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let hash = hash_password_off_workers(&f.new)
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    // This session stays; every other one of the account ends.
    let current = cookie_value(&headers, SESSION_COOKIE).map(|s| token_hash(&s));
    let changed = state
        .store
        .set_password(who.user.id, &hash, false, current.as_deref())
        .await?;
    if !changed {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "the account was removed",
        ));
    }
    audit(
        &state,
        who.name(),
        "change-password",
        &format!("user {}", who.name()),
        AuditResult::Ok,
        &who.origin,
    )
    .await;
    Ok(password_page(t, &who, false, &[], true))
}
