//! Watching the logins (BIO2: failed-login spikes and unusual logins must be
//! detectable), from the audit trail's `login` entries. Two signals, each
//! simple enough to explain to an auditor:
//!
//! - **A spike of failed logins**: an hour with at least [`SPIKE_MIN`] failed
//!   or refused logins, and at least [`SPIKE_FACTOR`] times the usual hourly
//!   number (the mean over the look-back period before the report, at least one).
//! - **A login from a new address**: a successful login of an account from an
//!   origin it had not logged in from during the look-back period, while it
//!   had logged in from elsewhere (an account's very first login is not flagged).
//!
//! Pure: the caller gives the events and the moment of the report.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use time::{Duration, OffsetDateTime};

/// Failed logins in an hour below which no hour is a spike.
pub const SPIKE_MIN: u64 = 10;
/// How many times the usual hourly failures an hour must reach to be a spike.
pub const SPIKE_FACTOR: u64 = 3;
/// Accounts and origins named per spike, at most.
const NAMED: usize = 10;

/// One login attempt, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEvent {
    pub at: OffsetDateTime,
    /// The account name tried (it may not exist).
    pub account: String,
    /// Whether the login succeeded.
    pub ok: bool,
    /// The client address.
    pub origin: String,
}

/// An hour with a spike of failed logins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FailureSpike {
    /// The start of the hour.
    #[serde(with = "time::serde::rfc3339")]
    pub hour: OffsetDateTime,
    pub failures: u64,
    /// The usual number of failures per hour it is compared with.
    pub usual: u64,
    /// The accounts tried, and the origins tried from (the first few of each).
    pub accounts: Vec<String>,
    pub origins: Vec<String>,
}

/// A successful login from an address new for the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewOrigin {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub account: String,
    pub origin: String,
}

/// What the logins of the report's window show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginReport {
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    pub succeeded: u64,
    pub failed: u64,
    pub spikes: Vec<FailureSpike>,
    pub new_origins: Vec<NewOrigin>,
}

fn hour_of(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t)
}

