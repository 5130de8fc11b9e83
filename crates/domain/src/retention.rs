//! Retention: how long a closed case keeps its personal data, and what is left
//! after pseudonymisation. Everything the figures are made of (dates, states,
//! programme, host country, nationality, sex, year of birth, number of persons)
//! stays, so every aggregate is the same before and after.

use crate::case::Case;
use crate::lifecycle::CaseState;
use time::{Date, Month};

/// Retention periods per kind of record, in whole years after closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Cases that arrived (resettled families), after they were closed.
    pub arrived_years: i32,
    /// Cases that never arrived (rejected, withdrawn), after they were closed.
    pub not_arrived_years: i32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            arrived_years: 10,
            not_arrived_years: 2,
        }
    }
}

impl RetentionPolicy {
    /// Whether `case`'s retention period has ended on `today`.
    pub fn is_due(&self, case: &Case, today: Date) -> bool {
        let (CaseState::Closed, Some(closed)) = (case.state, case.closed_on) else {
            return false;
        };
        let years = if case.arrived_on.is_some() {
            self.arrived_years
        } else {
            self.not_arrived_years
        };
        closed
            .replace_year(closed.year() + years)
            .is_ok_and(|end| end <= today)
    }
}

/// The pseudonym that replaces a member's names: stable per person, meaningless outside.
fn pseudonym(id: &crate::PersonId) -> String {
    let s = id.to_string();
    format!("P-{}", s.get(..8).unwrap_or(&s))
}

/// Removes what identifies the persons of a case: names, exact dates of birth
/// (the year stays), identity documents, special-category data and the UNHCR
/// reference. The case number stays: it is the key other records use.
pub fn pseudonymise(case: &mut Case) {
    case.submission.unhcr_reference = "pseudonymised".into();
    for m in &mut case.submission.members {
        m.given_name = pseudonym(&m.id);
        m.family_name = "-".into();
        let birth_year = m.date_of_birth.date().year();
        if let Ok(jan1) = Date::from_calendar_date(birth_year, Month::January, 1) {
            m.date_of_birth = crate::person::DateOfBirth::from_stored(jan1);
        }
        m.documents.clear();
    }
    case.special.clear();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::lifecycle::{ActionKind, Context};
    use crate::{CaseId, sample};
    use time::macros::{date, datetime};

    fn closed_case(arrived: bool) -> Case {
        let on = date!(2015 - 01 - 05);
        let ctx = |d| Context {
            occurred_on: d,
            recorded_at: datetime!(2025-06-01 0:00 UTC),
            actor: "t".into(),
            reason: Some("r".into()),
        };
        let mut c = Case::submit(
            CaseId::generate(),
            sample::submission("LBN-15C00001", 3, on).unwrap(),
            &ctx(on),
        )
        .unwrap();
        let path = if arrived {
            sample::path_to(CaseState::Closed)
        } else {
            vec![ActionKind::Withdraw, ActionKind::Close]
        };
        for (i, k) in path.into_iter().enumerate() {
            let d = on + time::Duration::days(i as i64 + 1);
            c.apply(sample::action(k, d), &ctx(d)).unwrap();
        }
        c.case
    }

    #[test]
    fn due_after_the_period_of_its_kind() {
        let policy = RetentionPolicy::default();
        let arrived = closed_case(true);
        assert!(!policy.is_due(&arrived, date!(2025 - 01 - 01)));
        assert!(policy.is_due(&arrived, date!(2025 - 02 - 01)));
        let withdrawn = closed_case(false);
        assert!(policy.is_due(&withdrawn, date!(2017 - 02 - 01)));
    }

    #[test]
    fn pseudonymisation_keeps_what_the_figures_need() {
        let mut c = closed_case(true);
        let before = c.clone();
        pseudonymise(&mut c);
        assert_eq!(
            (c.persons(), c.arrived_on, c.state),
            (before.persons(), before.arrived_on, before.state)
        );
        for (a, b) in c.submission.members.iter().zip(&before.submission.members) {
            assert_ne!(a.given_name, b.given_name);
            assert_eq!(
                (a.sex, a.nationality, a.date_of_birth.date().year()),
                (b.sex, b.nationality, b.date_of_birth.date().year())
            );
        }
    }
}
