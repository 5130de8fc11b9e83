//! Relatives left behind as expected later arrivals ("nareis"). IND and COA
//! record at selection who stays behind and whether they are expected to
//! apply; the forecast learns from the sponsors whose relatives were recorded
//! how many of those relatives came, and how long after the sponsor, and
//! counts the relatives still awaited with those odds.
//!
//! The learning is a mixture cure model fitted by EM: a recorded relative
//! comes at all with probability `p` (one for those expected to apply, one
//! for the others), and then `d` months after the sponsor's family arrived
//! with probability `f[d]`. A relative not come by the forecast day is
//! censored, not counted as "never": a sponsor who arrived last month says
//! little yet. Both are shrunk toward priors; with too little data the prior
//! alone is used, and the output says so.
//!
//! A relative who has an application or a case of their own (matched by
//! name within the sponsor's family) is not awaited here: the application's
//! case is forecast with its cohort.

use super::DAYS_PER_MONTH;
use crate::case::NewCase;
use crate::ids::CaseId;
use crate::policy::ReunificationTerms;
use crate::reunification::{Application, RelativeLeftBehind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// Months after the sponsor's arrival the model looks at; a later arrival
/// is counted in the last month.
pub const MAX_DELAY_MONTHS: usize = 60;
/// Prior chance that a relative expected to apply comes, and one who is not.
const PRIOR_EXPECTED: f64 = 0.5;
const PRIOR_NOT_EXPECTED: f64 = 0.1;
/// Weight of the priors, in relatives (probabilities) and arrivals (delay).
const PRIOR_WEIGHT: f64 = 4.0;
/// Fewer relatives (or arrivals) than this: the prior alone.
pub const MIN_OBSERVATIONS: u64 = 5;
/// Longest delay of the prior when no terms of family reunification are in
/// force: a year (three months to apply, a decision within months, travel).
const FALLBACK_PRIOR_DELAY_MONTHS: f64 = 12.0;
const EM_ITERATIONS: usize = 200;

/// The relatives one case left behind, as recorded at its selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SponsorRelatives {
    pub sponsor: CaseId,
    /// The day the sponsor's family arrived; `None`: selected, still to come.
    pub arrived_on: Option<Date>,
    pub relatives: Vec<RelativeLeftBehind>,
}

/// Someone a sponsor applied for, or who came as a family-reunification case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub sponsor: CaseId,
    pub given_name: String,
    pub family_name: String,
    /// The day of the application (or the case's submission).
    pub applied_on: Date,
    pub arrived_on: Option<Date>,
}

/// Where a probability comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Too little data: the prior alone.
    #[default]
    Prior,
    /// Learnt from the data, shrunk toward the prior.
    Data,
}

/// The learnt chance that a recorded relative comes at all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ArrivalOdds {
    pub probability: f64,
    pub basis: Basis,
    /// Sponsors (arrived before the forecast day) and their recorded relatives it was learnt from.
    pub sponsors: u64,
    pub relatives: u64,
    /// Of those relatives, how many had arrived by the forecast day.
    pub arrived: u64,
}

/// Relatives still awaited: alike in whether they are expected to apply and
/// in how many whole months ago their sponsor arrived (0: not yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaited {
    pub expected_to_apply: bool,
    pub months_since_sponsor: usize,
    pub relatives: u64,
}

/// What the forecast needs of the relatives left behind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExpectedRelatives {
    pub awaited: Vec<Awaited>,
    pub expected_to_apply: ArrivalOdds,
    pub not_expected_to_apply: ArrivalOdds,
    /// Chance that an arriving relative comes `d` months after the sponsor.
    pub delay: Vec<f64>,
    pub delay_basis: Basis,
    /// Arrivals the delay was learnt from.
    pub delays_seen: u64,
}

impl ExpectedRelatives {
    /// The odds of a relative expected to apply or not.
    pub fn odds(&self, expected_to_apply: bool) -> &ArrivalOdds {
        if expected_to_apply {
            &self.expected_to_apply
        } else {
            &self.not_expected_to_apply
        }
    }

