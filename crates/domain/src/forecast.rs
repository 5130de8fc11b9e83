//! Will each commitment be met? A Monte Carlo forecast of national-quota
//! arrivals from the live pipeline, with stage durations and drop-out rates
//! learnt from case data (shrunk toward priors where data is thin), the
//! remaining places of the allocation plans, and scenarios. Deterministic for
//! a given seed: run `i` draws from its own stream `seed + i`.

use crate::calendar::{add_months, month_start};
use crate::ledger::FrameworkReport;
use crate::policy::PolicySet;
use crate::submission::{SubmissionPriority, Track};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

mod relatives;
pub use relatives::{
    ArrivalOdds, Awaited, Basis, ExpectedRelatives, Joined, MAX_DELAY_MONTHS, MIN_OBSERVATIONS,
    SponsorRelatives, expected_relatives, joined_from_applications, relatives_from_history,
};

/// The three stages a case passes before it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Submitted or under assessment, until selection (or refusal, withdrawal).
    Assessment,
    /// Selected, in cultural orientation, until departure (or withdrawal).
    PreDeparture,
    /// Departed, until arrival.
    Travel,
}

pub const STAGES: [Stage; 3] = [Stage::Assessment, Stage::PreDeparture, Stage::Travel];

/// Cases of one kind in one stage on the forecast day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cohort {
    pub track: Track,
    pub priority: SubmissionPriority,
    pub family_reunification: bool,
    pub host_country: crate::CountryCode,
    pub stage: Stage,
    /// The framework its selection fell in (selected cases only).
    pub selected_in: Option<String>,
    pub cases: u64,
    pub persons: u64,
}

/// What the case data says about one stage for one track and priority.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageStats {
    /// Cases that completed the stage (went on), and their mean days in it.
    pub completed: u64,
    pub mean_days: f64,
    /// Cases that left the process during the stage.
    pub dropped: u64,
}

/// Observations per (track, priority, stage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Durations {
    pub stats: Vec<(Track, SubmissionPriority, Stage, StageStats)>,
}

/// Days assumed for a stage when the data says little (UNHCR's targets and the
/// six-month norm from selection to arrival).
fn prior_days(stage: Stage, priority: SubmissionPriority) -> f64 {
    match (stage, priority) {
        (Stage::Assessment, SubmissionPriority::Emergency) => 7.0,
        (Stage::Assessment, SubmissionPriority::Urgent) => 42.0,
        (Stage::Assessment, SubmissionPriority::Normal) => 120.0,
        (Stage::PreDeparture, _) => 120.0,
        (Stage::Travel, _) => 2.0,
    }
}

/// Weight of the prior, in cases.
const PRIOR_WEIGHT: f64 = 20.0;
const PRIOR_DROP: f64 = 0.1;
const DAYS_PER_MONTH: f64 = 30.44;

/// Monthly probability of leaving the stage, and the share of leavers who drop out.
fn hazard(
    durations: &Durations,
    track: Track,
    priority: SubmissionPriority,
    stage: Stage,
) -> (f64, f64) {
    let s = durations
        .stats
        .iter()
        .find(|(t, p, st, _)| *t == track && *p == priority && *st == stage)
        .map(|x| x.3)
        .unwrap_or(StageStats {
            completed: 0,
            mean_days: 0.0,
            dropped: 0,
        });
    let n = s.completed as f64;
    let mean = (n * s.mean_days + PRIOR_WEIGHT * prior_days(stage, priority)) / (n + PRIOR_WEIGHT);
    let drop =
        (s.dropped as f64 + PRIOR_WEIGHT * PRIOR_DROP) / (n + s.dropped as f64 + PRIOR_WEIGHT);
    let monthly = 1.0 - (-DAYS_PER_MONTH / mean.max(1.0)).exp();
    (
        monthly.clamp(0.0, 1.0),
        if stage == Stage::Travel {
            0.0
        } else {
            drop.clamp(0.0, 1.0)
        },
    )
}

/// What-ifs, all optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Selection missions cancelled: their remaining planned places are not filled.
    #[serde(default)]
    pub cancel_missions: Vec<crate::CountryCode>,
    /// No departures from this month on, for `months` months.
    pub pause: Option<Pause>,
    /// Commitments changed (framework id → places after deductions).
    #[serde(default)]
    pub commitments: Vec<CommitmentChange>,
    /// Hosts whose selected cases all travel at once (e.g. for security reasons).
    #[serde(default)]
    pub bring_forward: Vec<crate::CountryCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pause {
    pub from: Date,
    pub months: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommitmentChange {
    pub framework: String,
    pub adjusted_commitment: u64,
}

/// Planned places still to be filled by selection, as persons, in a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedIntake {
    pub framework: String,
    pub host_country: Option<crate::CountryCode>,
    /// The first and last month in which the places are expected to be filled.
    pub from: Date,
    pub until: Date,
    pub persons: u64,
}

