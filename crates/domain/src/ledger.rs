//! The quota ledger: the accounting rules of the government's letter as pure
//! functions over policy data and groups of persons (DOMAIN.md section 8).
//! 0. every figure counts persons; 1. the national quota counts arrivals of
//! resettled refugees under it plus later-arriving family members; 2. each
//! counted arrival uses a place of the framework in force on the day of
//! selection (family reunification: of arrival); 3. deductions lower a
//! commitment; 4. an excess carries into the next framework; 5. the EU count
//! takes resettled refugees actually arrived, never family reunification;
//! 6. funding follows the programme's amount per person; 7. rounding to tens
//! happens only on output.

use crate::country::{CountryCode, Nationality};
use crate::policy::{Framework, FrameworkKind, FundingCategory, PolicySet, QuotaChange};
use crate::submission::{Programme, SubmissionCategory, SubmissionPriority, Track};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// Persons sharing every fact the reports count by: a projection of cases and
/// their members (one case can give several groups, one per nationality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonGroup {
    pub programme: Programme,
    pub family_reunification: bool,
    pub selected_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub host_country: CountryCode,
    pub nationality: Nationality,
    pub primary_category: SubmissionCategory,
    pub priority: SubmissionPriority,
    pub track: Track,
    pub persons: u64,
}

impl PersonGroup {
    /// The day that decides the framework (rule 2).
    pub fn attribution_day(&self) -> Option<Date> {
        if self.family_reunification {
            self.arrived_on
        } else {
            self.selected_on.or(self.arrived_on)
        }
    }