/// The report on the `window` before `now`, against the `look_back` before that window.
pub fn watch(
    events: &[LoginEvent],
    now: OffsetDateTime,
    window: Duration,
    look_back: Duration,
) -> LoginReport {
    let from = now - window;
    let history_from = from - look_back;
    let mut ordered: Vec<&LoginEvent> = events
        .iter()
        .filter(|e| e.at >= history_from && e.at <= now)
        .collect();
    ordered.sort_by_key(|e| e.at);

    // The usual failures per hour: their mean over the look-back period, rounded up.
    let earlier_failures = ordered.iter().filter(|e| !e.ok && e.at < from).count() as u64;
    let hours = u64::try_from(look_back.whole_hours()).unwrap_or(0).max(1);
    let usual = earlier_failures.div_ceil(hours).max(1);

    let mut per_hour: BTreeMap<OffsetDateTime, Vec<&LoginEvent>> = BTreeMap::new();
    let mut known: HashSet<(&str, &str)> = HashSet::new();
    let mut has_logged_in: HashSet<&str> = HashSet::new();
    let (mut succeeded, mut failed) = (0, 0);
    let mut new_origins = Vec::new();
    for e in ordered {
        let in_window = e.at >= from;
        if e.ok {
            let seen = known.contains(&(e.account.as_str(), e.origin.as_str()));
            if in_window && !seen && has_logged_in.contains(e.account.as_str()) {
                new_origins.push(NewOrigin {
                    at: e.at,
                    account: e.account.clone(),
                    origin: e.origin.clone(),
                });
            }
            known.insert((&e.account, &e.origin));
            has_logged_in.insert(&e.account);
        }
        if !in_window {
            continue;
        }
        if e.ok {
            succeeded += 1;
        } else {
            failed += 1;
            per_hour.entry(hour_of(e.at)).or_default().push(e);
        }
    }
    let spikes = per_hour
        .into_iter()
        .filter_map(|(hour, failures)| {
            let n = failures.len() as u64;
            (n >= SPIKE_MIN && n >= SPIKE_FACTOR.saturating_mul(usual)).then(|| {
                let named = |pick: fn(&LoginEvent) -> &str| {
                    let all: BTreeSet<&str> = failures.iter().map(|e| pick(e)).collect();
                    all.into_iter().take(NAMED).map(str::to_string).collect()
                };
                FailureSpike {
                    hour,
                    failures: n,
                    usual,
                    accounts: named(|e| &e.account),
                    origins: named(|e| &e.origin),
                }
            })
        })
        .collect();
    LoginReport {
        from,
        until: now,
        succeeded,
        failed,
        spikes,
        new_origins,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    fn event(minutes_ago: i64, account: &str, ok: bool, origin: &str) -> LoginEvent {
        LoginEvent {
            at: NOW - Duration::minutes(minutes_ago),
            account: account.into(),
            ok,
            origin: origin.into(),
        }
    }

    fn report(events: &[LoginEvent]) -> LoginReport {
        watch(events, NOW, Duration::hours(24), Duration::days(30))
    }

    #[test]
    fn a_burst_of_failures_is_a_spike_and_the_usual_trickle_is_not() {
        // Over the month before: two failures a day, about 0.08 an hour, so "usual" is 1.
        let mut events: Vec<LoginEvent> = (0..60)
            .map(|d| event(60 * 25 + d * 12 * 60, "m.jansen", false, "10.0.0.7"))
            .collect();
        // Today: nine failures in one hour (below the minimum), then 25 in another.
        events.extend((0..9).map(|i| event(600 + i, "m.jansen", false, "10.0.0.7")));
        events.extend((0..25).map(|i| {
            event(
                125 + i % 50,
                &format!("guess{}", i % 12),
                false,
                "203.0.113.9",
            )
        }));
        let r = report(&events);
        assert_eq!((r.failed, r.succeeded), (34, 0));
        assert_eq!(r.spikes.len(), 1, "{:?}", r.spikes);
        let s = &r.spikes[0];
        assert_eq!((s.failures, s.usual), (25, 1));
        assert_eq!(s.hour, datetime!(2026-12-03 09:00 UTC));
        assert_eq!(s.origins, ["203.0.113.9"]);
        assert_eq!(s.accounts.len(), NAMED, "the first ten accounts are named");
    }

    #[test]
    fn a_busy_usual_rate_raises_the_bar() {
        // 30 failures an hour all month (a broken script somewhere): 40 in the
        // hour is no spike, 90 is.
        let mut events: Vec<LoginEvent> = (0..30 * 24 * 30)
            .map(|i| event(60 * 25 + i * 2, "svc", false, "10.0.0.1"))
            .collect();
        events.extend((0..40).map(|i| event(5 + i, "svc", false, "10.0.0.1")));
        assert!(report(&events).spikes.is_empty());
        events.extend((0..50).map(|i| event(5 + i % 50, "svc", false, "10.0.0.1")));
        let r = report(&events);
        assert_eq!(r.spikes.len(), 1);
        assert_eq!((r.spikes[0].failures, r.spikes[0].usual), (90, 30));
    }

    #[test]
    fn a_login_from_a_new_address_is_flagged_but_not_a_first_login() {
        let events = [
            event(60 * 24 * 10, "m.jansen", true, "10.0.0.7"),
            // Today: from the known address, then from a new one.
            event(300, "m.jansen", true, "10.0.0.7"),
            event(200, "m.jansen", true, "198.51.100.4"),
            // The new address is known from then on.
            event(100, "m.jansen", true, "198.51.100.4"),
            // A new account's first login, and a failure from a new address.
            event(50, "k.bakker", true, "10.0.0.8"),
            event(40, "m.jansen", false, "192.0.2.1"),
        ];
        let r = report(&events);
        assert_eq!(
            r.new_origins,
            [NewOrigin {
                at: NOW - Duration::minutes(200),
                account: "m.jansen".into(),
                origin: "198.51.100.4".into(),
            }]
        );
        assert_eq!((r.succeeded, r.failed), (4, 1));
    }

    /// Background logins over 40 days, and in some runs a burst of failures
    /// inside one hour of the window: bursts large enough are spikes, in each
    /// run both spikes and quiet reports are drawn.
    #[test]
    fn every_login_of_the_window_is_counted_once_and_bursts_are_spikes() {
        use proptest::test_runner::{Config, TestRunner};
        use std::cell::Cell;
        const CASES: u32 = 256;
        let background = proptest::collection::vec(
            (0i64..60 * 24 * 40, 0usize..4, any::<bool>(), 0usize..3),
            0..300,
        );
        // (minutes ago of the burst's hour, failures in it)
        let burst = prop_oneof![1 => Just(None), 2 => (1i64..23, 0u64..60).prop_map(Some)];
        let (spiked, quiet) = (Cell::new(0u32), Cell::new(0u32));
        let mut runner = TestRunner::new(Config::with_cases(CASES));
        runner
            .run(&(background, burst), |(raw, burst)| {
                let mut events: Vec<LoginEvent> = raw
                    .iter()
                    .map(|(m, a, ok, o)| event(*m, &format!("a{a}"), *ok, &format!("10.0.0.{o}")))
                    .collect();
                if let Some((hours_ago, n)) = burst {
                    // NOW is on the hour: these fall inside one hour of the window.
                    events.extend((0..n).map(|i| {
                        event(
                            hours_ago * 60 - 1 - (i as i64 % 59),
                            "burst",
                            false,
                            "203.0.113.9",
                        )
                    }));
                }
                let r = report(&events);
                let in_window = events
                    .iter()
                    .filter(|e| e.at >= NOW - Duration::hours(24))
                    .count() as u64;
                prop_assert_eq!(r.succeeded + r.failed, in_window);
                prop_assert!(
                    r.spikes
                        .iter()
                        .all(|s| s.failures >= SPIKE_MIN && s.failures >= SPIKE_FACTOR * s.usual)
                );
                prop_assert!(r.spikes.iter().map(|s| s.failures).sum::<u64>() <= r.failed);
                prop_assert!(r.new_origins.iter().all(|n| n.at >= r.from));
                // The usual rate from at most 300 background failures over 30 days is 1.
                if let Some((_, n)) = burst.filter(|(_, n)| *n >= SPIKE_MIN.max(SPIKE_FACTOR)) {
                    prop_assert!(
                        r.spikes
                            .iter()
                            .any(|s| s.failures >= n && s.accounts.contains(&"burst".to_string())),
                        "a burst of {} failures is no spike: {:?}",
                        n,
                        r.spikes
                    );
                }
                if r.spikes.is_empty() {
                    quiet.set(quiet.get() + 1);
                } else {
                    spiked.set(spiked.get() + 1);
                }
                Ok(())
            })
            .unwrap();
        let (spiked, quiet) = (spiked.get(), quiet.get());
        assert!(
            spiked * 5 >= CASES && quiet * 5 >= CASES,
            "{spiked} reports with a spike, {quiet} without"
        );
    }
}
