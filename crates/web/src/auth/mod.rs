//! Who is asking, and what they may do. Authentication happens here once:
//! the API takes bearer tokens only (it keeps no session state), the pages take
//! session cookies only. Handlers never look at roles: they ask for a
//! capability (`CaseReader`, `CaseActor`, `Importer`, `UserAdmin`, `Auditor`)
//! and receive it only when the role's permissions (the matrix in
//! `resettle_domain::access`) allow it. A refusal is answered and audited here.

pub mod secrets;

use crate::pages::{Lang, T};
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use resettle_domain::access::case_scope;
use resettle_domain::audit::AuditResult;
use resettle_domain::{ActionKind, CaseScope, Permission, Role, TokenScope, User};
use resettle_store::NewAuditEntry;

/// The cookie that carries a page session.
pub const SESSION_COOKIE: &str = "resettle_session";
/// The cookie that carries the login form's CSRF token before a session exists.
pub const LOGIN_CSRF_COOKIE: &str = "resettle_login_csrf";

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    /// A page session, with the CSRF token its forms must carry.
    Session { csrf: String },
    /// An API token.
    Token { scope: TokenScope },
}

/// An authenticated account making a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
    /// Where the request came from (client address), for the audit trail.
    pub origin: String,
}

impl Principal {
    pub fn name(&self) -> &str {
        self.user.username.as_str()
    }

    pub fn allows(&self, p: Permission) -> bool {
        self.user.role.allows(p)
    }

    /// The CSRF token of the page session (empty for API tokens).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token { .. } => "",
        }
    }
}

/// Appends an audit entry and waits until it is committed (the store's single
/// writer commits it with whatever else waits, in one transaction); a failure
/// to audit is logged, never shown to the user.
pub async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    object: &str,
    result: AuditResult,
    origin: &str,
) {
    let entry = NewAuditEntry {
        at: state.now(),
        actor: actor.to_string(),
        action: action.to_string(),
        object: object.to_string(),
        result,
        origin: origin.to_string(),
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(action, error = %e, "the audit entry was not written");
    }
}

/// A page session ends after this long without a request (and 8 hours after
/// login at the latest), unless the server is started with another limit.
pub const SESSION_IDLE: time::Duration = time::Duration::minutes(30);

/// Where an account chooses its own password.
pub const PASSWORD_PAGE: &str = "/account/password";

/// Why a request was refused.
#[derive(Debug)]
pub enum Denied {
    /// No valid credentials.
    Unauthenticated { api: bool, path: String },
    /// Valid credentials, insufficient permission: `detail` is in English
    /// for the API and in the reader's language (`t`) for a page.
    Forbidden {
        api: bool,
        t: T,
        detail: String,
        /// Who was refused: the page keeps their header (name, menu, log out).
        who: Box<Principal>,
    },
    /// A page session whose password an administrator reset: it may only
    /// choose a new one (or log out).
    PasswordMustChange,
    /// The store failed.
    Failed(Problem),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Unauthenticated { api: true, .. } => {
                let mut r = Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "sign in: send an API token as 'Authorization: Bearer TOKEN'",
                )
                .into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            Denied::Unauthenticated { api: false, path } => {
                Redirect::to(&format!("/login?next={}", crate::pages::encode(&path)))
                    .into_response()
            }
            Denied::Forbidden {
                api: true, detail, ..
            } => Problem::new(StatusCode::FORBIDDEN, detail).into_response(),
            Denied::Forbidden {
                api: false,
                t,
                detail,
                who,
            } => crate::pages::forbidden_page(t, &detail, Some(&who)),
            Denied::PasswordMustChange => Redirect::to(PASSWORD_PAGE).into_response(),
            Denied::Failed(p) => p.into_response(),
        }
    }
}

/// The client address, for the audit trail (see `crate::client`).
fn origin(parts: &Parts, state: &AppState) -> String {
    crate::client::ClientAddr::of(parts, state).0.to_string()
}

/// The request's path and query as the client sent it (nested routers strip their prefix).
fn original_uri(parts: &Parts) -> &axum::http::Uri {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0)
}

