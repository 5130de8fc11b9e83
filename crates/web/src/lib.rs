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
pub mod limits;
pub mod login_guard;
pub mod norms;
mod pages;
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
use tokio::net::TcpListener;

/// The whole application: API, pages and the security headers on every response.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    Router::new()
        .nest("/api/v1", api.merge(api::openapi_route(openapi)))
        .merge(pages::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        )))
        .fallback(pages::fallback)
        // Bodies are read within the limits of `limits::bodies`, per route.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bodies,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .with_state(state)
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
