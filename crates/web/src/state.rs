//! What every handler can reach: the store, and who is acting.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use resettle_store::Store;
use std::convert::Infallible;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The name recorded as actor of every change until personal accounts exist.
    pub operator: Arc<str>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, operator: &str) -> Self {
        Self {
            store,
            operator: operator.into(),
        }
    }

    /// The current time; the one place the web layer reads the clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Who makes a request. Every change is recorded with this name.
#[derive(Debug, Clone)]
pub struct Actor(pub String);

impl FromRequestParts<AppState> for Actor {
    type Rejection = Infallible;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Actor(state.operator.to_string()))
    }
}