fn is_api(parts: &Parts) -> bool {
    original_uri(parts).path().starts_with("/api/")
}

/// The account behind the request, if it proves one.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, Denied> {
    let api = is_api(parts);
    let path = original_uri(parts)
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let unauthenticated = || Denied::Unauthenticated {
        api,
        path: path.clone(),
    };
    let now = state.now();
    let origin = origin(parts, state);
    let found = if api {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return Err(unauthenticated());
        };
        let found = state
            .store
            .token(&secrets::token_hash(token.trim()), now)
            .await;
        found.map(|o| {
            o.map(|(user, scope)| Principal {
                user,
                via: Via::Token { scope },
                origin: origin.clone(),
            })
        })
    } else {
        let Some(session) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthenticated());
        };
        let found = state
            .store
            .session(&secrets::token_hash(&session), now, state.session_idle)
            .await;
        let found = found.map_err(|e| Denied::Failed(e.into()))?;
        let allowed = [PASSWORD_PAGE, "/logout"].contains(&original_uri(parts).path());
        if found.as_ref().is_some_and(|s| s.password_must_change) && !allowed {
            return Err(Denied::PasswordMustChange);
        }
        Ok(found.map(|s| Principal {
            user: s.user,
            via: Via::Session { csrf: s.csrf },
            origin: origin.clone(),
        }))
    };
    let principal = found
        .map_err(|e| Denied::Failed(e.into()))?
        .ok_or_else(unauthenticated)?;
    let writes = !matches!(parts.method, Method::GET | Method::HEAD);
    if writes
        && matches!(
            principal.via,
            Via::Token {
                scope: TokenScope::Read
            }
        )
    {
        let t = reader_language(parts, api);
        return Err(Denied::Forbidden {
            api,
            t,
            detail: t.t("refused-read-only-token"),
            who: Box::new(principal),
        });
    }
    Ok(principal)
}

/// The language of a refusal: English for the API (like all its messages),
/// the reader's for a page.
fn reader_language(parts: &Parts, api: bool) -> T {
    if api { T(Lang::En) } else { T::of(parts) }
}

/// What `role` may not do (`act` is the message key of the act), in `t`.
fn role_may_not(t: T, role: Role, act: &str) -> String {
    t.with(
        "refused-role",
        &[
            ("role", t.term("role", role.as_str()).into()),
            ("act", t.t(act).into()),
        ],
    )
}

/// Refuses `principal`, recording the refusal; `act` is the message key of
/// what was refused (`act-…`).
async fn refuse(parts: &Parts, state: &AppState, principal: &Principal, act: &str) -> Denied {
    let object = format!("{} {}", parts.method, original_uri(parts).path());
    audit(
        state,
        principal.name(),
        "access",
        &object,
        AuditResult::Denied,
        &principal.origin,
    )
    .await;
    let api = is_api(parts);
    let t = reader_language(parts, api);
    Denied::Forbidden {
        api,
        t,
        detail: role_may_not(t, principal.user.role, act),
        who: Box::new(principal.clone()),
    }
}

/// Declares a capability that requires one permission.
macro_rules! capability {
    ($(#[$doc:meta])* $name:ident, $permission:expr, $act:literal) => {
        $(#[$doc])*
        pub struct $name(pub Principal);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Denied;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
                let principal = authenticate(parts, state).await?;
                if principal.allows($permission) {
                    Ok(Self(principal))
                } else {
                    Err(refuse(parts, state, &principal, $act).await)
                }
            }
        }
    };
}

