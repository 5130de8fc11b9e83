//! Administration: personal accounts (create, remove, the access review list)
//! and the audit trail search. Administrators see no case content.

use super::i18n::T;
use super::layout::{error_summary, field_error, page};
use super::refusals;
use crate::api::audit::AuditParams;
use crate::auth::secrets::{hash_password_off_workers, new_totp_secret, temporary_password};
use crate::auth::{Auditor, Principal, UserAdmin, audit};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::account::check_password;
use resettle_domain::audit::AuditResult;
use resettle_domain::rule::ValueError;
use resettle_domain::{Role, User, UserId, Username};
use serde::Deserialize;
use time::Date;

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    organisation: String,
    password: String,
    #[serde(default)]
    second_factor: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    created: Option<String>,
    #[serde(skip)]
    secret: Option<String>,
    removed: Option<String>,
    /// An account whose password was reset, with its temporary password:
    /// shown once, in the answer to the reset, never in a URL.
    #[serde(skip)]
    reset: Option<(String, String)>,
}

/// An account that has not logged in for this many days is marked dormant in
/// the access review (or, never having logged in, this long after its creation).
const DORMANT_DAYS: i64 = 90;

fn users_page(
    t: T,
    admin: &UserAdmin,
    users: &[User],
    today: Date,
    form: &NewUserForm,
    errors: &[(String, String)],
    done: &Done,
) -> Markup {
    let who = &admin.0;
    let body = html! {
        h1 { (t.t("users-title")) }
        @if let Some(name) = &done.created {
            div.notice role="status" {
                p { (t.with("users-created", &[("name", name.clone().into())])) }
                @if let Some(secret) = &done.secret { p { (t.t("users-secret")) " " code { (secret) } } }
            }
        }
        @if let Some(name) = &done.removed { div.notice role="status" { (t.with("users-removed", &[("name", name.clone().into())])) } }
        @if let Some((name, password)) = &done.reset {
            div.notice role="status" {
                p { (t.with("users-reset", &[("name", name.clone().into())])) }
                p { (t.t("users-temporary-password")) " " code { (password) } }
            }
        }
        (error_summary(&t.t("users-errors"), errors))
        div.table-scroll tabindex="0" { table {
            caption { (t.t("users-review")) }
            thead { tr {
                th scope="col" { (t.t("field-username")) }
                th scope="col" { (t.t("field-display-name")) }
                th scope="col" { (t.t("field-role")) }
                th scope="col" { (t.t("field-account-organisation")) }
                th scope="col" { (t.t("field-second-factor")) }
                th scope="col" { (t.t("field-created")) }
                th scope="col" { (t.t("field-last-login")) }
                th scope="col" { (t.t("field-removed")) }
                th scope="col" { span.visually-hidden { (t.t("users-actions")) } }
            } }
            tbody { @for u in users { tr {
                th scope="row" { (u.username) }
                td { (u.display_name) }
                td { (t.term("role", u.role.as_str())) }
                td { (u.organisation.clone().unwrap_or_default()) }
                td { @if u.second_factor { (t.t("yes")) } @else { (t.t("no")) } }
                td { (t.date(u.created_at.date())) " (" (u.created_by) ")" }
                @let last = u.last_login_at.map(|l| l.date());
                @let dormant = u.removed_at.is_none() && (today - last.unwrap_or(u.created_at.date())).whole_days() > DORMANT_DAYS;
                td {
                    @match last { Some(d) => (t.date(d)), None => (t.t("users-never")) }
                    @if dormant { " " strong { (t.with("users-dormant", &[("days", DORMANT_DAYS.into())])) } }
                }
                td { @if let Some(r) = u.removed_at { (t.date(r.date())) } }
                td.row-actions { @if u.removed_at.is_none() && u.username != who.user.username {
                    form method="post" action={ "/admin/users/" (u.username) "/password-reset" } {
                        input type="hidden" name="csrf" value=(who.csrf());
                        button.secondary type="submit" { (t.t("users-reset-password")) " " span.visually-hidden { (u.username) } }
                    }
                    form method="post" action={ "/admin/users/" (u.username) "/removal" } {
                        input type="hidden" name="csrf" value=(who.csrf());
                        button.secondary type="submit" { (t.t("users-remove")) " " span.visually-hidden { (u.username) } }
                    }
                } }
            } } }
        } }
        h2 #new-user { (t.t("users-new")) }
        form method="post" action="/admin/users" {
            input type="hidden" name="csrf" value=(who.csrf());
            @for (name, label, kind, value) in [
                ("username", "field-username", "text", &form.username),
                ("display_name", "field-display-name", "text", &form.display_name),
                ("organisation", "field-organisation-optional", "text", &form.organisation),
                ("password", "field-new-password", "password", &String::new()),
            ] {
                div.field {
                    label for={ "user-" (name) } { (t.t(label)) }
                    (field_error(errors, &format!("user-{name}")))
                    input id={ "user-" (name) } name=(name) type=(kind) value=(value) autocomplete="off";
                }
            }
            div.field {
                label for="user-role" { (t.t("field-role")) }
                select #user-role name="role" {
                    @for r in Role::ALL { option value=(r.as_str()) selected[form.role == r.as_str()] { (t.term("role", r.as_str())) } }
                }
            }
            div.choice {
                input #user-second_factor type="checkbox" name="second_factor" value="yes";
                label for="user-second_factor" { (t.t("field-second-factor-ask")) }
            }
            button type="submit" { (t.t("users-create")) }
        }
    };
    page(t, &t.t("users-title"), "/admin/users", Some(who), body)
}

