//! The JSON API under `/api/v1`. Every handler is annotated for OpenAPI, so the
//! published document is generated from this code.

pub(crate) mod audit;
pub(crate) mod cases;
pub(crate) mod forecast;
mod health;
mod imports;
pub(crate) mod missions;
pub(crate) mod negotiation;
pub(crate) mod norms;
pub(crate) mod paging;
pub(crate) mod preparation;
pub(crate) mod reports;
pub(crate) mod reunification;

use crate::access::Rule;
use crate::state::AppState;
use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Header, Object, Ref, RefOr, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Resettle API",
        description = "Refugee resettlement case management: UNHCR submissions, IND assessment, COA \
                       preparation, arrival and housing, counted against policy frameworks.\n\n\
                       Every route but `/health` and `/openapi.json` needs an API token \
                       (`Authorization: Bearer TOKEN`, made with `resettle tokens create`); \
                       what a token may do follows the role of its account. Errors are \
                       `application/problem+json` (RFC 9457) with every invalid field listed. \
                       Lists are paged: follow a page's `next` and `previous` links.",
        contact(
            name = "Resettle maintainers",
            email = "resettle@example.org",
            url = "https://resettle.example.org/api-reference"
        ),
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "cases", description = "Cases, their members and their history"),
        (name = "imports", description = "Bulk import of UNHCR submissions"),
        (name = "system", description = "Health of the service and this document"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "reports", description = "The quota ledger: Parliament's figures, live from case data"),
        (name = "missions", description = "Selection missions, the dossier track, country policy, requests for submissions and holds"),
        (name = "family-reunification", description = "Family reunification (nareis): relatives left behind, applications, the IND's decisions, travel and arrival"),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

/// Declares the bearer-token scheme every protected route uses.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut OpenApiDoc) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme =
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", scheme);
    }
}

/// The API routes, with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(openapi_json))
        .routes(routes!(cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::list_transitions, cases::create_transition))
        .routes(routes!(cases::get_transition))
        .routes(routes!(cases::create_consent))
        .routes(routes!(audit::list_audit))
        .routes(routes!(audit::get_login_watch))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::get_policy, reports::put_policy))
        .routes(routes!(reports::list_policy_versions))
        .routes(routes!(forecast::create_forecast))
        .routes(routes!(norms::get_norms))
        .routes(routes!(imports::create_import))
        .routes(routes!(missions::list_missions, missions::create_mission))
        .routes(routes!(missions::get_mission))
        .routes(routes!(missions::create_mission_change))
        .routes(routes!(missions::create_mission_case))
        .routes(routes!(missions::get_mission_plan))
        .routes(routes!(missions::get_submission_request))
        .routes(routes!(
            missions::list_policy_notes,
            missions::create_policy_note
        ))
        .routes(routes!(missions::list_holds, missions::create_hold))
        .routes(routes!(missions::create_release))
        .routes(routes!(missions::create_hold_message))
        .routes(routes!(preparation::get_preparation))
        .routes(routes!(preparation::create_interview))
        .routes(routes!(preparation::put_profile))
        .routes(routes!(preparation::create_orientation))
        .routes(routes!(preparation::put_travel))
        .routes(routes!(
            reunification::list_applications,
            reunification::create_application
        ))
        .routes(routes!(reunification::get_application))
        .routes(routes!(reunification::create_decision))
        .routes(routes!(reunification::create_travel))
        .routes(routes!(
            reunification::get_left_behind,
            reunification::put_left_behind
        ))
}

/// The routes that need no token.
pub const PUBLIC: [&str; 3] = ["/health", "/health/ready", "/openapi.json"];

/// The OpenAPI document of the API, generated once from the annotations of
/// the handlers and completed with what holds for every operation.
pub fn document() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = routes().split_for_parts();
        doc.info.version = crate::security::API_VERSION.to_string();
        doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
        for (path, item) in doc.paths.paths.iter_mut() {
            let public = PUBLIC.contains(&path.as_str());
            let ops = [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, op) in ops {
                if let Some(op) = op.as_mut() {
                    describe_access(op, method, path);
                    complete(op, public, method != "GET" && method != "DELETE");
                }
            }
        }
        doc
    })
}

/// Ends the operation's description with who may call it, from the access
/// matrix the server enforces.
fn describe_access(op: &mut Operation, method: &str, path: &str) {
    let full = format!("/api/v1{path}");
    let rule = crate::access::ROUTES
        .iter()
        .find(|r| r.method == method && r.path == full)
        .map(|r| r.rule);
    let who = match rule {
        Some(Rule::Public) => "Public: no token needed.".to_string(),
        Some(rule) => {
            let roles: Vec<String> = resettle_domain::Role::ALL
                .iter()
                .filter(|role| rule.allows(**role))
                .map(|role| format!("`{role}`"))
                .collect();
            let writes = if method == "GET" {
                ""
            } else {
                " A read-only token is refused (403)."
            };
            format!(
                "Needs a token of an account with one of these roles: {}.{writes}",
                roles.join(", ")
            )
        }
        None => return,
    };
    op.description = Some(match op.description.take() {
        Some(d) if !d.trim().is_empty() => format!("{d}\n\n{who}"),
        _ => who,
    });
}

/// Adds to one operation what the server does for every request: the
/// `API-Version` header on every answer, and the refusals that come before
/// the handler (no token, a role without the permission, a body that is not
/// JSON, an `Accept` the API cannot serve, a malformed parameter).
fn complete(op: &mut Operation, public: bool, has_body: bool) {
    let responses = &mut op.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    };
    if public {
        op.security = Some(vec![]);
    } else {
        add(
            "401",
            "No valid API token: send one as `Authorization: Bearer TOKEN`",
        );
        add(
            "403",
            "The token's account may not do this (its role), or the token is read-only",
        );
    }
    add(
        "406",
        "The `Accept` header admits none of the media types this operation answers with",
    );
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_body {
        add(
            "415",
            "The body is not `application/json` (see `Content-Type`)",
        );
    }
    if has_body || has_params {
        add(
            "400",
            "A parameter or the body is malformed; every bad field is listed",
        );
    }
    for response in responses.values_mut() {
        if let RefOr::T(r) = response {
            r.headers
                .entry("API-Version".to_string())
                .or_insert_with(|| RefOr::T(version_header()));
        }
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    let mut r = utoipa::openapi::Response::new(description);
    r.content.insert(
        "application/problem+json".to_string(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    r
}

fn version_header() -> Header {
    let mut h = Header::new(Object::with_type(Type::String));
    h.description = Some("The full version of the API, e.g. `1.0.0`".to_string());
    h
}

/// This document: the OpenAPI 3 description of the API, generated from the
/// code that serves it.
///
/// Public, and readable from any origin (CORS), so that tools and client
/// generators can fetch it. The same document is shown for people at
/// `/api-reference`.
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses(
        (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"),
    ))]
pub async fn openapi_json() -> Response {
    let mut response = Json(document()).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