    /// The chance that one awaited relative arrives in each of the `months`
    /// months from the forecast day, given that they have not come yet.
    pub fn arrival_by_month(&self, a: &Awaited, months: usize) -> Vec<f64> {
        let p = self.odds(a.expected_to_apply).probability;
        let e = a.months_since_sponsor.min(self.delay.len());
        let survived: f64 = self.delay.iter().skip(e).sum();
        // Not come so far: either not coming, or coming later.
        let still = 1.0 - p * (1.0 - survived);
        (0..months)
            .map(|m| {
                let f = self.delay.get(e + m).copied().unwrap_or(0.0);
                if still <= 0.0 {
                    0.0
                } else {
                    (p * f / still).clamp(0.0, 1.0)
                }
            })
            .collect()
    }

    /// The median months from a sponsor's arrival to a relative's.
    pub fn median_delay_months(&self) -> u32 {
        let mut sum = 0.0;
        for (k, f) in self.delay.iter().enumerate() {
            sum += f;
            if sum >= 0.5 {
                return u32::try_from(k).unwrap_or(u32::MAX);
            }
        }
        u32::try_from(self.delay.len()).unwrap_or(u32::MAX)
    }

    /// Relatives still awaited, expected to apply (`true`) or not.
    pub fn awaited_count(&self, expected_to_apply: bool) -> u64 {
        self.awaited
            .iter()
            .filter(|a| a.expected_to_apply == expected_to_apply)
            .map(|a| a.relatives)
            .sum()
    }
}

fn months_between(from: Date, to: Date) -> usize {
    let days = (to - from).whole_days().max(0) as f64;
    (days / DAYS_PER_MONTH).floor() as usize
}

fn key(given: &str, family: &str) -> (String, String) {
    (given.trim().to_lowercase(), family.trim().to_lowercase())
}