/// The accounts page with the current list, as an answer to any of its forms.
async fn users_answer(
    state: &AppState,
    t: T,
    admin: &UserAdmin,
    form: &NewUserForm,
    errors: &[(String, String)],
    done: &Done,
) -> Result<Markup, Problem> {
    let list = state.store.users().await?;
    Ok(users_page(
        t,
        admin,
        &list,
        state.today(),
        form,
        errors,
        done,
    ))
}

pub async fn users(
    State(state): State<AppState>,
    t: T,
    admin: UserAdmin,
    Query(done): Query<Done>,
) -> Result<Response, Problem> {
    Ok(
        users_answer(&state, t, &admin, &NewUserForm::default(), &[], &done)
            .await?
            .into_response(),
    )
}

pub async fn create(
    State(state): State<AppState>,
    t: T,
    admin: UserAdmin,
    Form(f): Form<NewUserForm>,
) -> Result<Response, Problem> {
    let who = &admin.0;
    let mut errors = Vec::new();
    let username = Username::parse(&f.username)
        .map_err(|e| errors.push(("user-username".to_string(), refusals::account(&t, &e))))
        .ok();
    let role = Role::parse(&f.role)
        .map_err(|e| {
            errors.push((
                "user-role".to_string(),
                refusals::field(&t, &e.at("role").into()),
            ))
        })
        .ok();
    if f.display_name.trim().is_empty() {
        errors.push((
            "user-display_name".into(),
            t.t("users-display-name-required"),
        ));
    }
    if let Some(u) = &username
        && let Err(e) = check_password(&f.password, u, &f.display_name)
    {
        errors.push(("user-password".into(), refusals::account(&t, &e)));
    }
    let now = state.now();
    let user = match (username, role) {
        (Some(username), Some(role)) => {
            let organisation = Some(f.organisation.trim().to_string()).filter(|o| !o.is_empty());
            let user = User {
                id: UserId::generate(),
                username,
                display_name: f.display_name.trim().to_string(),
                role,
                organisation,
                second_factor: f.second_factor.is_some() || role.requires_second_factor(),
                created_at: now,
                created_by: who.name().to_string(),
                removed_at: None,
                last_login_at: None,
            };
            if let Err(e) = user.validate() {
                errors.push(("user-organisation".into(), refusals::account(&t, &e)));
            }
            Some(user)
        }
        _ => None,
    };
    let (Some(user), true) = (user, errors.is_empty()) else {
        let page = users_answer(&state, t, &admin, &f, &errors, &Done::default()).await?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    };
    let hash = hash_password_off_workers(&f.password)
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let secret = user.second_factor.then(new_totp_secret);
    let outcome = state
        .store
        .create_user(&user, &hash, secret.as_deref())
        .await;
    let result = if outcome.is_ok() {
        AuditResult::Ok
    } else {
        AuditResult::Failed
    };
    audit(
        &state,
        who.name(),
        "create-user",
        &format!("user {}", user.username),
        result,
        &who.origin,
    )
    .await;
    if let Err(e) = outcome {
        let errors = vec![("user-username".to_string(), refusals::store(&t, &e))];
        let page = users_answer(&state, t, &admin, &f, &errors, &Done::default()).await?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    // The secret is shown once, to be entered in the user's authenticator app:
    // in this answer, never in a URL (which browsers and proxies keep).
    let Some(secret) = secret else {
        return Ok(
            Redirect::to(&format!("/admin/users?created={}", user.username)).into_response(),
        );
    };
    let done = Done {
        created: Some(user.username.to_string()),
        secret: Some(secret),
        ..Done::default()
    };
    let page = users_answer(&state, t, &admin, &NewUserForm::default(), &[], &done).await?;
    Ok((StatusCode::CREATED, page).into_response())
}

/// The account an administrator acts on: another one than their own.
fn other_account(who: &Principal, name: &str, own: &str) -> Result<Username, Problem> {
    let username =
        Username::parse(name).map_err(|e| Problem::new(StatusCode::NOT_FOUND, e.to_string()))?;
    if username == who.user.username {
        return Err(Problem::new(StatusCode::BAD_REQUEST, own));
    }
    Ok(username)
}

/// Audits an administrator's act on an account; no active account is a 404.
async fn audited(
    state: &AppState,
    who: &Principal,
    action: &str,
    username: &Username,
    done: bool,
) -> Result<(), Problem> {
    let result = if done {
        AuditResult::Ok
    } else {
        AuditResult::NotFound
    };
    let object = format!("user {username}");
    audit(state, who.name(), action, &object, result, &who.origin).await;
    if done {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("there is no active account {username}"),
        ))
    }
}

