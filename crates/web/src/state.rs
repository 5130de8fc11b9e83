//! What every handler can reach: the store, the clock and the web settings.

use resettle_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Recent login attempts per client address, for rate limiting.
    login_attempts: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    /// A page session ends after this long without a request.
    pub session_idle: time::Duration,
}

/// Login attempts allowed per client address per minute.
pub const LOGIN_ATTEMPTS_PER_MINUTE: usize = 10;

impl AppState {
    /// The state of a server on `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            secure_cookies: false,
            login_attempts: Arc::default(),
            session_idle: crate::auth::SESSION_IDLE,
        }
    }

    /// Page sessions end after `idle` without a request instead of
    /// [`SESSION_IDLE`](crate::auth::SESSION_IDLE).
    pub fn with_session_idle(mut self, idle: time::Duration) -> Self {
        self.session_idle = idle;
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

    /// Counts a login attempt from `origin`; false when the limit is reached.
    pub fn allow_login_attempt(&self, origin: &str) -> bool {
        let now = Instant::now();
        let Ok(mut map) = self.login_attempts.lock() else {
            return false;
        };
        let recent = map.entry(origin.to_string()).or_default();
        recent.retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        if recent.len() >= LOGIN_ATTEMPTS_PER_MINUTE {
            return false;
        }
        recent.push(now);
        true
    }
}
