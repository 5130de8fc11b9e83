//! The one guard for every place a password (or second-factor code) is
//! checked: the login form and the password change. Kept in memory, keyed on
//! the client address and on the name tried from it, so that
//! - a known and an unknown name are answered alike (the count does not
//!   depend on whether the account exists: no enumeration);
//! - a stranger elsewhere cannot lock a real user out (the lock holds only
//!   for the name *from the address* that failed);
//! - one address cannot try many names quickly (a per-address limit).
//!
//! Entries expire: a sweep at most once a minute drops what no longer counts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed per client address per minute (any name).
pub const ATTEMPTS_PER_MINUTE: usize = 10;
/// Failures of one name from one address before it waits.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait after repeated failures.
pub const LONGEST_WAIT: Duration = Duration::from_secs(3600);

const MINUTE: Duration = Duration::from_secs(60);

/// What the guard says to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Allowed,
    /// Too many attempts from this address in the last minute.
    TooFast { first: bool },
    /// This name failed too often from this address; it waits this long.
    Waiting { minutes: u64, first: bool },
}

impl Verdict {
    /// Whether this refusal is the first of its block (only that one is
    /// audited; the ones after it are counted).
    pub fn first_refusal(self) -> bool {
        matches!(
            self,
            Verdict::TooFast { first: true } | Verdict::Waiting { first: true, .. }
        )
    }
}

#[derive(Default)]
struct Address {
    recent: Vec<Instant>,
    refused: u64,
}

struct Failures {
    count: u32,
    last: Instant,
    until: Option<Instant>,
    refused: u64,
}

#[derive(Default)]
struct Tables {
    addresses: HashMap<IpAddr, Address>,
    names: HashMap<(String, IpAddr), Failures>,
    swept: Option<Instant>,
}

#[derive(Default)]
pub struct LoginGuard {
    tables: Mutex<Tables>,
}

/// The wait after `failures` failures of one name from one address: none for
/// the first few, then a minute doubling per failure up to an hour.
pub fn wait_after(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    Some((MINUTE * (1u32 << over.min(6))).min(LONGEST_WAIT))
}

/// Names compare without case, as at login.
fn key(name: &str, addr: IpAddr) -> (String, IpAddr) {
    (name.trim().to_lowercase(), addr)
}

impl LoginGuard {
    /// Counts an attempt of `name` from `addr` at `now`.
    pub fn attempt(&self, name: &str, addr: IpAddr, now: Instant) -> Verdict {
        let Ok(mut t) = self.tables.lock() else {
            return Verdict::TooFast { first: false };
        };
        t.sweep(now);
        if let Some(f) = t.names.get_mut(&key(name, addr))
            && let Some(until) = f.until.filter(|u| *u > now)
        {
            f.refused += 1;
            let minutes = (until - now).as_secs().div_ceil(60);
            return Verdict::Waiting {
                minutes,
                first: f.refused == 1,
            };
        }
        let a = t.addresses.entry(addr).or_default();
        a.recent.retain(|at| now.duration_since(*at) < MINUTE);
        if a.recent.len() >= ATTEMPTS_PER_MINUTE {
            a.refused += 1;
            return Verdict::TooFast {
                first: a.refused == 1,
            };
        }
        if a.refused > 1 {
            tracing::warn!(%addr, refused = a.refused, "login attempts refused by the rate limit");
        }
        a.refused = 0;
        a.recent.push(now);
        Verdict::Allowed
    }

    /// Counts a failed check of `name` from `addr`.
    pub fn failed(&self, name: &str, addr: IpAddr, now: Instant) {
        metrics::counter!("resettle_login_failures_total").increment(1);
        let Ok(mut t) = self.tables.lock() else {
            return;
        };
        let f = t.names.entry(key(name, addr)).or_insert(Failures {
            count: 0,
            last: now,
            until: None,
            refused: 0,
        });
        if f.refused > 1 {
            tracing::warn!(%addr, refused = f.refused, "login attempts refused while waiting");
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
        f.refused = 0;
        f.until = wait_after(f.count).map(|w| now + w);
    }

    /// A successful check ends the count of `name` from `addr`.
    pub fn succeeded(&self, name: &str, addr: IpAddr) {
        if let Ok(mut t) = self.tables.lock() {
            t.names.remove(&key(name, addr));
        }
    }

    /// Ends the waits of `name` from every address (an administrator's reset).
    pub fn forget(&self, name: &str) {
        let name = name.trim().to_lowercase();
        if let Ok(mut t) = self.tables.lock() {
            t.names.retain(|(n, _), _| *n != name);
        }
    }

    /// Entries held (for tests of expiry).
    pub fn len(&self) -> usize {
        self.tables
            .lock()
            .map_or(0, |t| t.addresses.len() + t.names.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops what no longer counts, as if swept at `now`.
    pub fn sweep(&self, now: Instant) {
        if let Ok(mut t) = self.tables.lock() {
            t.swept = None;
            t.sweep(now);
        }
    }
}

impl Tables {
    /// At most once a minute: addresses without an attempt in the last
    /// minute, and names whose wait is over and whose last failure is older
    /// than the longest wait (after that, the count starts afresh).
    fn sweep(&mut self, now: Instant) {
        if self.swept.is_some_and(|s| now.duration_since(s) < MINUTE) {
            return;
        }
        self.swept = Some(now);
        self.addresses.retain(|_, a| {
            a.recent.retain(|at| now.duration_since(*at) < MINUTE);
            !a.recent.is_empty()
        });
        self.names.retain(|_, f| {
            f.until.is_some_and(|u| u > now) || now.duration_since(f.last) < LONGEST_WAIT
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn waits_grow_and_are_capped() {
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(MINUTE));
        assert_eq!(wait_after(7), Some(MINUTE * 4));
        assert_eq!(wait_after(50), Some(LONGEST_WAIT));
    }

    #[test]
    fn a_name_waits_only_from_the_address_that_failed() {
        let g = LoginGuard::default();
        let now = Instant::now();
        for i in 0..5 {
            let at = now + Duration::from_secs(i * 7);
            assert_eq!(g.attempt("Root", addr(1), at), Verdict::Allowed);
            g.failed("Root", addr(1), at);
        }
        let later = now + Duration::from_secs(40);
        assert_eq!(
            g.attempt("root", addr(1), later),
            Verdict::Waiting {
                minutes: 1,
                first: true
            }
        );
        assert!(!g.attempt("root", addr(1), later).first_refusal());
        assert_eq!(g.attempt("root", addr(2), later), Verdict::Allowed);
        g.forget("ROOT");
        assert_eq!(g.attempt("root", addr(1), later), Verdict::Allowed);
    }

    #[test]
    fn an_address_is_limited_per_minute_and_entries_expire() {
        let g = LoginGuard::default();
        let now = Instant::now();
        for i in 0..ATTEMPTS_PER_MINUTE {
            assert_eq!(g.attempt(&format!("n{i}"), addr(3), now), Verdict::Allowed);
            g.failed(&format!("n{i}"), addr(3), now);
        }
        assert_eq!(
            g.attempt("other", addr(3), now),
            Verdict::TooFast { first: true }
        );
        assert_eq!(g.attempt("other", addr(3), now + MINUTE), Verdict::Allowed);
        assert!(!g.is_empty());
        g.sweep(now + LONGEST_WAIT + MINUTE * 2);
        assert!(g.is_empty());
    }
}