    /// Whether these persons count toward the national quota (rule 1).
    pub fn counts_national(&self) -> bool {
        self.programme == Programme::NationalQuota && self.arrived_on.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct YearLine {
    pub year: i32,
    pub resettled_arrivals: u64,
    pub family_reunification_arrivals: u64,
    pub counted_national: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeductionLine {
    pub places: u64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
}

/// One framework in the letter's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrameworkLine {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub kind: FrameworkKind,
    pub start: Date,
    pub end: Date,
    pub commitment: u64,
    pub deductions: Vec<DeductionLine>,
    pub adjusted_commitment: u64,
    /// The annual quota in force at the end of the framework.
    pub quota_per_year: Option<u64>,
    pub quota_until_further_notice: bool,
    /// Excess carried in from the framework before.
    pub carried_in: u64,
    /// Arrival years of the arrivals attributed to this framework.
    pub years: Vec<YearLine>,
    /// Arrivals attributed to this framework (without the carried-in excess).
    pub attributed: u64,
    pub counted_total: u64,
    pub excess: u64,
    pub shortfall: u64,
    pub met: bool,
    /// The id of the framework the excess is counted in, if any.
    pub carried_out_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrameworkReport {
    pub frameworks: Vec<FrameworkLine>,
    /// Counted arrivals whose attribution day lies in no framework.
    pub unattributed: u64,
}

fn quota(policy: &PolicySet, day: Date) -> Option<&QuotaChange> {
    policy.quota_on(day)
}

/// The letter's table: per framework its arrivals per year, commitment,
/// deductions, total counted, excess and where the excess is counted.
pub fn frameworks(policy: &PolicySet, groups: &[PersonGroup]) -> FrameworkReport {
    let ordered = policy.frameworks_in_order();
    // Per framework: arrival year -> (resettled, family reunification).
    let mut per: Vec<BTreeMap<i32, (u64, u64)>> = vec![BTreeMap::new(); ordered.len()];
    let mut unattributed = 0;
    for g in groups.iter().filter(|g| g.counts_national()) {
        let (Some(day), Some(arrived)) = (g.attribution_day(), g.arrived_on) else {
            continue;
        };
        match ordered.iter().position(|f| f.contains(day)) {
            Some(i) => {
                let entry = per.get_mut(i).map(|m| m.entry(arrived.year()).or_default());
                if let Some(e) = entry {
                    if g.family_reunification {
                        e.1 += g.persons
                    } else {
                        e.0 += g.persons
                    }
                }
            }
            None => unattributed += g.persons,
        }
    }
    let mut lines: Vec<FrameworkLine> = Vec::with_capacity(ordered.len());
    let mut carried_in = 0;
    for (i, f) in ordered.iter().enumerate() {
        let years: Vec<YearLine> = per
            .get(i)
            .map(|m| {
                m.iter()
                    .map(|(year, (r, fr))| YearLine {
                        year: *year,
                        resettled_arrivals: *r,
                        family_reunification_arrivals: *fr,
                        counted_national: r + fr,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let attributed: u64 = years.iter().map(|y| y.counted_national).sum();
        let line = line(
            policy,
            f,
            years,
            attributed,
            carried_in,
            ordered.get(i + 1).copied(),
        );
        carried_in = if line.carried_out_to.is_some() {
            line.excess
        } else {
            0
        };
        lines.push(line);
    }
    FrameworkReport {
        frameworks: lines,
        unattributed,
    }
}

fn line(
    policy: &PolicySet,
    f: &Framework,
    years: Vec<YearLine>,
    attributed: u64,
    carried_in: u64,
    next: Option<&Framework>,
) -> FrameworkLine {
    let adjusted = f.adjusted_commitment();
    let counted_total = attributed + carried_in;
    let excess = counted_total.saturating_sub(adjusted);
    let q = quota(policy, f.end);
    FrameworkLine {
        id: f.id.clone(),
        name: f.name.clone(),
        name_en: f.name_en.clone(),
        kind: f.kind,
        start: f.start,
        end: f.end,
        commitment: f.commitment,
        deductions: f
            .deductions
            .iter()
            .map(|d| DeductionLine {
                places: d.places,
                reason: d.reason.clone(),
                reason_en: d.reason_en.clone(),
            })
            .collect(),
        adjusted_commitment: adjusted,
        quota_per_year: q.map(|q| q.places_per_year),
        quota_until_further_notice: q.is_some_and(|q| q.until_further_notice),
        carried_in,
        years,
        attributed,
        counted_total,
        excess,
        shortfall: adjusted.saturating_sub(counted_total),
        met: counted_total >= adjusted,
        carried_out_to: next.filter(|_| excess > 0).map(|n| n.id.clone()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PledgeLine {
    pub programme: Programme,
    pub pledged: u64,
    pub realised: u64,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

/// One EU programme: pledges against arrivals under the EU counting rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EuLine {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub start: Date,
    pub end: Date,
    pub pledges: Vec<PledgeLine>,
    pub pledged_total: u64,
    pub realised_total: u64,
    /// Later-arriving family members in the period: never counted for the EU.
    pub family_reunification_excluded: u64,
    pub eur_per_person: u64,
    pub funding_eur: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EuReport {
    pub programmes: Vec<EuLine>,
}

/// The EU count (rule 5) and the funding that follows (rule 6).
pub fn eu(policy: &PolicySet, groups: &[PersonGroup]) -> EuReport {
    let programmes = policy
        .eu_programmes
        .iter()
        .map(|e| {
            let within =
                |g: &&PersonGroup| g.arrived_on.is_some_and(|d| e.start <= d && d <= e.end);
            let pledges: Vec<PledgeLine> = e
                .pledges
                .iter()
                .map(|p| PledgeLine {
                    programme: p.programme,
                    pledged: p.places,
                    realised: groups
                        .iter()
                        .filter(within)
                        .filter(|g| g.programme == p.programme && !g.family_reunification)
                        .map(|g| g.persons)
                        .sum(),
                    note: p.note.clone(),
                    note_en: p.note_en.clone(),
                })
                .collect();
            let realised_total = pledges.iter().map(|p| p.realised).sum();
            let eur_per_person = e
                .funding
                .iter()
                .find(|f| f.category == FundingCategory::Resettled)
                .map_or(0, |f| f.eur_per_person);
            EuLine {
                id: e.id.clone(),
                name: e.name.clone(),
                name_en: e.name_en.clone(),
                start: e.start,
                end: e.end,
                pledged_total: pledges.iter().map(|p| p.pledged).sum(),
                pledges,
                realised_total,
                family_reunification_excluded: groups
                    .iter()
                    .filter(within)
                    .filter(|g| g.family_reunification)
                    .map(|g| g.persons)
                    .sum(),
                eur_per_person,
                funding_eur: realised_total.saturating_mul(eur_per_person),
            }
        })
        .collect();
    EuReport { programmes }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Count {
    pub key: String,
    pub persons: u64,
}

/// Who is behind the totals of one framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompositionLine {
    pub framework: String,
    pub persons: u64,
    pub by_host_country: Vec<Count>,
    pub by_nationality: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_priority: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompositionReport {
    pub frameworks: Vec<CompositionLine>,
}

fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(key, persons)| Count { key, persons })
        .collect();
    v.sort_by(|a, b| b.persons.cmp(&a.persons).then(a.key.cmp(&b.key)));
    v
}

/// A cell of a cross-tabulation with fewer persons than this is not shown.
pub const SMALL_CELL: u64 = 5;
/// The key under which the persons of suppressed cells are counted together.
pub const SUPPRESSED: &str = "suppressed";

/// Statistical disclosure control, as statistics offices do it: cells of
/// fewer than [`SMALL_CELL`] persons are counted together under
/// [`SUPPRESSED`]; if that sum is itself small, the next smallest cells join
/// it (secondary suppression), so that no small cell can be recovered by
/// subtraction. Totals stay exact. `counts` is sorted largest first.
pub fn suppress_small_cells(counts: Vec<Count>) -> Vec<Count> {
    let (mut shown, small): (Vec<Count>, Vec<Count>) =
        counts.into_iter().partition(|c| c.persons >= SMALL_CELL);
    if small.is_empty() {
        return shown;
    }
    let mut hidden: u64 = small.iter().map(|c| c.persons).sum();
    while hidden < SMALL_CELL {
        match shown.pop() {
            Some(c) => hidden += c.persons,
            None => break,
        }
    }
    shown.push(Count {
        key: SUPPRESSED.into(),
        persons: hidden,
    });
    shown
}

/// Host countries, nationalities, categories and priorities of the arrivals
/// counted in each framework, small cells suppressed ([`suppress_small_cells`]).
pub fn composition(policy: &PolicySet, groups: &[PersonGroup]) -> CompositionReport {
    let frameworks = policy
        .frameworks_in_order()
        .into_iter()
        .map(|f| {
            let mut host = BTreeMap::new();
            let mut nat = BTreeMap::new();
            let mut cat = BTreeMap::new();
            let mut prio = BTreeMap::new();
            let mut persons = 0;
            for g in groups.iter().filter(|g| {
                g.counts_national() && g.attribution_day().is_some_and(|d| f.contains(d))
            }) {
                persons += g.persons;
                *host.entry(g.host_country.to_string()).or_default() += g.persons;
                *nat.entry(g.nationality.to_string()).or_default() += g.persons;
                *cat.entry(g.primary_category.to_string()).or_default() += g.persons;
                *prio.entry(g.priority.to_string()).or_default() += g.persons;
            }
            CompositionLine {
                framework: f.id.clone(),
                persons,
                by_host_country: suppress_small_cells(counts(host)),
                by_nationality: suppress_small_cells(counts(nat)),
                by_category: suppress_small_cells(counts(cat)),
                by_priority: suppress_small_cells(counts(prio)),
            }
        })
        .collect();
    CompositionReport { frameworks }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanLine {
    /// A host country (selection mission) or `unearmarked` (dossier cases).
    pub key: String,
    pub planned: u64,
    pub selected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CapLine {
    pub label: String,
    pub max: u64,
    pub used: u64,
    pub exceeded: bool,
}

/// The plan of one framework year against the selections made in that year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AllocationLine {
    pub framework: String,
    pub year: i32,
    pub lines: Vec<PlanLine>,
    pub planned_total: u64,
    pub selected_total: u64,
    pub unearmarked_share_percent: u64,
    /// The unearmarked share is below the Global Compact target of 10%.
    pub below_unearmarked_target: bool,
    pub caps: Vec<CapLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AllocationReport {
    pub plans: Vec<AllocationLine>,
}

/// Plans against realisation: persons selected (accepted) under the national
/// quota in the plan's year, per mission host country and for the unearmarked
/// reservation.
pub fn allocation(policy: &PolicySet, groups: &[PersonGroup]) -> AllocationReport {
    let plans = policy
        .allocation_plans
        .iter()
        .map(|plan| {
            let selected: Vec<&PersonGroup> = groups
                .iter()
                .filter(|g| g.programme == Programme::NationalQuota && !g.family_reunification)
                .filter(|g| g.selected_on.is_some_and(|d| d.year() == plan.year))
                .collect();
            let mut lines: Vec<PlanLine> = plan
                .missions
                .iter()
                .map(|m| PlanLine {
                    key: m.host_country.to_string(),
                    planned: m.places,
                    selected: selected
                        .iter()
                        .filter(|g| {
                            g.track == Track::SelectionMission && g.host_country == m.host_country
                        })
                        .map(|g| g.persons)
                        .sum(),
                })
                .collect();
            let unplanned: u64 = selected
                .iter()
                .filter(|g| {
                    g.track == Track::SelectionMission
                        && !plan
                            .missions
                            .iter()
                            .any(|m| m.host_country == g.host_country)
                })
                .map(|g| g.persons)
                .sum();
            if unplanned > 0 {
                lines.push(PlanLine {
                    key: "other-missions".into(),
                    planned: 0,
                    selected: unplanned,
                });
            }
            lines.push(PlanLine {
                key: "unearmarked".into(),
                planned: plan.unearmarked,
                selected: selected
                    .iter()
                    .filter(|g| g.track == Track::Dossier)
                    .map(|g| g.persons)
                    .sum(),
            });
            let caps = plan
                .caps
                .iter()
                .map(|c| {
                    let used = selected
                        .iter()
                        .filter(|g| c.priority.is_none_or(|p| g.priority == p))
                        .filter(|g| c.category.is_none_or(|k| g.primary_category == k))
                        .map(|g| g.persons)
                        .sum();
                    let label = [
                        c.priority.map(|p| p.to_string()),
                        c.category.map(|k| k.to_string()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" + ");
                    CapLine {
                        label,
                        max: c.max,
                        used,
                        exceeded: used > c.max,
                    }
                })
                .collect();
            let planned_total = plan.total();
            AllocationLine {
                framework: plan.framework.clone(),
                year: plan.year,
                planned_total,
                selected_total: lines.iter().map(|l| l.selected).sum(),
                unearmarked_share_percent: plan.unearmarked_percent(),
                below_unearmarked_target: plan.below_unearmarked_target(),
                lines,
                caps,
            }
        })
        .collect();
    AllocationReport { plans }
}

/// The day that stands for `day` in its bucket: the latest of the first day
/// of its year and the latest policy boundary on or before it.
pub fn bucket_day(day: Date, boundaries: &[Date]) -> Date {
    let year_start = Date::from_calendar_date(day.year(), time::Month::January, 1).unwrap_or(day);
    let boundary = boundaries.iter().copied().filter(|b| *b <= day).max();
    boundary.map_or(year_start, |b| b.max(year_start))
}

/// Groups persons by bucketed dates. Every rule compares dates only with
/// policy boundaries and years, so every report over the result equals the
/// report over `groups` (a property test checks it) while there are far fewer groups.
pub fn bucket(groups: &[PersonGroup], boundaries: &[Date]) -> Vec<PersonGroup> {
    let mut merged: BTreeMap<String, PersonGroup> = BTreeMap::new();
    for g in groups {
        let b = PersonGroup {
            selected_on: g.selected_on.map(|d| bucket_day(d, boundaries)),
            arrived_on: g.arrived_on.map(|d| bucket_day(d, boundaries)),
            ..g.clone()
        };
        let key = format!(
            "{:?}",
            PersonGroup {
                persons: 0,
                ..b.clone()
            }
        );
        merged
            .entry(key)
            .and_modify(|e| e.persons += b.persons)
            .or_insert(b);
    }
    merged.into_values().collect()
}

/// Rounds a count to tens for publication (half up), as the letter does.
pub fn round_to_tens(n: u64) -> u64 {
    (n + 5) / 10 * 10
}

/// The projection of cases into person groups, as the store computes it in SQL:
/// cases that were selected or arrived, one group per set of equal facts.
pub fn groups_from_cases<'a>(cases: impl IntoIterator<Item = &'a crate::Case>) -> Vec<PersonGroup> {
    let mut merged: BTreeMap<String, PersonGroup> = BTreeMap::new();
    for c in cases {
        if c.selected_on.is_none() && c.arrived_on.is_none() {
            continue;
        }
        let s = &c.submission;
        for m in &s.members {
            let g = PersonGroup {
                programme: s.programme,
                family_reunification: s.family_reunification_of.is_some(),
                selected_on: c.selected_on,
                arrived_on: c.arrived_on,
                host_country: s.host_country,
                nationality: m.nationality,
                primary_category: s.primary_category,
                priority: s.priority,
                track: s.track,
                persons: 1,
            };
            let key = format!(
                "{:?}",
                PersonGroup {
                    persons: 0,
                    ..g.clone()
                }
            );
            merged
                .entry(key)
                .and_modify(|e| e.persons += 1)
                .or_insert(g);
        }
    }
    merged.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_suppressed_so_that_none_can_be_recovered() {
        let c = |key: &str, persons| Count {
            key: key.into(),
            persons,
        };
        assert_eq!(
            suppress_small_cells(vec![c("SYR", 20), c("ERI", 6), c("AFG", 2)]),
            vec![c("SYR", 20), c(SUPPRESSED, 8)],
            "a single small cell takes the next smallest with it"
        );
        assert_eq!(
            suppress_small_cells(vec![c("SYR", 20), c("ERI", 3), c("AFG", 2)]),
            vec![c("SYR", 20), c(SUPPRESSED, 5)]
        );
        assert_eq!(
            suppress_small_cells(vec![c("SYR", 20), c("ERI", 6)]),
            vec![c("SYR", 20), c("ERI", 6)]
        );
    }
}
