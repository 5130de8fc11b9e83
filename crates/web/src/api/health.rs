use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use resettle_store::Backend;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the service answers.
    status: &'static str,
    #[schema(value_type = String, example = "sqlite")]
    database: Backend,
    version: &'static str,
}

/// Whether the process is alive (liveness): it answers without asking the
/// database, so that an orchestrator does not restart every server while the
/// database is away; `/health/ready` says whether requests can be served.
#[utoipa::path(get, path = "/health", tag = "system",
    responses(
        (status = 200, description = "The process answers (whatever the database's state: see /health/ready)", body = Health),
    ))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        database: state.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Whether the service can take requests now: the database answers and the
/// group writer commits (for load balancers and a readiness probe; `/health`
/// is the liveness answer).
#[utoipa::path(get, path = "/health/ready", tag = "system",
    responses(
        (status = 200, description = "The database answers and writes get through", body = Health),
        (status = 503, description = "The database or the writer does not answer; try again after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, Problem> {
    state.store.ready().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        Problem {
            retry_after: Some(crate::problem::RETRY_AFTER_SECONDS),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database or the writer does not answer",
            )
        }
    })?;
    Ok(Json(Health {
        status: "ok",
        database: state.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
