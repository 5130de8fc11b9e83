//! A seeded, deterministic generator of a synthetic demo caseload that follows
//! the history told in the government letter (DOMAIN.md sections 3-5):
//!
//! - the 2020-2023 framework, with arrivals of exactly 300, 90, 730 and 800
//!   persons (resettled refugees plus later-arriving family members), the
//!   pandemic stop of 2020 and the Lebanon cases brought forward in late 2023;
//! - the 2024 quota (selected in 2024, some arriving in early 2025) and the
//!   2025 quota of 200 with one mission to Egypt;
//! - the EU-Turkey Statement, kept apart from the quota, suspended from
//!   September 2022 through 2023 and resumed in 2024;
//! - cases submitted in 2025 in every lifecycle state, and some 2026 submissions.
//!
//! Every person is synthetic. Every case is built only through the domain API
//! (`Case::submit`, then `NewCase::apply` step by step), so every history is one
//! the domain itself accepts.

mod caseload;
mod dice;
mod family;
mod history;
mod hosts;
mod journey;
pub mod missions;
pub mod municipalities;
mod names;
pub mod operations;
mod places;
mod reasons;
pub mod reunification;
mod special;
mod staged;
pub use special::DEMO_OFFICE;

use resettle_domain::{Context, NewCase, TransitionError};
use std::fmt;
use time::Date;
use time::macros::date;

/// The last day on which the demo history has events. "Now" must not lie
/// before it, or the domain would refuse events dated in the future.
pub const LAST_EVENT_ON: Date = date!(2026 - 06 - 30);

/// Generates the demo caseload for `seed`. The same seed always gives the same
/// cases (ids, names, dates); `ctx.recorded_at` is recorded as the time of every
/// history entry and `ctx.actor` as its actor (`ctx.occurred_on` is not used).
pub fn generate(seed: u64, ctx: &Context) -> Result<Vec<NewCase>, DemoError> {
    generate_with_missions(seed, ctx).map(|demo| demo.cases)
}

/// The demo caseload and the missions its cases were selected on.
pub struct Demo {
    pub cases: Vec<NewCase>,
    /// Every mission of the history, as it stands on the day of `ctx.recorded_at`.
    pub missions: Vec<missions::DemoMission>,
}

/// Generates the demo caseload for `seed` (see [`generate`]) with its missions:
/// one for every batch of the history, and the pilot that was cancelled.
pub fn generate_with_missions(seed: u64, ctx: &Context) -> Result<Demo, DemoError> {
    let now = ctx.recorded_at.date();
    if now < LAST_EVENT_ON {
        return Err(DemoError::TooEarly {
            now,
            needed: LAST_EVENT_ON,
        });
    }
    history::validate()?;
    let mut caseload = caseload::Caseload::new(seed, ctx);
    caseload.add_history()?;
    staged::add_pipeline(&mut caseload)?;
    let (mut cases, selections) = caseload.into_parts();
    special::enrich(&mut cases, seed)?;
    let mut missions: Vec<missions::DemoMission> = operations::missions()
        .into_iter()
        .map(|(mission, changes)| missions::DemoMission {
            mission,
            changes,
            cases: Vec::new(),
        })
        .collect();
    missions.extend(missions::build(&cases, &selections, now, 10)?);
    Ok(Demo { cases, missions })
}

/// Why the demo caseload could not be generated.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoError {
    /// "Now" lies before the last event the demo history needs.
    TooEarly { now: Date, needed: Date },
    /// The domain refused a step of a generated case (a bug in the generator).
    Domain {
        case_number: String,
        error: TransitionError,
    },
    /// A value the generator built was refused by its domain type.
    InvalidValue(String),
    /// The plan of the demo history contradicts itself (a bug in its data).
    Plan(String),
}

impl DemoError {
    pub(crate) fn plan(message: impl Into<String>) -> Self {
        Self::Plan(message.into())
    }

    pub(crate) fn invalid(error: impl fmt::Display) -> Self {
        Self::InvalidValue(error.to_string())
    }
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooEarly { now, needed } => write!(
                f,
                "the demo history runs until {needed}; today ({now}) is earlier"
            ),
            Self::Domain { case_number, error } => {
                write!(f, "demo case {case_number} was refused: {error}")
            }
            Self::InvalidValue(message) => write!(f, "demo value refused: {message}"),
            Self::Plan(message) => write!(f, "demo plan is inconsistent: {message}"),
        }
    }
}

impl std::error::Error for DemoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Domain { error, .. } => Some(error),
            _ => None,
        }
    }
}
