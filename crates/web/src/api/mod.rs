//! The JSON API under `/api/v1`. Every handler is annotated for OpenAPI, so the
//! published document is generated from this code.

pub(crate) mod audit;
pub(crate) mod cases;
pub(crate) mod forecast;
mod health;
mod imports;
pub(crate) mod missions;
pub(crate) mod norms;
pub(crate) mod preparation;
pub(crate) mod reports;

use crate::state::AppState;
use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Resettle API",
        description = "Refugee resettlement case management: UNHCR submissions, IND assessment, COA \
                       preparation, arrival and housing, counted against policy frameworks.",
        contact(name = "Resettle maintainers", email = "resettle@example.org"),
        license(name = "EUPL-1.2"),
    ),
    tags(
        (name = "cases", description = "Cases, their members and their history"),
        (name = "imports", description = "Bulk import of UNHCR submissions"),
        (name = "system", description = "Health of the service"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "reports", description = "The quota ledger: Parliament's figures, live from case data"),
        (name = "missions", description = "Selection missions, the dossier track, country policy, requests for submissions and holds"),
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
}

/// The OpenAPI document route, public and readable from any origin.
pub fn openapi_route(mut doc: OpenApiDoc) -> axum::Router<AppState> {
    doc.info.version = crate::security::API_VERSION.to_string();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    let doc = std::sync::Arc::new(doc);
    axum::Router::new().route(
        "/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move {
                let mut response = Json(doc.as_ref().clone()).into_response();
                response.headers_mut().insert(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                );
                response
            }
        }),
    )
}