/// The prior delay: any month from the first to the end of the process the
/// terms describe (window to apply, decision term with its extension,
/// travel after the grant), equally likely.
fn prior_delay(terms: Option<&ReunificationTerms>) -> Vec<f64> {
    let last = terms.map_or(FALLBACK_PRIOR_DELAY_MONTHS, |t| {
        f64::from(t.application_window_months)
            + f64::from(
                t.decision_term_days + t.decision_extension_days + t.travel_after_grant_days,
            ) / DAYS_PER_MONTH
    });
    let last = (last.round() as usize).clamp(1, MAX_DELAY_MONTHS - 1);
    (0..MAX_DELAY_MONTHS)
        .map(|k| {
            if (1..=last).contains(&k) {
                1.0 / last as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// Learns the odds and the delay from what was known before `as_of`, and
/// lists the relatives still awaited then. `sponsors` are the cases known
/// on `as_of` (selected, not dropped out); what happened on or after
/// `as_of` in `sponsors` and `joined` is ignored.
pub fn expected_relatives(
    sponsors: &[SponsorRelatives],
    joined: &[Joined],
    terms: Option<&ReunificationTerms>,
    as_of: Date,
) -> ExpectedRelatives {
    // Who applied or came for each sponsor, as known on the day.
    let mut came: BTreeMap<(CaseId, (String, String)), Option<Date>> = BTreeMap::new();
    for j in joined.iter().filter(|j| j.applied_on < as_of) {
        let arrived = j.arrived_on.filter(|d| *d < as_of);
        let e = came
            .entry((j.sponsor, key(&j.given_name, &j.family_name)))
            .or_insert(arrived);
        *e = (*e).or(arrived);
    }
    // Observations per (group, months observed, delay if come): group 1 = expected to apply.
    let mut obs: BTreeMap<(usize, usize, Option<usize>), u64> = BTreeMap::new();
    let mut sponsors_seen = [0u64; 2];
    let mut awaited: BTreeMap<(bool, usize), u64> = BTreeMap::new();
    for s in sponsors {
        let arrived = s.arrived_on.filter(|d| *d < as_of);
        let mut groups_seen = [false; 2];
        for r in &s.relatives {
            let g = usize::from(r.expected_to_apply);
            let joined = came.get(&(s.sponsor, key(&r.given_name, &r.family_name)));
            if let Some(a) = arrived {
                groups_seen[g] = true;
                let delay = joined
                    .copied()
                    .flatten()
                    .map(|d| months_between(a, d).min(MAX_DELAY_MONTHS - 1));
                *obs.entry((g, months_between(a, as_of), delay)).or_default() += 1;
            }
            // An application or case of their own: forecast there, not here.
            if joined.is_none() {
                let since = arrived.map_or(0, |a| months_between(a, as_of));
                *awaited.entry((r.expected_to_apply, since)).or_default() += 1;
            }
        }
        for g in 0..2 {
            sponsors_seen[g] += u64::from(groups_seen[g]);
        }
    }
    let mut n = [0u64; 2];
    let mut came_n = [0u64; 2];
    for ((g, _, delay), count) in &obs {
        n[*g] += count;
        if delay.is_some() {
            came_n[*g] += count;
        }
    }
    let prior_p = [PRIOR_NOT_EXPECTED, PRIOR_EXPECTED];
    let learn_p = n.map(|x| x >= MIN_OBSERVATIONS);
    let delays_seen = came_n[0] + came_n[1];
    let learn_delay = delays_seen >= MIN_OBSERVATIONS;
    let prior_f = prior_delay(terms);
    let (p, f) = fit(&obs, prior_p, learn_p, &prior_f, learn_delay);
    let odds = |g: usize| ArrivalOdds {
        probability: p[g],
        basis: if learn_p[g] {
            Basis::Data
        } else {
            Basis::Prior
        },
        sponsors: sponsors_seen[g],
        relatives: n[g],
        arrived: came_n[g],
    };
    ExpectedRelatives {
        awaited: awaited
            .into_iter()
            .map(|((expected_to_apply, since), relatives)| Awaited {
                expected_to_apply,
                months_since_sponsor: since,
                relatives,
            })
            .collect(),
        expected_to_apply: odds(1),
        not_expected_to_apply: odds(0),
        delay: f,
        delay_basis: if learn_delay {
            Basis::Data
        } else {
            Basis::Prior
        },
        delays_seen,
    }
}

/// EM for the mixture cure model: each relative not come yet is, with the
/// current odds, a later arrival (spread over the months still open) or
/// someone who will not come.
fn fit(
    obs: &BTreeMap<(usize, usize, Option<usize>), u64>,
    prior_p: [f64; 2],
    learn_p: [bool; 2],
    prior_f: &[f64],
    learn_delay: bool,
) -> ([f64; 2], Vec<f64>) {
    let mut p = prior_p;
    let mut f = prior_f.to_vec();
    for _ in 0..EM_ITERATIONS {
        let mut comers = [0.0f64; 2];
        let mut total = [0.0f64; 2];
        let mut counts = vec![0.0f64; MAX_DELAY_MONTHS];
        for ((g, observed, delay), count) in obs {
            let c = *count as f64;
            total[*g] += c;
            match delay {
                Some(d) => {
                    comers[*g] += c;
                    if let Some(x) = counts.get_mut(*d) {
                        *x += c;
                    }
                }
                None => {
                    let survived: f64 = f.iter().skip(*observed).sum();
                    let still = 1.0 - p[*g] * (1.0 - survived);
                    if survived <= 0.0 || still <= 0.0 {
                        continue;
                    }
                    let q = p[*g] * survived / still;
                    comers[*g] += c * q;
                    for (k, x) in counts.iter_mut().enumerate().skip(*observed) {
                        *x += c * q * f.get(k).copied().unwrap_or(0.0) / survived;
                    }
                }
            }
        }
        for g in 0..2 {
            if learn_p[g] {
                p[g] = ((comers[g] + PRIOR_WEIGHT * prior_p[g]) / (total[g] + PRIOR_WEIGHT))
                    .clamp(0.0, 1.0);
            }
        }
        if learn_delay {
            let sum: f64 = counts.iter().sum();
            f = counts
                .iter()
                .zip(prior_f)
                .map(|(c, pr)| (c + PRIOR_WEIGHT * pr) / (sum + PRIOR_WEIGHT))
                .collect();
        }
    }
    (p, f)
}

/// Everyone who applied or came for a sponsor, from applications.
pub fn joined_from_applications(applications: &[Application]) -> Vec<Joined> {
    applications
        .iter()
        .flat_map(|a| {
            a.relatives.iter().map(|r| Joined {
                sponsor: a.sponsor_case_id,
                given_name: r.given_name.clone(),
                family_name: r.family_name.clone(),
                applied_on: a.applied_on,
                arrived_on: r.arrived_on,
            })
        })
        .collect()
}

/// The relatives left behind as the case data stood at the start of
/// `as_of` (for a backtest): sponsors selected before the day and not
/// dropped out, and the family-reunification cases and applications linked
/// to them.
pub fn relatives_from_history(
    cases: &[NewCase],
    left_behind: &[(CaseId, Vec<RelativeLeftBehind>)],
    applications: &[Application],
    terms: Option<&ReunificationTerms>,
    as_of: Date,
) -> ExpectedRelatives {
    let by_number: BTreeMap<&crate::CaseNumber, CaseId> = cases
        .iter()
        .map(|c| (&c.case.submission.case_number, c.case.id))
        .collect();
    let by_id: BTreeMap<CaseId, &NewCase> = cases.iter().map(|c| (c.case.id, c)).collect();
    let sponsors: Vec<SponsorRelatives> = left_behind
        .iter()
        .filter_map(|(id, relatives)| {
            let c = by_id.get(id)?;
            // Recorded at selection: unknown before it.
            c.case.selected_on.filter(|d| *d < as_of)?;
            let arrived_on = c.case.arrived_on.filter(|d| *d < as_of);
            if arrived_on.is_none() && super::stage_on(&c.history, as_of).is_none() {
                return None;
            }
            Some(SponsorRelatives {
                sponsor: *id,
                arrived_on,
                relatives: relatives.clone(),
            })
        })
        .collect();
    let mut joined = joined_from_applications(applications);
    for c in cases {
        let Some(sponsor) = c
            .case
            .submission
            .family_reunification_of
            .as_ref()
            .and_then(|n| by_number.get(n))
        else {
            continue;
        };
        joined.extend(c.case.submission.members.iter().map(|m| Joined {
            sponsor: *sponsor,
            given_name: m.given_name.clone(),
            family_name: m.family_name.clone(),
            applied_on: c.case.submission.submitted_on,
            arrived_on: c.case.arrived_on,
        }));
    }
    expected_relatives(&sponsors, &joined, terms, as_of)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::Relationship;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    const AS_OF: Date = date!(2023 - 01 - 01);

    fn relative(name: &str, expected: bool) -> RelativeLeftBehind {
        RelativeLeftBehind {
            given_name: name.into(),
            family_name: "Test".into(),
            relationship: Relationship::Parent,
            whereabouts: "Beirut".into(),
            reason_stays: "too frail to travel".into(),
            expected_to_apply: expected,
        }
    }

    /// `n` sponsors arrived `months_ago` months before the day, each with
    /// one relative expected to apply (or not); the first `come` of them
    /// came `delay` months after their sponsor.
    fn world(
        n: usize,
        come: usize,
        expected: bool,
        months_ago: i64,
        delay: i64,
    ) -> (Vec<SponsorRelatives>, Vec<Joined>) {
        let arrived = AS_OF - Duration::days((months_ago as f64 * DAYS_PER_MONTH) as i64 + 1);
        let mut sponsors = Vec::new();
        let mut joined = Vec::new();
        for i in 0..n {
            let id = CaseId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1));
            let name = format!("R{i}");
            sponsors.push(SponsorRelatives {
                sponsor: id,
                arrived_on: Some(arrived),
                relatives: vec![relative(&name, expected)],
            });
            if i < come {
                let on = arrived + Duration::days((delay as f64 * DAYS_PER_MONTH) as i64 + 5);
                joined.push(Joined {
                    sponsor: id,
                    given_name: name,
                    family_name: "Test".into(),
                    applied_on: on - Duration::days(60),
                    arrived_on: Some(on),
                });
            }
        }
        (sponsors, joined)
    }

    #[test]
    fn when_every_recorded_relative_came_the_chance_is_near_one() {
        let (s, j) = world(200, 200, true, 40, 8);
        let e = expected_relatives(&s, &j, None, AS_OF);
        assert!(e.expected_to_apply.probability > 0.97, "{e:?}");
        assert_eq!(e.expected_to_apply.basis, Basis::Data);
        assert_eq!(
            (e.expected_to_apply.sponsors, e.expected_to_apply.arrived),
            (200, 200)
        );
        // Everyone came: nobody is awaited.
        assert!(e.awaited.is_empty());
        assert_eq!(e.median_delay_months(), 8);
        assert_eq!(e.delay_basis, Basis::Data);
    }

    #[test]
    fn when_none_came_in_years_the_chance_is_near_zero() {
        let (s, j) = world(200, 0, false, MAX_DELAY_MONTHS as i64 + 2, 0);
        let e = expected_relatives(&s, &j, None, AS_OF);
        assert!(e.not_expected_to_apply.probability < 0.01, "{e:?}");
        assert_eq!(e.not_expected_to_apply.basis, Basis::Data);
        assert_eq!(e.awaited_count(false), 200);
        // Nobody can come any more.
        let a = &e.awaited[0];
        assert!(e.arrival_by_month(a, 12).iter().all(|p| *p == 0.0));
    }

    #[test]
    fn recent_sponsors_are_censored_not_counted_as_never() {
        // Half came after 6 months among sponsors of 3 years ago; the
        // sponsors of 2 months ago have not had the time yet.
        let (mut s, j) = world(100, 50, true, 36, 6);
        let recent = AS_OF - Duration::days(65);
        for i in 0..100 {
            s.push(SponsorRelatives {
                sponsor: CaseId::from_uuid(uuid::Uuid::from_u128(1000 + i)),
                arrived_on: Some(recent),
                relatives: vec![relative(&format!("N{i}"), true)],
            });
        }
        let e = expected_relatives(&s, &j, None, AS_OF);
        let p = e.expected_to_apply.probability;
        assert!((0.45..0.56).contains(&p), "{p}");
        // The recent ones are still likely to come, in the months ahead.
        let fresh = e
            .awaited
            .iter()
            .find(|a| a.months_since_sponsor == 2)
            .unwrap();
        let ahead: f64 = e.arrival_by_month(fresh, 12).iter().sum();
        assert!((0.4..0.6).contains(&ahead), "{ahead}");
    }

    #[test]
    fn without_data_the_prior_is_used_and_said() {
        let (s, _) = world(3, 0, true, 1, 0);
        let e = expected_relatives(&s, &[], None, AS_OF);
        assert_eq!(e.expected_to_apply.probability, PRIOR_EXPECTED);
        assert_eq!(e.not_expected_to_apply.probability, PRIOR_NOT_EXPECTED);
        assert_eq!(e.expected_to_apply.basis, Basis::Prior);
        assert_eq!(e.delay_basis, Basis::Prior);
        assert_eq!(e.delay, prior_delay(None));
        let e = expected_relatives(&[], &[], None, AS_OF);
        assert_eq!(e.expected_to_apply.relatives, 0);
        assert!(e.awaited.is_empty());
    }

    #[test]
    fn the_prior_delay_follows_the_terms_in_force() {
        let policy: crate::policy::PolicySet =
            serde_json::from_str(include_str!("../../../../docs/policy-nl.json")).unwrap();
        let terms = policy.reunification_terms_on(AS_OF);
        let f = prior_delay(terms);
        // Three months to apply, 90 + 90 days to decide, 90 to travel: a year.
        assert_eq!(f.iter().filter(|x| **x > 0.0).count(), 12);
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_relative_with_an_application_is_not_awaited_twice() {
        let (s, _) = world(1, 0, true, 5, 0);
        let applied = Joined {
            sponsor: s[0].sponsor,
            // Names match whatever the case and spacing.
            given_name: " r0 ".into(),
            family_name: "TEST".into(),
            applied_on: AS_OF - Duration::days(10),
            arrived_on: None,
        };
        let e = expected_relatives(&s, std::slice::from_ref(&applied), None, AS_OF);
        assert!(e.awaited.is_empty(), "{e:?}");
        // An application made after the day was not known then.
        let later = Joined {
            applied_on: AS_OF,
            ..applied.clone()
        };
        let e = expected_relatives(&s, &[later], None, AS_OF);
        assert_eq!(e.awaited_count(true), 1);
        // The same name for another sponsor is someone else.
        let other = Joined {
            sponsor: CaseId::from_uuid(uuid::Uuid::from_u128(999)),
            ..applied
        };
        let e = expected_relatives(&s, &[other], None, AS_OF);
        assert_eq!(e.awaited_count(true), 1);
    }

    #[test]
    fn a_sponsor_still_to_come_has_relatives_awaited_but_teaches_nothing() {
        let s = vec![SponsorRelatives {
            sponsor: CaseId::from_uuid(uuid::Uuid::from_u128(7)),
            arrived_on: None,
            relatives: vec![relative("A", true), relative("B", false)],
        }];
        let e = expected_relatives(&s, &[], None, AS_OF);
        assert_eq!((e.awaited_count(true), e.awaited_count(false)), (1, 1));
        assert_eq!(e.expected_to_apply.sponsors, 0);
        assert_eq!(e.expected_to_apply.relatives, 0);
    }

    #[test]
    fn awaited_relatives_arrive_in_the_framework_in_force_on_their_arrival() {
        use crate::forecast::{ForecastInput, Scenario, forecast};
        let policy: crate::policy::PolicySet =
            serde_json::from_str(include_str!("../../../../docs/policy-nl.json")).unwrap();
        // Forecast from October 2023: the sponsors arrived a month ago, and
        // every relative comes four months after them (January 2024).
        let as_of = date!(2023 - 10 - 01);
        let mut delay = vec![0.0; MAX_DELAY_MONTHS];
        delay[4] = 1.0;
        let sure = ArrivalOdds {
            probability: 1.0,
            basis: Basis::Data,
            ..ArrivalOdds::default()
        };
        let relatives = ExpectedRelatives {
            awaited: vec![Awaited {
                expected_to_apply: true,
                months_since_sponsor: 1,
                relatives: 10,
            }],
            expected_to_apply: sure.clone(),
            not_expected_to_apply: sure,
            delay,
            delay_basis: Basis::Data,
            delays_seen: 0,
        };
        let mut input = ForecastInput {
            as_of,
            horizon_months: 12,
            cohorts: vec![],
            durations: Default::default(),
            intake: vec![],
            ledger: crate::ledger::frameworks(&policy, &[]),
            relatives: None,
        };
        let without = forecast(&input, &policy, &Scenario::default(), 50, 1);
        assert!(without.relatives.is_none());
        input.relatives = Some(relatives);
        let with = forecast(&input, &policy, &Scenario::default(), 50, 1);
        let month = |f: &crate::forecast::Forecast, m: usize| f.months[m].arrivals.p50;
        assert_eq!((month(&with, 2), month(&with, 3)), (0, 10));
        assert_eq!(month(&without, 3), 0);
        let fw = |id: &str| with.frameworks.iter().find(|f| f.id == id).unwrap();
        assert_eq!(fw("2024").expected_relatives.p50, 10);
        assert_eq!(fw("2024").total.p50, 10);
        assert_eq!(fw("2020-2023").expected_relatives.p90, 0);
        let r = with.relatives.unwrap();
        assert_eq!(
            (r.awaited_expected_to_apply, r.within_horizon.p50),
            (10, 10)
        );
    }

    proptest! {
        #[test]
        fn odds_and_monthly_chances_are_probabilities(
            n in 0usize..60, come in 0usize..60, months_ago in 0i64..80, delay in 0i64..30,
            expected: bool,
        ) {
            let (s, j) = world(n, come.min(n), expected, months_ago, delay);
            let e = expected_relatives(&s, &j, None, AS_OF);
            for o in [&e.expected_to_apply, &e.not_expected_to_apply] {
                prop_assert!((0.0..=1.0).contains(&o.probability));
            }
            prop_assert!((e.delay.iter().sum::<f64>() - 1.0).abs() < 1e-6);
            for a in &e.awaited {
                let by_month = e.arrival_by_month(a, 24);
                let total: f64 = by_month.iter().sum();
                prop_assert!(by_month.iter().all(|p| (0.0..=1.0).contains(p)));
                prop_assert!(total <= 1.0 + 1e-9, "{}", total);
            }
            // Deterministic.
            prop_assert_eq!(e, expected_relatives(&s, &j, None, AS_OF));
        }
    }
}
