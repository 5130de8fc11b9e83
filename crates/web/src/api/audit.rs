//! The audit trail, for administrators: search, newest first.

use crate::api::paging::{self, AuditPage, Listed};
use crate::auth::{Auditor, audit};
use crate::filters::{number, opt, too_deep};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use resettle_domain::audit::{AuditRecord, AuditResult};
use resettle_domain::login_watch::{LoginReport, watch};
use resettle_domain::rule;
use resettle_domain::rule::{FieldProblem, Rule};
use resettle_store::{AuditQuery, Page, PageRequest};
use serde::Deserialize;
use time::Duration;
use utoipa::IntoParams;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Exactly this account.
    pub actor: Option<String>,
    /// Exactly this action, e.g. `login` or `read-case`.
    pub action: Option<String>,
    /// Objects containing this text, e.g. a case id.
    pub object: Option<String>,
    /// `ok`, `denied`, `failed` or `not-found`.
    pub result: Option<String>,
    /// From this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Up to and including this day.
    pub to: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Entries per page, 1 to 500 (default 50).
    pub page_size: Option<String>,
    /// From the `next` or `previous` link of another page: continues the
    /// trail from there, however deep (numbered pages reach the first 10,000).
    pub cursor: Option<String>,
}

/// A cursor of the trail: `a.SEQ`, the entries after entry SEQ in list order
/// (older), or `b.SEQ`, those before it (newer).
fn cursor(v: &str) -> Result<(Option<i64>, Option<i64>), FieldProblem> {
    let seq = |n: &str| n.parse::<i64>().ok().filter(|n| *n > 0);
    match v.split_once('.') {
        Some(("a", n)) if seq(n).is_some() => Ok((seq(n), None)),
        Some(("b", n)) if seq(n).is_some() => Ok((None, seq(n))),
        _ => Err(FieldProblem::new(
            "cursor",
            Rule::Cursor,
            format!(
                "'{v}' is not a cursor of this list: follow the next or previous link of a page"
            ),
        )
        .with("value", v)),
    }
}

impl AuditParams {
    pub fn parse(&self) -> Result<(AuditQuery, PageRequest), Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let from = opt(&mut errors, "from", &self.from, rule::date);
        let to = opt(&mut errors, "to", &self.to, rule::date);
        let result = opt(&mut errors, "result", &self.result, AuditResult::parse);
        let (before_seq, after_seq) =
            opt(&mut errors, "cursor", &self.cursor, cursor).unwrap_or_default();
        let query = AuditQuery {
            actor: text(&self.actor),
            action: text(&self.action),
            object: text(&self.object),
            result,
            from,
            to,
            before_seq,
            after_seq,
        };
        let page = opt(&mut errors, "page", &self.page, number(u32::MAX)).unwrap_or(1);
        let size = opt(
            &mut errors,
            "pageSize",
            &self.page_size,
            number(PageRequest::MAX_SIZE),
        )
        .unwrap_or(50);
        let page = PageRequest::new(page, size);
        let bounded = query.before_seq.is_some() || query.after_seq.is_some();
        if let Err(deep) = page.within_reach()
            && !bounded
        {
            errors.push(too_deep(deep));
        }
        if errors.is_empty() {
            Ok((query, page))
        } else {
            Err(errors)
        }
    }
}

/// Searches the audit trail, newest first.
#[utoipa::path(get, path = "/audit-entries", tag = "audit", params(AuditParams),
    responses(
        (status = 200, description = "One page of entries", body = AuditPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_audit(
    State(state): State<AppState>,
    auditor: Auditor,
    uri: Uri,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditPage>, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let (query, page) = params
        .parse()
        .map_err(|e| Problem::bad_request("the audit search is invalid", e))?;
    let p = &auditor.0;
    audit(
        &state,
        p.name(),
        "search-audit",
        "audit",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    // A page from a cursor asks for one entry more, to know whether the
    // trail goes on in the direction it was walked.
    let size = page.page_size;
    let walked = query.before_seq.is_some() || query.after_seq.is_some();
    let ask = PageRequest {
        page_size: if walked { size + 1 } else { size },
        ..page.clone()
    };
    let found = state.store.search_audit(&query, ask).await?;
    Ok(Json(audit_page(&uri, &query, &page, found)))
}

/// A page of the trail with links to its neighbours, by cursor: the trail
/// grows while it is read, and a link by number would shift under it.
fn audit_page(
    uri: &Uri,
    query: &AuditQuery,
    request: &PageRequest,
    found: Page<AuditRecord>,
) -> AuditPage {
    let size = request.page_size as usize;
    let mut items = found.items;
    let extra = items.len() > size;
    let (more_after, more_before) = if query.before_seq.is_some() {
        items.truncate(size);
        (extra, true)
    } else if query.after_seq.is_some() {
        if extra {
            items.remove(0);
        }
        (true, extra)
    } else {
        let seen = request.offset() + items.len() as i64;
        (seen < found.total || !found.total_exact, request.page > 1)
    };
    let next = items.last().filter(|_| more_after).map(|e| {
        paging::link(
            uri,
            request.page.saturating_add(1),
            Some(&format!("a.{}", e.seq)),
        )
    });
    let previous = items.first().filter(|_| more_before).map(|e| {
        paging::link(
            uri,
            request.page.saturating_sub(1).max(1),
            Some(&format!("b.{}", e.seq)),
        )
    });
    Listed {
        items,
        page: request.page,
        page_size: request.page_size,
        total: found.total,
        total_exact: found.total_exact,
        next,
        previous,
    }
    .into()
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginWatchParams {
    /// Hours watched, up to now: 1 to 720 (default 24). The 30 days before
    /// them say what is usual.
    pub hours: Option<String>,
}

/// The report of the login watch over the `window` up to now.
pub(crate) async fn login_report(
    state: &AppState,
    window: Duration,
) -> Result<LoginReport, Problem> {
    let now = state.now();
    let look_back = Duration::days(30);
    let events = state
        .store
        .login_events((now - window - look_back).date())
        .await?;
    Ok(watch(&events, now, window, look_back))
}

/// The login watch: hours with a spike of failed logins (at least 10, and at
/// least 3 times the usual number per hour) and successful logins from an
/// address new for the account, for monitoring (BIO2).
#[utoipa::path(get, path = "/login-watch", tag = "audit", params(LoginWatchParams),
    responses(
        (status = 200, description = "The report", body = LoginReport),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_login_watch(
    State(state): State<AppState>,
    auditor: Auditor,
    params: Result<Query<LoginWatchParams>, QueryRejection>,
) -> Result<Json<LoginReport>, Problem> {
    let Query(params) = params.map_err(|r| Problem::bad_request(r.body_text(), vec![]))?;
    let mut errors = Vec::new();
    let hours = opt(&mut errors, "hours", &params.hours, number(720)).unwrap_or(24);
    if !errors.is_empty() {
        return Err(Problem::bad_request(
            "the login watch request is invalid",
            errors,
        ));
    }
    let p = &auditor.0;
    audit(
        &state,
        p.name(),
        "read-login-watch",
        "audit",
        AuditResult::Ok,
        &p.origin,
    )
    .await;
    Ok(Json(
        login_report(&state, Duration::hours(i64::from(hours))).await?,
    ))
}