/// Everything a forecast needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastInput {
    pub as_of: Date,
    pub horizon_months: u32,
    pub cohorts: Vec<Cohort>,
    pub durations: Durations,
    pub intake: Vec<PlannedIntake>,
    /// The ledger on the forecast day: what is counted already.
    pub ledger: FrameworkReport,
    /// Relatives left behind, awaited as later arrivals (`None`: not forecast).
    pub relatives: Option<ExpectedRelatives>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Band {
    pub p10: u64,
    pub p50: u64,
    pub p90: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MonthForecast {
    /// First day of the month.
    pub month: Date,
    pub arrivals: Band,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrameworkForecast {
    pub id: String,
    pub adjusted_commitment: u64,
    pub counted_so_far: u64,
    pub total: Band,
    pub probability_met: f64,
    pub expected_excess: f64,
    pub expected_shortfall: f64,
    /// Of the arrivals forecast in this framework, relatives left behind
    /// who are expected to come later (counted in the framework in force
    /// on their arrival).
    #[serde(default)]
    pub expected_relatives: Band,
}

/// The expected later-arriving relatives: how many are awaited, and the
/// odds learnt from the relatives recorded before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelativesForecast {
    /// Relatives left behind still awaited on the forecast day, without an
    /// application or case of their own.
    pub awaited_expected_to_apply: u64,
    pub awaited_not_expected_to_apply: u64,
    pub expected_to_apply: ArrivalOdds,
    pub not_expected_to_apply: ArrivalOdds,
    /// Median months from the sponsor's arrival to a relative's, and what it rests on.
    pub median_delay_months: u32,
    pub delay_basis: Basis,
    pub delays_seen: u64,
    /// Relatives arriving within the horizon.
    pub within_horizon: Band,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub as_of: Date,
    pub runs: u32,
    pub seed: u64,
    pub months: Vec<MonthForecast>,
    pub frameworks: Vec<FrameworkForecast>,
    /// The expected later-arriving relatives (`None`: not part of this forecast).
    #[serde(default)]
    pub relatives: Option<RelativesForecast>,
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0)
}

fn band(mut v: Vec<u64>) -> Band {
    v.sort_unstable();
    Band {
        p10: percentile(&v, 0.1),
        p50: percentile(&v, 0.5),
        p90: percentile(&v, 0.9),
    }
}

fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).map_or(0, |b| b.sample(rng))
}

/// A kind of case: what its hazards and size depend on.
struct Kind {
    fr: bool,
    per_case: f64,
    /// Monthly probability of leaving each stage, and the share dropping out.
    hazards: [(f64, f64); 3],
}

/// The model a run simulates, prepared once for all runs.
struct Model {
    months: Vec<Date>,
    kinds: Vec<Kind>,
    /// Starting population: cases per (kind, stage, framework slot).
    start: Vec<u64>,
    /// Planned intake per month: (month, framework slot, cases) of the intake kind.
    intake: Vec<(usize, usize, u64)>,
    intake_kind: usize,
    /// Framework slot of each month (selection there is attributed to it).
    framework_of_month: Vec<usize>,
    paused: Vec<bool>,
    slots: usize,
    /// Awaited relatives alike: how many, and their chance of arriving in each month.
    relatives: Vec<(u64, Vec<f64>)>,
}

/// One simulated future: arrivals per month and per framework slot, and of
/// those the awaited relatives per slot.
struct RunResult {
    per_month: Vec<u64>,
    per_slot: Vec<u64>,
    relatives_per_slot: Vec<u64>,
}

impl Model {
    fn cell(&self, kind: usize, stage: usize, slot: usize) -> usize {
        (kind * 3 + stage) * self.slots + slot
    }

