//! The declared access matrix: every route with the rule that guards it. The
//! guard itself is the capability a handler asks for (see `auth`); this table
//! states the same rules as data, so a test can walk every route for every
//! role, and a route that is missing here fails that test.

use resettle_domain::{ActionKind, Permission, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Accounts whose role holds this permission.
    Needs(Permission),
    /// Accounts whose role may take at least one lifecycle action.
    AnyAction,
}

impl Rule {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Rule::Public | Rule::SignedIn => true,
            Rule::Needs(p) => role.allows(p),
            Rule::AnyAction => ActionKind::ALL
                .iter()
                .any(|a| role.allows(Permission::Act(*a))),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Rule,
}

const fn r(method: &'static str, path: &'static str, rule: Rule) -> RouteRule {
    RouteRule { method, path, rule }
}

use Permission::*;
use Rule::*;

pub const ROUTES: &[RouteRule] = &[
    // API (bearer tokens)
    r("GET", "/api/v1/health", Public),
    r("GET", "/api/v1/health/ready", Public),
    r("GET", "/api/v1/openapi.json", Public),
    r("GET", "/api/v1/cases", Needs(ReadCases)),
    r("GET", "/api/v1/cases/{id}", Needs(ReadCases)),
    r("GET", "/api/v1/cases/{id}/transitions", Needs(ReadCases)),
    r("POST", "/api/v1/cases/{id}/transitions", AnyAction),
    r(
        "GET",
        "/api/v1/cases/{id}/transitions/{seq}",
        Needs(ReadCases),
    ),
    r("POST", "/api/v1/cases/{id}/consents", Needs(RecordConsent)),
    r(
        "POST",
        "/api/v1/submission-imports",
        Needs(ImportSubmissions),
    ),
    r("GET", "/api/v1/audit-entries", Needs(ReadAudit)),
    r("GET", "/api/v1/login-watch", Needs(ReadAudit)),
    r("GET", "/api/v1/reports/{name}", Needs(ReadReports)),
    r("GET", "/api/v1/policy", Needs(ReadPolicy)),
    r("PUT", "/api/v1/policy", Needs(ManagePolicy)),
    r("GET", "/api/v1/policy/versions", Needs(ReadPolicy)),
    r("POST", "/api/v1/forecasts", Needs(ReadReports)),
    r("GET", "/api/v1/norms", Needs(ReadCases)),
    r("GET", "/api/v1/missions", Needs(ReadMissions)),
    r("POST", "/api/v1/missions", Needs(ManageMissions)),
    r("GET", "/api/v1/missions/{id}", Needs(ReadMissions)),
    r(
        "POST",
        "/api/v1/missions/{id}/changes",
        Needs(ManageMissions),
    ),
    r("POST", "/api/v1/missions/{id}/cases", Needs(ManageMissions)),
    r(
        "GET",
        "/api/v1/missions/{id}/submission-request",
        Needs(ReadSubmissionRequests),
    ),
    r("GET", "/api/v1/mission-plans/{year}", Needs(ReadMissions)),
    r(
        "GET",
        "/api/v1/country-policy-notes",
        Needs(ReadSubmissionRequests),
    ),
    r(
        "POST",
        "/api/v1/country-policy-notes",
        Needs(ManageCountryPolicy),
    ),
    r("GET", "/api/v1/holds", Needs(ReadMissions)),
    r("POST", "/api/v1/holds", Needs(ManageHolds)),
    r("POST", "/api/v1/holds/{id}/release", Needs(ManageHolds)),
    r("POST", "/api/v1/holds/{id}/messages", Needs(ManageHolds)),
    r(
        "GET",
        "/api/v1/family-reunification-applications",
        Needs(ReadReunification),
    ),
    r(
        "POST",
        "/api/v1/family-reunification-applications",
        Needs(DecideReunification),
    ),
    r(
        "GET",
        "/api/v1/family-reunification-applications/{id}",
        Needs(ReadReunification),
    ),
    r(
        "POST",
        "/api/v1/family-reunification-applications/{id}/decisions",
        Needs(DecideReunification),
    ),
    r(
        "POST",
        "/api/v1/family-reunification-applications/{id}/travel",
        Needs(ArrangeReunificationTravel),
    ),
    r(
        "GET",
        "/api/v1/cases/{id}/relatives-left-behind",
        Needs(ReadReunification),
    ),
    r(
        "PUT",
        "/api/v1/cases/{id}/relatives-left-behind",
        Needs(RecordRelativesLeftBehind),
    ),
    r(
        "GET",
        "/api/v1/cases/{id}/preparation",
        Needs(ReadPreparation),
    ),
    r(
        "POST",
        "/api/v1/cases/{id}/interviews",
        Needs(RecordInterview),
    ),
    r(
        "PUT",
        "/api/v1/cases/{id}/profile",
        Needs(ManagePreparation),
    ),
    r(
        "POST",
        "/api/v1/cases/{id}/orientation-sessions",
        Needs(ManagePreparation),
    ),
    r("PUT", "/api/v1/cases/{id}/travel", Needs(ManagePreparation)),
    // Pages (session cookies)
    r("GET", "/", SignedIn),
    r("GET", "/login", Public),
    r("POST", "/login", Public),
    r("POST", "/logout", SignedIn),
    r("GET", "/language", Public),
    r("GET", "/accessibility", Public),
    r("GET", "/api-reference", Public),
    r("GET", "/assets/style.css", Public),
    r("GET", "/cases", Needs(ReadCases)),
    r("GET", "/cases/{id}", Needs(ReadCases)),
    r("POST", "/cases/{id}/transitions", AnyAction),
    r("POST", "/cases/{id}/consents", Needs(RecordConsent)),
    r("POST", "/cases/{id}/preparation", Needs(RecordInterview)),
    r("GET", "/admin/users", Needs(ManageUsers)),
    r("POST", "/admin/users", Needs(ManageUsers)),
    r("POST", "/admin/users/{name}/removal", Needs(ManageUsers)),
    r(
        "POST",
        "/admin/users/{name}/password-reset",
        Needs(ManageUsers),
    ),
    r("GET", "/account/password", SignedIn),
    r("POST", "/account/password", SignedIn),
    r("GET", "/admin/audit", Needs(ReadAudit)),
    r("GET", "/reports", Needs(ReadReports)),
    r("GET", "/reports/{name}", Needs(ReadReports)),
    r("GET", "/reports/frameworks/print", Needs(ReadReports)),
    r("GET", "/forecast", Needs(ReadReports)),
    r("GET", "/norms", Needs(ReadCases)),
    r("GET", "/placement", Needs(PlanPlacement)),
    r("POST", "/placement/review", Needs(PlanPlacement)),
    r("POST", "/placement/confirmations", Needs(PlanPlacement)),
    r("POST", "/placement/confirm", Needs(PlanPlacement)),
    r("GET", "/submissions", Needs(ImportSubmissions)),
    r("POST", "/submissions/preview", Needs(ImportSubmissions)),
    r("POST", "/submissions/import", Needs(ImportSubmissions)),
    r("POST", "/submissions/case", Needs(ImportSubmissions)),
    r("GET", "/submission-requests", Needs(ReadSubmissionRequests)),
    r("GET", "/missions", Needs(ReadMissions)),
    r("POST", "/missions", Needs(ManageMissions)),
    r("GET", "/missions/{id}", Needs(ReadMissions)),
    r("POST", "/missions/{id}/changes", Needs(ManageMissions)),
    r("POST", "/missions/{id}/cases", Needs(ManageMissions)),
    r(
        "GET",
        "/missions/{id}/submission-request",
        Needs(ReadSubmissionRequests),
    ),
    r("GET", "/holds", Needs(ReadMissions)),
    r(
        "GET",
        "/country-policy-notes",
        Needs(ReadSubmissionRequests),
    ),
    r("POST", "/country-policy-notes", Needs(ManageCountryPolicy)),
    r("POST", "/holds", Needs(ManageHolds)),
    r(
        "GET",
        "/cases/{id}/relatives-left-behind",
        Needs(RecordRelativesLeftBehind),
    ),
    r(
        "POST",
        "/cases/{id}/relatives-left-behind",
        Needs(RecordRelativesLeftBehind),
    ),
    r("GET", "/family-reunification", Needs(ReadReunification)),
    r("POST", "/family-reunification", Needs(DecideReunification)),
    r(
        "GET",
        "/family-reunification/{id}",
        Needs(ReadReunification),
    ),
    r(
        "POST",
        "/family-reunification/{id}/decisions",
        Needs(DecideReunification),
    ),
    r(
        "POST",
        "/family-reunification/{id}/travel",
        Needs(ArrangeReunificationTravel),
    ),
    r("GET", "/policy", Needs(ReadPolicy)),
    r("POST", "/policy", Needs(ManagePolicy)),
];

/// The matrix as a Markdown table: routes × roles (for the documentation).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| route |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    for route in ROUTES {
        out.push_str(&format!("\n| `{} {}` |", route.method, route.path));
        for role in Role::ALL {
            out.push_str(if route.rule.allows(*role) {
                " ✔ |"
            } else {
                " – |"
            });
        }
    }
    out.push('\n');
    out
}