pub async fn remove(
    State(state): State<AppState>,
    admin: UserAdmin,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let who = &admin.0;
    let username = other_account(who, &name, "you cannot remove your own account")?;
    let removed = state.store.remove_user(&username, state.now()).await?;
    audited(&state, who, "remove-user", &username, removed).await?;
    Ok(Redirect::to(&format!("/admin/users?removed={username}")).into_response())
}

/// Gives an account a temporary password, shown once to the administrator:
/// its lock ends, its sessions end, and it must choose its own password at
/// its next login. API tokens are separate credentials and stay.
pub async fn reset_password(
    State(state): State<AppState>,
    t: T,
    admin: UserAdmin,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let who = &admin.0;
    let username = other_account(who, &name, "change your own password on the password page")?;
    let password = temporary_password();
    let done = match state.store.credentials(&username).await? {
        Some(c) => {
            let hash = hash_password_off_workers(&password)
                .await
                .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
            state
                .store
                .set_password(c.user.id, &hash, true, None)
                .await?
        }
        None => false,
    };
    if done {
        // Its waits after failed checks end too, from every address.
        state.login_guard.forget(username.as_str());
    }
    audited(&state, who, "reset-password", &username, done).await?;
    let done = Done {
        reset: Some((username.to_string(), password)),
        ..Done::default()
    };
    Ok(
        users_answer(&state, t, &admin, &NewUserForm::default(), &[], &done)
            .await?
            .into_response(),
    )
}

