//! The HTTP interface of Resettle: a JSON API under `/api/v1` (Dutch API Design
//! Rules: problem+json errors, OpenAPI generated from this code) and
//! server-rendered pages for case workers that work without JavaScript.

pub mod access;
pub mod api;
pub mod auth;
mod csrf;
mod filters;
pub mod forecasts;
pub mod norms;
mod pages;
pub mod placement;
mod problem;
pub mod reports;
mod security;
mod state;

pub use state::AppState;

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;

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
        .fallback(pages::fallback)
        .layer(axum::middleware::from_fn(problem::everywhere))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
