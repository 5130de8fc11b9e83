//! What every handler can reach: the store, the clock and the web settings.

use crate::client::IpNet;
use crate::limits::Limits;
use crate::login_guard::LoginGuard;
use resettle_store::Store;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Counts password checks per client address and per name from it.
    pub login_guard: Arc<LoginGuard>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[IpNet]>,
    /// Timeouts, connection and body limits.
    pub limits: Limits,
    /// A page session ends after this long without a request.
    pub session_idle: time::Duration,
}

impl AppState {
    /// The state of a server on `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            secure_cookies: false,
            login_guard: Arc::default(),
            trusted_proxies: Arc::from([]),
            limits: Limits::default(),
            session_idle: crate::auth::SESSION_IDLE,
        }
    }

    /// Page sessions end after `idle` without a request instead of
    /// [`SESSION_IDLE`](crate::auth::SESSION_IDLE).
    pub fn with_session_idle(mut self, idle: time::Duration) -> Self {
        self.session_idle = idle;
        self
    }

    /// Takes the client address from `X-Forwarded-For` when the connection
    /// comes from one of `proxies`.
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpNet>) -> Self {
        self.trusted_proxies = proxies.into();
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The current time; the one place the web layer reads the clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// Today's business day: the date in the Netherlands now (not in UTC,
    /// which is still yesterday for the first hour or two of a Dutch day).
    pub fn today(&self) -> time::Date {
        resettle_domain::calendar::business_day(self.now())
    }
}