pub async fn audit_page(
    State(state): State<AppState>,
    t: T,
    auditor: Auditor,
    Query(q): Query<AuditParams>,
) -> Result<Response, Problem> {
    let who = &auditor.0;
    let (found, errors) = match q.parse() {
        Ok((query, page)) => (Some(state.store.search_audit(&query, page).await?), vec![]),
        Err(e) => (
            None,
            e.into_iter()
                .map(|e| (format!("audit-{}", e.field), refusals::field(&t, &e)))
                .collect::<Vec<_>>(),
        ),
    };
    audit(
        &state,
        who.name(),
        "search-audit",
        "audit",
        AuditResult::Ok,
        &who.origin,
    )
    .await;
    let logins = super::login_watch::report(&state).await?;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    // Cases, applications and missions by their number or name rather than
    // their internal id.
    let mut named: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    if let Some(found) = &found {
        for e in &found.items {
            if named.contains_key(&e.object) {
                continue;
            }
            let Some((kind, id)) = e.object.split_once(' ') else {
                continue;
            };
            let label = match kind {
                "case" => match id.parse::<resettle_domain::CaseId>() {
                    Ok(id) => state.store.case(id).await?.map(|c| {
                        let n = c.submission.case_number.to_string();
                        t.with("audit-case", &[("number", n.into())])
                    }),
                    Err(_) => None,
                },
                "application" => match id.parse() {
                    Ok(id) => state.store.application(id).await?.map(|a| {
                        let n = a.application.sponsor_case_number.to_string();
                        t.with("audit-application", &[("number", n.into())])
                    }),
                    Err(_) => None,
                },
                "mission" => match id.parse() {
                    Ok(id) => state
                        .store
                        .mission(id)
                        .await?
                        .map(|m| t.with("audit-mission", &[("name", m.name.into())])),
                    Err(_) => None,
                },
                _ => None,
            };
            if let Some(label) = label {
                named.insert(e.object.clone(), label);
            }
        }
    }
    let object = |o: &str| -> String { named.get(o).cloned().unwrap_or_else(|| o.to_string()) };
    // The filters of this search, for the links to other pages.
    let filters: String = [
        ("actor", &q.actor),
        ("action", &q.action),
        ("object", &q.object),
        ("result", &q.result),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("&{k}={}", super::encode(v)))
    })
    .collect();
    let actions: Vec<String> = AUDIT_ACTIONS
        .iter()
        .map(|a| a.to_string())
        .chain(
            resettle_domain::ActionKind::ALL
                .iter()
                .map(|a| a.as_str().to_string()),
        )
        .collect();
    let body = html! {
        h1 { (t.t("audit-title")) }
        (super::login_watch::section(t, &logins))
        h2 { (t.t("audit-search-title")) }
        (error_summary(&t.t("filter-errors-title"), &errors))
        form.filters method="get" action="/admin/audit" {
            div.filter-grid {
                @for (name, label, v, kind) in [
                    ("actor", "field-actor", value(&q.actor), "text"),
                    ("object", "field-object", value(&q.object), "text"),
                    ("from", "field-from", value(&q.from), "date"),
                    ("to", "field-to", value(&q.to), "date"),
                ] {
                    div.field {
                        label for={ "audit-" (name) } { (t.t(label)) }
                        (field_error(&errors, &format!("audit-{name}")))
                        input id={ "audit-" (name) } name=(name) type=(kind) value=(v);
                    }
                }
                div.field {
                    label for="audit-action" { (t.t("field-action")) }
                    (field_error(&errors, "audit-action"))
                    select #audit-action name="action" {
                        option value="" { (t.t("cases-any")) }
                        @for a in &actions { option value=(a) selected[q.action.as_deref() == Some(a.as_str())] { (audit_action(t, a)) } }
                    }
                }
                div.field {
                    label for="audit-result" { (t.t("field-result")) }
                    (field_error(&errors, "audit-result"))
                    select #audit-result name="result" {
                        option value="" { (t.t("cases-any")) }
                        @for r in ["ok", "denied", "failed", "not-found"] { option value=(r) selected[q.result.as_deref() == Some(r)] { (t.t(&format!("audit-result-{r}"))) } }
                    }
                }
            }
            button type="submit" { (t.t("audit-search")) }
        }
        @if let Some(found) = found {
            p.count { (t.with(if found.total_exact { "audit-count" } else { "audit-count-more" }, &[("total", found.total.into())])) }
            div.table-scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (t.t("field-recorded-at")) }
                    th scope="col" { (t.t("field-actor")) }
                    th scope="col" { (t.t("field-action")) }
                    th scope="col" { (t.t("field-object")) }
                    th scope="col" { (t.t("field-result")) }
                    th scope="col" { (t.t("field-origin")) }
                } }
                tbody { @for e in &found.items { tr {
                    td.num { (e.seq) }
                    td { (t.date(e.at.date())) " " (format!("{:02}:{:02}:{:02}", e.at.hour(), e.at.minute(), e.at.second())) }
                    td { (e.actor) }
                    td { (audit_action(t, &e.action)) }
                    td { (object(&e.object)) }
                    td { (t.t(&format!("audit-result-{}", e.result))) }
                    td { (e.origin) }
                } } }
            } }
            @let pages = found.pages();
            @let position = t.with("cases-page", &[("page", found.page.into()), ("pages", pages.into())]);
            nav.pager aria-label=(position) {
                @if found.page > 1 { a rel="prev" href={ "/admin/audit?page=" (found.page - 1) (filters) } { (t.t("cases-previous")) } }
                span { (position) }
                @if i64::from(found.page) < pages { a rel="next" href={ "/admin/audit?page=" (found.page + 1) (filters) } { (t.t("cases-next")) } }
            }
        }
    };
    Ok(page(t, &t.t("audit-title"), "/admin/audit", Some(who), body).into_response())
}

