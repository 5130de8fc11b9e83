//! The HTTP interface of Resettle: a JSON API under `/api/v1` (Dutch API Design
//! Rules: problem+json errors, OpenAPI generated from this code) and
//! server-rendered pages for case workers that work without JavaScript.

pub mod access;
pub mod api;
pub mod auth;
pub mod client;
mod csrf;
mod filters;
pub mod forecasts;
pub mod format;
pub mod limits;
pub mod login_guard;
pub mod metrics;
pub mod norms;
mod pages;
// The language of a page or an export, and the catalogs of translations,
// for the CLI too.
pub use fluent_bundle::FluentValue;
pub use pages::{Catalog, Lang, T, key_problems, keys};
pub mod placement;
mod problem;
pub mod reports;
mod security;
mod state;

pub use client::IpNet;
pub use limits::Limits;
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderName;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The whole application: API, pages and the security headers on every response.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::routes().split_for_parts();
    Router::new()
        .nest(
            "/api/v1",
            api.layer(axum::middleware::from_fn(api::negotiation::accept)),
        )
        .route("/api-reference", axum::routing::get(pages::api_reference))
        .merge(pages::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        )))
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback(pages::fallback)
        // Bodies are read within the limits of `limits::bodies`, per route.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bodies,
        ))
        .layer(axum::middleware::from_fn(problem::everywhere))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        // Every request gets an id (or keeps a proxy's); its log lines carry
        // it and the response sends it back, so an officer's report of a
        // failure leads to the log.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The header that carries a request's id.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The log span of a request: its id, method and path, never its query.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
}

/// Serves the application on `listener` until `shutdown` completes, within
/// the state's [`Limits`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits;
    limits::serve(listener, router(state), limits, shutdown).await
}