    /// One simulated future: arrivals per month and per framework slot.
    fn run(&self, seed: u64) -> RunResult {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut pop = self.start.clone();
        let mut per_month = vec![0u64; self.months.len()];
        let mut per_slot = vec![0u64; self.slots];
        for (m, _) in self.months.iter().enumerate() {
            for &(im, slot, cases) in &self.intake {
                if im == m {
                    let c = self.cell(self.intake_kind, 1, slot);
                    pop[c] += cases;
                }
            }
            let month_slot = self
                .framework_of_month
                .get(m)
                .copied()
                .unwrap_or(self.slots - 1);
            let mut arrived = 0.0;
            for (k, kind) in self.kinds.iter().enumerate() {
                // Last stage first, so nobody passes two stages in one month.
                for stage in (0..3).rev() {
                    let (h, drop) = kind.hazards[stage];
                    let h = if stage == 1 && self.paused.get(m).copied().unwrap_or(false) {
                        0.0
                    } else {
                        h
                    };
                    for slot in 0..self.slots {
                        let c = self.cell(k, stage, slot);
                        let n = pop[c];
                        if n == 0 {
                            continue;
                        }
                        let leave = binomial(&mut rng, n, h);
                        let on = leave - binomial(&mut rng, leave, drop);
                        pop[c] = n - leave;
                        if on == 0 {
                            continue;
                        }
                        if stage == 2 {
                            let persons = on as f64 * kind.per_case;
                            arrived += persons;
                            // Later-arriving family members count in the framework of arrival.
                            let counted = if kind.fr { month_slot } else { slot };
                            per_slot[counted] += persons.round() as u64;
                        } else {
                            // Selection decides the framework of a resettled family.
                            let next = if stage == 0 && !kind.fr {
                                month_slot
                            } else {
                                slot
                            };
                            let c2 = self.cell(k, stage + 1, next);
                            pop[c2] += on;
                        }
                    }
                }
            }
            per_month[m] = arrived.round() as u64;
        }
        // Drawn after the pipeline, so that the pipeline's futures are the
        // same with or without relatives.
        let mut relatives_per_slot = vec![0u64; self.slots];
        for (count, by_month) in &self.relatives {
            let mut left = *count;
            let mut mass = 1.0;
            for (m, p) in by_month.iter().enumerate() {
                if left == 0 || mass <= 0.0 {
                    break;
                }
                // Sequential binomials draw the multinomial over the months.
                let come = binomial(&mut rng, left, (p / mass).clamp(0.0, 1.0));
                mass -= p;
                left -= come;
                let slot = self
                    .framework_of_month
                    .get(m)
                    .copied()
                    .unwrap_or(self.slots - 1);
                if let Some(x) = per_month.get_mut(m) {
                    *x += come;
                }
                per_slot[slot] += come;
                relatives_per_slot[slot] += come;
            }
        }
        RunResult {
            per_month,
            per_slot,
            relatives_per_slot,
        }
    }
}