capability!(
    /// May import UNHCR submissions.
    Importer, Permission::ImportSubmissions, "act-import-submissions"
);
capability!(
    /// May create and remove accounts.
    UserAdmin, Permission::ManageUsers, "act-manage-accounts"
);
capability!(
    /// May read the audit trail.
    Auditor, Permission::ReadAudit, "act-read-the-audit-trail"
);
capability!(
    /// May read the ledger's reports (aggregates, no personal data).
    ReportReader, Permission::ReadReports, "act-read-reports"
);
capability!(
    /// May read the policy.
    PolicyReader, Permission::ReadPolicy, "act-read-the-policy"
);
capability!(
    /// May change the policy.
    PolicyAdmin, Permission::ManagePolicy, "act-change-the-policy"
);
capability!(
    /// May propose placements of families in municipalities and confirm them.
    PlacementPlanner, Permission::PlanPlacement, "act-plan-placements"
);
capability!(
    /// May see missions, the dossier track, the plan and holds.
    MissionReader, Permission::ReadMissions, "act-see-missions"
);
capability!(
    /// May plan missions, change their status and select cases on them.
    MissionManager, Permission::ManageMissions, "act-manage-missions"
);
capability!(
    /// May read requests for submissions and country-policy notes.
    RequestReader, Permission::ReadSubmissionRequests, "act-read-requests-for-submissions"
);
capability!(
    /// May record country-policy notes.
    CountryPolicyEditor, Permission::ManageCountryPolicy, "act-record-country-policy"
);
capability!(
    /// May record interviews (of the kinds the role holds).
    Interviewer, Permission::RecordInterview, "act-record-interviews"
);
capability!(
    /// May see interviews, profiles, orientation and travel.
    PreparationReader, Permission::ReadPreparation, "act-see-the-preparation-of-cases"
);
capability!(
    /// May write profiles, orientation attendance and travel.
    Preparer, Permission::ManagePreparation, "act-prepare-cases-for-travel"
);
capability!(
    /// May put departures on hold and release them.
    HoldManager, Permission::ManageHolds, "act-manage-holds-on-departures"
);
capability!(
    /// May read family-reunification applications (within the role's scope).
    ReunificationReader, Permission::ReadReunification, "act-read-family-reunification"
);
capability!(
    /// May register applications and decide on family reunification (the IND).
    ReunificationDecider, Permission::DecideReunification, "act-decide-family-reunification"
);
capability!(
    /// May arrange granted relatives' travel and record their arrival (COA).
    ReunificationTravelArranger, Permission::ArrangeReunificationTravel, "act-arrange-family-reunification-travel"
);
capability!(
    /// May record the relatives a family leaves behind.
    LeftBehindRecorder, Permission::RecordRelativesLeftBehind, "act-record-relatives-left-behind"
);
capability!(
    /// May record consent to share, or override its absence.
    ConsentRecorder, Permission::RecordConsent, "act-record-consent"
);

/// May read the cases within `scope`, and no others.
pub struct CaseReader {
    pub principal: Principal,
    pub scope: CaseScope,
}

impl FromRequestParts<AppState> for CaseReader {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        let principal = authenticate(parts, state).await?;
        if !principal.allows(Permission::ReadCases) {
            return Err(refuse(parts, state, &principal, "act-read-cases").await);
        }
        let scope = case_scope(principal.user.role, principal.user.organisation.as_deref());
        Ok(Self { principal, scope })
    }
}

/// May take some lifecycle actions; each one is authorised with [`CaseActor::may`].
pub struct CaseActor {
    pub reader: CaseReader,
}

impl CaseActor {
    pub fn may(&self, action: ActionKind) -> bool {
        self.reader.principal.allows(Permission::Act(action))
    }
}

impl FromRequestParts<AppState> for CaseActor {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        let reader = CaseReader::from_request_parts(parts, state).await?;
        if reader.principal.user.role.actions().is_empty() {
            return Err(refuse(parts, state, &reader.principal, "act-change-cases").await);
        }
        Ok(Self { reader })
    }
}

/// Any signed-in account (the menu, logging out).
pub struct SignedIn(pub Principal);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        authenticate(parts, state).await.map(Self)
    }
}

/// The signed-in account, if any (pages that also work signed out).
pub struct MaybeSignedIn(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = Denied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(p) => Ok(Self(Some(p))),
            // Even a page that works signed out sends the account to choose its password.
            Err(Denied::PasswordMustChange) => Err(Denied::PasswordMustChange),
            Err(_) => Ok(Self(None)),
        }
    }
}

/// The value of cookie `name` in request headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