/// Actions of the audit trail besides the case actions, for the filter.
const AUDIT_ACTIONS: &[&str] = &[
    "login",
    "logout",
    "read-case",
    "list-cases",
    "create-user",
    "change-password",
    "change-policy",
    "import-submissions",
    "placement-proposal",
    "export-report",
    "read-report",
    "forecast",
    "search-audit",
    "read-login-watch",
    "apply-family-reunification",
    "record-evidence",
    "interview",
    "decide",
    "extend-decision-term",
    "arrange-travel",
    "record-relatives-left-behind",
    "read-family-reunification-application",
    "create-mission",
    "link-case",
    "add-policy-note",
    "create-hold",
    "hold-message",
    "release-hold",
    "record-orientation",
    "set-profile",
    "set-travel",
    "bring-travel-forward",
];

/// An audit action in words: a case action by its label, others as recorded.
fn audit_action(t: T, action: &str) -> String {
    if let Ok(kind) = resettle_domain::ActionKind::parse(action) {
        return t.term("action", kind.as_str());
    }
    if let Some(kind) = action.strip_prefix("record-interview:") {
        let kind = t.term("interview", kind);
        return t.with("audit-action-record-interview", &[("kind", kind.into())]);
    }
    if let Some(status) = action.strip_prefix("change-mission:") {
        let status = t.term("mission-status", status);
        return t.with("audit-action-change-mission", &[("status", status.into())]);
    }
    if let Some(category) = action.strip_prefix("show-special:") {
        let label = t.term("special", category);
        return t.with("audit-action-show-special", &[("category", label.into())]);
    }
    // An action this version does not know (an older one's) shows as recorded.
    t.lookup(&format!("audit-action-{action}"))
        .unwrap_or_else(|| action.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;

    #[test]
    fn every_audit_action_of_the_filter_has_a_label_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            for action in AUDIT_ACTIONS {
                let label = audit_action(T(lang), action);
                assert_ne!(label, *action, "{action} shows as its code in {lang:?}");
            }
            for action in ["change-mission:cancelled", "record-interview:coa-intake"] {
                let label = audit_action(T(lang), action);
                assert!(!label.contains('⟦'), "{label}");
                assert!(
                    !label.contains("cancelled") && !label.contains("coa-intake"),
                    "{label}"
                );
            }
        }
    }
}