/// Runs the forecast: `runs` simulated futures of `input.horizon_months` months.
pub fn forecast(
    input: &ForecastInput,
    policy: &PolicySet,
    scenario: &Scenario,
    runs: u32,
    seed: u64,
) -> Forecast {
    let start_month = month_start(input.as_of);
    let months: Vec<Date> = (0..input.horizon_months)
        .map(|m| add_months(start_month, m))
        .collect();
    let frameworks = policy.frameworks_in_order();
    // One slot per framework, and a last one for "outside every framework".
    let slots = frameworks.len() + 1;
    let slot_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| frameworks.iter().position(|f| &f.id == id))
            .unwrap_or(slots - 1)
    };
    // The framework in force for a month: the one containing its middle.
    let framework_of_month: Vec<usize> = months
        .iter()
        .map(|m| {
            let mid = Date::from_calendar_date(m.year(), m.month(), 15).unwrap_or(*m);
            frameworks
                .iter()
                .position(|f| f.contains(mid))
                .unwrap_or(slots - 1)
        })
        .collect();

    // Kinds: (track, priority, family reunification) seen in the cohorts, plus the planned intake.
    let mut keys: Vec<(Track, SubmissionPriority, bool)> = Vec::new();
    for c in &input.cohorts {
        let key = (c.track, c.priority, c.family_reunification);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let (all_cases, all_persons) = input
        .cohorts
        .iter()
        .fold((0u64, 0u64), |a, c| (a.0 + c.cases, a.1 + c.persons));
    let default_size = if all_cases == 0 {
        3.5
    } else {
        all_persons as f64 / all_cases as f64
    };
    let mut kinds: Vec<Kind> = keys
        .iter()
        .map(|(track, priority, fr)| {
            let (c, p) = input
                .cohorts
                .iter()
                .filter(|x| {
                    (x.track, x.priority, x.family_reunification) == (*track, *priority, *fr)
                })
                .fold((0u64, 0u64), |a, x| (a.0 + x.cases, a.1 + x.persons));
            Kind {
                fr: *fr,
                per_case: if c == 0 {
                    default_size
                } else {
                    p as f64 / c as f64
                },
                hazards: STAGES.map(|s| hazard(&input.durations, *track, *priority, s)),
            }
        })
        .collect();
    let intake_kind = kinds.len();
    kinds.push(Kind {
        fr: false,
        per_case: default_size,
        hazards: STAGES.map(|s| {
            hazard(
                &input.durations,
                Track::SelectionMission,
                SubmissionPriority::Normal,
                s,
            )
        }),
    });
    let mut model = Model {
        months: months.clone(),
        kinds,
        start: Vec::new(),
        intake: Vec::new(),
        intake_kind,
        framework_of_month,
        paused: months
            .iter()
            .map(|m| {
                scenario.pause.as_ref().is_some_and(|p| {
                    *m >= month_start(p.from) && *m < add_months(month_start(p.from), p.months)
                })
            })
            .collect(),
        slots,
        relatives: input.relatives.as_ref().map_or_else(Vec::new, |r| {
            r.awaited
                .iter()
                .map(|a| (a.relatives, r.arrival_by_month(a, months.len())))
                .collect()
        }),
    };
    model.start = vec![0; model.kinds.len() * 3 * slots];
    for c in &input.cohorts {
        let Some(k) = keys
            .iter()
            .position(|key| *key == (c.track, c.priority, c.family_reunification))
        else {
            continue;
        };
        let mut stage = STAGES.iter().position(|s| *s == c.stage).unwrap_or(0);
        // Brought forward: selected families of these hosts travel at once.
        if stage == 1 && scenario.bring_forward.contains(&c.host_country) {
            stage = 2;
        }
        let cell = model.cell(k, stage, slot_of(&c.selected_in));
        model.start[cell] += c.cases;
    }
    for i in input.intake.iter().filter(|i| {
        i.host_country
            .is_none_or(|h| !scenario.cancel_missions.contains(&h))
    }) {
        let slot = slot_of(&Some(i.framework.clone()));
        let open: Vec<usize> = months
            .iter()
            .enumerate()
            .filter(|(_, m)| **m >= month_start(i.from) && **m <= i.until)
            .map(|(k, _)| k)
            .collect();
        if open.is_empty() {
            continue;
        }
        let cases = (i.persons as f64 / default_size).round() as u64;
        let per = cases / open.len() as u64;
        let rest = cases % open.len() as u64;
        for (n, m) in open.iter().enumerate() {
            let extra = u64::from((n as u64) < rest);
            model.intake.push((*m, slot, per + extra));
        }
    }

    // Runs in two halves on two threads; run i always uses stream seed + i.
    let runs_list: Vec<u32> = (0..runs).collect();
    let halves: Vec<&[u32]> = runs_list
        .chunks(runs_list.len().div_ceil(2).max(1))
        .collect();
    let results: Vec<RunResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = halves
            .iter()
            .map(|half| {
                let model = &model;
                scope.spawn(move || {
                    half.iter()
                        .map(|r| model.run(seed.wrapping_add(u64::from(*r))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });

    let months_out = months
        .iter()
        .enumerate()
        .map(|(m, month)| MonthForecast {
            month: *month,
            arrivals: band(results.iter().map(|r| r.per_month[m]).collect()),
        })
        .collect();
    let commitments: Vec<u64> = frameworks
        .iter()
        .map(|f| {
            scenario
                .commitments
                .iter()
                .find(|c| c.framework == f.id)
                .map_or(f.adjusted_commitment(), |c| c.adjusted_commitment)
        })
        .collect();
    let attributed: Vec<u64> = frameworks
        .iter()
        .map(|f| {
            input
                .ledger
                .frameworks
                .iter()
                .find(|l| l.id == f.id)
                .map_or(0, |l| l.attributed)
        })
        .collect();
    // Per run, the frameworks in order: what is counted already, the simulated
    // arrivals, and the excess carried in from the framework before (rule 4).
    let mut totals: Vec<Vec<u64>> = vec![Vec::with_capacity(results.len()); frameworks.len()];
    for r in &results {
        let mut carry = 0u64;
        for (i, total_runs) in totals.iter_mut().enumerate() {
            let total = attributed[i]
                .saturating_add(r.per_slot[i])
                .saturating_add(carry);
            carry = total.saturating_sub(commitments[i]);
            total_runs.push(total);
        }
    }
    let frameworks_out = frameworks
        .iter()
        .enumerate()
        .filter(|(_, f)| f.end >= input.as_of)
        .map(|(i, f)| {
            let counted_so_far = input
                .ledger
                .frameworks
                .iter()
                .find(|l| l.id == f.id)
                .map_or(0, |l| l.counted_total);
            let commitment = commitments[i];
            let totals = std::mem::take(&mut totals[i]);
            let n = totals.len().max(1) as f64;
            let met = totals.iter().filter(|t| **t >= commitment).count() as f64 / n;
            let excess = totals
                .iter()
                .map(|t| t.saturating_sub(commitment) as f64)
                .sum::<f64>()
                / n;
            let shortfall = totals
                .iter()
                .map(|t| commitment.saturating_sub(*t) as f64)
                .sum::<f64>()
                / n;
            FrameworkForecast {
                id: f.id.clone(),
                adjusted_commitment: commitment,
                counted_so_far,
                total: band(totals),
                probability_met: met,
                expected_excess: excess,
                expected_shortfall: shortfall,
                expected_relatives: band(
                    results
                        .iter()
                        .map(|r| r.relatives_per_slot.get(i).copied().unwrap_or(0))
                        .collect(),
                ),
            }
        })
        .collect();
    let relatives = input.relatives.as_ref().map(|r| RelativesForecast {
        awaited_expected_to_apply: r.awaited_count(true),
        awaited_not_expected_to_apply: r.awaited_count(false),
        expected_to_apply: r.expected_to_apply.clone(),
        not_expected_to_apply: r.not_expected_to_apply.clone(),
        median_delay_months: r.median_delay_months(),
        delay_basis: r.delay_basis,
        delays_seen: r.delays_seen,
        within_horizon: band(
            results
                .iter()
                .map(|x| x.relatives_per_slot.iter().sum())
                .collect(),
        ),
    });
    Forecast {
        as_of: input.as_of,
        runs,
        seed,
        months: months_out,
        frameworks: frameworks_out,
        relatives,
    }
}

/// The stage of a case on a day, from its history (`None`: not in the pipeline).
fn stage_on(history: &[crate::Transition], day: Date) -> Option<(Stage, Option<Date>)> {
    use crate::lifecycle::CaseState as S;
    let past: Vec<&crate::Transition> = history.iter().filter(|t| t.occurred_on < day).collect();
    let last = past.last()?;
    let selected = past
        .iter()
        .find(|t| t.to == S::Accepted)
        .map(|t| t.occurred_on);
    let stage = match last.to {
        S::Submitted | S::UnderAssessment => Stage::Assessment,
        S::Accepted | S::PreDeparture => Stage::PreDeparture,
        S::Departed => Stage::Travel,
        _ => return None,
    };
    Some((stage, selected))
}

/// Durations learnt from histories, counting only what was known on `as_of`.
pub fn durations_from_history(cases: &[crate::NewCase], as_of: Date) -> Durations {
    use crate::lifecycle::CaseState as S;
    let mut acc: Vec<(Track, SubmissionPriority, Stage, u64, f64, u64)> = Vec::new();
    let mut add = |t: Track, p: SubmissionPriority, st: Stage, days: Option<f64>| {
        let i = acc
            .iter()
            .position(|a| (a.0, a.1, a.2) == (t, p, st))
            .unwrap_or_else(|| {
                acc.push((t, p, st, 0, 0.0, 0));
                acc.len() - 1
            });
        if let Some(e) = acc.get_mut(i) {
            match days {
                Some(d) => {
                    e.3 += 1;
                    e.4 += d;
                }
                None => e.5 += 1,
            }
        }
    };
    for c in cases {
        let s = &c.case.submission;
        let (t, p) = (s.track, s.priority);
        let at = |state: S| {
            c.history
                .iter()
                .find(|h| h.to == state && h.occurred_on < as_of)
                .map(|h| h.occurred_on)
        };
        let days = |a: Date, b: Date| (b - a).whole_days() as f64;
        let (selected, departed, arrived) = (at(S::Accepted), at(S::Departed), at(S::Arrived));
        let left = at(S::Rejected).or(at(S::Withdrawn)).is_some();
        match selected {
            Some(sel) => add(t, p, Stage::Assessment, Some(days(s.submitted_on, sel))),
            None if left => add(t, p, Stage::Assessment, None),
            None => {}
        }
        match (selected, departed) {
            (Some(sel), Some(dep)) => add(t, p, Stage::PreDeparture, Some(days(sel, dep))),
            (Some(_), None) if left => add(t, p, Stage::PreDeparture, None),
            _ => {}
        }
        if let (Some(dep), Some(arr)) = (departed, arrived) {
            add(t, p, Stage::Travel, Some(days(dep, arr)));
        }
    }
    Durations {
        stats: acc
            .into_iter()
            .map(|(t, p, st, n, sum, dropped)| {
                (
                    t,
                    p,
                    st,
                    StageStats {
                        completed: n,
                        mean_days: if n == 0 { 0.0 } else { sum / n as f64 },
                        dropped,
                    },
                )
            })
            .collect(),
    }
}

/// The forecast's input as the case data stood at the start of `as_of`
/// (for a backtest: what was known then), national quota only.
pub fn input_from_history(
    cases: &[crate::NewCase],
    policy: &PolicySet,
    as_of: Date,
    horizon_months: u32,
) -> ForecastInput {
    use crate::submission::Programme;
    let national: Vec<&crate::NewCase> = cases
        .iter()
        .filter(|c| c.case.submission.programme == Programme::NationalQuota)
        .collect();
    let mut cohorts: Vec<Cohort> = Vec::new();
    for c in &national {
        let s = &c.case.submission;
        if s.submitted_on >= as_of {
            continue;
        }
        let Some((stage, selected)) = stage_on(&c.history, as_of) else {
            continue;
        };
        let selected_in = selected
            .and_then(|d| policy.framework_on(d))
            .map(|f| f.id.clone());
        let cohort = Cohort {
            track: s.track,
            priority: s.priority,
            family_reunification: s.family_reunification_of.is_some(),
            host_country: s.host_country,
            stage,
            selected_in,
            cases: 1,
            persons: s.members.len() as u64,
        };
        match cohorts.iter_mut().find(|x| {
            (
                x.track,
                x.priority,
                x.family_reunification,
                x.host_country,
                x.stage,
                &x.selected_in,
            ) == (
                cohort.track,
                cohort.priority,
                cohort.family_reunification,
                cohort.host_country,
                cohort.stage,
                &cohort.selected_in,
            )
        }) {
            Some(x) => {
                x.cases += 1;
                x.persons += cohort.persons;
            }
            None => cohorts.push(cohort),
        }
    }
    // What was counted and selected before the day.
    let known: Vec<crate::Case> = cases
        .iter()
        .map(|c| {
            let mut k = c.case.clone();
            k.selected_on = k.selected_on.filter(|d| *d < as_of);
            k.arrived_on = k.arrived_on.filter(|d| *d < as_of);
            k
        })
        .collect();
    let groups = crate::ledger::groups_from_cases(&known);
    let ledger = crate::ledger::frameworks(policy, &groups);
    let intake = planned_intake(policy, &groups, as_of);
    let all: Vec<crate::NewCase> = national.into_iter().cloned().collect();
    ForecastInput {
        as_of,
        horizon_months,
        cohorts,
        durations: durations_from_history(&all, as_of),
        intake,
        ledger,
        relatives: None,
    }
}

/// The places of allocation plans not yet filled on `as_of`, per mission and
/// for the unearmarked reservation, as persons to be selected over the rest of the plan year.
pub fn planned_intake(
    policy: &PolicySet,
    groups: &[crate::ledger::PersonGroup],
    as_of: Date,
) -> Vec<PlannedIntake> {
    let report = crate::ledger::allocation(policy, groups);
    let mut out = Vec::new();
    for (plan, line) in policy.allocation_plans.iter().zip(report.plans.iter()) {
        let (Ok(first), Ok(last)) = (
            Date::from_calendar_date(plan.year, Month::January, 1),
            Date::from_calendar_date(plan.year, Month::December, 1),
        ) else {
            continue;
        };
        if last < month_start(as_of) {
            continue;
        }
        for l in &line.lines {
            let remaining = l.planned.saturating_sub(l.selected);
            if remaining == 0 {
                continue;
            }
            out.push(PlannedIntake {
                framework: plan.framework.clone(),
                host_country: crate::CountryCode::parse(&l.key).ok(),
                from: first.max(month_start(as_of)),
                until: last,
                persons: remaining,
            });
        }
    }
    out
}
